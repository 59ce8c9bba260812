//! Search in `serve`: the Pagefind index of the site being served, built in the background.
//!
//! Owns when the index of a served site is built and what is served from it. A rebuild
//! marks the index out of date ([`SiteSearch::outdate`]), publishes its site and sends the
//! reload first; only then does [`SiteSearch::index`] start indexing that site's rendered
//! pages on threads of their own (with [`crate::search::Indexer`], fed from the site in
//! memory; `tessera build` indexes the folder it wrote instead), so the index never delays
//! a page. A newer rebuild supersedes the index in progress:
//! [`SiteSearch::supersede`] stops it as soon as the rebuild starts, so the two do not
//! compete for the processor (its result would be thrown away anyway); if that rebuild
//! fails, [`SiteSearch::resume`] indexes the site still served again.
//!
//! While no index of the served site is ready, the status at [`STATUS_PATH`] says so; the
//! search page reads it (the reload script tells it where) and says the index is being
//! built. Pagefind's UI script and style are served from the start, so the search page
//! loads without errors before the first index is ready; the rest of the bundle is that of
//! the last index built, until a newer one replaces it whole.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::snapshot::Snapshot;
use super::stderr_color;
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use crate::render::OutputFile;
use crate::search::{BUNDLE_DIR, Bundle, IndexOptions, Indexer, SearchError};

/// Where a page asks whether the index is ready. Served at the root of the host, whatever
/// `--base-path` says, as the reload events are.
pub(super) const STATUS_PATH: &str = "/__tessera/search";

/// The files of Pagefind's bundle that the search page loads by itself, before it knows
/// whether there is an index; they do not depend on the index.
const UI_FILES: [&str; 2] = ["pagefind-ui.js", "pagefind-ui.css"];

/// Files of a search bundle, by path inside [`BUNDLE_DIR`] (`pagefind.js`,
/// `index/en_….pf_index`).
type Files = HashMap<String, Arc<[u8]>>;

/// Where the index of the served site stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) enum Status {
    /// The served site has search off (or no site is served yet).
    #[default]
    Off,
    /// The served site is being indexed.
    Building,
    /// The bundle is the index of the served site.
    Ready { pages: usize },
    /// The served site could not be indexed.
    Failed(String),
}

impl Status {
    /// The status as the JSON the search page reads: `{"state": "building"}`,
    /// `{"state": "ready", "pages": 52}`, `{"state": "failed", "message": "…"}`, `{"state": "off"}`.
    pub(super) fn to_json(&self) -> String {
        let value = match self {
            Status::Off => serde_json::json!({ "state": "off" }),
            Status::Building => serde_json::json!({ "state": "building" }),
            Status::Ready { pages } => serde_json::json!({ "state": "ready", "pages": pages }),
            Status::Failed(message) => {
                serde_json::json!({ "state": "failed", "message": message })
            }
        };
        value.to_string()
    }
}

/// The search index of the served site, shared by the rebuild thread (which starts and
/// stops indexing), the indexing threads and the HTTP workers (which serve the bundle).
#[derive(Default)]
pub(super) struct SiteSearch {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    status: Status,
    /// The last complete bundle: the served site's index when `status` is ready, else an
    /// older one (kept so that a page still open on the older site finds its files).
    bundle: Option<Arc<Files>>,
    /// Pagefind's UI script and style, made once, served before any index is ready.
    ui: Option<Arc<Files>>,
    /// The site indexed last (or being indexed), so a failed rebuild can index it again.
    site: Option<(Arc<Snapshot>, IndexOptions)>,
    /// Counts indexing jobs: a job's result is kept only if no job started after it.
    epoch: u64,
    /// Stops the job in progress.
    cancel: Option<Arc<AtomicBool>>,
}

/// How the served site is indexed, or `None` when it has search off.
pub(super) fn settings(config: &SiteConfig, portable: bool) -> Option<IndexOptions> {
    config.search.enabled.then_some(IndexOptions {
        portable: portable || config.build.portable,
    })
}

impl SiteSearch {
    /// A new site is about to be served: from then on, the index is not that of the served
    /// site (it is being built, or the new site has search off). Stops the job in progress.
    pub(super) fn outdate(&self, settings: Option<IndexOptions>) {
        if let Some(options) = settings {
            self.ensure_ui(options);
        }
        let mut inner = self.lock();
        stop(&mut inner);
        inner.epoch += 1;
        if settings.is_some() {
            inner.status = Status::Building;
        } else {
            inner.status = Status::Off;
            inner.bundle = None;
            inner.site = None;
        }
    }

    /// Starts indexing `site`, just served, in the background (nothing when it has search
    /// off). Called after [`SiteSearch::outdate`] and the reload, so it never delays a page.
    pub(super) fn index(self: &Arc<Self>, site: Arc<Snapshot>, settings: Option<IndexOptions>) {
        let Some(options) = settings else {
            return;
        };
        let mut inner = self.lock();
        inner.site = Some((site.clone(), options));
        self.start_job(&mut inner, site, options);
    }

    /// A rebuild is starting: stops the job in progress, whose site is about to be replaced.
    pub(super) fn supersede(&self) {
        stop(&mut self.lock());
    }

    /// The rebuild failed, so the site indexed last is still served: indexes it again if
    /// [`SiteSearch::supersede`] stopped that before it was done.
    pub(super) fn resume(self: &Arc<Self>) {
        let mut inner = self.lock();
        if inner.status != Status::Building || inner.cancel.is_some() {
            return;
        }
        if let Some((site, options)) = inner.site.clone() {
            self.start_job(&mut inner, site, options);
        }
    }

    /// Where the index of the served site stands.
    pub(super) fn status(&self) -> Status {
        self.lock().status.clone()
    }

    /// A file of the bundle, by path inside `pagefind/`: the last index built, or before
    /// there is one, Pagefind's UI script and style.
    pub(super) fn file(&self, name: &str) -> Option<Arc<[u8]>> {
        let inner = self.lock();
        if inner.status == Status::Off {
            return None;
        }
        [&inner.bundle, &inner.ui]
            .into_iter()
            .flatten()
            .find_map(|files| files.get(name).cloned())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes Pagefind's UI files (from an empty index) the first time a site with search on
    /// is about to be served, so that its search page finds them. It takes a moment, once.
    fn ensure_ui(&self, options: IndexOptions) {
        if self.lock().ui.is_some() {
            return;
        }
        match Indexer::start(options).and_then(Indexer::finish) {
            Ok(bundle) => {
                let mut files = bundle_files(bundle);
                files.retain(|name, _| UI_FILES.contains(&name.as_str()));
                self.lock().ui = Some(Arc::new(files));
            }
            Err(err) => report(&err),
        }
    }

    fn start_job(self: &Arc<Self>, inner: &mut Inner, site: Arc<Snapshot>, options: IndexOptions) {
        stop(inner);
        inner.epoch += 1;
        inner.status = Status::Building;
        let cancel = Arc::new(AtomicBool::new(false));
        inner.cancel = Some(cancel.clone());
        let epoch = inner.epoch;
        let search = self.clone();
        let spawned = std::thread::Builder::new()
            .name("tessera-serve-search".to_string())
            .spawn(move || {
                let started = Instant::now();
                let result = index_site(&site, options, &cancel);
                drop(site);
                search.finish(epoch, result, started);
            });
        if let Err(err) = spawned {
            inner.cancel = None;
            inner.status = Status::Failed(format!("cannot start the search indexer: {err}"));
        }
    }

    /// Takes a job's result, unless a newer job started meanwhile.
    fn finish(&self, epoch: u64, result: Result<Bundle, SearchError>, started: Instant) {
        let mut inner = self.lock();
        if inner.epoch != epoch {
            return;
        }
        inner.cancel = None;
        match result {
            Ok(bundle) => {
                let pages = bundle.pages;
                inner.bundle = Some(Arc::new(bundle_files(bundle)));
                inner.status = Status::Ready { pages };
                drop(inner);
                println!(
                    "Search index ready: {pages} pages in {} ms",
                    started.elapsed().as_millis()
                );
            }
            // Stopped by `supersede`: a newer job, or `resume`, takes over.
            Err(SearchError::Cancelled) => {}
            Err(err) => {
                inner.status = Status::Failed(err.to_string());
                drop(inner);
                report(&err);
            }
        }
    }
}

/// Prints why the index could not be built, as a build's error would be.
fn report(err: &SearchError) {
    let mut diagnostics = Diagnostics::new();
    diagnostics.push(err.to_diagnostic());
    eprintln!("{}", diagnostics.render_human(stderr_color()));
}

/// Stops the job in progress, if any.
fn stop(inner: &mut Inner) {
    if let Some(cancel) = inner.cancel.take() {
        cancel.store(true, Ordering::Relaxed);
    }
}

/// Feeds the site's rendered pages to an indexer (which keeps those marked for search) and
/// returns its bundle; stops early when `cancel` is set.
fn index_site(
    site: &Snapshot,
    options: IndexOptions,
    cancel: &AtomicBool,
) -> Result<Bundle, SearchError> {
    let indexer = Indexer::start(options)?;
    for (key, contents) in site.rendered_files() {
        if cancel.load(Ordering::Relaxed) {
            // Dropping the indexer stops its thread.
            return Err(SearchError::Cancelled);
        }
        indexer.add(&OutputFile {
            path: PathBuf::from(key),
            contents: contents.clone(),
        });
    }
    let bundle = indexer.finish()?;
    if cancel.load(Ordering::Relaxed) {
        return Err(SearchError::Cancelled);
    }
    Ok(bundle)
}

/// A bundle's files by path inside [`BUNDLE_DIR`], with `/` separators.
fn bundle_files(bundle: Bundle) -> Files {
    bundle
        .files
        .into_iter()
        .filter_map(|file| {
            let inside = file.path.strip_prefix(BUNDLE_DIR).ok()?;
            let name = inside
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Some((name, file.contents))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(pages: usize, names: &[&str]) -> Bundle {
        Bundle {
            files: names
                .iter()
                .map(|name| OutputFile {
                    path: PathBuf::from(BUNDLE_DIR).join(name),
                    contents: Arc::from(name.as_bytes()),
                })
                .collect(),
            pages,
        }
    }

    /// A search whose next job is `epoch`, as `start_job` leaves it, without threads.
    fn building(search: &SiteSearch) -> u64 {
        let mut inner = search.lock();
        inner.epoch += 1;
        inner.status = Status::Building;
        inner.cancel = Some(Arc::new(AtomicBool::new(false)));
        inner.epoch
    }

    #[test]
    fn a_finished_job_serves_its_bundle_and_says_ready() {
        let search = SiteSearch::default();
        assert_eq!(search.status(), Status::Off);
        let epoch = building(&search);
        assert_eq!(search.status().to_json(), r#"{"state":"building"}"#);
        assert!(search.file("pagefind.js").is_none());
        search.finish(
            epoch,
            Ok(bundle(3, &["pagefind.js", "index/en_1.pf_index"])),
            Instant::now(),
        );
        assert_eq!(search.status(), Status::Ready { pages: 3 });
        assert_eq!(search.status().to_json(), r#"{"pages":3,"state":"ready"}"#);
        assert_eq!(
            search.file("index/en_1.pf_index").as_deref(),
            Some(&b"index/en_1.pf_index"[..])
        );
    }

    #[test]
    fn a_superseded_job_is_thrown_away() {
        let search = SiteSearch::default();
        let old = building(&search);
        let new = building(&search);
        search.finish(old, Ok(bundle(1, &["old.pf_meta"])), Instant::now());
        assert_eq!(search.status(), Status::Building);
        assert!(search.file("old.pf_meta").is_none());
        search.finish(new, Ok(bundle(2, &["new.pf_meta"])), Instant::now());
        assert_eq!(search.status(), Status::Ready { pages: 2 });
        assert!(search.file("new.pf_meta").is_some());
    }

    #[test]
    fn a_failed_job_says_why_and_a_cancelled_one_keeps_building() {
        let search = SiteSearch::default();
        let epoch = building(&search);
        search.finish(epoch, Err(SearchError::Cancelled), Instant::now());
        assert_eq!(search.status(), Status::Building);
        search.finish(epoch, Err(SearchError::Crashed), Instant::now());
        assert_eq!(
            search.status().to_json(),
            r#"{"message":"the search indexer stopped unexpectedly","state":"failed"}"#
        );
    }
}
