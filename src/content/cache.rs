//! The parse cache: each file's text and what it parsed to, kept from one load to the
//! next so that `serve` parses only files whose text changed.

use super::*;

/// The files of the previous load, each with the text it was parsed from, so that a file
/// whose text has not changed is not parsed again (for `serve`).
#[derive(Default)]
pub struct ParseCache {
    pub(super) files: HashMap<PathBuf, CachedFile>,
    /// What the last walk of `content/` found, when it found no problem and no link.
    pub(super) listing: Option<Listing>,
}

/// The files a walk of `content/` found: Markdown files, assets and the bibliography.
pub(super) struct Listing {
    files: Vec<(PathBuf, PathBuf)>,
    assets: Vec<Asset>,
    bibliography: Option<PathBuf>,
    /// Every path above, relative to `content/`, for looking one up: a watcher may name
    /// thousands of changed files at once (a branch switched).
    known: HashSet<PathBuf>,
}

impl Listing {
    pub(super) fn of(found: &Found, content: &Content) -> Listing {
        let known = found
            .files
            .iter()
            .map(|(_, relative)| relative.clone())
            .chain(content.assets.iter().map(|a| a.content_path.clone()))
            .chain(
                content
                    .bibliography
                    .as_deref()
                    .and_then(Path::file_name)
                    .map(PathBuf::from),
            )
            .collect();
        Listing {
            files: found.files.clone(),
            assets: content.assets.clone(),
            bibliography: content.bibliography.clone(),
            known,
        }
    }

    /// What the walk found, as [`discover`] gives it.
    pub(super) fn apply(&self, content: &mut Content) -> Found {
        content.assets.clone_from(&self.assets);
        content.bibliography.clone_from(&self.bibliography);
        Found {
            files: self.files.clone(),
            through_links: false,
        }
    }

    /// Whether the walk found the file at `relative` (to `content/`).
    fn has(&self, relative: &Path) -> bool {
        self.known.contains(relative)
    }
}

impl ParseCache {
    /// The last walk's listing, if a walk now would find the same: when every file of
    /// `content/` that may have changed (`maybe_changed`, as a watcher names them) was
    /// listed then and is still a plain file. Only the text of files changed, then, not
    /// which files there are, so walking 10,000 of them again can be skipped.
    pub(super) fn listing_still_right(
        &self,
        root: &Path,
        maybe_changed: &HashSet<PathBuf>,
    ) -> Option<&Listing> {
        let listing = self.listing.as_ref()?;
        let content = Path::new(CONTENT_DIR);
        let unchanged = maybe_changed.iter().all(|path| {
            let Ok(relative) = path.strip_prefix(content) else {
                return true;
            };
            listing.has(relative)
                && std::fs::symlink_metadata(root.join(path)).is_ok_and(|meta| meta.is_file())
        });
        unchanged.then_some(listing)
    }
}

pub(super) struct CachedFile {
    pub(super) text: Arc<str>,
    pub(super) parsed: Result<Parsed, Vec<Diagnostic>>,
}

impl CachedFile {
    pub(super) fn reuse(&self) -> Read {
        Read {
            text: Some(self.text.clone()),
            exact: true,
            cached: true,
            parsed: self.parsed.clone(),
        }
    }
}

impl ParseCache {
    /// Records this load: files parsed anew are added or replace their entry, and files
    /// that are gone (or could not be read as text) are forgotten.
    pub(super) fn update(&mut self, files: &[(PathBuf, PathBuf)], reads: &[Read]) {
        let current: HashSet<&Path> = files
            .iter()
            .zip(reads)
            .filter(|(_, read)| read.exact)
            .map(|((_, relative), _)| relative.as_path())
            .collect();
        self.files
            .retain(|path, _| current.contains(path.as_path()));
        for ((_, relative), read) in files.iter().zip(reads) {
            let Some(text) = read.text.as_ref().filter(|_| read.exact && !read.cached) else {
                continue;
            };
            let file = CachedFile {
                text: text.clone(),
                parsed: read.parsed.clone(),
            };
            self.files.insert(relative.clone(), file);
        }
    }
}

/// [`load`], parsing only the files whose text differs from the last load through `cache`,
/// so what comes out is exactly what [`load`] would give. Files are read and compared
/// whole, except where `maybe_changed` is given: it names (as `content/…` paths) every file
/// that may have changed since the last load, and the others are taken from the cache
/// without being read (unless the folder holds links, whose targets change unnamed). The
/// folder is walked either way, so new and deleted files are seen.
pub fn load_cached(
    root: &Path,
    diagnostics: &mut Diagnostics,
    cache: &mut ParseCache,
    maybe_changed: Option<&HashSet<PathBuf>>,
) -> Content {
    load_files(root, diagnostics, Some((cache, maybe_changed)))
}
