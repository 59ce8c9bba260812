//! The sample review in `content/`: it builds, checks clean, browses with no broken link,
//! and is big enough to show what tessera is for (issue 6's minimums, raised by issue 16:
//! the whole UK and every voice the perspective facet defines).

use crate::support::{broken_links, built_sample, page, repo, tessera};

fn count_files(folder: &str) -> usize {
    std::fs::read_dir(repo().join("content").join(folder))
        .expect("content folder")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .count()
}

#[test]
fn sample_review_checks_clean_with_no_warnings() {
    let root = repo().to_string_lossy().into_owned();
    let run = tessera(&["check", "--root", &root, "--deny-warnings"], &repo());
    assert!(
        run.ok(),
        "the sample review must check clean:\n{}",
        run.stderr
    );
    assert!(run.stdout.contains("No problems found."));
}

#[test]
fn sample_review_meets_the_minimum_size() {
    assert!(
        count_files("case-studies") >= 18,
        "at least 18 case studies"
    );
    assert!(count_files("themes") >= 8, "at least 8 themes");
    assert!(count_files("claims") >= 10, "at least 10 claims");
    for page in ["_index.md", "methodology.md", "about.md"] {
        assert!(
            repo().join("content").join(page).is_file(),
            "{page} is missing"
        );
    }
    let references =
        std::fs::read_to_string(repo().join("content/references.yaml")).expect("bibliography");
    let entries = references
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '-']) && l.ends_with(':'))
        .count();
    assert!(entries >= 15, "at least 15 references, found {entries}");
}

/// The front matter of every sample case study (the lines between its two `---` fences),
/// by file name.
fn case_study_front_matter() -> Vec<(String, String)> {
    let folder = repo().join("content").join("case-studies");
    let mut all = Vec::new();
    for entry in std::fs::read_dir(&folder)
        .expect("case-studies folder")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("case study");
        let front = text
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---").map(|(front, _)| front.to_owned()))
            .unwrap_or_else(|| panic!("{} has no front matter", path.display()));
        all.push((path.display().to_string(), front));
    }
    all
}

/// The values a front-matter key takes across all sample case studies, one per occurrence
/// (`region` once per file, `perspective` once per finding).
fn values_of(key: &str) -> Vec<String> {
    let prefix = format!("{key}: ");
    case_study_front_matter()
        .iter()
        .flat_map(|(_, front)| {
            front
                .lines()
                .filter_map(|line| line.trim_start().strip_prefix(prefix.as_str()))
                .map(|value| value.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn sample_review_covers_the_whole_uk_and_every_voice() {
    let regions = values_of("region");
    let outside_england = regions
        .iter()
        .filter(|r| ["Wales", "Scotland", "Northern Ireland"].contains(&r.as_str()))
        .count();
    assert!(
        outside_england >= 3,
        "at least 3 case studies from Wales, Scotland or Northern Ireland, found {outside_england} in {regions:?}"
    );
    let perspectives = values_of("perspective");
    let count = |voice: &str| perspectives.iter().filter(|p| *p == voice).count();
    assert!(
        count("practitioners") >= 5,
        "at least 5 findings in practitioners' voice, found {}",
        count("practitioners")
    );
    assert!(
        count("young-people") >= 3,
        "at least 3 findings in children and young people's voice, found {}",
        count("young-people")
    );
}

#[test]
fn sample_review_has_at_least_five_contested_claims() {
    let site = built_sample();
    let list = page(site, "contradictions/index.html");
    let contested: std::collections::HashSet<&str> =
        crate::support::attribute_values(&list, "href")
            .into_iter()
            .filter(|h| h.starts_with("../claims/") && *h != "../claims/")
            .collect();
    let contested = contested.len();
    assert!(
        contested >= 5,
        "at least 5 contested claims listed, found {contested}"
    );
}

#[test]
fn every_finding_cites_a_source_that_resolves() {
    // `check --deny-warnings` above fails on a finding without a source (a warning) and on
    // a source key missing from the bibliography (an error); here we also see the
    // citation text on every claim page's finding cards.
    let site = built_sample();
    for entry in std::fs::read_dir(site.join("claims"))
        .expect("claims folder")
        .filter_map(Result::ok)
    {
        let path = entry.path().join("index.html");
        if !path.is_file() {
            continue;
        }
        let html = std::fs::read_to_string(&path).expect("claim page");
        let cards = html.matches("<article class=\"card finding ").count();
        let sources = html.matches("class=\"citation").count();
        assert!(cards > 0, "{} shows no finding", path.display());
        assert!(
            sources >= cards,
            "{}: {cards} findings but {sources} citations",
            path.display()
        );
    }
}

#[test]
fn sample_site_browses_with_no_broken_link() {
    assert_eq!(broken_links(built_sample()), Vec::<String>::new());
}

#[test]
fn build_output_contains_no_reload_script() {
    let site = built_sample();
    for html in crate::support::pages(site).values() {
        assert!(
            !html.contains("__tessera"),
            "build output must not carry serve's reload script"
        );
    }
}

/// Every file of a built site, relative path → bytes.
fn files(site: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(site).expect("prefix").to_path_buf();
            (relative, std::fs::read(e.path()).expect("read file"))
        })
        .collect()
}

/// Two builds of the same review write the same bytes: nothing a reader sees may depend on
/// the order a hash map happens to iterate in (the sentences comparing a claim's two sides
/// once did, and the sample's claim and print pages changed from build to build).
#[test]
fn the_sample_builds_to_the_same_bytes_every_time() {
    let again = crate::support::Review::sample();
    let first = files(built_sample());
    let second = files(&again.build(&[]));
    let differing: Vec<_> = first
        .keys()
        .chain(second.keys())
        .filter(|path| first.get(*path) != second.get(*path))
        .collect();
    assert!(
        differing.is_empty(),
        "differ between two builds: {differing:?}"
    );
    assert!(first.len() > 200, "the sample writes {} files", first.len());
}
