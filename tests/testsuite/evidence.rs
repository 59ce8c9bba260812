//! The evidence model (contradictions, map, cross-links, facet pages) on the fixture in
//! `evidence/review/`, whose answers are known:
//!
//! - `c-contested`: supports from A and B (practitioners), a challenge from C (evaluators).
//! - `c-supported`: supports only (A practitioners, B evaluators): not contested.
//! - `c-mixed`: one mixed finding (C) and one support (D): contested by the mixed one.
//! - `c-balanced`: each side has one practitioner and one evaluator: nothing differs.
//! - Themes: t-one {A, B, C}, t-two {B, C}, t-three {D}. Stages: A develop, B and C
//!   scale, D test. B is adapted from A, and new in this edition.
//!
//! It also has a home page, a content page (`about.md`) and search, so that every kind of
//! page tessera writes is here: the snapshot tests at the end compare the main content of
//! one page of each kind with `snapshots/testsuite__evidence__*.snap` (see the README,
//! "Development", for how to review and accept a change).

use std::path::Path;
use std::sync::OnceLock;

use crate::support::{Review, broken_links, main_element, page};

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
    let titles: Vec<&str> = list
        .split("<h2 class=\"card-title\">")
        .skip(1)
        .filter_map(|card| card.split("</a>").next()?.rsplit('>').next())
        .collect();
    // 2 v 2 is level; 2 v 1 is more evenly split than 1 support and 1 mixed (a mixed
    // finding counts half to each side: 1.5 v 0.5); the supported-only claim is not listed.
    assert_eq!(titles, ["Claim balanced", "Claim contested", "Claim mixed"]);
}

#[test]
fn map_cells_count_the_case_studies_in_them() {
    let map = page(site(), "map/index.html");
    assert!(map.contains("<table"), "the map is a real table");
    // Every cell, row by row, as a screen reader announces it (counts, and gaps).
    let cells: Vec<String> = map
        .split("<td class=\"cell")
        .skip(1)
        .map(|cell| {
            let cell = &cell[..cell.find("</td>").expect("cell ends")];
            let count = cell
                .split("<span class=\"cell-count\">")
                .nth(1)
                .and_then(|rest| rest.split('<').next())
                .unwrap_or("gap");
            let label = cell
                .split("<span class=\"visually-hidden\">")
                .nth(1)
                .and_then(|rest| rest.split('<').next())
                .expect("every cell has a label");
            format!("{count}:{}", label.trim())
        })
        .collect();
    assert_eq!(
        cells,
        [
            "1:case study: Theme one × develop, best certainty",
            "gap:No case studies: Theme one × test",
            "2:case studies: Theme one × scale, best certainty",
            "gap:No case studies: Theme three × develop",
            "1:case study: Theme three × test, best certainty",
            "gap:No case studies: Theme three × scale",
            "gap:No case studies: Theme two × develop",
            "gap:No case studies: Theme two × test",
            "2:case studies: Theme two × scale, best certainty",
        ]
    );
    let cell = |row: &str, column: &str| page(site(), &format!("map/{row}/{column}/index.html"));
    let scale = cell("t-one", "scale");
    assert!(scale.contains("Case B") && scale.contains("Case C") && !scale.contains("Case A"));
    assert!(cell("t-one", "develop").contains("Case A"));
    assert!(cell("t-three", "test").contains("Case D"));
    assert!(
        !site().join("map/t-two/develop").exists(),
        "an empty cell has no page: it is a gap"
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
    assert!(
        a.contains(
            "<dt data-pagefind-ignore>Adapted by</dt><dd><ul class=\"inline-list\">\
             <li><a href=\"../../case-studies/cs-b/\">Case B</a></li></ul></dd>"
        ),
        "A lists B, and only B, as adapted from it"
    );
    assert!(!a.contains("Adapted from"), "A is adapted from nothing");
    let b = page(site(), "case-studies/cs-b/index.html");
    assert!(b.contains(
        "<dt data-pagefind-ignore>Adapted from</dt><dd><a href=\"../../case-studies/cs-a/\">Case A</a></dd>"
    ));
    assert!(!b.contains("Adapted by"), "nothing is adapted from B");
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
    // One card per case study, by title, each with every facet value it has (those of its
    // findings in front-matter order), for the in-browser filter; only B is new.
    let cards: Vec<&str> = index
        .match_indices("<article class=\"card case-card\"")
        .map(|(at, _)| &index[at..at + index[at..].find('>').expect("tag ends") + 1])
        .collect();
    let card = |attributes: &str| {
        format!("<article class=\"card case-card\" data-filter-item {attributes}>")
    };
    assert_eq!(
        cards,
        [
            card(
                "data-stage=\"develop\" data-perspective=\"practitioners\" data-certainty=\"low moderate\""
            ),
            card(
                "data-stage=\"scale\" data-perspective=\"practitioners evaluators\" data-certainty=\"moderate high\" data-new=\"true\""
            ),
            card(
                "data-stage=\"scale\" data-perspective=\"evaluators\" data-certainty=\"high low moderate\""
            ),
            card(
                "data-stage=\"test\" data-perspective=\"practitioners\" data-certainty=\"moderate low\""
            ),
        ]
    );
}

// ---- Snapshots: what the reader sees, one page of each kind ----

/// Compares the `<main>` element of a page of the fixture site with its snapshot.
fn assert_main_snapshot(name: &str, relative: &str) {
    let html = page(site(), relative);
    insta::with_settings!({ description => relative, omit_expression => true }, {
        insta::assert_snapshot!(name, main_element(&html, relative));
    });
}

macro_rules! page_snapshots {
    ($($test:ident => $page:literal,)*) => {
        $(
            #[test]
            fn $test() {
                assert_main_snapshot(stringify!($test), $page);
            }
        )*
    };
}

page_snapshots! {
    page_home => "index.html",
    page_case_studies => "case-studies/index.html",
    page_case_study => "case-studies/cs-b/index.html",
    page_themes => "themes/index.html",
    page_theme => "themes/t-one/index.html",
    page_claims => "claims/index.html",
    page_claim => "claims/c-supported/index.html",
    page_claim_contested => "claims/c-contested/index.html",
    page_claim_mixed => "claims/c-mixed/index.html",
    page_contradictions => "contradictions/index.html",
    page_map => "map/index.html",
    page_map_cell => "map/t-one/scale/index.html",
    page_facet => "stage/index.html",
    page_facet_value => "stage/scale/index.html",
    page_content => "about/index.html",
    page_not_found => "404.html",
    page_search => "search/index.html",
    page_references => "references/index.html",
    page_print => "print/index.html",
    page_data => "data/index.html",
}
