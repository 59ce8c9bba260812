//! Open data: the review as one JSON document (`data/review.json`) and three CSV tables.
//!
//! Owns [`ReviewData`], the review's content as plain values (ids and slugs, never labels
//! or HTML), built from the review model. The same document is the edition snapshot that
//! `tessera snapshot` freezes and that the next edition compares itself with
//! ([`crate::editions`]), so it is complete (every front-matter field of every case study)
//! and stable (a fixed order, no dates or build details): the same review gives the same
//! bytes. It also owns the CSV tables ([`tables`]) and the data dictionary that the
//! `/data/` page shows ([`dictionary`]), which lists the very columns the tables are
//! written with. It knows nothing of templates.

pub(crate) mod dictionary;
pub(crate) mod tables;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::content::schema::Extra;
use crate::review::Review;
use crate::review::model::{CaseStudy, Claim, FacetValue, Theme};
use crate::shared::Shared;

/// The version of the document's shape. Raise it when a field is renamed or removed or
/// changes meaning, so that a snapshot of an older shape is refused with a clear message
/// rather than misread; adding an optional field does not need a new version.
pub(crate) const FORMAT: u32 = 1;

/// Where the data files go in the built site.
pub(crate) const DATA_DIR: &str = "data";

/// The whole review as data: `data/review.json`, and an edition snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ReviewData {
    /// The version of this document's shape ([`FORMAT`]).
    pub format: u32,
    pub review: ReviewDetails,
    /// Every declared facet with its allowed values, in site.toml's order.
    pub facets: Vec<FacetData>,
    /// Themes, by slug.
    pub themes: Vec<ThemeData>,
    /// Claims, by slug.
    pub claims: Vec<ClaimData>,
    /// Published case studies, by slug.
    pub case_studies: Vec<CaseStudyData>,
}

/// The review's own details, from site.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ReviewDetails {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub language: String,
    /// The edition this document describes (site.toml's `edition`).
    #[serde(default)]
    pub edition: Option<i64>,
    /// The review's bibliographic details (authors, publisher, licence…) from site.toml's
    /// `[publication]`, once that section exists; `null` until then.
    #[serde(default)]
    pub publication: Option<serde_json::Value>,
}

/// A facet and its allowed values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FacetData {
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub description: String,
    pub values: Vec<FacetValueData>,
}

/// One allowed value of a facet: `id` is what front matter and the tables hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FacetValueData {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub description: String,
}

/// A research theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ThemeData {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub url: String,
}

/// How many findings sit on each side of a claim.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StanceCounts {
    pub supports: usize,
    pub mixed: usize,
    pub challenges: usize,
    pub total: usize,
}

/// A claim and the balance of the findings on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ClaimData {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    pub url: String,
    /// Theme slugs.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Findings on both sides, or any mixed one.
    pub contested: bool,
    pub counts: StanceCounts,
}

/// When an innovation ran.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PeriodData {
    pub start: Option<i32>,
    pub end: Option<i32>,
}

/// A case study: every front-matter field (facet values by id, themes and claims by
/// slug, sources by bibliography key), its URL and its findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CaseStudyData {
    pub slug: String,
    /// Site-relative URL of its page (`case-studies/pause/`).
    pub url: String,
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub organisations: Vec<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub period: PeriodData,
    #[serde(default)]
    pub edition: Option<i64>,
    #[serde(default)]
    pub stage: Option<String>,
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub adapted_from: Option<String>,
    #[serde(default)]
    pub framed_as: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    /// The `sources:` field: bibliography keys.
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub extra: Extra,
    /// In front-matter order.
    #[serde(default)]
    pub findings: Vec<FindingData>,
}

/// What one source says about one claim, as a case study reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FindingData {
    /// Claim slug.
    pub claim: String,
    /// `supports`, `mixed` or `challenges`.
    pub stance: String,
    #[serde(default)]
    pub perspective: Option<String>,
    #[serde(default)]
    pub design: Option<String>,
    #[serde(default)]
    pub certainty: Option<String>,
    /// Bibliography key.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub locator: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl ReviewData {
    /// The review's data, from the model.
    pub(crate) fn from_review(review: &Review) -> ReviewData {
        let mut themes: Vec<ThemeData> = review.themes.iter().map(theme_data).collect();
        themes.sort_by(|a, b| a.slug.cmp(&b.slug));
        let mut claims: Vec<ClaimData> = review.claims.iter().map(claim_data).collect();
        claims.sort_by(|a, b| a.slug.cmp(&b.slug));
        // In parallel: at 10,000 case studies this was 50 ms of every edit in `serve`. Both
        // keep the order a sequential map and a stable sort give.
        let mut case_studies: Vec<CaseStudyData> = review
            .case_studies
            .par_iter()
            .map(case_study_data)
            .collect();
        case_studies.par_sort_by(|a, b| a.slug.cmp(&b.slug));
        ReviewData {
            format: FORMAT,
            review: details(&review.config),
            facets: facets(&review.config),
            themes,
            claims,
            case_studies,
        }
    }

    /// The document as pretty-printed JSON, ending with a newline (so a committed snapshot
    /// diffs line by line).
    pub(crate) fn to_json(&self) -> Vec<u8> {
        // Serializing plain strings, numbers and maps with string keys cannot fail.
        let mut json = serde_json::to_vec_pretty(self).unwrap_or_default();
        json.push(b'\n');
        json
    }

    /// The document with its themes, claims and case studies in slug order, as
    /// [`ReviewData::from_review`] makes it (a snapshot edited by hand may not be): the
    /// lookups by slug below rely on it. The sort is stable, so of two items with one slug
    /// the first in the file is still found first.
    pub(crate) fn sorted(mut self) -> ReviewData {
        self.themes.sort_by(|a, b| a.slug.cmp(&b.slug));
        self.claims.sort_by(|a, b| a.slug.cmp(&b.slug));
        self.case_studies.sort_by(|a, b| a.slug.cmp(&b.slug));
        self
    }

    /// Case studies by slug.
    pub(crate) fn case_study(&self, slug: &str) -> Option<&CaseStudyData> {
        by_slug(&self.case_studies, slug, |c| &c.slug)
    }

    /// Claims by slug.
    pub(crate) fn claim(&self, slug: &str) -> Option<&ClaimData> {
        by_slug(&self.claims, slug, |c| &c.slug)
    }
}

/// The first item of `items` (in slug order) whose slug is `slug`: a binary search, as
/// comparing editions and writing the findings table look up every finding's claim and case
/// study, which a scan would make quadratic in the size of the review.
fn by_slug<'a, T>(items: &'a [T], slug: &str, slug_of: impl Fn(&T) -> &String) -> Option<&'a T> {
    let first = items.partition_point(|item| slug_of(item).as_str() < slug);
    items.get(first).filter(|item| slug_of(item) == slug)
}

/// Data files: paths under the output folder, with their bytes.
pub(crate) type Files = Vec<(PathBuf, Vec<u8>)>;

/// Each case study's share of the data files (its element of `review.json`'s
/// `case_studies`, its row of `case-studies.csv`, its rows of `findings.csv`), kept by
/// `serve` with the data they were written from, so that after an edit only the case
/// studies whose data changed are written again. Shares are shared, not copied, from one
/// compile to the next.
#[derive(Default)]
pub(crate) struct Pieces {
    /// The data the pieces were written from.
    data: Option<Arc<ReviewData>>,
    /// By position in that data's case studies.
    cases: Vec<CasePiece>,
}

#[derive(Clone)]
struct CasePiece {
    /// Pretty-printed at the depth of an element of `case_studies`, without the newline
    /// and indent before it.
    json: Arc<str>,
    row: Arc<[u8]>,
    findings: Arc<[u8]>,
}

/// [`files`], reusing the shares in `last` of every case study whose data is what it was
/// (and its findings' rows while the claims are too), and returning this data's shares for
/// the next time. The bytes are exactly those [`files`] writes.
pub(crate) fn files_reusing(
    data: &Arc<ReviewData>,
    last: &Pieces,
) -> Result<(Files, Pieces), tables::TableError> {
    let previous = last.data.as_deref().map(|previous| {
        let positions: HashMap<&str, usize> = previous
            .case_studies
            .iter()
            .enumerate()
            .map(|(i, c)| (c.slug.as_str(), i))
            .collect();
        (previous, positions)
    });
    let same_claims = previous
        .as_ref()
        .is_some_and(|(previous, _)| previous.claims == data.claims);
    let cases: Vec<CasePiece> = data
        .case_studies
        .par_iter()
        .map(|case| {
            let kept = previous.as_ref().and_then(|(previous, positions)| {
                let i = *positions.get(case.slug.as_str())?;
                let piece = last.cases.get(i)?;
                (previous.case_studies[i] == *case).then_some(piece)
            });
            let piece = match kept {
                Some(piece) if same_claims => piece.clone(),
                Some(piece) => CasePiece {
                    findings: tables::finding_rows_of(data, case)?.into(),
                    ..piece.clone()
                },
                None => CasePiece {
                    json: element_json(case).into(),
                    row: tables::case_study_row_of(case)?.into(),
                    findings: tables::finding_rows_of(data, case)?.into(),
                },
            };
            Ok(piece)
        })
        .collect::<Result<_, tables::TableError>>()?;
    let json = spliced_json(data, &cases);
    let mut files = vec![(PathBuf::from(DATA_DIR).join("review.json"), json)];
    for (name, bytes) in tables::write_all_from(data, &cases)? {
        files.push((PathBuf::from(DATA_DIR).join(name), bytes));
    }
    let pieces = Pieces {
        data: Some(data.clone()),
        cases,
    };
    Ok((files, pieces))
}

/// A case study pretty-printed as an element of `case_studies`: two levels deep, so every
/// line after the first is indented by four more spaces. (JSON strings hold no raw line
/// breaks, so every `\n` is a line of the document.)
fn element_json(case: &CaseStudyData) -> String {
    // Serializing plain strings, numbers and maps with string keys cannot fail.
    let json = serde_json::to_string_pretty(case).unwrap_or_default();
    json.replace('\n', "\n    ")
}

/// `review.json` from the document without its case studies and each case study's piece:
/// what [`ReviewData::to_json`] writes, byte for byte (a test checks it).
fn spliced_json(data: &ReviewData, cases: &[CasePiece]) -> Vec<u8> {
    let shell = ReviewData {
        format: data.format,
        review: data.review.clone(),
        facets: data.facets.clone(),
        themes: data.themes.clone(),
        claims: data.claims.clone(),
        case_studies: Vec::new(),
    };
    let mut json = shell.to_json();
    // `case_studies` is the last field, so the shell ends with its empty list.
    const EMPTY_TAIL: &[u8] = b"[]\n}\n";
    if cases.is_empty() || !json.ends_with(EMPTY_TAIL) {
        return data.to_json();
    }
    json.truncate(json.len() - EMPTY_TAIL.len());
    json.push(b'[');
    for (i, case) in cases.iter().enumerate() {
        json.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
        json.extend_from_slice(case.json.as_bytes());
    }
    json.extend_from_slice(b"\n  ]\n}\n");
    json
}

/// The data files of the site, as paths under the output folder with their bytes:
/// `data/review.json` and the CSV tables.
/// The JSON document and the tables are written at the same time, as each takes a while
/// on a large review.
pub(crate) fn files(data: &ReviewData) -> Result<Files, tables::TableError> {
    let (json, tables) = rayon::join(|| data.to_json(), || tables::write_all(data));
    let mut files = vec![(PathBuf::from(DATA_DIR).join("review.json"), json)];
    for (name, bytes) in tables? {
        files.push((PathBuf::from(DATA_DIR).join(name), bytes));
    }
    Ok(files)
}

/// The review's details from site.toml.
fn details(config: &SiteConfig) -> ReviewDetails {
    ReviewDetails {
        title: config.title.clone(),
        description: config.description.clone(),
        base_url: config.base_url.clone(),
        language: config.language.clone(),
        edition: config.edition,
        publication: publication_details(config),
    }
}

/// The review's bibliographic details (authors, publisher, date, licence, ISSN, DOI) for
/// `review.publication`, as site.toml's `[publication]` gives them; `None` when it gives
/// none. The data page reads the licence from here ([`dictionary::licence`]).
fn publication_details(config: &SiteConfig) -> Option<serde_json::Value> {
    let publication = &config.publication;
    if *publication == crate::publication::Publication::default() {
        return None;
    }
    serde_json::to_value(publication).ok()
}

fn facets(config: &SiteConfig) -> Vec<FacetData> {
    config
        .facets
        .iter()
        .map(|(name, facet)| FacetData {
            name: name.clone(),
            label: facet.label.clone(),
            description: facet.description.clone(),
            values: facet
                .values
                .iter()
                .map(|v| FacetValueData {
                    id: v.id.clone(),
                    label: v.label().to_string(),
                    description: v.description.clone(),
                })
                .collect(),
        })
        .collect()
}

/// A page's URL as data: the same whether or not the build is portable, so a snapshot
/// does not change with how the site was built.
fn data_url(url: &str) -> String {
    url.strip_suffix("index.html").unwrap_or(url).to_string()
}

fn theme_data(theme: &Theme) -> ThemeData {
    ThemeData {
        slug: theme.slug.clone(),
        title: theme.title.clone(),
        summary: theme.summary.clone(),
        url: data_url(&theme.url),
    }
}

fn claim_data(claim: &Claim) -> ClaimData {
    ClaimData {
        slug: claim.slug.clone(),
        title: claim.title.clone(),
        summary: claim.summary.clone(),
        url: data_url(&claim.url),
        themes: claim.themes.iter().map(|t| t.slug.clone()).collect(),
        contested: claim.contested,
        counts: StanceCounts {
            supports: claim.counts.supports,
            mixed: claim.counts.mixed,
            challenges: claim.counts.challenges,
            total: claim.counts.total,
        },
    }
}

fn id(value: &Option<Shared<FacetValue>>) -> Option<String> {
    value.as_ref().map(|v| v.id.clone())
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

fn case_study_data(c: &CaseStudy) -> CaseStudyData {
    CaseStudyData {
        slug: c.slug.clone(),
        url: data_url(&c.url),
        title: c.title.clone(),
        summary: c.summary.clone(),
        organisations: c.organisations.clone(),
        region: id(&c.region),
        period: PeriodData {
            start: c.period.start,
            end: c.period.end,
        },
        edition: c.edition,
        stage: id(&c.stage),
        origin: id(&c.origin),
        adapted_from: c.adapted_from.as_ref().map(|r| r.slug.clone()),
        framed_as: c.framed_as.iter().map(|v| v.id.clone()).collect(),
        themes: c.themes.iter().map(|t| t.slug.clone()).collect(),
        sources: c
            .sources
            .iter()
            .take(c.listed_sources)
            .map(|s| s.key.clone())
            .collect(),
        draft: c.draft,
        extra: c.extra.clone(),
        findings: c
            .findings
            .iter()
            .map(|f| FindingData {
                claim: f.claim.slug.clone(),
                stance: f.stance.id().to_string(),
                perspective: id(&f.perspective),
                design: id(&f.design),
                certainty: id(&f.certainty),
                source: f.source.as_ref().map(|s| s.key.clone()),
                locator: non_empty(&f.locator),
                note: non_empty(&f.note),
            })
            .collect(),
    }
}

/// Facets by name, for looking up a value's label.
pub(crate) fn facet_index(data: &ReviewData) -> IndexMap<&str, &FacetData> {
    data.facets.iter().map(|f| (f.name.as_str(), f)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample review's data.
    fn sample_data() -> ReviewData {
        use crate::bibliography::Bibliography;
        use crate::diagnostics::Diagnostics;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut diagnostics = Diagnostics::new();
        let config = Arc::new(SiteConfig::load(root, &mut diagnostics).expect("site.toml"));
        let mut content = crate::content::load(root, &mut diagnostics);
        let bibliography = Bibliography::load(
            root,
            content.bibliography.take().as_deref(),
            &mut diagnostics,
        );
        let bibliography = crate::citations::Pending::Ready(bibliography);
        let options = crate::review::ReviewOptions::default();
        let review = Review::build_model(config, content, bibliography, options, &mut diagnostics)
            .expect("the sample review builds");
        ReviewData::from_review(&review)
    }

    fn written(data: &ReviewData) -> Vec<(PathBuf, Vec<u8>)> {
        files(data).expect("writes")
    }

    #[test]
    fn files_written_from_kept_pieces_are_the_files_written_whole() {
        let data = Arc::new(sample_data());
        assert!(data.case_studies.len() > 3 && !data.claims.is_empty());
        let (first, pieces) = files_reusing(&data, &Pieces::default()).expect("writes");
        assert_eq!(first, written(&data));

        // One case study retitled, one removed, one added: the others' pieces are reused.
        let mut edited = (*data).clone();
        edited.case_studies[0].title.push_str(" (retitled)");
        edited.case_studies.remove(1);
        let mut added = edited.case_studies[1].clone();
        added.slug = format!("{}-again", added.slug);
        edited.case_studies.push(added);
        edited.case_studies.sort_by(|a, b| a.slug.cmp(&b.slug));
        let edited = Arc::new(edited);
        let (second, pieces) = files_reusing(&edited, &pieces).expect("writes");
        assert_eq!(second, written(&edited));
        let (_, again) = files_reusing(&edited, &pieces).expect("writes");
        assert!(Arc::ptr_eq(&pieces.cases[2].json, &again.cases[2].json));

        // A claim retitled: every finding row naming it is written again.
        let mut claims_changed = (*edited).clone();
        claims_changed.claims[0].title.push_str(" (retitled)");
        let claims_changed = Arc::new(claims_changed);
        let (third, _) = files_reusing(&claims_changed, &pieces).expect("writes");
        assert_eq!(third, written(&claims_changed));
        let findings = |files: &[(PathBuf, Vec<u8>)]| {
            files
                .iter()
                .find(|(path, _)| path.ends_with("findings.csv"))
                .map(|(_, bytes)| bytes.clone())
        };
        assert_ne!(findings(&third), findings(&second));

        // No case studies at all.
        let mut empty = (*claims_changed).clone();
        empty.case_studies.clear();
        let empty = Arc::new(empty);
        assert_eq!(
            files_reusing(&empty, &pieces).expect("writes").0,
            written(&empty)
        );
    }

    #[test]
    fn lookups_by_slug_find_the_first_of_a_snapshot_in_any_order() {
        let mut data = sample_data();
        data.case_studies.reverse();
        let mut twin = data.case_studies[0].clone();
        twin.title = "The second of two".to_string();
        data.case_studies.push(twin.clone());
        let data = data.sorted();
        let found = data.case_study(&twin.slug).expect("found");
        assert_ne!(found.title, "The second of two");
        for case in &data.case_studies {
            assert_eq!(
                data.case_study(&case.slug).map(|c| &c.slug),
                Some(&case.slug)
            );
        }
        for claim in &data.claims {
            assert_eq!(data.claim(&claim.slug).map(|c| &c.slug), Some(&claim.slug));
        }
        assert!(data.case_study("no-such-case-study").is_none());
    }
}
