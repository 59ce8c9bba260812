//! Cross-links: themes to case studies and claims, related themes by co-occurrence, and
//! related case studies by shared themes and claims.
//!
//! Everything is computed from inverted indexes (theme → case studies, claim → case
//! studies) so the cost grows with the links that exist, not with the square of the review.

use std::sync::Arc;

use rayon::prelude::*;

use crate::shared::Shared;

use super::cache::RelatedCache;
use super::model::{CaseStudy, Claim, PageRef, Related, RelatedTheme, Theme};

/// How many related case studies a case study lists.
const RELATED_LIMIT: usize = 5;

/// Fills each theme's case studies, claims, contested claims and related themes.
pub(super) fn link_themes(themes: &mut [Theme], case_studies: &[CaseStudy], claims: &[Claim]) {
    for (i, case) in case_studies.iter().enumerate() {
        for &t in &case.theme_indexes {
            themes[t].case_indexes.push(i);
            themes[t].case_studies.push(case.page_ref());
        }
    }
    let theme_claims = claims_per_theme(themes.len(), case_studies, claims);
    let co = co_occurrence(themes.len(), case_studies);
    let refs: Vec<Shared<PageRef>> = themes.iter().map(theme_ref).collect();
    for (t, theme) in themes.iter_mut().enumerate() {
        theme.claims = theme_claims[t]
            .iter()
            .map(|&c| claims[c].page_ref())
            .collect();
        theme.contested_claims = theme_claims[t]
            .iter()
            .filter(|&&c| claims[c].contested)
            .map(|&c| claims[c].page_ref())
            .collect();
        let mut related: Vec<RelatedTheme> = co[t]
            .iter()
            .enumerate()
            .filter(|&(other, &shared)| other != t && shared > 0)
            .map(|(other, &shared)| RelatedTheme {
                theme: refs[other].clone(),
                shared,
            })
            .collect();
        related.sort_by(|a, b| {
            b.shared
                .cmp(&a.shared)
                .then(a.theme.title.cmp(&b.theme.title))
        });
        theme.related_themes = related;
    }
}

fn theme_ref(t: &Theme) -> Shared<PageRef> {
    Shared::new(PageRef {
        slug: t.slug.clone(),
        url: t.url.clone(),
        title: t.title.clone(),
    })
}

/// For each theme, the claims that name it or that its case studies' findings speak to,
/// in claim order.
fn claims_per_theme(
    theme_count: usize,
    case_studies: &[CaseStudy],
    claims: &[Claim],
) -> Vec<Vec<usize>> {
    let mut marks = vec![vec![false; claims.len()]; theme_count];
    for (c, claim) in claims.iter().enumerate() {
        for &t in &claim.theme_indexes {
            marks[t][c] = true;
        }
    }
    for case in case_studies {
        for &t in &case.theme_indexes {
            for &c in &case.claim_indexes {
                marks[t][c] = true;
            }
        }
    }
    marks
        .into_iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .filter(|(_, m)| **m)
                .map(|(c, _)| c)
                .collect()
        })
        .collect()
}

/// How many case studies each pair of themes shares.
fn co_occurrence(theme_count: usize, case_studies: &[CaseStudy]) -> Vec<Vec<usize>> {
    let mut co = vec![vec![0usize; theme_count]; theme_count];
    for case in case_studies {
        for &a in &case.theme_indexes {
            for &b in &case.theme_indexes {
                co[a][b] += 1;
            }
        }
    }
    co
}

/// Fills each case study's related case studies, strongest first, with a reason. The
/// ranking is taken from `cache` when every case study has the same themes and claims as
/// when it was made (the ranking reads nothing else). A case study's list as described
/// then is taken too when the links it shows are the same values (the model keeps a link's
/// identity while it is unchanged): the other case studies', the themes' and the claims'.
pub(super) fn link_case_studies(
    case_studies: &mut [CaseStudy],
    theme_refs: &[Shared<PageRef>],
    claim_refs: &[Shared<PageRef>],
    cache: Option<&mut RelatedCache>,
) {
    let links: Vec<(Vec<usize>, Vec<usize>)> = match &cache {
        Some(_) => case_studies
            .iter()
            .map(|c| (c.theme_indexes.clone(), c.claim_indexes.clone()))
            .collect(),
        None => Vec::new(),
    };
    let cached = cache
        .as_deref()
        .filter(|c| c.links == links && c.ranked.len() == case_studies.len());
    let described = cached
        .filter(|c| {
            Shared::all_ptr_eq(&c.theme_refs, theme_refs)
                && Shared::all_ptr_eq(&c.claim_refs, claim_refs)
        })
        .map(|c| &c.described[..]);
    let ranked = cached.map_or_else(
        || rank(case_studies, theme_refs.len(), claim_refs.len()),
        |c| c.ranked.clone(),
    );
    let view: &[CaseStudy] = case_studies;
    let related: Vec<Arc<[Related]>> = ranked
        .par_iter()
        .enumerate()
        .map(|(i, scored)| {
            let last = described.and_then(|d| d.get(i));
            match last.filter(|last| same_cases(last, scored, view)) {
                Some(last) => last.clone(),
                None => scored
                    .iter()
                    .map(|&(score, o)| describe(&view[i], &view[o], score, theme_refs, claim_refs))
                    .collect(),
            }
        })
        .collect();
    let described = cache.is_some().then(|| related.clone());
    for (case, related) in case_studies.iter_mut().zip(related) {
        case.related = related;
    }
    if let (Some(cache), Some(described)) = (cache, described) {
        *cache = RelatedCache {
            links,
            ranked,
            described,
            theme_refs: theme_refs.to_vec(),
            claim_refs: claim_refs.to_vec(),
        };
    }
}

/// Whether a list described before names, in order, the case studies ranked now by the
/// same links they have now.
fn same_cases(last: &[Related], scored: &[(usize, usize)], cases: &[CaseStudy]) -> bool {
    last.len() == scored.len()
        && last.iter().zip(scored).all(|(r, &(score, o))| {
            r.score == score && Shared::ptr_eq(&r.case_study, &cases[o].self_ref)
        })
}

/// For each case study, the others that share the most themes and claims with it, as
/// `(score, index)`, strongest first.
fn rank(case_studies: &[CaseStudy], themes: usize, claims: usize) -> Vec<Vec<(usize, usize)>> {
    let by_theme = invert(
        case_studies.iter().map(|c| c.theme_indexes.as_slice()),
        themes,
    );
    let by_claim = invert(
        case_studies.iter().map(|c| c.claim_indexes.as_slice()),
        claims,
    );
    (0..case_studies.len())
        .into_par_iter()
        .map_init(
            || Scratch::new(case_studies.len()),
            |scratch, i| related_to(i, case_studies, &by_theme, &by_claim, scratch),
        )
        .collect()
}

fn invert<'a>(lists: impl Iterator<Item = &'a [usize]>, size: usize) -> Vec<Vec<usize>> {
    let mut inverted = vec![Vec::new(); size];
    for (i, list) in lists.enumerate() {
        for &k in list {
            inverted[k].push(i);
        }
    }
    inverted
}

/// Per-thread counters, reused across case studies to avoid allocating per case: how many
/// themes and claims each other case study shares with the one being ranked. One count,
/// not one per kind: only the sum ranks, and at 30,000 case studies this loop touches
/// about 400 million counters.
struct Scratch {
    shared: Vec<u32>,
    touched: Vec<usize>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Self {
            shared: vec![0; n],
            touched: Vec::new(),
        }
    }
}

fn related_to(
    i: usize,
    cases: &[CaseStudy],
    by_theme: &[Vec<usize>],
    by_claim: &[Vec<usize>],
    scratch: &mut Scratch,
) -> Vec<(usize, usize)> {
    let case = &cases[i];
    let lists = case
        .theme_indexes
        .iter()
        .map(|&t| &by_theme[t])
        .chain(case.claim_indexes.iter().map(|&c| &by_claim[c]));
    for list in lists {
        for &other in list {
            let count = &mut scratch.shared[other];
            if *count == 0 {
                scratch.touched.push(other);
            }
            *count += 1;
        }
    }
    let mut scored: Vec<(usize, usize)> = scratch
        .touched
        .iter()
        .filter(|&&o| o != i)
        .map(|&o| (scratch.shared[o] as usize, o))
        .collect();
    for &o in &scratch.touched {
        scratch.shared[o] = 0;
    }
    scratch.touched.clear();
    let by_rank = |a: &(usize, usize), b: &(usize, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if scored.len() > RELATED_LIMIT {
        scored.select_nth_unstable_by(RELATED_LIMIT - 1, by_rank);
        scored.truncate(RELATED_LIMIT);
    }
    scored.sort_by(by_rank);
    // Only the few kept are stored (for every case study), not the room for all candidates.
    scored.shrink_to_fit();
    scored
}

fn describe(
    case: &CaseStudy,
    other: &CaseStudy,
    score: usize,
    theme_refs: &[Shared<PageRef>],
    claim_refs: &[Shared<PageRef>],
) -> Related {
    let shared_themes: Vec<Shared<PageRef>> = case
        .theme_indexes
        .iter()
        .filter(|t| other.theme_indexes.contains(t))
        .map(|&t| theme_refs[t].clone())
        .collect();
    let shared_claims: Vec<Shared<PageRef>> = case
        .claim_indexes
        .iter()
        .filter(|c| other.claim_indexes.contains(c))
        .map(|&c| claim_refs[c].clone())
        .collect();
    let reason = reason(&shared_themes, &shared_claims);
    Related {
        case_study: other.page_ref(),
        shared_themes,
        shared_claims,
        score,
        reason,
    }
}

fn reason(themes: &[Shared<PageRef>], claims: &[Shared<PageRef>]) -> String {
    let list = |refs: &[Shared<PageRef>]| {
        refs.iter()
            .map(|r| r.title.to_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let part = |n: usize, one: &str, many: &str, refs: &[Shared<PageRef>]| {
        format!("{n} {} ({})", if n == 1 { one } else { many }, list(refs))
    };
    match (themes.len(), claims.len()) {
        (0, 0) => String::new(),
        (t, 0) => format!("Shares {}.", part(t, "theme", "themes", themes)),
        (0, c) => format!("Speaks to {}.", part(c, "claim", "claims", claims))
            .replace("Speaks to 1 claim", "Speaks to the same claim")
            .replace(
                &format!("Speaks to {c} claims"),
                &format!("Speaks to {c} of the same claims"),
            ),
        (t, c) => format!(
            "Shares {} and {}.",
            part(t, "theme", "themes", themes),
            part(c, "claim", "claims", claims)
        ),
    }
}
