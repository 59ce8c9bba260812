#![allow(dead_code)] // Each test module uses a different part of the support.

//! Test support: copy a fixture review to a temporary folder, run the real `tessera`
//! binary on it, and inspect what it wrote, including a walker that checks every internal
//! link and anchor of a built site.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root (where the sample review lives).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture folder beside the test module that uses it: `tests/testsuite/<path>`.
pub fn fixture_path(path: &str) -> PathBuf {
    repo().join("tests/testsuite").join(path)
}

/// A review copied into a temporary folder, so tests can change and build it freely.
pub struct Review {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Review {
    /// Copies `tests/testsuite/<path>` (a folder with site.toml and content/).
    pub fn fixture(path: &str) -> Review {
        let review = Review::empty();
        copy_tree(&fixture_path(path), &review.root);
        review
    }

    /// Copies the sample review (site.toml, content/, themes/, editions/) from the
    /// repository.
    pub fn sample() -> Review {
        let review = Review::empty();
        std::fs::copy(repo().join("site.toml"), review.root.join("site.toml"))
            .expect("copy site.toml");
        copy_tree(&repo().join("content"), &review.root.join("content"));
        copy_tree(&repo().join("themes"), &review.root.join("themes"));
        copy_tree(&repo().join("editions"), &review.root.join("editions"));
        review
    }

    /// An empty temporary folder.
    pub fn empty() -> Review {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("review");
        std::fs::create_dir_all(&root).expect("create review dir");
        Review { _dir: dir, root }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create dirs");
        std::fs::write(path, text).expect("write file");
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative))
            .unwrap_or_else(|e| panic!("read {relative}: {e}"))
    }

    /// Runs `tessera <args> --root <root>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        let root = self.root.to_string_lossy().into_owned();
        if !matches!(args.first(), Some(&"init" | &"new")) {
            all.extend(["--root", &root]);
        }
        tessera(&all, &self.root)
    }

    /// `tessera build` that must succeed; returns the output folder.
    pub fn build(&self, extra: &[&str]) -> PathBuf {
        let mut args = vec!["build"];
        args.extend(extra);
        let run = self.run(&args);
        assert!(run.ok(), "build failed:\n{}", run.stderr);
        self.path("public")
    }
}

/// The result of running the binary.
pub struct Run {
    pub output: Output,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.output.status.success()
    }

    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }
}

/// Runs the real binary with `args`, in `cwd`.
pub fn tessera(args: &[&str], cwd: &Path) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run tessera");
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        output,
    }
}

/// The sample review, built once per test run and shared (read-only) by every test.
pub fn built_sample() -> &'static Path {
    static BUILT: OnceLock<Review> = OnceLock::new();
    let review = BUILT.get_or_init(|| {
        let review = Review::sample();
        review.build(&[]);
        review
    });
    // The review (and its temporary folder) lives as long as the process.
    Box::leak(Box::new(review.path("public"))).as_path()
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("create dir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Every HTML file of a built site, relative path → contents.
pub fn pages(site: &Path) -> HashMap<PathBuf, String> {
    walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(site).expect("prefix").to_path_buf();
            (rel, std::fs::read_to_string(e.path()).expect("read page"))
        })
        .collect()
}

/// Values of `attr="..."` in an HTML text (good enough for the HTML tessera writes).
pub fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        if let Some(end) = rest.find('"') {
            values.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    values
}

/// Every internal `href`/`src` that does not resolve to a file (and anchor) of the site,
/// as "page: link" strings. External links are not followed. `404.html` is skipped, since
/// its links are rooted at the host's base path by design.
pub fn broken_links(site: &Path) -> Vec<String> {
    let pages = pages(site);
    let ids: HashMap<PathBuf, HashSet<String>> = pages
        .iter()
        .map(|(p, html)| {
            (
                p.clone(),
                attribute_values(html, "id")
                    .into_iter()
                    .map(decode)
                    .collect(),
            )
        })
        .collect();
    let mut broken = Vec::new();
    for (page, html) in &pages {
        if page == Path::new("404.html") {
            continue;
        }
        let links = attribute_values(html, "href")
            .into_iter()
            .chain(attribute_values(html, "src"));
        for link in links {
            if let Some(problem) = check_link(site, page, link, &ids) {
                broken.push(format!("{}: {link} ({problem})", page.display()));
            }
        }
    }
    broken.sort();
    broken
}

fn decode(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn check_link(
    site: &Path,
    page: &Path,
    link: &str,
    ids: &HashMap<PathBuf, HashSet<String>>,
) -> Option<String> {
    let link = decode(link);
    if link.contains("://")
        || link.starts_with("mailto:")
        || link.starts_with("//")
        || link.starts_with("data:")
    {
        return None;
    }
    if link.starts_with('/') {
        return Some("absolute path: links must be relative".to_string());
    }
    let (path, fragment) = match link.split_once('#') {
        Some((p, f)) => (p.to_string(), Some(f.to_string())),
        None => (link.clone(), None),
    };
    let path = path.split('?').next().unwrap_or("").to_string();
    let target = if path.is_empty() {
        page.to_path_buf()
    } else {
        let mut t = normalize(&page.parent().unwrap_or(Path::new("")).join(&path))?;
        if path.ends_with('/') || path == "." || path == "./" || site.join(&t).is_dir() {
            t = t.join("index.html");
        }
        t
    };
    if !site.join(&target).is_file() {
        return Some(format!("no file {}", target.display()));
    }
    match fragment {
        Some(f) if !f.is_empty() && target.extension().is_some_and(|e| e == "html") => {
            let has = ids.get(&target).is_some_and(|set| set.contains(&f));
            (!has).then(|| format!("no id `{f}` in {}", target.display()))
        }
        _ => None,
    }
}

fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// Reads a page of a built site by its relative path.
pub fn page(site: &Path, relative: &str) -> String {
    std::fs::read_to_string(site.join(relative)).unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

/// Every file of a folder with its bytes, for byte-for-byte comparisons.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).expect("prefix").to_path_buf(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}
