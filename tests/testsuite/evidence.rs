//! The evidence model (contradictions, map, cross-links, facet pages) on the fixture in
//! `evidence/review/`, whose answers are known:
//!
//! - `c-contested`: supports from A and B (practitioners), a challenge from C (evaluators).
//! - `c-supported`: supports only (A practitioners, B evaluators): not contested.
//! - `c-mixed`: one mixed finding (C) and one support (D): contested by the mixed one.
//! - `c-balanced`: each side has one practitioner and one evaluator: nothing differs.
//! - Themes: t-one {A, B, C}, t-two {B, C}, t-three {D}. Stages: A develop, B and C
//!   scale, D test. B is adapted from A.

use std::path::Path;
use std::sync::OnceLock;

use crate::support::{Review, broken_links, page};

fn site() -> &'static Path {
    static SITE: OnceLock<(Review, std::path::PathBuf)> = OnceLock::new();
    let (_, site) = SITE.get_or_init(|| {
        let review = Review::fixture("evidence/review");
        let site = review.build(&[]);
        (review, site)
    });
    site
}

/// The HTML of one column (`supports`, `mixed`, `challenges`) of a claim page.
fn column<'a>(html: &'a str, stance: &str) -> &'a str {
    let start = html
        .find(&format!("class=\"column column-{stance}\""))
        .unwrap_or_else(|| panic!("no {stance} column"));
    let rest = &html[start..];
    let end = rest.find("</section>").unwrap_or(rest.len());
    &rest[..end]
}

fn claim(slug: &str) -> String {
    page(site(), &format!("claims/{slug}/index.html"))
}

#[test]
fn the_fixture_site_has_no_broken_links() {
    assert_eq!(broken_links(site()), Vec::<String>::new());
}

#[test]
fn two_supports_and_a_challenge_make_a_contested_claim_with_each_case_in_its_column() {
    let html = claim("c-contested");
    assert!(
        html.contains("The balance of evidence"),
        "contested claims show the balance"
    );
    let supports = column(&html, "supports");
    assert!(supports.contains("Case A") && supports.contains("Case B"));
    assert!(!supports.contains("Case C"));
    let challenges = column(&html, "challenges");
    assert!(challenges.contains("Case C"));
    assert!(!challenges.contains("Case A") && !challenges.contains("Case B"));
    assert!(!column(&html, "mixed").contains("Case "));
    assert!(
        html.contains("<svg class=\"harvest-plot\""),
        "the balance picture (a harvest plot) is drawn"
    );
    assert!(
        html.contains("2 findings support the claim"),
        "the picture has a text equivalent"
    );
}

#[test]
fn strongest_certainty_comes_first_in_a_column() {
    let html = claim("c-contested");
    let supports = column(&html, "supports");
    let b = supports.find("Case B").expect("B listed");
    let a = supports.find("Case A").expect("A listed");
    assert!(b < a, "B (moderate) must come before A (low)");
}

#[test]
fn a_claim_with_only_supports_is_not_contested_nor_listed() {
    let html = claim("c-supported");
    assert!(
        !html.contains("class=\"column column-supports\""),
        "no columns for an uncontested claim"
    );
    assert!(
        html.to_lowercase().contains("not contested"),
        "the page says it is not contested"
    );
    let list = page(site(), "contradictions/index.html");
    assert!(!list.contains("Claim supported"));
    assert!(
        list.contains("Claim contested")
            && list.contains("Claim mixed")
            && list.contains("Claim balanced")
    );
}

#[test]
fn a_mixed_finding_alone_makes_a_claim_contested() {
    let html = claim("c-mixed");
    assert!(column(&html, "mixed").contains("Case C"));
    assert!(column(&html, "supports").contains("Case D"));
}

#[test]
fn what_differs_names_perspective_when_the_sides_come_from_different_people() {
    let html = claim("c-contested");
    assert!(
        html.contains("By perspective: supporting findings come mostly from practitioners; challenging ones from evaluators."),
        "{}",
        &html[html.find("balance").unwrap_or(0)..][..400.min(html.len())]
    );
}

#[test]
fn what_differs_says_nothing_on_a_balanced_claim() {
    let html = claim("c-balanced");
    assert!(html.contains("The balance of evidence"));
    assert!(!html.contains("What differs between the sides"));
}

#[test]
fn contradictions_are_ordered_most_evenly_split_first() {
    let list = page(site(), "contradictions/index.html");
    let balanced = list.find("Claim balanced").expect("balanced listed");
    let contested = list.find("Claim contested").expect("contested listed");
    assert!(
        balanced < contested,
        "2 v 2 is more evenly split than 2 v 1"
    );
}

#[test]
fn map_cells_count_the_case_studies_in_them() {
    let map = page(site(), "map/index.html");
    assert!(map.contains("<table"), "the map is a real table");
    let cell = |row: &str, column: &str| page(site(), &format!("map/{row}/{column}/index.html"));
    let scale = cell("t-one", "scale");
    assert!(scale.contains("Case B") && scale.contains("Case C") && !scale.contains("Case A"));
    assert!(cell("t-one", "develop").contains("Case A"));
    assert!(cell("t-three", "test").contains("Case D"));
    assert!(
        !site().join("map/t-two/develop").exists(),
        "an empty cell has no page: it is a gap"
    );
    let t_one_scale = map
        .find("case studies: Theme one × scale")
        .expect("cell labelled with its axes");
    assert!(
        map[..t_one_scale].ends_with(">2</span><span class=\"visually-hidden\"> "),
        "the cell shows its count, 2"
    );
}

#[test]
fn related_themes_count_shared_case_studies() {
    let html = page(site(), "themes/t-one/index.html");
    let related = &html[html.find("Related themes").expect("related themes section")..];
    // Only the section itself: the page footer also holds digits and theme names.
    let related = &related[..related.find("</section>").unwrap_or(related.len())];
    assert!(related.contains("Theme two"));
    assert!(
        related.contains("Theme two</a> <span class=\"note\">shares 2 case studies</span>"),
        "t-one and t-two share two case studies: {related}"
    );
    assert!(!related.contains("Theme three"));
}

#[test]
fn theme_pages_list_their_case_studies_and_contested_claims() {
    let html = page(site(), "themes/t-two/index.html");
    assert!(html.contains("Case B") && html.contains("Case C") && !html.contains("Case D"));
    assert!(html.contains("Claim contested"));
}

#[test]
fn adapted_by_appears_on_the_source_case_study() {
    let a = page(site(), "case-studies/cs-a/index.html");
    let adapted = &a[a.find("Adapted by").expect("adapted by section")..];
    assert!(adapted.contains("href=\"../../case-studies/cs-b/\""));
    let b = page(site(), "case-studies/cs-b/index.html");
    assert!(b.contains("Adapted from"));
}

#[test]
fn related_case_studies_say_why() {
    let b = page(site(), "case-studies/cs-b/index.html");
    assert!(
        b.contains(
            "Shares 2 themes (theme one, theme two) and 2 claims (claim contested, claim balanced)."
        ),
        "C shares both themes and two claims with B"
    );
    let c = b.find("Shares 2 themes").expect("C listed");
    let a = b
        .find("Shares 1 theme (theme one) and 3 claims")
        .expect("A listed");
    assert!(
        a < c,
        "A and C score the same (4 shared links), so they are ordered by title"
    );
}

#[test]
fn facet_pages_list_exactly_the_right_case_studies() {
    let scale = page(site(), "stage/scale/index.html");
    assert!(scale.contains("Case B") && scale.contains("Case C"));
    assert!(!scale.contains("Case A") && !scale.contains("Case D"));
    let practitioners = page(site(), "perspective/practitioners/index.html");
    for case in ["Case A", "Case B", "Case D"] {
        assert!(
            practitioners.contains(case),
            "{case} has a practitioner finding"
        );
    }
    assert!(!practitioners.contains("Case C"));
}

#[test]
fn case_study_cards_carry_filter_data() {
    let index = page(site(), "case-studies/index.html");
    assert!(
        index.contains("data-stage=\"scale\""),
        "cards carry facet data for the in-browser filter"
    );
}
