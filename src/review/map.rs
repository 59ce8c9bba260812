//! The evidence map: case studies counted in a matrix of two axes (`themes` or any facet),
//! each cell shaded by the best certainty among its case studies' findings.

use crate::config::SiteConfig;

use crate::shared::Shared;

use super::facets::Vocabulary;
use super::model::{Axis, CaseStudy, EvidenceMap, FacetValue, MapCell, Theme};
use super::urls::UrlStyle;

/// Builds the map and, per cell, the indexes of its case studies.
pub(crate) fn build(
    config: &SiteConfig,
    vocabulary: &Vocabulary,
    themes: &[Theme],
    case_studies: &[CaseStudy],
    style: UrlStyle,
) -> Option<(EvidenceMap, Vec<Vec<Vec<usize>>>)> {
    let (rows, row_values) = axis(&config.map.rows, config, vocabulary, themes)?;
    let (columns, column_values) = axis(&config.map.columns, config, vocabulary, themes)?;
    let mut members = vec![vec![Vec::new(); column_values.len()]; row_values.len()];
    for (i, case) in case_studies.iter().enumerate() {
        let in_rows = positions(&rows.name, &row_values, case);
        let in_columns = positions(&columns.name, &column_values, case);
        for &r in &in_rows {
            for &c in &in_columns {
                members[r][c].push(i);
            }
        }
    }
    let certainty = vocabulary.config.facet("certainty").map(|f| {
        f.values
            .iter()
            .filter_map(|v| vocabulary.value("certainty", &v.id).ok())
            .collect::<Vec<_>>()
    });
    let cells = members
        .iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, ids)| {
                    cell(
                        ids,
                        case_studies,
                        &row_values[r],
                        &column_values[c],
                        certainty.as_deref(),
                        style,
                    )
                })
                .collect()
        })
        .collect();
    Some((
        EvidenceMap {
            rows,
            columns,
            row_values,
            column_values,
            cells,
        },
        members,
    ))
}

/// An axis's label and values; `themes` gives one value per theme.
fn axis(
    name: &str,
    config: &SiteConfig,
    vocabulary: &Vocabulary,
    themes: &[Theme],
) -> Option<(Axis, Vec<Shared<FacetValue>>)> {
    if name == "themes" {
        let values = themes
            .iter()
            .map(|t| {
                Shared::new(FacetValue {
                    facet: "themes".into(),
                    facet_label: "Themes".into(),
                    id: t.slug.clone(),
                    label: t.title.clone(),
                    description: t.summary.clone(),
                    slug: t.slug.clone(),
                    url: t.url.clone(),
                    position: None,
                })
            })
            .collect();
        return Some((
            Axis {
                name: "themes".into(),
                label: "Themes".into(),
            },
            values,
        ));
    }
    let facet = config.facet(name)?;
    let values = facet
        .values
        .iter()
        .filter_map(|v| vocabulary.value(name, &v.id).ok())
        .collect();
    Some((
        Axis {
            name: name.into(),
            label: facet.label.clone(),
        },
        values,
    ))
}

fn positions(axis: &str, values: &[Shared<FacetValue>], case: &CaseStudy) -> Vec<usize> {
    let ids: Vec<&str> = if axis == "themes" {
        case.themes.iter().map(|t| t.slug.as_str()).collect()
    } else {
        case.facets
            .get(axis)
            .map(|vs| vs.iter().map(|v| v.id.as_str()).collect())
            .unwrap_or_default()
    };
    ids.iter()
        .filter_map(|id| values.iter().position(|v| v.id == *id))
        .collect()
}

fn cell(
    ids: &[usize],
    case_studies: &[CaseStudy],
    row: &Shared<FacetValue>,
    column: &Shared<FacetValue>,
    certainty: Option<&[Shared<FacetValue>]>,
    style: UrlStyle,
) -> MapCell {
    let best = ids.iter().map(|&i| case_studies[i].best_certainty).min();
    let certainty = best.and_then(|rank| certainty.and_then(|values| values.get(rank)).cloned());
    MapCell {
        count: ids.len(),
        shade: certainty
            .as_ref()
            .map_or_else(|| "none".to_string(), |c| c.slug.clone()),
        certainty,
        url: if ids.is_empty() {
            String::new()
        } else {
            style.page(&cell_dir(row, column))
        },
        case_studies: ids.iter().map(|&i| case_studies[i].page_ref()).collect(),
    }
}

/// The folder of a cell's listing page.
pub(crate) fn cell_dir(row: &Shared<FacetValue>, column: &FacetValue) -> String {
    format!("map/{}/{}", row.slug, column.slug)
}
