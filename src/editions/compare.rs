//! Comparing this edition's data with the previous edition's snapshot.
//!
//! Case studies and claims match by slug; a finding matches by its case study, claim and
//! source, and its position among the findings that share all three. Everything is
//! compared as the plain ids the data holds, so renamed facets or values, deleted claims
//! and vanished themes show as changes (with the snapshot's own titles and labels for what
//! no longer exists), never as failures.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde::Serialize;

use crate::data::{CaseStudyData, ClaimData, FindingData, ReviewData, StanceCounts};

/// What changed between two editions: `data/changes.json`, the `/changes/` page and the
/// lines on claim and case-study pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Changes {
    /// The version of this document's shape (the data's format).
    pub format: u32,
    /// The snapshot's edition.
    pub previous_edition: Option<i64>,
    /// This edition.
    pub edition: Option<i64>,
    /// Where the previous edition is published (`[editions] previous_url`), or `""`.
    pub previous_url: String,
    pub summary: Summary,
    pub case_studies_added: Vec<CaseStudyEntry>,
    pub case_studies_updated: Vec<CaseStudyUpdate>,
    pub case_studies_removed: Vec<CaseStudyEntry>,
    pub findings_added: Vec<FindingEntry>,
    pub findings_removed: Vec<FindingEntry>,
    pub findings_changed: Vec<FindingChange>,
    pub claims_now_contested: Vec<ClaimChange>,
    pub claims_no_longer_contested: Vec<ClaimChange>,
    pub claims_shifted: Vec<ClaimChange>,
    pub claims_added: Vec<ClaimChange>,
    pub claims_removed: Vec<ClaimChange>,
}

/// How many items each section lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    pub case_studies_added: usize,
    pub case_studies_updated: usize,
    pub case_studies_removed: usize,
    pub findings_added: usize,
    pub findings_removed: usize,
    pub findings_changed: usize,
    pub claims_now_contested: usize,
    pub claims_no_longer_contested: usize,
    pub claims_shifted: usize,
    pub claims_added: usize,
    pub claims_removed: usize,
}

/// A case study that was added or removed. `url` is site-relative for one that exists in
/// this edition; for a removed one it is its page in the previous edition
/// (`previous_url` + its old URL), or `""` when `previous_url` is not set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CaseStudyEntry {
    pub slug: String,
    pub title: String,
    pub url: String,
    /// True when `url` points into this site (relative), false for the previous edition.
    pub current: bool,
}

/// A case study in both editions whose front matter or findings changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CaseStudyUpdate {
    pub slug: String,
    pub title: String,
    pub url: String,
    /// Front-matter fields that differ (`summary`, `themes`…), in schema order; findings
    /// are counted below instead.
    pub fields: Vec<String>,
    pub findings_added: usize,
    pub findings_removed: usize,
    /// Findings whose stance or certainty changed.
    pub findings_changed: usize,
    /// Findings whose other fields (note, locator, perspective, design) changed.
    pub findings_edited: usize,
    /// The edition field as it is now (for the `edition-not-bumped` warning).
    #[serde(skip)]
    pub edition: Option<i64>,
    /// What changed, as a phrase: `2 findings added; summary and themes changed`.
    pub description: String,
}

/// One finding, as the changes page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FindingEntry {
    pub case_study: Link,
    pub claim: Link,
    pub stance: String,
    /// Certainty id, and its label (from this edition's facets, else the snapshot's).
    pub certainty: Option<String>,
    pub certainty_label: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

/// A finding in both editions whose stance or certainty changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FindingChange {
    #[serde(flatten)]
    pub finding: FindingEntry,
    pub old_stance: String,
    pub old_certainty: Option<String>,
    pub old_certainty_label: Option<String>,
}

/// A link to a page of this edition (`current`), of the previous one, or to nothing
/// (`url` is `""`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Link {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub current: bool,
}

/// A claim whose balance changed, or that was added or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ClaimChange {
    pub claim: Link,
    /// Counts in the previous edition (`None` for an added claim).
    pub before: Option<StanceCounts>,
    /// Counts now (`None` for a removed claim).
    pub after: Option<StanceCounts>,
    pub was_contested: bool,
    pub contested: bool,
    /// The change as a phrase: `now contested: 3 supporting, 1 challenging; was 3 supporting`.
    pub description: String,
}

impl Changes {
    /// The same changes with links into this site rewritten by `page` (from a data URL,
    /// `case-studies/pause/`, to the site's own form, which ends in `index.html` in a
    /// portable build). `data/changes.json` keeps the data URLs.
    pub(crate) fn with_page_urls(&self, page: &dyn Fn(&str) -> String) -> Changes {
        let mut changes = self.clone();
        let link = |l: &mut Link| {
            if l.current {
                l.url = page(&l.url);
            }
        };
        let finding = |f: &mut FindingEntry| {
            link(&mut f.case_study);
            link(&mut f.claim);
        };
        for c in changes
            .case_studies_added
            .iter_mut()
            .chain(changes.case_studies_removed.iter_mut())
            .filter(|c| c.current)
        {
            c.url = page(&c.url);
        }
        for c in &mut changes.case_studies_updated {
            c.url = page(&c.url);
        }
        changes
            .findings_added
            .iter_mut()
            .chain(changes.findings_removed.iter_mut())
            .for_each(finding);
        for f in &mut changes.findings_changed {
            finding(&mut f.finding);
        }
        for c in changes
            .claims_now_contested
            .iter_mut()
            .chain(changes.claims_no_longer_contested.iter_mut())
            .chain(changes.claims_shifted.iter_mut())
            .chain(changes.claims_added.iter_mut())
            .chain(changes.claims_removed.iter_mut())
        {
            link(&mut c.claim);
        }
        changes
    }
}

/// Compares this edition's data with the previous edition's.
pub(crate) fn compare(previous: &ReviewData, current: &ReviewData, previous_url: &str) -> Changes {
    let links = Links {
        previous,
        current,
        previous_url,
    };
    let mut changes = Changes {
        format: crate::data::FORMAT,
        previous_edition: previous.review.edition,
        edition: current.review.edition,
        previous_url: previous_url.to_string(),
        summary: Summary::default(),
        case_studies_added: Vec::new(),
        case_studies_updated: Vec::new(),
        case_studies_removed: Vec::new(),
        findings_added: Vec::new(),
        findings_removed: Vec::new(),
        findings_changed: Vec::new(),
        claims_now_contested: Vec::new(),
        claims_no_longer_contested: Vec::new(),
        claims_shifted: Vec::new(),
        claims_added: Vec::new(),
        claims_removed: Vec::new(),
    };
    compare_case_studies(&links, &mut changes);
    compare_claims(&links, &mut changes);
    changes.summary = Summary {
        case_studies_added: changes.case_studies_added.len(),
        case_studies_updated: changes.case_studies_updated.len(),
        case_studies_removed: changes.case_studies_removed.len(),
        findings_added: changes.findings_added.len(),
        findings_removed: changes.findings_removed.len(),
        findings_changed: changes.findings_changed.len(),
        claims_now_contested: changes.claims_now_contested.len(),
        claims_no_longer_contested: changes.claims_no_longer_contested.len(),
        claims_shifted: changes.claims_shifted.len(),
        claims_added: changes.claims_added.len(),
        claims_removed: changes.claims_removed.len(),
    };
    changes
}

/// Titles and URLs of case studies and claims, from whichever edition has them.
struct Links<'a> {
    previous: &'a ReviewData,
    current: &'a ReviewData,
    previous_url: &'a str,
}

impl Links<'_> {
    /// The previous edition's page at `url`, or `""` when it is not published anywhere known.
    fn old_page(&self, url: &str) -> String {
        if self.previous_url.is_empty() {
            String::new()
        } else {
            format!("{}/{url}", self.previous_url.trim_end_matches('/'))
        }
    }

    fn case_study(&self, slug: &str) -> Link {
        if let Some(c) = self.current.case_study(slug) {
            return link(slug, &c.title, c.url.clone(), true);
        }
        match self.previous.case_study(slug) {
            Some(c) => link(slug, &c.title, self.old_page(&c.url), false),
            None => link(slug, slug, String::new(), false),
        }
    }

    fn claim(&self, slug: &str) -> Link {
        if let Some(c) = self.current.claim(slug) {
            return link(slug, &c.title, c.url.clone(), true);
        }
        match self.previous.claim(slug) {
            Some(c) => link(slug, &c.title, self.old_page(&c.url), false),
            None => link(slug, slug, String::new(), false),
        }
    }

    /// A facet value's label: this edition's, else the snapshot's (for a value renamed or
    /// removed since), else the id itself.
    fn label(&self, facet: &str, id: &str) -> String {
        [self.current, self.previous]
            .iter()
            .find_map(|data| {
                data.facets
                    .iter()
                    .find(|f| f.name == facet)?
                    .values
                    .iter()
                    .find(|v| v.id == id)
                    .map(|v| v.label.clone())
            })
            .unwrap_or_else(|| id.to_string())
    }

    fn finding(&self, case_study: &str, f: &FindingData) -> FindingEntry {
        FindingEntry {
            case_study: self.case_study(case_study),
            claim: self.claim(&f.claim),
            stance: f.stance.clone(),
            certainty: f.certainty.clone(),
            certainty_label: f.certainty.as_deref().map(|id| self.label("certainty", id)),
            source: f.source.clone(),
            note: f.note.clone(),
        }
    }
}

fn link(slug: &str, title: &str, url: String, current: bool) -> Link {
    Link {
        slug: slug.to_string(),
        title: title.to_string(),
        url,
        current,
    }
}

fn compare_case_studies(links: &Links, changes: &mut Changes) {
    let before: HashMap<&str, &CaseStudyData> = links
        .previous
        .case_studies
        .iter()
        .map(|c| (c.slug.as_str(), c))
        .collect();
    let now: HashSet<&str> = links
        .current
        .case_studies
        .iter()
        .map(|c| c.slug.as_str())
        .collect();
    for c in &links.current.case_studies {
        match before.get(c.slug.as_str()) {
            None => {
                changes.case_studies_added.push(CaseStudyEntry {
                    slug: c.slug.clone(),
                    title: c.title.clone(),
                    url: c.url.clone(),
                    current: true,
                });
                let added = c.findings.iter().map(|f| links.finding(&c.slug, f));
                changes.findings_added.extend(added);
            }
            Some(old) => compare_case_study(links, old, c, changes),
        }
    }
    for old in &links.previous.case_studies {
        if !now.contains(old.slug.as_str()) {
            changes.case_studies_removed.push(CaseStudyEntry {
                slug: old.slug.clone(),
                title: old.title.clone(),
                url: links.old_page(&old.url),
                current: false,
            });
            let removed = old.findings.iter().map(|f| links.finding(&old.slug, f));
            changes.findings_removed.extend(removed);
        }
    }
}

/// A finding's identity: its claim and source, and its place among those sharing both.
type FindingKey<'a> = (&'a str, Option<&'a str>, usize);

fn keyed(findings: &[FindingData]) -> IndexMap<FindingKey<'_>, &FindingData> {
    let mut seen: HashMap<(&str, Option<&str>), usize> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let base = (f.claim.as_str(), f.source.as_deref());
            let n = seen.entry(base).or_default();
            *n += 1;
            ((base.0, base.1, *n), f)
        })
        .collect()
}

fn compare_case_study(
    links: &Links,
    old: &CaseStudyData,
    new: &CaseStudyData,
    changes: &mut Changes,
) {
    let fields = changed_fields(old, new);
    let before = keyed(&old.findings);
    let after = keyed(&new.findings);
    let (mut added, mut removed, mut changed, mut edited) = (0, 0, 0, 0);
    for (key, f) in &after {
        match before.get(key) {
            None => {
                added += 1;
                changes.findings_added.push(links.finding(&new.slug, f));
            }
            Some(was) if was.stance != f.stance || was.certainty != f.certainty => {
                changed += 1;
                changes.findings_changed.push(FindingChange {
                    finding: links.finding(&new.slug, f),
                    old_stance: was.stance.clone(),
                    old_certainty: was.certainty.clone(),
                    old_certainty_label: was
                        .certainty
                        .as_deref()
                        .map(|id| links.label("certainty", id)),
                });
            }
            Some(was) if was != f => edited += 1,
            Some(_) => {}
        }
    }
    for (key, f) in &before {
        if !after.contains_key(key) {
            removed += 1;
            changes.findings_removed.push(links.finding(&old.slug, f));
        }
    }
    if fields.is_empty() && added + removed + changed + edited == 0 {
        return;
    }
    let description = update_description(&fields, added, removed, changed, edited);
    changes.case_studies_updated.push(CaseStudyUpdate {
        slug: new.slug.clone(),
        title: new.title.clone(),
        url: new.url.clone(),
        fields,
        findings_added: added,
        findings_removed: removed,
        findings_changed: changed,
        findings_edited: edited,
        edition: new.edition,
        description,
    });
}

/// Front-matter fields that differ, besides `edition` (which says when, not what) and the
/// findings (compared one by one).
fn changed_fields(old: &CaseStudyData, new: &CaseStudyData) -> Vec<String> {
    let checks: [(&str, bool); 13] = [
        ("title", old.title != new.title),
        ("summary", old.summary != new.summary),
        ("organisations", old.organisations != new.organisations),
        ("region", old.region != new.region),
        ("period", old.period != new.period),
        ("stage", old.stage != new.stage),
        ("origin", old.origin != new.origin),
        ("adapted_from", old.adapted_from != new.adapted_from),
        ("framed_as", old.framed_as != new.framed_as),
        ("themes", old.themes != new.themes),
        ("sources", old.sources != new.sources),
        ("draft", old.draft != new.draft),
        ("extra", old.extra != new.extra),
    ];
    checks
        .iter()
        .filter(|(_, differs)| *differs)
        .map(|(name, _)| name.to_string())
        .collect()
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn update_description(
    fields: &[String],
    added: usize,
    removed: usize,
    changed: usize,
    edited: usize,
) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (added, "added"),
        (removed, "removed"),
        (changed, "with a new stance or certainty"),
        (edited, "edited"),
    ] {
        if n > 0 {
            parts.push(format!("{} {what}", count(n, "finding")));
        }
    }
    if !fields.is_empty() {
        let names: Vec<String> = fields.iter().map(|f| f.replace('_', " ")).collect();
        parts.push(format!("{} changed", join_and(&names)));
    }
    parts.join("; ")
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn compare_claims(links: &Links, changes: &mut Changes) {
    let before: HashMap<&str, &ClaimData> = links
        .previous
        .claims
        .iter()
        .map(|c| (c.slug.as_str(), c))
        .collect();
    let now: HashSet<&str> = links
        .current
        .claims
        .iter()
        .map(|c| c.slug.as_str())
        .collect();
    for claim in &links.current.claims {
        let link = links.claim(&claim.slug);
        let Some(old) = before.get(claim.slug.as_str()) else {
            let description = format!("new: {}", balance(&claim.counts));
            changes.claims_added.push(ClaimChange {
                claim: link,
                before: None,
                after: Some(claim.counts),
                was_contested: false,
                contested: claim.contested,
                description,
            });
            continue;
        };
        let (list, state) = match (old.contested, claim.contested) {
            (false, true) => (&mut changes.claims_now_contested, "now contested"),
            (true, false) => (
                &mut changes.claims_no_longer_contested,
                "no longer contested",
            ),
            _ if old.counts != claim.counts => (&mut changes.claims_shifted, "balance shifted"),
            _ => continue,
        };
        list.push(ClaimChange {
            claim: link,
            before: Some(old.counts),
            after: Some(claim.counts),
            was_contested: old.contested,
            contested: claim.contested,
            description: format!(
                "{state}: {}; was {}",
                balance(&claim.counts),
                balance(&old.counts)
            ),
        });
    }
    for old in &links.previous.claims {
        if !now.contains(old.slug.as_str()) {
            changes.claims_removed.push(ClaimChange {
                claim: links.claim(&old.slug),
                before: Some(old.counts),
                after: None,
                was_contested: old.contested,
                contested: false,
                description: format!("removed; was {}", balance(&old.counts)),
            });
        }
    }
}

/// `3 supporting, 1 challenging`, or `no findings`.
pub(crate) fn balance(counts: &StanceCounts) -> String {
    let parts: Vec<String> = [
        (counts.supports, "supporting"),
        (counts.mixed, "mixed"),
        (counts.challenges, "challenging"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "no findings".to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_sharing_claim_and_source_match_by_position() {
        let f = |claim: &str, note: &str| FindingData {
            claim: claim.to_string(),
            stance: "supports".to_string(),
            perspective: None,
            design: None,
            certainty: None,
            source: Some("s".to_string()),
            locator: None,
            note: Some(note.to_string()),
        };
        let findings = vec![f("a", "one"), f("b", "two"), f("a", "three")];
        let keys: Vec<FindingKey> = keyed(&findings).keys().copied().collect();
        assert_eq!(
            keys,
            vec![
                ("a", Some("s"), 1),
                ("b", Some("s"), 1),
                ("a", Some("s"), 2)
            ]
        );
    }

    #[test]
    fn balance_reads_as_a_phrase() {
        let counts = StanceCounts {
            supports: 3,
            mixed: 0,
            challenges: 1,
            total: 4,
        };
        assert_eq!(balance(&counts), "3 supporting, 1 challenging");
        assert_eq!(balance(&StanceCounts::default()), "no findings");
        assert_eq!(
            join_and(&["a".into(), "b".into(), "c".into()]),
            "a, b and c"
        );
    }
}
