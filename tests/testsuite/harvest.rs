//! The harvest plot of the default theme, on the fixture in `harvest/review/`, whose
//! findings are known:
//!
//! - `c-split` (contested): supports from North (randomised trial, high, evaluators), West
//!   (no design, low, families) and South (qualitative, no certainty, families); a challenge
//!   from South (audit, moderate, evaluators); nothing mixed.
//! - `c-quiet`: supports from West (randomised trial, moderate, evaluators) and North
//!   (qualitative, low, families): not contested, drawn with one group.
//!
//! Designs are lettered by their order in site.toml: A randomised trial, B qualitative,
//! C audit. Bars are 120 px at the strongest of four certainty values, 30 px when unrated.

use std::path::Path;
use std::sync::OnceLock;

use crate::support::{Review, page};

fn site() -> &'static Path {
    static SITE: OnceLock<(Review, std::path::PathBuf)> = OnceLock::new();
    let (_, site) = SITE.get_or_init(|| {
        let review = Review::fixture("harvest/review");
        let site = review.build(&[]);
        (review, site)
    });
    site
}

/// The text between `start` and the next `end` after it, from the first `start` on.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the page"));
    let rest = &html[from + start.len()..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// Every piece of text between `start` and `end`, in order.
fn all_between<'a>(html: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    html.split(start)
        .skip(1)
        .map(|part| &part[..part.find(end).unwrap_or(part.len())])
        .collect()
}

/// The value of attribute `name` in the first tag of `html` that has it.
fn attribute<'a>(html: &'a str, name: &str) -> &'a str {
    between(html, &format!(" {name}=\""), "\"")
}

/// Each bar of the first harvest plot on the page: (hover text, height, letter, unrated).
fn bars(html: &str) -> Vec<(String, String, String, bool)> {
    let plot = between(html, "<svg class=\"harvest-plot\"", "</svg>");
    all_between(plot, "<g class=\"harvest-bar\">", "</g>")
        .into_iter()
        .map(|bar| {
            let rect = between(bar, "<rect", "/>");
            (
                between(bar, "<title>", "</title>").to_string(),
                attribute(rect, "height").to_string(),
                between(bar, "text-anchor=\"middle\">", "</text>").to_string(),
                attribute(rect, "class").contains("unrated"),
            )
        })
        .collect()
}

fn captions(html: &str) -> Vec<&str> {
    let plot = between(html, "<svg class=\"harvest-plot\"", "</svg>");
    all_between(plot, "<text class=\"harvest-caption", "</text>")
        .into_iter()
        .map(|t| &t[t.find('>').map_or(0, |i| i + 1)..])
        .collect()
}

fn bar(title: &str, height: &str, letter: &str, unrated: bool) -> (String, String, String, bool) {
    (title.into(), height.into(), letter.into(), unrated)
}

fn split_bars() -> Vec<(String, String, String, bool)> {
    vec![
        bar(
            "North: Supports. Randomised trial (A); high certainty; Evaluators.",
            "120.0",
            "A",
            false,
        ),
        bar(
            "West: Supports. Design not given; low certainty; Families.",
            "60.0",
            "–",
            false,
        ),
        bar(
            "South: Supports. Qualitative (B); certainty not rated; Families.",
            "30.0",
            "B",
            true,
        ),
        bar(
            "South: Challenges. Audit (C); moderate certainty; Evaluators.",
            "90.0",
            "C",
            false,
        ),
    ]
}

#[test]
fn a_contested_claim_has_one_bar_per_finding_by_certainty_lettered_by_design() {
    let html = page(site(), "claims/c-split/index.html");
    assert_eq!(bars(&html), split_bars());
    assert_eq!(
        captions(&html),
        ["Supports (3)", "Challenges (1)"],
        "an empty group (mixed) takes no room"
    );
}

#[test]
fn the_harvest_plot_has_a_legend_and_a_text_equivalent() {
    let html = page(site(), "claims/c-split/index.html");
    let legend = between(&html, "<div class=\"harvest-legend\">", "</div>");
    assert!(
        legend.contains("(tallest: high)"),
        "the legend says what height means: {legend}"
    );
    assert!(
        legend.contains(
            "Study design: <span class=\"legend-letter\">A</span>&nbsp;Randomised trial; \
             <span class=\"legend-letter\">B</span>&nbsp;Qualitative; \
             <span class=\"legend-letter\">C</span>&nbsp;Audit."
        ),
        "the legend names each letter in the plot: {legend}"
    );
    let plot = between(&html, "<svg class=\"harvest-plot\"", ">");
    assert!(
        plot.contains("aria-hidden=\"true\""),
        "screen readers get the table, not the picture"
    );
    let table = between(&html, "<div class=\"harvest-table\">", "</table>");
    let rows: Vec<Vec<&str>> = all_between(table, "<tr><td>", "</td></tr>")
        .into_iter()
        .map(|row| row.split("</td><td>").collect())
        .collect();
    assert_eq!(
        rows,
        [
            [
                "Supports",
                "North",
                "Randomised trial",
                "High",
                "Evaluators"
            ],
            ["Supports", "West", "Not given", "Low", "Families"],
            ["Supports", "South", "Qualitative", "Not rated", "Families"],
            ["Challenges", "South", "Audit", "Moderate", "Evaluators"],
        ]
    );
}

#[test]
fn the_same_picture_is_drawn_small_on_the_contradictions_and_home_pages() {
    for path in ["contradictions/index.html", "index.html"] {
        let html = page(site(), path);
        assert!(
            html.contains("<div class=\"harvest harvest-small\">"),
            "{path}"
        );
        let small: Vec<_> = bars(&html)
            .into_iter()
            .map(|(title, _, letter, unrated)| (title, letter, unrated))
            .collect();
        let full: Vec<_> = split_bars()
            .into_iter()
            .map(|(title, _, letter, unrated)| (title, letter, unrated))
            .collect();
        assert_eq!(small, full, "{path}: the same bars");
        let text = between(&html, "<p class=\"harvest-text visually-hidden\">", "</p>");
        assert_eq!(
            text,
            "Supports: 3 findings (North, randomised trial, high certainty, evaluators; \
             West, design not given, low certainty, families; South, qualitative, certainty \
             not rated, families). Challenges: 1 finding (South, audit, moderate certainty, \
             evaluators).",
            "{path}: the text equivalent"
        );
    }
}

#[test]
fn a_claim_that_is_not_contested_has_its_plot_too_with_one_group() {
    let html = page(site(), "claims/c-quiet/index.html");
    assert_eq!(
        bars(&html),
        [
            bar(
                "West: Supports. Randomised trial (A); moderate certainty; Evaluators.",
                "90.0",
                "A",
                false,
            ),
            bar(
                "North: Supports. Qualitative (B); low certainty; Families.",
                "60.0",
                "B",
                false,
            ),
        ]
    );
    assert_eq!(captions(&html), ["Supports (2)"]);
    assert!(
        !page(site(), "contradictions/index.html").contains("Claim quiet"),
        "and it is not listed as contested"
    );
}
