//! Contradictions: findings grouped by claim and laid out by side.
//!
//! A claim is contested when it has findings on both sides (supports and challenges) or any
//! mixed one. For each claim this module sorts findings strongest first, counts the sides,
//! says what differs between the sides (perspective, design, region, time) when the data
//! shows it, and puts the balance in a sentence. The picture of the balance is drawn by the
//! theme (`balance_picture` in the default theme's components) from these numbers.

use crate::config::SiteConfig;
use crate::content::schema::Stance;

use crate::shared::Shared;

use super::model::{CaseStudy, Claim, Columns, Counts, FacetValue, Finding};

/// Gives every claim its findings, columns, counts, differences and balance sentence.
pub(super) fn attach_findings(
    claims: &mut [Claim],
    case_studies: &[CaseStudy],
    config: &SiteConfig,
) {
    let mut per_claim: Vec<Vec<Shared<Finding>>> = vec![Vec::new(); claims.len()];
    for case in case_studies {
        for finding in &case.findings {
            per_claim[finding.claim_index].push(finding.clone());
        }
    }
    for (claim, mut findings) in claims.iter_mut().zip(per_claim) {
        findings.sort_by(|a, b| {
            (a.certainty_rank, &a.case_study.title).cmp(&(b.certainty_rank, &b.case_study.title))
        });
        let columns = split_columns(&findings);
        let counts = Counts {
            supports: columns.supports.len(),
            mixed: columns.mixed.len(),
            challenges: columns.challenges.len(),
            total: findings.len(),
        };
        claim.contested = is_contested(counts);
        claim.differences = if claim.contested {
            differences(&columns.supports, &columns.challenges)
        } else {
            Vec::new()
        };
        claim.balance_text = balance_text(&columns, config);
        claim.best_certainty = findings
            .iter()
            .map(|f| f.certainty_rank)
            .min()
            .unwrap_or(usize::MAX);
        claim.counts = counts;
        claim.columns = columns;
        claim.findings = findings;
    }
}

/// Contested: at least one finding on each side, or any mixed one.
pub(super) fn is_contested(counts: Counts) -> bool {
    (counts.supports > 0 && counts.challenges > 0) || counts.mixed > 0
}

fn split_columns(findings: &[Shared<Finding>]) -> Columns {
    let mut columns = Columns::default();
    for f in findings {
        match f.stance {
            Stance::Supports => columns.supports.push(f.clone()),
            Stance::Mixed => columns.mixed.push(f.clone()),
            Stance::Challenges => columns.challenges.push(f.clone()),
        }
    }
    columns
}

/// Indexes of contested claims, most evenly split first, then best evidenced, then most.
pub(super) fn rank_contested(claims: &[Claim]) -> Vec<usize> {
    let mut contested: Vec<usize> = (0..claims.len()).filter(|&i| claims[i].contested).collect();
    contested.sort_by(|&a, &b| {
        let (ca, cb) = (&claims[a], &claims[b]);
        evenness(cb.counts)
            .total_cmp(&evenness(ca.counts))
            .then(ca.best_certainty.cmp(&cb.best_certainty))
            .then(cb.counts.total.cmp(&ca.counts.total))
            .then(ca.title.cmp(&cb.title))
    });
    contested
}

/// 1.0 when the sides are level, towards 0 when one side dominates. Mixed findings count
/// half to each side.
fn evenness(c: Counts) -> f64 {
    let supports = c.supports as f64 + c.mixed as f64 / 2.0;
    let challenges = c.challenges as f64 + c.mixed as f64 / 2.0;
    let total = supports + challenges;
    if total == 0.0 {
        0.0
    } else {
        1.0 - (supports - challenges).abs() / total
    }
}

/// How far apart two distributions must be (total variation distance) to be worth saying:
/// at least this fraction, as numerator and denominator.
const NOTABLE_DIFFERENCE: (u64, u64) = (1, 2);
/// How many years apart the sides' median years must be.
const NOTABLE_YEARS: i32 = 3;

/// Reads one facet of a finding.
type FacetOf = fn(&Finding) -> Option<&FacetValue>;

/// Sentences naming what differs between supporting and challenging findings.
pub(super) fn differences(
    supports: &[Shared<Finding>],
    challenges: &[Shared<Finding>],
) -> Vec<String> {
    if supports.is_empty() || challenges.is_empty() {
        return Vec::new();
    }
    let dimensions: [(&str, FacetOf); 3] = [
        ("perspective", |f| f.perspective.as_deref()),
        ("design", |f| f.design.as_deref()),
        ("region", |f| f.region.as_deref()),
    ];
    let mut sentences: Vec<String> = dimensions
        .iter()
        .filter_map(|(name, get)| facet_difference(name, supports, challenges, *get))
        .collect();
    sentences.extend(year_difference(supports, challenges));
    sentences
}

fn facet_difference(
    name: &str,
    supports: &[Shared<Finding>],
    challenges: &[Shared<Finding>],
    get: fn(&Finding) -> Option<&FacetValue>,
) -> Option<String> {
    let s = Distribution::of(supports.iter().filter_map(|f| get(f)));
    let c = Distribution::of(challenges.iter().filter_map(|f| get(f)));
    if s.total == 0 || c.total == 0 || !differs_notably(&s, &c) {
        return None;
    }
    // Regions are names: they keep their capitals.
    let keep_case = name == "region";
    Some(format!(
        "By {name}: supporting findings come mostly from {}; challenging ones from {}.",
        main_values(&s, keep_case),
        main_values(&c, keep_case)
    ))
}

/// How often each value (by label) occurs on one side, in order of first appearance.
struct Distribution {
    counts: Vec<(String, u64)>,
    total: u64,
}

impl Distribution {
    fn of<'a>(values: impl Iterator<Item = &'a FacetValue>) -> Distribution {
        let mut counts: Vec<(String, u64)> = Vec::new();
        let mut total = 0;
        for v in values {
            total += 1;
            match counts.iter_mut().find(|(label, _)| *label == v.label) {
                Some((_, n)) => *n += 1,
                None => counts.push((v.label.clone(), 1)),
            }
        }
        Distribution { counts, total }
    }

    fn count(&self, label: &str) -> u64 {
        self.counts
            .iter()
            .find(|(l, _)| l == label)
            .map_or(0, |(_, n)| *n)
    }
}

/// Whether the total variation distance between two sides is at least
/// [`NOTABLE_DIFFERENCE`]. Worked in whole numbers, so that the same findings always give
/// the same answer: summed as floating-point shares, a distance of exactly one half came
/// out as 0.5 or 0.49999999999999994 depending on the order of the terms, which a hash
/// map changed from run to run.
fn differs_notably(a: &Distribution, b: &Distribution) -> bool {
    // TV = Σ |a_i/A − b_i/B| / 2 ≥ n/d  ⇔  d · Σ |a_i·B − b_i·A| ≥ 2 · n · A · B.
    let labels = a.counts.iter().map(|(l, _)| l.as_str()).chain(
        b.counts
            .iter()
            .map(|(l, _)| l.as_str())
            .filter(|l| a.count(l) == 0),
    );
    let apart: u64 = labels
        .map(|l| (a.count(l) * b.total).abs_diff(b.count(l) * a.total))
        .sum();
    let (n, d) = NOTABLE_DIFFERENCE;
    d * apart >= 2 * n * a.total * b.total
}

/// The values that make up at least a third of a side, most common first.
fn main_values(dist: &Distribution, keep_case: bool) -> String {
    let in_sentence = |label: &str| {
        if keep_case {
            label.to_string()
        } else {
            in_sentence(label)
        }
    };
    let mut sorted: Vec<&(String, u64)> = dist.counts.iter().collect();
    sorted.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let main: Vec<String> = sorted
        .iter()
        .filter(|(_, n)| n * 3 >= dist.total)
        .map(|(label, _)| in_sentence(label))
        .collect();
    let main = if main.is_empty() {
        vec![in_sentence(&sorted[0].0)]
    } else {
        main
    };
    join_and(&main)
}

/// A label as it reads inside a sentence: "Independent evaluators" becomes "independent
/// evaluators", but names ("East of England") and acronyms keep their capitals.
fn in_sentence(label: &str) -> String {
    let mut words = label.split(' ');
    let first = words.next().unwrap_or("");
    let is_plain_word = first.chars().skip(1).all(|c| !c.is_uppercase());
    let rest_lower = label
        .split(' ')
        .skip(1)
        .all(|w| w.chars().all(|c| !c.is_uppercase()));
    if is_plain_word && rest_lower {
        label.to_lowercase()
    } else {
        label.to_string()
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn year_difference(supports: &[Shared<Finding>], challenges: &[Shared<Finding>]) -> Option<String> {
    let s = median(supports.iter().filter_map(|f| f.year).collect())?;
    let c = median(challenges.iter().filter_map(|f| f.year).collect())?;
    ((s - c).abs() >= NOTABLE_YEARS).then(|| {
        format!("By time: supporting evidence dates from around {s}; challenging evidence from around {c}.")
    })
}

fn median(mut years: Vec<i32>) -> Option<i32> {
    years.sort_unstable();
    years.get(years.len() / 2).copied()
}

/// The balance as a sentence, for screen readers and print.
fn balance_text(columns: &Columns, config: &SiteConfig) -> String {
    let part = |n: usize, verb_one: &str, verb_many: &str, findings: &[Shared<Finding>]| {
        let verb = if n == 1 { verb_one } else { verb_many };
        let word = if n == 1 { "finding" } else { "findings" };
        let breakdown = certainty_breakdown(findings, config);
        if breakdown.is_empty() {
            format!("{n} {word} {verb}")
        } else {
            format!("{n} {word} {verb} ({breakdown})")
        }
    };
    format!(
        "{}; {}; {}.",
        part(
            columns.supports.len(),
            "supports the claim",
            "support the claim",
            &columns.supports
        ),
        part(columns.mixed.len(), "is mixed", "are mixed", &columns.mixed),
        part(
            columns.challenges.len(),
            "challenges it",
            "challenge it",
            &columns.challenges
        )
    )
}

fn certainty_breakdown(findings: &[Shared<Finding>], config: &SiteConfig) -> String {
    let mut counts: Vec<(usize, String, usize)> = Vec::new();
    for f in findings {
        let label = f
            .certainty
            .as_ref()
            .map_or_else(|| "unrated".to_string(), |c| c.label.to_lowercase());
        match counts.iter_mut().find(|(_, l, _)| *l == label) {
            Some((_, _, n)) => *n += 1,
            None => counts.push((f.certainty_rank, label, 1)),
        }
    }
    counts.sort();
    let _ = config;
    let parts: Vec<String> = counts
        .iter()
        .map(|(_, label, n)| format!("{n} {label} certainty"))
        .collect();
    parts.join(", ")
}

/// How strong a certainty rank is, for pictures: 1.0 for the strongest certainty, falling
/// towards 0 for the weakest; 0 when unrated.
pub(super) fn strength(rank: usize, config: &SiteConfig) -> f64 {
    let levels = config
        .facet("certainty")
        .map_or(4, |f| f.values.len().max(1));
    if rank >= levels {
        0.0
    } else {
        1.0 - rank as f64 / levels as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::model::PageRef;

    fn value(facet: &str, id: &str) -> Shared<FacetValue> {
        Shared::new(FacetValue {
            facet: facet.into(),
            facet_label: facet.into(),
            id: id.into(),
            label: id.into(),
            description: String::new(),
            slug: id.into(),
            url: String::new(),
            position: None,
        })
    }

    fn finding(stance: Stance, perspective: &str, design: &str) -> Shared<Finding> {
        let r = Shared::new(PageRef {
            slug: "x".into(),
            url: "x/".into(),
            title: "X".into(),
        });
        Shared::new(Finding {
            claim: r.clone(),
            case_study: r,
            stance,
            stance_label: stance.label(),
            perspective: Some(value("perspective", perspective)),
            design: Some(value("design", design)),
            certainty: None,
            certainty_rank: usize::MAX,
            strength: 0.0,
            source: None,
            citation: String::new(),
            locator: String::new(),
            note: String::new(),
            claim_index: 0,
            case_index: 0,
            year: Some(2018),
            region: None,
        })
    }

    #[test]
    fn contested_rules() {
        let c = |supports, mixed, challenges| Counts {
            supports,
            mixed,
            challenges,
            total: supports + mixed + challenges,
        };
        assert!(is_contested(c(2, 0, 1)));
        assert!(is_contested(c(0, 1, 0)));
        assert!(!is_contested(c(3, 0, 0)));
    }

    #[test]
    fn names_perspective_when_sides_differ() {
        let s = [
            finding(Stance::Supports, "practitioners", "qed"),
            finding(Stance::Supports, "practitioners", "rct"),
        ];
        let c = [
            finding(Stance::Challenges, "evaluators", "qed"),
            finding(Stance::Challenges, "evaluators", "rct"),
        ];
        let d = differences(&s, &c);
        assert_eq!(d, vec!["By perspective: supporting findings come mostly from practitioners; challenging ones from evaluators.".to_string()]);
    }

    #[test]
    fn a_difference_of_exactly_one_half_is_named_every_time() {
        // Shares 0, 0, 1 against 1/6, 2/6, 3/6: a distance of exactly one half, which
        // floating-point sums put at 0.5 or just under it depending on their order.
        let s = [finding(Stance::Supports, "practitioners", "rct")];
        let c = [
            finding(Stance::Challenges, "practitioners", "case study"),
            finding(Stance::Challenges, "practitioners", "qed"),
            finding(Stance::Challenges, "practitioners", "qed"),
            finding(Stance::Challenges, "practitioners", "rct"),
            finding(Stance::Challenges, "practitioners", "rct"),
            finding(Stance::Challenges, "practitioners", "rct"),
        ];
        let expected = vec![
            "By design: supporting findings come mostly from rct; challenging ones from rct and qed."
                .to_string(),
        ];
        for _ in 0..20 {
            assert_eq!(differences(&s, &c), expected);
        }
    }

    #[test]
    fn says_nothing_when_balanced() {
        let s = [
            finding(Stance::Supports, "practitioners", "qed"),
            finding(Stance::Supports, "evaluators", "rct"),
        ];
        let c = [
            finding(Stance::Challenges, "evaluators", "rct"),
            finding(Stance::Challenges, "practitioners", "qed"),
        ];
        assert!(differences(&s, &c).is_empty());
    }
}
