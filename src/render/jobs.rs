//! The pages a review has, and what each page's template is given.
//!
//! A [`PageJob`] names a page's URL, template and variables. Large variables are named by
//! index into the review ([`Var`]), not converted, so that a page's inputs can be digested
//! and compared with the previous build before anything is converted or rendered.

use tera::{Context, Value};

use super::values::{Digest, Values, digest_all, digest_of, template_value};
use crate::editions::Edition;
use crate::review::{FacetValueCount, Review, map};

/// One variable of a page's template context.
#[derive(Clone)]
pub(super) enum Var {
    /// A case study, whole (its own page).
    Case(usize),
    /// Case studies as cards, in this order.
    Cards(Vec<usize>),
    Theme(usize),
    /// Every theme, in order.
    AllThemes,
    Claim(usize),
    /// Claims, in this order.
    Claims(Vec<usize>),
    Facet(usize),
    Map,
    /// One cell of the evidence map, by row and column, whole: with its case studies, which
    /// the map itself leaves out (see `values::MapSummary`).
    MapCell(usize, usize),
    /// A part of the printable review's case-study bodies, rewritten when rendered.
    Print(std::sync::Arc<super::print::PartBodies>),
    /// A small value made for this page.
    Plain(Value),
    /// A value made for this page with its digest, made once with it (see
    /// `publish_cache`), so that it is not digested again on every render.
    Digested(Value, Digest),
}

impl Var {
    fn value(&self, values: &Values) -> Value {
        let list = |items: &mut dyn Iterator<Item = Value>| Value::from(items.collect::<Vec<_>>());
        match self {
            Var::Case(i) => values.case(*i),
            Var::Cards(ids) => list(&mut ids.iter().map(|&i| values.card(i))),
            Var::Theme(i) => values.theme(*i),
            Var::AllThemes => list(&mut (0..values.theme_count()).map(|i| values.theme(i))),
            Var::Claim(i) => values.claim(*i),
            Var::Claims(ids) => list(&mut ids.iter().map(|&i| values.claim(i))),
            Var::Facet(i) => values.facet(*i),
            Var::Map => values.map(),
            Var::MapCell(r, c) => template_value(&values.review().map.cells[*r][*c]),
            Var::Print(bodies) => bodies.value(values.review()),
            Var::Plain(value) | Var::Digested(value, _) => value.clone(),
        }
    }

    /// The digest of this variable's value; `None` when values carry no digests.
    fn digest(&self, values: &Values) -> Option<Digest> {
        let all = |tag: &str, digests: Option<Vec<Digest>>| Some(digest_all(tag, digests?));
        match self {
            Var::Case(i) => values.case_digest(*i),
            Var::Cards(ids) => all(
                "cards",
                ids.iter().map(|&i| values.card_digest(i)).collect(),
            ),
            Var::Theme(i) => values.theme_digest(*i),
            Var::AllThemes => all(
                "themes",
                (0..values.theme_count())
                    .map(|i| values.theme_digest(i))
                    .collect(),
            ),
            Var::Claim(i) => values.claim_digest(*i),
            Var::Claims(ids) => all(
                "claims",
                ids.iter().map(|&i| values.claim_digest(i)).collect(),
            ),
            Var::Facet(i) => values.facet_digest(*i),
            Var::Map => values.map_digest(),
            Var::MapCell(r, c) => values.map_cell_digest(*r, *c),
            Var::Print(bodies) => bodies.digest(values),
            Var::Plain(value) => Some(digest_of("plain", value)),
            Var::Digested(_, digest) => Some(*digest),
        }
    }
}

/// In [`PageJob::weight`], what a case study's body in a print part counts for against a
/// card.
const CASE_WEIGHT: usize = 10;
/// In [`PageJob::weight`], what a claim with its findings counts for against a card.
const CLAIM_WEIGHT: usize = 50;

/// One page to render: its URL, template and own variables.
pub(super) struct PageJob {
    pub(super) url: String,
    pub(super) template: &'static str,
    pub(super) section: &'static str,
    pub(super) title: String,
    pub(super) vars: Vec<(&'static str, Var)>,
}

impl PageJob {
    pub(super) fn new(
        url: String,
        template: &'static str,
        section: &'static str,
        title: &str,
        vars: Vec<(&'static str, Var)>,
    ) -> PageJob {
        PageJob {
            url,
            template,
            section,
            title: title.to_string(),
            vars,
        }
    }

    /// A rough measure of how long the page takes to render: how many items its lists
    /// hold, a claim (shown with its findings) or a whole case study counting for more
    /// than a card.
    pub(super) fn weight(&self) -> usize {
        self.vars
            .iter()
            .map(|(_, var)| match var {
                Var::Cards(ids) => ids.len(),
                Var::Print(bodies) => bodies.len() * CASE_WEIGHT,
                Var::Claims(ids) => ids.len() * CLAIM_WEIGHT,
                _ => 0,
            })
            .sum()
    }

    /// The page's own variables as template values.
    pub(super) fn insert_vars(&self, context: &mut Context, values: &Values) {
        for (key, var) in &self.vars {
            context.insert_value(*key, var.value(values));
        }
    }

    /// A digest of everything this page's output depends on besides the templates and the
    /// global context: its URL, template, section, title and every variable. One hasher
    /// takes the strings directly, each after its length (so that `ab`,`c` and `a`,`bc`
    /// differ), because `serve` digests every page on every edit.
    pub(super) fn digest(&self, values: &Values) -> Option<Digest> {
        let mut hasher = blake3::Hasher::new();
        for text in ["page", &self.url, self.template, self.section, &self.title] {
            hash_text(&mut hasher, text);
        }
        for (key, var) in &self.vars {
            hash_text(&mut hasher, key);
            hasher.update(var.digest(values)?.as_bytes());
        }
        Some(hasher.finalize())
    }
}

/// Feeds `text` to `hasher` after its length.
fn hash_text(hasher: &mut blake3::Hasher, text: &str) {
    hasher.update(&(text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

/// `site`, `nav`, `counts`, `editions` and `index_file`: the same on every page.
pub(super) fn global_context(review: &Review, edition: &Edition) -> serde_json::Value {
    let style = review.url_style;
    let config = &review.config;
    serde_json::json!({
        "site": {
            "title": config.title,
            "description": config.description,
            "base_url": config.base_url,
            "language": config.language,
            "edition": config.edition,
            "facets": review.facets,
            "map": config.map,
            "publication": publication_value(config),
        },
        "nav": {
            "home": style.page(""),
            "case_studies": style.page("case-studies"),
            "themes": style.page("themes"),
            "claims": style.page("claims"),
            "contradictions": style.page("contradictions"),
            "map": style.page("map"),
            "references": style.page("references"),
            "print": style.page("print"),
            "feed": if config.base_url.is_empty() { "" } else { "atom.xml" },
            "search": if config.search.enabled { style.page("search") } else { String::new() },
            "data": style.page("data"),
            "changes": if edition.changes.is_some() { style.page("changes") } else { String::new() },
        },
        "editions": edition.template_value(config),
        "counts": {
            "case_studies": review.case_studies.len(),
            "themes": review.themes.len(),
            "claims": review.claims.len(),
            "contested": review.contested.len(),
            "findings": review.finding_count(),
        },
        "index_file": if style.portable { "index.html" } else { "" },
    })
}

/// `site.publication`: `[publication]` as written, with `date` falling back to the edition.
fn publication_value(config: &crate::config::SiteConfig) -> serde_json::Value {
    let mut value = serde_json::to_value(&config.publication).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        let date = config
            .publication
            .effective_date(config.edition)
            .map(|d| d.iso());
        map.insert("date".to_string(), date.into());
    }
    value
}

/// How many contested claims the home page shows.
const HOME_CONTESTED: usize = 3;

/// How many of the review's case studies the edition comparison lists as added or updated
/// (those with an entry in `editions.case_studies`). A template could count them itself,
/// but a loop over 10,000 case studies took longer than the rest of the page.
fn changed_count(review: &Review, edition: &Edition) -> usize {
    let Some(changes) = &edition.changes else {
        return 0;
    };
    let changed: std::collections::HashSet<&str> = changes
        .case_studies_added
        .iter()
        .map(|c| c.slug.as_str())
        .chain(changes.case_studies_updated.iter().map(|c| c.slug.as_str()))
        .collect();
    review
        .case_studies
        .iter()
        .filter(|c| changed.contains(c.slug.as_str()))
        .count()
}

/// Every page of the review, in a fixed order.
pub(super) fn page_jobs(review: &Review, edition: &Edition) -> Vec<PageJob> {
    let style = review.url_style;
    let mut jobs = Vec::new();
    let plain = |value: Value| Var::Plain(value);

    let home_page = review.home.as_ref().map_or(Value::none(), template_value);
    let recent: Vec<Value> = review
        .case_studies
        .iter()
        .filter(|c| c.is_new)
        .map(|c| template_value(&c.page_ref()))
        .collect();
    let home_title = review
        .home
        .as_ref()
        .map_or(review.config.title.as_str(), |p| p.title.as_str());
    jobs.push(PageJob::new(
        style.page(""),
        "index.html",
        "home",
        home_title,
        vec![
            ("page", plain(home_page)),
            (
                "contested",
                Var::Claims(
                    review
                        .contested
                        .iter()
                        .copied()
                        .take(HOME_CONTESTED)
                        .collect(),
                ),
            ),
            ("recent", plain(Value::from(recent))),
        ],
    ));

    jobs.push(PageJob::new(
        style.page("case-studies"),
        "case-studies.html",
        "case-studies",
        "Case studies",
        vec![
            (
                "case_studies",
                Var::Cards((0..review.case_studies.len()).collect()),
            ),
            ("filters", plain(filters(review))),
            (
                "new_count",
                plain(Value::from(
                    review.case_studies.iter().filter(|c| c.is_new).count(),
                )),
            ),
            (
                "changed_count",
                plain(Value::from(changed_count(review, edition))),
            ),
        ],
    ));
    for (i, c) in review.case_studies.iter().enumerate() {
        jobs.push(PageJob::new(
            c.url.clone(),
            "case-study.html",
            "case-studies",
            &c.title,
            vec![("case_study", Var::Case(i))],
        ));
    }
    jobs.push(PageJob::new(
        style.page("themes"),
        "themes.html",
        "themes",
        "Themes",
        vec![("themes", Var::AllThemes)],
    ));
    for (i, t) in review.themes.iter().enumerate() {
        jobs.push(PageJob::new(
            t.url.clone(),
            "theme.html",
            "themes",
            &t.title,
            vec![("theme", Var::Theme(i))],
        ));
    }
    jobs.push(PageJob::new(
        style.page("claims"),
        "claims.html",
        "claims",
        "Claims",
        vec![("claims", Var::Claims((0..review.claims.len()).collect()))],
    ));
    for (i, c) in review.claims.iter().enumerate() {
        jobs.push(PageJob::new(
            c.url.clone(),
            "claim.html",
            "claims",
            &c.title,
            vec![("claim", Var::Claim(i))],
        ));
    }
    jobs.push(PageJob::new(
        style.page("contradictions"),
        "contradictions.html",
        "contradictions",
        "Contradictions",
        vec![("contested", Var::Claims(review.contested.clone()))],
    ));
    jobs.extend(map_jobs(review));
    jobs.extend(facet_jobs(review));
    for page in &review.pages {
        jobs.push(PageJob::new(
            page.url.clone(),
            "page.html",
            "page",
            &page.title,
            vec![("page", plain(template_value(page)))],
        ));
    }
    jobs.extend(super::edition_jobs::jobs(review, edition));
    if review.config.search.enabled {
        jobs.push(PageJob::new(
            style.page("search"),
            "search.html",
            "search",
            "Search",
            Vec::new(),
        ));
    }
    jobs.push(PageJob::new(
        "404.html".to_string(),
        "404.html",
        "404",
        "Page not found",
        Vec::new(),
    ));
    jobs
}

fn map_jobs(review: &Review) -> Vec<PageJob> {
    let style = review.url_style;
    let m = &review.map;
    let mut jobs = vec![PageJob::new(
        style.page("map"),
        "map.html",
        "map",
        "Evidence map",
        vec![("map", Var::Map)],
    )];
    for (r, row) in m.row_values.iter().enumerate() {
        for (c, column) in m.column_values.iter().enumerate() {
            let cell = &m.cells[r][c];
            if cell.count == 0 {
                continue;
            }
            jobs.push(PageJob::new(
                style.page(&map::cell_dir(row, column)),
                "map-cell.html",
                "map",
                &format!("{} × {}", row.label, column.label),
                vec![
                    ("map", Var::Map),
                    ("cell", Var::MapCell(r, c)),
                    ("row", Var::Plain(template_value(row))),
                    ("column", Var::Plain(template_value(column))),
                    ("case_studies", Var::Cards(review.map_members[r][c].clone())),
                ],
            ));
        }
    }
    jobs
}

fn facet_jobs(review: &Review) -> Vec<PageJob> {
    let mut jobs = Vec::new();
    for (f, facet) in review.facets.iter().enumerate() {
        jobs.push(PageJob::new(
            facet.url.clone(),
            "facet.html",
            "facets",
            &facet.label,
            vec![("facet", Var::Facet(f))],
        ));
        for (v, value) in facet.values.iter().enumerate() {
            jobs.push(PageJob::new(
                value.value.url.clone(),
                "facet-value.html",
                "facets",
                &format!("{}: {}", facet.label, value.value.label),
                vec![
                    ("facet", Var::Facet(f)),
                    ("value", Var::Plain(template_value(&value.value))),
                    (
                        "case_studies",
                        Var::Cards(review.facet_members[f][v].clone()),
                    ),
                ],
            ));
        }
    }
    jobs
}

/// Facets that case studies can be filtered by: only values in use, plus "new".
fn filters(review: &Review) -> Value {
    let in_use: Vec<serde_json::Value> = review
        .facets
        .iter()
        .filter_map(|facet| {
            let values: Vec<&FacetValueCount> =
                facet.values.iter().filter(|v| v.count > 0).collect();
            (!values.is_empty()).then(|| {
                serde_json::json!({
                    "name": facet.name,
                    "label": facet.label,
                    "description": facet.description,
                    "url": facet.url,
                    "values": values,
                })
            })
        })
        .collect();
    template_value(&in_use)
}
