//! For crawlers and feed readers: `sitemap.xml`, `robots.txt` and the Atom feed
//! `atom.xml` of case studies, written with quick-xml.
//!
//! Sitemaps and feeds need absolute URLs, so both are written only when `base_url` is set
//! (the build warns otherwise). A case study's `updated` date is its front-matter `updated`,
//! else 1 January of its `edition`, else the review's publication date (or its `edition`),
//! else 1 January 1970, so that the feed is the same on every build.

use std::collections::HashMap;
use std::sync::Arc;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use rayon::prelude::*;

use crate::publication::PublicationDate;
use crate::review::Review;
use crate::review::model::{CaseStudy, PageRef};
use crate::shared::Shared;

use super::publish::absolute;

/// The sitemap protocol's namespace.
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// `robots.txt`: everything may be crawled; the sitemap is named when there is one.
pub(super) fn robots(base_url: &str) -> String {
    let mut text = String::from("User-agent: *\nAllow: /\n");
    if !base_url.is_empty() {
        text.push_str(&format!(
            "\nSitemap: {}\n",
            absolute(base_url, "sitemap.xml")
        ));
    }
    text
}

/// `sitemap.xml` listing `urls` (site-relative), or `None` without a `base_url`.
pub(super) fn sitemap(base_url: &str, urls: &[&str]) -> Option<String> {
    if base_url.is_empty() {
        return None;
    }
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into memory cannot fail.
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = writer
        .create_element("urlset")
        .with_attribute(("xmlns", SITEMAP_NS))
        .write_inner_content(|w| {
            for url in urls {
                w.create_element("url").write_inner_content(|w| {
                    w.create_element("loc")
                        .write_text_content(BytesText::new(&absolute(base_url, url)))?;
                    Ok(())
                })?;
            }
            Ok(())
        });
    Some(xml_string(writer))
}

/// When a case study was last updated, as an Atom date.
fn updated_of(case: &CaseStudy, fallback: Option<PublicationDate>) -> String {
    let date = case
        .updated
        .or_else(|| {
            case.edition
                .and_then(|e| i32::try_from(e).ok())
                .map(|year| PublicationDate {
                    year,
                    month: None,
                    day: None,
                })
        })
        .or(fallback);
    atom_date(date)
}

fn atom_date(date: Option<PublicationDate>) -> String {
    let date = date.unwrap_or(PublicationDate {
        year: 1970,
        month: None,
        day: None,
    });
    format!(
        "{:04}-{:02}-{:02}T00:00:00Z",
        date.year,
        date.month.unwrap_or(1),
        date.day.unwrap_or(1)
    )
}

/// Each case study's `<entry>` as the last render wrote it, for `serve`, by the case
/// study's URL: after an edit, only the entries whose content changed are written again (at
/// 10,000 case studies, writing every entry was 60 ms of CPU an edit). Valid for one
/// configuration: the publishing cache that holds it is emptied when that changes.
#[derive(Default)]
pub(crate) struct AtomEntries {
    by_url: HashMap<String, KeptEntry>,
}

/// What one entry was written from, and what was written.
struct KeptEntry {
    updated: String,
    title: String,
    summary: String,
    themes: Vec<Shared<PageRef>>,
    xml: Arc<[u8]>,
}

impl KeptEntry {
    fn is_for(&self, updated: &str, case: &CaseStudy) -> bool {
        self.updated == updated
            && self.title == case.title
            && self.summary == case.summary
            && self.themes == case.themes
    }
}

/// `atom.xml`: the case studies, newest first; `None` without a `base_url`. With `kept`
/// (serve), entries are taken from the last render where they are unchanged.
pub(super) fn atom(review: &Review, kept: Option<&mut AtomEntries>) -> Option<String> {
    let config = &review.config;
    if config.base_url.is_empty() {
        return None;
    }
    let publication = &config.publication;
    let fallback = publication.effective_date(config.edition);
    let mut entries: Vec<(String, &CaseStudy)> = review
        .case_studies
        .iter()
        .map(|c| (updated_of(c, fallback), c))
        .collect();
    entries.sort_by(|(a, ca), (b, cb)| b.cmp(a).then_with(|| ca.title.cmp(&cb.title)));
    let feed_updated = entries
        .first()
        .map_or_else(|| atom_date(fallback), |(u, _)| u.clone());
    let mut authors = publication.author_names();
    if authors.is_empty() {
        authors.push(
            publication
                .publisher
                .clone()
                .unwrap_or_else(|| config.title.clone()),
        );
    }
    let home = absolute(&config.base_url, &review.url_style.page(""));
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = writer
        .create_element("feed")
        .with_attribute(("xmlns", ATOM_NS))
        .with_attribute(("xml:lang", config.language.as_str()))
        .write_inner_content(|w| {
            text(w, "id", &home)?;
            text(w, "title", &config.title)?;
            if !config.description.is_empty() {
                text(w, "subtitle", &config.description)?;
            }
            text(w, "updated", &feed_updated)?;
            w.create_element("link")
                .with_attribute(("rel", "self"))
                .with_attribute(("type", "application/atom+xml"))
                .with_attribute(("href", absolute(&config.base_url, "atom.xml").as_str()))
                .write_empty()?;
            w.create_element("link")
                .with_attribute(("rel", "alternate"))
                .with_attribute(("type", "text/html"))
                .with_attribute(("href", home.as_str()))
                .write_empty()?;
            for name in &authors {
                w.create_element("author")
                    .write_inner_content(|w| text(w, "name", name))?;
            }
            if let Some(licence) = &publication.licence {
                text(w, "rights", licence)?;
            }
            text(w, "generator", "tessera")?;
            // The writer's state after the last element is what it is after the last entry,
            // so the entries written elsewhere go in as they are.
            let xml = match kept {
                Some(kept) => entries_kept(&entries, &config.base_url, kept),
                None => entries_xml(&entries, &config.base_url),
            };
            w.get_mut().extend_from_slice(&xml);
            Ok(())
        });
    Some(xml_string(writer))
}

/// The feed's entries as [`entries_xml`] writes them, each taken from `kept` when it was
/// written from the same content, else written on its own; `kept` is left holding this
/// feed's entries.
fn entries_kept(
    entries: &[(String, &CaseStudy)],
    base_url: &str,
    kept: &mut AtomEntries,
) -> Vec<u8> {
    let written: Vec<Option<Arc<[u8]>>> = entries
        .par_iter()
        .map(|(updated, case)| {
            let same = kept
                .by_url
                .get(&case.url)
                .is_some_and(|entry| entry.is_for(updated, case));
            (!same).then(|| Arc::from(entries_xml(&[(updated.clone(), *case)], base_url)))
        })
        .collect();
    let mut xml = Vec::new();
    for ((updated, case), written) in entries.iter().zip(written) {
        match written {
            Some(text) => {
                xml.extend_from_slice(&text);
                let entry = KeptEntry {
                    updated: updated.clone(),
                    title: case.title.clone(),
                    summary: case.summary.clone(),
                    themes: case.themes.clone(),
                    xml: text,
                };
                kept.by_url.insert(case.url.clone(), entry);
            }
            None => {
                if let Some(entry) = kept.by_url.get(&case.url) {
                    xml.extend_from_slice(&entry.xml);
                }
            }
        }
    }
    // Every entry of this feed is in the map, so it holds others only if it is larger.
    if kept.by_url.len() > entries.len() {
        let current: std::collections::HashSet<&str> =
            entries.iter().map(|(_, case)| case.url.as_str()).collect();
        kept.by_url.retain(|url, _| current.contains(url.as_str()));
    }
    xml
}

/// How many entries one task of [`entries_xml`] writes.
const ENTRIES_PER_TASK: usize = 500;

/// The feed's entries, as the feed's writer would write them inside `<feed>`: written in
/// parallel, each share inside a `<feed>` of its own (so at the same depth, after a start
/// tag as after another element), which is then cut off. A large review has thousands.
fn entries_xml(entries: &[(String, &CaseStudy)], base_url: &str) -> Vec<u8> {
    const START: &[u8] = b"<feed>";
    const END: &[u8] = b"\n</feed>";
    let shares: Vec<Vec<u8>> = entries
        .par_chunks(ENTRIES_PER_TASK)
        .map(|share| {
            let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
            let _ = writer.create_element("feed").write_inner_content(|w| {
                for (updated, case) in share {
                    entry(w, updated, case, base_url)?;
                }
                Ok(())
            });
            let xml = writer.into_inner();
            match (xml.strip_prefix(START), xml.ends_with(END)) {
                (Some(inner), true) => inner[..inner.len() - END.len()].to_vec(),
                _ => Vec::new(),
            }
        })
        .collect();
    shares.concat()
}

/// One case study's `<entry>`.
fn entry(
    w: &mut Writer<Vec<u8>>,
    updated: &str,
    case: &CaseStudy,
    base_url: &str,
) -> std::io::Result<()> {
    let url = absolute(base_url, &case.url);
    w.create_element("entry").write_inner_content(|w| {
        text(w, "id", &url)?;
        text(w, "title", &case.title)?;
        text(w, "updated", updated)?;
        w.create_element("link")
            .with_attribute(("rel", "alternate"))
            .with_attribute(("type", "text/html"))
            .with_attribute(("href", url.as_str()))
            .write_empty()?;
        if !case.summary.is_empty() {
            text(w, "summary", &case.summary)?;
        }
        for theme in &case.themes {
            w.create_element("category")
                .with_attribute(("term", theme.slug.as_str()))
                .with_attribute(("label", theme.title.as_str()))
                .write_empty()?;
        }
        Ok(())
    })?;
    Ok(())
}

/// `<name>text</name>`, the text escaped.
fn text(w: &mut Writer<Vec<u8>>, name: &str, value: &str) -> std::io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn xml_string(writer: Writer<Vec<u8>>) -> String {
    // Written from `&str`s, so valid: checked, not copied (the feed of a large review is
    // megabytes).
    let mut text = String::from_utf8(writer.into_inner())
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A feed whose entries are written in parallel shares is the feed one writer writes.
    #[test]
    fn entries_written_in_shares_are_what_one_writer_writes() {
        let review = super::super::values::tests::fixture_review();
        let cases = &review.case_studies;
        let entries: Vec<(String, &CaseStudy)> = (0..2 * ENTRIES_PER_TASK + 7)
            .map(|i| {
                let updated = format!("2025-01-{:02}T00:00:00Z", i % 28 + 1);
                (updated, &cases[i % cases.len()])
            })
            .collect();
        let base_url = "https://example.org/review/";
        let feed = |entries_inside: &dyn Fn(&mut Writer<Vec<u8>>) -> std::io::Result<()>| {
            let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
            writer
                .create_element("feed")
                .write_inner_content(|w| {
                    text(w, "generator", "tessera")?;
                    entries_inside(w)
                })
                .expect("write");
            String::from_utf8(writer.into_inner()).expect("UTF-8")
        };
        let one_writer = feed(&|w| {
            for (updated, case) in &entries {
                entry(w, updated, case, base_url)?;
            }
            Ok(())
        });
        let in_shares = feed(&|w| {
            w.get_mut()
                .extend_from_slice(&entries_xml(&entries, base_url));
            Ok(())
        });
        assert_eq!(in_shares.matches("<entry>").count(), entries.len());
        assert_eq!(in_shares, one_writer);
    }

    /// Entries kept from the last feed give the feed written afresh, and an entry whose
    /// content changed is written again.
    #[test]
    fn kept_entries_give_the_feed_written_afresh() {
        let review = super::super::values::tests::fixture_review();
        let base_url = "https://example.org/review/";
        let dated = |cases: &[CaseStudy]| -> Vec<(String, CaseStudy)> {
            cases
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("2025-01-{:02}T00:00:00Z", i + 1), c.clone()))
                .collect()
        };
        let mut kept = AtomEntries::default();
        let mut cases = review.case_studies.clone();
        assert!(cases.len() >= 2, "the fixture has case studies to list");
        for round in 0..3 {
            if round == 2 {
                cases[0].title.push_str(", retitled");
                cases.pop();
            }
            let owned = dated(&cases);
            let entries: Vec<(String, &CaseStudy)> =
                owned.iter().map(|(u, c)| (u.clone(), c)).collect();
            let fresh = String::from_utf8(entries_xml(&entries, base_url)).expect("UTF-8");
            let reused =
                String::from_utf8(entries_kept(&entries, base_url, &mut kept)).expect("UTF-8");
            assert_eq!(reused, fresh, "round {round}");
            assert_eq!(kept.by_url.len(), entries.len());
            assert_eq!(reused.contains(", retitled</title>"), round == 2);
        }
    }
}
