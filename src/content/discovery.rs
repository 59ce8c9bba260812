//! Discovery: walking `content/` (following links only while they stay inside it) and
//! sorting what is found into Markdown files, assets and the bibliography.

use super::*;

/// Markdown files found under `content/`: (absolute, relative to `content/`) paths, and
/// whether a link was followed to reach any file or folder.
pub(super) struct Found {
    pub(super) files: Vec<(PathBuf, PathBuf)>,
    pub(super) through_links: bool,
}

/// Lists Markdown files and records assets and the bibliography. Links are followed only
/// while they stay inside `content/`.
pub(super) fn discover(
    content_dir: &Path,
    content: &mut Content,
    diagnostics: &mut Diagnostics,
) -> Found {
    let Ok(canonical_root) = content_dir.canonicalize() else {
        diagnostics.push(
            Diagnostic::error(
                Code::ContentMissing,
                format!(
                    "no `{CONTENT_DIR}/` folder in {}",
                    content_dir.parent().unwrap_or(content_dir).display()
                ),
            )
            .with_hint(
                "a review keeps its Markdown files in `content/`; `tessera init DIR` creates one",
            ),
        );
        return Found {
            files: Vec::new(),
            through_links: false,
        };
    };
    let mut files = Vec::new();
    let mut through_links = false;
    let walker = walkdir::WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                diagnostics.push(walk_diagnostic(content_dir, &err));
                continue;
            }
        };
        through_links |= entry.path_is_symlink();
        if !entry.file_type().is_file() {
            continue;
        }
        let absolute = entry.path().to_path_buf();
        let Ok(relative) = absolute.strip_prefix(content_dir).map(Path::to_path_buf) else {
            continue;
        };
        if entry.path_is_symlink() && !stays_inside(&absolute, &canonical_root) {
            diagnostics.push(
                Diagnostic::error(
                    Code::SymlinkOutside,
                    format!(
                        "`{}` is a link to a file outside `content/`; it was not read",
                        relative.display()
                    ),
                )
                .in_file(Path::new(CONTENT_DIR).join(&relative))
                .with_hint("copy the file into the review instead of linking to it"),
            );
            continue;
        }
        classify(absolute, relative, content, &mut files);
    }
    Found {
        files,
        through_links,
    }
}

pub(super) fn classify(
    absolute: PathBuf,
    relative: PathBuf,
    content: &mut Content,
    files: &mut Vec<(PathBuf, PathBuf)>,
) {
    let is_markdown = relative.extension().is_some_and(|e| e == "md");
    let is_bibliography = relative.parent() == Some(Path::new(""))
        && matches!(
            relative.file_name().and_then(|n| n.to_str()),
            Some("references.yaml" | "references.yml" | "references.bib")
        );
    if is_markdown {
        files.push((absolute, relative));
    } else if is_bibliography {
        content.bibliography = Some(absolute);
    } else {
        content.assets.push(Asset {
            content_path: relative,
            absolute,
        });
    }
}

pub(super) fn stays_inside(path: &Path, canonical_root: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|real| real.starts_with(canonical_root))
}

/// Hidden files and editors' temporary files are not content.
pub fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.starts_with("#")
}

pub(super) fn walk_diagnostic(content_dir: &Path, err: &walkdir::Error) -> Diagnostic {
    let path = err
        .path()
        .and_then(|p| {
            p.strip_prefix(content_dir.parent().unwrap_or(content_dir))
                .ok()
        })
        .map(Path::to_path_buf);
    let (code, message, hint) = if err.loop_ancestor().is_some() {
        (
            Code::SymlinkLoop,
            "this link makes a loop; it was not followed".to_string(),
            "remove the link or point it at a real folder",
        )
    } else {
        (
            Code::Unreadable,
            format!("cannot read: {err}"),
            "check the file's permissions",
        )
    };
    let mut d = Diagnostic::error(code, message).with_hint(hint);
    d.file = path;
    d
}
