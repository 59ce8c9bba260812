//! The pages of the open data and the annual cycle: `/data/` (the data dictionary) and,
//! when there is a previous edition, `/changes/` (what changed since it).

use tera::Value;

use super::jobs::{PageJob, Var};
use crate::data::dictionary::dictionary;
use crate::editions::{Changes, Edition};
use crate::review::Review;

/// The data page, and the changes page when the review is compared with a previous
/// edition.
pub(super) fn jobs(review: &Review, edition: &Edition) -> Vec<PageJob> {
    let style = review.url_style;
    let mut jobs = vec![PageJob::new(
        style.page("data"),
        "data.html",
        "data",
        "Data",
        vec![(
            "data",
            Var::Plain(Value::from_serializable(&dictionary(&edition.data))),
        )],
    )];
    if let Some(changes) = &edition.changes {
        let title = match changes.previous_edition {
            Some(e) => format!("What changed since the {e} edition"),
            None => "What changed since the last edition".to_string(),
        };
        jobs.push(PageJob::new(
            style.page("changes"),
            "changes.html",
            "changes",
            &title,
            vec![
                (
                    "changes",
                    Var::Plain(Value::from_serializable(
                        &changes.with_page_urls(&|url| style.page(url)),
                    )),
                ),
                ("sources", Var::Plain(sources(review, changes))),
            ],
        ));
    }
    jobs
}

/// The sources the changes name, by key, as `{label, citation}`: "Title (2017)" to show and
/// the full one-line citation. A source no longer in the bibliography is left out (the
/// page then shows its key).
fn sources(review: &Review, changes: &Changes) -> Value {
    let keys = changes
        .findings_added
        .iter()
        .chain(&changes.findings_removed)
        .chain(changes.findings_changed.iter().map(|f| &f.finding))
        .filter_map(|f| f.source.as_deref());
    let mut map = serde_json::Map::new();
    for key in keys {
        if let Some(source) = review.bibliography.get(key) {
            let label = match source.year {
                Some(year) => format!("{} ({year})", source.title),
                None => source.title.clone(),
            };
            map.insert(
                key.to_string(),
                serde_json::json!({ "label": label, "citation": source.citation }),
            );
        }
    }
    Value::from_serializable(&map)
}
