//! Edition snapshots on disk: reading the previous one (`[editions] previous`) and
//! writing this one (`tessera snapshot`).
//!
//! A snapshot is the review's data document ([`ReviewData`]) as `data/review.json` holds
//! it. Every way a snapshot can be unusable (missing, unreadable, not JSON, another format
//! version, not an older edition) is a located diagnostic with a hint.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{CONFIG_FILE, SiteConfig};
use crate::data::{FORMAT, ReviewData};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};

/// The folder of snapshots in a review.
pub(crate) const EDITIONS_DIR: &str = "editions";

/// Where site.toml says something: read again from disk, for pointing at a key.
struct ConfigText {
    text: String,
}

impl ConfigText {
    fn read(root: &Path) -> ConfigText {
        ConfigText {
            text: std::fs::read_to_string(root.join(CONFIG_FILE)).unwrap_or_default(),
        }
    }

    /// The span of `key = ` (the first line that sets it), or the start of the file.
    fn key(&self, key: &str) -> Range<usize> {
        let mut offset = 0;
        for line in self.text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix(key)
                && rest.trim_start().starts_with('=')
            {
                let start = offset + (line.len() - trimmed.len());
                return start..start + key.len();
            }
            offset += line.len();
        }
        0..0
    }

    fn at(&self, diagnostic: Diagnostic, key: &str) -> Diagnostic {
        let span = self.key(key);
        diagnostic.in_file(CONFIG_FILE).at(&self.text, span)
    }
}

/// Reads and checks the previous edition's snapshot named by `[editions] previous`.
/// `None` (with the problem reported) when it cannot be used.
pub(crate) fn load_previous(
    root: &Path,
    config: &SiteConfig,
    relative: &Path,
    diagnostics: &mut Diagnostics,
) -> Option<ReviewData> {
    let site = ConfigText::read(root);
    let path = root.join(relative);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) => {
            let hint = if err.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "make it with `tessera snapshot` on the previous edition's content, or correct the path (relative to the review folder{})",
                    listing_hint(root)
                )
            } else {
                "check that the file can be read".to_string()
            };
            diagnostics.push(
                site.at(
                    Diagnostic::error(
                        Code::EditionSnapshot,
                        format!(
                            "cannot read the previous edition's snapshot `{}`: {err}",
                            relative.display()
                        ),
                    ),
                    "previous",
                )
                .with_hint(hint),
            );
            return None;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        diagnostics.push(
            Diagnostic::error(
                Code::EditionSnapshot,
                "the previous edition's snapshot is not UTF-8 text",
            )
            .in_file(relative)
            .with_hint("a snapshot is the JSON that `tessera snapshot` writes"),
        );
        return None;
    };
    let text: Arc<str> = Arc::from(text);
    let data = parse(relative, &text, diagnostics)?;
    check_edition(config, relative, &data, &site, diagnostics)?;
    Some(data)
}

/// `(or: editions/2025.json, editions/2024.json)` when the folder holds snapshots.
fn listing_hint(root: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(root.join(EDITIONS_DIR))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| format!("{EDITIONS_DIR}/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    if names.is_empty() {
        String::new()
    } else {
        format!("; snapshots there: {}", names.join(", "))
    }
}

/// The snapshot as data: JSON, of this format version, in the document's shape.
fn parse(relative: &Path, text: &Arc<str>, diagnostics: &mut Diagnostics) -> Option<ReviewData> {
    let corrupt = |message: String, span: Range<usize>, diagnostics: &mut Diagnostics| {
        diagnostics.add_source(relative, text.clone());
        diagnostics.push(
            Diagnostic::error(Code::EditionSnapshot, message)
                .in_file(relative)
                .at(text, span)
                .with_hint(
                    "a snapshot is the JSON that `tessera snapshot` writes; restore it from version control or make it again with `tessera snapshot --force` on that edition's content",
                ),
        );
    };
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(err) => {
            let span = offset_of(text, err.line(), err.column());
            corrupt(
                format!("the previous edition's snapshot is not valid JSON: {err}"),
                span,
                diagnostics,
            );
            return None;
        }
    };
    let format = value.get("format").and_then(serde_json::Value::as_u64);
    if format != Some(u64::from(FORMAT)) {
        diagnostics.add_source(relative, text.clone());
        let found = format.map_or_else(|| "no `format`".to_string(), |f| format!("format {f}"));
        diagnostics.push(
            Diagnostic::error(
                Code::EditionSnapshotFormat,
                format!(
                    "the previous edition's snapshot has {found}; this version of tessera reads format {FORMAT}"
                ),
            )
            .in_file(relative)
            .at(text, quoted_key(text, "format"))
            .with_hint(
                "make the snapshot again with this version of tessera (`tessera snapshot --force` on that edition's content)",
            ),
        );
        return None;
    }
    match serde_json::from_str::<ReviewData>(text) {
        Ok(data) => Some(data.sorted()),
        Err(err) => {
            let span = offset_of(text, err.line(), err.column());
            corrupt(
                format!("the previous edition's snapshot does not have a snapshot's shape: {err}"),
                span,
                diagnostics,
            );
            None
        }
    }
}

/// The snapshot is of an edition older than this one.
fn check_edition(
    config: &SiteConfig,
    relative: &Path,
    data: &ReviewData,
    site: &ConfigText,
    diagnostics: &mut Diagnostics,
) -> Option<()> {
    let Some(current) = config.edition else {
        diagnostics.push(
            site.at(
                Diagnostic::error(
                    Code::EditionMissing,
                    "[editions] previous is set, but site.toml has no `edition` to compare it with",
                ),
                "previous",
            )
            .with_hint("add the current edition at the top of site.toml, e.g. `edition = 2026`"),
        );
        return None;
    };
    match data.review.edition {
        Some(old) if old < current => Some(()),
        old => {
            let what = old.map_or_else(
                || "has no edition".to_string(),
                |e| format!("is of the {e} edition"),
            );
            diagnostics.push(
                site.at(
                    Diagnostic::error(
                        Code::EditionSnapshotNotOlder,
                        format!(
                            "the previous edition's snapshot `{}` {what}, which is not older than this edition ({current})",
                            relative.display()
                        ),
                    ),
                    "previous",
                )
                .with_hint(format!(
                    "raise `edition` in site.toml for the new edition, or point `previous` at an older snapshot ({EDITIONS_DIR}/{}.json)",
                    current - 1
                )),
            );
            None
        }
    }
}

/// The byte range of `"key"` in JSON text, or the start.
fn quoted_key(text: &str, key: &str) -> Range<usize> {
    let quoted = format!("\"{key}\"");
    text.find(&quoted)
        .map_or(0..0, |i| i + 1..i + 1 + key.len())
}

/// A byte range at serde_json's 1-based line and column (0 for end of input).
fn offset_of(text: &str, line: usize, column: usize) -> Range<usize> {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let at = offset + column.saturating_sub(1).min(l.len());
            let at = (0..=at)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            return at..at;
        }
        offset += l.len();
    }
    text.len()..text.len()
}

/// Where the snapshot of `edition` goes: absolute, and relative to the root.
pub(crate) fn snapshot_path(root: &Path, edition: i64) -> (PathBuf, PathBuf) {
    let relative = Path::new(EDITIONS_DIR).join(format!("{edition}.json"));
    (root.join(&relative), relative)
}

/// Writes this edition's snapshot to `editions/<edition>.json`, refusing to replace one
/// unless `force`. Returns the path written, relative to the root.
pub(crate) fn write(
    root: &Path,
    config: &SiteConfig,
    data: &ReviewData,
    force: bool,
) -> Result<PathBuf, Box<Diagnostic>> {
    let site = ConfigText::read(root);
    let Some(edition) = config.edition else {
        return Err(Box::new(
            site.at(
                Diagnostic::error(
                    Code::EditionMissing,
                    "site.toml has no `edition`, so the snapshot has no name",
                ),
                "title",
            )
            .with_hint("add the edition at the top of site.toml, e.g. `edition = 2026`"),
        ));
    };
    let (path, relative) = snapshot_path(root, edition);
    if path.exists() && !force {
        return Err(Box::new(
            Diagnostic::error(
                Code::SnapshotExists,
                format!(
                    "{} already exists; a snapshot is never replaced by accident",
                    relative.display()
                ),
            )
            .in_file(relative.clone())
            .with_hint(
                "if this edition's content really changed since it was frozen, run `tessera snapshot --force`",
            ),
        ));
    }
    let written = std::fs::create_dir_all(root.join(EDITIONS_DIR))
        .and_then(|()| write_whole(&path, &data.to_json()));
    written.map_err(|err| {
        Box::new(
            Diagnostic::error(
                Code::SnapshotWrite,
                format!("cannot write {}: {err}", relative.display()),
            )
            .with_hint("check that the review folder is writable"),
        )
    })?;
    Ok(relative)
}

/// Writes a file whole: into a temporary file beside it, then renamed over it, so a
/// failed write never leaves half a snapshot.
fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension("json.partial");
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}
