//! Warnings at scale: `build` (and `serve`) print the first few warnings of each code in
//! full and sum up the rest in one line per code; `check` prints every one, and
//! `check --format json` lists every one.

use crate::support::{Review, Run};

/// Case studies laid over `check/base/` (a clean review); each has no themes and two
/// findings without a source: one `no-themes` and two `finding-without-source` warnings.
const CASES: usize = 30;

fn review_with_many_warnings() -> Review {
    let review = Review::fixture("check/base");
    for i in 0..CASES {
        review.write(
            &format!("content/case-studies/case-{i:02}.md"),
            &format!(
                "---\ntitle: Case {i:02}\nsummary: A generated case study.\nstage: test\n\
                 findings:\n  - claim: reduces-care-entry\n    stance: supports\n    \
                 perspective: practitioners\n    certainty: low\n  - claim: improves-practice\n    \
                 stance: mixed\n    perspective: evaluators\n    certainty: low\n---\nBody.\n"
            ),
        );
    }
    review
}

/// The first line of each diagnostic printed in full (`warning[code]: message`), in order.
fn headers(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("warning[") && !l.contains(" more like this not shown "))
        .collect()
}

/// The lines that sum up the warnings not printed, and the closing count.
fn tail(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.contains(" more like this not shown ") || l.contains(" warnings"))
        .collect()
}

#[test]
fn build_prints_three_warnings_per_code_then_one_line_per_code() {
    let review = review_with_many_warnings();
    let run = review.run(&["build"]);
    assert!(run.ok(), "{}", run.stderr);
    assert_eq!(
        headers(&run),
        [
            "warning[no-themes]: case study `case-00` has no themes",
            "warning[finding-without-source]: a finding on `reduces-care-entry` has no source",
            "warning[finding-without-source]: a finding on `improves-practice` has no source",
            "warning[no-themes]: case study `case-01` has no themes",
            "warning[finding-without-source]: a finding on `reduces-care-entry` has no source",
            "warning[no-themes]: case study `case-02` has no themes",
        ],
        "{}",
        run.stderr
    );
    assert_eq!(
        tail(&run),
        [
            "warning[finding-without-source]: 57 more like this not shown (60 in all); \
             `tessera check` lists every one",
            "warning[no-themes]: 27 more like this not shown (30 in all); \
             `tessera check` lists every one",
            "0 errors, 90 warnings",
        ],
        "{}",
        run.stderr
    );
    // The shown ones keep their place and snippet.
    assert!(
        run.stderr
            .contains("--> content/case-studies/case-00.md:6:12"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_prints_every_warning_and_json_lists_every_one() {
    let review = review_with_many_warnings();
    let run = review.run(&["check"]);
    assert!(run.ok(), "{}", run.stderr);
    let headers = headers(&run);
    assert_eq!(headers.len(), 3 * CASES, "{}", run.stderr);
    assert_eq!(
        headers
            .iter()
            .filter(|h| h.starts_with("warning[no-themes]"))
            .count(),
        CASES
    );
    assert_eq!(tail(&run), ["0 errors, 90 warnings"], "{}", run.stderr);

    let json = review.run(&["check", "--format", "json"]);
    assert!(json.ok(), "{}", json.stderr);
    let codes: Vec<String> = json
        .stdout
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            value["code"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(codes.len(), 3 * CASES);
    assert_eq!(
        codes
            .iter()
            .filter(|c| *c == "finding-without-source")
            .count(),
        2 * CASES
    );
}
