//! Building the review model from parsed content, step by step: [`build`] runs the steps
//! in order, each in a module of its own: where pages go and the URL checks
//! ([`pages`]), Markdown bodies ([`bodies`]), link checking ([`links`]), resolving case
//! studies ([`case_study`]) and the references between documents ([`references`]), facet
//! listings ([`listings`]) and warnings about what is left unused ([`warnings`]).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::bibliography::Bibliography;
use crate::citations::Pending;
use crate::config::SiteConfig;
use crate::content::schema::{CaseStudyMeta, ClaimMeta, PageMeta, Ref, ThemeMeta};
use crate::content::{Content, Document, find_in_front_matter};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Locator, did_you_mean_hint};
use crate::markdown::{self, Rendered};
use crate::shared::Shared;

use super::cache::{BodyCache, Inputs, Last, Resolved, ReviewCache};
use super::facets::Vocabulary;
use super::model::*;
use super::urls::{LinkMap, RESERVED, Target, UrlStyle};
use super::{Review, ReviewOptions, evidence, map, related};

mod bodies;
mod case_study;
mod hints;
mod links;
mod listings;
mod pages;
mod references;
mod resolve_all;
mod warnings;

pub(super) use bodies::render_bodies;
use bodies::*;
use case_study::*;
pub(super) use links::{LinkChecks, check_links};
use listings::*;
use pages::*;
pub(super) use pages::{all_docs, link_map};
use references::*;
use resolve_all::*;
use warnings::*;

/// Slug to index, for each kind that can be referred to.
#[derive(PartialEq)]
pub(super) struct Index {
    themes: HashMap<String, usize>,
    claims: HashMap<String, usize>,
    cases: HashMap<String, usize>,
    draft_cases: HashSet<String>,
}

pub(super) fn build(
    config: Arc<SiteConfig>,
    mut content: Content,
    bibliography: Pending,
    options: ReviewOptions,
    mut cache: Option<&mut ReviewCache>,
    diagnostics: &mut Diagnostics,
) -> Option<Review> {
    let style = options.url_style;
    let first_problem = diagnostics.len();
    // `serve` (with a cache) gets the bibliography formatted; a build may get it still
    // formatting, and renders the bodies meanwhile (see `Pending`).
    let (bibliography, inputs) = match cache.as_ref() {
        Some(_) => {
            let bibliography = bibliography.wait(diagnostics, first_problem);
            let inputs = Inputs::of(&config, &content, &bibliography, options);
            (Pending::Ready(bibliography), Some(inputs))
        }
        None => (bibliography, None),
    };
    let (draft_cases, draft_paths) = drop_drafts(&mut content, options.drafts);
    sort_by_title(&mut content);
    let docs = all_docs(&content);
    check_duplicates(&docs, diagnostics);
    check_facet_urls(&config, &content, diagnostics);
    let index = Index {
        themes: slug_index(&content.themes),
        claims: slug_index(&content.claims),
        cases: slug_index(&content.case_studies),
        draft_cases,
    };
    let mut links = link_map(&content, &docs, style);
    links.drafts = draft_paths;
    let bodies = render_bodies(
        &content,
        &links,
        options,
        cache.as_deref_mut().map(|c| &mut c.bodies),
    );
    let link_problems = diagnostics.len();
    check_links(
        &content,
        &docs,
        &links,
        &bodies,
        diagnostics,
        cache.as_deref_mut().map(|c| &mut c.link_checks),
    );
    let after_links = diagnostics.len();
    // The formatting's diagnostics go first, as if it had finished before the build began.
    let bibliography = bibliography.wait(diagnostics, first_problem);

    let vocabulary = Vocabulary::new(
        &config,
        style,
        cache.as_deref_mut().map(|c| &mut c.vocabulary),
    );
    // What the last model resolved, if with the same configuration, bibliography and options.
    let last = match (cache.as_deref_mut(), inputs.as_ref()) {
        (Some(cache), Some(inputs)) => cache
            .last
            .as_mut()
            .filter(|last| last.inputs.same_setting(inputs))
            .and_then(|last| last.resolved.take()),
        _ => None,
    };
    let theme_refs = stable_refs(
        &content.themes,
        |m| &m.title,
        &links,
        last.as_ref().map(|l| &l.themes[..]),
    );
    let claim_refs = stable_refs(
        &content.claims,
        |m| &m.title,
        &links,
        last.as_ref().map(|l| &l.claims[..]),
    );
    let case_refs = stable_refs(
        &content.case_studies,
        |m| &m.title,
        &links,
        last.as_ref().map(|l| &l.cases[..]),
    );
    let refs = Refs {
        themes: &theme_refs,
        claims: &claim_refs,
        cases: &case_refs,
    };

    // Bodies are moved into the model, not copied: at 10,000 case studies they are the
    // largest thing the review holds.
    let Bodies {
        cases: case_bodies,
        themes: theme_bodies,
        claims: claim_bodies,
        pages: page_bodies,
        home: home_body,
    } = bodies;
    let last = reusable(last, &index, &refs);
    let resolved = resolve_all(
        &content.case_studies,
        case_bodies,
        last.as_ref(),
        &index,
        &refs,
        &vocabulary,
        &bibliography,
        &config,
    );
    let keep = cache
        .is_some()
        .then(|| to_keep(&content.case_studies, &resolved, last));
    let mut case_studies = Vec::with_capacity(resolved.len());
    for outcome in resolved {
        diagnostics.extend(outcome.problems);
        case_studies.push(outcome.case);
    }

    let mut claims: Vec<Claim> = content
        .claims
        .iter()
        .zip(claim_bodies)
        .enumerate()
        .map(|(i, (doc, body))| {
            resolve_claim(doc, &claim_refs[i], body, &index, &theme_refs, diagnostics)
        })
        .collect();
    evidence::attach_findings(&mut claims, &case_studies, &config);
    let contested = evidence::rank_contested(&claims);

    let mut themes: Vec<Theme> = content
        .themes
        .iter()
        .zip(theme_bodies)
        .enumerate()
        .map(|(i, (doc, body))| theme_of(doc, &theme_refs[i], body))
        .collect();
    related::link_themes(&mut themes, &case_studies, &claims);
    related::link_case_studies(
        &mut case_studies,
        &theme_refs,
        &claim_refs,
        cache.as_deref_mut().map(|c| &mut c.related),
    );
    link_adaptations(&mut case_studies);

    // Three independent walks of every case study, side by side. The warnings are
    // collected apart and then added, so they keep their place after earlier problems.
    let ((facets, facet_members), (map, unused)) = rayon::join(
        || facet_listings(&vocabulary, &case_studies),
        || {
            rayon::join(
                || map::build(&config, &vocabulary, &themes, &case_studies, style),
                || {
                    let mut unused = Diagnostics::new();
                    warn_unused(&content, &case_studies, &themes, &claims, &mut unused);
                    unused
                },
            )
        },
    );
    let (evidence_map, map_members) = map?;
    diagnostics.insert_at(diagnostics.len(), unused);

    let home = content
        .home
        .as_ref()
        .map(|d| page_of(d, style.page(""), home_body));
    let pages = content
        .pages
        .iter()
        .zip(page_bodies)
        .map(|(d, body)| page_of(d, style.page(&page_dir(&d.content_path)), body))
        .collect();

    if diagnostics.has_errors() {
        return None;
    }
    if let (Some(cache), Some(inputs)) = (cache, inputs) {
        // Problems outside links depend on the inputs alone, so an edit to bodies only
        // finds them again as they are.
        let mut problems = diagnostics.since(first_problem).to_vec();
        problems.drain(link_problems - first_problem..after_links - first_problem);
        let resolved = keep.map(|case_studies| Resolved {
            themes: theme_refs,
            claims: claim_refs,
            cases: case_refs,
            index,
            case_studies,
        });
        cache.built = Some(Last {
            inputs,
            problems,
            resolved,
        });
    }
    Some(Review {
        config,
        case_studies,
        themes,
        claims,
        home,
        pages,
        facets,
        facet_members,
        contested,
        map: evidence_map,
        map_members,
        assets: content.assets,
        bibliography,
        url_style: style,
    })
}

struct Refs<'a> {
    themes: &'a [Shared<PageRef>],
    claims: &'a [Shared<PageRef>],
    cases: &'a [Shared<PageRef>],
}

/// Removes drafts unless they are wanted; returns the slugs of removed case studies and
/// the content paths of every removed file (for links to them).
pub(super) fn drop_drafts(
    content: &mut Content,
    keep: bool,
) -> (HashSet<String>, HashSet<PathBuf>) {
    if keep {
        return (HashSet::new(), HashSet::new());
    }
    let drafts = content
        .case_studies
        .iter()
        .filter(|d| d.meta.draft)
        .map(|d| d.slug.clone())
        .collect();
    let paths = content
        .case_studies
        .iter()
        .filter(|d| d.meta.draft)
        .map(|d| d.content_path.clone())
        .chain(
            content
                .pages
                .iter()
                .filter(|d| d.meta.draft)
                .map(|d| d.content_path.clone()),
        )
        .collect();
    content.case_studies.retain(|d| !d.meta.draft);
    content.pages.retain(|d| !d.meta.draft);
    (drafts, paths)
}

pub(super) fn sort_by_title(content: &mut Content) {
    content
        .case_studies
        .sort_by_cached_key(|d| title_key(&d.meta.title, &d.slug));
    content
        .themes
        .sort_by_cached_key(|d| title_key(&d.meta.title, &d.slug));
    content
        .claims
        .sort_by_cached_key(|d| title_key(&d.meta.title, &d.slug));
    content
        .pages
        .sort_by(|a, b| a.content_path.cmp(&b.content_path));
}

fn title_key(title: &str, slug: &str) -> (String, String) {
    (title.to_lowercase(), slug.to_string())
}

fn slug_index<M>(docs: &[Arc<Document<M>>]) -> HashMap<String, usize> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| (d.slug.clone(), i))
        .collect()
}
