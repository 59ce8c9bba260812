//! Site configuration: reading and checking `site.toml`.
//!
//! Owns the [`SiteConfig`] type (title, base URL, theme, edition, output folder, build
//! switches, the evidence map's axes, search and the facet vocabulary) and turns every mistake in
//! the file into a [`Diagnostic`] naming the key and line. It knows nothing about content.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Code, Diagnostic, Diagnostics, did_you_mean_hint};

/// The file name of the configuration at the root of a review.
pub(crate) const CONFIG_FILE: &str = "site.toml";

/// The whole of `site.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The review's title, shown in every page header.
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Absolute URL where the site will be published; used only for canonical links,
    /// the sitemap and the feed. May be empty.
    #[serde(default)]
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// The site theme (the look: templates and static files): a folder name under
    /// `themes/`. site.toml calls it `theme`; in the code "theme" is a research theme.
    #[serde(rename = "theme", default = "default_theme")]
    pub site_theme: String,
    /// The current edition of the review (a year or a number); case studies whose
    /// `edition` equals it are "new in this edition".
    #[serde(default)]
    pub edition: Option<i64>,
    /// Output folder, relative to the review root.
    #[serde(default = "default_output_dir")]
    pub output_dir: PathBuf,
    #[serde(default)]
    pub build: BuildConfig,
    #[serde(default)]
    pub map: MapConfig,
    #[serde(default)]
    pub search: SearchConfig,
    /// `[publication]`: the review's own bibliographic details (see `publication`).
    #[serde(default)]
    pub publication: crate::publication::Publication,
    /// `[citations]`: the citation style.
    #[serde(default)]
    pub citations: crate::publication::CitationsConfig,
    /// `[editions]`: the previous edition to compare with, and where past editions live.
    #[serde(default)]
    pub editions: EditionsConfig,
    /// The facet vocabulary, in declaration order.
    #[serde(default)]
    pub facets: IndexMap<String, FacetConfig>,
}

/// `[build]`: switches that change how pages are written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BuildConfig {
    /// Links end in `index.html`, so the site browses from a folder or a zip.
    #[serde(default)]
    pub portable: bool,
    /// Clean raw HTML in Markdown bodies with ammonia.
    #[serde(default)]
    pub sanitize_html: bool,
}

/// `[search]`: full-text search in the browser (a Pagefind index and a search page).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SearchConfig {
    /// Build the search index into `pagefind/` and the search page at `search/`. Off by
    /// default: indexing adds to the build time, and search works only when the site is
    /// served over HTTP (not from a local folder).
    #[serde(default)]
    pub enabled: bool,
}

/// `[editions]`: the annual cycle (see `crate::editions`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EditionsConfig {
    /// The previous edition's snapshot, relative to the review root
    /// (`editions/2025.json`); with it, every build says what changed since.
    #[serde(default)]
    pub previous: Option<PathBuf>,
    /// Where the previous edition is still published, for links to what it had.
    #[serde(default)]
    pub previous_url: String,
    /// Every past edition and where it is published, for the footer and `editions.json`.
    #[serde(default)]
    pub archive: Vec<ArchivedEdition>,
    /// Where the theme loads the shared index of editions from (`../editions.json`),
    /// relative to the site's root or absolute; empty for none.
    #[serde(default)]
    pub index_url: String,
}

/// One past edition in `[editions] archive`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArchivedEdition {
    pub edition: i64,
    /// Required; `Option` so that a missing URL is reported with the entry's place.
    #[serde(default)]
    pub url: Option<String>,
}

/// `[map]`: the two axes of the evidence map: `themes` or any declared facet.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MapConfig {
    #[serde(default = "default_map_rows")]
    pub rows: String,
    #[serde(default = "default_map_columns")]
    pub columns: String,
}

impl Default for MapConfig {
    fn default() -> Self {
        Self {
            rows: default_map_rows(),
            columns: default_map_columns(),
        }
    }
}

/// `[facets.NAME]`: one facet and its allowed values, in display order.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FacetConfig {
    pub label: String,
    #[serde(default)]
    pub description: String,
    pub values: Vec<FacetValueConfig>,
}

/// One allowed value of a facet.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FacetValueConfig {
    /// What authors write in front matter.
    pub id: String,
    /// What readers see; defaults to the id.
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub description: String,
}

impl FacetConfig {
    /// Position of a value in the declared order, if it is allowed.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.values.iter().position(|v| v.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|v| v.id.as_str())
    }
}

impl FacetValueConfig {
    pub fn label(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.id)
    }
}

fn default_language() -> String {
    "en".to_string()
}
fn default_theme() -> String {
    "default".to_string()
}
fn default_output_dir() -> PathBuf {
    PathBuf::from("public")
}
fn default_map_rows() -> String {
    "themes".to_string()
}
fn default_map_columns() -> String {
    "stage".to_string()
}

impl SiteConfig {
    /// Reads `site.toml` from `root`, reporting every problem into `diagnostics`.
    pub fn load(root: &Path, diagnostics: &mut Diagnostics) -> Option<SiteConfig> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::ConfigMissing,
                        format!("cannot read {CONFIG_FILE}: {err}"),
                    )
                    .in_file(CONFIG_FILE)
                    .with_hint(format!(
                        "is `{}` the root of a review? `tessera init DIR` creates one",
                        root.display()
                    )),
                );
                return None;
            }
        };
        let text: Arc<str> = Arc::from(text);
        diagnostics.add_source(CONFIG_FILE, text.clone());
        let config = Self::parse(&text, diagnostics)?;
        let problems = config.validate(&text);
        let failed = problems.iter().any(Diagnostic::is_error);
        diagnostics.extend(problems);
        (!failed).then_some(config)
    }

    /// Parses the text of a `site.toml`.
    pub fn parse(text: &str, diagnostics: &mut Diagnostics) -> Option<SiteConfig> {
        match toml::from_str::<SiteConfig>(text) {
            Ok(config) => Some(config),
            Err(err) => {
                diagnostics.push(toml_diagnostic(&err, text));
                None
            }
        }
    }

    /// Checks what serde cannot: map axes exist, facet values are unique.
    fn validate(&self, text: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for (key, axis) in [("rows", &self.map.rows), ("columns", &self.map.columns)] {
            if axis != "themes" && !self.facets.contains_key(axis) {
                let candidates =
                    std::iter::once("themes").chain(self.facets.keys().map(String::as_str));
                problems.push(
                    Diagnostic::error(
                        Code::ConfigMapAxis,
                        format!(
                            "[map] {key} = \"{axis}\" is neither `themes` nor a declared facet"
                        ),
                    )
                    .in_file(CONFIG_FILE)
                    .at(text, find_span(text, axis))
                    .with_hint("declare it under [facets.NAME] or use `themes`")
                    .with_hint_opt(did_you_mean_hint(axis, candidates)),
                );
            }
        }
        problems.extend(self.validate_archive(text));
        for (name, facet) in &self.facets {
            if slug::slugify(name).is_empty() {
                problems.push(
                    Diagnostic::error(
                        Code::ConfigBadName,
                        format!("facet `{name}` has no letters or digits, so it has no URL"),
                    )
                    .in_file(CONFIG_FILE)
                    .at(text, find_span(text, name))
                    .with_hint("name facets with letters, e.g. [facets.stage]"),
                );
            }
            // Values are compared by URL slug, since each value gets a page at
            // `facet/slug/`: `Scale` and `scale` would overwrite each other's page.
            let mut seen = std::collections::HashMap::new();
            for value in &facet.values {
                let slug = slug::slugify(&value.id);
                if slug.is_empty() {
                    problems.push(
                        Diagnostic::error(
                            Code::ConfigBadName,
                            format!(
                                "facet `{name}` has a value `{}` with no letters or digits, so it has no URL",
                                value.id
                            ),
                        )
                        .in_file(CONFIG_FILE)
                        .at(text, find_span(text, &value.id))
                        .with_hint("give the value an id with letters or digits, and a `label` to show"),
                    );
                } else if let Some(first) = seen.insert(slug, value.id.as_str()) {
                    let message = if first == value.id {
                        format!("facet `{name}` declares the value `{first}` twice")
                    } else {
                        format!(
                            "facet `{name}` declares `{first}` and `{}`, which would share one page",
                            value.id
                        )
                    };
                    problems.push(
                        Diagnostic::error(Code::ConfigDuplicateValue, message)
                            .in_file(CONFIG_FILE)
                            .at(text, find_last_span(text, &value.id)),
                    );
                }
            }
        }
        problems
    }

    /// Every `[editions] archive` entry has a URL (readers follow it from the footer).
    fn validate_archive(&self, text: &str) -> Vec<Diagnostic> {
        let archive_at = text.find("archive").unwrap_or(0);
        self.editions
            .archive
            .iter()
            .filter(|entry| entry.url.as_deref().is_none_or(|u| u.trim().is_empty()))
            .map(|entry| {
                let needle = format!("{}", entry.edition);
                let span = text[archive_at..]
                    .find(&needle)
                    .map_or(0..0, |i| archive_at + i..archive_at + i + needle.len());
                Diagnostic::error(
                    Code::ConfigArchiveUrl,
                    format!(
                        "[editions] archive: the {} edition has no `url`",
                        entry.edition
                    ),
                )
                .in_file(CONFIG_FILE)
                .at(text, span)
                .with_hint(format!(
                    "say where it is published: {{ edition = {}, url = \"https://example.org/review/{}/\" }}",
                    entry.edition, entry.edition
                ))
            })
            .collect()
    }

    /// A declared facet by name.
    pub fn facet(&self, name: &str) -> Option<&FacetConfig> {
        self.facets.get(name)
    }

    /// Rank of a certainty value: 0 is the strongest; unknown or absent values sort last.
    pub fn certainty_rank(&self, id: Option<&str>) -> usize {
        const DEFAULT_ORDER: [&str; 4] = ["high", "moderate", "low", "very-low"];
        let Some(id) = id else { return usize::MAX };
        match self.facets.get("certainty") {
            Some(facet) => facet.position(id).unwrap_or(usize::MAX),
            None => DEFAULT_ORDER
                .iter()
                .position(|v| *v == id)
                .unwrap_or(usize::MAX),
        }
    }
}

/// Byte range of the first quoted occurrence of `needle` in the text, or the start.
pub(crate) fn find_span(text: &str, needle: &str) -> std::ops::Range<usize> {
    let quoted = format!("\"{needle}\"");
    text.find(&quoted)
        .map(|i| i + 1..i + 1 + needle.len())
        .unwrap_or(0..0)
}

/// Like [`find_span`], but the last occurrence: for the second of two duplicates.
fn find_last_span(text: &str, needle: &str) -> std::ops::Range<usize> {
    let quoted = format!("\"{needle}\"");
    text.rfind(&quoted)
        .map(|i| i + 1..i + 1 + needle.len())
        .unwrap_or(0..0)
}

/// Turns a toml error into a diagnostic, adding "did you mean" for unknown keys.
fn toml_diagnostic(err: &toml::de::Error, text: &str) -> Diagnostic {
    let message = err.message().trim().to_string();
    // toml's error names the key only in its own rendering; read it back from the text.
    let key = err.span().and_then(|span| key_before(text, span.start));
    let mut diagnostic = match key {
        Some(key) => Diagnostic::error(Code::Config, format!("{CONFIG_FILE}: `{key}`: {message}")),
        None => Diagnostic::error(Code::Config, format!("{CONFIG_FILE}: {message}")),
    }
    .in_file(CONFIG_FILE);
    if let Some(span) = err.span() {
        diagnostic = diagnostic.at(text, span);
    }
    if let Some((unknown, expected)) = parse_unknown_field(&message) {
        let candidates: Vec<&str> = expected.iter().map(String::as_str).collect();
        diagnostic.code = Code::ConfigUnknownKey;
        diagnostic.message = format!("{CONFIG_FILE}: unknown key `{unknown}`");
        diagnostic = diagnostic.with_hint(
            did_you_mean_hint(&unknown, candidates.iter().copied())
                .unwrap_or_else(|| format!("known keys here: {}", expected.join(", "))),
        );
    }
    diagnostic
}

/// The key whose value starts at byte `at`, read from the text before it, with its table:
/// `edition` for `edition = "x"`, `build.portable` under `[build]`, `facets.stage.id` inside
/// `values = [{ id = 3 }]` under `[facets.stage]`. `None` when `at` is not in a value.
fn key_before(text: &str, at: usize) -> Option<String> {
    let at = (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))?;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    let eq = before.rfind('=')?;
    let key = before[..eq].rsplit(['{', ',', '[']).next()?.trim();
    if key.is_empty() {
        return None;
    }
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(['[', ']']).trim());
    Some(match table {
        Some(table) if !table.is_empty() => format!("{table}.{key}"),
        _ => key.to_string(),
    })
}

/// serde's "unknown field `x`, expected one of `a`, `b`" message, taken apart.
pub(crate) fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some((field.to_string(), expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_line_and_suggestion() {
        let mut diagnostics = Diagnostics::new();
        let text = "title = \"x\"\nbase_ulr = \"https://a\"\n";
        assert!(SiteConfig::parse(text, &mut diagnostics).is_none());
        let d = diagnostics.iter().next().expect("one diagnostic");
        assert_eq!(d.code, Code::ConfigUnknownKey);
        assert!(d.message.contains("base_ulr"), "{}", d.message);
        assert_eq!(d.location.as_ref().map(|l| l.line), Some(2));
        assert_eq!(d.hint.as_deref(), Some("did you mean `base_url`?"));
    }

    #[test]
    fn wrong_type_names_the_key() {
        let mut diagnostics = Diagnostics::new();
        let text = "title = \"x\"\n\n[build]\nportable = \"yes\"\n";
        assert!(SiteConfig::parse(text, &mut diagnostics).is_none());
        let d = diagnostics.iter().next().expect("one diagnostic");
        assert!(d.message.contains("`build.portable`"), "{}", d.message);
        assert_eq!(
            d.location.as_ref().map(|l| (l.line, l.column)),
            Some((4, 12))
        );
        assert_eq!(key_before("a = [{ id = 3 }]", 12).as_deref(), Some("id"));
        assert_eq!(key_before("[x]\nkey", 5), None);
    }

    #[test]
    fn defaults_apply() {
        let mut diagnostics = Diagnostics::new();
        let config = SiteConfig::parse("title = \"x\"\n", &mut diagnostics).expect("parses");
        assert_eq!(config.site_theme, "default");
        assert_eq!(config.output_dir, PathBuf::from("public"));
        assert_eq!(config.map.rows, "themes");
        assert!(!config.search.enabled);
    }

    #[test]
    fn search_table_is_read_and_checked() {
        let mut diagnostics = Diagnostics::new();
        let text = "title = \"x\"\n\n[search]\nenabled = true\n";
        let config = SiteConfig::parse(text, &mut diagnostics).expect("parses");
        assert!(config.search.enabled);

        let text = "title = \"x\"\n\n[search]\nenable = true\n";
        assert!(SiteConfig::parse(text, &mut diagnostics).is_none());
        let d = diagnostics.iter().next().expect("one diagnostic");
        assert_eq!(d.code, Code::ConfigUnknownKey);
        assert!(d.message.contains("enable"), "{}", d.message);
        assert_eq!(d.location.as_ref().map(|l| l.line), Some(4));
        assert_eq!(d.hint.as_deref(), Some("did you mean `enabled`?"));

        let mut diagnostics = Diagnostics::new();
        let text = "title = \"x\"\n\n[search]\nenabled = \"yes\"\n";
        assert!(SiteConfig::parse(text, &mut diagnostics).is_none());
        let d = diagnostics.iter().next().expect("one diagnostic");
        assert!(d.message.contains("`search.enabled`"), "{}", d.message);
    }
}
