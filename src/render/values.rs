//! The review model as template values: each converted once, shared by every page that
//! shows it, and (for `serve`) given a digest of its contents.
//!
//! A digest is a blake3 hash of a value's serialized form, the same data Tera sees. Two
//! builds that give a value the same digest give it the same template value, so a page
//! whose template, URL and values all have the same digests renders to the same bytes and
//! need not be rendered again. Digests are computed only when asked for: a one-off build
//! renders every page anyway and skips the cost.
//!
//! Case studies appear in two forms: the whole case study on its own page, and a *card*
//! (every field but `content`, `toc` and `related`) in lists and in `/print/`. Cards carry
//! neither bodies nor related case studies: editing a case study's text changes its page
//! and the print part that holds the text, and retitling one does not change the cards of
//! the dozens that list it as related.

use std::collections::HashMap;
use std::io::Write;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::Serialize;
use serde::ser::SerializeStruct;
use tera::Value;

use crate::review::model::{EvidenceMap, MapCell};
use crate::review::{CaseStudy, Changed, Review};
use crate::shared::Kept;
#[cfg(doc)]
use crate::shared::Shared;

/// A digest of a value's contents.
pub(crate) type Digest = blake3::Hash;

/// The fields of a case study that its page has and its card leaves out.
#[cfg(test)]
const PAGE_ONLY_FIELDS: [&str; 3] = ["content", "toc", "related"];

/// Hashes the serialized form of `value`, with `tag` first so that values of different
/// kinds never share a digest.
pub(super) fn digest_of<T: Serialize + ?Sized>(tag: &str, value: &T) -> Digest {
    let mut hasher = blake3::Hasher::new();
    hasher.update(tag.as_bytes());
    hasher.update(&[0]);
    let mut writer = std::io::BufWriter::with_capacity(16 * 1024, &mut hasher);
    // Writing into a hasher cannot fail, and every model type serializes to JSON (maps
    // have string keys), so an error here would be a bug; it still yields a digest of
    // whatever was written plus a marker, which only means the page is rendered again.
    let complete = serde_json::to_writer(&mut writer, value).is_ok() && writer.flush().is_ok();
    drop(writer);
    if !complete {
        hasher.update(b"\0incomplete");
    }
    hasher.finalize()
}

/// A model value as Tera sees it. Every [`Shared`] value inside is converted once and
/// kept with it (see [`crate::shared::keeping`]): later conversions, for this page or any
/// other, pass that template value through by reference count instead of converting again,
/// so the template data of a large review holds each shared value once as well.
pub(super) fn template_value<T: Serialize + ?Sized>(value: &T) -> Value {
    crate::shared::keeping(keep_as_template, || Value::from_serializable(value))
}

/// The form render keeps of a shared value: its template value.
fn keep_as_template(value: &dyn erased_serde::Serialize) -> Kept {
    Box::new(Value::from_serializable(value))
}

/// Combines digests (of a list's members, or of a page's parts) into one.
pub(super) fn digest_all(tag: &str, parts: impl IntoIterator<Item = Digest>) -> Digest {
    let mut hasher = blake3::Hasher::new();
    hasher.update(tag.as_bytes());
    hasher.update(&[0]);
    for part in parts {
        hasher.update(part.as_bytes());
    }
    hasher.finalize()
}

/// A case study seen as a card: serializes every field but `content`, `toc` and `related`.
struct Card<'a>(&'a CaseStudy);

impl Serialize for Card<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut s = serializer.serialize_struct("CaseStudy", 22)?;
        s.serialize_field("slug", &c.slug)?;
        s.serialize_field("url", &c.url)?;
        s.serialize_field("title", &c.title)?;
        s.serialize_field("summary", &c.summary)?;
        s.serialize_field("organisations", &c.organisations)?;
        s.serialize_field("region", &c.region)?;
        s.serialize_field("period", &c.period)?;
        s.serialize_field("edition", &c.edition)?;
        s.serialize_field("updated", &c.updated)?;
        s.serialize_field("is_new", &c.is_new)?;
        s.serialize_field("stage", &c.stage)?;
        s.serialize_field("origin", &c.origin)?;
        s.serialize_field("framed_as", &c.framed_as)?;
        s.serialize_field("facets", &c.facets)?;
        s.serialize_field("themes", &c.themes)?;
        s.serialize_field("claims", &c.claims)?;
        s.serialize_field("findings", &c.findings)?;
        s.serialize_field("sources", &c.sources)?;
        s.serialize_field("adapted_from", &c.adapted_from)?;
        s.serialize_field("adapted_by", &c.adapted_by)?;
        s.serialize_field("extra", &c.extra)?;
        s.serialize_field("draft", &c.draft)?;
        s.end()
    }
}

/// The evidence map as the map pages see it (`map`): every cell without its list of case
/// studies. The map shows counts, and a map-cell page gets its own cell whole (`cell`), so
/// retitling a case study changes the one cell page that lists it, not the map and every
/// cell page.
struct MapSummary<'a>(&'a EvidenceMap);

impl Serialize for MapSummary<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let m = self.0;
        let mut s = serializer.serialize_struct("EvidenceMap", 5)?;
        s.serialize_field("rows", &m.rows)?;
        s.serialize_field("columns", &m.columns)?;
        s.serialize_field("row_values", &m.row_values)?;
        s.serialize_field("column_values", &m.column_values)?;
        let cells: Vec<Vec<CellSummary>> = m
            .cells
            .iter()
            .map(|row| row.iter().map(CellSummary).collect())
            .collect();
        s.serialize_field("cells", &cells)?;
        s.end()
    }
}

/// A cell of [`MapSummary`]: every field but `case_studies`.
struct CellSummary<'a>(&'a MapCell);

impl Serialize for CellSummary<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut s = serializer.serialize_struct("MapCell", 4)?;
        s.serialize_field("count", &c.count)?;
        s.serialize_field("certainty", &c.certainty)?;
        s.serialize_field("shade", &c.shade)?;
        s.serialize_field("url", &c.url)?;
        s.end()
    }
}

/// The card form of a case study's template value: the same map without the page-only
/// fields.
#[cfg(test)]
fn card_of(full: &Value) -> Value {
    let Some(map) = full.as_map() else {
        return full.clone();
    };
    let mut map = map.clone();
    for field in PAGE_ONLY_FIELDS {
        map.shift_remove(&tera::value::Key::from(field));
    }
    Value::from(map)
}

/// One value, converted on first use.
struct Item {
    digest: Option<Digest>,
    value: OnceLock<Value>,
}

impl Item {
    fn new(digest: Option<Digest>) -> Item {
        Item {
            digest,
            value: OnceLock::new(),
        }
    }
}

/// Template values kept from the previous build, by digest, so that a list page rendered
/// again does not convert every member again.
#[derive(Default)]
pub(crate) struct ValueCache {
    by_digest: HashMap<Digest, Value>,
}

/// Every large value of the review, converted on first use.
pub(super) struct Values<'a> {
    review: &'a Review,
    /// The previous build's conversions, by digest.
    cache: Option<&'a ValueCache>,
    cases: Vec<Item>,
    cards: Vec<Item>,
    /// The digest of each case study's body (`content`), for the print parts that show it.
    bodies: Vec<Option<Digest>>,
    themes: Vec<Item>,
    claims: Vec<Item>,
    facets: Vec<Item>,
    map: Item,
    /// The digest of each map cell, whole (`None` when values carry no digests).
    map_cells: Option<Vec<Vec<Digest>>>,
}

impl<'a> Values<'a> {
    /// The converted values, apart from the review they were made from: to be freed
    /// elsewhere.
    pub(super) fn into_items(self) -> impl Send + 'static {
        (
            self.cases,
            self.cards,
            self.themes,
            self.claims,
            self.facets,
            self.map,
        )
    }

    /// Values without digests, for a build that renders every page.
    pub(super) fn untracked(review: &'a Review) -> Values<'a> {
        let none = |n: usize| (0..n).map(|_| Item::new(None)).collect();
        Values {
            review,
            cache: None,
            cases: none(review.case_studies.len()),
            cards: none(review.case_studies.len()),
            bodies: vec![None; review.case_studies.len()],
            themes: none(review.themes.len()),
            claims: none(review.claims.len()),
            facets: none(review.facets.len()),
            map: Item::new(None),
            map_cells: None,
        }
    }

    /// Values with digests, computed only where the baseline does not give them;
    /// conversions are reused from `cache` where the digest is the same.
    pub(super) fn tracked(
        review: &'a Review,
        baseline: &Baseline,
        cache: &'a ValueCache,
    ) -> Values<'a> {
        let (cases, cards, bodies, themes, claims) = match baseline {
            Baseline::Edited(digests, changed) => edited_digests(review, digests, changed),
            Baseline::Compare(before, digests) => compared_digests(review, Some((before, digests))),
            Baseline::None => compared_digests(review, None),
        };
        let item = |d: Digest| Item::new(Some(d));
        let (facets, (map, map_cells)) = match baseline {
            Baseline::Compare(before, digests) => (
                review
                    .facets
                    .iter()
                    .enumerate()
                    .map(|(f, facet)| {
                        let same = (before.facets.get(f) == Some(facet)).then(|| digests.facets[f]);
                        same.unwrap_or_else(|| digest_of("facet", facet))
                    })
                    .collect(),
                if before.map == review.map {
                    (digests.map, digests.map_cells.clone())
                } else {
                    map_digests(&review.map)
                },
            ),
            // An edit to bodies changes neither facets nor the map.
            Baseline::Edited(digests, _) => (
                digests.facets.clone(),
                (digests.map, digests.map_cells.clone()),
            ),
            Baseline::None => (
                review
                    .facets
                    .iter()
                    .map(|f| digest_of("facet", f))
                    .collect::<Vec<_>>(),
                map_digests(&review.map),
            ),
        };
        Values {
            review,
            cache: Some(cache),
            cases: cases.into_iter().map(item).collect(),
            cards: cards.into_iter().map(item).collect(),
            bodies: bodies.into_iter().map(Some).collect(),
            themes: themes.into_iter().map(item).collect(),
            claims: claims.into_iter().map(item).collect(),
            facets: facets.into_iter().map(item).collect(),
            map: item(map),
            map_cells: Some(map_cells),
        }
    }

    fn get(&self, item: &Item, convert: impl FnOnce() -> Value) -> Value {
        item.value
            .get_or_init(|| {
                item.digest
                    .and_then(|d| self.cache?.by_digest.get(&d).cloned())
                    .unwrap_or_else(convert)
            })
            .clone()
    }

    /// The review the values come from.
    pub(super) fn review(&self) -> &'a Review {
        self.review
    }

    /// A whole case study. Not kept: only its own page shows it, and kept for every case
    /// study the bodies would be held twice (in the model and as template values).
    pub(super) fn case(&self, i: usize) -> Value {
        template_value(&self.review.case_studies[i])
    }

    pub(super) fn card(&self, i: usize) -> Value {
        self.get(&self.cards[i], || {
            template_value(&Card(&self.review.case_studies[i]))
        })
    }

    pub(super) fn theme(&self, i: usize) -> Value {
        self.get(&self.themes[i], || template_value(&self.review.themes[i]))
    }

    pub(super) fn claim(&self, i: usize) -> Value {
        self.get(&self.claims[i], || template_value(&self.review.claims[i]))
    }

    pub(super) fn facet(&self, i: usize) -> Value {
        self.get(&self.facets[i], || template_value(&self.review.facets[i]))
    }

    pub(super) fn map(&self) -> Value {
        self.get(&self.map, || template_value(&MapSummary(&self.review.map)))
    }

    pub(super) fn theme_count(&self) -> usize {
        self.themes.len()
    }

    pub(super) fn case_digest(&self, i: usize) -> Option<Digest> {
        self.cases[i].digest
    }

    pub(super) fn card_digest(&self, i: usize) -> Option<Digest> {
        self.cards[i].digest
    }

    pub(super) fn body_digest(&self, i: usize) -> Option<Digest> {
        self.bodies[i]
    }

    pub(super) fn theme_digest(&self, i: usize) -> Option<Digest> {
        self.themes[i].digest
    }

    pub(super) fn claim_digest(&self, i: usize) -> Option<Digest> {
        self.claims[i].digest
    }

    pub(super) fn facet_digest(&self, i: usize) -> Option<Digest> {
        self.facets[i].digest
    }

    pub(super) fn map_digest(&self) -> Option<Digest> {
        self.map.digest
    }

    /// The digest of the map cell at row `r`, column `c`, whole.
    pub(super) fn map_cell_digest(&self, r: usize, c: usize) -> Option<Digest> {
        self.map_cells.as_ref()?.get(r)?.get(c).copied()
    }

    /// This build's digests, and its values by digest for the next build to reuse: those
    /// converted in this build, and the previous build's for digests that are still
    /// current. Whole case studies are left out of the values: each is shown on one page
    /// only, and they are the bulk of it.
    pub(super) fn into_cache(self) -> (Digests, ValueCache) {
        let untracked = || digest_of("untracked", &());
        let digest = |item: &Item| item.digest.unwrap_or_else(untracked);
        let digests = Digests {
            cases: self.cases.iter().map(digest).collect(),
            cards: self.cards.iter().map(digest).collect(),
            bodies: self
                .bodies
                .iter()
                .map(|d| d.unwrap_or_else(untracked))
                .collect(),
            themes: self.themes.iter().map(digest).collect(),
            claims: self.claims.iter().map(digest).collect(),
            facets: self.facets.iter().map(digest).collect(),
            map: digest(&self.map),
            map_cells: self.map_cells.clone().unwrap_or_default(),
        };
        let previous = self.cache;
        let items = self
            .cards
            .into_iter()
            .chain(self.themes)
            .chain(self.claims)
            .chain(self.facets)
            .chain(std::iter::once(self.map));
        let by_digest = items
            .filter_map(|item| {
                let digest = item.digest?;
                let value = item
                    .value
                    .into_inner()
                    .or_else(|| previous?.by_digest.get(&digest).cloned())?;
                Some((digest, value))
            })
            .collect();
        (digests, ValueCache { by_digest })
    }
}

/// The digests of a build's items, in the order of its review.
#[derive(Clone)]
pub(super) struct Digests {
    cases: Vec<Digest>,
    cards: Vec<Digest>,
    bodies: Vec<Digest>,
    themes: Vec<Digest>,
    claims: Vec<Digest>,
    facets: Vec<Digest>,
    map: Digest,
    map_cells: Vec<Vec<Digest>>,
}

/// The last build's review (unless it was taken out to be edited) and the digests of
/// its items.
pub(super) struct Previous {
    pub(super) review: Option<Review>,
    pub(super) digests: Digests,
}

/// What this build's digests can be taken from.
pub(super) enum Baseline<'p> {
    /// Nothing: every digest is computed.
    None,
    /// The last build: an item equal to the last build's item at the same URL keeps its
    /// digest.
    Compare(&'p Review, &'p Digests),
    /// The last build's review, edited in place: only the changed items get new digests.
    Edited(&'p Digests, &'p Changed),
}

/// Digests of case studies (whole, card, body), themes and claims.
type ItemDigests = (
    Vec<Digest>,
    Vec<Digest>,
    Vec<Digest>,
    Vec<Digest>,
    Vec<Digest>,
);

/// Digests of case studies (whole, card and body), themes and claims, taken from `before`
/// for every item equal to its item of the same URL there.
fn compared_digests(review: &Review, before: Option<(&Review, &Digests)>) -> ItemDigests {
    let none = Digests {
        cases: Vec::new(),
        cards: Vec::new(),
        bodies: Vec::new(),
        themes: Vec::new(),
        claims: Vec::new(),
        facets: Vec::new(),
        map: digest_of("none", &()),
        map_cells: Vec::new(),
    };
    let (before, digests) = match before {
        Some((review, digests)) => (
            (
                &review.case_studies[..],
                &review.themes[..],
                &review.claims[..],
            ),
            digests,
        ),
        None => ((&[][..], &[][..], &[][..]), &none),
    };
    fn reuse<T: PartialEq + Sync, D: Send>(
        items: &[T],
        before: &[T],
        url: impl Fn(&T) -> &str + Sync,
        known: impl Fn(usize) -> Option<D> + Sync,
        compute: impl Fn(&T) -> D + Sync,
    ) -> Vec<D> {
        let at: HashMap<&str, usize> = before
            .iter()
            .enumerate()
            .map(|(i, t)| (url(t), i))
            .collect();
        items
            .par_iter()
            .map(|item| {
                at.get(url(item))
                    .filter(|&&j| before[j] == *item)
                    .and_then(|&j| known(j))
                    .unwrap_or_else(|| compute(item))
            })
            .collect()
    }
    let case_digests = reuse(
        &review.case_studies,
        before.0,
        |c| &c.url,
        |j| {
            Some(CaseDigests {
                whole: *digests.cases.get(j)?,
                card: *digests.cards.get(j)?,
                body: *digests.bodies.get(j)?,
            })
        },
        CaseDigests::of,
    );
    let themes = reuse(
        &review.themes,
        before.1,
        |t| &t.url,
        |j| digests.themes.get(j).copied(),
        |t| digest_of("theme", t),
    );
    let claims = reuse(
        &review.claims,
        before.2,
        |c| &c.url,
        |j| digests.claims.get(j).copied(),
        |c| digest_of("claim", c),
    );
    let cases = case_digests.iter().map(|d| d.whole).collect();
    let cards = case_digests.iter().map(|d| d.card).collect();
    let bodies = case_digests.iter().map(|d| d.body).collect();
    (cases, cards, bodies, themes, claims)
}

/// Digests after an edit to bodies: the last build's, with new ones for the changed items.
/// A card leaves the body out, so only whole case studies change.
fn edited_digests(review: &Review, digests: &Digests, changed: &Changed) -> ItemDigests {
    let mut cases = digests.cases.clone();
    let mut bodies = digests.bodies.clone();
    for &i in &changed.case_studies {
        let new = CaseDigests::of(&review.case_studies[i]);
        cases[i] = new.whole;
        bodies[i] = new.body;
    }
    let mut themes = digests.themes.clone();
    for &i in &changed.themes {
        themes[i] = digest_of("theme", &review.themes[i]);
    }
    let mut claims = digests.claims.clone();
    for &i in &changed.claims {
        claims[i] = digest_of("claim", &review.claims[i]);
    }
    (cases, digests.cards.clone(), bodies, themes, claims)
}

/// The map's digest as the map pages see it ([`MapSummary`]), and each cell's, whole.
fn map_digests(map: &EvidenceMap) -> (Digest, Vec<Vec<Digest>>) {
    let cells = map
        .cells
        .iter()
        .map(|row| row.iter().map(|cell| digest_of("map-cell", cell)).collect())
        .collect();
    (digest_of("map", &MapSummary(map)), cells)
}

/// A case study's digests: whole, as a card, and of its body.
struct CaseDigests {
    whole: Digest,
    card: Digest,
    body: Digest,
}

impl CaseDigests {
    fn of(case: &CaseStudy) -> CaseDigests {
        let card = digest_of("card", &Card(case));
        let body = digest_of("content", &case.content);
        let toc = digest_of("toc", &case.toc);
        let related = digest_of("related", &case.related);
        CaseDigests {
            whole: digest_all("case", [card, body, toc, related]),
            card,
            body,
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::bibliography::Bibliography;
    use crate::config::SiteConfig;
    use crate::diagnostics::Diagnostics;
    use crate::review::ReviewOptions;

    /// The review of the evidence fixture (`tests/testsuite/evidence/review`).
    pub(in crate::render) fn fixture_review() -> Review {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testsuite/evidence/review");
        let mut diagnostics = Diagnostics::new();
        let config = Arc::new(SiteConfig::load(&root, &mut diagnostics).unwrap());
        let mut content = crate::content::load(&root, &mut diagnostics);
        let bibliography = Bibliography::load(
            &root,
            content.bibliography.take().as_deref(),
            &mut diagnostics,
        );
        let options = ReviewOptions::default();
        let bibliography = crate::citations::Pending::Ready(bibliography);
        Review::build_model(config, content, bibliography, options, &mut diagnostics).unwrap()
    }

    /// A card must carry every field of the case study but the page-only ones, or its
    /// digest would miss a change that its value shows.
    #[test]
    fn a_card_serializes_every_field_but_the_page_only_ones() {
        let review = fixture_review();
        let case = &review.case_studies[0];
        let full = serde_json::to_value(case).unwrap();
        let card = serde_json::to_value(Card(case)).unwrap();
        let mut expected: Vec<&String> = full
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !PAGE_ONLY_FIELDS.contains(&k.as_str()))
            .collect();
        let mut got: Vec<&String> = card.as_object().unwrap().keys().collect();
        expected.sort();
        got.sort();
        assert_eq!(got, expected);
        for key in got {
            assert_eq!(card[key], full[key], "field {key}");
        }
    }

    /// Retitling a case study changes the `related` lists of the case studies related to
    /// it: their pages must be rendered again, their cards and print bodies need not be.
    #[test]
    fn related_case_studies_change_the_whole_digest_only() {
        let review = fixture_review();
        let case = review
            .case_studies
            .iter()
            .find(|c| !c.related.is_empty())
            .expect("a case study with related case studies");
        let mut unrelated = case.clone();
        unrelated.related = Arc::from(Vec::new());
        let (before, after) = (CaseDigests::of(case), CaseDigests::of(&unrelated));
        assert_ne!(before.whole, after.whole);
        assert_eq!(before.card, after.card);
        assert_eq!(before.body, after.body);
    }

    /// The map pages' `map` is the map with every cell but its list of case studies.
    #[test]
    fn the_map_summary_is_the_map_without_the_cells_lists() {
        let review = fixture_review();
        let mut full = serde_json::to_value(&review.map).unwrap();
        let mut listed = 0;
        for row in full["cells"].as_array_mut().unwrap() {
            for cell in row.as_array_mut().unwrap() {
                let removed = cell.as_object_mut().unwrap().remove("case_studies");
                listed += removed.unwrap().as_array().unwrap().len();
            }
        }
        assert!(listed > 0, "the fixture's map lists case studies");
        let summary = serde_json::to_value(MapSummary(&review.map)).unwrap();
        assert_eq!(summary, full);
    }

    #[test]
    fn a_card_value_is_the_page_value_without_the_body() {
        let review = fixture_review();
        let full = Value::from_serializable(&review.case_studies[0]);
        let card = card_of(&full);
        assert_eq!(
            card,
            Value::from_serializable(&Card(&review.case_studies[0]))
        );
    }
}
