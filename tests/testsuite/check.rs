//! `tessera check`: every problem in a review, in one run, located and explained, and never
//! a panic, a hang or a written file, whatever the input.
//!
//! `check/base/` is a small review with no errors and no warnings. Each folder in
//! `check/cases/` is laid over a copy of it and holds an `expected.txt`: one line per
//! diagnostic the case must produce, in the order they must be reported,
//!
//! ```text
//! severity code file:line:column words of the message | words of the hint
//! ```
//!
//! and nothing else may be reported. Inputs that cannot be committed (invalid UTF-8, CRLF,
//! 20 MB, 10,000 files, symlink loops, unreadable files, odd file names) are generated into
//! the temporary copy by the tests below.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Review, Run, copy_tree, fixture_path, pages, snapshot};

/// The keys of every `--format json` line, in order.
const JSON_KEYS: [&str; 7] = [
    "file", "line", "column", "severity", "code", "message", "hint",
];

/// A diagnostic as `--format json` prints it.
#[derive(Debug)]
struct Reported {
    severity: String,
    code: String,
    /// `file:line:column`.
    place: String,
    message: String,
    hint: String,
}

/// One line of a case's `expected.txt`.
#[derive(Debug)]
struct Expected {
    severity: String,
    code: String,
    place: String,
    message: String,
    hint: Option<String>,
}

fn parse_expected(text: &str) -> Vec<Expected> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut words = line.splitn(4, ' ');
            let mut next = || words.next().unwrap_or_default().to_string();
            let (severity, code, place, rest) = (next(), next(), next(), next());
            let (message, hint) = match rest.split_once(" | ") {
                Some((m, h)) => (m.to_string(), Some(h.to_string())),
                None => (rest, None),
            };
            Expected {
                severity,
                code,
                place,
                message,
                hint,
            }
        })
        .collect()
}

/// Parses `--format json` output, checking every line's shape on the way.
fn parse_json(stdout: &str) -> Vec<Reported> {
    stdout
        .lines()
        .map(|line| {
            let value: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            let object = value.as_object().expect("each line is an object");
            let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
            keys.sort_unstable();
            let mut wanted = JSON_KEYS;
            wanted.sort_unstable();
            assert_eq!(keys, wanted, "keys of {line}");
            // And in the documented order on the wire (serde_json's map here sorts them).
            let at: Vec<usize> = JSON_KEYS
                .iter()
                .filter_map(|k| line.find(&format!("\"{k}\":")))
                .collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "key order of {line}");
            let text = |key: &str| object[key].as_str().unwrap_or_default().to_string();
            let number = |key: &str| {
                object[key]
                    .as_u64()
                    .map_or_else(|| "?".to_string(), |n| n.to_string())
            };
            assert!(
                matches!(object["severity"].as_str(), Some("error" | "warning")),
                "{line}"
            );
            Reported {
                severity: text("severity"),
                code: text("code"),
                place: format!("{}:{}:{}", text("file"), number("line"), number("column")),
                message: text("message"),
                hint: text("hint"),
            }
        })
        .collect()
}

/// A copy of `check/base` with `check/cases/<name>` laid over it.
fn case(name: &str) -> Review {
    let review = Review::fixture("check/base");
    copy_tree(&fixture_path(&format!("check/cases/{name}")), &review.root);
    std::fs::remove_file(review.path("expected.txt")).expect("remove expected.txt");
    review
}

/// `tessera check --format json`, parsed.
fn check_json(review: &Review, extra: &[&str]) -> (Run, Vec<Reported>) {
    let mut args = vec!["check", "--format", "json"];
    args.extend(extra);
    let run = review.run(&args);
    let reported = parse_json(&run.stdout);
    (run, reported)
}

/// Asserts that `reported` is exactly `expected`, in order.
fn assert_reported(reported: &[Reported], expected: &[Expected]) {
    let listing = || {
        reported
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {} | {}",
                    r.severity, r.code, r.place, r.message, r.hint
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        reported.len(),
        expected.len(),
        "expected {} diagnostics, got:\n{}",
        expected.len(),
        listing()
    );
    for (r, e) in reported.iter().zip(expected) {
        let matches = r.severity == e.severity
            && r.code == e.code
            && r.place == e.place
            && r.message.contains(&e.message)
            && e.hint.as_ref().is_none_or(|h| r.hint.contains(h));
        assert!(matches, "expected {e:?}\ngot:\n{}", listing());
    }
}

/// Runs a case in both formats and checks everything it promises: the diagnostics (JSON),
/// the exit code, the human rendering (each `file:line:column`, the count at the end), and
/// that nothing was written.
fn assert_case(name: &str) {
    let review = case(name);
    let before = snapshot(&review.root);
    let expected = parse_expected(
        &std::fs::read_to_string(fixture_path(&format!("check/cases/{name}/expected.txt")))
            .expect("read expected.txt"),
    );
    let (run, reported) = check_json(&review, &[]);
    assert_reported(&reported, &expected);
    let errors = expected.iter().filter(|e| e.severity == "error").count();
    let warnings = expected.len() - errors;
    assert_eq!(
        run.code(),
        Some(if errors > 0 { 1 } else { 0 }),
        "{}",
        run.stderr
    );

    let human = review.run(&["check"]);
    assert_eq!(human.code(), run.code());
    let mut last = 0;
    for e in &expected {
        // Human output names each place as `--> file:line:column`, in the same order.
        let arrow = format!("--> {}", e.place);
        let at = human.stderr[last..]
            .find(&arrow)
            .unwrap_or_else(|| panic!("{arrow} missing or out of order in:\n{}", human.stderr));
        last += at + arrow.len();
    }
    if expected.is_empty() {
        assert!(
            human.stdout.contains("No problems found."),
            "{}",
            human.stdout
        );
    } else {
        let summary = format!(
            "{errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
        assert!(
            human.stderr.trim_end().ends_with(&summary),
            "{}",
            human.stderr
        );
    }
    assert_eq!(
        snapshot(&review.root),
        before,
        "check must not write anything"
    );
    assert_output_snapshots(name, &human, &run);
}

/// Compares what `check` printed, in full, in both formats, with the case's snapshots
/// (`snapshots/testsuite__check__<case>_{human,json}.snap`): the snippets, carets, hints
/// and summary a reader sees, which the checks above only sample.
fn assert_output_snapshots(name: &str, human: &Run, json: &Run) {
    let printed = |run: &Run| {
        format!(
            "exit code: {}\n--- stdout\n{}--- stderr\n{}",
            run.code()
                .map_or_else(|| "none".to_string(), |c| c.to_string()),
            run.stdout,
            run.stderr
        )
    };
    let case = format!("tests/testsuite/check/cases/{name}");
    insta::with_settings!({ description => case, omit_expression => true }, {
        insta::assert_snapshot!(format!("{name}_human"), printed(human));
        insta::assert_snapshot!(format!("{name}_json"), printed(json));
    });
}

macro_rules! cases {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                assert_case($name);
            }
        )*
    };
}

cases! {
    yaml_syntax_error_points_at_the_bad_token => "yaml-syntax",
    unclosed_front_matter_points_at_its_opening_fence => "unclosed-front-matter",
    empty_file_needs_front_matter => "empty-file",
    unknown_field_suggests_a_known_one => "unknown-field",
    missing_field_points_at_the_front_matter => "missing-field",
    wrong_type_says_what_was_expected => "wrong-type",
    unknown_facet_values_suggest_declared_ones => "unknown-facet-value",
    unknown_themes_suggest_existing_ones => "unknown-theme",
    unknown_claims_suggest_existing_ones => "unknown-claim",
    unknown_adapted_from_suggests_a_case_study => "unknown-case-study",
    unknown_bibliography_keys_suggest_existing_ones => "unknown-source",
    unknown_stance_suggests_a_known_one => "unknown-value",
    duplicate_yaml_key_is_an_error => "duplicate-key",
    two_files_with_one_url_are_a_duplicate_slug => "duplicate-slug",
    page_on_a_generated_url_is_reserved => "reserved-url",
    file_name_without_letters_has_no_slug => "bad-slug",
    broken_links_and_anchors_in_bodies => "broken-link",
    site_toml_unknown_key_names_key_and_line => "config-unknown-key",
    site_toml_wrong_type_names_key_and_line => "config-wrong-type",
    site_toml_bad_map_axis_and_duplicate_value => "config-map-axis",
    site_toml_facet_values_need_distinct_urls => "config-facet-values",
    broken_bibliography_is_one_error_not_one_per_citation => "bibliography",
    yaml_alias_bomb_is_stopped => "alias-bomb",
    slug_field_cannot_climb_out_of_the_output => "climb",
    every_warning_kind => "warnings",
    many_errors_in_one_run_in_file_and_line_order => "many-errors",
    hostile_values_are_not_errors => "hostile",
    raw_html_is_not_an_error => "sanitize",
}

// ---- Exit codes, formats and the promise not to write ----

#[test]
fn clean_review_exits_0_with_no_problems() {
    let review = Review::fixture("check/base");
    let run = review.run(&["check"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("No problems found."));
    let (run, reported) = check_json(&review, &[]);
    assert_eq!(run.code(), Some(0));
    assert!(reported.is_empty());
    assert!(
        run.stdout.is_empty(),
        "JSON output of a clean review is empty"
    );
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let review = case("warnings");
    assert_eq!(review.run(&["check"]).code(), Some(0));
    let run = review.run(&["check", "--deny-warnings"]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("0 errors, 8 warnings"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    let review = Review::fixture("check/base");
    for args in [
        &["check", "--format", "xml"][..],
        &["check", "--no-such-flag"][..],
    ] {
        let run = review.run(args);
        assert_eq!(run.code(), Some(2), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn json_lines_carry_every_field_with_types() {
    let review = case("many-errors");
    let run = review.run(&["check", "--format", "json"]);
    assert_eq!(run.code(), Some(1));
    assert!(
        run.stderr.is_empty(),
        "JSON mode prints nothing else: {}",
        run.stderr
    );
    let values: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(values.len(), 9);
    for v in &values {
        assert!(
            v["file"]
                .as_str()
                .is_some_and(|f| f.starts_with("content/"))
        );
        assert!(v["line"].as_u64().is_some_and(|n| n >= 1));
        assert!(v["column"].as_u64().is_some_and(|n| n >= 1));
        assert!(v["code"].as_str().is_some_and(|c| !c.is_empty()));
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(v["hint"].is_string() || v["hint"].is_null());
    }
    let first = &values[0];
    assert_eq!(first["file"], "content/about.md");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(6), Some(31))
    );
    assert_eq!(first["severity"], "error");
    assert_eq!(first["code"], "broken-anchor");
    assert_eq!(first["hint"], "did you mean `how-we-chose`?");
    // Sorted by file, then line, then column.
    let keys: Vec<(String, u64, u64)> = values
        .iter()
        .map(|v| {
            (
                v["file"].as_str().unwrap_or_default().to_string(),
                v["line"].as_u64().unwrap_or_default(),
                v["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn whole_review_problems_have_null_places_in_json() {
    let review = Review::empty();
    review.write(
        "site.toml",
        "title = \"No content\"\n[facets.stage]\nlabel = \"Stage\"\nvalues = [{ id = \"test\" }]\n",
    );
    let (run, reported) = check_json(&review, &[]);
    assert_eq!(run.code(), Some(1));
    let value: Value =
        serde_json::from_str(run.stdout.lines().next().expect("a line")).expect("JSON");
    assert_eq!(value["code"], "content-missing");
    assert!(value["file"].is_null() && value["line"].is_null() && value["column"].is_null());
    assert_eq!(reported.len(), 1);
}

#[test]
fn build_of_a_bad_review_writes_nothing_and_keeps_the_last_site() {
    let review = case("many-errors");
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1));
    assert!(run.stderr.contains("8 errors, 1 warning"), "{}", run.stderr);
    assert!(!review.path("public").exists(), "no half-written site");

    let good = Review::fixture("check/base");
    let site = good.build(&[]);
    let before = snapshot(&site);
    good.write("content/themes/broken.md", "---\ntitle: [\n---\n");
    let run = good.run(&["build"]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(snapshot(&site), before, "the previous site is intact");
}

// ---- Encodings and line endings ----

#[test]
fn invalid_utf8_is_named_not_guessed() {
    let review = Review::fixture("check/base");
    // "Café" in Latin-1: 0xE9 is not UTF-8.
    let mut bytes = b"---\ntitle: Latin-1\nsummary: Caf".to_vec();
    bytes.extend([0xE9, b'\n']);
    bytes.extend(b"stage: scale\n---\n");
    std::fs::write(review.path("content/case-studies/latin1.md"), bytes).expect("write");
    let (run, reported) = check_json(&review, &[]);
    assert_eq!(run.code(), Some(1));
    assert_reported(
        &reported,
        &parse_expected(
            "error not-utf8 content/case-studies/latin1.md:3:13 not UTF-8 text (invalid byte at line 3, column 13) | does not guess",
        ),
    );
    let human = review.run(&["check"]);
    assert!(
        human.stderr.contains("3 | summary: Caf\u{fffd}"),
        "{}",
        human.stderr
    );
}

#[test]
fn byte_order_mark_is_ignored_and_columns_stay_right() {
    let review = Review::fixture("check/base");
    let bom = "\u{feff}";
    review.write(
        "content/themes/bom.md",
        &format!("{bom}---\ntitle: With a BOM\nsummary: Fine.\n---\nBody.\n"),
    );
    review.write(
        "content/claims/bom-bad.md",
        &format!("{bom}---\ntitle: With a BOM\nthemes: [workfroce]\n---\n"),
    );
    review.write(
        "content/case-studies/bom-first-line.md",
        &format!("{bom}---\ntitle: x\nsumary: y\nstage: scale\n---\n"),
    );
    let (_, reported) = check_json(&review, &[]);
    assert_reported(
        &reported,
        &parse_expected(
            "error unknown-field content/case-studies/bom-first-line.md:3:1 unknown field `sumary`
             warning unused-claim content/claims/bom-bad.md:1:1 no finding speaks to claim
             error unknown-theme content/claims/bom-bad.md:3:10 unknown theme `workfroce`
             warning unused-theme content/themes/bom.md:1:1 theme `bom`",
        ),
    );
    // Fixed, with a BOM in site.toml too, the review builds; the BOM is not in the title.
    review.write(
        "content/claims/bom-bad.md",
        &format!("{bom}---\ntitle: Clean\n---\n"),
    );
    review.write(
        "content/case-studies/bom-first-line.md",
        &format!("{bom}---\ntitle: x\nsummary: y\nstage: scale\n---\n"),
    );
    review.write(
        "site.toml",
        &format!(
            "{bom}{}",
            std::fs::read_to_string(review.path("site.toml")).expect("read")
        ),
    );
    let run = review.run(&["build"]);
    assert!(run.ok(), "{}", run.stderr);
    let theme = std::fs::read_to_string(review.path("public/themes/bom/index.html")).expect("page");
    assert!(theme.contains(">With a BOM<"), "title without the BOM");
}

/// Rewrites every text file of the review with CRLF line endings.
fn to_crlf(root: &Path) {
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).expect("read");
            std::fs::write(entry.path(), text.replace('\n', "\r\n")).expect("write");
        }
    }
}

#[test]
fn crlf_line_endings_work_with_correct_lines() {
    let review = case("many-errors");
    to_crlf(&review.root);
    // The same diagnostics, at the same lines and columns, as with LF.
    let (run, reported) = check_json(&review, &[]);
    assert_eq!(run.code(), Some(1));
    let expected = std::fs::read_to_string(fixture_path("check/cases/many-errors/expected.txt"))
        .expect("read");
    assert_reported(&reported, &parse_expected(&expected));

    let clean = Review::fixture("check/base");
    to_crlf(&clean.root);
    let site = clean.build(&[]);
    let alpha = std::fs::read_to_string(site.join("case-studies/alpha/index.html")).expect("page");
    assert!(
        alpha.contains("id=\"what-it-is\""),
        "headings still get their ids"
    );
    assert!(!alpha.contains("Alpha project\r"), "no stray CR in titles");
}

// ---- Size ----

/// Not a speed limit (speed is measured by `bench/`, on a release build): the tests below
/// check that big inputs are checked right, and take 3 to 8 s each in a debug build on a
/// loaded 2-core machine. This bound, about ten times that, is crossed only by a hang or a
/// blow-up like the quadratic one that once made 1 MB with 6,500 broken links take two
/// minutes (the 2 MB case below would take about eight).
const BLOW_UP: Duration = Duration::from_secs(60);

/// Markdown of about `megabytes` MB: headings and paragraphs, each with a link to `link`.
fn long_page(megabytes: usize, link: &str) -> String {
    let paragraph = format!(
        "Some *emphasis*, a [link]({link}), `code` and text that goes on for a while to fill \
         the line up to about two hundred bytes of ordinary prose.\n\n"
    );
    let mut body = String::with_capacity((megabytes + 1) * 1024 * 1024);
    body.push_str("---\ntitle: Big\n---\n");
    let mut n = 0;
    while body.len() < megabytes * 1024 * 1024 {
        if n % 100 == 0 {
            body.push_str(&format!("## Section {n}\n\n"));
        }
        body.push_str(&paragraph);
        n += 1;
    }
    body
}

#[test]
fn twenty_megabyte_markdown_file_is_checked_to_its_last_line() {
    let review = Review::fixture("check/base");
    let mut body = long_page(20, "about.md#how-we-chose");
    let last_line = body.lines().count() + 1;
    body.push_str("A [broken link](nowhere.md) at the very end.\n");
    review.write("content/big.md", &body);

    let started = Instant::now();
    let (run, reported) = check_json(&review, &[]);
    let elapsed = started.elapsed();
    eprintln!("20 MB file: check took {elapsed:?}");
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert_reported(
        &reported,
        &parse_expected(&format!(
            "error broken-link content/big.md:{last_line}:3 link to `nowhere.md`"
        )),
    );
    assert!(elapsed < BLOW_UP, "took {elapsed:?}");
}

/// Every link of a long page broken: each error is located, the first and last exactly,
/// and (see `BLOW_UP`) without rescanning the file from the top for each one.
#[test]
fn thousands_of_errors_in_one_file_are_all_located() {
    let review = Review::fixture("check/base");
    review.write("content/big.md", &long_page(2, "nowhere.md"));
    let started = Instant::now();
    let (run, reported) = check_json(&review, &[]);
    let elapsed = started.elapsed();
    eprintln!("2 MB, all links broken: check took {elapsed:?}");
    assert_eq!(run.code(), Some(1));
    assert!(reported.len() > 10_000, "{}", reported.len());
    assert!(reported.iter().all(|r| r.code == "broken-link"));
    assert_eq!(reported[0].place, "content/big.md:6:20");
    let last = reported.last().map(|r| r.place.clone()).unwrap_or_default();
    let lines = review.read("content/big.md").lines().count();
    assert_eq!(last, format!("content/big.md:{}:20", lines - 1));
    assert!(elapsed < BLOW_UP, "took {elapsed:?}");
}

#[test]
fn ten_thousand_files_are_all_checked() {
    let review = Review::fixture("check/base");
    let dir = review.path("content/notes");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for i in 0..10_000 {
        let text = if i == 9_999 {
            format!("---\ntitle: Note {i}\n---\nSee [note 0](note-0.md) and [a gap](note-x.md).\n")
        } else {
            format!("---\ntitle: Note {i}\n---\nSee [note 0](note-0.md#top).\n\n# Top\n")
        };
        std::fs::write(dir.join(format!("note-{i}.md")), text).expect("write");
    }
    let started = Instant::now();
    let (run, reported) = check_json(&review, &[]);
    let elapsed = started.elapsed();
    eprintln!("10,000 files: check took {elapsed:?}");
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert_reported(
        &reported,
        &parse_expected("error broken-link content/notes/note-9999.md:4:29 link to `note-x.md`"),
    );
    assert!(elapsed < BLOW_UP, "took {elapsed:?}");
}

#[test]
fn deep_nesting_is_stopped_at_32_levels() {
    let review = Review::fixture("check/base");
    let depth = 10_000;
    let flow = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    review.write(
        "content/themes/deep-flow.md",
        &format!("---\ntitle: Deep\nextra:\n  x: {flow}\n---\n"),
    );
    let mapping = format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth));
    review.write(
        "content/themes/deep-map.md",
        &format!("---\ntitle: Deep\nextra: {mapping}\n---\n"),
    );
    // Block style: 200 levels of indentation (10,000 would be 100 MB of spaces).
    let block: String = (0..200)
        .map(|i| format!("{}k:\n", "  ".repeat(i + 1)))
        .collect();
    review.write(
        "content/themes/deep-block.md",
        &format!("---\ntitle: Deep\nextra:\n{block}---\n"),
    );
    let started = Instant::now();
    let (run, reported) = check_json(&review, &[]);
    let elapsed = started.elapsed();
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert_eq!(reported.len(), 3, "{reported:?}");
    for r in &reported {
        assert_eq!(r.code, "yaml-too-complex", "{r:?}");
        assert!(r.message.contains("nested more than 32 levels"), "{r:?}");
        assert!(r.place.starts_with("content/themes/deep-"), "{r:?}");
    }
    assert!(elapsed < BLOW_UP, "took {elapsed:?}");
}

// ---- The file system ----

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_and_the_rest_still_checked() {
    let review = case("unknown-claim");
    std::os::unix::fs::symlink("..", review.path("content/themes/loop")).expect("symlink");
    std::os::unix::fs::symlink("self.md", review.path("content/claims/self.md")).expect("symlink");
    let started = Instant::now();
    let (run, reported) = check_json(&review, &[]);
    assert!(
        started.elapsed() < BLOW_UP,
        "a loop must not be followed round"
    );
    assert_eq!(run.code(), Some(1));
    let codes: Vec<(&str, &str)> = reported
        .iter()
        .map(|r| (r.code.as_str(), r.place.as_str()))
        .collect();
    assert!(
        codes.contains(&("unknown-claim", "content/case-studies/claims.md:7:12")),
        "other files are still checked: {codes:?}"
    );
    assert!(
        reported
            .iter()
            .any(|r| r.code == "symlink-loop" && r.place.starts_with("content/themes/loop")),
        "{reported:?}"
    );
    assert!(
        reported
            .iter()
            .any(|r| r.code == "unreadable" && r.place.starts_with("content/claims/self.md")),
        "{reported:?}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_out_of_content_is_not_followed() {
    let review = Review::fixture("check/base");
    let outside = review.root.parent().expect("parent").join("secret.md");
    std::fs::write(&outside, "---\ntitle: Secret\n---\n").expect("write");
    std::os::unix::fs::symlink(&outside, review.path("content/secret.md")).expect("symlink");
    let (run, reported) = check_json(&review, &[]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert_eq!(reported[0].code, "symlink-outside");
    assert!(reported[0].message.contains("outside `content/`"));
}

/// Runs `tessera check --format json` as user `nobody` (through `setpriv`), for tests that
/// need permissions to bite when the suite runs as root. `Err` says why that is not
/// possible here.
#[cfg(unix)]
fn check_json_as_nobody(review: &Review) -> Result<(Run, Vec<Reported>), String> {
    use std::os::unix::fs::PermissionsExt;
    // The temporary folder is private to its owner; `nobody` must be able to walk into it.
    let temp = review
        .root
        .parent()
        .ok_or("the review has no parent folder")?;
    std::fs::set_permissions(temp, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot open the temporary folder to `nobody`: {e}"))?;
    let output = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_tessera"))
        .args(["check", "--format", "json", "--root"])
        .arg(&review.root)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("cannot run `setpriv` (util-linux): {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    // 1 is "the review has errors"; anything else means `setpriv` or the binary could not run.
    if output.status.code() != Some(1) || !stdout.starts_with('{') {
        return Err(format!(
            "`setpriv` could not run the check as `nobody` ({}): {stderr}",
            output.status
        ));
    }
    let reported = parse_json(&stdout);
    let run = Run {
        stderr,
        stdout,
        output,
    };
    Ok((run, reported))
}

#[cfg(unix)]
#[test]
fn unreadable_file_and_folder_are_named_and_the_rest_still_checked() {
    use std::os::unix::fs::PermissionsExt;
    let review = case("unknown-claim");
    let file = review.path("content/themes/locked.md");
    std::fs::write(&file, "---\ntitle: Locked\n---\n").expect("write");
    let folder = review.path("content/locked");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let lock = |mode: u32| {
        for path in [&file, &folder] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        }
    };
    lock(0o000);
    let result = if std::fs::read(&file).is_err() {
        Ok(check_json(&review, &[]))
    } else {
        // Root (as in CI containers) reads any file whatever its mode: drop to `nobody`.
        check_json_as_nobody(&review)
    };
    // Unlock, so the temporary folder can be removed.
    lock(0o755);
    let (run, reported) = match result {
        Ok(checked) => checked,
        Err(why) => {
            crate::support::cannot_run(&format!("running as root, and {why}"));
            return;
        }
    };
    assert_eq!(run.code(), Some(1));
    assert!(
        reported
            .iter()
            .any(|r| r.code == "unknown-claim" && r.place == "content/case-studies/claims.md:7:12"),
        "other files are still checked: {reported:?}"
    );
    let unreadable: Vec<&str> = reported
        .iter()
        .filter(|r| r.code == "unreadable" && r.message.contains("ermission denied"))
        .map(|r| r.place.as_str())
        .collect();
    assert_eq!(
        unreadable,
        ["content/locked:?:?", "content/themes/locked.md:?:?"],
        "{reported:?}"
    );
}

#[test]
fn file_names_with_spaces_unicode_and_dots_get_safe_urls() {
    let review = Review::fixture("check/base");
    let theme = |title: &str| format!("---\ntitle: {title}\nsummary: x\n---\n");
    review.write("content/themes/My Theme.md", &theme("Spaces"));
    review.write("content/themes/Café Ünïcode.md", &theme("Unicode"));
    review.write("content/themes/a..b.md", &theme("Dots"));
    review.write("content/themes/..hidden.md", &theme("Hidden"));
    review.write(
        "content/claims/improves-practice.md",
        "---\ntitle: Improves practice\nthemes: [workforce, my-theme, cafe-unicode, a-b]\n---\n\
         See [spaces](../themes/My%20Theme.md), [unicode](<../themes/Café Ünïcode.md>) \
         and [dots](../themes/a..b.md).\n",
    );
    let run = review.run(&["check"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr);
    let site = review.build(&[]);
    for dir in ["my-theme", "cafe-unicode", "a-b"] {
        assert!(
            site.join("themes").join(dir).join("index.html").is_file(),
            "{dir}"
        );
    }
    assert!(
        !site.join("themes/hidden").exists(),
        "dot files are not content"
    );
    let claim =
        std::fs::read_to_string(site.join("claims/improves-practice/index.html")).expect("page");
    for href in [
        "../../themes/my-theme/",
        "../../themes/cafe-unicode/",
        "../../themes/a-b/",
    ] {
        assert!(claim.contains(&format!("href=\"{href}\"")), "{href}");
    }
    assert_eq!(crate::support::broken_links(&site), Vec::<String>::new());
}

#[test]
fn case_insensitive_clash_is_a_duplicate_slug() {
    let review = Review::fixture("check/base");
    let text = "---\ntitle: Pause\nsummary: x\n---\n";
    review.write("content/themes/Pause.md", text);
    review.write("content/themes/pause.md", text);
    let names = std::fs::read_dir(review.path("content/themes"))
        .expect("read dir")
        .count();
    if names < 4 {
        crate::support::cannot_run(
            "this file system folds case, so `Pause.md` and `pause.md` are one file",
        );
        return;
    }
    let (run, reported) = check_json(&review, &[]);
    assert_eq!(run.code(), Some(1));
    let clash: Vec<&Reported> = reported
        .iter()
        .filter(|r| r.code == "duplicate-slug")
        .collect();
    assert_eq!(clash.len(), 1, "{reported:?}");
    assert_eq!(clash[0].place, "content/themes/pause.md:1:1");
    assert!(
        clash[0]
            .message
            .contains("`themes/pause/`, like `content/themes/Pause.md`")
    );
    assert!(clash[0].hint.contains("letter case is ignored"));
}

#[cfg(unix)]
#[test]
fn file_name_that_is_not_utf8_does_not_break_reporting() {
    use std::os::unix::ffi::OsStrExt;
    let review = Review::fixture("check/base");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(
        review.path("content/themes").join(name),
        "---\ntitle: Latin-1 name\nsummry: x\n---\n",
    )
    .expect("write");
    let (run, reported) = check_json(&review, &[]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert_eq!(reported[0].code, "unknown-field");
    assert_eq!(reported[0].place, "content/themes/caf\u{fffd}.md:3:1");
}

// ---- What a built site may contain ----

#[test]
fn output_dir_cannot_climb_out_of_the_review() {
    let review = Review::fixture("check/base");
    let config = std::fs::read_to_string(review.path("site.toml")).expect("read");
    review.write(
        "site.toml",
        &config.replace(
            "edition = 2026",
            "edition = 2026\noutput_dir = \"../escaped\"",
        ),
    );
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1));
    assert!(
        run.stderr.contains("outside the review folder"),
        "{}",
        run.stderr
    );
    assert!(
        !review
            .root
            .parent()
            .expect("parent")
            .join("escaped")
            .exists()
    );
}

#[test]
fn facet_values_that_look_like_paths_stay_inside_the_output() {
    let review = Review::fixture("check/base");
    let config = std::fs::read_to_string(review.path("site.toml")).expect("read");
    review.write(
        "site.toml",
        &config.replace(
            "{ id = \"scale\" }",
            "{ id = \"scale\" }, { id = \"../../../escaped\" }",
        ),
    );
    let alpha = review.read("content/case-studies/alpha.md");
    review.write(
        "content/case-studies/alpha.md",
        &alpha.replace("stage: scale", "stage: ../../../escaped"),
    );
    let outside = review.root.parent().expect("parent");
    let site = review.build(&[]);
    assert!(site.join("stage/escaped/index.html").is_file());
    let stray: Vec<_> = std::fs::read_dir(outside)
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n != "review")
        .collect();
    assert!(stray.is_empty(), "written outside the review: {stray:?}");
}

#[test]
fn script_in_titles_and_fields_is_escaped_on_every_page() {
    let review = case("hostile");
    let site = review.build(&[]);
    let pages = pages(&site);
    for (page, html) in &pages {
        for raw in [
            "<script>alert(",
            "<img src=x onerror",
            "<b onmouseover",
            "href=\"javascript:",
            "src=\"javascript:",
        ] {
            assert!(
                !html
                    .to_ascii_lowercase()
                    .contains(&raw.to_ascii_lowercase()),
                "{} contains {raw}",
                page.display()
            );
        }
        // The only `data:` links are the two downloads of the page's own "cite this" box.
        let data_links = html.to_ascii_lowercase().matches("href=\"data:").count();
        let cite_downloads = html
            .matches("<a href=\"data:application/x-bibtex;charset=utf-8,")
            .count()
            + html
                .matches("<a href=\"data:application/x-research-info-systems;charset=utf-8,")
                .count();
        assert_eq!(
            (data_links, cite_downloads),
            (
                cite_downloads,
                2 * html.matches("class=\"cite-box\"").count()
            ),
            "{} has data: links of its own",
            page.display()
        );
    }
    let case_page = &pages[Path::new("case-studies/script/index.html")];
    assert!(
        case_page.contains("&lt;script&gt;alert("),
        "the title is shown, escaped"
    );
    assert!(
        case_page.contains("&lt;img src=x onerror"),
        "the summary too"
    );
    // The links' text is kept; only the links go (the autolink's text is its URL).
    assert!(
        case_page.contains(
            "<p>Links that run code are not emitted: one,\ntwo, three,\n\
             javascript:alert('four') and five.</p>"
        ),
        "{case_page}"
    );
    let main = crate::support::main_element(case_page, "case-studies/script/index.html");
    insta::with_settings!({ description => "case-studies/script/index.html of tests/testsuite/check/cases/hostile", omit_expression => true }, {
        insta::assert_snapshot!("hostile_case_study_page", main);
    });
}

#[test]
fn raw_html_is_kept_by_default_and_cleaned_with_sanitize_html() {
    let review = case("sanitize");
    let site = review.build(&[]);
    let raw = std::fs::read_to_string(site.join("raw/index.html")).expect("page");
    for bad in [
        "<script>alert(\"raw\")",
        "onclick",
        "javascript:",
        "<iframe",
        "onerror",
    ] {
        assert!(!raw.contains(bad), "sanitized page contains {bad}");
    }
    for kept in [
        "<em>emphasis</em>",
        "<td>Kept</td>",
        "alt=\"A chart\"",
        ">a link</a>",
    ] {
        assert!(raw.contains(kept), "sanitized page lost {kept}");
    }

    // Without `sanitize_html`, authors are trusted and their HTML is kept as written.
    let trusted = Review::fixture("check/base");
    copy_tree(
        &fixture_path("check/cases/sanitize/content"),
        &trusted.path("content"),
    );
    let site = trusted.build(&[]);
    let raw = std::fs::read_to_string(site.join("raw/index.html")).expect("page");
    assert!(raw.contains("<script>alert(\"raw\")</script>"));
}
