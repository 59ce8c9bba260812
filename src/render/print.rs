//! `/print/`: the whole review as one document, for "Print / Save as PDF".
//!
//! Owns the print page's variables and the one thing templates cannot do: Markdown bodies
//! are rendered with links relative to their own page, so in the one-page document each
//! body's links are rewritten to point inside it (`#case-<slug>`, `#claim-<slug>`,
//! `#ref-<key>`) or, for pages the document does not hold, to the page on the site, and
//! heading ids are prefixed so that two bodies' `#history` do not collide.

use std::collections::HashSet;

use tera::Value;

use super::jobs::{PageJob, Var};
use crate::review::Review;

/// The print page's URL folder.
const PRINT_DIR: &str = "print";

/// The print page's job: the home page's text, contested claims, every case study with its
/// body rewritten for the document, and (from the references page's job) the references.
pub(super) fn job(review: &Review) -> PageJob {
    let targets = Targets::of(review);
    let bodies: serde_json::Map<String, serde_json::Value> = review
        .case_studies
        .iter()
        .map(|c| {
            let prefix = format!("case-{}", c.slug);
            (
                c.slug.clone(),
                demote(&targets.rewrite(&c.content, &c.url, &prefix), 2).into(),
            )
        })
        .collect();
    let claim_bodies: serde_json::Map<String, serde_json::Value> = review
        .contested
        .iter()
        .map(|&i| {
            let c = &review.claims[i];
            let prefix = format!("claim-{}", c.slug);
            (
                c.slug.clone(),
                demote(&targets.rewrite(&c.content, &c.url, &prefix), 2).into(),
            )
        })
        .collect();
    let intro = review.home.as_ref().map_or(String::new(), |home| {
        demote(&targets.rewrite(&home.content, &home.url, "intro"), 1)
    });
    PageJob::new(
        review.url_style.page(PRINT_DIR),
        "print.html",
        "print",
        "The whole review",
        vec![
            ("intro", Var::Plain(Value::from(intro))),
            ("contested", Var::Claims(review.contested.clone())),
            (
                "case_studies",
                Var::Cases((0..review.case_studies.len()).collect()),
            ),
            ("bodies", Var::Plain(Value::from_serializable(&bodies))),
            (
                "claim_bodies",
                Var::Plain(Value::from_serializable(&claim_bodies)),
            ),
        ],
    )
}

/// Which site pages the document holds, by their site path (without `index.html`).
struct Targets {
    portable: bool,
    case_studies: HashSet<String>,
    claims: HashSet<String>,
}

impl Targets {
    fn of(review: &Review) -> Targets {
        Targets {
            portable: review.url_style.portable,
            case_studies: review.case_studies.iter().map(|c| c.slug.clone()).collect(),
            claims: review
                .contested
                .iter()
                .map(|&i| review.claims[i].slug.clone())
                .collect(),
        }
    }

    /// `html`'s links and ids as they must be in the document: `page_url` is the page the
    /// HTML was rendered for, `prefix` goes before its heading ids.
    fn rewrite(&self, html: &str, page_url: &str, prefix: &str) -> String {
        let folder = page_url.strip_suffix("index.html").unwrap_or(page_url);
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some((before, attr, value, after)) = next_attribute(rest) {
            out.push_str(before);
            out.push_str(attr);
            let new = if attr.ends_with("id=\"") {
                format!("{prefix}-{value}")
            } else if attr.ends_with("src=\"") {
                if value.starts_with('/') || value.contains(':') {
                    value.to_string()
                } else {
                    format!("../{}", resolve(folder, value))
                }
            } else {
                self.target(folder, value, prefix)
            };
            out.push_str(&new);
            out.push('"');
            rest = after;
        }
        out.push_str(rest);
        out
    }

    /// Where a link of a body leads in the document.
    fn target(&self, folder: &str, href: &str, prefix: &str) -> String {
        if let Some(fragment) = href.strip_prefix('#') {
            return format!("#{prefix}-{fragment}");
        }
        if href.starts_with('/') || href.contains(':') {
            return href.to_string();
        }
        let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
        let site_path = resolve(folder, path);
        let page = site_path
            .strip_suffix("index.html")
            .unwrap_or(&site_path)
            .trim_end_matches('/');
        let inside = |kind: &str, set: &HashSet<String>| {
            page.strip_prefix(kind)
                .filter(|slug| set.contains(*slug))
                .map(|slug| slug.to_string())
        };
        if let Some(slug) = inside("case-studies/", &self.case_studies) {
            return match fragment {
                "" => format!("#case-{slug}"),
                f => format!("#case-{slug}-{f}"),
            };
        }
        if let Some(slug) = inside("claims/", &self.claims) {
            return match fragment {
                "" => format!("#claim-{slug}"),
                f => format!("#claim-{slug}-{f}"),
            };
        }
        if page == "references" && !fragment.is_empty() {
            return format!("#{fragment}");
        }
        if page.is_empty() || page == "index.html" {
            return "#top".to_string();
        }
        // A page the document does not hold: the page on the site, from print/.
        let mut link = format!("../{site_path}");
        if self.portable && site_path.ends_with('/') {
            link.push_str("index.html");
        }
        if !fragment.is_empty() {
            link.push('#');
            link.push_str(fragment);
        }
        link
    }
}

/// Headings `by` levels lower (at most `h6`): a body's `##` sits under the document's
/// section and the case study's own title.
fn demote(html: &str, by: usize) -> String {
    let mut out = html.to_string();
    for level in (1..=6).rev() {
        let to = (level + by).min(6);
        if to == level {
            continue;
        }
        out = out
            .replace(&format!("<h{level}"), &format!("<h{to}"))
            .replace(&format!("</h{level}>"), &format!("</h{to}>"));
    }
    out
}

/// `path` (relative to `folder`) as a site path, `..` resolved.
fn resolve(folder: &str, path: &str) -> String {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty()).collect();
    let trailing = path.ends_with('/') || path.is_empty();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut joined = parts.join("/");
    if trailing && !joined.is_empty() {
        joined.push('/');
    }
    joined
}

/// The next ` href="…"`, ` src="…"` or ` id="…"` in `html`: what comes before, the attribute's start
/// (`href="`), its value and what follows the closing quote. Markdown bodies are
/// pulldown-cmark's output, where attributes are always double-quoted.
fn next_attribute(html: &str) -> Option<(&str, &str, &str, &str)> {
    let find = |pat: &'static str| html.find(pat).map(|i| (i, pat));
    let (at, pat) = [find(" href=\""), find(" id=\""), find(" src=\"")]
        .into_iter()
        .flatten()
        .min_by_key(|(i, _)| *i)?;
    let value_start = at + pat.len();
    let end = value_start + html[value_start..].find('"')?;
    Some((
        &html[..at],
        &html[at..value_start],
        &html[value_start..end],
        &html[end + 1..],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        Targets {
            portable: false,
            case_studies: ["pause".to_string()].into(),
            claims: ["reduces-care-entry".to_string()].into(),
        }
    }

    #[test]
    fn body_links_point_inside_the_document() {
        let t = targets();
        let html = r##"<h2 id="history">History</h2><p><a href="../pause/">Pause</a>, <a href="../../claims/reduces-care-entry/#why">why</a>, <a href="../../themes/workforce/">workforce</a>, <a href="#history">up</a>, <a href="https://example.org/">out</a>, <a href="../../references/#ref-a">a</a>, <a href="../../">home</a><img src="chart.png" alt=""></p>"##;
        assert_eq!(
            t.rewrite(html, "case-studies/mockingbird/", "case-mockingbird"),
            r##"<h2 id="case-mockingbird-history">History</h2><p><a href="#case-pause">Pause</a>, <a href="#claim-reduces-care-entry-why">why</a>, <a href="../themes/workforce/">workforce</a>, <a href="#case-mockingbird-history">up</a>, <a href="https://example.org/">out</a>, <a href="#ref-a">a</a>, <a href="#top">home</a><img src="../case-studies/mockingbird/chart.png" alt=""></p>"##
        );
    }

    #[test]
    fn headings_go_down_without_passing_h6() {
        assert_eq!(
            demote("<h2 id=\"a\">A</h2><h5>B</h5>", 2),
            "<h4 id=\"a\">A</h4><h6>B</h6>"
        );
    }

    #[test]
    fn paths_resolve_against_the_page_folder() {
        assert_eq!(resolve("case-studies/pause/", "../x/"), "case-studies/x/");
        assert_eq!(resolve("", "about/"), "about/");
        assert_eq!(
            resolve("case-studies/pause/", "chart.png"),
            "case-studies/pause/chart.png"
        );
    }
}
