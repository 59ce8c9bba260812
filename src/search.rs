//! Full-text search: a [Pagefind](https://pagefind.app) index of the site, built in memory.
//!
//! Owns which pages go into the index, feeding them to the `pagefind` crate, and the bundle
//! Pagefind returns: the index itself, `pagefind.js`, the default
//! search UI and its WebAssembly, all as [`OutputFile`]s under [`BUNDLE_DIR`]. A page is
//! indexed when its HTML marks a `data-pagefind-body` element; the default theme marks case
//! studies, themes, claims, other pages and the home page, and leaves listings, the map,
//! facet pages, the search page and 404 out. Filters (`data-pagefind-filter`) and metadata
//! (`data-pagefind-meta`) come from the templates too. It knows nothing about the review or
//! templates and writes nothing to disk.
//!
//! `tessera build` gathers the pages to index in a [`PageFolder`] as it writes them and then
//! lets Pagefind read and parse them there in parallel (as its command-line tool does). `tessera serve`,
//! whose pages are only in memory, feeds them to an [`Indexer`]: Pagefind's API for pages in
//! memory parses one page at a time, so the indexer runs it on a thread of its own, and
//! pages reach it through a bounded channel (at most [`QUEUE`] wait in memory). Either way
//! Pagefind's asynchronous API runs on a small single-threaded Tokio runtime, and nothing
//! of this starts unless search is on.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::diagnostics::{Code, Diagnostic};
use crate::memory::PromptPurge;
use crate::output::OutputError;
use crate::render::OutputFile;

/// The folder of the output that holds the search bundle. Pagefind's script works out the
/// site's root from its own address by cutting it at `pagefind/`, so under this name the
/// search works at any sub-path with no setting.
pub(crate) const BUNDLE_DIR: &str = "pagefind";

/// The attribute that marks the part of a page to index; pages without it are left out.
pub(crate) const BODY_MARKER: &[u8] = b"data-pagefind-body";

/// What is never indexed, whatever the theme: the `#` link tessera adds to each heading of
/// a Markdown body.
const EXCLUDED: [&str; 1] = [".heading-anchor"];

/// How many rendered pages may wait for the indexer before rendering waits for it.
const QUEUE: usize = 64;

/// How the index is built.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IndexOptions {
    /// Result URLs keep `index.html`, as the links of a portable build do.
    pub portable: bool,
}

/// Why the search index could not be built.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SearchError {
    #[error("cannot start the search indexer: {0}")]
    Start(String),
    #[error("cannot index `{page}` for search: {message}")]
    Page { page: PathBuf, message: String },
    #[error("cannot build the search index: {0}")]
    Index(String),
    #[error("the search indexer stopped unexpectedly")]
    Crashed,
    #[error("search indexing was cancelled")]
    Cancelled,
}

impl SearchError {
    /// The error as a diagnostic, for the build's report.
    pub(crate) fn to_diagnostic(&self) -> Diagnostic {
        let diagnostic = Diagnostic::error(Code::Search, self.to_string());
        match self {
            SearchError::Page { .. } => diagnostic
                .with_hint("the page's HTML comes from the theme's templates; check the template that renders it"),
            SearchError::Crashed => diagnostic.with_hint(
                "this is a bug in tessera or Pagefind; `[search] enabled = false` in site.toml (or `--no-search`) builds the site without search",
            ),
            _ => diagnostic.with_hint(
                "`[search] enabled = false` in site.toml (or `--no-search`) builds the site without search",
            ),
        }
    }
}

/// The search bundle: files to write under the output folder, and what went into it.
#[derive(Debug)]
pub(crate) struct Bundle {
    /// Paths relative to the output folder, all under [`BUNDLE_DIR`].
    pub files: Vec<OutputFile>,
    /// Pages that were indexed.
    pub pages: usize,
}

/// A page on its way to the indexer.
struct Page {
    path: PathBuf,
    contents: Arc<[u8]>,
}

/// The warning for a build with search on whose theme marks no page for the index.
pub(crate) fn empty_index_warning() -> Diagnostic {
    Diagnostic::warning(
        Code::SearchEmpty,
        "search is on, but no page marks a `data-pagefind-body` element, so the search index is empty",
    )
    .with_hint("the default theme marks case studies, themes, claims and pages; a theme of your own must add the attribute to the part of each page to index (see the README)")
}

/// Builds the index on a thread of its own from pages handed to it one by one (`serve`
/// indexes its site in memory this way). Dropping it without [`Indexer::finish`] stops the
/// thread and throws the index away.
pub(crate) struct Indexer {
    sender: Option<SyncSender<Page>>,
    cancelled: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<Bundle, SearchError>>>,
}

impl Indexer {
    /// Starts the indexing thread.
    pub(crate) fn start(options: IndexOptions) -> Result<Indexer, SearchError> {
        let (sender, receiver) = sync_channel(QUEUE);
        let cancelled = Arc::new(AtomicBool::new(false));
        let flag = cancelled.clone();
        let thread = std::thread::Builder::new()
            .name("tessera-search".to_string())
            .spawn(move || index_pages(options, &receiver, &flag))
            .map_err(|err| SearchError::Start(err.to_string()))?;
        Ok(Indexer {
            sender: Some(sender),
            cancelled,
            thread: Some(thread),
        })
    }

    /// Hands a rendered file to the indexer if it is an HTML page marked for indexing; any
    /// other file is ignored. Safe to call from many threads at once. Waits while the
    /// queue is full.
    pub(crate) fn add(&self, file: &OutputFile) {
        if !is_indexable(file) {
            return;
        }
        if let Some(sender) = &self.sender {
            // A send fails only when the indexer has stopped; `finish` reports why.
            let _ = sender.send(Page {
                path: file.path.clone(),
                contents: file.contents.clone(),
            });
        }
    }

    /// Waits for every page to be indexed and returns the bundle.
    pub(crate) fn finish(mut self) -> Result<Bundle, SearchError> {
        drop(self.sender.take());
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) | None => Err(SearchError::Crashed),
        }
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.cancelled.store(true, Ordering::Relaxed);
        drop(self.sender.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The pages a build indexes, gathered as they are written: a hard link to each page that
/// marks a part of itself for the index (a copy where the file system has no hard links),
/// in a folder of their own beside the staging folder, so that Pagefind reads only them.
/// Pagefind would otherwise parse every page only to drop the unmarked ones, and those
/// include the largest (`print/`, with every case study's text, and the listings).
/// Removed when dropped.
pub(crate) struct PageFolder {
    dir: PathBuf,
}

impl PageFolder {
    /// An empty folder beside `staging` (`.<output>.tessera-new-<pid>`), named after it
    /// (`.<output>.tessera-search-<pid>`, which a later build sweeps if this one is killed);
    /// any previous one of that name is removed.
    pub(crate) fn beside(staging: &Path) -> Result<PageFolder, OutputError> {
        let staging_name = staging.file_name().unwrap_or_default().to_string_lossy();
        let name = if staging_name.contains(".tessera-new-") {
            staging_name.replacen(".tessera-new-", ".tessera-search-", 1)
        } else {
            format!("{staging_name}-search")
        };
        let dir = staging.with_file_name(name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        }
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        Ok(PageFolder { dir })
    }

    /// Adds `file`, just written at `written`, if it is a page to index. Safe to call from
    /// many threads at once.
    pub(crate) fn add(&self, file: &OutputFile, written: &Path) -> Result<(), OutputError> {
        if !is_indexable(file) {
            return Ok(());
        }
        let link = self.dir.join(&file.path);
        if let Some(parent) = link.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        std::fs::hard_link(written, &link)
            .or_else(|_| std::fs::write(&link, &file.contents))
            .map_err(io_error(&link))
    }

    /// Indexes the pages added (see [`index_folder`]), then removes the folder.
    pub(crate) fn index(self, options: IndexOptions) -> Result<Bundle, SearchError> {
        index_folder(&self.dir, options)
    }
}

impl Drop for PageFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A Tokio runtime on the calling thread, to drive Pagefind's asynchronous API.
fn runtime() -> Result<tokio::runtime::Runtime, SearchError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| SearchError::Start(err.to_string()))
}

/// An empty Pagefind index with tessera's settings.
fn new_index(options: IndexOptions) -> Result<PagefindIndex, SearchError> {
    PagefindIndex::new(Some(service_config(options)))
        .map_err(|err| SearchError::Start(err.to_string()))
}

/// Indexes the HTML pages in `folder` and returns the bundle. Pagefind reads and parses the
/// pages in parallel here, where [`Indexer`], fed one page at a time, parses them one after
/// another. Pages that do not mark a `data-pagefind-body` element are left out.
fn index_folder(folder: &Path, options: IndexOptions) -> Result<Bundle, SearchError> {
    runtime()?.block_on(async {
        let mut index = new_index(options)?;
        index
            .add_directory(folder.to_string_lossy().into_owned(), None)
            .await
            .map_err(|err| SearchError::Index(err.to_string()))?;
        let files = {
            let _prompt = PromptPurge::start();
            index.get_files().await
        }
        .map_err(|err| SearchError::Index(err.to_string()))?;
        let files: Vec<OutputFile> = files
            .into_iter()
            .map(|file| OutputFile {
                path: Path::new(BUNDLE_DIR).join(file.filename),
                contents: Arc::from(file.contents),
            })
            .collect();
        let pages = indexed_pages(&files);
        Ok(Bundle { files, pages })
    })
}

/// How many pages the bundle's `pagefind-entry.json` says were indexed, in all languages.
fn indexed_pages(files: &[OutputFile]) -> usize {
    let entry = files
        .iter()
        .find(|f| f.path == Path::new(BUNDLE_DIR).join("pagefind-entry.json"))
        .and_then(|f| serde_json::from_slice::<serde_json::Value>(&f.contents).ok());
    entry
        .as_ref()
        .and_then(|entry| entry["languages"].as_object())
        .map_or(0, |languages| {
            languages
                .values()
                .filter_map(|l| l["page_count"].as_u64())
                .map(|count| usize::try_from(count).unwrap_or(usize::MAX))
                .sum()
        })
}

/// Pagefind's settings for tessera's sites.
fn service_config(options: IndexOptions) -> PagefindServiceConfig {
    PagefindServiceConfig::builder()
        .keep_index_url(options.portable)
        .exclude_selectors(EXCLUDED.iter().map(|s| (*s).to_string()).collect())
        .build()
}

/// An HTML page that marks a part of itself for the index.
fn is_indexable(file: &OutputFile) -> bool {
    file.path.extension().is_some_and(|e| e == "html")
        && file
            .contents
            .windows(BODY_MARKER.len())
            .any(|w| w == BODY_MARKER)
}

/// The indexing thread: feeds every page to Pagefind, then builds the index.
fn index_pages(
    options: IndexOptions,
    pages: &Receiver<Page>,
    cancelled: &AtomicBool,
) -> Result<Bundle, SearchError> {
    runtime()?.block_on(async {
        let mut index = new_index(options)?;
        let mut count = 0;
        // Blocking on the channel here is fine: nothing else runs on this runtime.
        while let Ok(page) = pages.recv() {
            if cancelled.load(Ordering::Relaxed) {
                return Err(SearchError::Cancelled);
            }
            let html =
                String::from_utf8(page.contents.to_vec()).map_err(|_| SearchError::Page {
                    page: page.path.clone(),
                    message: "the page is not UTF-8".to_string(),
                })?;
            index
                .add_html_file(Some(url_path(&page.path)), None, html)
                .await
                .map_err(|err| SearchError::Page {
                    page: page.path.clone(),
                    message: err.to_string(),
                })?;
            count += 1;
        }
        if cancelled.load(Ordering::Relaxed) {
            return Err(SearchError::Cancelled);
        }
        let files = {
            let _prompt = PromptPurge::start();
            index.get_files().await
        }
        .map_err(|err| SearchError::Index(err.to_string()))?;
        let files = files
            .into_iter()
            .map(|file| OutputFile {
                path: Path::new(BUNDLE_DIR).join(file.filename),
                contents: Arc::from(file.contents),
            })
            .collect();
        Ok(Bundle {
            files,
            pages: count,
        })
    })
}

/// The page's path with `/` separators, which Pagefind turns into its URL
/// (`case-studies/pause/index.html` → `/case-studies/pause/`).
fn url_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(path: &str, html: &str) -> OutputFile {
        OutputFile {
            path: PathBuf::from(path),
            contents: Arc::from(html.as_bytes()),
        }
    }

    const HTML: &str = "<!doctype html><html lang=\"en\"><head><title>T</title></head><body>";

    #[test]
    fn only_marked_html_pages_are_indexed() {
        assert!(is_indexable(&page(
            "a/index.html",
            "<main data-pagefind-body>x</main>"
        )));
        assert!(!is_indexable(&page("a/index.html", "<main>x</main>")));
        assert!(!is_indexable(&page(
            "a/data.json",
            "{\"x\": \"data-pagefind-body\"}"
        )));
    }

    #[test]
    fn indexes_marked_pages_into_a_bundle() {
        let indexer = Indexer::start(IndexOptions::default()).expect("starts");
        indexer.add(&page(
            "case-studies/pause/index.html",
            &format!(
                "{HTML}<nav>Menu</nav><article data-pagefind-body><h1 data-pagefind-meta=\"title\">Pause</h1>\
                 <span data-pagefind-filter=\"Stage\">Scale</span><p>Quokka workers.</p></article></body></html>"
            ),
        ));
        indexer.add(&page(
            "map/index.html",
            &format!("{HTML}<p>Not indexed.</p></body></html>"),
        ));
        let bundle = indexer.finish().expect("indexes");
        assert_eq!(bundle.pages, 1);
        let names: Vec<String> = bundle.files.iter().map(|f| url_path(&f.path)).collect();
        for expected in [
            "pagefind/pagefind.js",
            "pagefind/pagefind-ui.js",
            "pagefind/pagefind-ui.css",
            "pagefind/pagefind-entry.json",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} in {names:?}"
            );
        }
        assert!(
            names.iter().any(|n| n.ends_with(".pf_fragment")),
            "{names:?}"
        );
        assert!(
            names.iter().any(|n| n.starts_with("pagefind/filter/")),
            "{names:?}"
        );
        let entry = bundle
            .files
            .iter()
            .find(|f| f.path.ends_with("pagefind-entry.json"))
            .expect("entry");
        let entry: serde_json::Value = serde_json::from_slice(&entry.contents).expect("json");
        assert_eq!(entry["languages"]["en"]["page_count"], 1, "{entry}");
    }

    #[test]
    fn url_paths_use_slashes() {
        let path: PathBuf = ["case-studies", "pause", "index.html"].iter().collect();
        assert_eq!(url_path(&path), "case-studies/pause/index.html");
    }
}
