//! The annual cycle: this edition's data, compared with the previous edition's snapshot,
//! and the index of every edition.
//!
//! Sits between the review model and rendering: [`Edition::prepare`] turns the review into
//! its data document ([`crate::data`]), reads the snapshot that `[editions] previous`
//! names ([`snapshot`]), compares the two ([`compare`]) and warns about case studies that
//! changed without their `edition` being raised. The result gives the templates their
//! `editions` variable and the site its data files (`data/review.json`, the CSV tables,
//! `data/changes.json`, `editions.json`). It knows nothing of templates.

pub(crate) mod compare;
pub(crate) mod snapshot;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::config::SiteConfig;
use crate::data::dictionary::{Dictionary, dictionary};
use crate::data::{self, ReviewData};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::review::Review;
pub(crate) use compare::Changes;

/// This edition: its data, and what changed since the previous one.
#[derive(Debug, Clone)]
pub(crate) struct Edition {
    /// Shared, so that `serve` can reuse it after an edit of bodies only. `None` once
    /// [`Edition::take_files`] has let go of it.
    data: Option<Arc<ReviewData>>,
    /// What the `/data/` page says of the data files.
    pub dictionary: Dictionary,
    /// `None` without `[editions] previous`.
    pub changes: Option<Changes>,
    /// Every edition, newest first, with where it is published (`editions.json`).
    pub index: Vec<EditionEntry>,
}

/// Data files: paths under the output folder, with their bytes shared.
pub(crate) type DataFiles = Vec<(PathBuf, Arc<[u8]>)>;

/// The data files of the last compile, the edition they were written from, and each case
/// study's share of them.
#[derive(Default)]
pub(crate) struct DataCache {
    last: Option<Edition>,
    files: DataFiles,
    pieces: data::Pieces,
}

/// The data files of a compile, with each case study's share of them (new ones when the
/// data changed, else none: the kept ones are still right).
pub(crate) struct Written {
    pub files: DataFiles,
    pieces: Option<data::Pieces>,
}

impl DataCache {
    /// Keeps `edition` (moved, not copied) and the files written from it for the next
    /// compile.
    pub(crate) fn keep(&mut self, edition: Edition, written: Written) {
        // The last compile's data is freed on another thread: at 10,000 case studies that
        // took 15 ms of every edit in `serve`.
        let last = self.last.replace(edition);
        let files = std::mem::replace(&mut self.files, written.files);
        let pieces = written
            .pieces
            .map(|pieces| std::mem::replace(&mut self.pieces, pieces));
        crate::drop_in_background((last, files, pieces));
    }

    /// The data of the last compile, for a compile whose review differs from the last in
    /// bodies only (the data holds no body).
    pub(crate) fn last_data(&self) -> Option<Arc<ReviewData>> {
        self.last.as_ref().and_then(|edition| edition.data.clone())
    }
}

/// One edition in `editions.json` and the footer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct EditionEntry {
    pub edition: i64,
    /// Where it is published (`""` for this edition without a `base_url`).
    pub url: String,
    /// The newest edition of all.
    pub latest: bool,
    /// This build's edition.
    pub current: bool,
}

impl Edition {
    /// This edition's data and its comparison with the previous snapshot. `None` when
    /// the snapshot cannot be used (reported into `diagnostics`); warns about case studies
    /// that changed but whose `edition` was not raised. `data`, when given, is this
    /// review's data, made before.
    pub(crate) fn prepare(
        root: &Path,
        review: &Review,
        data: Option<Arc<ReviewData>>,
        diagnostics: &mut Diagnostics,
    ) -> Option<Edition> {
        let config = &review.config;
        let data = data.unwrap_or_else(|| Arc::new(ReviewData::from_review(review)));
        let changes = match &config.editions.previous {
            None => None,
            Some(relative) => {
                let previous = snapshot::load_previous(root, config, relative, diagnostics)?;
                Some(compare::compare(
                    &previous,
                    &data,
                    &config.editions.previous_url,
                ))
            }
        };
        if let Some(changes) = &changes {
            diagnostics.extend(not_bumped(root, review, changes));
        }
        Some(Edition {
            index: index(config),
            dictionary: dictionary(&data),
            data: Some(data),
            changes,
        })
    }

    /// [`Edition::files`], letting go of the data they are written from, which no page
    /// needs (the `/data/` page shows the dictionary): for `tessera build`, which writes
    /// them before the pages, so that a large review's data is not held while the pages
    /// render (about 12 MB less at the peak at 10,000 case studies).
    pub(crate) fn take_files(
        &mut self,
    ) -> Result<Vec<(PathBuf, Vec<u8>)>, data::tables::TableError> {
        let files = self.files();
        self.data = None;
        files
    }

    /// The data files: `data/review.json`, the CSV tables, `data/changes.json` when there
    /// is a previous edition, and `editions.json`. Only the last two once
    /// [`Edition::take_files`] has taken the data.
    pub(crate) fn files(&self) -> Result<Vec<(PathBuf, Vec<u8>)>, data::tables::TableError> {
        let files = match &self.data {
            Some(data) => data::files(data)?,
            None => Vec::new(),
        };
        Ok(self.with_edition_files(files))
    }

    /// `files` followed by `data/changes.json`, when there is a previous edition, and
    /// `editions.json`.
    fn with_edition_files(&self, mut files: Vec<(PathBuf, Vec<u8>)>) -> Vec<(PathBuf, Vec<u8>)> {
        if let Some(changes) = &self.changes {
            files.push((
                Path::new(data::DATA_DIR).join("changes.json"),
                pretty(changes),
            ));
        }
        let index = serde_json::json!({ "editions": self.index });
        files.push((PathBuf::from("editions.json"), pretty(&index)));
        files
    }

    /// [`Edition::files`], reusing the files in `cache` when they were written from the
    /// same data, changes and index (as after most edits in `serve`, which change a page's
    /// text, not the data), and otherwise the share of every case study whose data is the
    /// same. Keep this edition with its files with [`DataCache::keep`].
    pub(crate) fn files_cached(
        &self,
        cache: &DataCache,
    ) -> Result<Written, data::tables::TableError> {
        if let Some(last) = &cache.last
            && match (&last.data, &self.data) {
                (Some(last), Some(this)) => Arc::ptr_eq(last, this) || last == this,
                _ => false,
            }
            && last.changes == self.changes
            && last.index == self.index
        {
            return Ok(Written {
                files: cache.files.clone(),
                pieces: None,
            });
        }
        let (files, pieces) = match &self.data {
            Some(data) => {
                let (files, pieces) = data::files_reusing(data, &cache.pieces)?;
                (files, Some(pieces))
            }
            None => (Vec::new(), None),
        };
        let files = self
            .with_edition_files(files)
            .into_iter()
            .map(|(path, bytes)| (path, Arc::from(bytes)))
            .collect();
        Ok(Written { files, pieces })
    }

    /// The templates' `editions` variable: see the README's template reference.
    pub(crate) fn template_value(&self, config: &SiteConfig) -> serde_json::Value {
        let since = since(self.changes.as_ref());
        let new_in = match config.edition {
            Some(e) => format!("New in the {e} edition"),
            None => "New in this edition".to_string(),
        };
        let mut case_studies = serde_json::Map::new();
        let mut claims = serde_json::Map::new();
        if let Some(changes) = &self.changes {
            for c in &changes.case_studies_added {
                case_studies.insert(c.slug.clone(), line("added", new_in.clone()));
            }
            for c in &changes.case_studies_updated {
                let text = format!("Updated {since}: {}", c.description);
                case_studies.insert(c.slug.clone(), line("updated", text));
            }
            let claim_changes = [
                ("now-contested", &changes.claims_now_contested),
                ("no-longer-contested", &changes.claims_no_longer_contested),
                ("shifted", &changes.claims_shifted),
            ];
            for (status, list) in claim_changes {
                for c in list {
                    let text = format!("{}: {}", capitalised(&since), c.description);
                    claims.insert(c.claim.slug.clone(), line(status, text));
                }
            }
            for c in &changes.claims_added {
                let text = format!(
                    "{new_in}: {}",
                    compare::balance(&c.after.unwrap_or_default())
                );
                claims.insert(c.claim.slug.clone(), line("added", text));
            }
        }
        let others: Vec<&EditionEntry> = self.index.iter().filter(|e| !e.current).collect();
        let latest = self.index.iter().find(|e| e.latest);
        serde_json::json!({
            "current": config.edition,
            "previous": self.changes.as_ref().and_then(|c| c.previous_edition),
            "since": since,
            "summary_line": self.changes.as_ref().map(summary_line),
            "case_studies": case_studies,
            "claims": claims,
            "archive": others,
            "latest": latest,
            "index_url": config.editions.index_url,
            "index_absolute": config.editions.index_url.contains("://"),
        })
    }
}

/// The changes in a sentence, for the home page: `8 case studies added, 25 findings
/// added and 2 claims now contested`; `no changes` when nothing moved.
fn summary_line(changes: &Changes) -> String {
    let s = &changes.summary;
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let parts: Vec<String> = [
        (
            s.case_studies_added,
            "case study added",
            "case studies added",
        ),
        (
            s.case_studies_updated,
            "case study updated",
            "case studies updated",
        ),
        (
            s.case_studies_removed,
            "case study removed",
            "case studies removed",
        ),
        (s.findings_added, "finding added", "findings added"),
        (s.findings_removed, "finding removed", "findings removed"),
        (s.findings_changed, "finding changed", "findings changed"),
        (
            s.claims_now_contested,
            "claim now contested",
            "claims now contested",
        ),
        (
            s.claims_no_longer_contested,
            "claim no longer contested",
            "claims no longer contested",
        ),
        (s.claims_shifted, "claim shifted", "claims shifted"),
        (s.claims_added, "claim added", "claims added"),
        (s.claims_removed, "claim removed", "claims removed"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| plural(*n, one, many))
    .collect();
    if parts.is_empty() {
        "no changes".to_string()
    } else {
        compare::join_and(&parts)
    }
}

/// `since the 2025 edition`, or `since the last edition`.
fn since(changes: Option<&Changes>) -> String {
    match changes.and_then(|c| c.previous_edition) {
        Some(e) => format!("since the {e} edition"),
        None => "since the last edition".to_string(),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn line(status: &str, text: String) -> serde_json::Value {
    serde_json::json!({ "status": status, "line": text })
}

fn pretty<T: Serialize>(value: &T) -> Vec<u8> {
    let mut json = serde_json::to_vec_pretty(value).unwrap_or_default();
    json.push(b'\n');
    json
}

/// Every edition: this one and the archive's, newest first.
fn index(config: &SiteConfig) -> Vec<EditionEntry> {
    let mut entries: Vec<EditionEntry> = config
        .editions
        .archive
        .iter()
        .filter(|a| Some(a.edition) != config.edition)
        .map(|a| EditionEntry {
            edition: a.edition,
            url: a.url.clone().unwrap_or_default(),
            latest: false,
            current: false,
        })
        .collect();
    if let Some(edition) = config.edition {
        entries.push(EditionEntry {
            edition,
            url: config.base_url.clone(),
            latest: false,
            current: true,
        });
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.edition));
    if let Some(newest) = entries.first_mut() {
        newest.latest = true;
    }
    entries
}

/// `edition-not-bumped`: a case study that changed since the snapshot, whose `edition`
/// still names an older edition.
fn not_bumped(root: &Path, review: &Review, changes: &Changes) -> Vec<Diagnostic> {
    let Some(current) = review.config.edition else {
        return Vec::new();
    };
    changes
        .case_studies_updated
        .iter()
        .filter(|u| u.edition != Some(current))
        .filter_map(|u| {
            let case_study = review.case_studies.iter().find(|c| c.slug == u.slug)?;
            let was = u.edition.map_or_else(
                || "has no `edition`".to_string(),
                |e| format!("still says `edition: {e}`"),
            );
            let diagnostic = Diagnostic::warning(
                Code::EditionNotBumped,
                format!(
                    "`{}` changed {} ({}) but {was}",
                    u.slug,
                    since(Some(changes)),
                    u.description
                ),
            )
            .in_file(case_study.path.clone())
            .with_hint(format!(
                "set `edition: {current}` so readers see it was updated in this edition"
            ));
            let text = std::fs::read_to_string(root.join(&case_study.path)).ok();
            Some(match text {
                Some(text) => {
                    let span = edition_field(&text);
                    diagnostic.at(&text, span)
                }
                None => diagnostic,
            })
        })
        .collect()
}

/// The span of the `edition` value in a file's front matter (or of `edition` itself,
/// or the start of the file when the field is absent).
fn edition_field(text: &str) -> Range<usize> {
    let mut offset = 0;
    let mut fences = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            fences += 1;
            if fences == 2 {
                break;
            }
        } else if let Some(rest) = line.strip_prefix("edition:") {
            let value = rest.trim();
            let start = offset + "edition:".len() + (rest.len() - rest.trim_start().len());
            return if value.is_empty() {
                offset..offset + "edition".len()
            } else {
                start..start + value.len()
            };
        }
        offset += line.len();
    }
    0..0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edition_field_is_found_in_front_matter_only() {
        let text = "---\ntitle: A\nedition: 2025\n---\nedition: body\n";
        let span = edition_field(text);
        assert_eq!(&text[span], "2025");
        assert_eq!(edition_field("---\ntitle: A\n---\nedition: 1\n"), 0..0);
    }
}
