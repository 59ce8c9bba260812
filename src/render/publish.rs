//! What publishing the review as research adds to the site: the references page, "cite
//! this" values for case studies, claims and the home page, and the downloads
//! (`references.bib`, `references.ris`; each page's own entry is a `data:` download in
//! the page).
//!
//! [`Published::of`] formats everything once per render; [`Published::add_to`] gives the
//! page jobs their extra variables and pages, [`Published::files`] the files that are not
//! pages.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tera::Value;

use super::OutputFile;
use super::feeds;
use super::jobs::{PageJob, Var};
use super::publish_cache::{Digested, PublishCache};
use super::values::{Digest, digest_of, template_value};
use crate::citations::{self, PageCitation, PageEntry};
use crate::review::Review;
use crate::review::model::PageRef;
use crate::shared::Shared;

/// Everything publishing adds, formatted once.
pub(super) struct Published {
    /// "Cite this page" per page URL (case studies and claims), as the `cite` value.
    pages: HashMap<String, Digested>,
    /// Metadata for reference managers and link previews, per page URL.
    meta: HashMap<String, Digested>,
    /// How to cite the review as a whole, as the `cite_review` value (none without a style).
    review: Value,
    /// The references page's entries, in the style's order: one value for the references
    /// page and the last part of `/print/`, converted and digested once.
    references: Digested,
    bib: String,
    ris: String,
    /// `sitemap.xml`, once the pages are known; `None` without a `base_url`.
    sitemap: Option<String>,
    /// Which print part holds each case study, once the pages are known.
    print_layout: Option<Arc<super::print::Layout>>,
    /// In `serve`: the print parts' bodies as last rewritten.
    print_bodies: Option<Arc<super::print::KeptBodies>>,
    /// The last render's links from `/print/`'s contested claims to their case studies
    /// (see [`Published::following`]).
    last_case_parts: Option<(Value, Digest)>,
    atom: Option<String>,
    robots: String,
}

/// The absolute URL of a page, or `""` without a `base_url`.
pub(super) fn absolute(base_url: &str, url: &str) -> String {
    if base_url.is_empty() {
        return String::new();
    }
    format!("{}/{}", base_url.trim_end_matches('/'), url)
}

impl Published {
    /// Everything publishing adds; with a cache (serve), pages whose title and summary are
    /// unchanged reuse their citation and metadata.
    pub(super) fn of(review: &Review, mut cache: Option<&mut PublishCache>) -> Published {
        let config = &review.config;
        let styled = review.bibliography.styled.as_ref();
        if let Some(cache) = cache.as_deref_mut() {
            cache.check(config, styled.map(|s| &s.style));
        }
        let kept = cache.as_deref();
        let tracked = kept.is_some();
        let mut pages: Vec<(&str, &str)> = review
            .case_studies
            .iter()
            .map(|c| (c.url.as_str(), c.title.as_str()))
            .collect();
        pages.extend(
            review
                .claims
                .iter()
                .map(|c| (c.url.as_str(), c.title.as_str())),
        );
        let with_url = !config.base_url.is_empty();
        let page_citer = styled.map(|s| {
            citations::PageCiter::new(&s.style, config, "chapter", &config.title, with_url)
        });
        let review_citer =
            styled.map(|s| citations::PageCiter::new(&s.style, config, "report", "", with_url));
        let cite = |citer: Option<&citations::PageCiter>,
                    url: &str,
                    title: &str,
                    kind: &str,
                    container: &str| {
            let key = slug::slugify(if url.is_empty() { title } else { url });
            let absolute = absolute(&config.base_url, url);
            let entry = PageEntry {
                key: &key,
                title,
                kind,
                url: &absolute,
                container,
            };
            citer?.cite(&entry).ok()
        };
        let page_citations: HashMap<String, Digested> = pages
            .par_iter()
            .filter_map(|(url, title)| {
                kept.and_then(|k| k.citation(url, title))
                    .or_else(|| {
                        let citation =
                            cite(page_citer.as_ref(), url, title, "chapter", &config.title)?;
                        Some(digested(cite_value(&citation, file_of(url)), tracked))
                    })
                    .map(|c| (url.to_string(), c))
            })
            .collect();
        let pages_meta = |url: &str, title: &str, summary: &str| {
            let meta = kept
                .and_then(|k| k.meta(url, title, summary))
                .unwrap_or_else(|| digested(page_meta(review, url, title, summary), tracked));
            (url.to_string(), meta)
        };
        let case_meta = review
            .case_studies
            .par_iter()
            .map(|c| pages_meta(&c.url, &c.title, &c.summary));
        let claim_meta = review
            .claims
            .par_iter()
            .map(|c| pages_meta(&c.url, &c.title, &c.summary));
        let meta: HashMap<String, Digested> = case_meta.chain(claim_meta).collect();
        if let Some(cache) = cache.as_deref_mut() {
            let inputs = review
                .case_studies
                .iter()
                .map(|c| (&c.url, &c.title, &c.summary))
                .chain(review.claims.iter().map(|c| (&c.url, &c.title, &c.summary)));
            cache.keep(inputs, &page_citations, &meta);
        }
        let print_bodies = cache.as_deref().map(|c| c.print_bodies.clone());
        if let Some(kept) = &print_bodies {
            kept.forget_gone(review);
        }
        let home = review.url_style.page("");
        let review_citation = cite(review_citer.as_ref(), &home, &config.title, "report", "")
            .map_or(Value::none(), |c| cite_value(&c, "cite"));
        // The feed and the references page each walk every case study on one thread, so
        // they are made side by side.
        let (references, atom) = rayon::join(
            || {
                let entries = references(review);
                let digest = tracked.then(|| digest_of("references", &entries));
                (template_value(&entries), digest)
            },
            || feeds::atom(review, cache.map(|c| &mut c.atom)),
        );
        Published {
            meta,
            pages: page_citations,
            review: review_citation,
            references,
            bib: citations::export::biblatex(review.bibliography.library.iter()),
            ris: citations::export::ris(review.bibliography.library.iter()),
            sitemap: None,
            print_layout: None,
            print_bodies,
            last_case_parts: None,
            atom,
            robots: feeds::robots(&config.base_url),
        }
    }

    /// This render's publishing, made after `last` (the last render's, in `serve`): where
    /// `/print/`'s contested claims link to their case studies is the same value as last
    /// time when it has the same content, so the claims' fragments keyed by it are found
    /// again after an edit of front matter.
    pub(super) fn following(mut self, last: Option<&Published>) -> Published {
        self.last_case_parts = last
            .and_then(|last| last.print_layout.as_ref())
            .and_then(|layout| layout.case_parts())
            .cloned();
        self
    }

    /// Gives case-study and claim pages their `cite` and `meta`, the home page
    /// `cite_review`, adds the references page and the `/print/` parts, and makes the
    /// sitemap of every page.
    pub(super) fn add_to(&mut self, review: &Review, jobs: &mut Vec<PageJob>) {
        // In parallel: a large review has thousands of these pages.
        jobs.par_iter_mut().for_each(|job| match job.template {
            "case-study.html" | "claim.html" => {
                let var = |value: Option<&Digested>| {
                    value.map_or(Var::Plain(Value::none()), digested_var)
                };
                job.vars.push(("cite", var(self.pages.get(&job.url))));
                job.vars.push(("meta", var(self.meta.get(&job.url))));
            }
            "index.html" => job
                .vars
                .push(("cite_review", Var::Plain(self.review.clone()))),
            _ => {}
        });
        let style = review.bibliography.styled.as_ref();
        jobs.push(PageJob::new(
            review.url_style.page("references"),
            "references.html",
            "references",
            "References",
            vec![
                ("references", digested_var(&self.references)),
                (
                    "style",
                    Var::Plain(Value::from(
                        style.map_or(String::new(), |s| s.style.name.clone()),
                    )),
                ),
            ],
        ));
        let layout = self.print_layout.get_or_insert_with(|| {
            Arc::new(super::print::Layout::of(
                review,
                self.last_case_parts.take(),
            ))
        });
        let mut print = super::print::jobs(review, layout, self.print_bodies.as_ref());
        if let Some(last) = print.last_mut() {
            last.vars
                .push(("references", digested_var(&self.references)));
        }
        if let Some(first) = print.first_mut() {
            first
                .vars
                .push(("cite_review", Var::Plain(self.review.clone())));
        }
        jobs.extend(print);
        // A sitemap kept from the last render (see `render_cached`) lists the same pages.
        if self.sitemap.is_none() {
            let urls: Vec<&str> = jobs
                .iter()
                .filter(|job| job.template != "404.html")
                .map(|job| job.url.as_str())
                .collect();
            self.sitemap = feeds::sitemap(&review.config.base_url, &urls);
        }
    }

    /// The files that are not pages: the whole bibliography, robots, sitemap and feed.
    pub(super) fn files(&self) -> Vec<OutputFile> {
        let file = |path: String, text: &str| OutputFile {
            path: PathBuf::from(path),
            contents: Arc::from(text.as_bytes()),
        };
        let mut files = vec![
            file("references.bib".to_string(), &self.bib),
            file("references.ris".to_string(), &self.ris),
        ];
        files.push(file("robots.txt".to_string(), &self.robots));
        if let Some(sitemap) = &self.sitemap {
            files.push(file("sitemap.xml".to_string(), sitemap));
        }
        if let Some(atom) = &self.atom {
            files.push(file("atom.xml".to_string(), atom));
        }
        files
    }
}

/// A value with its digest, for [`Var::Digested`], when `digest` (in `serve`).
fn digested(value: Value, digest: bool) -> Digested {
    let digest = digest.then(|| digest_of("plain", &value));
    (value, digest)
}

/// The page variable for a value made with [`digested`].
fn digested_var((value, digest): &Digested) -> Var {
    match digest {
        Some(digest) => Var::Digested(value.clone(), *digest),
        None => Var::Plain(value.clone()),
    }
}

/// A citation as templates see it: `{html, text, bib, ris, file}` where `bib` and `ris` are
/// `data:` addresses holding the downloads (a file each would double the files a large
/// review writes) and `file` the name to save them under.
fn cite_value(citation: &PageCitation, file: &str) -> Value {
    Value::from_serializable(&serde_json::json!({
        "html": citation.html,
        "text": citation.text,
        "bib": data_url("application/x-bibtex", &citation.bib),
        "ris": data_url("application/x-research-info-systems", &citation.ris),
        "file": file,
    }))
}

/// What a `data:` address may hold unencoded besides letters and digits.
const DATA_URL: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `text` as a UTF-8 `data:` address of type `mime`.
fn data_url(mime: &str, text: &str) -> String {
    format!(
        "data:{mime};charset=utf-8,{}",
        percent_encoding::utf8_percent_encode(text, DATA_URL)
    )
}

/// The name a page's citation downloads under: its slug, `cite` for the review's home.
fn file_of(url: &str) -> &str {
    url.trim_end_matches("index.html")
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|name| !name.is_empty())
        .unwrap_or("cite")
}

/// Every entry in the style's order, with the case studies and claims that cite it.
fn references(review: &Review) -> Vec<ReferenceEntry<'_>> {
    let Some(styled) = review.bibliography.styled.as_ref() else {
        return Vec::new();
    };
    let mut case_studies: HashMap<&str, Vec<Shared<PageRef>>> = HashMap::new();
    for c in &review.case_studies {
        for s in &c.sources {
            case_studies
                .entry(s.key.as_str())
                .or_default()
                .push(c.self_ref.clone());
        }
    }
    let mut claims: HashMap<&str, Vec<Shared<PageRef>>> = HashMap::new();
    for c in &review.claims {
        let mut seen = std::collections::HashSet::new();
        for f in &c.findings {
            if let Some(s) = &f.source
                && seen.insert(s.key.as_str())
            {
                claims
                    .entry(s.key.as_str())
                    .or_default()
                    .push(c.self_ref.clone());
            }
        }
    }
    styled
        .order
        .iter()
        .filter_map(|key| review.bibliography.get(key))
        .map(|source| ReferenceEntry {
            anchor: &source.anchor,
            case_studies: case_studies
                .get(source.key.as_str())
                .cloned()
                .unwrap_or_default(),
            claims: claims.get(source.key.as_str()).cloned().unwrap_or_default(),
            key: &source.key,
            reference: &source.reference,
            reference_text: &source.reference_text,
            url: &source.url,
        })
        .collect()
}

/// One entry of the references page: a source and the pages that cite it. (Fields in
/// name order, the order templates have always seen them in.)
#[derive(Serialize)]
struct ReferenceEntry<'a> {
    anchor: &'a str,
    case_studies: Vec<Shared<PageRef>>,
    claims: Vec<Shared<PageRef>>,
    key: &'a str,
    reference: &'a str,
    reference_text: &'a str,
    url: &'a str,
}

/// A page's metadata: Highwire Press tags (`citation_*`, read by Google Scholar and
/// Zotero), Open Graph tags and a schema.org `ScholarlyArticle` in JSON-LD, all from
/// `[publication]`, the site and the page's own title and summary. Tags without a value
/// are left out.
fn page_meta(review: &Review, url: &str, title: &str, summary: &str) -> Value {
    let config = &review.config;
    let publication = &config.publication;
    let canonical = absolute(&config.base_url, url);
    let date = publication.effective_date(config.edition);
    let authors = publication.author_names();
    let mut highwire: Vec<(&str, String)> = vec![("citation_title", title.to_string())];
    for author in &authors {
        highwire.push(("citation_author", author.clone()));
    }
    if let Some(date) = &date {
        highwire.push(("citation_publication_date", date.slashed()));
    }
    if let Some(publisher) = &publication.publisher {
        highwire.push(("citation_publisher", publisher.clone()));
    }
    highwire.push(("citation_inbook_title", config.title.clone()));
    if !canonical.is_empty() {
        highwire.push(("citation_public_url", canonical.clone()));
        highwire.push(("citation_abstract_html_url", canonical.clone()));
    }
    if let Some(issn) = &publication.issn {
        highwire.push(("citation_issn", issn.clone()));
    }
    highwire.push(("citation_language", config.language.clone()));

    let mut open_graph: Vec<(&str, String)> = vec![
        ("og:type", "article".to_string()),
        ("og:title", title.to_string()),
        ("og:site_name", config.title.clone()),
        ("og:locale", config.language.replace('-', "_")),
    ];
    if !summary.is_empty() {
        open_graph.push(("og:description", summary.to_string()));
    }
    if !canonical.is_empty() {
        open_graph.push(("og:url", canonical.clone()));
    }
    if let Some(date) = &date {
        open_graph.push(("article:published_time", date.iso()));
    }

    let is_people = !publication.authors.is_empty();
    let author_ld: Vec<serde_json::Value> = authors
        .iter()
        .map(|name| {
            let kind = if is_people { "Person" } else { "Organization" };
            serde_json::json!({ "@type": kind, "name": name })
        })
        .collect();
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": title,
        "name": title,
        "inLanguage": config.language,
        "isPartOf": { "@type": "CreativeWork", "name": config.title },
    });
    if let Some(map) = ld.as_object_mut() {
        let mut put = |key: &str, value: serde_json::Value| {
            map.insert(key.to_string(), value);
        };
        if !summary.is_empty() {
            put("description", summary.into());
        }
        if !author_ld.is_empty() {
            put("author", author_ld.into());
        }
        if let Some(publisher) = &publication.publisher {
            put(
                "publisher",
                serde_json::json!({ "@type": "Organization", "name": publisher }),
            );
        }
        if let Some(date) = &date {
            put("datePublished", date.iso().into());
        }
        if !canonical.is_empty() {
            put("url", canonical.clone().into());
        }
        if let Some(licence) = &publication.licence {
            put(
                "license",
                publication
                    .licence_url
                    .clone()
                    .unwrap_or_else(|| licence.clone())
                    .into(),
            );
        }
    }
    // Inside <script>, `<` could close the element: JSON allows it escaped.
    let jsonld = ld.to_string().replace('<', "\\u003c");
    Value::from_serializable(&serde_json::json!({
        "highwire": highwire,
        "open_graph": open_graph,
        "jsonld": jsonld,
    }))
}
