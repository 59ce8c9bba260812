//! Output: writing a built site to disk, all or nothing.
//!
//! Owns the safety rules for the output folder (never the review root, `content/`, a theme,
//! or a folder tessera did not create) and the swap: the site is written into a fresh
//! folder beside the target and renamed into place only when every file is written, so a
//! failed build leaves the previous site untouched. It does not decide what the files say.

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::render::OutputFile;

/// The marker file that says "tessera made this folder; it may be replaced".
pub const MARKER: &str = ".tessera-output";

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
pub fn check_target(root: &Path, output: &Path, explicit: bool) -> Result<(), OutputError> {
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
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_none())
}

/// Writes the site into `output`, replacing the previous one only when all is written.
pub fn write_site(output: &Path, files: &[OutputFile], copies: &[Copy]) -> Result<(), OutputError> {
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let staging = parent.join(format!(".{name}.tessera-new-{}", std::process::id()));
    let result =
        write_all(&staging, files, copies).and_then(|()| swap(&staging, output, parent, &name));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn write_all(staging: &Path, files: &[OutputFile], copies: &[Copy]) -> Result<(), OutputError> {
    if staging.exists() {
        std::fs::remove_dir_all(staging).map_err(io_error(staging))?;
    }
    std::fs::create_dir_all(staging).map_err(io_error(staging))?;
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .map(|f| f.path.as_path())
        .chain(copies.iter().map(|c| c.path.as_path()))
        .filter_map(|p| p.parent().map(|d| staging.join(d)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    files.par_iter().try_for_each(|f| {
        let path = staging.join(&f.path);
        std::fs::write(&path, &f.contents).map_err(io_error(&path))
    })?;
    copies.par_iter().try_for_each(|c| {
        let path = staging.join(&c.path);
        let bytes = (c.read)().map_err(io_error(&path))?;
        std::fs::write(&path, bytes).map_err(io_error(&path))
    })?;
    let marker = staging.join(MARKER);
    std::fs::write(
        &marker,
        "This folder was written by tessera and is replaced on every build.\n",
    )
    .map_err(io_error(&marker))
}

/// Puts the new site in place of the old one, then removes the old one.
fn swap(staging: &Path, output: &Path, parent: &Path, name: &str) -> Result<(), OutputError> {
    if !output.exists() {
        return std::fs::rename(staging, output).map_err(io_error(output));
    }
    let old = parent.join(format!(".{name}.tessera-old-{}", std::process::id()));
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
