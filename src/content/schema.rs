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
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub organisations: Vec<String>,
    #[serde(default)]
    pub region: Option<Ref>,
    #[serde(default)]
    pub period: Option<Period>,
    /// The review edition that added or last updated this case study.
    #[serde(default)]
    pub edition: Option<i64>,
    /// When the case study was last updated (`2026-03-01`), for the Atom feed.
    #[serde(default)]
    pub updated: Option<crate::publication::PublicationDate>,
    pub stage: Ref,
    #[serde(default)]
    pub origin: Option<Ref>,
    /// Slug of another case study this one was adapted from.
    #[serde(default)]
    pub adapted_from: Option<Ref>,
    #[serde(default)]
    pub framed_as: Vec<Ref>,
    #[serde(default)]
    pub themes: Vec<Ref>,
    /// Bibliography keys.
    #[serde(default)]
    pub sources: Vec<Ref>,
    #[serde(default)]
    pub findings: Vec<FindingMeta>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub extra: Extra,
}

/// When an innovation ran: years, either end open.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Period {
    #[serde(default)]
    pub start: Option<i32>,
    #[serde(default)]
    pub end: Option<i32>,
}

/// What one source says about one claim, as reported in a case study.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingMeta {
    /// Slug of a file in `content/claims/`.
    pub claim: Ref,
    pub stance: Spanned<Stance>,
    #[serde(default)]
    pub perspective: Option<Ref>,
    #[serde(default)]
    pub design: Option<Ref>,
    #[serde(default)]
    pub certainty: Option<Ref>,
    /// A bibliography key.
    #[serde(default)]
    pub source: Option<Ref>,
    #[serde(default)]
    pub locator: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Which way a finding points on its claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Supports,
    Mixed,
    Challenges,
}

impl Stance {
    pub const ALL: [Stance; 3] = [Stance::Supports, Stance::Mixed, Stance::Challenges];

    pub fn id(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Mixed => "mixed",
            Stance::Challenges => "challenges",
        }
    }

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
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub extra: Extra,
}

/// A statement the evidence speaks to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimMeta {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub themes: Vec<Ref>,
    #[serde(default)]
    pub extra: Extra,
}

/// The home page or any other page; front matter is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub extra: Extra,
}
