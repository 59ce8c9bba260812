//! Diagnostics: every problem the build finds in a review, with its place and a hint.
//!
//! Each stage of the pipeline pushes [`Diagnostic`]s into a [`Diagnostics`] collector instead
//! of stopping at the first problem, so a single run reports everything (the rustc habit).
//! This module owns the shape of a diagnostic, mapping byte offsets to line and column, the
//! "did you mean" suggestions, and rendering for people (snippets with a caret) and for
//! machines (JSON lines). It never decides *what* is wrong; the stages do.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use rayon::prelude::*;
use serde::Serialize;

mod code;

pub use code::Code;

/// How bad a diagnostic is: errors stop the build, warnings only inform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A problem that stops the build.
    Error,
    /// A problem worth knowing that does not stop the build.
    Warning,
}

/// A place in a file: 1-based line and column (in characters), and the byte range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    #[serde(skip)]
    /// The byte range in the file's text.
    pub span: Range<usize>,
}

/// One problem found in a review.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable, documented code (see README, "Diagnostic codes"), e.g. `unknown-theme`.
    pub code: Code,
    /// The file, relative to the review root where possible; `None` for whole-review problems.
    pub file: Option<PathBuf>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    /// Where in the file, when known.
    pub location: Option<Location>,
    /// What is wrong.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// How to fix it, when tessera can tell.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error with this code and message, not yet placed in a file.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            file: None,
            location: None,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning with this code and message, not yet placed in a file.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    /// Names the file the diagnostic is about.
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Points the diagnostic at a byte range of `source`, the full text of its file.
    pub fn at(mut self, source: &str, span: Range<usize>) -> Self {
        self.location = Some(locate(source, span));
        self
    }

    /// Points the diagnostic at a place already located.
    pub fn at_location(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Adds a hint: how to fix it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint if there is one; otherwise keeps any hint already given.
    pub fn with_hint_opt(mut self, hint: Option<String>) -> Self {
        self.hint = hint.or(self.hint);
        self
    }

    /// Whether this is an error rather than a warning.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (Option<&Path>, usize, usize, Severity) {
        let (line, column) = self
            .location
            .as_ref()
            .map_or((0, 0), |l| (l.line, l.column));
        (self.file.as_deref(), line, column, self.severity)
    }
}

/// Maps a byte range of `source` to a 1-based line and character column.
///
/// This scans `source` up to the range. To locate many places in one file (every link of a
/// long page), use a [`Locator`], which does not scan the same text twice.
pub fn locate(source: &str, span: Range<usize>) -> Location {
    Locator::new(source).locate(span)
}

/// Locates many byte ranges of one text. Ranges given in increasing order cost one pass
/// over the text in all; a range before the previous one starts the count again.
pub struct Locator<'a> {
    source: &'a str,
    /// How far lines have been counted, and what was found there.
    counted_to: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Locator<'a> {
    /// A locator over `source`, the full text of one file.
    pub fn new(source: &'a str) -> Self {
        Locator {
            source,
            counted_to: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// Maps a byte range of the text to a 1-based line and character column.
    pub fn locate(&mut self, span: Range<usize>) -> Location {
        let source = self.source;
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let end = floor_char_boundary(source, span.end.clamp(start, source.len()));
        if start < self.counted_to {
            *self = Locator::new(source);
        }
        let newly = &source[self.counted_to..start];
        self.line += newly.bytes().filter(|&b| b == b'\n').count();
        if let Some(i) = newly.rfind('\n') {
            self.line_start = self.counted_to + i + 1;
        }
        self.counted_to = start;
        let mut line_before = &source[self.line_start..start];
        if self.line_start == 0 {
            // Editors do not show a byte-order mark, so it is not a column either.
            line_before = line_before.strip_prefix('\u{feff}').unwrap_or(line_before);
        }
        Location {
            line: self.line,
            column: line_before.chars().count() + 1,
            span: start..end,
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The end of the line holding byte `offset` (before its `\n`), as [`excerpt`] finds it.
fn line_end(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    text[offset..].find('\n').map_or(text.len(), |i| offset + i)
}

/// Suggests the candidate closest to `wanted`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let wanted_lower = wanted.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&wanted_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(distance, c)| *distance <= (c.chars().count().max(3) / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c.to_string())
}

/// A hint in the standard form, from an optional suggestion.
pub fn did_you_mean_hint<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    did_you_mean(wanted, candidates).map(|s| format!("did you mean `{s}`?"))
}

/// How many warnings of one code `build` and `serve` print in full; the rest of that code
/// are counted in one line (`tessera check` prints every one).
pub const SHOWN_PER_CODE: usize = 3;

/// Collects diagnostics from every stage, with the text of the files they point into.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    sources: HashMap<PathBuf, Arc<str>>,
}

impl Diagnostics {
    /// No diagnostics yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds many diagnostics.
    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    /// Puts `other`'s diagnostics before the one at `index` (at the end if there are fewer),
    /// and adds its sources.
    pub(crate) fn insert_at(&mut self, index: usize, other: Diagnostics) {
        let index = index.min(self.items.len());
        self.items.splice(index..index, other.items);
        self.sources.extend(other.sources);
    }

    /// Remembers a file's text so its diagnostics can show a snippet.
    pub fn add_source(&mut self, file: impl Into<PathBuf>, text: Arc<str>) {
        self.sources.insert(file.into(), text);
    }

    /// The text of a file whose source was added, if any.
    pub fn source(&self, file: &Path) -> Option<Arc<str>> {
        self.sources.get(file).cloned()
    }

    /// Forgets what no diagnostic needs of the texts of files under `folder` (the content
    /// folder), to free memory once the content is checked: the text of a file no
    /// diagnostic points into, and the rest of a file's text after the line where the last
    /// of its diagnostics ends, since a snippet reads no further (see [`excerpt`]). The kept
    /// part is a copy, so the whole text is freed with the document it came from: at 10,000
    /// case studies with a warning in a third of them, holding those texts whole through
    /// rendering raised the build's peak memory by about 80 MB. Other sources (site.toml,
    /// templates) stay, since rendering can still report into templates.
    pub fn keep_referenced_sources(&mut self, folder: &Path) {
        let mut needed: HashMap<&Path, usize> = HashMap::new();
        for d in &self.items {
            if let Some(file) = d.file.as_deref() {
                let end = d.location.as_ref().map_or(0, |l| l.span.end);
                let furthest = needed.entry(file).or_default();
                *furthest = (*furthest).max(end);
            }
        }
        self.sources.retain(|path, text| {
            if !path.starts_with(folder) {
                return true;
            }
            let Some(&end) = needed.get(path.as_path()) else {
                return false;
            };
            let cut = line_end(text, end);
            if cut < text.len() {
                *text = Arc::from(&text[..cut]);
            }
            true
        });
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many diagnostics, errors and warnings together.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The diagnostics pushed since there were `start` of them, in the order pushed.
    pub fn since(&self, start: usize) -> &[Diagnostic] {
        self.items.get(start..).unwrap_or_default()
    }

    /// The diagnostics sorted by file, line and column.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        items
    }

    /// The diagnostics in the order pushed.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Renders every diagnostic for a terminal, with snippets, and a closing count.
    pub fn render_human(&self, color: bool) -> String {
        self.render(color, usize::MAX)
    }

    /// Renders for a terminal like [`Diagnostics::render_human`], but prints only the first
    /// `shown` warnings of each code in full (in file order); the rest of a code are counted
    /// in one line per code, saying that `tessera check` lists them all. Errors are always
    /// printed in full: each one stops the build.
    pub fn render_human_brief(&self, color: bool, shown: usize) -> String {
        self.render(color, shown)
    }

    fn render(&self, color: bool, shown: usize) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let mut per_code: BTreeMap<&str, usize> = BTreeMap::new();
        let printed: Vec<&Diagnostic> = self
            .sorted()
            .into_iter()
            .filter(|d| {
                if d.is_error() {
                    return true;
                }
                let seen = per_code.entry(d.code.as_str()).or_default();
                *seen += 1;
                *seen <= shown
            })
            .collect();
        // Each snippet is rendered on its own, so `check` with tens of thousands of
        // warnings renders them on every core.
        let rendered: Vec<String> = printed
            .par_iter()
            .map(|d| self.render_one(d, &renderer))
            .collect();
        let mut out = String::with_capacity(rendered.iter().map(|r| r.len() + 2).sum());
        for text in rendered {
            out.push_str(&text);
            out.push_str("\n\n");
        }
        let mut summed_up = false;
        for (code, total) in per_code.into_iter().filter(|&(_, total)| total > shown) {
            let hidden = total - shown;
            let _ = writeln!(
                out,
                "warning[{code}]: {hidden} more like this not shown ({total} in all); \
                 `tessera check` lists every one"
            );
            summed_up = true;
        }
        if summed_up {
            out.push('\n');
        }
        let _ = write!(out, "{}", self.summary());
        out
    }

    /// One line: how many errors and warnings.
    pub fn summary(&self) -> String {
        let (errors, warnings) = (self.error_count(), self.warning_count());
        format!(
            "{errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        )
    }

    fn render_one(&self, d: &Diagnostic, renderer: &Renderer) -> String {
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let path = d.file.as_ref().map(|p| p.display().to_string());
        let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
        let snippet = match (&path, &d.location) {
            (Some(path), Some(location)) => self
                .sources
                .get(d.file.as_deref().unwrap_or(Path::new("")))
                // A diagnostic made after the text was cut (see `keep_referenced_sources`)
                // may point past what was kept: it gets its place without a snippet.
                .filter(|text| location.span.end <= text.len())
                .map(|text| excerpt(text, location, path)),
            _ => None,
        };
        let mut group: Group = match snippet {
            Some(s) => title.element(s),
            None => match (&path, &d.location) {
                (Some(path), Some(l)) => title.element(
                    annotate_snippets::Origin::path(path.as_str())
                        .line(l.line)
                        // annotate-snippets prints this column as given: it is 1-based too.
                        .char_column(l.column),
                ),
                (Some(path), None) => title.element(annotate_snippets::Origin::path(path.as_str())),
                _ => Group::with_title(title),
            },
        };
        if let Some(hint) = &d.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        renderer.render(&[group]).to_string()
    }
}

/// A snippet of at most three lines around the location, so huge files stay cheap to report.
fn excerpt<'a>(
    text: &'a str,
    location: &Location,
    path: &'a str,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    // Clamp, so that a location made from another version of the text cannot panic here.
    let end = floor_char_boundary(text, location.span.end.min(text.len()));
    let mut span = floor_char_boundary(text, location.span.start.min(end))..end;
    let mut first_line_start = line_start_before(text, span.start, 1);
    if first_line_start == 0 && text.starts_with('\u{feff}') {
        // Leave a byte-order mark out of the snippet: the renderer would count it as a column.
        first_line_start = '\u{feff}'.len_utf8();
        span = span.start.max(first_line_start)..span.end.max(first_line_start);
    }
    let last_line_end = line_end(text, span.end);
    let window = &text[first_line_start..last_line_end];
    let local = (span.start - first_line_start)
        ..(span.end - first_line_start).max(span.start - first_line_start);
    let first_line_number =
        location.line - text[first_line_start..span.start].matches('\n').count();
    Snippet::source(window)
        .line_start(first_line_number)
        .path(path)
        .annotation(AnnotationKind::Primary.span(local))
}

/// Start of the line `extra` lines before the one holding `offset`.
fn line_start_before(text: &str, offset: usize, extra: usize) -> usize {
    let mut start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    for _ in 0..extra {
        if start == 0 {
            break;
        }
        start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
    }
    start
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One line of `--format json`. Every key is always present (`null` when unknown), in a
/// fixed order, so CI scripts can read the lines without guarding each key.
#[derive(Serialize)]
struct JsonLine<'a> {
    /// Lossy, because serde refuses a path that is not UTF-8 and the line would be lost.
    file: Option<std::borrow::Cow<'a, str>>,
    line: Option<usize>,
    column: Option<usize>,
    severity: Severity,
    code: &'a str,
    message: &'a str,
    hint: Option<&'a str>,
}

/// Renders diagnostics as JSON, one object per line, for CI annotations.
pub fn render_json(diagnostics: &Diagnostics) -> String {
    let mut out = String::new();
    for d in diagnostics.sorted() {
        let line = JsonLine {
            file: d.file.as_deref().map(Path::to_string_lossy),
            line: d.location.as_ref().map(|l| l.line),
            column: d.location.as_ref().map(|l| l.column),
            severity: d.severity,
            code: d.code.as_str(),
            message: &d.message,
            hint: d.hint.as_deref(),
        };
        if let Ok(line) = serde_json::to_string(&line) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_characters() {
        let text = "a: 1\nbé: 2\n";
        let l = locate(text, 9..10);
        assert_eq!((l.line, l.column), (2, 4));
    }

    #[test]
    fn locator_agrees_with_locate_in_any_order() {
        let text = "\u{feff}a: 1\nbé: 2\r\n\nlast line";
        let mut locator = Locator::new(text);
        for start in [0, 3, 5, 9, 12, 2, 17, 18, text.len(), 7, 1000] {
            assert_eq!(locator.locate(start..start + 1), locate_slowly(text, start));
        }
    }

    /// The obvious definition, for comparison.
    fn locate_slowly(text: &str, wanted: usize) -> Location {
        let start = floor_char_boundary(text, wanted.min(text.len()));
        let before = text[..start].trim_start_matches('\u{feff}');
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        let end = floor_char_boundary(text, (wanted + 1).min(text.len()));
        Location {
            line,
            column,
            span: start..end.max(start),
        }
    }

    #[test]
    fn suggests_close_names_only() {
        let themes = ["workforce", "domestic-abuse"];
        assert_eq!(
            did_you_mean("workfroce", themes).as_deref(),
            Some("workforce")
        );
        assert_eq!(did_you_mean("housing", themes), None);
    }

    #[test]
    fn cutting_sources_keeps_every_snippet_as_it_was() {
        let text: Arc<str> =
            Arc::from("title: x\nthemes: [workfroce]\nbody: é\nsummary: y\n---\nA long body.\n");
        let mut all = Diagnostics::new();
        all.add_source("content/case-studies/a.md", text.clone());
        all.add_source("content/case-studies/b.md", text.clone());
        let config: Arc<str> = Arc::from("title = 1\nmore = 2\n");
        all.add_source("site.toml", config.clone());
        let at = |span: Range<usize>| {
            Diagnostic::warning(Code::UnknownTheme, "unknown theme")
                .in_file("content/case-studies/a.md")
                .at(&text, span)
        };
        all.push(at(18..27));
        all.push(at(29..35));
        let before = all.render_human(false);
        all.keep_referenced_sources(Path::new("content"));
        assert_eq!(all.render_human(false), before);
        // `a.md` is cut after the line of its last diagnostic (the third), `b.md` is
        // forgotten, and site.toml, outside the folder, stays whole.
        let kept = all.source(Path::new("content/case-studies/a.md")).unwrap();
        assert_eq!(&*kept, "title: x\nthemes: [workfroce]\nbody: é");
        assert!(all.source(Path::new("content/case-studies/b.md")).is_none());
        assert_eq!(all.source(Path::new("site.toml")), Some(config));
        // A diagnostic made later that points past the cut gets its place, not a wrong
        // snippet.
        all.push(at(60..64));
        let later = all.render_human(false);
        assert!(later.contains("content/case-studies/a.md:6:"), "{later}");
        assert!(!later.contains("A long body"), "{later}");
    }

    #[test]
    fn renders_snippet_with_hint() {
        let mut all = Diagnostics::new();
        let text: Arc<str> = Arc::from("title: x\nthemes: [workfroce]\n");
        all.add_source("case-studies/a.md", text.clone());
        all.push(
            Diagnostic::error(Code::UnknownTheme, "unknown theme `workfroce`")
                .in_file("case-studies/a.md")
                .at(&text, 18..27)
                .with_hint("did you mean `workforce`?"),
        );
        let out = all.render_human(false);
        assert!(out.contains("case-studies/a.md:2:10"), "{out}");
        assert!(out.contains("did you mean `workforce`?"), "{out}");
        assert!(out.contains("1 error, 0 warnings"), "{out}");
    }
}
