//! Fingerprints of the review's inputs: which files exist and a hash of each one's bytes.
//!
//! The watcher only says *where* something may have happened; this module decides whether
//! anything really changed, by re-reading the named paths and comparing hashes. So an
//! editor that saves unchanged bytes, touches a file, or writes and deletes a temporary
//! file triggers no rebuild, and a folder that is created, deleted or renamed is rescanned
//! as a whole. It knows which paths are inputs (the same rules the pipeline uses to read
//! them) but nothing about what they mean.

use std::collections::BTreeMap;
use std::hash::Hasher;
use std::path::{Component, Path, PathBuf};

use crate::config::CONFIG_FILE;
use crate::content::is_ignored;

/// The folders under the review root whose files are inputs of a build. `themes/` is
/// tracked whole (themes are small), so switching theme in site.toml finds the new theme's
/// fingerprints already current; only the active theme's changes cause rebuilds.
/// `editions/` holds the snapshot the review is compared with.
pub(super) const TREES: [&str; 5] = ["content", "templates", "static", "themes", "editions"];

/// The hash of every input file, by path relative to the review root.
#[derive(Debug, Default)]
pub(super) struct Fingerprints {
    root: PathBuf,
    files: BTreeMap<PathBuf, u64>,
}

impl Fingerprints {
    /// Reads and hashes every input file of the review at `root` (an absolute path).
    pub(super) fn scan(root: &Path) -> Fingerprints {
        let mut fingerprints = Fingerprints {
            root: root.to_path_buf(),
            files: BTreeMap::new(),
        };
        let everything: Vec<PathBuf> = all_inputs(root);
        fingerprints.apply(&everything);
        fingerprints
    }

    /// Brings the fingerprints of `paths` (absolute; files or folders, existing or not) up
    /// to date and returns the inputs whose bytes changed, appeared or disappeared, as
    /// paths relative to the root, sorted.
    pub(super) fn apply(&mut self, paths: &[PathBuf]) -> Vec<PathBuf> {
        let mut changed = Vec::new();
        for path in paths {
            let Some(relative) = input_path(&self.root, path) else {
                continue;
            };
            match std::fs::metadata(path) {
                Ok(meta) if meta.is_file() => self.update_file(relative, path, &mut changed),
                Ok(meta) if meta.is_dir() => self.rescan_dir(&relative, path, &mut changed),
                _ => self.remove_under(&relative, &mut changed),
            }
        }
        changed.sort();
        changed.dedup();
        changed
    }

    fn update_file(&mut self, relative: PathBuf, absolute: &Path, changed: &mut Vec<PathBuf>) {
        match hash_file(absolute) {
            Some(hash) => {
                if self.files.insert(relative.clone(), hash) != Some(hash) {
                    changed.push(relative);
                }
            }
            None => self.remove_under(&relative, changed),
        }
    }

    /// Rehashes every file under a folder and forgets files that are gone from it.
    fn rescan_dir(&mut self, relative: &Path, absolute: &Path, changed: &mut Vec<PathBuf>) {
        let mut present = Vec::new();
        for entry in walkdir::WalkDir::new(absolute)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()))
            .flatten()
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(inner) = entry.path().strip_prefix(absolute) else {
                continue;
            };
            let file = relative.join(inner);
            present.push(file.clone());
            self.update_file(file, entry.path(), changed);
        }
        present.sort();
        let gone: Vec<PathBuf> = self
            .under(relative)
            .filter(|p| present.binary_search(p).is_err())
            .cloned()
            .collect();
        for path in gone {
            self.files.remove(&path);
            changed.push(path);
        }
    }

    fn remove_under(&mut self, relative: &Path, changed: &mut Vec<PathBuf>) {
        let gone: Vec<PathBuf> = self.under(relative).cloned().collect();
        for path in gone {
            self.files.remove(&path);
            changed.push(path);
        }
    }

    /// Known files at `relative` or below it.
    fn under<'a>(&'a self, relative: &'a Path) -> impl Iterator<Item = &'a PathBuf> + 'a {
        self.files
            .range(relative.to_path_buf()..)
            .map(|(path, _)| path)
            .take_while(move |path| path.starts_with(relative))
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.files.len()
    }
}

/// The paths that hold every input: site.toml and the input folders.
pub(super) fn all_inputs(root: &Path) -> Vec<PathBuf> {
    std::iter::once(root.join(CONFIG_FILE))
        .chain(TREES.iter().map(|tree| root.join(tree)))
        .collect()
}

/// `path` relative to the root, if it is (or may hold) an input: site.toml or something
/// under an input folder, with no hidden or editor-temporary name on the way.
pub(super) fn input_path(root: &Path, path: &Path) -> Option<PathBuf> {
    let relative = path.strip_prefix(root).ok()?;
    let mut components = relative.components();
    let first = match components.next()? {
        Component::Normal(name) => name.to_str()?,
        _ => return None,
    };
    let is_input =
        first == CONFIG_FILE && components.clone().next().is_none() || TREES.contains(&first);
    let ignored = components.any(|c| match c {
        Component::Normal(name) => is_ignored(name),
        _ => true,
    });
    (is_input && !ignored).then(|| relative.to_path_buf())
}

/// Whether a change to this input (relative to the root) can change the site built with
/// `theme`: everything but the files of other themes.
pub(super) fn affects_site(relative: &Path, theme: &str) -> bool {
    match relative.strip_prefix("themes") {
        Ok(inside) => inside.starts_with(theme) && !theme.is_empty(),
        Err(_) => true,
    }
}

/// A hash of the file's length and bytes; `None` if it cannot be read (it will be reported
/// by the build, if it is still there).
fn hash_file(path: &Path) -> Option<u64> {
    let bytes = std::fs::read(path).ok()?;
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write_usize(bytes.len());
    hasher.write(&bytes);
    Some(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
        let write = |p: &str, text: &str| {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap_or(dir.path()))
                .unwrap_or_else(|e| panic!("mkdir: {e}"));
            std::fs::write(path, text).unwrap_or_else(|e| panic!("write: {e}"));
        };
        write("site.toml", "title = 'x'");
        write("content/a.md", "a");
        write("content/sub/b.md", "b");
        write("content/.a.md.swp", "swap");
        write("themes/t/templates/base.html", "t");
        write("public/index.html", "not an input");
        dir
    }

    #[test]
    fn scans_inputs_only() {
        let dir = review();
        let f = Fingerprints::scan(dir.path());
        assert_eq!(f.len(), 4);
    }

    #[test]
    fn unchanged_bytes_are_no_change() {
        let dir = review();
        let mut f = Fingerprints::scan(dir.path());
        let a = dir.path().join("content/a.md");
        std::fs::write(&a, "a").unwrap_or_else(|e| panic!("write: {e}"));
        assert!(f.apply(std::slice::from_ref(&a)).is_empty());
        std::fs::write(&a, "a2").unwrap_or_else(|e| panic!("write: {e}"));
        assert_eq!(f.apply(&[a]), vec![PathBuf::from("content/a.md")]);
    }

    #[test]
    fn removed_and_renamed_folders_are_rescanned() {
        let dir = review();
        let mut f = Fingerprints::scan(dir.path());
        let sub = dir.path().join("content/sub");
        let moved = dir.path().join("content/moved");
        std::fs::rename(&sub, &moved).unwrap_or_else(|e| panic!("rename: {e}"));
        let changed = f.apply(&[sub, moved]);
        assert_eq!(
            changed,
            vec![
                PathBuf::from("content/moved/b.md"),
                PathBuf::from("content/sub/b.md")
            ]
        );
        assert_eq!(f.len(), 4);
    }

    #[test]
    fn editor_temp_files_and_other_folders_are_not_inputs() {
        let root = Path::new("/r");
        assert!(input_path(root, Path::new("/r/content/.a.md.swp")).is_none());
        assert!(input_path(root, Path::new("/r/content/a.md~")).is_none());
        assert!(input_path(root, Path::new("/r/public/a.html")).is_none());
        assert!(input_path(root, Path::new("/r/site.toml")).is_some());
        assert!(input_path(root, Path::new("/r/content/a.md")).is_some());
    }

    #[test]
    fn only_the_active_theme_affects_the_site() {
        assert!(affects_site(Path::new("themes/t/templates/a.html"), "t"));
        assert!(!affects_site(Path::new("themes/u/templates/a.html"), "t"));
        assert!(!affects_site(Path::new("themes/tt/a.html"), "t"));
        assert!(affects_site(Path::new("content/a.md"), "t"));
    }
}
