//! Citations in a real style: every reference and in-text citation formatted by hayagriva's
//! CSL engine in the style `[citations] style` names, the review's own "cite this" entries,
//! and the BibLaTeX and RIS downloads.
//!
//! Owns choosing the style ([`Style`]), formatting the bibliography once per build
//! ([`apply`], which fills each [`Source`]'s `reference` and `in_text` and the short
//! citations with their locators), formatting an entry for a page of the review
//! ([`PageCiter`]) and writing entries as `.bib` and `.ris` ([`export`]). It reads the
//! bibliography and the configuration and knows nothing of templates.

mod cache;
pub(crate) mod export;
mod html;
mod numbers;
mod page;
mod pending;
mod style;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Entry, LocatorPayload,
    SpecificLocator,
};

use crate::bibliography::{Bibliography, Source};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::shared::Shared;
pub(crate) use cache::{ApplyCache, apply_cached};
pub(crate) use page::{PageCitation, PageCiter, PageEntry};
pub(crate) use pending::{Job, Pending};
pub(crate) use style::Style;

/// Escapes text for HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::markdown::push_escaped(&mut out, text);
    out
}

/// What formatting the bibliography in a style gave, beyond each source's own fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Styled {
    pub style: std::sync::Arc<Style>,
    /// Keys in the order of the style's bibliography.
    pub order: Vec<String>,
    /// Short citations with a locator, by key and locator, as HTML.
    cites: HashMap<(String, String), String>,
}

impl Styled {
    /// The short in-text citation of `key` at `locator`, as HTML.
    pub(crate) fn cite(&self, key: &str, locator: &str) -> Option<&str> {
        self.cites
            .get(&(key.to_string(), locator.to_string()))
            .map(String::as_str)
    }
}

/// One citation the review makes: a key and a locator (`""` for none).
pub(crate) type Cite = (String, String);

/// The citations the case studies make, in reading order: each finding's source with its
/// locator, and each listed source.
pub(crate) fn cites_of(content: &crate::content::Content) -> Vec<Cite> {
    let mut cites = Vec::new();
    for doc in &content.case_studies {
        for finding in &doc.meta.findings {
            if let Some(source) = &finding.source {
                cites.push((
                    source.value.clone(),
                    finding.locator.clone().unwrap_or_default(),
                ));
            }
        }
    }
    cites
}

/// Formats every entry of the bibliography, and every citation in `cites`, in `style`.
/// An entry the style gives no text for is an error located at its key.
///
/// `references_page` is the references page's site-relative URL (`references/`, or
/// `references/index.html` in a portable build).
pub(crate) fn apply(
    root: &Path,
    bibliography: &mut Bibliography,
    style: std::sync::Arc<Style>,
    cites: &[Cite],
    references_page: &str,
    diagnostics: &mut Diagnostics,
) {
    if bibliography.failed || bibliography.library.is_empty() {
        bibliography.styled = Some(Styled {
            style,
            order: Vec::new(),
            cites: HashMap::new(),
        });
        return;
    }
    let entries: HashMap<&str, &Entry> =
        bibliography.library.iter().map(|e| (e.key(), e)).collect();
    let mut wanted: Vec<(&Entry, &str)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (key, locator) in cites {
        if let Some(entry) = entries.get(key.as_str())
            && seen.insert((key.as_str(), locator.as_str()))
        {
            wanted.push((entry, locator.as_str()));
        }
    }
    let plain_start = wanted.len();
    for entry in bibliography.library.iter() {
        wanted.push((entry, ""));
    }
    let formatted = match numbers::format_sharing_numbers(&style, &wanted) {
        Ok(formatted) => formatted,
        Err(message) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::Bibliography,
                    format!(
                        "the citation style `{}` could not format the bibliography: {message}",
                        style.name
                    ),
                )
                .in_file(bibliography.file.clone().unwrap_or_default())
                .with_hint("try another style, or simplify the entries it stops at"),
            );
            return;
        }
    };
    let mut cite_map = HashMap::new();
    let mut in_text = HashMap::new();
    for (i, ((entry, locator), html)) in wanted.iter().zip(&formatted.citations).enumerate() {
        if i >= plain_start {
            in_text.insert(entry.key(), html.clone());
        } else {
            cite_map.insert((entry.key().to_string(), locator.to_string()), html.clone());
        }
    }
    let mut order = Vec::new();
    for item in &formatted.items {
        order.push(item.key.clone());
    }
    let positions: HashMap<&str, usize> = formatted
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| (item.key.as_str(), i))
        .collect();
    let by_key: HashMap<&str, &FormattedItem> = formatted
        .items
        .iter()
        .map(|i| (i.key.as_str(), i))
        .collect();
    let mut sources = indexmap::IndexMap::new();
    for entry in bibliography.library.iter() {
        let key = entry.key();
        let item = by_key.get(key);
        let short = in_text.get(key).cloned().unwrap_or_default();
        let Some(item) = item.filter(|i| !i.text.trim().is_empty() && !short.is_empty()) else {
            diagnostics.push(unformattable(root, bibliography, key, &style.name));
            continue;
        };
        let mut source: Source = crate::bibliography::source_of(entry);
        source.reference = item.html.clone();
        source.reference_text = item.text.clone();
        source.in_text = short;
        source.reference_url = format!("{references_page}#{}", source.anchor);
        source.order = positions.get(key).copied().unwrap_or(usize::MAX);
        sources.insert(key.to_string(), Shared::new(source));
    }
    // Every key stays known to the review, so a citation of an entry that failed to format
    // gives no second "unknown source" error.
    for (key, source) in &bibliography.sources {
        sources.entry(key.clone()).or_insert_with(|| source.clone());
    }
    bibliography.sources = sources;
    bibliography.styled = Some(Styled {
        style,
        order,
        cites: cite_map,
    });
}

/// The diagnostic for an entry the style gives no text for, at the entry's key.
fn unformattable(root: &Path, bibliography: &Bibliography, key: &str, style: &str) -> Diagnostic {
    let file = bibliography.file.clone().unwrap_or_default();
    let mut diagnostic = Diagnostic::error(
        Code::Bibliography,
        format!("the citation style `{style}` gives no text for the entry `{key}`"),
    )
    .in_file(file.clone())
    .with_hint("give the entry a title, an author or a date, and a `type` the style knows (report, article, book, web…)");
    // Read again only on this error path, so the bibliography's text is not kept.
    if let Ok(text) = std::fs::read_to_string(root.join(&file))
        && let Some(at) = text.find(&format!("{key}:")).or_else(|| text.find(key))
    {
        diagnostic = diagnostic.at(&text, at..at + key.len());
    }
    diagnostic
}

/// One bibliography entry, formatted.
#[derive(Debug, Clone)]
struct FormattedItem {
    key: String,
    html: String,
    text: String,
}

struct Formatted {
    items: Vec<FormattedItem>,
    citations: Vec<String>,
}

/// Runs hayagriva's driver over every citation, then renders the bibliography. hayagriva
/// may panic on input it does not expect; that is reported as an error, not a crash.
fn format_all(style: &Style, wanted: &[(&Entry, &str)]) -> Result<Formatted, String> {
    let locales = style.locales.as_slice();
    let run = || {
        let mut driver = BibliographyDriver::new();
        for (entry, locator) in wanted {
            let item = CitationItem::with_locator(*entry, specific_locator(locator));
            driver.citation(CitationRequest::new(
                vec![item],
                &style.csl,
                Some(style.locale.clone()),
                locales,
                None,
            ));
        }
        driver.finish(BibliographyRequest::new(
            &style.csl,
            Some(style.locale.clone()),
            locales,
        ))
    };
    let rendered = catch_unwind(AssertUnwindSafe(run))
        .map_err(|_| "the formatter stopped on an entry it could not handle".to_string())?;
    let citations = rendered
        .citations
        .iter()
        .map(|c| html::children(&c.citation))
        .collect();
    let items = rendered
        .bibliography
        .map(|b| {
            b.items
                .into_iter()
                .map(|item| {
                    let first_html = item.first_field.as_ref().map(html::child);
                    let first_text = item.first_field.as_ref().map(html::child_text);
                    let body_html = html::children(&item.content);
                    let body_text = html::children_text(&item.content);
                    FormattedItem {
                        key: item.key,
                        html: join_first(first_html, body_html),
                        text: join_first(first_text, body_text),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Formatted { items, citations })
}

fn join_first(first: Option<String>, body: String) -> String {
    match first {
        Some(first) if !first.is_empty() => format!("{first} {body}"),
        _ => body,
    }
}

/// Reads a locator as authors write it: `p. 10`, `pp. 4–6`, `chapter 3`, `section 2.1`,
/// `para. 4`, `table 2`, `fig. 1`; anything else is printed as it is.
fn specific_locator(text: &str) -> Option<SpecificLocator<'_>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    const LABELS: [(&str, Locator); 14] = [
        ("pp.", Locator::Page),
        ("p.", Locator::Page),
        ("pages", Locator::Page),
        ("page", Locator::Page),
        ("chapter", Locator::Chapter),
        ("ch.", Locator::Chapter),
        ("section", Locator::Section),
        ("sec.", Locator::Section),
        ("§", Locator::Section),
        ("paragraph", Locator::Paragraph),
        ("para.", Locator::Paragraph),
        ("table", Locator::Table),
        ("figure", Locator::Figure),
        ("fig.", Locator::Figure),
    ];
    let lower = text.to_lowercase();
    for (label, locator) in LABELS {
        if let Some(rest) = lower.strip_prefix(label)
            && rest.starts_with(|c: char| c.is_whitespace() || c.is_ascii_digit())
        {
            let value = text[text.len() - rest.len()..].trim();
            if value.starts_with(|c: char| c.is_ascii_digit() || "ivxlcdmIVXLCDM".contains(c)) {
                return Some(SpecificLocator(locator, LocatorPayload::Str(value)));
            }
        }
    }
    Some(SpecificLocator(Locator::Custom, LocatorPayload::Str(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locators_are_read_by_label() {
        fn read(s: &str) -> Option<(Locator, LocatorPayload<'_>)> {
            specific_locator(s).map(|SpecificLocator(l, p)| (l, p))
        }
        assert!(matches!(
            read("p. 10"),
            Some((Locator::Page, LocatorPayload::Str("10")))
        ));
        assert!(matches!(
            read("pp. 4–6"),
            Some((Locator::Page, LocatorPayload::Str("4–6")))
        ));
        assert!(matches!(
            read("Chapter 3"),
            Some((Locator::Chapter, LocatorPayload::Str("3")))
        ));
        assert!(matches!(
            read("abstract"),
            Some((Locator::Custom, LocatorPayload::Str("abstract")))
        ));
        assert!(matches!(
            read("pages of notes"),
            Some((Locator::Custom, LocatorPayload::Str("pages of notes")))
        ));
        assert!(read("  ").is_none());
    }
}
