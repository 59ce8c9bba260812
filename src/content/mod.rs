//! Content: finding, reading and parsing the files under `content/`.
//!
//! Walks the folder (never following a link out of it), reads files in parallel, splits
//! front matter from body, and parses the front matter into the typed schema of its kind
//! (chosen by folder). Every problem becomes a located [`Diagnostic`]; a file that fails is
//! left out and the rest still load, so one run reports everything. This module does not
//! resolve references between files: that is the review model's job.

pub mod frontmatter;
pub mod schema;

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::diagnostics::{
    Code, Diagnostic, Diagnostics, Location, Locator, did_you_mean_hint, locate,
};
use schema::{CaseStudyMeta, ClaimMeta, PageMeta, ThemeMeta};

mod cache;
mod discovery;
mod yaml;

use cache::{CachedFile, Listing};
pub use cache::{ParseCache, load_cached};
pub use discovery::is_ignored;
use discovery::*;
use yaml::*;

/// The content folder's name under the review root.
pub const CONTENT_DIR: &str = "content";

/// What a content file is, decided by where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A file in `content/case-studies/`.
    CaseStudy,
    /// A file in `content/themes/`: a research theme.
    Theme,
    /// A file in `content/claims/`.
    Claim,
    /// `content/_index.md`, the home page.
    Home,
    /// Any other Markdown file: a page of its own.
    Page,
}

impl Kind {
    fn of(relative: &Path) -> Kind {
        let mut components = relative.components();
        let first = components.next().and_then(|c| c.as_os_str().to_str());
        let is_nested = components.next().is_some();
        match (first, is_nested) {
            (Some("case-studies"), true) => Kind::CaseStudy,
            (Some("themes"), true) => Kind::Theme,
            (Some("claims"), true) => Kind::Claim,
            (Some("_index.md"), false) => Kind::Home,
            _ => Kind::Page,
        }
    }

    fn requires_front_matter(self) -> bool {
        matches!(self, Kind::CaseStudy | Kind::Theme | Kind::Claim)
    }
}

/// One parsed content file.
#[derive(Debug, Clone)]
pub struct Document<M> {
    /// URL-safe name from the file name (`pause.md` → `pause`).
    pub slug: String,
    /// Path relative to the review root (`content/case-studies/pause.md`), used in diagnostics.
    pub path: PathBuf,
    /// Path relative to `content/`, used to resolve links between files.
    pub content_path: PathBuf,
    /// The whole file, for locating diagnostics.
    pub source: Arc<str>,
    /// The parsed front matter.
    pub meta: M,
    /// Byte offset of the Markdown body in `source`.
    pub body_offset: usize,
    /// Byte offset where the YAML starts (for mapping YAML locations).
    pub front_matter_offset: usize,
}

impl<M> Document<M> {
    /// The Markdown body, after the front matter.
    pub fn body(&self) -> &str {
        &self.source[self.body_offset..]
    }

    /// A diagnostic pointing at a spanned value from this file's front matter.
    pub fn locate_ref(&self, r: &serde_saphyr::Location) -> Location {
        self.locate_ref_with(&mut Locator::new(&self.source), r)
    }

    /// [`Document::locate_ref`] through a [`Locator`] of this document's source, for many
    /// references of one file in order (every finding of a case study): each is found
    /// without counting lines from the top of the file again.
    pub fn locate_ref_with(&self, locator: &mut Locator, r: &serde_saphyr::Location) -> Location {
        yaml_location(locator, &self.source, self.front_matter_offset, r)
    }

    /// The location of the front matter's opening fence (after any byte-order mark).
    pub fn head(&self) -> Location {
        let start = if self.source.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        locate(&self.source, start..(start + 3).min(self.source.len()))
    }
}

/// A file under `content/` that is not Markdown: copied to the output as it is.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Path relative to `content/`.
    pub content_path: PathBuf,
    /// Path on disk, to copy it from.
    pub absolute: PathBuf,
}

/// Everything under `content/`, parsed.
#[derive(Debug, Default)]
pub struct Content {
    /// The files of `content/case-studies/`.
    pub case_studies: Vec<Arc<Document<CaseStudyMeta>>>,
    /// The files of `content/themes/` (research themes).
    pub themes: Vec<Arc<Document<ThemeMeta>>>,
    /// The files of `content/claims/`.
    pub claims: Vec<Arc<Document<ClaimMeta>>>,
    /// `content/_index.md`, if present.
    pub home: Option<Arc<Document<PageMeta>>>,
    /// Every other Markdown page.
    pub pages: Vec<Arc<Document<PageMeta>>>,
    /// Files that are not Markdown, copied as they are.
    pub assets: Vec<Asset>,
    /// `references.yaml` or `references.bib`, if present.
    pub bibliography: Option<PathBuf>,
}

/// What reading one file gave: its text as shown in diagnostics, whether that text is the
/// file's own (not a lossy copy of a file that is not UTF-8), and what it parsed into.
struct Read {
    text: Option<Arc<str>>,
    exact: bool,
    /// Taken from the cache rather than parsed.
    cached: bool,
    parsed: Result<Parsed, Vec<Diagnostic>>,
}

#[derive(Clone)]
enum Parsed {
    CaseStudy(Arc<Document<CaseStudyMeta>>),
    Theme(Arc<Document<ThemeMeta>>),
    Claim(Arc<Document<ClaimMeta>>),
    Home(Arc<Document<PageMeta>>),
    Page(Arc<Document<PageMeta>>),
}

/// Reads every content file under `root/content`, reporting problems into `diagnostics`.
pub fn load(root: &Path, diagnostics: &mut Diagnostics) -> Content {
    load_files(root, diagnostics, None)
}

fn load_files(
    root: &Path,
    diagnostics: &mut Diagnostics,
    mut cache: Option<(&mut ParseCache, Option<&HashSet<PathBuf>>)>,
) -> Content {
    let content_dir = root.join(CONTENT_DIR);
    let mut content = Content::default();
    let listed = cache
        .as_ref()
        .and_then(|(cache, maybe_changed)| cache.listing_still_right(root, (*maybe_changed)?));
    let Found {
        files,
        through_links,
    } = match listed {
        Some(listing) => listing.apply(&mut content),
        None => {
            let problems = diagnostics.len();
            let found = discover(&content_dir, &mut content, diagnostics);
            if let Some((cache, _)) = cache.as_mut() {
                let clean = diagnostics.len() == problems && !found.through_links;
                cache.listing = clean.then(|| Listing::of(&found, &content));
            }
            found
        }
    };
    let (previous, maybe_changed) = match &cache {
        // A file reached through a link changes when its target does, under another name
        // than the one a watcher reports: then every file is read.
        Some((cache, maybe_changed)) => (Some(&**cache), maybe_changed.filter(|_| !through_links)),
        None => (None, None),
    };
    let reads: Vec<Read> = files
        .par_iter()
        .map(|(absolute, relative)| {
            let display = Path::new(CONTENT_DIR).join(relative);
            let cached = previous.and_then(|c| c.files.get(relative));
            match cached {
                Some(cached) if maybe_changed.is_some_and(|m| !m.contains(&display)) => {
                    cached.reuse()
                }
                _ => read_and_parse(absolute, relative, &display, cached),
            }
        })
        .collect();
    if let Some((cache, _)) = cache.as_mut() {
        cache.update(&files, &reads);
    }
    let results = files.iter().zip(reads).map(|((_, relative), read)| {
        let display = Path::new(CONTENT_DIR).join(relative);
        (display, read.text, read.parsed)
    });
    for (display, source, parsed) in results {
        if let Some(source) = source {
            diagnostics.add_source(display, source);
        }
        match parsed {
            Ok(Parsed::CaseStudy(d)) => content.case_studies.push(d),
            Ok(Parsed::Theme(d)) => content.themes.push(d),
            Ok(Parsed::Claim(d)) => content.claims.push(d),
            Ok(Parsed::Home(d)) => content.home = Some(d),
            Ok(Parsed::Page(d)) => content.pages.push(d),
            Err(problems) => diagnostics.extend(problems),
        }
    }
    content
}

/// Reads one file and parses it according to its kind, or takes the cached result when the
/// file's text is the same as the text it came from.
fn read_and_parse(
    absolute: &Path,
    relative: &Path,
    display: &Path,
    cached: Option<&CachedFile>,
) -> Read {
    let bytes = match std::fs::read(absolute) {
        Ok(bytes) => bytes,
        Err(err) => {
            let d = Diagnostic::error(Code::Unreadable, format!("cannot read this file: {err}"))
                .in_file(display)
                .with_hint("check the file's permissions");
            return Read {
                text: None,
                exact: false,
                cached: false,
                parsed: Err(vec![d]),
            };
        }
    };
    if let Some(cached) = cached.filter(|c| c.text.as_bytes() == bytes.as_slice()) {
        return cached.reuse();
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text: Arc<str> = Arc::from(text);
            let parsed = parse(&text, relative, display);
            Read {
                text: Some(text),
                exact: true,
                cached: false,
                parsed,
            }
        }
        Err(err) => {
            let (lossy, diagnostic) = not_utf8(&err, display);
            // The lossy text is only shown in the snippet (with U+FFFD at the bad byte);
            // the file itself is never parsed as if it were what the lossy text says.
            Read {
                text: Some(lossy),
                exact: false,
                cached: false,
                parsed: Err(vec![diagnostic]),
            }
        }
    }
}

/// A diagnostic at the first invalid byte, and a lossy copy of the text for its snippet.
fn not_utf8(err: &std::string::FromUtf8Error, display: &Path) -> (Arc<str>, Diagnostic) {
    let bytes = err.as_bytes();
    let at = err.utf8_error().valid_up_to();
    // Bytes before `at` are valid UTF-8, so the lossy text agrees with them byte for byte
    // and `at` is the offset of the replacement character in it.
    let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(bytes));
    let location = locate(&lossy, at..at + '\u{fffd}'.len_utf8());
    let diagnostic = Diagnostic::error(
        Code::NotUtf8,
        format!(
            "this file is not UTF-8 text (invalid byte at line {}, column {})",
            location.line, location.column
        ),
    )
    .in_file(display)
    .at_location(location)
    .with_hint("save the file as UTF-8 in your editor; tessera does not guess other encodings");
    (lossy, diagnostic)
}

/// Parses one content file's text exactly as `tessera check` does (its path under
/// `content/` decides its kind), without reading anything or resolving references to
/// other files. Public for the fuzz target (`fuzz/`) and for tools; it never panics.
pub fn parse_one(relative_path: &Path, text: &str) -> Result<(), Vec<Diagnostic>> {
    let text: Arc<str> = Arc::from(text);
    let display = Path::new(CONTENT_DIR).join(relative_path);
    parse(&text, relative_path, &display).map(|_| ())
}

fn parse(text: &Arc<str>, relative: &Path, display: &Path) -> Result<Parsed, Vec<Diagnostic>> {
    let kind = Kind::of(relative);
    let slug = slug_of(relative);
    let problems = check_path(relative, display);
    if !problems.is_empty() {
        // A file name has no line of its own: point at the start of the file.
        return Err(problems.into_iter().map(|d| d.at(text, 0..0)).collect());
    }
    let split = frontmatter::split(text).map_err(|u| {
        vec![
            Diagnostic::error(
                Code::UnclosedFrontMatter,
                "front matter opened with `---` is never closed",
            )
            .in_file(display)
            .at(text, u.opening_fence)
            .with_hint("add a line with `---` after the last front-matter field"),
        ]
    })?;
    let yaml = match split.front_matter {
        Some(yaml) => yaml,
        None if kind.requires_front_matter() => {
            let what = if text.trim().is_empty() {
                "this file is empty"
            } else {
                "this file has no front matter"
            };
            return Err(vec![
                Diagnostic::error(
                    Code::MissingFrontMatter,
                    format!(
                        "{what}; a {} needs front matter with at least a `title`",
                        kind_name(kind)
                    ),
                )
                .in_file(display)
                .at(text, 0..0)
                .with_hint(
                    "start the file with a `---` line, the YAML fields, and another `---` line",
                ),
            ]);
        }
        None => "",
    };
    let build = |meta_offset: usize| {
        (
            slug.clone(),
            relative.to_path_buf(),
            display.to_path_buf(),
            text.clone(),
            split.body_offset,
            meta_offset,
        )
    };
    let parts = build(split.front_matter_offset);
    let fail = |e: serde_saphyr::Error| {
        vec![yaml_diagnostic(
            &e,
            text,
            split.front_matter_offset,
            display,
            &split,
        )]
    };
    Ok(match kind {
        Kind::CaseStudy => {
            Parsed::CaseStudy(Arc::new(document(parts, parse_yaml(yaml).map_err(fail)?)))
        }
        Kind::Theme => Parsed::Theme(Arc::new(document(parts, parse_yaml(yaml).map_err(fail)?))),
        Kind::Claim => Parsed::Claim(Arc::new(document(parts, parse_yaml(yaml).map_err(fail)?))),
        Kind::Home => Parsed::Home(Arc::new(document(parts, parse_page(yaml).map_err(fail)?))),
        Kind::Page => Parsed::Page(Arc::new(document(parts, parse_page(yaml).map_err(fail)?))),
    })
}

type Parts = (String, PathBuf, PathBuf, Arc<str>, usize, usize);

fn document<M>(
    (slug, content_path, path, source, body_offset, front_matter_offset): Parts,
    meta: M,
) -> Document<M> {
    Document {
        slug,
        path,
        content_path,
        source,
        meta,
        body_offset,
        front_matter_offset,
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::CaseStudy => "case study",
        Kind::Theme => "theme",
        Kind::Claim => "claim",
        Kind::Home => "home page",
        Kind::Page => "page",
    }
}

/// Rejects paths that cannot become a safe URL.
fn check_path(relative: &Path, display: &Path) -> Vec<Diagnostic> {
    let climbs = relative.components().any(|c| {
        matches!(
            c,
            Component::ParentDir | Component::RootDir | Component::Prefix(_)
        )
    });
    let stem_slug = slug_of(relative);
    let mut problems = Vec::new();
    if climbs {
        problems.push(
            Diagnostic::error(Code::BadPath, "this path climbs out of `content/`").in_file(display),
        );
    }
    if stem_slug.is_empty() {
        problems.push(
            Diagnostic::error(Code::BadSlug, "this file name gives an empty URL slug")
                .in_file(display)
                .with_hint("rename the file with letters or digits, e.g. `my-case-study.md`"),
        );
    }
    problems
}

/// The URL slug of a content file: its file stem, lower-cased, with anything that is not a
/// letter or digit turned into single hyphens (non-Latin letters are transliterated).
pub fn slug_of(relative: &Path) -> String {
    let stem = relative
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    slug::slugify(stem)
}

/// Locates the first occurrence of `needle` inside a document's front matter, for values
/// that carry no span of their own (such as entries in `extra`).
pub fn find_in_front_matter<M>(doc: &Document<M>, needle: &str) -> Location {
    let fm = &doc.source[doc.front_matter_offset..doc.body_offset];
    match fm.find(needle) {
        Some(i) => locate(
            &doc.source,
            doc.front_matter_offset + i..doc.front_matter_offset + i + needle.len(),
        ),
        None => doc.head(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(path: &str, text: &str) -> Result<Parsed, Vec<Diagnostic>> {
        let text: Arc<str> = Arc::from(text);
        parse(&text, Path::new(path), &Path::new("content").join(path))
    }

    #[test]
    fn kinds_come_from_folders() {
        assert_eq!(Kind::of(Path::new("case-studies/a.md")), Kind::CaseStudy);
        assert_eq!(Kind::of(Path::new("themes/a.md")), Kind::Theme);
        assert_eq!(Kind::of(Path::new("_index.md")), Kind::Home);
        assert_eq!(Kind::of(Path::new("about.md")), Kind::Page);
        assert_eq!(Kind::of(Path::new("themes.md")), Kind::Page);
    }

    #[test]
    fn unknown_field_points_at_its_line() {
        let Err(err) = parse_str(
            "case-studies/a.md",
            "---\ntitle: A\nsummary: B\nstage: scale\nthemse: [x]\n---\n",
        ) else {
            panic!("expected an error");
        };
        assert_eq!(err[0].code, Code::UnknownField);
        assert_eq!(
            err[0].location.as_ref().map(|l| (l.line, l.column)),
            Some((5, 1))
        );
        assert_eq!(err[0].hint.as_deref(), Some("did you mean `themes`?"));
    }

    #[test]
    fn missing_field_points_at_the_opening_fence() {
        let Err(err) = parse_one(Path::new("themes/a.md"), "---\nsummary: x\n---\n") else {
            panic!("expected an error");
        };
        assert_eq!(err[0].code, Code::MissingField);
        assert_eq!(
            err[0].location.as_ref().map(|l| (l.line, l.column)),
            Some((1, 1))
        );
    }

    #[test]
    fn hostile_yaml_is_too_complex_not_slow() {
        let deep = format!(
            "---\ntitle: x\nextra:\n  x: {}{}\n---\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let mut bomb = String::from(
            "---\ntitle: x\nextra:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol]\n",
        );
        for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
        {
            bomb.push_str(&format!("  {name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        bomb.push_str("---\n");
        for text in [deep, bomb] {
            let started = std::time::Instant::now();
            let Err(err) = parse_one(Path::new("themes/a.md"), &text) else {
                panic!("expected an error");
            };
            assert_eq!(err[0].code, Code::YamlTooComplex, "{:?}", err[0]);
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        }
    }

    #[test]
    fn crlf_keeps_line_numbers() {
        let Err(err) = parse_str(
            "case-studies/a.md",
            "---\r\ntitle: A\r\nsummary: B\r\nstage: scale\r\nbad: 1\r\n---\r\n",
        ) else {
            panic!("expected an error");
        };
        assert_eq!(err[0].location.as_ref().map(|l| l.line), Some(5));
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(
            slug_of(Path::new("case-studies/My Case Study.md")),
            "my-case-study"
        );
        assert_eq!(slug_of(Path::new("case-studies/Café.md")), "cafe");
    }
}
