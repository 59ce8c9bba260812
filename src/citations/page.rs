//! "Cite this page": a page of the review, or the review itself, as an entry in the review's
//! style, with the same entry as BibLaTeX and RIS.
//!
//! The CSL engine takes about a millisecond an entry, and a review of 10,000 case studies has
//! some 10,000 pages to cite whose entries differ only in title and URL. So [`PageCiter`]
//! formats one probe entry and fills each page's title and URL into what the engine gave,
//! where that is sure to be what the engine would give for the page itself: the style prints
//! the probe's title and URL unchanged (no change of case, no stripped periods), and the
//! page's title holds nothing a style treats specially (quotes, braces, sentence
//! punctuation, markup). Every other page goes through the engine.

use hayagriva::Entry;
use serde::Serialize;

use super::{Style, escape, export, format_all};
use crate::config::SiteConfig;

/// A page of the review as a bibliography entry, for "Cite this page".
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct PageCitation {
    /// The entry in the review's style, as HTML.
    pub html: String,
    /// The same, as plain text (what the copy button copies).
    pub text: String,
    /// The entry as BibLaTeX.
    pub bib: String,
    /// The entry as RIS.
    pub ris: String,
}

/// What a page entry is made of.
pub(crate) struct PageEntry<'a> {
    pub key: &'a str,
    pub title: &'a str,
    /// `chapter` for a page, `report` for the review as a whole.
    pub kind: &'a str,
    /// The absolute URL, or `""`.
    pub url: &'a str,
    /// The review's title, for a page of it; `""` for the review itself.
    pub container: &'a str,
}

/// The probe's title: a lower-case word and a capitalised one after the first, so that any
/// change of case the style makes (title, sentence, upper or lower case) shows.
const PROBE_TITLE: &str = "Tesseraprobetitle quiet Words";
/// The probe's URL, for reviews with a `base_url`.
const PROBE_URL: &str = "https://tessera.invalid/tesseraprobeurl/";

/// Cites the pages of one kind (`kind` and `container` as in [`PageEntry`]), formatting
/// through the engine only the pages that need it.
pub(crate) struct PageCiter<'a> {
    style: &'a Style,
    config: &'a SiteConfig,
    /// The probe's citation, when the style printed its title and URL unchanged.
    shape: Option<Shape>,
}

/// The probe's formatted entry, with or without a URL.
struct Shape {
    html: String,
    text: String,
    with_url: bool,
}

impl<'a> PageCiter<'a> {
    /// Formats the probe for pages of `kind` in `container`; `with_url` says whether the
    /// pages have URLs (the review has a `base_url`).
    pub(crate) fn new(
        style: &'a Style,
        config: &'a SiteConfig,
        kind: &str,
        container: &str,
        with_url: bool,
    ) -> PageCiter<'a> {
        let probe = PageEntry {
            key: "tesseraprobe",
            title: PROBE_TITLE,
            kind,
            url: if with_url { PROBE_URL } else { "" },
            container,
        };
        let shape = format_entry(style, config, &probe)
            .ok()
            .filter(|(html, text)| {
                let once = |s: &str| s.matches(PROBE_TITLE).count() == 1;
                let url = |s: &str| !with_url || s.contains(PROBE_URL);
                once(html) && once(text) && url(html) && url(text)
            })
            .map(|(html, text)| Shape {
                html,
                text,
                with_url,
            });
        PageCiter {
            style,
            config,
            shape,
        }
    }

    /// The page's citation, or why the style could not format it.
    pub(crate) fn cite(&self, page: &PageEntry) -> Result<PageCitation, String> {
        let entry = page_entry(self.config, page)?;
        let (html, text) = match self.fill(page) {
            Some(filled) => filled,
            None => format_entry_of(self.style, &entry)?,
        };
        Ok(PageCitation {
            html,
            text,
            bib: export::biblatex(std::iter::once(&entry)),
            ris: export::ris(std::iter::once(&entry)),
        })
    }

    /// The probe's citation with the page's title and URL, when that is what the engine
    /// would give.
    fn fill(&self, page: &PageEntry) -> Option<(String, String)> {
        let shape = self.shape.as_ref()?;
        if !is_plain_title(page.title) || shape.with_url == page.url.is_empty() {
            return None;
        }
        if shape.with_url && !is_plain_url(page.url) {
            return None;
        }
        let fill = |s: &str, title: &str| {
            let s = s.replace(PROBE_TITLE, title);
            if shape.with_url {
                s.replace(PROBE_URL, page.url)
            } else {
                s
            }
        };
        Some((
            fill(&shape.html, &escape(page.title)),
            fill(&shape.text, page.title),
        ))
    }
}

/// A title of words, digits, spaces and inner hyphens, commas, colons and brackets,
/// starting with a capital or a digit, which
/// the engine prints as it is whenever it printed the probe so: no quotes (styles nest or
/// convert them), no final punctuation (styles merge it with their own), no periods
/// (`strip-periods`), nothing HTML or hayagriva's title syntax reads (`<&{}$\`).
fn is_plain_title(title: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    // A style may capitalise the first letter, which the probe's capital would not show.
    let first = title.chars().next();
    edge(first)
        && !first.is_some_and(char::is_lowercase)
        && title
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == ')')
        && !title.contains("  ")
        && title
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '–' | ',' | ':' | '(' | ')'))
}

/// A web address that needs no escaping and that the HTML writer links.
fn is_plain_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~:/%".contains(c))
}

/// The page's entry formatted by the engine: HTML and text.
fn format_entry(
    style: &Style,
    config: &SiteConfig,
    page: &PageEntry,
) -> Result<(String, String), String> {
    format_entry_of(style, &page_entry(config, page)?)
}

fn format_entry_of(style: &Style, entry: &Entry) -> Result<(String, String), String> {
    let formatted = format_all(style, &[(entry, "")])?;
    let item = formatted
        .items
        .into_iter()
        .next()
        .ok_or_else(|| "the style gave no bibliography entry".to_string())?;
    Ok((item.html, item.text))
}

/// The page as a hayagriva entry, built through hayagriva's own YAML reader (JSON is YAML)
/// so that names and dates are parsed as for the bibliography.
fn page_entry(config: &crate::config::SiteConfig, page: &PageEntry) -> Result<Entry, String> {
    let publication = &config.publication;
    let mut fields = serde_json::Map::new();
    fields.insert("type".into(), page.kind.into());
    fields.insert("title".into(), page.title.into());
    let authors = publication.author_names();
    if authors.is_empty() {
        // With no author, styles put the title first; the publisher stands in as author,
        // as reference guides advise for an organisation's web pages.
        if let Some(publisher) = &publication.publisher {
            fields.insert("author".into(), serde_json::json!([{ "name": publisher }]));
        }
    } else {
        let names: Vec<serde_json::Value> = if publication.authors.is_empty() {
            // An organisation: one name, never split into given and family names.
            authors
                .iter()
                .map(|a| serde_json::json!({ "name": a }))
                .collect()
        } else {
            authors.iter().map(|a| serde_json::json!(a)).collect()
        };
        fields.insert("author".into(), names.into());
    }
    if let Some(date) = publication.effective_date(config.edition) {
        fields.insert("date".into(), date.iso().into());
    }
    if !page.url.is_empty() {
        fields.insert("url".into(), page.url.into());
    }
    let mut serials = serde_json::Map::new();
    if let Some(doi) = publication
        .doi
        .as_ref()
        .filter(|_| page.container.is_empty())
    {
        serials.insert("doi".into(), doi.clone().into());
    }
    if let Some(issn) = &publication.issn {
        serials.insert("issn".into(), issn.clone().into());
    }
    if !serials.is_empty() {
        fields.insert("serial-number".into(), serials.into());
    }
    if page.container.is_empty() {
        if let Some(publisher) = &publication.publisher {
            fields.insert("publisher".into(), publisher.clone().into());
        }
    } else {
        let mut parent = serde_json::Map::new();
        // A page of the review is cited as a part of a book-length work: it reads cleanly in
        // every archived style ("'Title', in Review"), where `web` gives stray punctuation
        // for a year-only date in some.
        parent.insert("type".into(), "book".into());
        parent.insert("title".into(), page.container.into());
        if let Some(publisher) = &publication.publisher {
            parent.insert("publisher".into(), publisher.clone().into());
        }
        fields.insert("parent".into(), parent.into());
    }
    let mut library = serde_json::Map::new();
    library.insert(page.key.to_string(), fields.into());
    let json = serde_json::Value::Object(library).to_string();
    let parsed = hayagriva::io::from_yaml_str(&json).map_err(|e| e.to_string())?;
    parsed
        .iter()
        .next()
        .cloned()
        .ok_or_else(|| "no entry".to_string())
}

#[cfg(test)]
mod tests {
    use hayagriva::archive::ArchivedStyle;

    use super::*;
    use crate::diagnostics::Diagnostics;

    /// Titles the fast path takes, and some it must leave to the engine.
    const TITLES: [&str; 8] = [
        "Family Drug and Alcohol Court",
        "No Wrong Door: North Yorkshire (2015–2020)",
        "Mockingbird, a family model of foster care",
        "Reduces entry to care",
        "Bairns' Hoose",
        "What works? Findings",
        "\"Hubs\" and homes",
        "lifelong links {Scotland}",
    ];

    fn config(base_url: &str, people: bool) -> SiteConfig {
        let authors = if people {
            "authors = [\"Ada Lovelace\", \"Mary Somerville\"]"
        } else {
            "corporate_author = \"Research in Practice Unit\""
        };
        let text = format!(
            "title = \"Innovation in Children's Social Care\"\nbase_url = \"{base_url}\"\nlanguage = \"en-GB\"\nedition = 2026\n\n[publication]\n{authors}\npublisher = \"Tessera Press\"\nissn = \"1234-5679\"\n"
        );
        let mut diagnostics = Diagnostics::default();
        SiteConfig::parse(&text, &mut diagnostics).expect("the test's site.toml parses")
    }

    /// In every archived style, with and without a base URL and with people or an
    /// organisation as authors, the filled-in probe is exactly what the engine gives.
    #[test]
    fn filling_the_probe_gives_what_the_engine_gives() {
        let mut fast = 0;
        for archived in ArchivedStyle::all() {
            for (base_url, people) in [("https://example.org/review", true), ("", false)] {
                let mut config = config(base_url, people);
                config.citations.style = archived.names()[0].to_string();
                let mut diagnostics = Diagnostics::default();
                let Some(style) = Style::load(std::path::Path::new("."), &config, &mut diagnostics)
                else {
                    continue;
                };
                let citer = PageCiter::new(
                    &style,
                    &config,
                    "chapter",
                    &config.title,
                    !base_url.is_empty(),
                );
                for title in TITLES {
                    let url = if base_url.is_empty() {
                        String::new()
                    } else {
                        format!("{base_url}/case-studies/{}/", slug::slugify(title))
                    };
                    let page = PageEntry {
                        key: "page",
                        title,
                        kind: "chapter",
                        url: &url,
                        container: &config.title,
                    };
                    fast += usize::from(citer.fill(&page).is_some());
                    let cited = citer.cite(&page).map(|c| (c.html, c.text));
                    assert_eq!(
                        cited,
                        format_entry(&style, &config, &page),
                        "style {} title {title:?} url {url:?}",
                        archived.names()[0]
                    );
                }
            }
        }
        assert!(fast > 0, "the fast path was never taken");
    }

    #[test]
    fn plain_titles_are_words_and_inner_punctuation() {
        assert!(is_plain_title("No Wrong Door: North Yorkshire (2015–2020)"));
        assert!(!is_plain_title("Bairns' Hoose"));
        assert!(!is_plain_title("What works?"));
        assert!(!is_plain_title("lifelong links"));
        assert!(!is_plain_title("U.S. practice"));
        assert!(!is_plain_title("Two  spaces"));
    }
}
