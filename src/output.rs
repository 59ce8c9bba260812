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

    /// Marks the folder as tessera's and swaps it in place of the previous site.
    pub(crate) fn finish(mut self) -> Result<(), OutputError> {
        let marker = self.dir.join(MARKER);
        std::fs::write(
            &marker,
            "This folder was written by tessera and is replaced on every build.\n",
        )
        .map_err(io_error(&marker))?;
        swap(&self.dir, &self.output)?;
        self.finished = true;
        Ok(())
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

/// Puts the new site in place of the old one, then removes the old one.
fn swap(staging: &Path, output: &Path) -> Result<(), OutputError> {
    if !output.exists() {
        return std::fs::rename(staging, output).map_err(io_error(output));
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
    std::fs::remove_dir_all(&old).map_err(io_error(&old))
}

#[cfg(test)]
mod tests {
    use super::*;

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
