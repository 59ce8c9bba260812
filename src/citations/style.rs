//! Choosing the citation style: `[citations] style` in site.toml, an archived style by
//! name or a `.csl` file in the review folder, read once per build.

use std::path::Path;
use std::sync::OnceLock;

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{IndependentStyle, Locale, LocaleCode, Style as CslStyle};

use crate::config::{CONFIG_FILE, SiteConfig, find_span};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, did_you_mean_hint};

/// A citation style ready to format with, and the language its terms are in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Style {
    /// What site.toml named: `apa`, or the `.csl` path.
    pub name: String,
    pub csl: IndependentStyle,
    pub locale: LocaleCode,
    /// The locale files formatting may need (see [`locales_for`]).
    pub locales: Vec<Locale>,
}

/// Every locale of hayagriva's archive, decoded once per process.
fn all_locales() -> &'static [Locale] {
    static LOCALES: OnceLock<Vec<Locale>> = OnceLock::new();
    LOCALES.get_or_init(hayagriva::archive::locales)
}

/// The archive's locales for `language`'s primary language (`en` for `en-GB`) and US
/// English, the CSL fallback. hayagriva scans the locale files on every term it looks up,
/// so passing the few that can match, rather than all sixty, makes formatting several
/// times faster.
fn locales_for(language: &str) -> Vec<Locale> {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    all_locales()
        .iter()
        .filter(|l| {
            l.lang.as_ref().is_some_and(|code| {
                let code = code.0.to_ascii_lowercase();
                code == "en-us" || code.split('-').next() == Some(primary.as_str())
            })
        })
        .cloned()
        .collect()
}

/// Every name an archived style answers to, for "did you mean".
fn archived_names() -> impl Iterator<Item = &'static str> {
    ArchivedStyle::all()
        .iter()
        .flat_map(|s| s.names().iter().copied())
}

impl Style {
    /// Reads the style site.toml names, reporting a located `config` error when it is not an
    /// archived style and not a readable, valid `.csl` file.
    pub(crate) fn load(
        root: &Path,
        config: &SiteConfig,
        diagnostics: &mut Diagnostics,
    ) -> Option<Style> {
        let name = config.citations.style.trim();
        let locale = LocaleCode(config.language.clone());
        let error = |message: String| {
            // Read again only to point at the value: errors are rare.
            let text = std::fs::read_to_string(root.join(CONFIG_FILE)).unwrap_or_default();
            Diagnostic::error(Code::Config, message)
                .in_file(CONFIG_FILE)
                .at(&text, find_span(&text, &config.citations.style))
        };
        let style = if name.ends_with(".csl") {
            let path = root.join(name);
            let xml = match std::fs::read_to_string(&path) {
                Ok(xml) => xml,
                Err(err) => {
                    diagnostics.push(error(format!("[citations] style: cannot read `{name}`: {err}")).with_hint(
                        "give the path of a .csl file relative to the review folder, or the name of an archived style such as `apa`",
                    ));
                    return None;
                }
            };
            match CslStyle::from_xml(&xml) {
                Ok(style) => style,
                Err(err) => {
                    diagnostics.push(
                        error(format!("[citations] style: `{name}` is not a valid CSL style: {err}"))
                            .with_hint("check the file against the CSL 1.0.2 schema, or use an archived style such as `apa`"),
                    );
                    return None;
                }
            }
        } else {
            match ArchivedStyle::by_name(name) {
                Some(archived) => archived.get(),
                None => {
                    let hint = did_you_mean_hint(name, archived_names()).unwrap_or_else(|| {
                        "use an archived style such as `apa`, `harvard-cite-them-right`, `chicago-author-date` or `vancouver`, or the path of a .csl file".to_string()
                    });
                    diagnostics.push(
                        error(format!(
                            "[citations] style: unknown citation style `{name}`"
                        ))
                        .with_hint(hint),
                    );
                    return None;
                }
            }
        };
        let csl = match style {
            CslStyle::Independent(csl) => csl,
            CslStyle::Dependent(dependent) => {
                // A dependent style only names its parent: use the parent if it is archived.
                let parent = dependent.parent_link.href.to_string();
                match ArchivedStyle::by_id(&parent).map(ArchivedStyle::get) {
                    Some(CslStyle::Independent(csl)) => csl,
                    _ => {
                        diagnostics.push(
                            error(format!(
                                "[citations] style: `{name}` depends on `{parent}`, which tessera does not have"
                            ))
                            .with_hint("use the independent parent style's .csl file instead"),
                        );
                        return None;
                    }
                }
            }
        };
        if csl.bibliography.is_none() {
            diagnostics.push(
                error(format!(
                    "[citations] style: `{name}` has no bibliography, so it cannot list references"
                ))
                .with_hint("choose a style with a bibliography, such as `apa`"),
            );
            return None;
        }
        Some(Style {
            name: name.to_string(),
            csl,
            locales: locales_for(&locale.0),
            locale,
        })
    }

    /// An archived style in British English, for tests.
    #[cfg(test)]
    pub(crate) fn archived(name: &str) -> Style {
        let Some(CslStyle::Independent(csl)) = ArchivedStyle::by_name(name).map(ArchivedStyle::get)
        else {
            panic!("`{name}` is not an archived independent style");
        };
        Style {
            name: name.to_string(),
            csl,
            locales: locales_for("en-GB"),
            locale: LocaleCode("en-GB".to_string()),
        }
    }
}
