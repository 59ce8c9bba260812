//! Publishing the review as research (issue 12): references in a real citation style, the
//! references page with its back-links, the `.bib` and `.ris` downloads, "Cite this page",
//! the publication details in site.toml, and their bad inputs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use scraper::{Html, Selector};

use crate::support::{Review, built_sample, page, repo};

fn select(html: &Html, selector: &str) -> Vec<String> {
    let selector = Selector::parse(selector).expect("selector");
    html.select(&selector)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The sample's bibliography, read with hayagriva.
fn library() -> hayagriva::Library {
    let text = std::fs::read_to_string(repo().join("content/references.yaml")).expect("read");
    hayagriva::io::from_yaml_str(&text).expect("the sample bibliography parses")
}

/// The sample built with `style` (search off, to keep it quick), shared between tests.
fn built_with_style(style: &'static str) -> &'static Path {
    static HARVARD: OnceLock<Review> = OnceLock::new();
    assert_eq!(style, "harvard-cite-them-right");
    let review = HARVARD.get_or_init(|| {
        let review = Review::sample();
        let config = review
            .read("site.toml")
            .replace("style = \"apa\"", "style = \"harvard-cite-them-right\"");
        review.write("site.toml", &config);
        review.build(&["--no-search"]);
        review
    });
    Box::leak(Box::new(review.path("public"))).as_path()
}

/// Each reference on the references page by its anchor, as the reader sees it.
fn references(site: &Path) -> BTreeMap<String, String> {
    let html = Html::parse_document(&page(site, "references/index.html"));
    let item = Selector::parse("li.reference").expect("selector");
    let text = Selector::parse(".reference-text").expect("selector");
    html.select(&item)
        .map(|li| {
            let id = li.value().attr("id").unwrap_or_default().to_string();
            let t: String = li.select(&text).flat_map(|e| e.text()).collect::<String>();
            (id, t.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect()
}

#[test]
fn apa_and_harvard_format_every_sample_reference_differently() {
    let apa = references(built_sample());
    let harvard = references(built_with_style("harvard-cite-them-right"));
    let keys: BTreeSet<String> = library().keys().map(|k| format!("ref-{k}")).collect();
    assert_eq!(
        apa.keys().cloned().collect::<BTreeSet<_>>(),
        keys,
        "APA lists every key"
    );
    assert_eq!(
        harvard.keys().cloned().collect::<BTreeSet<_>>(),
        keys,
        "Harvard lists every key"
    );
    for key in &keys {
        assert!(
            !apa[key].is_empty() && !harvard[key].is_empty(),
            "{key} renders in both"
        );
    }
    assert_eq!(
        apa["ref-forrester2017"],
        "Forrester, D., Lynch, A., Bostock, L., Newlands, F., Preston, B., & Cary, A. (2017). \
         Family Safeguarding Hertfordshire: Evaluation Report (No. Children's Social Care \
         Innovation Programme Evaluation Report 55). Department for Education."
    );
    assert_eq!(
        harvard["ref-forrester2017"],
        "Forrester, D. et al. (2017) Family Safeguarding Hertfordshire: Evaluation Report. \
         Children's Social Care Innovation Programme Evaluation Report 55. Department for \
         Education."
    );
    let differing = keys.iter().filter(|k| apa[*k] != harvard[*k]).count();
    assert_eq!(
        differing,
        keys.len(),
        "every entry reads differently in the two styles"
    );
}

#[test]
fn findings_show_the_short_citation_linked_to_the_full_entry() {
    let site = built_sample();
    let html = Html::parse_document(&page(site, "case-studies/family-safeguarding/index.html"));
    let cites = Selector::parse(".finding-source .citation a").expect("selector");
    let first = html.select(&cites).next().expect("a finding with a source");
    assert_eq!(first.text().collect::<String>(), "(Forrester et al., 2017)");
    assert_eq!(first.value().attr("href"), Some("#ref-forrester2017"));
    // The case study ends with its references, each with the anchor the citation names.
    let own = select(&html, ".sources li.reference");
    assert!(
        own.iter()
            .any(|r| r.starts_with("Forrester, D., Lynch, A.")),
        "{own:?}"
    );
    let anchors: Vec<String> = html
        .select(&Selector::parse(".sources li.reference").expect("selector"))
        .filter_map(|li| li.value().attr("id").map(str::to_string))
        .collect();
    assert!(anchors.contains(&"ref-forrester2017".to_string()));

    // On a claim page the citation links to the references page.
    let claim = Html::parse_document(&page(site, "claims/reduces-care-entry/index.html"));
    let link = claim
        .select(&cites)
        .next()
        .expect("a finding with a source");
    let href = link.value().attr("href").expect("href");
    assert!(href.starts_with("../../references/#ref-"), "{href}");
    assert!(link.text().collect::<String>().starts_with('('));
}

#[test]
fn the_references_page_links_back_to_every_citing_case_study() {
    let site = built_sample();
    let html = Html::parse_document(&page(site, "references/index.html"));
    let item = Selector::parse("li.reference").expect("selector");
    let link = Selector::parse(".cited-by a").expect("selector");
    let mut cited_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for li in html.select(&item) {
        let id = li.value().attr("id").unwrap_or_default().to_string();
        let links = li
            .select(&link)
            .filter_map(|a| a.value().attr("href"))
            .map(str::to_string)
            .collect();
        cited_by.insert(id, links);
    }
    // Every key a case study's front matter names (in `sources:` or a finding's
    // `source:`) is listed with a link back to that case study.
    let mut expected = 0;
    for entry in std::fs::read_dir(repo().join("content/case-studies")).expect("read") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let slug = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let front = text.split("---").nth(1).expect("front matter");
        let mut keys = BTreeSet::new();
        let mut in_sources = false;
        for line in front.lines() {
            let trimmed = line.trim();
            if let Some(list) = trimmed.strip_prefix("sources:") {
                in_sources = list.trim().is_empty();
                keys.extend(
                    list.trim()
                        .trim_matches(['[', ']'])
                        .split(',')
                        .map(str::trim)
                        .filter(|k| !k.is_empty())
                        .map(str::to_string),
                );
            } else if in_sources && trimmed.starts_with("- ") {
                keys.insert(trimmed[2..].trim().to_string());
            } else {
                in_sources = false;
            }
            if let Some(key) = trimmed.strip_prefix("source:") {
                keys.insert(key.trim().to_string());
            }
        }
        for key in keys {
            let links = cited_by
                .get(&format!("ref-{key}"))
                .unwrap_or_else(|| panic!("{key} (cited by {slug}) is not on the references page"));
            assert!(
                links.contains(&format!("../case-studies/{slug}/")),
                "{key} does not link back to {slug}: {links:?}"
            );
            expected += 1;
        }
    }
    assert!(expected > 40, "the sample cites many sources ({expected})");
    // Claims are listed too.
    assert!(
        cited_by["ref-forrester2017"]
            .iter()
            .any(|l| l.starts_with("../claims/"))
    );
}

#[test]
fn bib_and_ris_downloads_parse_with_every_entry() {
    let site = built_sample();
    let library = library();
    let bib = std::fs::read_to_string(site.join("references.bib")).expect("references.bib");
    let back = hayagriva::io::from_biblatex_str(&bib).expect("references.bib parses");
    assert_eq!(
        back.keys().collect::<Vec<_>>(),
        library.keys().collect::<Vec<_>>(),
        "every entry, in file order"
    );
    for entry in library.iter() {
        let read = back.get(entry.key()).expect("entry");
        assert_eq!(
            read.title().map(|t| t.to_string()),
            entry.title().map(|t| t.to_string()),
            "{}",
            entry.key()
        );
        assert_eq!(
            read.date_any().map(|d| d.year),
            entry.date_any().map(|d| d.year),
            "{}",
            entry.key()
        );
        let names = |e: &hayagriva::Entry| {
            e.authors()
                .map(|a| a.iter().map(|p| p.name.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        assert_eq!(names(read), names(entry), "{}", entry.key());
    }

    let ris = std::fs::read_to_string(site.join("references.ris")).expect("references.ris");
    let records = parse_ris(&ris);
    assert_eq!(records.len(), library.len());
    for (record, entry) in records.iter().zip(library.iter()) {
        assert_eq!(
            record.get("TI").and_then(|t| t.first()).cloned(),
            entry.title().map(|t| t.to_string())
        );
        assert!(record.contains_key("TY"), "{record:?}");
        assert_eq!(
            record.get("PY").and_then(|y| y.first()).cloned(),
            entry.date_any().map(|d| format!("{:04}", d.year)),
            "{record:?}"
        );
    }

    // Each case study and claim has its own entry to download, in the page itself, which
    // parses too.
    let pause = Html::parse_document(&page(site, "case-studies/pause/index.html"));
    let cite = cite_download(&pause, "bib");
    let parsed = hayagriva::io::from_biblatex_str(&cite).expect("cite.bib parses");
    let entry = parsed.iter().next().expect("one entry");
    assert_eq!(
        entry.title().map(|t| t.to_string()).as_deref(),
        Some("Pause")
    );
    let claim = Html::parse_document(&page(site, "claims/reduces-care-entry/index.html"));
    assert_eq!(parse_ris(&cite_download(&claim, "ris")).len(), 1);
}

/// The text of a page's "cite this" download (`bib` or `ris`), read from its `data:`
/// address.
fn cite_download(html: &Html, kind: &str) -> String {
    let link = Selector::parse(&format!(".cite-box a[download$='.{kind}']")).expect("selector");
    let href = html
        .select(&link)
        .next()
        .and_then(|a| a.value().attr("href"))
        .unwrap_or_else(|| panic!("no .{kind} download"));
    let (head, data) = href.split_once(',').expect("a data: address");
    assert!(
        head.starts_with("data:") && head.ends_with(";charset=utf-8"),
        "{head}"
    );
    percent_encoding::percent_decode_str(data)
        .decode_utf8()
        .expect("UTF-8")
        .into_owned()
}

/// RIS records as tag → values, checking the `TAG  - value` line format.
fn parse_ris(text: &str) -> Vec<BTreeMap<String, Vec<String>>> {
    let mut records = Vec::new();
    let mut current: Option<BTreeMap<String, Vec<String>>> = None;
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(
            line.len() >= 5 && &line[2..5] == "  -",
            "not a RIS line: {line:?}"
        );
        let (tag, value) = (&line[..2], line[5..].trim());
        match tag {
            "TY" => current = Some(BTreeMap::from([("TY".into(), vec![value.into()])])),
            "ER" => records.push(current.take().expect("ER closes a record")),
            _ => current
                .as_mut()
                .expect("a tag inside a record")
                .entry(tag.to_string())
                .or_default()
                .push(value.to_string()),
        }
    }
    assert!(current.is_none(), "unclosed record");
    records
}

#[test]
fn case_studies_claims_and_the_home_page_say_how_to_cite_them() {
    let site = built_sample();
    let html = Html::parse_document(&page(site, "case-studies/pause/index.html"));
    assert_eq!(select(&html, ".cite-box h2"), ["Cite this page"]);
    assert_eq!(
        select(&html, ".cite-box .cite-text"),
        [
            "The tessera project. (2026). Pause. In Innovation in Children's Social Care: a \
          research review. The tessera project. https://example.org/review/case-studies/pause/"
        ]
    );
    // The copy button is hidden until the script shows it, so without JavaScript the
    // citation is plain selectable text.
    let button =
        Selector::parse(".cite-box button[data-copy='cite-text'][hidden]").expect("selector");
    assert_eq!(html.select(&button).count(), 1);
    let downloads = Selector::parse(".cite-box a[download]").expect("selector");
    let links: Vec<(&str, &str)> = html
        .select(&downloads)
        .filter_map(|a| {
            let href = a.value().attr("href")?;
            Some((a.value().attr("download")?, href.split_once(',')?.0))
        })
        .collect();
    assert_eq!(
        links,
        [
            ("pause.bib", "data:application/x-bibtex;charset=utf-8"),
            (
                "pause.ris",
                "data:application/x-research-info-systems;charset=utf-8"
            )
        ]
    );

    let claim = Html::parse_document(&page(site, "claims/reduces-care-entry/index.html"));
    assert_eq!(select(&claim, ".cite-box h2"), ["Cite this page"]);

    let home = Html::parse_document(&page(site, "index.html"));
    assert_eq!(
        select(&home, ".cite-box .cite-text"),
        [
            "The tessera project. (2026). Innovation in Children's Social Care: a research \
          review. The tessera project. https://example.org/review/"
        ]
    );
}

/// `tessera check` on the sample with `edit` applied to its site.toml: its stderr.
fn check_with(edit: impl Fn(&str) -> String, extra: &[(&str, &str)]) -> (bool, String) {
    let review = Review::sample();
    let config = edit(&review.read("site.toml"));
    review.write("site.toml", &config);
    for (path, text) in extra {
        review.write(path, text);
    }
    let run = review.run(&["check"]);
    (run.ok(), run.stderr)
}

#[test]
fn an_unknown_style_is_a_located_config_error_with_a_suggestion() {
    let (ok, stderr) = check_with(
        |c| c.replace("style = \"apa\"", "style = \"harvard-cite-them-rigth\""),
        &[],
    );
    assert!(!ok);
    assert!(
        stderr.contains(
            "error[config]: [citations] style: unknown citation style `harvard-cite-them-rigth`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("site.toml:"), "{stderr}");
    assert!(
        stderr.contains("did you mean `harvard-cite-them-right`?"),
        "{stderr}"
    );
}

#[test]
fn a_csl_file_that_does_not_parse_is_a_config_error() {
    let (ok, stderr) = check_with(
        |c| c.replace("style = \"apa\"", "style = \"styles/broken.csl\""),
        &[(
            "styles/broken.csl",
            "<style xmlns=\"http://purl.org/net/xbiblio/csl\"><info>",
        )],
    );
    assert!(!ok);
    assert!(
        stderr.contains("[citations] style: `styles/broken.csl` is not a valid CSL style"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: check the file against the CSL"),
        "{stderr}"
    );
}

/// A CSL style whose bibliography prints only the title: an entry without one gets no text.
const TITLE_ONLY_CSL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Title only</title><id>title-only</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout><text variable="title"/></layout></bibliography>
</style>
"#;

#[test]
fn a_custom_csl_style_formats_references_and_an_entry_it_cannot_format_is_located() {
    let review = Review::sample();
    let config = review
        .read("site.toml")
        .replace("style = \"apa\"", "style = \"title-only.csl\"");
    review.write("site.toml", &config);
    review.write("title-only.csl", TITLE_ONLY_CSL);
    let site = review.build(&["--no-search"]);
    let refs = references(&site);
    assert_eq!(
        refs["ref-forrester2017"],
        "Family Safeguarding Hertfordshire: Evaluation Report"
    );

    let bibliography = review.read("content/references.yaml");
    review.write(
        "content/references.yaml",
        &format!(
            "{bibliography}\nuntitled:\n  type: report\n  author: \"Doe, Jane\"\n  date: 2020\n"
        ),
    );
    let run = review.run(&["build", "--no-search"]);
    assert!(!run.ok());
    assert!(
        run.stderr
            .contains("the citation style `title-only.csl` gives no text for the entry `untitled`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/references.yaml:"),
        "{}",
        run.stderr
    );
    // The previous site is untouched: the failed build wrote nothing.
    assert_eq!(
        references(&site)["ref-forrester2017"],
        refs["ref-forrester2017"]
    );
}

#[test]
fn publication_fields_of_the_wrong_type_are_located_config_errors() {
    let (ok, stderr) = check_with(|c| c.replace("date = 2026", "date = \"March 2026\""), &[]);
    assert!(!ok);
    assert!(stderr.contains("`publication.date`"), "{stderr}");
    assert!(stderr.contains("`March 2026` is not a date"), "{stderr}");

    let (ok, stderr) = check_with(
        |c| {
            c.replace(
                "corporate_author = \"The tessera project\"",
                "authors = \"Doe, Jane\"",
            )
        },
        &[],
    );
    assert!(!ok);
    assert!(stderr.contains("`publication.authors`"), "{stderr}");
    assert!(stderr.contains("expected a sequence"), "{stderr}");

    let (ok, stderr) = check_with(|c| c.replace("licence = ", "license = "), &[]);
    assert!(!ok);
    assert!(stderr.contains("unknown key `license`"), "{stderr}");
    assert!(stderr.contains("did you mean `licence`?"), "{stderr}");
}

/// The `content` of every `<meta>` with `attr` = `name`, in order.
fn meta(html: &Html, attr: &str, name: &str) -> Vec<String> {
    let selector = Selector::parse(&format!("meta[{attr}='{name}']")).expect("selector");
    html.select(&selector)
        .filter_map(|m| m.value().attr("content").map(str::to_string))
        .collect()
}

/// A front-matter field written as one plain line (`title: Pause`), unquoted.
fn front_matter_field(text: &str, field: &str) -> String {
    let front = text.split("---").nth(1).expect("front matter");
    let line = front
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field}"));
    line.trim().trim_matches('"').to_string()
}

#[test]
fn meta_tags_of_every_case_study_match_site_toml_and_front_matter() {
    // Read the tags as Zotero and Google Scholar do, and compare with the sources.
    let site = built_sample();
    let config: toml::Value =
        toml::from_str(&std::fs::read_to_string(repo().join("site.toml")).expect("site.toml"))
            .expect("site.toml parses");
    let publication = &config["publication"];
    let base_url = config["base_url"].as_str().expect("base_url");
    let site_title = config["title"].as_str().expect("title");
    let mut checked = 0;
    for entry in std::fs::read_dir(repo().join("content/case-studies")).expect("read") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let slug = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        let title = front_matter_field(&text, "title");
        let summary = front_matter_field(&text, "summary");
        let url = format!("{base_url}case-studies/{slug}/");
        let html = Html::parse_document(&page(site, &format!("case-studies/{slug}/index.html")));
        assert_eq!(
            meta(&html, "name", "citation_title"),
            [title.as_str()],
            "{slug}"
        );
        assert_eq!(
            meta(&html, "name", "citation_author"),
            [publication["corporate_author"]
                .as_str()
                .expect("corporate_author")],
            "{slug}"
        );
        assert_eq!(
            meta(&html, "name", "citation_publication_date"),
            [publication["date"].as_integer().expect("date").to_string()]
        );
        assert_eq!(
            meta(&html, "name", "citation_publisher"),
            [publication["publisher"].as_str().expect("publisher")]
        );
        assert_eq!(meta(&html, "name", "citation_public_url"), [url.as_str()]);
        assert_eq!(
            meta(&html, "name", "citation_abstract_html_url"),
            [url.as_str()]
        );
        assert_eq!(meta(&html, "property", "og:title"), [title.as_str()]);
        assert_eq!(
            meta(&html, "property", "og:description"),
            [summary.as_str()]
        );
        assert_eq!(meta(&html, "property", "og:url"), [url.as_str()]);
        assert_eq!(meta(&html, "property", "og:site_name"), [site_title]);

        let script = Selector::parse("script[type='application/ld+json']").expect("selector");
        let json: String = html
            .select(&script)
            .next()
            .expect("JSON-LD")
            .text()
            .collect();
        let ld: serde_json::Value = serde_json::from_str(&json).expect("JSON-LD parses");
        assert_eq!(ld["@type"], "ScholarlyArticle");
        assert_eq!(ld["headline"], title.as_str());
        assert_eq!(ld["description"], summary.as_str());
        assert_eq!(ld["url"], url.as_str());
        assert_eq!(ld["datePublished"], "2026");
        assert_eq!(ld["isPartOf"]["name"], site_title);
        assert_eq!(ld["publisher"]["name"], "The tessera project");
        checked += 1;
    }
    assert!(checked >= 14);
}

#[test]
fn without_a_base_url_no_tag_claims_an_address() {
    let review = Review::sample();
    let config = review.read("site.toml").replace(
        "base_url = \"https://example.org/review/\"",
        "base_url = \"\"",
    );
    review.write("site.toml", &config);
    let site = review.build(&["--no-search"]);
    let html = Html::parse_document(&page(&site, "claims/reduces-care-entry/index.html"));
    assert!(meta(&html, "name", "citation_public_url").is_empty());
    assert!(meta(&html, "property", "og:url").is_empty());
    assert_eq!(meta(&html, "name", "citation_title").len(), 1);
}

/// An XML document as (path of element names, text) pairs and (path, attribute, value)
/// triples, read with quick-xml: it fails the test if the document is not well-formed.
struct Xml {
    texts: Vec<(String, String)>,
    attributes: Vec<(String, String, String)>,
}

fn parse_xml(text: &str) -> Xml {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<String> = Vec::new();
    let mut xml = Xml {
        texts: Vec::new(),
        attributes: Vec::new(),
    };
    let mut pending = String::new();
    let attributes = |xml: &mut Xml, path: String, e: &quick_xml::events::BytesStart| {
        for a in e.attributes() {
            let a = a.expect("well-formed attribute");
            let value = a.unescape_value().expect("attribute value").into_owned();
            xml.attributes.push((
                path.clone(),
                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                value,
            ));
        }
    };
    loop {
        let event = reader.read_event().expect("well-formed XML");
        if !matches!(event, Event::Text(_) | Event::GeneralRef(_)) {
            if !pending.trim().is_empty() {
                xml.texts
                    .push((stack.join("/"), std::mem::take(&mut pending)));
            }
            pending.clear();
        }
        match event {
            Event::Start(e) => {
                stack.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                attributes(&mut xml, stack.join("/"), &e);
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                attributes(&mut xml, format!("{}/{name}", stack.join("/")), &e);
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                let text = t.decode().expect("text").into_owned();
                pending.push_str(&quick_xml::escape::unescape(&text).expect("entities"));
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                pending
                    .push_str(&quick_xml::escape::unescape(&format!("&{name};")).expect("entity"));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    xml
}

impl Xml {
    fn texts(&self, path: &str) -> Vec<&str> {
        self.texts
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, t)| t.as_str())
            .collect()
    }
}

fn case_study_slugs() -> BTreeSet<String> {
    std::fs::read_dir(repo().join("content/case-studies"))
        .expect("read")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect()
}

#[test]
fn the_sitemap_lists_every_page_with_absolute_urls_and_robots_names_it() {
    let site = built_sample();
    let base = "https://example.org/review/";
    let sitemap = parse_xml(&std::fs::read_to_string(site.join("sitemap.xml")).expect("sitemap"));
    let locs: BTreeSet<&str> = sitemap.texts("urlset/url/loc").into_iter().collect();
    assert!(locs.iter().all(|l| l.starts_with(base)), "{locs:?}");
    for slug in case_study_slugs() {
        assert!(
            locs.contains(format!("{base}case-studies/{slug}/").as_str()),
            "{slug}"
        );
    }
    // Every page written is listed, except the 404 page.
    let pages: BTreeSet<String> = walkdir::WalkDir::new(site)
        .into_iter()
        .map(|e| e.expect("walk").into_path())
        .filter(|p| p.file_name().is_some_and(|n| n == "index.html"))
        .map(|p| {
            let dir = p
                .parent()
                .expect("parent")
                .strip_prefix(site)
                .expect("inside");
            let dir = dir.to_string_lossy().replace('\\', "/");
            if dir.is_empty() {
                base.to_string()
            } else {
                format!("{base}{dir}/")
            }
        })
        .collect();
    assert_eq!(locs, pages.iter().map(String::as_str).collect());
    assert_eq!(
        std::fs::read_to_string(site.join("robots.txt")).expect("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.org/review/sitemap.xml\n"
    );
}

#[test]
fn the_atom_feed_lists_every_case_study_newest_first() {
    let site = built_sample();
    let feed = parse_xml(&std::fs::read_to_string(site.join("atom.xml")).expect("atom.xml"));
    assert!(
        feed.attributes
            .iter()
            .any(|(p, k, v)| p == "feed" && k == "xmlns" && v == "http://www.w3.org/2005/Atom")
    );
    // What RFC 4287 requires of a feed and of each entry.
    assert_eq!(feed.texts("feed/id"), ["https://example.org/review/"]);
    assert_eq!(
        feed.texts("feed/title"),
        ["Innovation in Children's Social Care: a research review"]
    );
    assert_eq!(feed.texts("feed/updated"), ["2026-01-01T00:00:00Z"]);
    assert_eq!(feed.texts("feed/author/name"), ["The tessera project"]);
    let ids = feed.texts("feed/entry/id");
    let updated = feed.texts("feed/entry/updated");
    let titles = feed.texts("feed/entry/title");
    assert_eq!(ids.len(), case_study_slugs().len());
    assert_eq!(updated.len(), ids.len());
    assert_eq!(titles.len(), ids.len());
    let listed: BTreeSet<String> = ids
        .iter()
        .map(|id| {
            id.strip_prefix("https://example.org/review/case-studies/")
                .and_then(|s| s.strip_suffix('/'))
                .expect("a case-study URL")
                .to_string()
        })
        .collect();
    assert_eq!(listed, case_study_slugs());
    assert!(
        updated.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {updated:?}"
    );
    // A case study's `updated` comes from its edition when it has no `updated` date.
    assert_eq!(updated.first(), Some(&"2026-01-01T00:00:00Z"));
    assert_eq!(updated.last(), Some(&"2025-01-01T00:00:00Z"));
    let links = feed
        .attributes
        .iter()
        .filter(|(p, k, _)| p == "feed/entry/link" && k == "href")
        .count();
    assert_eq!(links, ids.len());
}

#[test]
fn an_updated_date_in_front_matter_orders_the_feed_and_a_bad_one_is_located() {
    let review = Review::sample();
    let path = "content/case-studies/pause.md";
    let text = review
        .read(path)
        .replacen("---\n", "---\nupdated: 2026-03-15\n", 1);
    review.write(path, &text);
    let site = review.build(&["--no-search"]);
    let feed = parse_xml(&std::fs::read_to_string(site.join("atom.xml")).expect("atom.xml"));
    assert_eq!(
        feed.texts("feed/entry/id").first(),
        Some(&"https://example.org/review/case-studies/pause/")
    );
    assert_eq!(
        feed.texts("feed/entry/updated").first(),
        Some(&"2026-03-15T00:00:00Z")
    );
    assert_eq!(feed.texts("feed/updated"), ["2026-03-15T00:00:00Z"]);

    review.write(
        path,
        &text.replace("updated: 2026-03-15", "updated: next spring"),
    );
    let run = review.run(&["check"]);
    assert!(!run.ok());
    assert!(
        run.stderr.contains("content/case-studies/pause.md:2:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`next spring` is not a date"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_a_base_url_there_is_no_sitemap_or_feed_and_the_build_says_why() {
    let review = Review::sample();
    let config = review.read("site.toml").replace(
        "base_url = \"https://example.org/review/\"",
        "base_url = \"\"",
    );
    review.write("site.toml", &config);
    let run = review.run(&["build", "--no-search"]);
    assert!(run.ok(), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "warning[no-base-url]: no sitemap.xml or atom.xml was written: `base_url` is empty"
        ),
        "{}",
        run.stderr
    );
    let site = review.path("public");
    assert!(!site.join("sitemap.xml").exists());
    assert!(!site.join("atom.xml").exists());
    assert_eq!(
        std::fs::read_to_string(site.join("robots.txt")).expect("robots.txt"),
        "User-agent: *\nAllow: /\n"
    );
    assert!(!page(&site, "index.html").contains("application/atom+xml"));
}

#[test]
fn the_print_page_is_the_whole_review_in_reading_order_with_links_inside_it() {
    let site = built_sample();
    let text = page(site, "print/index.html");
    let html = Html::parse_document(&text);
    // Reading order: title page (with how to cite), contents, introduction, contested
    // claims, every case study, references.
    let parts: Vec<String> = html
        .select(
            &Selector::parse(".print-document > section, .print-document > nav").expect("selector"),
        )
        .map(|e| e.value().attr("id").unwrap_or(e.value().name()).to_string())
        .collect();
    assert_eq!(
        parts,
        [
            "top",
            "nav",
            "introduction",
            "contested-claims",
            "case-studies",
            "references"
        ]
    );
    assert_eq!(select(&html, ".print-contents h2"), ["Contents"]);
    assert_eq!(
        select(&html, ".print-cite .cite-text"),
        [
            "The tessera project. (2026). Innovation in Children's Social Care: a research \
          review. The tessera project. https://example.org/review/"
        ]
    );
    let ids = |selector: &str| -> Vec<String> {
        html.select(&Selector::parse(selector).expect("selector"))
            .filter_map(|e| e.value().attr("id").map(str::to_string))
            .collect()
    };
    let cases: BTreeSet<String> = ids(".print-case-study").into_iter().collect();
    let expected: BTreeSet<String> = case_study_slugs()
        .iter()
        .map(|s| format!("case-{s}"))
        .collect();
    assert_eq!(cases, expected, "every case study, once");
    // The contested claims are the contradictions page's, in its order.
    let contradictions = Html::parse_document(&page(site, "contradictions/index.html"));
    let contested: Vec<String> = contradictions
        .select(&Selector::parse(".claim-card .card-title a").expect("selector"))
        .filter_map(|a| a.value().attr("href"))
        .map(|h| {
            format!(
                "claim-{}",
                h.trim_start_matches("../claims/").trim_end_matches('/')
            )
        })
        .collect();
    assert!(!contested.is_empty());
    assert_eq!(ids(".print-claim"), contested);
    // The references are every entry of the bibliography.
    let refs: BTreeSet<String> = ids("#references li.reference").into_iter().collect();
    let keys: BTreeSet<String> = library().keys().map(|k| format!("ref-{k}")).collect();
    assert_eq!(refs, keys);

    // Links inside the document resolve to an id in it; no link leaves it for a case
    // study, a contested claim or the references page.
    let all_ids: BTreeSet<String> = html
        .select(&Selector::parse("[id]").expect("selector"))
        .filter_map(|e| e.value().attr("id").map(str::to_string))
        .collect();
    assert_eq!(
        all_ids.len(),
        html.select(&Selector::parse("[id]").expect("selector"))
            .count(),
        "ids are unique"
    );
    let article = Selector::parse(".print-document a[href]").expect("selector");
    let mut internal = 0;
    for a in html.select(&article) {
        let href = a.value().attr("href").expect("href");
        if let Some(id) = href.strip_prefix('#') {
            assert!(all_ids.contains(id), "#{id} is not in the document");
            internal += 1;
        } else {
            assert!(
                !href.starts_with("../case-studies/"),
                "{href} leaves the document"
            );
            assert!(
                !href.starts_with("../references/"),
                "{href} leaves the document"
            );
            for claim in &contested {
                let slug = claim.trim_start_matches("claim-");
                assert!(
                    !href.starts_with(&format!("../claims/{slug}/")),
                    "{href} leaves the document"
                );
            }
        }
    }
    assert!(internal > 100, "{internal} internal links");
}

#[test]
fn the_print_stylesheet_starts_case_studies_on_new_pages_and_hides_navigation() {
    // Every page kind loads print.css for print; what it does to the one-page review:
    let site = built_sample();
    let css = std::fs::read_to_string(site.join("static/print.css")).expect("print.css");
    for rule in [
        ".print-case-study { break-before: page; page-break-before: always; }",
        ".print-findings li { break-inside: avoid; page-break-inside: avoid; }",
        "a[href^=\"https://\"]::after",
        ".site-nav,",
    ] {
        assert!(css.contains(rule), "print.css lacks {rule}");
    }
    for page_file in [
        "index.html",
        "print/index.html",
        "case-studies/pause/index.html",
        "references/index.html",
        "map/index.html",
    ] {
        let html = page(site, page_file);
        assert!(
            html.contains("static/print.css\" media=\"print\""),
            "{page_file} does not load the print stylesheet"
        );
    }
}

/// Case studies laid over `check/base/` for the print parts test: more than one print page
/// holds (250), each linking to the next and to a heading of the last.
const MANY: usize = 280;

#[test]
fn a_large_review_prints_in_parts_whose_links_reach_across_parts() {
    let review = Review::fixture("check/base");
    for i in 0..MANY {
        let next = (i + 1) % MANY;
        review.write(
            &format!("content/case-studies/case-{i:03}.md"),
            &format!(
                "---\ntitle: Case {i:03}\nsummary: A generated case study.\nstage: test\n\
                 themes: [workforce]\nfindings:\n  - claim: reduces-care-entry\n    \
                 stance: supports\n    perspective: practitioners\n    certainty: low\n    \
                 source: one2020\n---\n## Notes\n\nSee [the next](case-{next:03}.md) and \
                 [the last one's notes](case-{last:03}.md#notes).\n",
                last = MANY - 1
            ),
        );
    }
    let site = review.build(&[]);
    assert_eq!(crate::support::broken_links(&site), Vec::<String>::new());
    assert!(!site.join("print/3").exists(), "two parts, not three");
    let ids = |relative: &str, selector: &str| -> Vec<String> {
        let html = Html::parse_document(&page(&site, relative));
        html.select(&Selector::parse(selector).expect("selector"))
            .filter_map(|e| e.value().attr("id").map(str::to_string))
            .collect()
    };
    let first = ids("print/index.html", ".print-case-study");
    let second = ids("print/2/index.html", ".print-case-study");
    let slugs = |from: usize, to: usize| -> Vec<String> {
        (from..to).map(|i| format!("case-case-{i:03}")).collect()
    };
    // alpha and beta come first (by title), then the generated ones.
    assert_eq!(first.len(), 250);
    assert_eq!(first[2..], slugs(0, 248));
    assert_eq!(second, slugs(248, MANY));
    // The title page and contested claims open the first part; the references close the
    // last; each part lists every part.
    assert_eq!(ids("print/index.html", "#top, #references"), ["top"]);
    assert_eq!(
        ids("print/2/index.html", "#top, #references"),
        ["references"]
    );
    let parts = |relative: &str| {
        select(
            &Html::parse_document(&page(&site, relative)),
            ".print-parts li",
        )
    };
    assert_eq!(
        parts("print/2/index.html"),
        [
            "Part 1 (case studies 1–250)",
            "Part 2 (case studies 251–282)"
        ]
    );
    // A body in the first part links into the second, and back.
    let first_part = page(&site, "print/index.html");
    assert!(
        first_part
            .contains(r##"<a href="../print/2/#case-case-279-notes">the last one’s notes</a>"##),
        "{}",
        crate::support::main_element(&first_part, "print/index.html")
    );
    let second_part = page(&site, "print/2/index.html");
    assert!(second_part.contains(r##"<a href="../../print/#case-case-000">the next</a>"##));
}
