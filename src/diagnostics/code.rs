//! The diagnostic codes: one variant per code, each with the string that `check --format
//! json` prints and README's "Diagnostic codes" table documents.
//!
//! A code is an enum rather than a string so that a typo cannot compile. To add a code, add
//! one line to the `codes!` list below (doc comment, variant, string) and a row to README's
//! table; a unit test fails if the row is missing.

use serde::{Serialize, Serializer};

/// Declares [`Code`], its string form and the list of all codes from one table, so the three
/// cannot drift apart.
macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident => $text:literal,)*) => {
        /// A stable, documented diagnostic code (see README, "Diagnostic codes").
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            #[cfg_attr(not(test), allow(dead_code))]
            pub(crate) const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code as users see it, e.g. `unknown-theme`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    /// `site.toml` cannot be read.
    ConfigMissing => "config-missing",
    /// `site.toml` is not valid TOML, or a value has the wrong type.
    Config => "config",
    /// A key in `site.toml` that tessera does not know.
    ConfigUnknownKey => "config-unknown-key",
    /// `[map]` rows or columns is neither `themes` nor a declared facet.
    ConfigMapAxis => "config-map-axis",
    /// A facet declares a value twice, or two values that share a URL.
    ConfigDuplicateValue => "config-duplicate-value",
    /// A facet or value with no letters or digits, so it has no URL.
    ConfigBadName => "config-bad-name",
    /// A facet would write its pages where tessera or a content page already does.
    ConfigReservedFacet => "config-reserved-facet",
    /// `theme = "…"` names a missing `themes/…/` folder.
    UnknownThemeFolder => "unknown-theme-folder",
    /// A template fails to parse or render.
    Template => "template",
    /// A required template is missing.
    TemplateMissing => "template-missing",
    /// There is no `content/` folder.
    ContentMissing => "content-missing",
    /// A file or folder cannot be read.
    Unreadable => "unreadable",
    /// A link in `content/` points back at one of its own parent folders.
    SymlinkLoop => "symlink-loop",
    /// A link points outside `content/`.
    SymlinkOutside => "symlink-outside",
    /// A file is not UTF-8.
    NotUtf8 => "not-utf8",
    /// A file name gives an empty URL.
    BadSlug => "bad-slug",
    /// A path climbs out of `content/`.
    BadPath => "bad-path",
    /// A case study, theme or claim that is empty or has no front matter.
    MissingFrontMatter => "missing-front-matter",
    /// An opening `---` with no closing line.
    UnclosedFrontMatter => "unclosed-front-matter",
    /// A YAML syntax error in front matter.
    YamlSyntax => "yaml-syntax",
    /// Front matter over the safety limits (deep nesting, alias bombs, huge text).
    YamlTooComplex => "yaml-too-complex",
    /// A front-matter field the schema does not have.
    UnknownField => "unknown-field",
    /// A required front-matter field is absent.
    MissingField => "missing-field",
    /// A value of the wrong shape or type.
    WrongType => "wrong-type",
    /// A value the schema does not allow (e.g. `stance`).
    UnknownValue => "unknown-value",
    /// A YAML key given twice.
    DuplicateKey => "duplicate-key",
    /// A facet value not declared in `site.toml`.
    UnknownFacetValue => "unknown-facet-value",
    /// A reference to a research theme that does not exist.
    UnknownTheme => "unknown-theme",
    /// A reference to a claim that does not exist.
    UnknownClaim => "unknown-claim",
    /// An `adapted_from` case study that does not exist.
    UnknownCaseStudy => "unknown-case-study",
    /// A bibliography key that does not exist.
    UnknownSource => "unknown-source",
    /// `references.yaml` or `.bib` cannot be read or parsed.
    Bibliography => "bibliography",
    /// Two files would write the same URL.
    DuplicateSlug => "duplicate-slug",
    /// A page would take a URL tessera generates.
    ReservedUrl => "reserved-url",
    /// A Markdown link to a missing file.
    BrokenLink => "broken-link",
    /// A Markdown link to a missing heading id.
    BrokenAnchor => "broken-anchor",
    /// The output folder is unsafe or cannot be written.
    Output => "output",
    /// The search index could not be built.
    Search => "search",
    /// A bug in tessera.
    Internal => "internal",
    /// A case study with no findings (warning).
    NoFindings => "no-findings",
    /// A case study with no themes (warning).
    NoThemes => "no-themes",
    /// Search is on but the theme marks no page body for indexing (warning).
    SearchEmpty => "search-empty",
    /// `base_url` is empty, so no sitemap or feed was written (warning).
    NoBaseUrl => "no-base-url",
    /// A research theme nothing refers to (warning).
    UnusedTheme => "unused-theme",
    /// A claim nothing refers to (warning).
    UnusedClaim => "unused-claim",
    /// A claim with only one finding (warning).
    SingleFinding => "single-finding",
    /// A finding with no `source` (warning).
    FindingWithoutSource => "finding-without-source",
    /// A published page refers to a draft (warning).
    DraftReferenced => "draft-referenced",
    /// An `[editions] archive` entry without a `url`.
    ConfigArchiveUrl => "config-archive-url",
    /// The previous edition's snapshot is missing, unreadable or not a snapshot.
    EditionSnapshot => "edition-snapshot",
    /// The previous edition's snapshot has another `format` version.
    EditionSnapshotFormat => "edition-snapshot-format",
    /// The previous edition's snapshot is not of an older edition.
    EditionSnapshotNotOlder => "edition-snapshot-not-older",
    /// A snapshot is asked for (or compared with) but site.toml has no `edition`.
    EditionMissing => "edition-missing",
    /// `tessera snapshot` would replace an existing snapshot without `--force`.
    SnapshotExists => "snapshot-exists",
    /// `tessera snapshot` could not write its file.
    SnapshotWrite => "snapshot-write",
    /// A case study changed since the previous edition but its `edition` was not raised
    /// (warning).
    EditionNotBumped => "edition-not-bumped",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    /// The rows of README's "Diagnostic codes" table: every code written in backticks in
    /// the first column.
    fn documented_codes() -> Vec<&'static str> {
        let readme = include_str!("../../README.md");
        let table = readme
            .split("| code | severity | meaning |")
            .nth(1)
            .expect("README has the diagnostic codes table");
        table
            .lines()
            .skip(1)
            .take_while(|line| line.starts_with('|'))
            .filter_map(|row| row.split('|').nth(1))
            .flat_map(|first| first.split('`').skip(1).step_by(2))
            .collect()
    }

    #[test]
    fn every_code_is_in_the_readme_table() {
        let documented = documented_codes();
        let missing: Vec<&str> = Code::ALL
            .iter()
            .map(|c| c.as_str())
            .filter(|c| !documented.contains(c))
            .collect();
        assert!(
            missing.is_empty(),
            "codes missing from README's table: {missing:?}"
        );
    }

    #[test]
    fn every_documented_code_exists() {
        let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let unknown: Vec<&str> = documented_codes()
            .into_iter()
            .filter(|c| !known.contains(c))
            .collect();
        assert!(
            unknown.is_empty(),
            "README documents codes tessera does not have: {unknown:?}"
        );
    }

    #[test]
    fn codes_are_distinct() {
        let mut texts: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        texts.sort_unstable();
        let before = texts.len();
        texts.dedup();
        assert_eq!(before, texts.len(), "two variants share a string");
    }
}
