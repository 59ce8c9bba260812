//! Cross-links: themes to case studies and claims, related themes by co-occurrence, and
//! related case studies by shared themes and claims.
//!
//! Everything is computed from inverted indexes (theme → case studies, claim → case
//! studies) so the cost grows with the links that exist, not with the square of the review;
//! a theme or claim so broad that most case studies share it is counted through groups of
//! case studies rather than walked once per member (see [`Long`]).

use std::collections::HashMap;
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

/// Which lists are long: ranking by walking each case study's lists costs the sum of
/// their lengths per case study, so a list of length L costs L² in all (a theme that every
/// case study of 30,000 names: 900 million steps). Long lists can be counted through
/// [`Groups`] instead, at a cost that does not grow with their length.
#[derive(Clone, Copy)]
struct Long {
    /// A list is long only if more case studies than this are on it.
    over: usize,
    /// At most this many lists are long, the longest: every set of long lists that some
    /// case study is on is a group, and fewer long lists make fewer groups.
    most: usize,
}

const LONG: Long = Long {
    over: 1_000,
    most: 8,
};

/// One case study's themes and claims, as indexes.
type CaseLinks<'a> = (&'a [usize], &'a [usize]);

/// For each case study, the others that share the most themes and claims with it, as
/// `(score, index)`, strongest first: the score is how many themes and claims the two
/// share, and ties go to the lower index.
fn rank(case_studies: &[CaseStudy], themes: usize, claims: usize) -> Vec<Vec<(usize, usize)>> {
    let links: Vec<CaseLinks> = case_studies
        .iter()
        .map(|c| (c.theme_indexes.as_slice(), c.claim_indexes.as_slice()))
        .collect();
    rank_links(&links, themes, claims, LONG)
}

/// [`rank`] on the links alone.
fn rank_links(
    cases: &[CaseLinks],
    themes: usize,
    claims: usize,
    long: Long,
) -> Vec<Vec<(usize, usize)>> {
    let lists = Lists::new(cases, themes, claims, long);
    (0..cases.len())
        .into_par_iter()
        .map_init(
            || Scratch::new(cases.len(), lists.groups.sets.len()),
            |scratch, i| related_to(i, cases, &lists, scratch),
        )
        .collect()
}

/// The case studies on each theme and each claim (one list per theme, then one per claim:
/// a list's id is a theme's index, or the number of themes plus a claim's index), and the
/// case studies grouped by the long lists they are on.
struct Lists {
    members: Vec<Vec<usize>>,
    themes: usize,
    long: Vec<bool>,
    groups: Groups,
}

/// The case studies on at least one long list, grouped by the set of long lists they are
/// on. Two case studies share exactly the long lists in the intersection of their groups'
/// sets, so against a given case study every member of a group scores the same through
/// long lists, and only a group's first few members (by index) can be among the best.
#[derive(Default)]
struct Groups {
    /// Each group's set of long lists (ids, ascending) and members (ascending).
    sets: Vec<Vec<usize>>,
    members: Vec<Vec<usize>>,
    /// For each list id, the groups whose set holds it (none for a short list).
    on: Vec<Vec<usize>>,
    /// For each case study, its group, or the number of groups if it is on no long list.
    of: Vec<usize>,
}

impl Lists {
    fn new(cases: &[CaseLinks], themes: usize, claims: usize, policy: Long) -> Lists {
        let mut members = vec![Vec::new(); themes + claims];
        for (i, &links) in cases.iter().enumerate() {
            for id in list_ids(links, themes) {
                members[id].push(i);
            }
        }
        let mut longest: Vec<usize> = (0..members.len())
            .filter(|&id| members[id].len() > policy.over)
            .collect();
        longest.sort_by_key(|&id| std::cmp::Reverse(members[id].len()));
        let mut long = vec![false; members.len()];
        for &id in longest.iter().take(policy.most) {
            long[id] = true;
        }
        let mut lists = Lists {
            members,
            themes,
            long,
            groups: Groups::default(),
        };
        lists.groups = lists.group(cases);
        lists
    }

    fn group(&self, cases: &[CaseLinks]) -> Groups {
        let mut index: HashMap<Vec<usize>, usize> = HashMap::new();
        let mut groups = Groups {
            on: vec![Vec::new(); self.members.len()],
            ..Groups::default()
        };
        for (i, &links) in cases.iter().enumerate() {
            let set = self.long_lists(links);
            if set.is_empty() {
                continue;
            }
            let g = *index.entry(set).or_insert_with_key(|set| {
                let g = groups.sets.len();
                for &id in set {
                    groups.on[id].push(g);
                }
                groups.sets.push(set.clone());
                groups.members.push(Vec::new());
                g
            });
            groups.members[g].push(i);
        }
        groups.of = vec![groups.sets.len(); cases.len()];
        for (g, members) in groups.members.iter().enumerate() {
            for &i in members {
                groups.of[i] = g;
            }
        }
        groups
    }

    /// The long lists a case study is on, ascending.
    fn long_lists(&self, links: CaseLinks) -> Vec<usize> {
        let mut set: Vec<usize> = list_ids(links, self.themes)
            .filter(|&id| self.long[id])
            .collect();
        set.sort_unstable();
        set
    }

    /// Whether counting a case study's long lists (`mine`) through their groups costs less
    /// than walking them, `touched` others counted already: each group costs a look at a
    /// few of its members, and each of those others a look at its group.
    fn by_group(&self, mine: &[usize], touched: usize) -> bool {
        let walk: usize = mine.iter().map(|&id| self.members[id].len()).sum();
        let groups: usize = mine.iter().map(|&id| self.groups.on[id].len()).sum();
        !mine.is_empty() && groups * (RELATED_LIMIT + 1) + touched < walk
    }
}

/// The ids of a case study's lists: its themes, then its claims.
fn list_ids((themes, claims): CaseLinks, theme_count: usize) -> impl Iterator<Item = usize> {
    themes
        .iter()
        .copied()
        .chain(claims.iter().map(move |&c| theme_count + c))
}

/// Per-thread counters, reused across case studies to avoid allocating per case: how many
/// walked lists each other case study shares with the one being ranked (one count, not one
/// per kind: only the sum ranks, and at 30,000 case studies this loop touches about 400
/// million counters), and how many long lists each group shares with it.
struct Scratch {
    shared: Vec<u32>,
    touched: Vec<usize>,
    /// By group, with one more at the end for the case studies on no long list (always 0).
    group_shared: Vec<usize>,
    groups_touched: Vec<usize>,
}

impl Scratch {
    fn new(cases: usize, groups: usize) -> Self {
        Self {
            shared: vec![0; cases],
            touched: Vec::new(),
            group_shared: vec![0; groups + 1],
            groups_touched: Vec::new(),
        }
    }
}

fn related_to(
    i: usize,
    cases: &[CaseLinks],
    lists: &Lists,
    scratch: &mut Scratch,
) -> Vec<(usize, usize)> {
    let short = list_ids(cases[i], lists.themes).filter(|&id| !lists.long[id]);
    count_lists(short, lists, scratch);
    let mine = lists.long_lists(cases[i]);
    if lists.by_group(&mine, scratch.touched.len()) {
        count_groups(&mine, lists, scratch);
    } else {
        count_lists(mine.iter().copied(), lists, scratch);
    }
    let groups = &lists.groups;
    let mut scored: Vec<(usize, usize)> = scratch
        .touched
        .iter()
        .filter(|&&o| o != i)
        .map(|&o| {
            let long = scratch.group_shared[groups.of[o]];
            (scratch.shared[o] as usize + long, o)
        })
        .collect();
    // The others that share only long lists: every member of a group scores the same, and
    // ties go to the lower index, so a group's first few members not counted above are
    // the only ones of it that can rank.
    for &g in &scratch.groups_touched {
        let fresh = groups.members[g]
            .iter()
            .filter(|&&o| o != i && scratch.shared[o] == 0)
            .take(RELATED_LIMIT);
        scored.extend(fresh.map(|&o| (scratch.group_shared[g], o)));
    }
    for &o in &scratch.touched {
        scratch.shared[o] = 0;
    }
    scratch.touched.clear();
    for &g in &scratch.groups_touched {
        scratch.group_shared[g] = 0;
    }
    scratch.groups_touched.clear();
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

/// Counts, for each case study on one of the lists `ids`, how many of them it is on.
fn count_lists(ids: impl Iterator<Item = usize>, lists: &Lists, scratch: &mut Scratch) {
    for id in ids {
        for &other in &lists.members[id] {
            let count = &mut scratch.shared[other];
            if *count == 0 {
                scratch.touched.push(other);
            }
            *count += 1;
        }
    }
}

/// Counts, for each group on one of the long lists `mine`, how many of them it is on.
fn count_groups(mine: &[usize], lists: &Lists, scratch: &mut Scratch) {
    for &id in mine {
        for &g in &lists.groups.on[id] {
            if scratch.group_shared[g] == 0 {
                scratch.groups_touched.push(g);
            }
            scratch.group_shared[g] += 1;
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The ranking by its definition: every pair of case studies compared.
    fn by_definition(cases: &[CaseLinks]) -> Vec<Vec<(usize, usize)>> {
        let common = |a: &[usize], b: &[usize]| a.iter().filter(|x| b.contains(x)).count();
        (0..cases.len())
            .map(|i| {
                let mut scored: Vec<(usize, usize)> = (0..cases.len())
                    .filter(|&o| o != i)
                    .map(|o| {
                        let score = common(cases[i].0, cases[o].0) + common(cases[i].1, cases[o].1);
                        (score, o)
                    })
                    .filter(|&(score, _)| score > 0)
                    .collect();
                scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                scored.truncate(RELATED_LIMIT);
                scored
            })
            .collect()
    }

    /// `count` distinct indexes below `below`, each taken with the weight of its position:
    /// low indexes are common, so that some lists grow long and others stay short.
    fn skewed(rng: &mut fastrand::Rng, count: usize, below: usize) -> Vec<usize> {
        let mut picked = Vec::new();
        while picked.len() < count.min(below) {
            let x = rng.usize(..below).min(rng.usize(..below));
            if !picked.contains(&x) {
                picked.push(x);
            }
        }
        picked
    }

    /// Random reviews in which theme 0 is on every case study, a few themes and claims on
    /// most, and the rest on few: the ranking with long lists counted by group is the
    /// ranking by definition, whatever length makes a list long.
    #[test]
    fn long_lists_rank_as_the_definition_does() {
        for seed in 0..20 {
            let mut rng = fastrand::Rng::with_seed(seed);
            let (themes, claims) = (12, 30);
            let owned: Vec<(Vec<usize>, Vec<usize>)> = (0..150)
                .map(|_| {
                    let (theme_count, claim_count) = (rng.usize(0..4), rng.usize(0..5));
                    let mut t = skewed(&mut rng, theme_count, themes);
                    if !t.contains(&0) {
                        t.push(0);
                    }
                    let c = skewed(&mut rng, claim_count, claims);
                    (t, c)
                })
                .collect();
            let cases: Vec<CaseLinks> = owned.iter().map(|(t, c)| (&t[..], &c[..])).collect();
            let expected = by_definition(&cases);
            for (over, most) in [
                (0, 100),
                (0, 3),
                (5, 2),
                (40, 100),
                (40, 1),
                (usize::MAX, 0),
            ] {
                let ranked = rank_links(&cases, themes, claims, Long { over, most });
                assert_eq!(
                    ranked, expected,
                    "seed {seed}, at most {most} lists over {over} long"
                );
            }
        }
    }

    /// With a theme on every case study, counting by group takes each case study's five
    /// lowest others, not all of them: the long list's members are not walked per case.
    #[test]
    fn a_theme_on_every_case_study_is_one_group() {
        let owned: Vec<(Vec<usize>, Vec<usize>)> = (0..50).map(|_| (vec![0], vec![])).collect();
        let cases: Vec<CaseLinks> = owned.iter().map(|(t, c)| (&t[..], &c[..])).collect();
        let long = Long { over: 10, most: 8 };
        let lists = Lists::new(&cases, 1, 0, long);
        assert_eq!(lists.groups.sets, vec![vec![0]]);
        assert!(lists.by_group(&[0], 0));
        let ranked = rank_links(&cases, 1, 0, long);
        assert_eq!(ranked[0], vec![(1, 1), (1, 2), (1, 3), (1, 4), (1, 5)]);
        assert_eq!(ranked[3], vec![(1, 0), (1, 1), (1, 2), (1, 4), (1, 5)]);
    }
}
