//! The pages of the open data and the annual cycle: `/data/` (the data dictionary) and,
//! when there is a previous edition, `/changes/` (what changed since it).

use tera::Value;

use super::jobs::{PageJob, Var};
use crate::data::dictionary::Dictionary;
use crate::editions::{Changes, Edition};
use crate::review::Review;

/// The data page, and the changes page when the review is compared with a previous
/// edition.
pub(super) fn jobs(review: &Review, edition: &Edition) -> Vec<PageJob> {
    let style = review.url_style;
    let dictionary = &edition.dictionary;
    let mut jobs = vec![PageJob::new(
        style.page("data"),
        "data.html",
        "data",
        "Data",
        vec![
            ("data", Var::Plain(Value::from_serializable(dictionary))),
            (
                "dataset_json_ld",
                Var::Plain(Value::from(dataset_json_ld(review, dictionary))),
            ),
        ],
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

/// The data page's schema.org `Dataset`, as JSON-LD ready to sit in a `<script>` element:
/// the review's data and each file as a download. URLs are absolute with a `base_url`,
/// else relative to the data page.
fn dataset_json_ld(review: &Review, dictionary: &Dictionary) -> String {
    let config = &review.config;
    let base = config.base_url.trim_end_matches('/');
    let address = |path: &str| {
        if base.is_empty() {
            path.trim_start_matches("data/").to_string()
        } else {
            format!("{base}/{path}")
        }
    };
    let distribution: Vec<serde_json::Value> = dictionary
        .files
        .iter()
        .map(|file| {
            let format = if file.path.ends_with(".json") {
                "application/json"
            } else {
                "text/csv"
            };
            serde_json::json!({
                "@type": "DataDownload",
                "name": file.path.trim_start_matches("data/"),
                "encodingFormat": format,
                "contentUrl": address(file.path),
            })
        })
        .collect();
    let mut dataset = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": format!("{}: data", config.title),
        "description": format!(
            "The case studies, findings and claims of {}, as JSON and CSV.",
            config.title
        ),
        "isAccessibleForFree": true,
        "distribution": distribution,
    });
    if !base.is_empty() {
        dataset["url"] = serde_json::json!(address("data/"));
    }
    if let Some(edition) = config.edition {
        dataset["version"] = serde_json::json!(edition.to_string());
    }
    if let Some(licence) = &dictionary.licence {
        dataset["license"] = serde_json::json!(licence);
    }
    // `</` would end the script element early; JSON reads `<\/` as the same text.
    dataset.to_string().replace("</", "<\\/")
}
