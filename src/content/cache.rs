//! The parse cache: each file's text and what it parsed to, kept from one load to the
//! next so that `serve` parses only files whose text changed.

use super::*;

/// The files of the previous load, each with the text it was parsed from, so that a file
/// whose text has not changed is not parsed again (for `serve`).
#[derive(Default)]
pub struct ParseCache {
    pub(super) files: HashMap<PathBuf, CachedFile>,
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
