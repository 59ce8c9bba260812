//! Each page's "cite this page" entry and metadata kept from one render to the next, for
//! `serve`: formatting them for every case study is most of a rebuild's fixed cost in a
//! large review, and an edit changes the title or summary of one page at most. The same
//! cache holds the Atom feed's entries and `/print/`'s rewritten bodies (see `feeds` and
//! `print`), which depend on the same configuration.

use std::collections::HashMap;
use std::sync::Arc;

use tera::Value;

use super::values::Digest;
use crate::citations::Style;
use crate::config::SiteConfig;

/// A template value with the digest of its content, made once: digesting each page's
/// citation and metadata on every rebuild was a fixed cost of every edit in `serve`. A
/// build, which compares nothing with an earlier one, leaves the digest out.
pub(super) type Digested = (Value, Option<Digest>);

/// What the last render made, by page URL, with what it was made from. Valid only for the
/// same configuration and citation style, which every entry also depends on.
#[derive(Default)]
pub(crate) struct PublishCache {
    made_with: Option<(Arc<SiteConfig>, Option<Arc<Style>>)>,
    /// URL → (title, `cite` value).
    citations: HashMap<String, (String, Digested)>,
    /// URL → (title, summary, metadata).
    meta: HashMap<String, (String, String, Digested)>,
    /// The Atom feed's entries.
    pub(super) atom: super::feeds::AtomEntries,
    /// `/print/`'s case-study bodies.
    pub(super) print_bodies: Arc<super::print::KeptBodies>,
}

impl PublishCache {
    /// Forgets everything unless it was made with this configuration and style.
    pub(super) fn check(&mut self, config: &Arc<SiteConfig>, style: Option<&Arc<Style>>) {
        let same = self.made_with.as_ref().is_some_and(|(c, s)| {
            (Arc::ptr_eq(c, config) || **c == **config) && s.as_ref() == style
        });
        if !same {
            *self = PublishCache {
                made_with: Some((config.clone(), style.cloned())),
                ..PublishCache::default()
            };
        }
    }

    /// The `cite` value made last time for this page with this title.
    pub(super) fn citation(&self, url: &str, title: &str) -> Option<Digested> {
        self.citations
            .get(url)
            .filter(|(t, _)| t == title)
            .map(|(_, c)| c.clone())
    }

    /// The metadata made last time for this page with this title and summary.
    pub(super) fn meta(&self, url: &str, title: &str, summary: &str) -> Option<Digested> {
        self.meta
            .get(url)
            .filter(|(t, s, _)| t == title && s == summary)
            .map(|(_, _, m)| m.clone())
    }

    /// Keeps this render's entries (only these: pages that are gone are forgotten), given
    /// each page's URL, title and summary and what this render made for it. An entry whose
    /// title and summary are those it was made from is the one this render took from here,
    /// so it stays; after an edit only the edited page's entries are written again, rather
    /// than every page's (copying 10,000 URLs, titles and summaries took 12–17 ms).
    pub(super) fn keep<'a>(
        &mut self,
        pages: impl Iterator<Item = (&'a String, &'a String, &'a String)>,
        citations: &HashMap<String, Digested>,
        meta: &HashMap<String, Digested>,
    ) {
        let (mut cited, mut described) = (0, 0);
        for (url, title, summary) in pages {
            match citations.get(url) {
                Some(citation) => {
                    cited += 1;
                    let kept = self.citations.get(url).is_some_and(|(t, _)| t == title);
                    if !kept {
                        let entry = (title.clone(), citation.clone());
                        self.citations.insert(url.clone(), entry);
                    }
                }
                None => {
                    self.citations.remove(url);
                }
            }
            match meta.get(url) {
                Some(value) => {
                    described += 1;
                    let kept = self
                        .meta
                        .get(url)
                        .is_some_and(|(t, s, _)| t == title && s == summary);
                    if !kept {
                        let entry = (title.clone(), summary.clone(), value.clone());
                        self.meta.insert(url.clone(), entry);
                    }
                }
                None => {
                    self.meta.remove(url);
                }
            }
        }
        // Entries of pages that are no longer in the review: every other entry is counted.
        if self.citations.len() != cited || self.meta.len() != described {
            self.citations.retain(|url, _| citations.contains_key(url));
            self.meta.retain(|url, _| meta.contains_key(url));
        }
    }
}
