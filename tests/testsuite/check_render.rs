//! How much `tessera check` renders: one page per template by default (the review model
//! holds every content check, so check need not render every page), every page with
//! `--all-pages`. Either way it writes nothing.

use crate::support::{Review, snapshot};

/// A case-study template that fails on every page (an unknown variable).
const BROKEN_EVERYWHERE: &str = "{% extends \"base.html\" %}\n{% block content %}\n{{ case_study.nosuch.deeper }}\n{% endblock content %}\n";

/// A case-study template that fails only on the page of `beta`, the second case study.
const BROKEN_ON_BETA: &str = "{% extends \"base.html\" %}\n{% block content %}\n{% if case_study.slug == \"beta\" %}{{ case_study.nosuch.deeper }}{% endif %}\n{% endblock content %}\n";

fn json_lines(review: &Review, extra: &[&str]) -> (Option<i32>, Vec<String>) {
    let mut args = vec!["check", "--format", "json"];
    args.extend(extra);
    let before = snapshot(&review.root);
    let run = review.run(&args);
    assert_eq!(snapshot(&review.root), before, "check wrote nothing");
    let lines = run
        .stdout
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            format!(
                "{} {} {}:{}:{}",
                v["severity"].as_str().unwrap_or_default(),
                v["code"].as_str().unwrap_or_default(),
                v["file"].as_str().unwrap_or_default(),
                v["line"],
                v["column"]
            )
        })
        .collect();
    (run.code(), lines)
}

#[test]
fn check_reports_a_template_error_that_every_page_of_the_template_meets() {
    let review = Review::fixture("build/basic");
    review.write("templates/case-study.html", BROKEN_EVERYWHERE);
    let (code, lines) = json_lines(&review, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(lines, ["error template templates/case-study.html:3:15"]);
}

#[test]
fn an_error_only_some_pages_meet_is_found_by_all_pages_and_by_build() {
    let review = Review::fixture("build/basic");
    review.write("templates/case-study.html", BROKEN_ON_BETA);
    // One page per template: alpha's page renders, beta's is not tried.
    let (code, lines) = json_lines(&review, &[]);
    assert_eq!((code, lines), (Some(0), Vec::<String>::new()));

    let (code, lines) = json_lines(&review, &["--all-pages"]);
    assert_eq!(code, Some(1));
    assert_eq!(lines, ["error template templates/case-study.html:3:49"]);

    let build = review.run(&["build"]);
    assert_eq!(build.code(), Some(1), "{}", build.stderr);
    assert!(
        build.stderr.contains("--> templates/case-study.html:3:49"),
        "{}",
        build.stderr
    );
    assert!(
        !review.path("public").exists(),
        "a failed build writes nothing"
    );
}
