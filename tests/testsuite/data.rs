//! Open data: `data/review.json` and the CSV tables of the built sample hold exactly what
//! the content says (read here independently of tessera, from the files themselves), and
//! the `/data/` page documents every file and column.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use crate::support::{built_sample, page, repo};

/// A content file's front matter as JSON, read with serde-saphyr.
fn front_matter(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read content file");
    let rest = text
        .strip_prefix("---\n")
        .expect("front matter opens the file");
    let end = rest.find("\n---").expect("front matter closes");
    serde_saphyr::from_str(&rest[..end]).expect("front matter parses")
}

/// Every `*.md` in a content folder, by slug (file stem).
fn content(folder: &str) -> BTreeMap<String, Value> {
    std::fs::read_dir(repo().join("content").join(folder))
        .expect("content folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| {
            let slug = p.file_stem().expect("stem").to_string_lossy().into_owned();
            (slug, front_matter(&p))
        })
        .filter(|(_, fm)| fm.get("draft") != Some(&Value::Bool(true)))
        .collect()
}

fn review_json() -> Value {
    let text =
        std::fs::read_to_string(built_sample().join("data/review.json")).expect("review.json");
    serde_json::from_str(&text).expect("review.json parses")
}

/// A front-matter field as data holds it: absent lists are empty, absent values null.
fn field(fm: &Value, name: &str, absent: Value) -> Value {
    fm.get(name).cloned().unwrap_or(absent)
}

/// What the data must say about a case study, from its front matter alone.
fn expected_case_study(slug: &str, fm: &Value) -> Value {
    let findings: Vec<Value> = fm
        .get("findings")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|f| {
                    json!({
                        "claim": f["claim"],
                        "stance": f["stance"],
                        "perspective": field(f, "perspective", Value::Null),
                        "design": field(f, "design", Value::Null),
                        "certainty": field(f, "certainty", Value::Null),
                        "source": field(f, "source", Value::Null),
                        "locator": field(f, "locator", Value::Null),
                        "note": field(f, "note", Value::Null),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let period = fm.get("period").cloned().unwrap_or(json!({}));
    json!({
        "slug": slug,
        "url": format!("case-studies/{slug}/"),
        "title": fm["title"],
        "summary": fm["summary"],
        "organisations": field(fm, "organisations", json!([])),
        "region": field(fm, "region", Value::Null),
        "period": {
            "start": field(&period, "start", Value::Null),
            "end": field(&period, "end", Value::Null),
        },
        "edition": field(fm, "edition", Value::Null),
        "stage": fm["stage"],
        "origin": field(fm, "origin", Value::Null),
        "adapted_from": field(fm, "adapted_from", Value::Null),
        "framed_as": field(fm, "framed_as", json!([])),
        "themes": field(fm, "themes", json!([])),
        "sources": field(fm, "sources", json!([])),
        "draft": field(fm, "draft", json!(false)),
        "extra": field(fm, "extra", json!({})),
        "findings": findings,
    })
}

#[test]
fn review_json_holds_every_case_study_with_its_front_matter() {
    let data = review_json();
    assert_eq!(data["format"], json!(1));
    let case_studies = data["case_studies"].as_array().expect("case_studies");
    let in_data: BTreeMap<&str, &Value> = case_studies
        .iter()
        .map(|c| (c["slug"].as_str().expect("slug"), c))
        .collect();
    let written = content("case-studies");
    assert_eq!(
        in_data.keys().copied().collect::<Vec<_>>(),
        written.keys().map(String::as_str).collect::<Vec<_>>(),
        "one entry per published case study"
    );
    for (slug, fm) in &written {
        assert_eq!(
            *in_data[slug.as_str()],
            expected_case_study(slug, fm),
            "case study `{slug}` in review.json differs from its front matter"
        );
    }
}

#[test]
fn review_json_holds_every_claim_with_its_balance_and_the_review_details() {
    let data = review_json();
    // Counts per stance, from the case studies' front matter.
    let mut counts: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for fm in content("case-studies").values() {
        for f in fm["findings"].as_array().into_iter().flatten() {
            let entry = counts
                .entry(f["claim"].as_str().expect("claim").to_string())
                .or_default();
            match f["stance"].as_str() {
                Some("supports") => entry[0] += 1,
                Some("mixed") => entry[1] += 1,
                Some("challenges") => entry[2] += 1,
                other => panic!("unexpected stance {other:?}"),
            }
        }
    }
    let claims = content("claims");
    let in_data = data["claims"].as_array().expect("claims");
    assert_eq!(in_data.len(), claims.len(), "one entry per claim");
    for claim in in_data {
        let slug = claim["slug"].as_str().expect("slug");
        let fm = &claims[slug];
        let [s, m, c] = counts.get(slug).copied().unwrap_or_default();
        let expected = json!({
            "slug": slug,
            "title": fm["title"],
            "summary": field(fm, "summary", json!("")),
            "url": format!("claims/{slug}/"),
            "themes": field(fm, "themes", json!([])),
            "contested": (s > 0 && c > 0) || m > 0,
            "counts": {"supports": s, "mixed": m, "challenges": c, "total": s + m + c},
        });
        assert_eq!(*claim, expected, "claim `{slug}`");
    }

    let site: toml::Value =
        toml::from_str(&std::fs::read_to_string(repo().join("site.toml")).expect("site.toml"))
            .expect("site.toml parses");
    assert_eq!(data["review"]["title"].as_str(), site["title"].as_str());
    assert_eq!(
        data["review"]["edition"].as_i64(),
        site["edition"].as_integer()
    );
    assert_eq!(
        data["review"]["base_url"].as_str(),
        site["base_url"].as_str()
    );
    let publication = &site["publication"];
    for key in ["corporate_author", "publisher", "licence"] {
        assert_eq!(
            data["review"]["publication"][key].as_str(),
            publication[key].as_str(),
            "review.publication.{key}"
        );
    }
    let facets: Vec<&str> = data["facets"]
        .as_array()
        .expect("facets")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    let declared: Vec<&str> = site["facets"]
        .as_table()
        .expect("facets")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(facets, declared);
    let stage_values: Vec<&str> = data["facets"][0]["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| v["id"].as_str().expect("id"))
        .collect();
    assert_eq!(stage_values, ["develop", "embed", "test", "scale"]);
    let themes = data["themes"].as_array().expect("themes").len();
    assert_eq!(themes, content("themes").len(), "one entry per theme");
}

/// A table: its header and rows, checking the byte-order mark on the way.
fn table(name: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let bytes = std::fs::read(built_sample().join("data").join(name)).expect("table");
    let body = bytes
        .strip_prefix("\u{feff}".as_bytes())
        .unwrap_or_else(|| panic!("{name} starts with a byte-order mark"));
    let mut reader = csv::Reader::from_reader(body);
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{name} parses as CSV: {e}"));
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn each_table_has_one_row_per_case_study_finding_and_claim() {
    let case_studies = content("case-studies");
    let (header, rows) = table("case-studies.csv");
    assert_eq!(header[..4], ["slug", "title", "summary", "url"]);
    let slugs: Vec<&str> = rows.iter().map(|r| r["slug"].as_str()).collect();
    assert_eq!(
        slugs,
        case_studies.keys().map(String::as_str).collect::<Vec<_>>()
    );
    for row in &rows {
        let fm = &case_studies[&row["slug"]];
        assert_eq!(Some(row["title"].as_str()), fm["title"].as_str());
        let themes: Vec<&str> = fm["themes"]
            .as_array()
            .expect("themes")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            row["themes"],
            themes.join("; "),
            "list fields joined with `; `"
        );
        let findings = fm["findings"].as_array().map_or(0, Vec::len);
        assert_eq!(row["findings"], findings.to_string());
    }

    let (header, rows) = table("findings.csv");
    assert_eq!(header[..3], ["case_study", "case_study_title", "position"]);
    let expected: Vec<(String, String, String, String, String)> = case_studies
        .iter()
        .flat_map(|(slug, fm)| {
            fm["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |f| {
                    let text =
                        |key: &str| f.get(key).and_then(Value::as_str).unwrap_or("").to_string();
                    (
                        slug.clone(),
                        fm["title"].as_str().expect("title").to_string(),
                        text("claim"),
                        text("stance"),
                        text("note"),
                    )
                })
        })
        .collect();
    let found: Vec<(String, String, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["case_study"].clone(),
                r["case_study_title"].clone(),
                r["claim"].clone(),
                r["stance"].clone(),
                r["note"].clone(),
            )
        })
        .collect();
    assert_eq!(
        found, expected,
        "one row per finding, in front-matter order"
    );

    let (header, rows) = table("claims.csv");
    assert_eq!(header.last().map(String::as_str), Some("total"));
    let slugs: Vec<&str> = rows.iter().map(|r| r["slug"].as_str()).collect();
    let claims = content("claims");
    assert_eq!(slugs, claims.keys().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn the_data_page_documents_every_file_and_column() {
    let html = page(built_sample(), "data/index.html");
    for (id, file) in [
        ("review-json", "review.json"),
        ("case-studies-csv", "case-studies.csv"),
        ("findings-csv", "findings.csv"),
        ("claims-csv", "claims.csv"),
    ] {
        assert!(
            html.contains(&format!("href=\"../data/{file}\" download")),
            "the data page links {file}"
        );
        let start = html
            .find(&format!("<section id=\"{id}\""))
            .unwrap_or_else(|| panic!("a section for {file}"));
        let section = &html[start..start + html[start..].find("</section>").expect("end")];
        if file.ends_with(".csv") {
            let (header, _) = table(file);
            let documented: Vec<&str> = section
                .split("<th scope=\"row\"><code>")
                .skip(1)
                .filter_map(|s| s.split("</code>").next())
                .collect();
            assert_eq!(
                documented, header,
                "the dictionary lists {file}'s columns in order"
            );
        }
    }
    // Allowed values come from the facets.
    assert!(html.contains("<code>very-low</code> (Very low)"));
    assert!(html.contains("The data is published under MIT OR Apache-2.0."));
    assert!(
        html.contains("read_csv(&quot;findings.csv&quot;)"),
        "an R recipe"
    );
    assert!(
        html.contains("encoding=&quot;utf-8-sig&quot;"),
        "a pandas recipe"
    );
}

#[test]
fn the_data_page_describes_the_files_as_a_schema_org_dataset() {
    let html = page(built_sample(), "data/index.html");
    let start = html
        .find("<script type=\"application/ld+json\">")
        .expect("JSON-LD")
        + "<script type=\"application/ld+json\">".len();
    let end = start + html[start..].find("</script>").expect("end");
    let dataset: Value = serde_json::from_str(&html[start..end]).expect("JSON-LD parses");
    assert_eq!(dataset["@type"], json!("Dataset"));
    assert_eq!(dataset["url"], json!("https://example.org/review/data/"));
    assert_eq!(dataset["license"], json!("MIT OR Apache-2.0"));
    let downloads: Vec<(&str, &str)> = dataset["distribution"]
        .as_array()
        .expect("distribution")
        .iter()
        .map(|d| {
            (
                d["contentUrl"].as_str().expect("url"),
                d["encodingFormat"].as_str().expect("format"),
            )
        })
        .collect();
    assert_eq!(
        downloads,
        [
            (
                "https://example.org/review/data/review.json",
                "application/json"
            ),
            (
                "https://example.org/review/data/case-studies.csv",
                "text/csv"
            ),
            ("https://example.org/review/data/findings.csv", "text/csv"),
            ("https://example.org/review/data/claims.csv", "text/csv"),
        ]
    );
}
