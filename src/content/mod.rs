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

use crate::diagnostics::{Diagnostic, Diagnostics, Location, Locator, did_you_mean_hint, locate};
use schema::{CaseStudyMeta, ClaimMeta, PageMeta, ThemeMeta};

/// The content folder's name under the review root.
pub const CONTENT_DIR: &str = "content";

/// What a content file is, decided by where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    CaseStudy,
    Theme,
    Claim,
    Home,
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
    pub meta: M,
    /// Byte offset of the Markdown body in `source`.
    pub body_offset: usize,
    /// Byte offset where the YAML starts (for mapping YAML locations).
    pub front_matter_offset: usize,
}

impl<M> Document<M> {
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
    pub absolute: PathBuf,
}

/// Everything under `content/`, parsed.
#[derive(Debug, Default)]
pub struct Content {
    pub case_studies: Vec<Document<CaseStudyMeta>>,
    pub themes: Vec<Document<ThemeMeta>>,
    pub claims: Vec<Document<ClaimMeta>>,
    pub home: Option<Document<PageMeta>>,
    pub pages: Vec<Document<PageMeta>>,
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
    CaseStudy(Box<Document<CaseStudyMeta>>),
    Theme(Document<ThemeMeta>),
    Claim(Document<ClaimMeta>),
    Home(Document<PageMeta>),
    Page(Document<PageMeta>),
}

/// Reads every content file under `root/content`, reporting problems into `diagnostics`.
pub fn load(root: &Path, diagnostics: &mut Diagnostics) -> Content {
    load_files(root, diagnostics, None)
}

/// The files of the previous load, each with the text it was parsed from, so that a file
/// whose text has not changed is not parsed again (for `serve`).
#[derive(Default)]
pub struct ParseCache {
    files: HashMap<PathBuf, CachedFile>,
}

struct CachedFile {
    text: Arc<str>,
    parsed: Result<Parsed, Vec<Diagnostic>>,
}

impl CachedFile {
    fn reuse(&self) -> Read {
        Read {
            text: Some(self.text.clone()),
            exact: true,
            cached: true,
            parsed: self.parsed.clone(),
        }
    }
}

impl ParseCache {
    /// Records this load: files parsed anew are added or replace their entry, and files
    /// that are gone (or could not be read as text) are forgotten.
    fn update(&mut self, files: &[(PathBuf, PathBuf)], reads: &[Read]) {
        let current: HashSet<&Path> = files
            .iter()
            .zip(reads)
            .filter(|(_, read)| read.exact)
            .map(|((_, relative), _)| relative.as_path())
            .collect();
        self.files
            .retain(|path, _| current.contains(path.as_path()));
        for ((_, relative), read) in files.iter().zip(reads) {
            let Some(text) = read.text.as_ref().filter(|_| read.exact && !read.cached) else {
                continue;
            };
            let file = CachedFile {
                text: text.clone(),
                parsed: read.parsed.clone(),
            };
            self.files.insert(relative.clone(), file);
        }
    }
}

/// [`load`], parsing only the files whose text differs from the last load through `cache`,
/// so what comes out is exactly what [`load`] would give. Files are read and compared
/// whole, except where `maybe_changed` is given: it names (as `content/…` paths) every file
/// that may have changed since the last load, and the others are taken from the cache
/// without being read (unless the folder holds links, whose targets change unnamed). The
/// folder is walked either way, so new and deleted files are seen.
pub fn load_cached(
    root: &Path,
    diagnostics: &mut Diagnostics,
    cache: &mut ParseCache,
    maybe_changed: Option<&HashSet<PathBuf>>,
) -> Content {
    load_files(root, diagnostics, Some((cache, maybe_changed)))
}

fn load_files(
    root: &Path,
    diagnostics: &mut Diagnostics,
    mut cache: Option<(&mut ParseCache, Option<&HashSet<PathBuf>>)>,
) -> Content {
    let content_dir = root.join(CONTENT_DIR);
    let mut content = Content::default();
    let Found {
        files,
        through_links,
    } = discover(&content_dir, &mut content, diagnostics);
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
            Ok(Parsed::CaseStudy(d)) => content.case_studies.push(*d),
            Ok(Parsed::Theme(d)) => content.themes.push(d),
            Ok(Parsed::Claim(d)) => content.claims.push(d),
            Ok(Parsed::Home(d)) => content.home = Some(d),
            Ok(Parsed::Page(d)) => content.pages.push(d),
            Err(problems) => diagnostics.extend(problems),
        }
    }
    content
}

/// Markdown files found under `content/`: (absolute, relative to `content/`) paths, and
/// whether a link was followed to reach any file or folder.
struct Found {
    files: Vec<(PathBuf, PathBuf)>,
    through_links: bool,
}

/// Lists Markdown files and records assets and the bibliography. Links are followed only
/// while they stay inside `content/`.
fn discover(content_dir: &Path, content: &mut Content, diagnostics: &mut Diagnostics) -> Found {
    let Ok(canonical_root) = content_dir.canonicalize() else {
        diagnostics.push(
            Diagnostic::error(
                "content-missing",
                format!(
                    "no `{CONTENT_DIR}/` folder in {}",
                    content_dir.parent().unwrap_or(content_dir).display()
                ),
            )
            .with_hint(
                "a review keeps its Markdown files in `content/`; `tessera init DIR` creates one",
            ),
        );
        return Found {
            files: Vec::new(),
            through_links: false,
        };
    };
    let mut files = Vec::new();
    let mut through_links = false;
    let walker = walkdir::WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                diagnostics.push(walk_diagnostic(content_dir, &err));
                continue;
            }
        };
        through_links |= entry.path_is_symlink();
        if !entry.file_type().is_file() {
            continue;
        }
        let absolute = entry.path().to_path_buf();
        let Ok(relative) = absolute.strip_prefix(content_dir).map(Path::to_path_buf) else {
            continue;
        };
        if entry.path_is_symlink() && !stays_inside(&absolute, &canonical_root) {
            diagnostics.push(
                Diagnostic::error(
                    "symlink-outside",
                    format!(
                        "`{}` is a link to a file outside `content/`; it was not read",
                        relative.display()
                    ),
                )
                .in_file(Path::new(CONTENT_DIR).join(&relative))
                .with_hint("copy the file into the review instead of linking to it"),
            );
            continue;
        }
        classify(absolute, relative, content, &mut files);
    }
    Found {
        files,
        through_links,
    }
}

fn classify(
    absolute: PathBuf,
    relative: PathBuf,
    content: &mut Content,
    files: &mut Vec<(PathBuf, PathBuf)>,
) {
    let is_markdown = relative.extension().is_some_and(|e| e == "md");
    let is_bibliography = relative.parent() == Some(Path::new(""))
        && matches!(
            relative.file_name().and_then(|n| n.to_str()),
            Some("references.yaml" | "references.yml" | "references.bib")
        );
    if is_markdown {
        files.push((absolute, relative));
    } else if is_bibliography {
        content.bibliography = Some(absolute);
    } else {
        content.assets.push(Asset {
            content_path: relative,
            absolute,
        });
    }
}

fn stays_inside(path: &Path, canonical_root: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|real| real.starts_with(canonical_root))
}

/// Hidden files and editors' temporary files are not content.
pub fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.starts_with("#")
}

fn walk_diagnostic(content_dir: &Path, err: &walkdir::Error) -> Diagnostic {
    let path = err
        .path()
        .and_then(|p| {
            p.strip_prefix(content_dir.parent().unwrap_or(content_dir))
                .ok()
        })
        .map(Path::to_path_buf);
    let (code, message, hint) = if err.loop_ancestor().is_some() {
        (
            "symlink-loop",
            "this link makes a loop; it was not followed".to_string(),
            "remove the link or point it at a real folder",
        )
    } else {
        (
            "unreadable",
            format!("cannot read: {err}"),
            "check the file's permissions",
        )
    };
    let mut d = Diagnostic::error(code, message).with_hint(hint);
    d.file = path;
    d
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
            let d = Diagnostic::error("unreadable", format!("cannot read this file: {err}"))
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
        "not-utf8",
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
                "unclosed-front-matter",
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
                    "missing-front-matter",
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
            Parsed::CaseStudy(Box::new(document(parts, parse_yaml(yaml).map_err(fail)?)))
        }
        Kind::Theme => Parsed::Theme(document(parts, parse_yaml(yaml).map_err(fail)?)),
        Kind::Claim => Parsed::Claim(document(parts, parse_yaml(yaml).map_err(fail)?)),
        Kind::Home => Parsed::Home(document(parts, parse_page(yaml).map_err(fail)?)),
        Kind::Page => Parsed::Page(document(parts, parse_page(yaml).map_err(fail)?)),
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

/// How deeply front matter may nest (see [`yaml_options`]).
const YAML_MAX_DEPTH: usize = 32;
/// How much text front matter may hold, in MiB (see [`yaml_options`]).
const YAML_MAX_TEXT_MIB: usize = 4;

/// Limits for reading front matter, so hostile YAML (alias bombs, deep nesting, huge blocks)
/// fails fast with `yaml-too-complex` instead of using unbounded time, memory or stack.
///
/// Real front matter is a few dozen fields, at most a few levels deep (a case study's
/// `findings` list of mappings, maybe a nested `extra`), with no anchors or aliases. Each
/// limit below is set one to two orders of magnitude above that, and well below
/// serde-saphyr's defaults, which are tuned for arbitrary configuration files:
///
/// | limit | value | default | why |
/// | --- | --- | --- | --- |
/// | `max_depth` (`YAML_MAX_DEPTH`) | 32 | 64 | findings sit at depth 3; `extra` rarely goes past 5 |
/// | `flow_nesting_limit` | 32 | 255 | same, for `[...]` / `{...}` |
/// | `max_events` | 200,000 | 1,000,000 | a 500-finding case study is ~5,000 events |
/// | `max_nodes` | 100,000 | 250,000 | as above |
/// | `max_total_scalar_bytes` (`YAML_MAX_TEXT_MIB`) | 4 MiB | 64 MiB | notes are sentences, not chapters |
/// | `max_aliases` / `max_anchors` | 1,000 | 50,000 | authors rarely use them at all |
/// | `max_recorded_anchor_events` | 100,000 | 1,000,000 | bounds the memory anchors hold |
/// | `max_recorded_anchor_bytes` | 4 MiB | 64 MiB | as above |
/// | `max_documents` | 1 | 1,024 | front matter is one document |
/// | `max_merge_keys` | 100 | 10,000 | `<<` is allowed but rare |
/// | alias `max_total_replayed_events` | 100,000 | 1,000,000 | caps a "billion laughs" |
/// | alias `max_replay_stack_depth` | 16 | 64 | aliases of aliases of aliases ... |
///
/// serde-saphyr also stops nesting in `serde_json::Value` (the `extra` map) at `max_depth`,
/// which keeps the recursion of its visitor (and of serde_json's `Drop`) off the stack limit.
fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: YAML_MAX_DEPTH,
            flow_nesting_limit: YAML_MAX_DEPTH,
            max_events: 200_000,
            max_nodes: 100_000,
            max_total_scalar_bytes: YAML_MAX_TEXT_MIB * 1024 * 1024,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_recorded_anchor_events: 100_000,
            max_recorded_anchor_bytes: 4 * 1024 * 1024,
            max_documents: 1,
            max_merge_keys: 100,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_replay_stack_depth: 16,
        },
    }
}

fn parse_yaml<M: DeserializeOwned>(yaml: &str) -> Result<M, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(yaml, yaml_options())
}

/// Plain pages may have an empty front matter block.
fn parse_page(yaml: &str) -> Result<PageMeta, serde_saphyr::Error> {
    if yaml.trim().is_empty() {
        Ok(PageMeta::default())
    } else {
        parse_yaml(yaml)
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
            Diagnostic::error("bad-path", "this path climbs out of `content/`").in_file(display),
        );
    }
    if stem_slug.is_empty() {
        problems.push(
            Diagnostic::error("bad-slug", "this file name gives an empty URL slug")
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

/// Maps a location inside the YAML block to a location in the whole file.
fn yaml_location(
    locator: &mut Locator,
    source: &str,
    yaml_offset: usize,
    l: &serde_saphyr::Location,
) -> Location {
    let span = l.span();
    if let (Some(offset), Some(len)) = (span.byte_offset(), span.byte_len()) {
        let start = yaml_offset + usize::try_from(offset).unwrap_or(0);
        let end = start + usize::try_from(len).unwrap_or(0);
        if end <= source.len() {
            return locator.locate(start..end);
        }
    }
    let start = offset_of_line_column(source, yaml_offset, l.line(), l.column());
    locator.locate(start..start)
}

/// Byte offset of a 1-based line and column counted from `base`.
fn offset_of_line_column(source: &str, base: usize, line: u64, column: u64) -> usize {
    let mut offset = base.min(source.len());
    for _ in 1..line {
        match source[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => return source.len(),
        }
    }
    let line_text = source[offset..].split('\n').next().unwrap_or("");
    let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
    offset
        + line_text
            .char_indices()
            .nth(skip)
            .map_or(line_text.len(), |(i, _)| i)
}

/// Turns a YAML or schema error into a diagnostic at the right line of the file.
fn yaml_diagnostic(
    err: &serde_saphyr::Error,
    source: &str,
    yaml_offset: usize,
    display: &Path,
    split: &frontmatter::Split,
) -> Diagnostic {
    let inner = err.without_snippet();
    let (code, message, hint) = describe_yaml_error(inner);
    let location = match inner.location() {
        // serde reports a missing field where the mapping ends, which is usually the last
        // field's line; the front matter's opening fence is the honest place for "absent".
        _ if matches!(inner, serde_saphyr::Error::SerdeMissingField { .. }) => {
            locate(source, split.opening_fence.clone())
        }
        Some(l) if l.line() > 0 => {
            yaml_location(&mut Locator::new(source), source, yaml_offset, &l)
        }
        _ => locate(source, split.opening_fence.clone()),
    };
    Diagnostic::error(code, message)
        .in_file(display)
        .at_location(location)
        .with_hint_opt(hint)
}

fn describe_yaml_error(err: &serde_saphyr::Error) -> (&'static str, String, Option<String>) {
    use serde_saphyr::Error as E;
    // An error met while replaying an alias comes wrapped with the alias's locations; what
    // went wrong is the wrapped error. (The outer error still gives the location.)
    let mut err = err;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = err {
        err = error;
    }
    let raw = err.to_string();
    let message = raw
        .split(" at line ")
        .next()
        .unwrap_or(&raw)
        .trim()
        .to_string();
    let shape_hint = || {
        Some("check the value's shape: lists are written `[a, b]` or as `- item` lines".to_string())
    };
    match err {
        E::SerdeUnknownField {
            field, expected, ..
        } => (
            "unknown-field",
            format!("unknown field `{field}`"),
            Some(
                did_you_mean_hint(field, expected.iter().copied()).unwrap_or_else(|| {
                    format!(
                        "known fields here: {}; put free fields under `extra:`",
                        expected.join(", ")
                    )
                }),
            ),
        ),
        E::SerdeMissingField { field, .. } => (
            "missing-field",
            format!("missing required field `{field}` in the front matter"),
            Some(format!("add `{field}: ...` to the front matter")),
        ),
        // The only enum in the schema is a finding's `stance`.
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            "unknown-value",
            format!("unknown value `{variant}`"),
            Some(
                did_you_mean_hint(variant, expected.iter().copied())
                    .unwrap_or_else(|| format!("expected one of: {}", expected.join(", "))),
            ),
        ),
        E::Budget { breach, .. } => too_complex(&breach_in_words(breach)),
        // The parser's own nesting limit (set from `flow_nesting_limit` and `max_depth`);
        // its error kind belongs to a crate we do not depend on, so match its text.
        E::ExternalMessage { msg, .. } if msg.contains("recursion limit exceeded") => too_complex(
            &format!("it is nested more than {YAML_MAX_DEPTH} levels deep"),
        ),
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => {
            too_complex("its aliases expand to too much data")
        }
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | E::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (
            "wrong-type",
            format!("wrong type: expected {expected}, found {unexpected}"),
            shape_hint(),
        ),
        E::Unexpected { expected, .. } => (
            "wrong-type",
            format!("wrong type: expected {}", plain_shape(expected)),
            shape_hint(),
        ),
        E::InvalidScalar { ty, .. } => (
            "wrong-type",
            format!("wrong type: expected {}", plain_scalar(ty)),
            Some("numbers are written without quotes or words, e.g. `edition: 2026`".to_string()),
        ),
        E::DuplicateMappingKey { key, .. } => (
            "duplicate-key",
            match key {
                Some(key) => format!("`{key}` is given twice"),
                None => "a key is given twice".to_string(),
            },
            Some("keep one of them; YAML does not allow repeated keys".to_string()),
        ),
        E::NullIntoString { .. } => (
            "wrong-type",
            "wrong type: expected text, found an empty value".to_string(),
            Some(
                "write the text after the colon, or remove the field if it is optional".to_string(),
            ),
        ),
        _ => ("yaml-syntax", format!("YAML syntax error: {message}"), None),
    }
}

fn too_complex(why: &str) -> (&'static str, String, Option<String>) {
    (
        "yaml-too-complex",
        format!("front matter is too large or too complex to read safely: {why}"),
        Some("front matter should be a few plain fields; remove the deep nesting or repeated aliases".to_string()),
    )
}

/// Which of [`yaml_options`]'s limits was hit, in authors' words.
fn breach_in_words(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    let words = match breach {
        B::Depth { .. } => return format!("it is nested more than {YAML_MAX_DEPTH} levels deep"),
        B::ScalarBytes { .. } => return format!("its text is over {YAML_MAX_TEXT_MIB} MiB"),
        B::Aliases { .. }
        | B::Anchors { .. }
        | B::AliasAnchorRatio { .. }
        | B::RecordedAnchorEvents { .. }
        | B::RecordedAnchorBytes { .. }
        | B::MergeKeys { .. } => "its aliases expand to too much data",
        B::Events { .. } | B::Nodes { .. } => "it holds too many values",
        B::Documents { .. } => "it holds more than one YAML document",
        _ => "it exceeds a size limit",
    };
    words.to_string()
}

/// serde-saphyr's name for a Rust scalar type, in authors' words.
fn plain_scalar(ty: &str) -> String {
    match ty {
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" | "isize"
        | "usize" => "a whole number".to_string(),
        "f32" | "f64" => "a number".to_string(),
        "bool" => "`true` or `false`".to_string(),
        other => other.to_string(),
    }
}

/// serde-saphyr's parser-level names for what it expected, in authors' words.
fn plain_shape(expected: &str) -> String {
    match expected {
        "sequence start" => "a list (`[a, b]` or `- item` lines)".to_string(),
        "string scalar" | "scalar" => "a single value, not a list or mapping".to_string(),
        "mapping start" => "a mapping (`key: value` lines)".to_string(),
        other => other.to_string(),
    }
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
        assert_eq!(err[0].code, "unknown-field");
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
        assert_eq!(err[0].code, "missing-field");
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
            assert_eq!(err[0].code, "yaml-too-complex", "{:?}", err[0]);
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
