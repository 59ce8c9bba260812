//! The CSV tables: `case-studies.csv`, `findings.csv` and `claims.csv`.
//!
//! RFC 4180 (comma-separated, CRLF line ends, fields quoted when they need it), written
//! with the `csv` crate, in UTF-8 starting with a byte-order mark so that spreadsheet
//! programs read accents correctly. List fields are joined with `; `. Headers come from
//! the column lists of [`super::dictionary`], which the `/data/` page documents.

use super::dictionary::{CASE_STUDY_COLUMNS, CLAIM_COLUMNS, Column, FINDING_COLUMNS};
use super::{CasePiece, CaseStudyData, ReviewData};

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
        ("claims.csv", claims_table(data)?),
    ])
}

fn claims_table(data: &ReviewData) -> Result<Vec<u8>, TableError> {
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
    )
}

/// The tables, with the rows of `case-studies.csv` and `findings.csv` already written
/// for each case study (its piece, in the data's order).
pub(super) fn write_all_from(
    data: &ReviewData,
    pieces: &[CasePiece],
) -> Result<Vec<(&'static str, Vec<u8>)>, TableError> {
    let joined = |name, columns, rows: &mut dyn Iterator<Item = &[u8]>| {
        let mut bytes = table(name, columns, std::iter::empty())?;
        for row in rows {
            bytes.extend_from_slice(row);
        }
        Ok::<_, TableError>(bytes)
    };
    Ok(vec![
        (
            "case-studies.csv",
            joined(
                "case-studies.csv",
                CASE_STUDY_COLUMNS,
                &mut pieces.iter().map(|p| &*p.row),
            )?,
        ),
        (
            "findings.csv",
            joined(
                "findings.csv",
                FINDING_COLUMNS,
                &mut pieces.iter().map(|p| &*p.findings),
            )?,
        ),
        ("claims.csv", claims_table(data)?),
    ])
}

/// One case study's row of `case-studies.csv`, as the table holds it.
pub(crate) fn case_study_row_of(c: &CaseStudyData) -> Result<Vec<u8>, TableError> {
    written_rows("case-studies.csv", std::iter::once(case_study_row(c)))
}

/// One case study's rows of `findings.csv`, as the table holds them.
pub(crate) fn finding_rows_of(data: &ReviewData, c: &CaseStudyData) -> Result<Vec<u8>, TableError> {
    written_rows("findings.csv", findings_of(data, c))
}

/// Rows as CSV (RFC 4180, CRLF line ends), without a byte-order mark.
fn written_rows(
    name: &'static str,
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, TableError> {
    let error = |source| TableError {
        table: name,
        source,
    };
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(1024)
        .from_writer(Vec::new());
    for row in rows {
        writer.write_record(&row).map_err(error)?;
    }
    writer
        .into_inner()
        .map_err(|e| error(csv::Error::from(e.into_error())))
}

fn table(
    name: &'static str,
    columns: &[Column],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, TableError> {
    let header = columns.iter().map(|c| c.name.to_string()).collect();
    let rows = rows.inspect(|row| {
        debug_assert_eq!(
            row.len(),
            columns.len(),
            "a row of {name} has the wrong width"
        );
    });
    let mut bytes = BOM.to_vec();
    bytes.extend(written_rows(name, std::iter::once(header).chain(rows))?);
    Ok(bytes)
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
    data.case_studies
        .iter()
        .flat_map(move |c| findings_of(data, c))
}

fn findings_of<'a>(
    data: &'a ReviewData,
    c: &'a CaseStudyData,
) -> impl Iterator<Item = Vec<String>> + 'a {
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
