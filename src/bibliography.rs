//! The bibliography: `content/references.yaml` (Hayagriva YAML) or `content/references.bib`
//! (BibLaTeX), read with the `hayagriva` crate.
//!
//! Owns turning entries into [`Source`]s, the citation data that templates show, keyed by
//! entry key. It reports unreadable or malformed bibliographies as diagnostics; checking
//! that case studies cite keys that exist is the review model's job.

use std::path::Path;
use std::sync::Arc;

use hayagriva::Entry;
use indexmap::IndexMap;
use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, locate};
use crate::shared::Shared;

/// One bibliography entry, ready for templates.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Source {
    pub key: String,
    /// One line, plain text: authors (year). Title. Publisher or journal.
    pub citation: String,
    pub title: String,
    /// Authors as written for a reference list (`Forrester, D., Lynch, A. and Bostock, L.`).
    pub authors: String,
    pub year: Option<i32>,
    /// The publisher, organisation or journal.
    pub publisher: String,
    pub url: String,
    /// The full reference in the review's citation style, as HTML.
    pub reference: String,
    /// The same, as plain text.
    pub reference_text: String,
    /// The style's short in-text citation without a locator (`(Forrester et al., 2017)`),
    /// as HTML.
    pub in_text: String,
    /// The id of its entry on the references page and in a case study's references:
    /// `ref-<key>`.
    pub anchor: String,
    /// Its entry on the references page, site-relative (`references/#ref-<key>`).
    pub reference_url: String,
    /// Its position in the style's bibliography, for listing a page's references in the
    /// style's order.
    pub order: usize,
}

/// All sources by key, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Bibliography {
    pub sources: IndexMap<String, Shared<Source>>,
    /// The file exists but could not be read or parsed (already reported). Keys are then not
    /// checked against it, so one broken file gives one error rather than one per citation.
    pub failed: bool,
    /// The entries as read, for formatting and the `.bib` and `.ris` downloads.
    pub library: hayagriva::Library,
    /// The file, relative to the review folder.
    pub file: Option<std::path::PathBuf>,
    /// Formatted references and citations, once a style has been applied.
    pub styled: Option<crate::citations::Styled>,
}

impl Bibliography {
    pub(crate) fn get(&self, key: &str) -> Option<&Shared<Source>> {
        self.sources.get(key)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.sources.keys().map(String::as_str)
    }

    /// Reads the bibliography file, if the review has one.
    pub(crate) fn load(
        root: &Path,
        path: Option<&Path>,
        diagnostics: &mut Diagnostics,
    ) -> Bibliography {
        let Some(path) = path else {
            return Bibliography::default();
        };
        let display = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::Bibliography,
                        format!("cannot read the bibliography: {err}"),
                    )
                    .in_file(display),
                );
                return Bibliography {
                    failed: true,
                    ..Bibliography::default()
                };
            }
        };
        let text: Arc<str> = Arc::from(text);
        diagnostics.add_source(display.clone(), text.clone());
        let is_bib = path.extension().is_some_and(|e| e == "bib");
        let library = if is_bib {
            parse_biblatex(&text)
        } else {
            parse_yaml(&text)
        };
        match library {
            Ok(library) => Bibliography {
                sources: library
                    .iter()
                    .map(|e| (e.key().to_string(), Shared::new(source_of(e))))
                    .collect(),
                failed: false,
                library,
                file: Some(display),
                styled: None,
            },
            Err(problems) => {
                diagnostics.extend(problems.into_iter().map(|d| d.in_file(display.clone())));
                Bibliography {
                    failed: true,
                    ..Bibliography::default()
                }
            }
        }
    }
}

fn parse_yaml(text: &str) -> Result<hayagriva::Library, Vec<Diagnostic>> {
    hayagriva::io::from_yaml_str(text).map_err(|err| {
        let mut d = Diagnostic::error(Code::Bibliography, format!("bibliography: {err}"))
            .with_hint("entries follow the Hayagriva YAML format: `key: {type: report, title: ..., author: [...], date: 2020}`");
        if let Some(l) = err.location() {
            let start = l.index().min(text.len());
            d = d.at(text, start..start);
        }
        vec![d]
    })
}

fn parse_biblatex(text: &str) -> Result<hayagriva::Library, Vec<Diagnostic>> {
    hayagriva::io::from_biblatex_str(text).map_err(|errors| {
        errors
            .into_iter()
            .map(|err| {
                let span = match &err {
                    hayagriva::io::BibLaTeXError::Parse(e) => e.span.clone(),
                    hayagriva::io::BibLaTeXError::Type(e) => e.span.clone(),
                };
                let mut d = Diagnostic::error(Code::Bibliography, format!("bibliography: {err}"));
                d.location = Some(locate(text, span));
                d
            })
            .collect()
    })
}

pub(crate) fn source_of(entry: &Entry) -> Source {
    let title = entry.title().map(|t| t.to_string()).unwrap_or_default();
    let authors = format_authors(entry);
    let year = entry.date_any().map(|d| d.year);
    let publisher = publisher_of(entry);
    let url = entry
        .url_any()
        .map(|u| u.value.to_string())
        .unwrap_or_default();
    let citation = format_citation(&authors, year, &title, &publisher);
    Source {
        key: entry.key().to_string(),
        reference: crate::citations::escape(&citation),
        reference_text: citation.clone(),
        in_text: String::new(),
        anchor: format!("ref-{}", entry.key()),
        reference_url: format!("references/#ref-{}", entry.key()),
        order: 0,
        citation,
        title,
        authors,
        year,
        publisher,
        url,
    }
}

fn format_authors(entry: &Entry) -> String {
    let names: Vec<String> = entry
        .authors()
        .unwrap_or_default()
        .iter()
        .map(|p| p.name_first(true, true))
        .collect();
    match names.as_slice() {
        [] => entry
            .organization()
            .map(|o| o.to_string())
            .unwrap_or_default(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The publisher, else the organisation, else the parent's title (a journal).
fn publisher_of(entry: &Entry) -> String {
    if let Some(name) = entry.publisher().and_then(|p| p.name()) {
        return name.to_string();
    }
    if let Some(org) = entry.organization() {
        return org.to_string();
    }
    entry
        .parents()
        .iter()
        .find_map(|p| p.title())
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn format_citation(authors: &str, year: Option<i32>, title: &str, publisher: &str) -> String {
    let year = year.map_or_else(|| "n.d.".to_string(), |y| y.to_string());
    let mut citation = if authors.is_empty() {
        format!("{title} ({year}).")
    } else {
        format!("{authors} ({year}). {title}.")
    };
    if !publisher.is_empty() && !authors.is_empty() {
        citation.push(' ');
        citation.push_str(publisher);
        citation.push('.');
    }
    citation.replace("..", ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hayagriva_yaml() {
        let yaml = "forrester2017:\n  type: report\n  title: Evaluation of Family Safeguarding\n  author: [\"Forrester, Donald\", \"Lynch, Amy\"]\n  date: 2017\n  publisher: Department for Education\n";
        let library = parse_yaml(yaml).expect("parses");
        let source = source_of(library.iter().next().expect("one entry"));
        assert_eq!(source.key, "forrester2017");
        assert_eq!(source.year, Some(2017));
        assert_eq!(source.authors, "Forrester, D. and Lynch, A.");
        assert_eq!(
            source.citation,
            "Forrester, D. and Lynch, A. (2017). Evaluation of Family Safeguarding. Department for Education."
        );
    }

    #[test]
    fn malformed_yaml_is_located() {
        let Err(problems) = parse_yaml("a:\n  type: report\n  title: [unclosed\n") else {
            panic!("expected an error");
        };
        assert!(problems[0].location.is_some());
    }
}
