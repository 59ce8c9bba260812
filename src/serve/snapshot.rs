//! What the server is serving right now: the last good site and the current build error.
//!
//! A [`Snapshot`] is one compiled site, indexed by URL path, immutable once made. [`State`]
//! holds the current snapshot and error behind a mutex that is locked only to swap or to
//! clone two `Arc`s, so a request always sees one whole site (never half of a rebuild),
//! and a rebuild never waits for a slow client. Every change of what is served gets a new
//! generation number, which is what the reload events carry.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use crate::Site;

/// Reads a file that is copied as it is (a theme's static file, a content asset).
type ReadFile = Box<dyn Fn() -> io::Result<Vec<u8>> + Send + Sync>;

/// One file of the served site.
pub(super) enum Resource {
    /// A rendered page (or other generated file), in memory.
    Rendered(Arc<[u8]>),
    /// A file read from the review when requested.
    Copied(ReadFile),
}

/// A compiled site, by path relative to the site root with `/` separators
/// (`case-studies/alpha/index.html`).
pub(super) struct Snapshot {
    files: HashMap<String, Resource>,
    /// How many pages the site has.
    pub pages: usize,
    /// How many of them the build rendered (the rest were the previous build's).
    pub rendered: usize,
}

impl Snapshot {
    pub(super) fn new(site: Site) -> Snapshot {
        let mut files = HashMap::with_capacity(site.files.len() + site.copies.len());
        for copy in site.copies {
            files.insert(url_key(&copy.path), Resource::Copied(copy.read));
        }
        // Rendered files win over copies of the same path, as they do on disk (written last).
        for file in site.files {
            files.insert(url_key(&file.path), Resource::Rendered(file.contents));
        }
        Snapshot {
            files,
            pages: site.pages,
            rendered: site.rendered,
        }
    }

    /// A site with no files, for routing before the first good build.
    pub(super) fn empty() -> Snapshot {
        Snapshot {
            files: HashMap::new(),
            pages: 0,
            rendered: 0,
        }
    }

    /// A site with an empty page at each key, for tests.
    #[cfg(test)]
    pub(super) fn with_keys(keys: &[&str]) -> Snapshot {
        let files = keys
            .iter()
            .map(|k| (k.to_string(), Resource::Rendered(Arc::from(&b""[..]))))
            .collect();
        Snapshot {
            files,
            pages: 0,
            rendered: 0,
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&Resource> {
        self.files.get(key)
    }

    pub(super) fn contains(&self, key: &str) -> bool {
        self.files.contains_key(key)
    }

    /// The rendered files (not the copied ones), sorted by key, for the search index.
    pub(super) fn rendered_files(&self) -> Vec<(&str, &Arc<[u8]>)> {
        let mut files: Vec<(&str, &Arc<[u8]>)> = self
            .files
            .iter()
            .filter_map(|(key, resource)| match resource {
                Resource::Rendered(bytes) => Some((key.as_str(), bytes)),
                Resource::Copied(_) => None,
            })
            .collect();
        files.sort_unstable_by_key(|(key, _)| *key);
        files
    }

    /// Rendered files that differ from `old` (new, changed or removed), sorted.
    pub(super) fn changed_since(&self, old: &Snapshot) -> Vec<String> {
        let rendered = |resource: Option<&Resource>| match resource {
            Some(Resource::Rendered(bytes)) => Some(bytes.clone()),
            _ => None,
        };
        // A page reused from the previous build is the same allocation: no need to compare.
        let same = |a: Option<Arc<[u8]>>, b: Option<Arc<[u8]>>| match (a, b) {
            (Some(a), Some(b)) => Arc::ptr_eq(&a, &b) || a == b,
            (a, b) => a.is_none() && b.is_none(),
        };
        let mut changed: Vec<String> = self
            .files
            .iter()
            .filter(|(key, new)| !same(rendered(Some(new)), rendered(old.files.get(*key))))
            .map(|(key, _)| key.clone())
            .chain(
                old.files
                    .iter()
                    .filter(|(key, r)| {
                        matches!(r, Resource::Rendered(_)) && !self.files.contains_key(*key)
                    })
                    .map(|(key, _)| key.clone()),
            )
            .collect();
        changed.sort();
        changed
    }
}

/// A site-relative path as a URL path key.
fn url_key(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// What is served: the last good site (none before the first good build), the current
/// build error rendered for the overlay, and the generation of this combination.
#[derive(Clone, Default)]
pub(super) struct Served {
    pub site: Option<Arc<Snapshot>>,
    pub error: Option<Arc<str>>,
    pub generation: u64,
}

/// The served state, shared by the HTTP workers and the rebuild thread.
#[derive(Default)]
pub(super) struct State {
    inner: Mutex<Served>,
}

impl State {
    pub(super) fn current(&self) -> Served {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Serves a new site and clears any error. Returns the new generation and the
    /// previous site (for comparison; drop it off the hot path, it may be large).
    pub(super) fn publish_site(&self, site: Arc<Snapshot>) -> (u64, Option<Arc<Snapshot>>) {
        let mut served = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let old = served.site.replace(site);
        served.error = None;
        served.generation += 1;
        (served.generation, old)
    }

    /// Shows `error` over the last good site. Returns the new generation, or `None` when
    /// the same error is already shown (nothing for browsers to reload).
    pub(super) fn publish_error(&self, error: &str) -> Option<u64> {
        let mut served = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if served.error.as_deref() == Some(error) {
            return None;
        }
        served.error = Some(Arc::from(error));
        served.generation += 1;
        Some(served.generation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(pages: &[(&str, &str)]) -> Snapshot {
        let files = pages
            .iter()
            .map(|(k, v)| (k.to_string(), Resource::Rendered(Arc::from(v.as_bytes()))))
            .collect();
        Snapshot {
            files,
            pages: 0,
            rendered: 0,
        }
    }

    #[test]
    fn lists_new_changed_and_removed_pages() {
        let old = site(&[("a.html", "1"), ("b.html", "2"), ("c.html", "3")]);
        let new = site(&[("a.html", "1"), ("b.html", "two"), ("d.html", "4")]);
        assert_eq!(new.changed_since(&old), ["b.html", "c.html", "d.html"]);
    }

    #[test]
    fn an_unchanged_error_is_not_published_twice() {
        let state = State::default();
        assert_eq!(state.publish_error("e"), Some(1));
        assert_eq!(state.publish_error("e"), None);
        let (generation, _) = state.publish_site(Arc::new(Snapshot::empty()));
        assert_eq!(generation, 2);
        assert!(state.current().error.is_none());
    }
}
