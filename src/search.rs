//! Full-text search: a [Pagefind](https://pagefind.app) index of the site.
//!
//! Owns which pages go into the index, handing them to the `pagefind` crate, and the bundle
//! Pagefind returns in memory: the index itself, `pagefind.js`, the default search UI and
//! its WebAssembly, all as [`OutputFile`]s under [`BUNDLE_DIR`] for the caller to write. A
//! page is indexed when its HTML marks a `data-pagefind-body` element; the default theme
//! marks case studies, themes, claims, other pages and the home page, and leaves listings,
//! the map, facet pages, the search page and 404 out. Filters (`data-pagefind-filter`) and
//! metadata (`data-pagefind-meta`) come from the templates too. It knows nothing about the
//! review or templates, and writes nothing into the output.
//!
//! Pagefind's API indexes pages handed to it one by one on a single thread (about 2 ms a
//! page here, so 20 s for 10,000 pages), but a folder of pages on every core. So while the
//! site renders, an [`Indexer`] keeps a copy of each page marked for the index in a scratch
//! folder of its own in the system's temporary folder (a few tens of kilobytes a page), and
//! once rendering is done Pagefind indexes that folder in parallel, driven by a small
//! single-threaded Tokio runtime on a thread of its own. Nothing of this starts unless
//! search is on, and the scratch folder is removed when the indexer is dropped.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::diagnostics::Diagnostic;
use crate::render::OutputFile;

/// The folder of the output that holds the search bundle. Pagefind's script works out the
/// site's root from its own address by cutting it at `pagefind/`, so under this name the
/// search works at any sub-path with no setting.
pub const BUNDLE_DIR: &str = "pagefind";

/// The attribute that marks the part of a page to index; pages without it are left out.
pub const BODY_MARKER: &[u8] = b"data-pagefind-body";

/// What is never indexed, whatever the theme: the `#` link tessera adds to each heading of
/// a Markdown body.
const EXCLUDED: [&str; 1] = [".heading-anchor"];

/// How the index is built.
#[derive(Debug, Clone, Copy, Default)]
pub struct IndexOptions {
    /// Result URLs keep `index.html`, as the links of a portable build do.
    pub portable: bool,
}

/// Why the search index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("cannot start the search indexer: {0}")]
    Start(String),
    #[error("cannot keep `{page}` for the search index in `{}`: {message}", scratch.display())]
    Scratch {
        page: PathBuf,
        scratch: PathBuf,
        message: String,
    },
    #[error("{failed} of {pages} pages could not be indexed for search")]
    Pages { failed: usize, pages: usize },
    #[error("cannot build the search index: {0}")]
    Index(String),
    #[error("the search indexer stopped unexpectedly")]
    Crashed,
}

impl SearchError {
    /// The error as a diagnostic, for the build's report.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let diagnostic = Diagnostic::error("search", self.to_string());
        match self {
            SearchError::Start(_) | SearchError::Scratch { .. } => diagnostic.with_hint(
                "the search index is built from a copy of the pages in the system's temporary folder (TMPDIR): check that it exists, can be written and has space; `--no-search` builds the site without search",
            ),
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
pub struct Bundle {
    /// Paths relative to the output folder, all under [`BUNDLE_DIR`].
    pub files: Vec<OutputFile>,
    /// Pages that were indexed.
    pub pages: usize,
}

/// The warning for a build with search on whose theme marks no page for the index.
pub fn empty_index_warning() -> Diagnostic {
    Diagnostic::warning(
        "search-empty",
        "search is on, but no page marks a `data-pagefind-body` element, so the search index is empty",
    )
    .with_hint("the default theme marks case studies, themes, claims and pages; a theme of your own must add the attribute to the part of each page to index (see the README)")
}

/// Collects the pages to index while the site renders, then builds the index. Dropping it
/// removes its scratch folder.
pub struct Indexer {
    options: IndexOptions,
    scratch: PathBuf,
    pages: AtomicUsize,
    failure: Mutex<Option<SearchError>>,
}

impl Indexer {
    /// Makes the scratch folder, in the system's temporary folder.
    pub fn start(options: IndexOptions) -> Result<Indexer, SearchError> {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let scratch = std::env::temp_dir().join(format!(
            "tessera-search-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        // A folder of that name is left over from an earlier process with the same id.
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).map_err(|err| {
            SearchError::Start(format!("cannot create `{}`: {err}", scratch.display()))
        })?;
        Ok(Indexer {
            options,
            scratch,
            pages: AtomicUsize::new(0),
            failure: Mutex::new(None),
        })
    }

    /// Keeps a rendered file for the index if it is an HTML page marked for indexing; any
    /// other file is ignored. Safe to call from many threads at once. A failure is reported
    /// by [`Indexer::finish`].
    pub fn add(&self, file: &OutputFile) {
        if !is_indexable(file) {
            return;
        }
        let path = self.scratch.join(&file.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &file.contents));
        match written {
            Ok(()) => {
                self.pages.fetch_add(1, Ordering::Relaxed);
            }
            Err(err) => {
                if let Ok(mut failure) = self.failure.lock() {
                    failure.get_or_insert(SearchError::Scratch {
                        page: file.path.clone(),
                        scratch: self.scratch.clone(),
                        message: err.to_string(),
                    });
                }
            }
        }
    }

    /// Indexes every page kept and returns the bundle. Pagefind runs on a thread of its own,
    /// so that a panic in it is an error here, not a crash.
    pub fn finish(self) -> Result<Bundle, SearchError> {
        if let Some(err) = self.failure.lock().ok().and_then(|mut f| f.take()) {
            return Err(err);
        }
        let pages = self.pages.load(Ordering::Relaxed);
        let scratch = self.scratch.clone();
        let options = self.options;
        std::thread::Builder::new()
            .name("tessera-search".to_string())
            .spawn(move || index_folder(options, &scratch, pages))
            .map_err(|err| SearchError::Start(err.to_string()))?
            .join()
            .unwrap_or(Err(SearchError::Crashed))
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// An HTML page that marks a part of itself for the index.
fn is_indexable(file: &OutputFile) -> bool {
    file.path.extension().is_some_and(|e| e == "html")
        && file
            .contents
            .windows(BODY_MARKER.len())
            .any(|w| w == BODY_MARKER)
}

/// Indexes the pages in `folder` (there are `pages` of them) and returns the bundle.
fn index_folder(options: IndexOptions, folder: &Path, pages: usize) -> Result<Bundle, SearchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| SearchError::Start(err.to_string()))?;
    let folder = folder
        .to_str()
        .ok_or_else(|| {
            SearchError::Start(format!(
                "the temporary folder `{}` is not UTF-8",
                folder.display()
            ))
        })?
        .to_string();
    runtime.block_on(async {
        let config = PagefindServiceConfig::builder()
            .keep_index_url(options.portable)
            .exclude_selectors(EXCLUDED.iter().map(|s| (*s).to_string()).collect())
            .build();
        let mut index =
            PagefindIndex::new(Some(config)).map_err(|err| SearchError::Start(err.to_string()))?;
        let indexed = if pages == 0 {
            0
        } else {
            index
                .add_directory(folder, None)
                .await
                .map_err(|err| SearchError::Index(err.to_string()))?
        };
        if indexed != pages {
            return Err(SearchError::Pages {
                failed: pages.saturating_sub(indexed),
                pages,
            });
        }
        let files = index
            .get_files()
            .await
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
            pages: indexed,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path with `/` separators, to compare on any system.
    fn url_path(path: &Path) -> String {
        path.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

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
    fn the_scratch_folder_goes_with_the_indexer() {
        let indexer = Indexer::start(IndexOptions::default()).expect("starts");
        indexer.add(&page(
            "about/index.html",
            &format!("{HTML}<main data-pagefind-body><p>About.</p></main></body></html>"),
        ));
        let scratch = indexer.scratch.clone();
        assert!(scratch.join("about/index.html").is_file());
        drop(indexer);
        assert!(!scratch.exists());

        let indexer = Indexer::start(IndexOptions::default()).expect("starts");
        let scratch = indexer.scratch.clone();
        let bundle = indexer.finish().expect("an empty index");
        assert_eq!(bundle.pages, 0);
        assert!(!scratch.exists());
    }
}
