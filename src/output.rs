//! Output: writing a built site to disk, all or nothing.
//!
//! Owns the safety rules for the output folder (never the review root, `content/`, a theme,
//! or a folder tessera did not create) and the swap: the site is written into a fresh
//! folder beside the target and renamed into place only when every file is written, so a
//! failed build leaves the previous site untouched. It does not decide what the files say.

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::paths;
use crate::render::OutputFile;

/// The marker file that says "tessera made this folder; it may be replaced".
pub(crate) const MARKER: &str = ".tessera-output";

/// Why the site could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("refusing to write the site into `{path}`: {reason}")]
    Unsafe { path: PathBuf, reason: String },
    #[error(
        "`{path}` exists and was not created by tessera (it has no `{MARKER}` file), so it will not be replaced"
    )]
    NotOurs { path: PathBuf },
    #[error("cannot write `{path}`: {source}")]
    Io { path: PathBuf, source: io::Error },
}

impl OutputError {
    pub fn hint(&self) -> &'static str {
        match self {
            OutputError::Unsafe { .. } => {
                "choose another folder with `--output DIR` or `output_dir` in site.toml"
            }
            OutputError::NotOurs { .. } => {
                "empty or remove that folder, or choose another with `--output DIR`"
            }
            OutputError::Io { .. } => "check that the folder is writable and the disk has space",
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A file to copy into the output as it is (theme static files, content assets).
pub struct Copy {
    pub path: PathBuf,
    pub read: Box<dyn Fn() -> io::Result<Vec<u8>> + Send + Sync>,
}

/// Checks that `output` may be written, given the review `root`. `explicit` is true when the
/// user named the folder on the command line, which allows a folder outside the root.
pub(crate) fn check_target(root: &Path, output: &Path, explicit: bool) -> Result<(), OutputError> {
    let root = absolute(root);
    let output = absolute(output);
    let unsafe_because = |reason: &str| {
        Err(OutputError::Unsafe {
            path: output.clone(),
            reason: reason.to_string(),
        })
    };
    if root.starts_with(&output) {
        return unsafe_because("it is the review folder or contains it");
    }
    for protected in ["content", "themes", "templates", "static", ".git"] {
        if output.starts_with(root.join(protected)) {
            return unsafe_because(&format!("it is inside the review's `{protected}/` folder"));
        }
    }
    if !explicit && !output.starts_with(&root) {
        return unsafe_because(
            "it is outside the review folder (name it with `--output` to allow that)",
        );
    }
    if output.exists() && !output.join(MARKER).exists() && !is_empty_dir(&output) {
        return Err(OutputError::NotOurs { path: output });
    }
    Ok(())
}

/// Lexically absolute, without requiring the path to exist.
fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    paths::normalize(&joined).unwrap_or(joined)
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_none())
}

/// A site being written: files go into a fresh folder beside the target, which replaces
/// the target only in [`Staging::finish`]. Dropped unfinished, it removes its folder, so a
/// failed build leaves the previous site as it was.
pub(crate) struct Staging {
    dir: PathBuf,
    output: PathBuf,
    finished: bool,
}

impl Staging {
    /// Creates the staging folder beside `output`.
    pub(crate) fn new(output: &Path) -> Result<Staging, OutputError> {
        let parent = parent_of(output);
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        let dir = parent.join(format!(
            ".{}.tessera-new-{}",
            name_of(output),
            std::process::id()
        ));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
        }
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        Ok(Staging {
            dir,
            output: output.to_path_buf(),
            finished: false,
        })
    }

    /// The folder the site is written into until [`Staging::finish`].
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one page (safe to call from many threads at once).
    pub(crate) fn write(&self, file: &OutputFile) -> Result<(), OutputError> {
        self.put(&file.path, &file.contents)
    }

    /// Copies the files that are not rendered (theme static files, content assets).
    pub(crate) fn copy_all(&self, copies: &[Copy]) -> Result<(), OutputError> {
        copies.par_iter().try_for_each(|c| {
            let bytes = (c.read)().map_err(io_error(&c.path))?;
            self.put(&c.path, &bytes)
        })
    }

    fn put(&self, relative: &Path, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        std::fs::write(&path, bytes).map_err(io_error(&path))
    }

    /// Marks the folder as tessera's and swaps it in place of the previous site. Returns
    /// the previous site, moved aside, for the caller to remove (see [`Removal`]).
    pub(crate) fn finish(mut self) -> Result<Removal, OutputError> {
        let marker = self.dir.join(MARKER);
        std::fs::write(
            &marker,
            "This folder was written by tessera and is replaced on every build.\n",
        )
        .map_err(io_error(&marker))?;
        let old = swap(&self.dir, &self.output)?;
        self.finished = true;
        Ok(Removal::pending(old))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn parent_of(output: &Path) -> &Path {
    output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn name_of(output: &Path) -> String {
    output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into())
}

/// The previous site, moved aside when the new one took its place, still to be removed:
/// removing ten thousand pages from a disk can take longer than writing them, and nothing
/// but the disk space waits for it. Dropped, it removes the folder there and then;
/// [`Removal::in_background`] does it on a thread of its own; the command line hands it
/// to a process of its own ([`Removal::detach`]) and exits without waiting.
#[must_use = "the previous site still has to be removed"]
pub struct Removal {
    path: Option<PathBuf>,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl Removal {
    fn pending(path: Option<PathBuf>) -> Removal {
        Removal { path, thread: None }
    }

    /// The folder to remove, if there was a previous site.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Starts removing the folder on a thread of its own (here, if no thread can start).
    pub fn in_background(mut self) -> Removal {
        if let Some(path) = self.path.clone() {
            let spawned = std::thread::Builder::new()
                .name("tessera-remove-old".to_string())
                .spawn(move || remove_tree(&path));
            if let Ok(thread) = spawned {
                self.thread = Some(thread);
            }
        }
        self
    }

    /// Leaves the folder to the caller, who has started something else to remove it.
    pub fn detach(mut self) {
        self.path = None;
    }

    /// Removes the folder, or waits until the background removal is done. An error leaves
    /// a hidden folder beside the output (the new site is in place either way).
    pub fn wait(mut self) -> Result<(), OutputError> {
        self.finish()
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        let Some(path) = self.path.take() else {
            return Ok(());
        };
        let result = match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Ok(()),
            None => remove_tree(&path),
        };
        result.map_err(|source| OutputError::Io { path, source })
    }
}

impl Drop for Removal {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// Removes a previous site that a build moved aside, as [`Removal::detach`]'s caller does
/// from a process of its own. Refuses any folder that is not one: its name must be
/// `.<name>.tessera-old-<pid>` and it must hold tessera's marker file.
pub fn remove_moved_aside(path: &Path) -> Result<(), OutputError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ours = path.join(MARKER).is_file() || is_empty_dir(path);
    if !(name.starts_with('.') && name.contains(".tessera-old-") && ours) {
        return Err(OutputError::Unsafe {
            path: path.to_path_buf(),
            reason: "it is not a previous site that tessera moved aside".to_string(),
        });
    }
    remove_tree(path).map_err(io_error(path))?;
    remove_stale_beside(path);
    Ok(())
}

/// Removes what earlier builds of the same output left beside `moved` when they were
/// stopped before cleaning up: previous sites moved aside (`.<name>.tessera-old-<pid>`,
/// holding the marker) whose remover was killed, and half-written sites
/// (`.<name>.tessera-new-<pid>`, and `.<name>.tessera-search-<pid>` beside them) of builds
/// that are no longer running. Runs in the remover
/// process, off the build's path; what it cannot remove stays for the next one.
fn remove_stale_beside(moved: &Path) {
    let Some((parent, prefix)) = moved.parent().zip(
        moved
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split_once(".tessera-old-"))
            .map(|(prefix, _)| prefix.to_string()),
    ) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((kind, pid)) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_prefix(".tessera-"))
            .and_then(|rest| rest.split_once('-'))
        else {
            continue;
        };
        let stale = match kind {
            "old" => path.join(MARKER).is_file() || is_empty_dir(&path),
            // `search`: the pages a build gathers for its search index (`search.rs`).
            "new" | "search" => pid.parse::<u32>().is_ok_and(|pid| !is_running(pid)),
            _ => false,
        };
        if stale && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = remove_tree(&path);
        }
    }
}

/// Whether process `pid` is running, where the system says (`/proc`); elsewhere it is
/// assumed to be, so a build's folder is never taken from under it.
fn is_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// Removes a folder tree, its subfolders two levels down in parallel (a site keeps most
/// pages one folder each under a section): on a disk, removing files one by one waits on
/// the file system more than on the processor.
fn remove_tree(path: &Path) -> io::Result<()> {
    let sections: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    let folders: Vec<PathBuf> = sections
        .iter()
        .filter_map(|section| std::fs::read_dir(section).ok())
        .flat_map(|entries| entries.filter_map(Result::ok))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    folders.par_iter().for_each(|folder| {
        // What this leaves (it should not fail), remove_dir_all below reports.
        let _ = std::fs::remove_dir_all(folder);
    });
    std::fs::remove_dir_all(path)
}

/// Puts the new site in place of the old one; returns where the old one was moved, for
/// the caller to remove.
fn swap(staging: &Path, output: &Path) -> Result<Option<PathBuf>, OutputError> {
    if !output.exists() {
        return std::fs::rename(staging, output)
            .map(|()| None)
            .map_err(io_error(output));
    }
    let old = parent_of(output).join(format!(
        ".{}.tessera-old-{}",
        name_of(output),
        std::process::id()
    ));
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io_error(&old))?;
    }
    std::fs::rename(output, &old).map_err(io_error(output))?;
    if let Err(source) = std::fs::rename(staging, output) {
        let _ = std::fs::rename(&old, output);
        return Err(OutputError::Io {
            path: output.to_path_buf(),
            source,
        });
    }
    Ok(Some(old))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remove_tree_removes_nested_folders_and_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let site = dir.path().join("old");
        for page in [
            "index.html",
            "a/index.html",
            "a/b/index.html",
            "a/b/c/d.html",
            "e/f.css",
        ] {
            let path = site.join(page);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, "x").expect("write");
        }
        remove_tree(&site).expect("removed");
        assert!(!site.exists());
    }

    #[test]
    fn refuses_dangerous_targets() {
        let root = Path::new("/tmp/review");
        assert!(check_target(root, root, true).is_err());
        assert!(check_target(root, Path::new("/tmp"), true).is_err());
        assert!(check_target(root, &root.join("content/out"), true).is_err());
        assert!(check_target(root, &root.join("themes"), true).is_err());
        assert!(check_target(root, Path::new("/tmp/elsewhere"), false).is_err());
        assert!(check_target(root, &root.join("public"), false).is_ok());
    }
}
