//! Finding a theme's templates and static files, with the site's own files overriding the
//! theme's file by file.
//!
//! Lookup order, first match wins: the review's `templates/` (or `static/`), then
//! `themes/<theme>/` under the review root, then the default theme built into the binary
//! (so a review made by `tessera init` needs no copy of it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};

/// The default theme, as it was when this binary was built.
static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The name of the built-in theme.
pub(crate) const DEFAULT_SITE_THEME: &str = "default";

/// Where a template or static file came from.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// A file on disk (absolute path, and the path to show in diagnostics).
    Disk { absolute: PathBuf, display: PathBuf },
    /// The built-in default theme.
    Builtin {
        display: PathBuf,
        contents: &'static [u8],
    },
}

impl Origin {
    pub(crate) fn display(&self) -> &Path {
        match self {
            Origin::Disk { display, .. } | Origin::Builtin { display, .. } => display,
        }
    }

    pub(crate) fn read(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Origin::Disk { absolute, .. } => std::fs::read(absolute),
            Origin::Builtin { contents, .. } => Ok(contents.to_vec()),
        }
    }
}

/// A theme's files, by path relative to `templates/` or `static/`.
#[derive(Debug, Default)]
pub(crate) struct SiteTheme {
    pub templates: BTreeMap<String, Origin>,
    pub statics: BTreeMap<String, Origin>,
}

/// Collects the templates and static files for the site's theme.
pub(crate) fn collect(root: &Path, theme: &str, diagnostics: &mut Diagnostics) -> SiteTheme {
    let mut files = SiteTheme::default();
    let theme_dir = root.join("themes").join(theme);
    let has_disk_theme = theme_dir.is_dir();
    if theme == DEFAULT_SITE_THEME {
        add_builtin(&mut files);
    } else if !has_disk_theme {
        let hint = if root.join("themes").is_dir() {
            format!("create `themes/{theme}/templates/` or set `theme = \"default\"`")
        } else {
            "set `theme = \"default\"` to use the built-in theme".to_string()
        };
        diagnostics.push(
            Diagnostic::error(
                Code::UnknownThemeFolder,
                format!("theme `{theme}` not found: there is no `themes/{theme}/` folder"),
            )
            .in_file(crate::config::CONFIG_FILE)
            .with_hint(hint),
        );
    }
    if has_disk_theme {
        add_disk(&mut files, root, &theme_dir);
    }
    add_disk(&mut files, root, root);
    files
}

fn add_builtin(files: &mut SiteTheme) {
    for (folder, target) in [
        ("templates", &mut files.templates),
        ("static", &mut files.statics),
    ] {
        let Some(dir) = DEFAULT_THEME.get_dir(folder) else {
            continue;
        };
        let mut stack = vec![dir];
        while let Some(dir) = stack.pop() {
            stack.extend(dir.dirs());
            for file in dir.files() {
                let Ok(relative) = file.path().strip_prefix(folder) else {
                    continue;
                };
                target.insert(
                    slash_path(relative),
                    Origin::Builtin {
                        display: Path::new("(built-in theme)").join(file.path()),
                        contents: file.contents(),
                    },
                );
            }
        }
    }
}

/// Adds `base/templates/**` and `base/static/**`, replacing what is already there.
fn add_disk(files: &mut SiteTheme, root: &Path, base: &Path) {
    for (folder, target) in [
        ("templates", &mut files.templates),
        ("static", &mut files.statics),
    ] {
        let dir = base.join(folder);
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !crate::content::is_ignored(e.file_name()))
            .flatten()
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(&dir) else {
                continue;
            };
            let display = entry
                .path()
                .strip_prefix(root)
                .unwrap_or(entry.path())
                .to_path_buf();
            target.insert(
                slash_path(relative),
                Origin::Disk {
                    absolute: entry.path().to_path_buf(),
                    display,
                },
            );
        }
    }
}

fn slash_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
