//! The review model: what the tool derives from the content.
//!
//! Takes parsed content, the configuration and the bibliography and builds a [`Review`]:
//! case studies with their findings resolved against claims, facets and sources; claims
//! with their findings laid out by side (the contradictions); themes cross-linked by
//! co-occurrence; related case studies; facet listings and the evidence map. Every
//! reference that does not resolve becomes a located diagnostic. It renders Markdown bodies
//! (links need every page's URL) but knows nothing of templates or output files.

mod build;
mod cache;
mod edit;
mod evidence;
mod facets;
pub(crate) mod map;
pub(crate) mod model;
mod related;
pub(crate) mod urls;

use std::sync::Arc;

use crate::bibliography::Bibliography;
use crate::config::SiteConfig;
use crate::content::{Asset, Content};
use crate::diagnostics::Diagnostics;
use crate::markdown::MarkdownOptions;
pub(crate) use cache::ReviewCache;
pub(crate) use edit::Changed;
pub(crate) use model::{CaseStudy, FacetValueCount};
use model::{Claim, EvidenceMap, Facet, Page, Theme};
use urls::UrlStyle;

/// Choices that change what the model holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ReviewOptions {
    /// Include case studies and pages marked `draft: true`.
    pub drafts: bool,
    pub url_style: UrlStyle,
    pub markdown: MarkdownOptions,
}

/// The whole review, ready to render.
#[derive(Debug)]
pub(crate) struct Review {
    pub config: Arc<SiteConfig>,
    /// Published case studies, by title.
    pub case_studies: Vec<CaseStudy>,
    /// Themes, by title.
    pub themes: Vec<Theme>,
    /// Claims, by title.
    pub claims: Vec<Claim>,
    pub home: Option<Page>,
    pub pages: Vec<Page>,
    /// Facets in declaration order, with counts of published case studies.
    pub facets: Vec<Facet>,
    /// For each facet (same order), the indexes of case studies per value.
    pub facet_members: Vec<Vec<Vec<usize>>>,
    /// Indexes into `claims` of contested claims, most evenly split and best evidenced first.
    pub contested: Vec<usize>,
    pub map: EvidenceMap,
    /// For each map cell `[row][column]`, the case studies in it.
    pub map_members: Vec<Vec<Vec<usize>>>,
    pub assets: Vec<Asset>,
    /// Not read by any page yet: kept for outputs that publish the bibliography.
    #[allow(dead_code)]
    pub bibliography: Bibliography,
    pub url_style: UrlStyle,
}

impl Review {
    /// Builds the model, reporting every problem; `None` when there were errors.
    /// The bibliography may still be being formatted: it is waited for only once the
    /// bodies are rendered and their links checked.
    pub(crate) fn build_model(
        config: Arc<SiteConfig>,
        content: Content,
        bibliography: crate::citations::Pending,
        options: ReviewOptions,
        diagnostics: &mut Diagnostics,
    ) -> Option<Review> {
        build::build(config, content, bibliography, options, None, diagnostics)
    }

    /// [`Review::build_model`], reusing from `cache` the work whose inputs have not changed since
    /// the last build through it, and leaving this build's work there for the next.
    pub(crate) fn build_model_cached(
        config: Arc<SiteConfig>,
        content: Content,
        bibliography: Bibliography,
        options: ReviewOptions,
        cache: &mut ReviewCache,
        diagnostics: &mut Diagnostics,
    ) -> Option<Review> {
        build::build(
            config,
            content,
            crate::citations::Pending::Ready(bibliography),
            options,
            Some(cache),
            diagnostics,
        )
    }

    pub(crate) fn finding_count(&self) -> usize {
        self.case_studies.iter().map(|c| c.findings.len()).sum()
    }
}
