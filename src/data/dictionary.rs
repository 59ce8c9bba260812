//! The data dictionary: every data file, every column, its type and allowed values.
//!
//! The column lists here are the ones [`super::tables`] writes its headers from, so the
//! `/data/` page cannot drift from the files. Allowed values come from the review's facets.

use serde::Serialize;

use super::{FacetData, ReviewData, facet_index};

/// One column of a table (or one top-level field of the JSON document).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub name: &'static str,
    /// What a cell holds: `text`, `integer`, `boolean`, `list of …` (joined with `; `).
    pub kind: &'static str,
    pub description: &'static str,
    /// The facet whose ids the column holds, for its allowed values.
    pub facet: Option<&'static str>,
    /// Allowed values fixed by tessera itself (a stance, a boolean).
    pub fixed: &'static [&'static str],
}

const fn col(name: &'static str, kind: &'static str, description: &'static str) -> Column {
    Column {
        name,
        kind,
        description,
        facet: None,
        fixed: &[],
    }
}

const fn fixed(
    name: &'static str,
    kind: &'static str,
    description: &'static str,
    fixed: &'static [&'static str],
) -> Column {
    Column {
        name,
        kind,
        description,
        facet: None,
        fixed,
    }
}

const BOOLEAN: &[&str] = &["true", "false"];

const fn facet(
    name: &'static str,
    kind: &'static str,
    description: &'static str,
    facet: &'static str,
) -> Column {
    Column {
        name,
        kind,
        description,
        facet: Some(facet),
        fixed: &[],
    }
}

/// `data/case-studies.csv`: one row per case study.
pub(crate) const CASE_STUDY_COLUMNS: &[Column] = &[
    col(
        "slug",
        "text",
        "The case study's identifier (its file name).",
    ),
    col("title", "text", "Title."),
    col("summary", "text", "One-sentence summary."),
    col(
        "url",
        "text",
        "Its page, relative to the site's address (case-studies/pause/).",
    ),
    col(
        "organisations",
        "list of text",
        "Organisations that run or ran it.",
    ),
    facet("region", "text", "Where it started.", "region"),
    col(
        "period_start",
        "integer",
        "Year it started; empty when unknown.",
    ),
    col(
        "period_end",
        "integer",
        "Year it ended; empty when it continues or is unknown.",
    ),
    col(
        "edition",
        "integer",
        "The edition of the review that added or last updated it.",
    ),
    facet("stage", "text", "Where the innovation stands.", "stage"),
    facet(
        "origin",
        "text",
        "Whether the model was created locally or taken from elsewhere.",
        "origin",
    ),
    col(
        "adapted_from",
        "text",
        "The slug of the case study it was adapted from.",
    ),
    facet(
        "framed_as",
        "list of text",
        "How the people involved describe the work.",
        "framed_as",
    ),
    col("themes", "list of text", "Slugs of its research themes."),
    col(
        "sources",
        "list of text",
        "Bibliography keys of its sources (the sources field).",
    ),
    col("findings", "integer", "How many findings it reports."),
    col(
        "draft",
        "boolean",
        "true for a draft (only in builds with drafts).",
    ),
    col(
        "extra",
        "JSON text",
        "Any other front-matter fields under extra, as a JSON object; empty when none.",
    ),
];

/// `data/findings.csv`: one row per finding.
pub(crate) const FINDING_COLUMNS: &[Column] = &[
    col(
        "case_study",
        "text",
        "Slug of the case study that reports it.",
    ),
    col("case_study_title", "text", "Title of that case study."),
    col(
        "position",
        "integer",
        "Its place among the case study's findings, from 1.",
    ),
    col("claim", "text", "Slug of the claim it speaks to."),
    col("claim_title", "text", "Title of that claim."),
    fixed(
        "stance",
        "text",
        "Which way it points on the claim.",
        &["supports", "mixed", "challenges"],
    ),
    facet(
        "perspective",
        "text",
        "Whose view it reports.",
        "perspective",
    ),
    facet("design", "text", "How the evidence was gathered.", "design"),
    facet(
        "certainty",
        "text",
        "How much confidence the study allows.",
        "certainty",
    ),
    col("source", "text", "Bibliography key of its source."),
    col("locator", "text", "Where in the source (page, section)."),
    col("note", "text", "What the source found, in a sentence."),
];

/// `data/claims.csv`: one row per claim.
pub(crate) const CLAIM_COLUMNS: &[Column] = &[
    col("slug", "text", "The claim's identifier (its file name)."),
    col("title", "text", "The statement."),
    col("summary", "text", "One-sentence summary."),
    col("url", "text", "Its page, relative to the site's address."),
    col("themes", "list of text", "Slugs of its themes."),
    fixed(
        "contested",
        "boolean",
        "true when findings point both ways, or any is mixed.",
        BOOLEAN,
    ),
    col("supports", "integer", "Findings that support it."),
    col("mixed", "integer", "Findings with mixed results."),
    col("challenges", "integer", "Findings that challenge it."),
    col("total", "integer", "All findings on it."),
];

/// The top-level fields of `data/review.json`.
const JSON_FIELDS: &[Column] = &[
    col(
        "format",
        "integer",
        "The version of the document's shape; it changes only when a field is renamed, removed or changes meaning.",
    ),
    col(
        "review",
        "object",
        "The review's title, description, base_url, language, edition, and publication details (null when site.toml gives none).",
    ),
    col(
        "facets",
        "list of objects",
        "Every facet: name, label, description and its values (id, label, description).",
    ),
    col(
        "themes",
        "list of objects",
        "Every theme: slug, title, summary, url.",
    ),
    col(
        "claims",
        "list of objects",
        "Every claim: slug, title, summary, url, themes, contested, and counts per stance (supports, mixed, challenges, total).",
    ),
    col(
        "case_studies",
        "list of objects",
        "Every case study with every front-matter field (the columns of case-studies.csv, period as {start, end}, extra as an object), and its findings (claim, stance, perspective, design, certainty, source, locator, note).",
    ),
];

/// What the `/data/` page shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dictionary {
    pub files: Vec<FileEntry>,
    /// The licence the data is published under, when site.toml states one.
    pub licence: Option<String>,
    /// Loading the tables in R and in pandas.
    pub r: String,
    pub pandas: String,
}

/// One downloadable file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileEntry {
    /// Anchor id on the page.
    pub id: &'static str,
    /// Path in the site (`data/claims.csv`).
    pub path: &'static str,
    pub format: &'static str,
    pub description: &'static str,
    /// Rows (or, for the JSON document, case studies).
    pub rows: usize,
    pub columns: Vec<ColumnEntry>,
}

/// One column as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ColumnEntry {
    pub name: &'static str,
    pub kind: &'static str,
    pub description: &'static str,
    /// Allowed values (id and label), when the column holds a facet's ids.
    pub values: Vec<AllowedValue>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AllowedValue {
    pub id: String,
    pub label: String,
}

/// The dictionary for this review's data.
pub(crate) fn dictionary(data: &ReviewData) -> Dictionary {
    let facets = facet_index(data);
    let columns = |list: &[Column]| -> Vec<ColumnEntry> {
        list.iter()
            .map(|c| ColumnEntry {
                name: c.name,
                kind: c.kind,
                description: c.description,
                values: match c.facet.and_then(|name| facets.get(name)) {
                    Some(facet) => allowed(facet),
                    None => c
                        .fixed
                        .iter()
                        .map(|v| AllowedValue {
                            id: v.to_string(),
                            label: v.to_string(),
                        })
                        .collect(),
                },
            })
            .collect()
    };
    let findings = data.case_studies.iter().map(|c| c.findings.len()).sum();
    Dictionary {
        files: vec![
            FileEntry {
                id: "review-json",
                path: "data/review.json",
                format: "JSON, UTF-8",
                description: "The whole review in one document: its details, facets, themes, claims, and case studies with their findings. It is also the edition snapshot a later edition compares itself with.",
                rows: data.case_studies.len(),
                columns: columns(JSON_FIELDS),
            },
            FileEntry {
                id: "case-studies-csv",
                path: "data/case-studies.csv",
                format: "CSV",
                description: "One row per case study.",
                rows: data.case_studies.len(),
                columns: columns(CASE_STUDY_COLUMNS),
            },
            FileEntry {
                id: "findings-csv",
                path: "data/findings.csv",
                format: "CSV",
                description: "One row per finding, with its case study's slug and title.",
                rows: findings,
                columns: columns(FINDING_COLUMNS),
            },
            FileEntry {
                id: "claims-csv",
                path: "data/claims.csv",
                format: "CSV",
                description: "One row per claim, with the count of findings on each side.",
                rows: data.claims.len(),
                columns: columns(CLAIM_COLUMNS),
            },
        ],
        licence: licence(data),
        r: R_RECIPE.to_string(),
        pandas: PANDAS_RECIPE.to_string(),
    }
}

fn allowed(facet: &FacetData) -> Vec<AllowedValue> {
    facet
        .values
        .iter()
        .map(|v| AllowedValue {
            id: v.id.clone(),
            label: v.label.clone(),
        })
        .collect()
}

/// The licence from the review's publication details (site.toml's `[publication]`), when
/// it names one.
fn licence(data: &ReviewData) -> Option<String> {
    let publication = data.review.publication.as_ref()?;
    ["licence", "license"]
        .iter()
        .find_map(|key| publication.get(key)?.as_str().map(str::to_string))
}

const R_RECIPE: &str = r#"# The files start with a byte-order mark; readr skips it.
library(readr)
case_studies <- read_csv("case-studies.csv")
findings <- read_csv("findings.csv")
claims <- read_csv("claims.csv")
# List columns are joined with "; ":
themes <- strsplit(case_studies$themes, "; ", fixed = TRUE)
# The whole review:
review <- jsonlite::fromJSON("review.json")"#;

const PANDAS_RECIPE: &str = r#"import json
import pandas as pd

# "utf-8-sig" reads the byte-order mark the files start with.
case_studies = pd.read_csv("case-studies.csv", encoding="utf-8-sig")
findings = pd.read_csv("findings.csv", encoding="utf-8-sig")
claims = pd.read_csv("claims.csv", encoding="utf-8-sig")
# List columns are joined with "; ":
case_studies["themes"] = case_studies["themes"].fillna("").str.split("; ")
# The whole review:
with open("review.json", encoding="utf-8") as f:
    review = json.load(f)"#;
