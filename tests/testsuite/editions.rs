//! The annual cycle: a small review frozen with `tessera snapshot`, edited into its next
//! edition and built again. The `/changes/` page, the lines on claim and case-study pages
//! and `data/changes.json` must say exactly what moved; every unusable snapshot or
//! `[editions]` setting is a located error that writes nothing.

use serde_json::{Value, json};

use crate::support::{Review, broken_links, built_sample, page};

const NEXT_EDITION: &str = r#"
[editions]
previous = "editions/2025.json"
previous_url = "https://example.org/fixture/2025/"
archive = [{ edition = 2025, url = "https://example.org/fixture/2025/" }]
index_url = "../editions.json"
"#;

/// The fixture's 2025 edition, frozen.
fn frozen() -> Review {
    let review = Review::fixture("editions/review");
    let run = review.run(&["snapshot"]);
    assert!(run.ok(), "snapshot failed:\n{}", run.stderr);
    assert!(
        run.stdout
            .contains("Wrote editions/2025.json (4 case studies, 7 findings)"),
        "{}",
        run.stdout
    );
    review
}

/// Turns the frozen 2025 edition into the 2026 one: Delta and its claim removed, Gamma and
/// a new claim added, a stance flipped in Alpha (edition raised) and in Beta (edition not
/// raised, summary changed), Epsilon left alone.
fn next_edition(review: &Review) {
    let site = review.read("site.toml").replace(
        "base_url = \"https://example.org/fixture/2025/\"\nedition = 2025",
        "base_url = \"https://example.org/fixture/2026/\"\nedition = 2026",
    );
    review.write("site.toml", &format!("{site}{NEXT_EDITION}"));
    std::fs::remove_file(review.path("content/case-studies/delta.md")).expect("remove delta");
    std::fs::remove_file(review.path("content/claims/saves-money.md")).expect("remove claim");
    let alpha = review
        .read("content/case-studies/alpha.md")
        .replace("edition: 2025", "edition: 2026")
        .replacen("stance: supports", "stance: challenges", 1);
    review.write("content/case-studies/alpha.md", &alpha);
    let beta = review
        .read("content/case-studies/beta.md")
        .replace(
            "summary: Another fictional programme.",
            "summary: Another programme, revisited.",
        )
        .replace(
            "    stance: supports\n    perspective: evaluators\n    certainty: moderate",
            "    stance: challenges\n    perspective: evaluators\n    certainty: high",
        );
    review.write("content/case-studies/beta.md", &beta);
    review.write(
        "content/case-studies/gamma.md",
        "---\ntitle: Gamma project\nsummary: New this year.\nstage: develop\nedition: 2026\nfindings:\n  - claim: improves-practice\n    stance: supports\n    certainty: low\n    source: one2020\n  - claim: improves-wellbeing\n    stance: supports\n    source: one2020\n  - claim: new-claim\n    stance: mixed\n    certainty: moderate\n    source: two2021\n---\nGamma body.\n",
    );
    review.write(
        "content/claims/new-claim.md",
        "---\ntitle: A new claim\nsummary: Asked for the first time.\n---\n",
    );
}

/// The review, frozen, edited and built; with the build's stderr.
fn built_next_edition() -> (Review, String) {
    let review = frozen();
    next_edition(&review);
    let run = review.run(&["build"]);
    assert!(run.ok(), "build failed:\n{}", run.stderr);
    (review, run.stderr)
}

/// The text of an element, tags removed and white space collapsed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The items of a `/changes/` section (each `<li>`'s text), or `["None."]` when it says so.
fn section_items(html: &str, id: &str) -> Vec<String> {
    let start = html
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section `{id}`"));
    let section = &html[start..start + html[start..].find("</section>").expect("section end")];
    let items: Vec<String> = section
        .split("<li>")
        .skip(1)
        .map(|item| text(item.split("</li>").next().unwrap_or(item)))
        .collect();
    if items.is_empty() {
        vec![text(section.split("</h2>").nth(1).unwrap_or(""))]
    } else {
        items
    }
}

#[test]
fn the_changes_page_lists_exactly_what_moved_in_each_section() {
    let (review, _) = built_next_edition();
    let html = page(&review.path("public"), "changes/index.html");
    assert!(html.contains("<h1>What changed since the 2025 edition</h1>"));
    let expected: [(&str, Vec<&str>); 11] = [
        ("case-studies-added", vec!["Gamma project"]),
        (
            "case-studies-updated",
            vec![
                "Alpha project: 1 finding with a new stance or certainty",
                "Beta project: 1 finding with a new stance or certainty; summary changed",
            ],
        ),
        ("case-studies-removed", vec!["Delta project"]),
        (
            "findings-added",
            vec![
                "Gamma project on Improves practice: Supports (low certainty) Source: First fictional report (2020)",
                "Gamma project on Improves wellbeing: Supports Source: First fictional report (2020)",
                "Gamma project on A new claim: Mixed (moderate certainty) Source: Second fictional report (2021)",
            ],
        ),
        (
            "findings-removed",
            vec![
                "Delta project on Saves money: Supports (low certainty) Source: First fictional report (2020)",
            ],
        ),
        (
            "findings-changed",
            vec![
                "Alpha project on Reduces care entry: Supports (moderate certainty) → Challenges (moderate certainty) Source: First fictional report (2020)",
                "Beta project on Improves practice: Supports (moderate certainty) → Challenges (high certainty) Source: Second fictional report (2021)",
            ],
        ),
        (
            "claims-now-contested",
            vec![
                "Improves practice Now contested: 3 supporting, 1 challenging; was 3 supporting Before Supports: 3 Mixed: 0 Challenges: 0 Now Supports: 3 Mixed: 0 Challenges: 1",
            ],
        ),
        (
            "claims-no-longer-contested",
            vec![
                "Reduces care entry No longer contested: 2 challenging; was 1 supporting, 1 challenging Before Supports: 1 Mixed: 0 Challenges: 1 Now Supports: 0 Mixed: 0 Challenges: 2",
            ],
        ),
        (
            "claims-shifted",
            vec![
                "Improves wellbeing Balance shifted: 2 supporting; was 1 supporting Before Supports: 1 Mixed: 0 Challenges: 0 Now Supports: 2 Mixed: 0 Challenges: 0",
            ],
        ),
        (
            "claims-added",
            vec!["A new claim New: 1 mixed Now Supports: 0 Mixed: 1 Challenges: 0"],
        ),
        (
            "claims-removed",
            vec!["Saves money Removed; was 1 supporting Before Supports: 1 Mixed: 0 Challenges: 0"],
        ),
    ];
    for (id, items) in expected {
        assert_eq!(section_items(&html, id), items, "section `{id}`");
    }
    // A removed case study links to its page in the previous edition.
    assert!(html.contains(
        r#"<a href="https://example.org/fixture/2025/case-studies/delta/">Delta project</a>"#
    ));
    let start = html.find("<ul class=\"change-summary\">").expect("summary");
    let summary = text(&html[start..start + html[start..].find("</ul>").expect("end")]);
    assert!(
        summary
            == "1 case study added, 2 updated, 1 removed 3 findings added, 1 removed, 2 with a new stance or certainty 1 claim now contested, 1 no longer contested, 1 with a shifted balance; 1 added, 1 removed",
        "{summary}"
    );
    assert!(broken_links(&review.path("public")).is_empty());
}

#[test]
fn an_empty_section_says_none() {
    let review = frozen();
    let site = review
        .read("site.toml")
        .replace("edition = 2025", "edition = 2026");
    review.write("site.toml", &format!("{site}{NEXT_EDITION}"));
    let site = review.build(&[]);
    let html = page(&site, "changes/index.html");
    for id in [
        "case-studies-added",
        "case-studies-updated",
        "case-studies-removed",
        "findings-added",
        "findings-removed",
        "findings-changed",
        "claims-now-contested",
        "claims-no-longer-contested",
        "claims-shifted",
        "claims-added",
        "claims-removed",
    ] {
        assert_eq!(section_items(&html, id), ["None."], "section `{id}`");
    }
}

/// The `edition-change` line of a page, as text.
fn change_line(html: &str) -> Option<String> {
    let start = html.find("<p class=\"edition-change")?;
    Some(text(&html[start..start + html[start..].find("</p>")?]))
}

#[test]
fn claim_and_case_study_pages_say_how_they_changed() {
    let (review, _) = built_next_edition();
    let site = review.path("public");
    let line = |page_path: &str| change_line(&page(&site, page_path));
    assert_eq!(
        line("claims/improves-practice/index.html").as_deref(),
        Some(
            "Since the 2025 edition: now contested: 3 supporting, 1 challenging; was 3 supporting"
        )
    );
    assert_eq!(
        line("claims/reduces-care-entry/index.html").as_deref(),
        Some(
            "Since the 2025 edition: no longer contested: 2 challenging; was 1 supporting, 1 challenging"
        )
    );
    assert_eq!(
        line("claims/new-claim/index.html").as_deref(),
        Some("New in the 2026 edition: 1 mixed")
    );
    assert_eq!(
        line("case-studies/gamma/index.html").as_deref(),
        Some("New in the 2026 edition")
    );
    assert_eq!(
        line("case-studies/alpha/index.html").as_deref(),
        Some("Updated since the 2025 edition: 1 finding with a new stance or certainty")
    );
    assert_eq!(line("case-studies/epsilon/index.html"), None, "unchanged");
    // The index can filter on what changed.
    let index = page(&site, "case-studies/index.html");
    assert!(index.contains("<label for=\"f-changed-true\">Changed since the 2025 edition</label>"));
    assert_eq!(index.matches(" data-changed=\"true\"").count(), 3);
    // Footer: the other editions, linked without JavaScript; the banner's data.
    let home = page(&site, "index.html");
    assert!(home.contains(r#"<a href="https://example.org/fixture/2025/">2025 edition</a>"#));
    assert!(
        home.contains(r#"data-edition="2026""#)
            && home.contains(r#"data-index="./../editions.json""#)
    );
    let editions: Value = serde_json::from_str(&review.read("public/editions.json")).expect("json");
    assert_eq!(
        editions,
        json!({"editions": [
            {"edition": 2026, "url": "https://example.org/fixture/2026/", "latest": true, "current": true},
            {"edition": 2025, "url": "https://example.org/fixture/2025/", "latest": false, "current": false},
        ]})
    );
}

#[test]
fn changes_json_says_the_same_as_the_page() {
    let (review, _) = built_next_edition();
    let changes: Value =
        serde_json::from_str(&review.read("public/data/changes.json")).expect("changes.json");
    assert_eq!(changes["previous_edition"], json!(2025));
    assert_eq!(changes["edition"], json!(2026));
    assert_eq!(
        changes["summary"],
        json!({
            "case_studies_added": 1, "case_studies_updated": 2, "case_studies_removed": 1,
            "findings_added": 3, "findings_removed": 1, "findings_changed": 2,
            "claims_now_contested": 1, "claims_no_longer_contested": 1, "claims_shifted": 1,
            "claims_added": 1, "claims_removed": 1,
        })
    );
    let slugs = |key: &str, path: &[&str]| -> Vec<String> {
        changes[key]
            .as_array()
            .expect("list")
            .iter()
            .map(|item| {
                let mut v = item;
                for p in path {
                    v = &v[*p];
                }
                v.as_str().expect("slug").to_string()
            })
            .collect()
    };
    assert_eq!(slugs("case_studies_updated", &["slug"]), ["alpha", "beta"]);
    assert_eq!(
        changes["case_studies_updated"][1]["fields"],
        json!(["summary"])
    );
    assert_eq!(
        changes["case_studies_removed"][0]["url"],
        json!("https://example.org/fixture/2025/case-studies/delta/")
    );
    assert_eq!(slugs("claims_removed", &["claim", "slug"]), ["saves-money"]);
    let flipped = &changes["findings_changed"][0];
    assert_eq!(
        (
            flipped["case_study"]["slug"].as_str(),
            flipped["claim"]["slug"].as_str()
        ),
        (Some("alpha"), Some("reduces-care-entry"))
    );
    assert_eq!(
        (flipped["old_stance"].as_str(), flipped["stance"].as_str()),
        (Some("supports"), Some("challenges"))
    );
}

#[test]
fn a_case_study_changed_without_raising_its_edition_is_a_warning_at_the_field() {
    let (_, stderr) = built_next_edition();
    assert!(
        stderr.contains("warning[edition-not-bumped]: `beta` changed since the 2025 edition (1 finding with a new stance or certainty; summary changed) but still says `edition: 2025`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--> content/case-studies/beta.md:5:10"),
        "{stderr}"
    );
    assert!(stderr.contains("set `edition: 2026`"), "{stderr}");
    assert_eq!(
        stderr.matches("edition-not-bumped").count(),
        1,
        "Alpha was raised"
    );
}

#[test]
fn snapshot_never_replaces_one_without_force() {
    let review = frozen();
    let before = review.read("editions/2025.json");
    review.write(
        "content/case-studies/alpha.md",
        &review
            .read("content/case-studies/alpha.md")
            .replace("A fictional programme.", "Changed."),
    );
    let run = review.run(&["snapshot"]);
    assert_eq!(run.code(), Some(1));
    assert!(
        run.stderr
            .contains("error[snapshot-exists]: editions/2025.json already exists"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("tessera snapshot --force"),
        "{}",
        run.stderr
    );
    assert_eq!(review.read("editions/2025.json"), before, "unchanged");

    let run = review.run(&["snapshot", "--force"]);
    assert!(run.ok(), "{}", run.stderr);
    let after: Value = serde_json::from_str(&review.read("editions/2025.json")).expect("json");
    assert_eq!(after["case_studies"][0]["summary"], json!("Changed."));
    // A snapshot is the same document as data/review.json.
    let site = review.build(&[]);
    assert_eq!(
        std::fs::read_to_string(site.join("data/review.json")).expect("review.json"),
        review.read("editions/2025.json")
    );
}

#[test]
fn snapshot_needs_an_edition() {
    let review = Review::fixture("editions/review");
    review.write(
        "site.toml",
        &review.read("site.toml").replace("edition = 2025\n", ""),
    );
    let run = review.run(&["snapshot"]);
    assert_eq!(run.code(), Some(1));
    assert!(
        run.stderr.contains("error[edition-missing]"),
        "{}",
        run.stderr
    );
    assert!(!review.path("editions").exists());
}

/// Builds a frozen review set up for its next edition after `spoil`, which must fail with
/// `code` at `location`, with a hint, writing nothing.
fn refused(spoil: impl FnOnce(&Review), code: &str, location: &str) {
    let review = frozen();
    let site = review
        .read("site.toml")
        .replace("edition = 2025", "edition = 2026");
    review.write("site.toml", &format!("{site}{NEXT_EDITION}"));
    spoil(&review);
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("error[{code}]")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("--> {location}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("= help: "), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(!review.path("public").exists(), "nothing written");
}

#[test]
fn a_missing_snapshot_is_refused() {
    refused(
        |review| {
            std::fs::remove_file(review.path("editions/2025.json")).expect("remove");
        },
        "edition-snapshot",
        "site.toml:21:1",
    );
}

#[test]
fn an_unreadable_snapshot_is_refused() {
    refused(
        |review| {
            std::fs::remove_file(review.path("editions/2025.json")).expect("remove");
            std::fs::create_dir(review.path("editions/2025.json")).expect("a folder instead");
        },
        "edition-snapshot",
        "site.toml:21:1",
    );
}

#[test]
fn a_corrupt_snapshot_is_refused() {
    refused(
        |review| {
            review.write(
                "editions/2025.json",
                "{\n  \"format\": 1,\n  \"review\": [oops\n",
            )
        },
        "edition-snapshot",
        "editions/2025.json:3:14",
    );
}

#[test]
fn a_snapshot_of_another_format_is_refused() {
    refused(
        |review| {
            let text =
                review
                    .read("editions/2025.json")
                    .replacen("\"format\": 1", "\"format\": 99", 1);
            review.write("editions/2025.json", &text);
        },
        "edition-snapshot-format",
        "editions/2025.json:2:4",
    );
}

#[test]
fn a_snapshot_not_older_than_this_edition_is_refused() {
    refused(
        |review| {
            let site = review
                .read("site.toml")
                .replace("edition = 2026", "edition = 2025");
            review.write("site.toml", &site);
        },
        "edition-snapshot-not-older",
        "site.toml:21:1",
    );
}

#[test]
fn an_archive_entry_without_a_url_is_refused() {
    refused(
        |review| {
            let site = review.read("site.toml").replace(
                "archive = [{ edition = 2025, url = \"https://example.org/fixture/2025/\" }]",
                "archive = [{ edition = 2024 }]",
            );
            review.write("site.toml", &site);
        },
        "config-archive-url",
        "site.toml:23:24",
    );
}

#[test]
fn a_failed_build_leaves_the_last_site_as_it_was() {
    let review = frozen();
    let site = review
        .read("site.toml")
        .replace("edition = 2025", "edition = 2026");
    review.write("site.toml", &format!("{site}{NEXT_EDITION}"));
    let public = review.build(&[]);
    let before = crate::support::snapshot(&public);
    review.write("editions/2025.json", "not json");
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(crate::support::snapshot(&public), before);
}

#[test]
fn the_sample_changes_page_is_built_with_every_section_and_no_broken_link() {
    let site = built_sample();
    let html = page(site, "changes/index.html");
    assert!(html.contains("<h1>What changed since the 2025 edition</h1>"));
    for id in [
        "case-studies-added",
        "case-studies-updated",
        "case-studies-removed",
        "findings-added",
        "findings-removed",
        "findings-changed",
        "claims-now-contested",
        "claims-no-longer-contested",
        "claims-shifted",
        "claims-added",
        "claims-removed",
    ] {
        assert!(!section_items(&html, id).is_empty(), "section `{id}`");
    }
    // The sample's 2025 edition is a strict subset: the 2026 edition only adds.
    assert_eq!(section_items(&html, "case-studies-removed"), ["None."]);
    assert_eq!(section_items(&html, "findings-removed"), ["None."]);
    assert_ne!(section_items(&html, "case-studies-added"), ["None."]);
    let broken: Vec<String> = broken_links(site)
        .into_iter()
        .filter(|b| b.starts_with("changes/"))
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn the_sample_2025_snapshot_holds_nothing_that_is_not_in_todays_content() {
    let old: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::repo().join("editions/2025.json"))
            .expect("editions/2025.json"),
    )
    .expect("parses");
    let now: Value = serde_json::from_str(
        &std::fs::read_to_string(built_sample().join("data/review.json")).expect("review.json"),
    )
    .expect("parses");
    assert_eq!(old["review"]["edition"], json!(2025));
    let by_slug = |data: &Value, key: &str| -> std::collections::BTreeMap<String, Value> {
        data[key]
            .as_array()
            .expect("list")
            .iter()
            .map(|v| (v["slug"].as_str().expect("slug").to_string(), v.clone()))
            .collect()
    };
    let today = by_slug(&now, "case_studies");
    for (slug, mut was) in by_slug(&old, "case_studies") {
        let mut is = today
            .get(&slug)
            .unwrap_or_else(|| panic!("`{slug}` is not in today's content"))
            .clone();
        // Findings and sources may have been left out (those published after 2025);
        // everything else is as today.
        for list in ["findings", "sources"] {
            let then = was[list].take();
            let now = is[list].take();
            let now = now.as_array().expect("a list");
            for item in then.as_array().expect("a list") {
                assert!(
                    now.contains(item),
                    "`{slug}`: {list} {item} is not in today's content"
                );
            }
        }
        assert_eq!(was, is, "`{slug}`: every other field as today");
    }
    let claims_today = by_slug(&now, "claims");
    for (slug, claim) in by_slug(&old, "claims") {
        let is = &claims_today[&slug];
        assert_eq!(
            (&claim["title"], &claim["summary"]),
            (&is["title"], &is["summary"]),
            "claim `{slug}`"
        );
    }
}

#[test]
fn a_portable_changes_page_links_files_not_folders() {
    let review = frozen();
    next_edition(&review);
    let site = review.build(&["--portable"]);
    let html = page(&site, "changes/index.html");
    let folders: Vec<&str> = crate::support::attribute_values(&html, "href")
        .into_iter()
        .filter(|h| !h.contains("://") && !h.starts_with('#'))
        .filter(|h| {
            let path = h.split('#').next().unwrap_or(h);
            // A folder: ends in `/`, or its last segment has no extension.
            !path
                .rsplit('/')
                .next()
                .is_some_and(|last| last.contains('.'))
        })
        .collect();
    assert!(folders.is_empty(), "links to folders: {folders:?}");
    assert!(html.contains(r#"<a href="../case-studies/gamma/index.html">Gamma project</a>"#));
    assert!(broken_links(&site).is_empty());
}

/// Headless Chromium's `--dump-dom` of `url`, after its scripts ran. `None` when Chromium
/// is not installed (outside CI: CI must have it, so there the test fails instead).
fn dump_dom(url: &str) -> Option<String> {
    let profile = tempfile::tempdir().expect("profile dir");
    // `timeout`: headless Chromium can stay up after dumping the page (seen here: minutes);
    // the DOM is already on stdout by then. `--timeout` stops loading after 15 s.
    let output = std::process::Command::new("timeout")
        .args([
            "-s",
            "KILL",
            "60",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--virtual-time-budget=5000",
            "--timeout=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .output();
    // `timeout` itself runs even when Chromium is missing: it then exits with 127.
    let missing = match output {
        Ok(output) if output.status.code() != Some(NOT_FOUND) => {
            return Some(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        Ok(output) => String::from_utf8_lossy(&output.stderr).trim().to_string(),
        Err(err) => err.to_string(),
    };
    if std::env::var_os("CI").is_some() {
        panic!("CI must have chromium to check the edition banner: {missing}");
    }
    eprintln!("skipped: the banner test needs `chromium` ({missing})");
    None
}

/// The exit status of `timeout` (and of shells) when the command cannot be found.
const NOT_FOUND: i32 = 127;

/// Serves `folder` over HTTP on a free port, in a thread that lives as long as the test.
fn serve_folder(folder: std::path::PathBuf) -> u16 {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("start a server");
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .expect("a port");
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let path = request
                .url()
                .split('?')
                .next()
                .unwrap_or("/")
                .trim_start_matches('/');
            let mut file = folder.join(path);
            if file.is_dir() {
                file = file.join("index.html");
            }
            let response = match std::fs::read(&file) {
                Ok(bytes) => {
                    let kind = match file.extension().and_then(|e| e.to_str()) {
                        Some("html") => "text/html; charset=utf-8",
                        Some("js") => "text/javascript",
                        Some("json") => "application/json",
                        Some("css") => "text/css",
                        _ => "application/octet-stream",
                    };
                    let header =
                        tiny_http::Header::from_bytes("Content-Type", kind).expect("header");
                    tiny_http::Response::from_data(bytes)
                        .with_header(header)
                        .boxed()
                }
                Err(_) => tiny_http::Response::from_string("not found")
                    .with_status_code(404)
                    .boxed(),
            };
            let _ = request.respond(response);
        }
    });
    port
}

#[test]
fn an_older_edition_shows_a_banner_pointing_to_the_newest() {
    // The hosting layout the README describes: one folder per edition, the index beside.
    let hosting = tempfile::tempdir().expect("hosting dir");
    let review = Review::fixture("editions/review");
    review.write(
        "site.toml",
        &format!(
            "{}\n[editions]\nindex_url = \"../editions.json\"\n",
            review.read("site.toml")
        ),
    );
    let out = hosting.path().join("2025");
    let run = review.run(&["build", "--output", &out.to_string_lossy()]);
    assert!(run.ok(), "{}", run.stderr);
    let index = |latest: i64| {
        let text = json!({"editions": [
            {"edition": 2026, "url": "https://example.org/fixture/2026/", "latest": latest == 2026},
            {"edition": 2025, "url": "https://example.org/fixture/2025/", "latest": latest == 2025},
        ]});
        std::fs::write(hosting.path().join("editions.json"), text.to_string()).expect("index");
    };
    let port = serve_folder(hosting.path().to_path_buf());
    let url = format!("http://127.0.0.1:{port}/2025/case-studies/alpha/");

    index(2026);
    let Some(dom) = dump_dom(&url) else { return };
    let start = dom.find("id=\"edition-banner\"").expect("banner element");
    let banner = &dom[dom[..start].rfind('<').expect("tag")..];
    let banner = &banner[..banner.find("</div>").expect("end")];
    assert!(!banner.contains(" hidden"), "shown: {banner}");
    assert_eq!(
        text(banner),
        "You are reading the 2025 edition; the 2026 edition is here."
    );
    assert!(banner.contains(r#"<a href="https://example.org/fixture/2026/">"#));

    // While 2025 is still the latest, nothing is shown.
    index(2025);
    let dom = dump_dom(&url).expect("chromium ran before");
    let start = dom.find("id=\"edition-banner\"").expect("banner element");
    let banner = &dom[dom[..start].rfind('<').expect("tag")..];
    let banner = &banner[..banner.find("</div>").expect("end")];
    assert!(banner.contains(" hidden"), "hidden: {banner}");
    assert_eq!(text(banner), "");
}

#[test]
fn comparison_copes_with_renamed_values_deleted_claims_and_vanished_themes() {
    let review = frozen();
    let site = review
        .read("site.toml")
        .replace("edition = 2025", "edition = 2026")
        .replace(
            "{ id = \"moderate\" }",
            "{ id = \"medium\", label = \"Medium\" }",
        );
    review.write("site.toml", &format!("{site}{NEXT_EDITION}"));
    std::fs::remove_file(review.path("content/themes/families.md")).expect("remove theme");
    std::fs::remove_file(review.path("content/claims/saves-money.md")).expect("remove claim");
    std::fs::remove_file(review.path("content/case-studies/delta.md")).expect("remove delta");
    for slug in ["alpha", "beta"] {
        let path = format!("content/case-studies/{slug}.md");
        let text = review
            .read(&path)
            .replace("certainty: moderate", "certainty: medium")
            .replace("themes: [families]", "themes: []")
            .replace("edition: 2025", "edition: 2026");
        review.write(&path, &text);
    }
    let public = review.build(&[]);
    let html = page(&public, "changes/index.html");
    assert_eq!(
        section_items(&html, "findings-changed"),
        [
            "Alpha project on Reduces care entry: Supports (moderate certainty) → Supports (medium certainty) Source: First fictional report (2020)",
            "Beta project on Improves practice: Supports (moderate certainty) → Supports (medium certainty) Source: Second fictional report (2021)",
        ]
    );
    assert_eq!(
        section_items(&html, "case-studies-updated"),
        [
            "Alpha project: 1 finding with a new stance or certainty",
            "Beta project: 1 finding with a new stance or certainty; themes changed",
        ]
    );
    assert_eq!(
        section_items(&html, "claims-removed"),
        ["Saves money Removed; was 1 supporting Before Supports: 1 Mixed: 0 Challenges: 0"]
    );
    assert!(broken_links(&public).is_empty());
}

#[test]
fn a_previous_edition_without_a_current_one_is_refused() {
    refused(
        |review| {
            let site = review.read("site.toml").replace("edition = 2026\n", "");
            review.write("site.toml", &site);
        },
        "edition-missing",
        "site.toml:20:1",
    );
}

/// `serve` rebuilds through a `Compiler`, which reuses the data files when the data did not
/// change: after each edit they must be what a fresh build writes.
#[test]
fn rebuilds_write_the_same_data_files_as_a_fresh_build() {
    let review = frozen();
    next_edition(&review);
    let options = tessera::BuildOptions {
        root: review.root.clone(),
        ..Default::default()
    };
    let data = |site: &tessera::Site| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut files: Vec<_> = site
            .files
            .iter()
            .filter(|f| {
                f.path
                    .extension()
                    .is_some_and(|e| e == "json" || e == "csv")
            })
            .map(|f| (f.path.clone(), f.contents.to_vec()))
            .collect();
        files.sort();
        files
    };
    let fresh = || {
        data(&tessera::compile(&options).unwrap_or_else(|d| panic!("{}", d.render_human(false))))
    };
    let mut compiler = tessera::Compiler::new();
    let first = compiler.compile(&options).expect("compiles");
    assert_eq!(data(&first), fresh());
    assert_eq!(
        data(&first).len(),
        6,
        "review.json, 3 tables, changes.json, editions.json"
    );
    for (file, from, to) in [
        (
            "content/case-studies/gamma.md",
            "Gamma body.",
            "Gamma body, edited.",
        ),
        (
            "content/case-studies/gamma.md",
            "stance: mixed",
            "stance: challenges",
        ),
    ] {
        let path = review.path(file);
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, text.replace(from, to)).expect("write");
        let site = compiler
            .compile_changed(&options, &[std::path::PathBuf::from(file)])
            .unwrap_or_else(|d| panic!("{}", d.render_human(false)));
        assert_eq!(data(&site), fresh(), "after replacing {from:?}");
    }
    // The last edit changed the data: the new claim's balance moved.
    let site = compiler.compile(&options).expect("compiles");
    let file = site
        .files
        .iter()
        .find(|f| f.path.ends_with("data/changes.json"))
        .expect("changes.json");
    let changes: Value = serde_json::from_slice(&file.contents).expect("json");
    assert_eq!(
        changes["claims_added"][0]["description"],
        json!("new: 1 challenging")
    );
}
