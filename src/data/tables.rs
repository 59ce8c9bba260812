//! The CSV tables: `case-studies.csv`, `findings.csv` and `claims.csv`.
//!
//! RFC 4180 (comma-separated, CRLF line ends, fields quoted when they need it), written
//! with the `csv` crate, in UTF-8 starting with a byte-order mark so that spreadsheet
//! programs read accents correctly. List fields are joined with `; `. Headers come from
//! the column lists of [`super::dictionary`], which the `/data/` page documents.

use super::dictionary::{CASE_STUDY_COLUMNS, CLAIM_COLUMNS, Column, FINDING_COLUMNS};
use super::{CaseStudyData, ReviewData};

/// The byte-order mark the tables start with.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// How list fields are joined in one cell.
pub(crate) const LIST_SEPARATOR: &str = "; ";

/// A table could not be written (in memory, so only a bug in a row's shape can cause it).
#[derive(Debug, thiserror::Error)]
#[error("cannot write {table}: {source}")]
pub(crate) struct TableError {
    table: &'static str,
    #[source]
    source: csv::Error,
}

/// Every table, by file name, with its bytes.
pub(crate) fn write_all(data: &ReviewData) -> Result<Vec<(&'static str, Vec<u8>)>, TableError> {
    Ok(vec![
        (
            "case-studies.csv",
            table(
                "case-studies.csv",
                CASE_STUDY_COLUMNS,
                data.case_studies.iter().map(case_study_row),
            )?,
        ),
        (
            "findings.csv",
            table("findings.csv", FINDING_COLUMNS, finding_rows(data))?,
        ),
        (
            "claims.csv",
            table(
                "claims.csv",
                CLAIM_COLUMNS,
                data.claims.iter().map(|c| {
                    vec![
                        c.slug.clone(),
                        c.title.clone(),
                        c.summary.clone(),
                        c.url.clone(),
                        c.themes.join(LIST_SEPARATOR),
                        c.contested.to_string(),
                        c.counts.supports.to_string(),
                        c.counts.mixed.to_string(),
                        c.counts.challenges.to_string(),
                        c.counts.total.to_string(),
                    ]
                }),
            )?,
        ),
    ])
}

fn table(
    name: &'static str,
    columns: &[Column],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, TableError> {
    let error = |source| TableError {
        table: name,
        source,
    };
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(BOM.to_vec());
    writer
        .write_record(columns.iter().map(|c| c.name))
        .map_err(error)?;
    for row in rows {
        debug_assert_eq!(
            row.len(),
            columns.len(),
            "a row of {name} has the wrong width"
        );
        writer.write_record(&row).map_err(error)?;
    }
    writer
        .into_inner()
        .map_err(|e| error(csv::Error::from(e.into_error())))
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map_or_else(String::new, ToString::to_string)
}

fn case_study_row(c: &CaseStudyData) -> Vec<String> {
    vec![
        c.slug.clone(),
        c.title.clone(),
        c.summary.clone(),
        c.url.clone(),
        c.organisations.join(LIST_SEPARATOR),
        opt(&c.region),
        opt(&c.period.start),
        opt(&c.period.end),
        opt(&c.edition),
        opt(&c.stage),
        opt(&c.origin),
        opt(&c.adapted_from),
        c.framed_as.join(LIST_SEPARATOR),
        c.themes.join(LIST_SEPARATOR),
        c.sources.join(LIST_SEPARATOR),
        c.findings.len().to_string(),
        c.draft.to_string(),
        if c.extra.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&c.extra).unwrap_or_default()
        },
    ]
}

fn finding_rows(data: &ReviewData) -> impl Iterator<Item = Vec<String>> + '_ {
    data.case_studies.iter().flat_map(move |c| {
        c.findings.iter().enumerate().map(move |(i, f)| {
            let claim_title = data
                .claim(&f.claim)
                .map_or_else(String::new, |claim| claim.title.clone());
            vec![
                c.slug.clone(),
                c.title.clone(),
                (i + 1).to_string(),
                f.claim.clone(),
                claim_title,
                f.stance.clone(),
                opt(&f.perspective),
                opt(&f.design),
                opt(&f.certainty),
                opt(&f.source),
                opt(&f.locator),
                opt(&f.note),
            ]
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_starts_with_a_bom_quotes_what_needs_it_and_ends_lines_with_crlf() {
        let columns = [
            Column {
                name: "a",
                kind: "text",
                description: "",
                facet: None,
                fixed: &[],
            },
            Column {
                name: "b",
                kind: "text",
                description: "",
                facet: None,
                fixed: &[],
            },
        ];
        let rows = vec![vec!["Café, \"Á\"".to_string(), "x; y".to_string()]];
        let bytes = table("t.csv", &columns, rows.into_iter()).expect("writes");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(text, "\u{feff}a,b\r\n\"Café, \"\"Á\"\"\",x; y\r\n");
    }
}
