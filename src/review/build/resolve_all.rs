//! Resolving every case study, taking from the last model (in `serve`) each one whose
//! inputs are unchanged.
//!
//! Resolving reads a case study's file and body, the configuration, the bibliography and
//! the options, the slug-to-position lookups, and the links to themes, claims and case
//! studies. When the setting and the lookups are what the last model was resolved with,
//! a case study whose file (the same parsed document), position, body, own link and
//! `adapted_from` link are the same comes out as it did then, problems included: after
//! an edit of one file's front matter, that is every case study but one.

use super::*;
use crate::review::cache::{Resolved, ResolvedCase};

/// The links to `docs` (titled by `title`), by position, with the identity of the last
/// build's where they are equal: a case study kept from the last model holds those, and so
/// do new ones.
pub(super) fn stable_refs<M>(
    docs: &[Arc<Document<M>>],
    title: impl Fn(&M) -> &String,
    links: &LinkMap,
    last: Option<&[Shared<PageRef>]>,
) -> Vec<Shared<PageRef>> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| {
            let new = page_ref(d, title(&d.meta), links);
            match last.and_then(|last| last.get(i)) {
                Some(old) if **old == *new => old.clone(),
                _ => new,
            }
        })
        .collect()
}

/// The last model's resolved case studies, if they were resolved with these lookups (the
/// setting was checked when they were taken from the cache).
pub(super) fn reusable(last: Option<Resolved>, index: &Index, refs: &Refs) -> Option<Resolved> {
    last.filter(|last| {
        last.index == *index
            && Shared::all_ptr_eq(refs.themes, &last.themes)
            && Shared::all_ptr_eq(refs.claims, &last.claims)
    })
}

impl Resolved {
    /// The case study at `position` as last resolved, if resolving it now would give the
    /// same: the same document at the same position, the same body, and the same links to
    /// it and to the case study it was adapted from.
    fn kept(
        &self,
        position: usize,
        doc: &Arc<Document<CaseStudyMeta>>,
        body: &Rendered,
        refs: &Refs,
    ) -> Option<&ResolvedCase> {
        let kept = self.case_studies.get(position)?.as_ref()?;
        let case = &kept.case;
        let same_source = |r: &Shared<PageRef>| {
            self.index
                .cases
                .get(&r.slug)
                .is_some_and(|&j| Shared::ptr_eq(r, &refs.cases[j]))
        };
        let same = Arc::ptr_eq(&kept.doc, doc)
            && (Arc::ptr_eq(&case.content, &body.html) || *case.content == *body.html)
            && case.toc == body.toc
            && refs
                .cases
                .get(position)
                .is_some_and(|own| Shared::ptr_eq(own, &case.self_ref))
            && case.adapted_from.as_ref().is_none_or(same_source);
        same.then_some(kept)
    }
}

/// One case study resolved, and whether it was kept from the last model.
pub(super) struct Outcome {
    pub(super) case: CaseStudy,
    pub(super) problems: Vec<Diagnostic>,
    pub(super) kept: bool,
}

/// Resolves every case study (in parallel), taking from `last` those it holds unchanged.
#[allow(clippy::too_many_arguments)]
pub(super) fn resolve_all(
    docs: &[Arc<Document<CaseStudyMeta>>],
    bodies: Vec<Rendered>,
    last: Option<&Resolved>,
    index: &Index,
    refs: &Refs,
    vocabulary: &Vocabulary,
    bibliography: &Bibliography,
    config: &SiteConfig,
) -> Vec<Outcome> {
    docs.par_iter()
        .zip(bodies)
        .enumerate()
        .map(|(i, (doc, body))| {
            if let Some(kept) = last.and_then(|last| last.kept(i, doc, &body, refs)) {
                return Outcome {
                    case: kept.case.clone(),
                    problems: kept.problems.clone(),
                    kept: true,
                };
            }
            let mut problems = Vec::new();
            let case = resolve_case_study(
                i,
                doc,
                body,
                index,
                refs,
                vocabulary,
                bibliography,
                config,
                &mut problems,
            );
            Outcome {
                case,
                problems,
                kept: false,
            }
        })
        .collect()
}

/// What the next build keeps of this one's case studies: those kept from `last` move over,
/// the others are copied as resolved (before related case studies are added).
pub(super) fn to_keep(
    docs: &[Arc<Document<CaseStudyMeta>>],
    outcomes: &[Outcome],
    last: Option<Resolved>,
) -> Vec<Option<ResolvedCase>> {
    let mut last_cases = last.map(|last| last.case_studies).unwrap_or_default();
    last_cases.resize_with(docs.len(), || None);
    docs.par_iter()
        .zip(outcomes)
        .zip(last_cases)
        .map(|((doc, outcome), last)| {
            let moved = if outcome.kept { last } else { None };
            moved.or_else(|| {
                Some(ResolvedCase {
                    doc: doc.clone(),
                    case: outcome.case.clone(),
                    problems: outcome.problems.clone(),
                })
            })
        })
        .collect()
}
