//! Facet listings: each facet's values with counts, and the case studies under each.

use super::*;

/// Facets with counts, and for each facet value the case studies that have it.
pub(super) fn facet_listings(
    vocabulary: &Vocabulary,
    case_studies: &[CaseStudy],
) -> (Vec<Facet>, Vec<Vec<Vec<usize>>>) {
    let mut facets = vocabulary.facets();
    // One pass over the case studies, filling value positions looked up by id.
    let positions: Vec<HashMap<&str, usize>> = facets
        .iter()
        .map(|f| {
            f.values
                .iter()
                .enumerate()
                .map(|(v, value)| (value.value.id.as_str(), v))
                .collect()
        })
        .collect();
    let mut members: Vec<Vec<Vec<usize>>> = facets
        .iter()
        .map(|f| vec![Vec::new(); f.values.len()])
        .collect();
    for (i, case) in case_studies.iter().enumerate() {
        for (f, facet) in facets.iter().enumerate() {
            let Some(values) = case.facets.get(&facet.name) else {
                continue;
            };
            for value in values {
                if let Some(&v) = positions[f].get(value.id.as_str()) {
                    // A case study is listed once under a value, however many of its
                    // findings carry it.
                    if members[f][v].last() != Some(&i) {
                        members[f][v].push(i);
                    }
                }
            }
        }
    }
    for (facet, facet_members) in facets.iter_mut().zip(&members) {
        for (value, ids) in facet.values.iter_mut().zip(facet_members) {
            value.count = ids.len();
        }
    }
    (facets, members)
}
