//! Full-text search: `[search]` in site.toml, `--search` / `--no-search`, the Pagefind bundle
//! under `pagefind/`, the search page, and queries run against the built index (with
//! Node, as the search page runs them in a browser; `search/query.mjs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Review, broken_links, cannot_run, fixture_path, page, pages};

/// Pages of `build/basic` that are indexed: 2 published case studies, 2 themes, 2 claims,
/// the about page and the home page.
const INDEXED: [&str; 8] = [
    "index.html",
    "about/index.html",
    "case-studies/alpha/index.html",
    "case-studies/beta/index.html",
    "themes/families/index.html",
    "themes/workforce/index.html",
    "claims/improves-practice/index.html",
    "claims/reduces-care-entry/index.html",
];

/// A word that is only in the body of one case study.
pub(crate) const BODY_WORD: &str = "zeppelins";

/// The `build/basic` review with search on in site.toml and a word only Beta's body has.
fn searchable_review() -> Review {
    with_search_and_body_word(Review::fixture("build/basic"))
}

/// `review` with search on in site.toml and [`BODY_WORD`] added to the body of
/// `content/case-studies/beta.md`, the only case study that has it.
pub(crate) fn with_search_and_body_word(review: Review) -> Review {
    let config = review.read("site.toml");
    review.write(
        "site.toml",
        &format!("{config}\n[search]\nenabled = true\n"),
    );
    let beta = review.read("content/case-studies/beta.md");
    review.write(
        "content/case-studies/beta.md",
        &format!("{beta}\nThe team once travelled by {BODY_WORD}.\n"),
    );
    review
}

/// The bundle's `pagefind-entry.json`, which says how many pages each language indexed.
fn indexed_pages(site: &Path) -> u64 {
    let entry = page(site, "pagefind/pagefind-entry.json");
    let entry: serde_json::Value = serde_json::from_str(&entry).expect("entry is JSON");
    let languages = entry["languages"].as_object().expect("languages");
    languages
        .values()
        .map(|l| l["page_count"].as_u64().expect("page_count"))
        .sum()
}

#[test]
fn search_on_writes_the_bundle_the_search_page_and_nav_links() {
    let review = searchable_review();
    let run = review.run(&["build"]);
    assert!(run.ok(), "build failed:\n{}", run.stderr);
    assert!(
        run.stdout.contains("; 8 in the search index)"),
        "{}",
        run.stdout
    );
    let site = review.path("public");
    for file in [
        "pagefind/pagefind.js",
        "pagefind/pagefind-ui.js",
        "pagefind/pagefind-ui.css",
        "pagefind/pagefind-entry.json",
        "search/index.html",
        "static/search.js",
    ] {
        assert!(site.join(file).is_file(), "missing {file}");
    }
    let bundle: Vec<PathBuf> = walkdir::WalkDir::new(site.join("pagefind"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().to_path_buf())
        .collect();
    for ending in [
        ".pf_meta",
        ".pf_fragment",
        ".pf_index",
        ".pf_filter",
        ".pagefind",
    ] {
        assert!(
            bundle.iter().any(|p| p.to_string_lossy().ends_with(ending)),
            "no *{ending} in the bundle"
        );
    }
    assert_eq!(indexed_pages(&site), INDEXED.len() as u64);
    // The folder of pages gathered for the index, beside the output, is gone.
    let beside: Vec<String> = std::fs::read_dir(review.path("."))
        .expect("review folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("tessera"))
        .collect();
    assert_eq!(beside, Vec::<String>::new());

    // Every page links to the search page, relative to itself; the search page loads the
    // UI from the bundle, and every link and script of the site resolves.
    assert!(page(&site, "index.html").contains("href=\"./search/\""));
    assert!(page(&site, "case-studies/alpha/index.html").contains("href=\"../../search/\""));
    let search = page(&site, "search/index.html");
    assert!(
        search.contains("src=\"../pagefind/pagefind-ui.js\""),
        "{search}"
    );
    assert!(search.contains("href=\"../pagefind/pagefind-ui.css\""));
    assert!(search.contains("src=\"../static/search.js\""));
    assert!(search.contains("<noscript>") && search.contains("Search needs JavaScript"));
    assert_eq!(broken_links(&site), Vec::<String>::new());
}

#[test]
fn only_content_pages_are_marked_for_the_index() {
    let review = searchable_review();
    let site = review.build(&[]);
    for (path, html) in pages(&site) {
        let marked = html.contains("data-pagefind-body");
        let content = INDEXED.iter().any(|p| Path::new(p) == path);
        assert_eq!(marked, content, "{}: marked {marked}", path.display());
    }
    let alpha = page(&site, "case-studies/alpha/index.html");
    for filter in [
        "<span data-pagefind-filter=\"Type of page\">Case study</span>",
        "<span data-pagefind-filter=\"Stage\">scale</span>",
        "<span data-pagefind-filter=\"Perspective\">Practitioners</span>",
        "<span data-pagefind-filter=\"Theme\">Workforce</span>",
        "<h1 data-pagefind-meta=\"title\">Alpha project</h1>",
    ] {
        assert!(alpha.contains(filter), "case study lacks {filter}");
    }
}

#[test]
fn search_off_writes_no_bundle_and_no_search_link() {
    // Off by default, and `--no-search` overrides site.toml.
    let plain = Review::fixture("build/basic");
    let forced_off = searchable_review();
    for (review, args) in [
        (&plain, vec!["build"]),
        (&forced_off, vec!["build", "--no-search"]),
    ] {
        let run = review.run(&args);
        assert!(run.ok(), "build failed:\n{}", run.stderr);
        assert!(!run.stdout.contains("search index"), "{}", run.stdout);
        let site = review.path("public");
        assert!(site.join("index.html").is_file());
        assert!(!site.join("pagefind").exists(), "{args:?} wrote a bundle");
        assert!(
            !site.join("search").exists(),
            "{args:?} wrote a search page"
        );
        for (path, html) in pages(&site) {
            assert!(
                !html.contains("/search/\"") && !html.contains("pagefind-ui"),
                "{args:?}: {} links to search",
                path.display()
            );
        }
    }
}

#[test]
fn search_flag_turns_search_on_without_site_toml() {
    let review = Review::fixture("build/basic");
    let run = review.run(&["build", "--search"]);
    assert!(run.ok(), "build failed:\n{}", run.stderr);
    let site = review.path("public");
    assert!(site.join("search/index.html").is_file());
    assert_eq!(indexed_pages(&site), INDEXED.len() as u64);
    // The last of the two flags wins.
    let run = review.run(&["build", "--search", "--no-search"]);
    assert!(run.ok(), "build failed:\n{}", run.stderr);
    assert!(!site.join("pagefind").exists());
}

#[test]
fn unknown_search_key_is_located() {
    let review = Review::fixture("build/basic");
    let config = review.read("site.toml");
    review.write(
        "site.toml",
        &format!("{config}\n[search]\nenabeld = true\n"),
    );
    let run = review.run(&["check", "--format", "json"]);
    assert_eq!(run.code(), Some(1), "{}", run.stdout);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("config-unknown-key"))
        .unwrap_or_else(|| panic!("no config-unknown-key in {}", run.stdout));
    let d: serde_json::Value = serde_json::from_str(line).expect("json");
    assert!(d["message"].as_str().is_some_and(|m| m.contains("enabeld")));
    assert_eq!(d["hint"], "did you mean `enabled`?");
    let expected_line = config.lines().count() + 3;
    assert_eq!(d["line"], expected_line as u64, "{line}");
}

/// Runs `search/query.mjs` on a built bundle. `None` when Node cannot run, after saying so
/// (under CI, where `.ci/run` installs it, that fails the test instead).
fn query(site: &Path, request: &serde_json::Value) -> Option<serde_json::Value> {
    query_bundle(site.join("pagefind").as_os_str(), request)
}

/// [`query`] on a bundle given as a folder or, as `tessera serve` serves it, a URL.
pub(crate) fn query_bundle(
    bundle: &std::ffi::OsStr,
    request: &serde_json::Value,
) -> Option<serde_json::Value> {
    let output = match Command::new("node")
        .arg(fixture_path("search/query.mjs"))
        .arg(bundle)
        .arg(request.to_string())
        .output()
    {
        Ok(output) => output,
        Err(err) => {
            cannot_run(&format!("cannot run `node` ({err}) to query the index"));
            return None;
        }
    };
    assert!(
        output.status.success(),
        "query {request} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("query prints JSON"))
}

pub(crate) fn urls(found: &serde_json::Value) -> Vec<&str> {
    found["urls"]
        .as_array()
        .expect("urls")
        .iter()
        .map(|u| u.as_str().expect("url"))
        .collect()
}

#[test]
fn a_query_finds_a_case_study_by_a_word_in_its_body_and_filters_narrow_it() {
    let review = searchable_review();
    let site = review.build(&[]);
    let Some(found) = query(&site, &serde_json::json!({ "term": BODY_WORD })) else {
        return;
    };
    assert_eq!(urls(&found), ["/case-studies/beta/"], "{found}");
    assert_eq!(found["titles"][0], "Beta project");

    let nothing = query(&site, &serde_json::json!({ "term": "xylophones" })).expect("node");
    assert_eq!(urls(&nothing), Vec::<&str>::new());

    // Filters: every case study by type of page, one by stage; and a word with a filter
    // that excludes its page finds nothing.
    let filters = &found["filters"];
    assert_eq!(filters["Type of page"]["Case study"], 2, "{filters}");
    assert_eq!(filters["Type of page"]["Theme"], 2, "{filters}");
    assert_eq!(filters["Stage"]["test"], 1, "{filters}");
    let by_stage = query(
        &site,
        &serde_json::json!({ "term": null, "filters": { "Stage": "test" } }),
    )
    .expect("node");
    assert_eq!(urls(&by_stage), ["/case-studies/beta/"], "{by_stage}");
    let excluded = query(
        &site,
        &serde_json::json!({ "term": BODY_WORD, "filters": { "Type of page": "Theme" } }),
    )
    .expect("node");
    assert_eq!(urls(&excluded), Vec::<&str>::new());
}

#[test]
fn a_portable_build_keeps_index_html_in_result_urls() {
    let review = searchable_review();
    let site = review.build(&["--portable"]);
    let Some(found) = query(&site, &serde_json::json!({ "term": BODY_WORD })) else {
        return;
    };
    assert_eq!(urls(&found), ["/case-studies/beta/index.html"], "{found}");
}
