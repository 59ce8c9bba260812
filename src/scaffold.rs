//! Scaffolding: `tessera init` (a new, buildable review) and `tessera new` (one content
//! file with a commented front-matter skeleton). Never overwrites a file.

use std::io;
use std::path::{Path, PathBuf};

/// What `tessera new` can create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewKind {
    /// A case study, in `content/case-studies/`.
    CaseStudy,
    /// A research theme, in `content/themes/`.
    Theme,
    /// A claim, in `content/claims/`.
    Claim,
}

/// Why scaffolding failed.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("`{0}` already exists; tessera never overwrites it")]
    /// The file to write is already there.
    Exists(PathBuf),
    #[error("`{0}` is not empty; `tessera init` needs a new or empty folder")]
    /// The folder for `tessera init` has files in it.
    NotEmpty(PathBuf),
    #[error("the title `{0}` gives an empty file name; use some letters or digits")]
    /// The title has no letters or digits to make a file name from.
    EmptySlug(String),
    #[error("cannot write `{path}`: {source}")]
    /// A file or folder could not be written.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why it failed.
        source: io::Error,
    },
}

const SITE_TOML: &str = include_str!("scaffold/site.toml");
const HOME: &str = include_str!("scaffold/_index.md");
const CASE_STUDY: &str = include_str!("scaffold/case-study.md");
const THEME: &str = include_str!("scaffold/theme.md");
const CLAIM: &str = include_str!("scaffold/claim.md");
const REFERENCES: &str = include_str!("scaffold/references.yaml");
const NEW_CASE_STUDY: &str = include_str!("scaffold/new-case-study.md");
const NEW_CLAIM: &str = include_str!("scaffold/new-claim.md");

/// Creates a new review in `dir`: site.toml, a home page, one case study, theme and claim,
/// and a bibliography, using the built-in default theme.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
    if dir.exists() && std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_some()) {
        return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
    }
    let files = [
        ("site.toml", SITE_TOML.to_string()),
        ("content/_index.md", HOME.to_string()),
        ("content/references.yaml", REFERENCES.to_string()),
        (
            "content/case-studies/example-case-study.md",
            fill(CASE_STUDY, "Example case study"),
        ),
        (
            "content/themes/example-theme.md",
            fill(THEME, "Example theme"),
        ),
        (
            "content/claims/example-claim.md",
            fill(CLAIM, "Example claim"),
        ),
    ];
    let mut written = Vec::new();
    for (relative, text) in files {
        let path = dir.join(relative);
        write_new(&path, &text)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `content/<kind>/<slug>.md` under `root` with a skeleton, refusing to overwrite.
pub fn new_file(root: &Path, kind: NewKind, title: &str) -> Result<PathBuf, ScaffoldError> {
    let slug = slug::slugify(title);
    if slug.is_empty() {
        return Err(ScaffoldError::EmptySlug(title.to_string()));
    }
    let (folder, template) = match kind {
        NewKind::CaseStudy => ("case-studies", NEW_CASE_STUDY),
        NewKind::Theme => ("themes", THEME),
        NewKind::Claim => ("claims", NEW_CLAIM),
    };
    let path = root.join("content").join(folder).join(format!("{slug}.md"));
    write_new(&path, &fill(template, title))?;
    Ok(path)
}

fn fill(template: &str, title: &str) -> String {
    let quoted = serde_json::to_string(title).unwrap_or_else(|_| format!("\"{title}\""));
    template.replace("\"{{title}}\"", &quoted)
}

fn write_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    let io = |source| ScaffoldError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => ScaffoldError::Exists(path.to_path_buf()),
            _ => ScaffoldError::Io {
                path: path.to_path_buf(),
                source: e,
            },
        })?;
    io::Write::write_all(&mut file, text.as_bytes()).map_err(io)
}
