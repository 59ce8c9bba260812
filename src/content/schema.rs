//! The front-matter schema: what authors may write at the top of each kind of content file.
//!
//! These types mirror the YAML exactly (unknown fields are errors). References to other
//! things (themes, claims, facet values, sources) are kept as [`Ref`]s, strings with their
//! place in the file, so the review model can point at the exact value when one is unknown.
//! The README's "Content model" section documents every field.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// A reference to something defined elsewhere, with where it was written.
pub type Ref = Spanned<String>;

/// Free fields that templates can read as `extra`.
pub type Extra = IndexMap<String, serde_json::Value>;

/// A case study: one innovation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseStudyMeta {
    /// The case study's name.
    pub title: String,
    /// One sentence, shown in lists and cards.
    pub summary: String,
    #[serde(default)]
    /// Who runs it.
    pub organisations: Vec<String>,
    #[serde(default)]
    /// Where it started (a `region` facet value).
    pub region: Option<Ref>,
    #[serde(default)]
    /// When it ran.
    pub period: Option<Period>,
    /// The review edition that added or last updated this case study.
    #[serde(default)]
    pub edition: Option<i64>,
    /// When the case study was last updated (`2026-03-01`), for the Atom feed.
    #[serde(default)]
    pub updated: Option<crate::publication::PublicationDate>,
    /// Its stage (a `stage` facet value).
    pub stage: Ref,
    #[serde(default)]
    /// New, adapted, adopted… (an `origin` facet value).
    pub origin: Option<Ref>,
    /// Slug of another case study this one was adapted from.
    #[serde(default)]
    pub adapted_from: Option<Ref>,
    #[serde(default)]
    /// How its actors describe it (`framed_as` facet values).
    pub framed_as: Vec<Ref>,
    #[serde(default)]
    /// Slugs of the research themes it belongs to.
    pub themes: Vec<Ref>,
    /// Bibliography keys.
    #[serde(default)]
    pub sources: Vec<Ref>,
    #[serde(default)]
    /// What each source says about a claim.
    pub findings: Vec<FindingMeta>,
    #[serde(default)]
    /// Built only with `--drafts`.
    pub draft: bool,
    #[serde(default)]
    /// Free fields for templates; custom facets are read from here.
    pub extra: Extra,
}

/// When an innovation ran: years, either end open.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(default)]
    /// The first year, if known.
    pub start: Option<i32>,
    #[serde(default)]
    /// The last year; `None` while it runs or when unknown.
    pub end: Option<i32>,
}

/// What one source says about one claim, as reported in a case study.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingMeta {
    /// Slug of a file in `content/claims/`.
    pub claim: Ref,
    /// Which way the finding points on its claim.
    pub stance: Spanned<Stance>,
    #[serde(default)]
    /// Whose view it reports (a `perspective` facet value).
    pub perspective: Option<Ref>,
    #[serde(default)]
    /// The study design behind it (a `design` facet value).
    pub design: Option<Ref>,
    #[serde(default)]
    /// How certain the evidence is (a `certainty` facet value).
    pub certainty: Option<Ref>,
    /// A bibliography key.
    #[serde(default)]
    pub source: Option<Ref>,
    #[serde(default)]
    /// Where in the source, e.g. a page number.
    pub locator: Option<String>,
    #[serde(default)]
    /// A free note shown with the finding.
    pub note: Option<String>,
}

/// Which way a finding points on its claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    /// The finding supports the claim.
    Supports,
    /// The finding is mixed.
    Mixed,
    /// The finding challenges the claim.
    Challenges,
}

impl Stance {
    /// Every stance, in the order pages show them.
    pub const ALL: [Stance; 3] = [Stance::Supports, Stance::Mixed, Stance::Challenges];

    /// The stance as written in front matter, e.g. `supports`.
    pub fn id(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Mixed => "mixed",
            Stance::Challenges => "challenges",
        }
    }

    /// The stance as pages show it, e.g. `Supports`.
    pub fn label(self) -> &'static str {
        match self {
            Stance::Supports => "Supports",
            Stance::Mixed => "Mixed",
            Stance::Challenges => "Challenges",
        }
    }
}

/// A research theme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeMeta {
    /// The theme's name.
    pub title: String,
    #[serde(default)]
    /// One sentence, shown in lists and cards.
    pub summary: String,
    #[serde(default)]
    /// Free fields for templates.
    pub extra: Extra,
}

/// A statement the evidence speaks to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimMeta {
    /// The claim as a statement.
    pub title: String,
    #[serde(default)]
    /// One sentence, shown in lists and cards.
    pub summary: String,
    #[serde(default)]
    /// Slugs of the research themes it belongs to.
    pub themes: Vec<Ref>,
    #[serde(default)]
    /// Free fields for templates.
    pub extra: Extra,
}

/// The home page or any other page; front matter is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    #[serde(default)]
    /// The page's title, if it has one.
    pub title: Option<String>,
    #[serde(default)]
    /// One sentence, for lists and `<meta name="description">`.
    pub summary: String,
    #[serde(default)]
    /// Built only with `--drafts`.
    pub draft: bool,
    #[serde(default)]
    /// Free fields for templates.
    pub extra: Extra,
}
