//! The types of the review model, as templates see them.
//!
//! Every public field here is part of the template interface documented in
//! the README ("Template reference"); fields marked `#[serde(skip)]` are indexes the model keeps for
//! itself. URLs are site-relative without a leading slash.

use std::sync::Arc;

use indexmap::IndexMap;
use serde::Serialize;

use crate::bibliography::Source;
use crate::content::schema::{Extra, Period, Stance};
use crate::markdown::TocEntry;
use crate::shared::Shared;

/// A link to a page: case study, theme or claim.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct PageRef {
    pub slug: String,
    pub url: String,
    pub title: String,
}

/// One value of a facet (or a theme on a map axis), with its listing page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct FacetValue {
    pub facet: String,
    /// The facet's label (`Stage`), so a badge needs no lookup.
    pub facet_label: String,
    pub id: String,
    pub label: String,
    pub description: String,
    pub slug: String,
    pub url: String,
    /// Where the value stands among its facet's values in site.toml, from 0 (a harvest
    /// plot's design letter); none for a facet site.toml does not declare, and for a theme
    /// on a map axis.
    pub position: Option<usize>,
}

/// A facet with its values, for filters and facet pages.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Facet {
    pub name: String,
    pub label: String,
    pub description: String,
    pub url: String,
    pub values: Vec<FacetValueCount>,
}

/// A facet value and how many (published) case studies have it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct FacetValueCount {
    #[serde(flatten)]
    pub value: Shared<FacetValue>,
    pub count: usize,
}

/// What one source says about one claim, within one case study.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Finding {
    pub claim: Shared<PageRef>,
    pub case_study: Shared<PageRef>,
    pub stance: Stance,
    pub stance_label: &'static str,
    pub perspective: Option<Shared<FacetValue>>,
    pub design: Option<Shared<FacetValue>>,
    pub certainty: Option<Shared<FacetValue>>,
    /// 0 for the strongest declared certainty; `usize::MAX` when unknown.
    pub certainty_rank: usize,
    /// How strong the certainty is, for pictures: 1.0 for the strongest declared value,
    /// falling towards 0 for the weakest; 0 when unrated.
    pub strength: f64,
    pub source: Option<Shared<Source>>,
    /// The source's short in-text citation in the review's style, with the locator, as
    /// HTML (`(Forrester et al., 2017, p. 10)`); `""` without a source.
    pub citation: String,
    pub locator: String,
    pub note: String,
    /// Index of the claim in `Review::claims`.
    #[serde(skip)]
    pub claim_index: usize,
    /// Index of the case study in `Review::case_studies`.
    #[serde(skip)]
    pub case_index: usize,
    /// Year the evidence dates from: the source's year, else the case study's start.
    #[serde(skip)]
    pub year: Option<i32>,
    /// Region of the case study, for comparing sides.
    #[serde(skip)]
    pub region: Option<Shared<FacetValue>>,
}

/// Why another case study is related to this one.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Related {
    pub case_study: Shared<PageRef>,
    pub shared_themes: Vec<Shared<PageRef>>,
    pub shared_claims: Vec<Shared<PageRef>>,
    pub score: usize,
    pub reason: String,
}

/// One innovation, with everything derived about it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct CaseStudy {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub organisations: Vec<String>,
    pub region: Option<Shared<FacetValue>>,
    pub period: Period,
    pub edition: Option<i64>,
    /// When it was last updated (front matter `updated`), if given.
    pub updated: Option<crate::publication::PublicationDate>,
    pub is_new: bool,
    pub stage: Option<Shared<FacetValue>>,
    pub origin: Option<Shared<FacetValue>>,
    pub framed_as: Vec<Shared<FacetValue>>,
    /// Every facet value this case study has, by facet name (including finding facets).
    pub facets: IndexMap<String, Vec<Shared<FacetValue>>>,
    pub themes: Vec<Shared<PageRef>>,
    pub claims: Vec<Shared<PageRef>>,
    pub findings: Vec<Shared<Finding>>,
    pub sources: Vec<Shared<Source>>,
    pub adapted_from: Option<Shared<PageRef>>,
    pub adapted_by: Vec<Shared<PageRef>>,
    /// Shared with the cache of `serve`, which keeps each list while it is unchanged.
    pub related: Arc<[Related]>,
    pub content: Arc<str>,
    pub toc: Vec<TocEntry>,
    pub extra: Extra,
    pub draft: bool,
    #[serde(skip)]
    pub theme_indexes: Vec<usize>,
    #[serde(skip)]
    pub claim_indexes: Vec<usize>,
    /// Best (lowest) certainty rank among the findings.
    #[serde(skip)]
    pub best_certainty: usize,
    /// The link to this case study that listings share.
    #[serde(skip)]
    pub self_ref: Shared<PageRef>,
    /// How many of `sources`, from the start, come from the front matter's `sources:`
    /// field (the rest are finding sources not listed there), for the open data.
    #[serde(skip)]
    pub listed_sources: usize,
    /// The file, relative to the review root, for diagnostics about the case study as a
    /// whole (an edition not bumped).
    #[serde(skip)]
    pub path: std::path::PathBuf,
}

impl CaseStudy {
    pub(crate) fn page_ref(&self) -> Shared<PageRef> {
        self.self_ref.clone()
    }
}

/// A theme and how it connects to the rest of the review.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Theme {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub content: Arc<str>,
    pub toc: Vec<TocEntry>,
    pub extra: Extra,
    pub case_studies: Vec<Shared<PageRef>>,
    pub claims: Vec<Shared<PageRef>>,
    pub contested_claims: Vec<Shared<PageRef>>,
    pub related_themes: Vec<RelatedTheme>,
    #[serde(skip)]
    pub case_indexes: Vec<usize>,
}

/// Another theme and how many case studies the two share.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct RelatedTheme {
    pub theme: Shared<PageRef>,
    pub shared: usize,
}

/// Findings per side of a claim.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub(crate) struct Columns {
    pub supports: Vec<Shared<Finding>>,
    pub mixed: Vec<Shared<Finding>>,
    pub challenges: Vec<Shared<Finding>>,
}

/// How many findings sit on each side.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub(crate) struct Counts {
    pub supports: usize,
    pub mixed: usize,
    pub challenges: usize,
    pub total: usize,
}

/// A statement the evidence speaks to, with the evidence laid out by side.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Claim {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub content: Arc<str>,
    pub toc: Vec<TocEntry>,
    pub extra: Extra,
    pub themes: Vec<Shared<PageRef>>,
    pub findings: Vec<Shared<Finding>>,
    pub contested: bool,
    pub columns: Columns,
    pub counts: Counts,
    pub differences: Vec<String>,
    /// The balance as a sentence; the picture of it is drawn by the theme.
    pub balance_text: String,
    #[serde(skip)]
    pub theme_indexes: Vec<usize>,
    /// Best certainty rank among the findings, for ordering.
    #[serde(skip)]
    pub best_certainty: usize,
    /// The link to this claim that listings share.
    #[serde(skip)]
    pub self_ref: Shared<PageRef>,
}

impl Claim {
    pub(crate) fn page_ref(&self) -> Shared<PageRef> {
        self.self_ref.clone()
    }
}

/// The home page or another plain page.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Page {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub content: Arc<str>,
    pub toc: Vec<TocEntry>,
    pub extra: Extra,
}

/// An axis of the evidence map.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Axis {
    pub name: String,
    pub label: String,
}

/// One cell of the evidence map.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct MapCell {
    pub count: usize,
    pub certainty: Option<Shared<FacetValue>>,
    pub shade: String,
    /// `""` for an empty cell.
    pub url: String,
    pub case_studies: Vec<Shared<PageRef>>,
}

/// The evidence map: case studies counted by two facets.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct EvidenceMap {
    pub rows: Axis,
    pub columns: Axis,
    pub row_values: Vec<Shared<FacetValue>>,
    pub column_values: Vec<Shared<FacetValue>>,
    pub cells: Vec<Vec<MapCell>>,
}
