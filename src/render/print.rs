//! `/print/`: the whole review as one document, for "Print / Save as PDF".
//!
//! Owns the print pages' variables and the one thing templates cannot do: Markdown bodies
//! are rendered with links relative to their own page, so in the document each body's links
//! are rewritten to point inside it (`#case-<slug>`, `#claim-<slug>`, `#ref-<key>`) or, for
//! pages the document does not hold, to the page on the site, and heading ids are prefixed
//! so that two bodies' `#history` do not collide.
//!
//! A review of more than [`PART_SIZE`] case studies is printed in parts (`/print/`,
//! `/print/2/`, …): one page holding 10,000 bodies would be over 100 MB, more than a
//! browser prints, and would hold every body in memory at once. The first part has the
//! title page, contents, introduction and contested claims, the last the references;
//! links between parts point at the part that holds their target. Each part's bodies are
//! rewritten only when that part is rendered.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tera::Value;

use super::jobs::{PageJob, Var};
use super::values::{Digest, Values, digest_all, digest_of};
use crate::review::Review;

/// The print page's URL folder.
const PRINT_DIR: &str = "print";

/// The most case studies one print page holds.
pub(super) const PART_SIZE: usize = 250;

/// The print pages' jobs: the first with the home page's text and the contested claims,
/// each with its share of the case studies (bodies rewritten when rendered), the last with
/// (from the references page's job) the references.
pub(super) fn jobs(
    review: &Review,
    layout: &Arc<Layout>,
    kept: Option<&Arc<KeptBodies>>,
) -> Vec<PageJob> {
    let count = layout.parts;
    (1..=count)
        .map(|number| {
            let targets = Targets {
                layout: Arc::clone(layout),
                part: number,
            };
            let cases = Layout::range_of(number, review.case_studies.len());
            let mut vars = vec![
                ("part", Var::Plain(part_value(review, &targets))),
                ("case_studies", Var::Cards(cases.clone().collect())),
                (
                    "bodies",
                    Var::Print(Arc::new(PartBodies {
                        targets: targets.clone(),
                        cases,
                        kept: kept.cloned(),
                    })),
                ),
            ];
            if number == 1 {
                vars.extend(front_vars(review, &targets));
            }
            let title = if count == 1 {
                "The whole review".to_string()
            } else {
                format!("The whole review, part {number} of {count}")
            };
            PageJob::new(
                review.url_style.page(&part_dir(number)),
                "print.html",
                "print",
                &title,
                vars,
            )
        })
        .collect()
}

/// The first part's own variables: the introduction and the contested claims.
fn front_vars(review: &Review, targets: &Targets) -> Vec<(&'static str, Var)> {
    let claim_bodies: serde_json::Map<String, serde_json::Value> = review
        .contested
        .iter()
        .map(|&i| {
            let c = &review.claims[i];
            let prefix = format!("claim-{}", c.slug);
            (
                c.slug.clone(),
                targets.body(&c.content, &c.url, &prefix, 2).into(),
            )
        })
        .collect();
    let intro = review.home.as_ref().map_or(String::new(), |home| {
        targets.body(&home.content, &home.url, "intro", 1)
    });
    let (case_parts, case_parts_digest) = targets
        .layout
        .case_parts
        .get_or_init(|| case_parts(review, targets));
    vec![
        (
            "case_parts",
            Var::Digested(case_parts.clone(), *case_parts_digest),
        ),
        ("intro", Var::Plain(Value::from(intro))),
        ("contested", Var::Claims(review.contested.clone())),
        (
            "claim_bodies",
            Var::Plain(Value::from_serializable(&claim_bodies)),
        ),
    ]
}

/// Where the contested claims' findings link to their case studies, from the first part,
/// with its digest: at 10,000 case studies it names thousands, and it changes only with
/// the layout. When it is what the last render made, it is that value itself: each
/// contested claim is a fragment keyed by it (by identity, see `fragments`), so a new
/// value would render every claim again.
///
/// The contested claims hold tens of thousands of findings, most naming a case study
/// another finding names too, so the slugs are gathered once each, and the value is made
/// only when they differ from last time.
fn case_parts(review: &Review, targets: &Targets) -> (Value, Digest) {
    let mut parts: Vec<(&str, usize)> = review
        .contested
        .iter()
        .flat_map(|&i| &review.claims[i].findings)
        .filter_map(|f| {
            let slug = f.case_study.slug.as_str();
            Some((slug, *targets.layout.case_studies.get(slug)?))
        })
        .collect();
    parts.sort_unstable();
    parts.dedup();
    let digest = digest_of(
        "case-parts",
        &(targets.layout.portable, targets.part, &parts),
    );
    if let Some((last, last_digest)) = &targets.layout.last_case_parts
        && *last_digest == digest
    {
        return (last.clone(), digest);
    }
    let mut prefixes: HashMap<usize, String> = HashMap::new();
    let map: serde_json::Map<String, serde_json::Value> = parts
        .into_iter()
        .map(|(slug, part)| {
            let prefix = prefixes.entry(part).or_insert_with(|| targets.prefix(part));
            (slug.to_string(), prefix.clone().into())
        })
        .collect();
    (Value::from_serializable(&map), digest)
}

/// `part`: `{number, count, parts, refs}`, where `parts` lists every part as `{number, url,
/// first, last}` (its site-relative URL and the positions of its first and last case
/// study, from 1), for the parts' contents and navigation, and `refs` goes before a
/// `#ref-<key>` link to reach the part with the references (`""` in that part).
fn part_value(review: &Review, targets: &Targets) -> Value {
    let (number, count) = (targets.part, targets.layout.parts);
    let total = review.case_studies.len();
    let parts: Vec<serde_json::Value> = (1..=count)
        .map(|n| {
            let range = Layout::range_of(n, total);
            serde_json::json!({
                "number": n,
                "url": review.url_style.page(&part_dir(n)),
                "first": range.start + 1,
                "last": range.end,
            })
        })
        .collect();
    Value::from_serializable(&serde_json::json!({
        "number": number,
        "count": count,
        "parts": parts,
        "refs": targets.prefix(count),
    }))
}

/// The folder of part `number`: `print`, then `print/2`, ….
fn part_dir(number: usize) -> String {
    if number == 1 {
        PRINT_DIR.to_string()
    } else {
        format!("{PRINT_DIR}/{number}")
    }
}

/// Which page holds what: the part of each case study, and how many parts there are.
/// It depends on the URL style and on front matter only (the case studies' slugs, the
/// contested claims and their findings), so an edit of bodies keeps it.
pub(super) struct Layout {
    portable: bool,
    parts: usize,
    /// The part holding each case study, by slug.
    case_studies: HashMap<String, usize>,
    /// The contested claims' slugs (all in the first part), in order, so that the digest
    /// is the same from one build to the next.
    claims: BTreeSet<String>,
    /// What the layout depends on, for deciding whether a part must be rendered again.
    digest: Digest,
    /// The first part's `case_parts`, made when first asked for.
    case_parts: OnceLock<(Value, Digest)>,
    /// The last render's `case_parts`, to use instead when it is the same (see
    /// [`case_parts`]).
    last_case_parts: Option<(Value, Digest)>,
}

impl Layout {
    /// The layout of `review`; `last_case_parts` is the last render's `case_parts`, if any.
    pub(super) fn of(review: &Review, last_case_parts: Option<(Value, Digest)>) -> Layout {
        let total = review.case_studies.len();
        let parts = total.div_ceil(PART_SIZE).max(1);
        let case_studies: HashMap<String, usize> = review
            .case_studies
            .iter()
            .enumerate()
            .map(|(i, c)| (c.slug.clone(), i / PART_SIZE + 1))
            .collect();
        let claims: BTreeSet<String> = review
            .contested
            .iter()
            .map(|&i| review.claims[i].slug.clone())
            .collect();
        let digest = digest_of(
            "print-layout",
            &(
                review.url_style.portable,
                review
                    .case_studies
                    .iter()
                    .map(|c| &c.slug)
                    .collect::<Vec<_>>(),
                &claims,
            ),
        );
        Layout {
            portable: review.url_style.portable,
            parts,
            case_studies,
            claims,
            digest,
            case_parts: OnceLock::new(),
            last_case_parts,
        }
    }

    /// The first part's `case_parts`, if it was made.
    pub(super) fn case_parts(&self) -> Option<&(Value, Digest)> {
        self.case_parts.get()
    }

    /// The case studies (by position) of part `part` of a review of `total`.
    fn range_of(part: usize, total: usize) -> std::ops::Range<usize> {
        let start = ((part - 1) * PART_SIZE).min(total);
        start..(start + PART_SIZE).min(total)
    }
}

/// One part's case-study bodies, rewritten for the document when the part is rendered.
pub(super) struct PartBodies {
    targets: Targets,
    cases: std::ops::Range<usize>,
    /// In `serve`: the bodies rewritten for earlier renders.
    kept: Option<Arc<KeptBodies>>,
}

/// Case-study bodies as rewritten for `/print/`, kept from one render to the next by
/// `serve`: after a title edit at 10,000 case studies, the five parts that name the title
/// rewrote their 1,250 bodies again (about 60 ms of CPU), though one of them changed. A
/// body is reused while its text, its page, its part and the layout are the same.
#[derive(Default)]
pub(crate) struct KeptBodies {
    by_slug: Mutex<HashMap<String, KeptBody>>,
}

struct KeptBody {
    layout: Digest,
    part: usize,
    url: String,
    /// The body as rendered for its page (held, so that its address is not another's).
    content: Arc<str>,
    /// As rewritten: a string value, which clones by reference count.
    text: Value,
}

impl KeptBodies {
    /// Forgets the bodies of case studies no longer in `review`, once it holds more bodies
    /// than `review` has case studies (before that, a few stale ones cost little, and
    /// finding them would mean a pass over every slug after every edit).
    pub(super) fn forget_gone(&self, review: &Review) {
        let mut kept = self.by_slug.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() > review.case_studies.len() {
            let slugs: std::collections::HashSet<&str> = review
                .case_studies
                .iter()
                .map(|c| c.slug.as_str())
                .collect();
            kept.retain(|slug, _| slugs.contains(slug.as_str()));
        }
    }
}

impl PartBodies {
    /// `{slug: body}` for the part's case studies.
    pub(super) fn value(&self, review: &Review) -> Value {
        let bodies: std::collections::BTreeMap<String, Value> = review.case_studies
            [self.cases.clone()]
        .iter()
        .map(|c| (c.slug.clone(), self.body(c)))
        .collect();
        Value::from(bodies)
    }

    /// One case study's body as the document holds it, kept or rewritten.
    fn body(&self, case: &crate::review::model::CaseStudy) -> Value {
        let rewrite = || {
            let prefix = format!("case-{}", case.slug);
            Value::from(self.targets.body(&case.content, &case.url, &prefix, 2))
        };
        let Some(kept) = &self.kept else {
            return rewrite();
        };
        let layout = self.targets.layout.digest;
        let part = self.targets.part;
        let found = kept
            .by_slug
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&case.slug)
            .filter(|body| {
                body.layout == layout
                    && body.part == part
                    && body.url == case.url
                    && Arc::ptr_eq(&body.content, &case.content)
            })
            .map(|body| body.text.clone());
        if let Some(text) = found {
            return text;
        }
        let text = rewrite();
        let body = KeptBody {
            layout,
            part,
            url: case.url.clone(),
            content: case.content.clone(),
            text: text.clone(),
        };
        kept.by_slug
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(case.slug.clone(), body);
        text
    }

    /// Changes when a body of the part, or the page it comes from, or where anything is in
    /// the document changes.
    pub(super) fn digest(&self, values: &Values) -> Option<Digest> {
        let bodies: Option<Vec<Digest>> =
            self.cases.clone().map(|i| values.body_digest(i)).collect();
        let pages: Vec<(&str, &str)> = values.review().case_studies[self.cases.clone()]
            .iter()
            .map(|c| (c.slug.as_str(), c.url.as_str()))
            .collect();
        Some(digest_all(
            "print-bodies",
            [
                self.targets.layout.digest,
                digest_of("part", &self.targets.part),
                digest_all("bodies", bodies?),
                digest_of("pages", &pages),
            ],
        ))
    }

    /// How many case studies' bodies the part holds.
    pub(super) fn len(&self) -> usize {
        self.cases.len()
    }
}

/// Where the links of one part's bodies lead.
#[derive(Clone)]
struct Targets {
    layout: Arc<Layout>,
    /// The part being written, from 1.
    part: usize,
}

impl Targets {
    /// From this part's folder to the site's root.
    fn up(&self) -> &'static str {
        if self.part == 1 { "../" } else { "../../" }
    }

    /// `#fragment` in part `part`, from this part.
    fn in_part(&self, part: usize, fragment: &str) -> String {
        format!("{}#{fragment}", self.prefix(part))
    }

    /// What goes before `#fragment` to reach part `part` from this part: `""` in this part.
    fn prefix(&self, part: usize) -> String {
        if part == self.part {
            return String::new();
        }
        let index = if self.layout.portable {
            "index.html"
        } else {
            ""
        };
        format!("{}{}/{index}", self.up(), part_dir(part))
    }

    /// A Markdown body as the document holds it: links and ids rewritten (see
    /// [`Targets::rewrite`]) and headings `by` levels lower.
    fn body(&self, html: &str, page_url: &str, prefix: &str, by: usize) -> String {
        demote(&self.rewrite(html, page_url, prefix), by)
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
                    format!("{}{}", self.up(), resolve(folder, value))
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
        let slug_of = |kind: &str| page.strip_prefix(kind).map(str::to_string);
        let with_fragment = |id: String| match fragment {
            "" => id,
            f => format!("{id}-{f}"),
        };
        if let Some(slug) = slug_of("case-studies/")
            && let Some(&part) = self.layout.case_studies.get(&slug)
        {
            return self.in_part(part, &with_fragment(format!("case-{slug}")));
        }
        if let Some(slug) = slug_of("claims/")
            && self.layout.claims.contains(&slug)
        {
            return self.in_part(1, &with_fragment(format!("claim-{slug}")));
        }
        if page == "references" && !fragment.is_empty() {
            return self.in_part(self.layout.parts, fragment);
        }
        if page.is_empty() || page == "index.html" {
            return self.in_part(1, "top");
        }
        // A page the document does not hold: the page on the site.
        let mut link = format!("{}{site_path}", self.up());
        if self.layout.portable && site_path.ends_with('/') {
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
/// section and the case study's own title. One pass over the text.
fn demote(html: &str, by: usize) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let tag = &rest[at..];
        let head = if tag.starts_with("</h") {
            3
        } else if tag.starts_with("<h") {
            2
        } else {
            1
        };
        out.push_str(&rest[..at + head]);
        rest = &rest[at + head..];
        if head > 1
            && let Some(d @ b'1'..=b'6') = rest.as_bytes().first().copied()
        {
            let to = (usize::from(d - b'0') + by).min(6);
            out.push_str(&to.to_string());
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
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

/// The next ` href="…"`, ` src="…"` or ` id="…"` in `html`: what comes before, the
/// attribute's start (`href="`), its value and what follows the closing quote. Markdown
/// bodies are pulldown-cmark's output, where attributes are always double-quoted. Each
/// call reads only up to the attribute it returns, so a whole body is read once.
fn next_attribute(html: &str) -> Option<(&str, &str, &str, &str)> {
    const NAMES: [&str; 3] = [" href", " id", " src"];
    let mut from = 0;
    loop {
        let equals = from + html[from..].find("=\"")?;
        let before = &html[..equals];
        if let Some(name) = NAMES.iter().find(|name| before.ends_with(*name)) {
            let at = equals - name.len();
            let value_start = equals + 2;
            let end = value_start + html[value_start..].find('"')?;
            return Some((
                &html[..at],
                &html[at..value_start],
                &html[value_start..end],
                &html[end + 1..],
            ));
        }
        from = equals + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document's links as seen from `part` of `parts`, with `pause` in the last part.
    fn targets(part: usize, parts: usize) -> Targets {
        Targets {
            layout: Arc::new(Layout {
                portable: false,
                parts,
                case_studies: [("pause".to_string(), parts), ("mockingbird".to_string(), 1)].into(),
                claims: ["reduces-care-entry".to_string()].into(),
                digest: digest_of("test", &()),
                case_parts: OnceLock::new(),
                last_case_parts: None,
            }),
            part,
        }
    }

    #[test]
    fn body_links_point_inside_the_document() {
        let t = targets(1, 1);
        let html = r##"<h2 id="history">History</h2><p><a href="../pause/">Pause</a>, <a href="../../claims/reduces-care-entry/#why">why</a>, <a href="../../themes/workforce/">workforce</a>, <a href="#history">up</a>, <a href="https://example.org/">out</a>, <a href="../../references/#ref-a">a</a>, <a href="../../">home</a><img src="chart.png" alt=""></p>"##;
        assert_eq!(
            t.rewrite(html, "case-studies/mockingbird/", "case-mockingbird"),
            r##"<h2 id="case-mockingbird-history">History</h2><p><a href="#case-pause">Pause</a>, <a href="#claim-reduces-care-entry-why">why</a>, <a href="../themes/workforce/">workforce</a>, <a href="#case-mockingbird-history">up</a>, <a href="https://example.org/">out</a>, <a href="#ref-a">a</a>, <a href="#top">home</a><img src="../case-studies/mockingbird/chart.png" alt=""></p>"##
        );
    }

    #[test]
    fn links_between_parts_point_at_the_part_that_holds_them() {
        let html = r##"<p><a href="../pause/">Pause</a>, <a href="../../claims/reduces-care-entry/#why">why</a>, <a href="../../themes/workforce/">workforce</a>, <a href="../../references/#ref-a">a</a>, <a href="../../">home</a><img src="chart.png" alt=""></p>"##;
        // From the first part, to the third.
        assert_eq!(
            targets(1, 3).rewrite(html, "case-studies/mockingbird/", "case-mockingbird"),
            r##"<p><a href="../print/3/#case-pause">Pause</a>, <a href="#claim-reduces-care-entry-why">why</a>, <a href="../themes/workforce/">workforce</a>, <a href="../print/3/#ref-a">a</a>, <a href="#top">home</a><img src="../case-studies/mockingbird/chart.png" alt=""></p>"##
        );
        // From the second part, a level deeper.
        assert_eq!(
            targets(2, 3).rewrite(html, "case-studies/mockingbird/", "case-mockingbird"),
            r##"<p><a href="../../print/3/#case-pause">Pause</a>, <a href="../../print/#claim-reduces-care-entry-why">why</a>, <a href="../../themes/workforce/">workforce</a>, <a href="../../print/3/#ref-a">a</a>, <a href="../../print/#top">home</a><img src="../../case-studies/mockingbird/chart.png" alt=""></p>"##
        );
    }

    /// Each contested claim in `/print/` is a fragment keyed by `case_parts` (by identity):
    /// a render after an edit that leaves it as it was must pass the same value, or every
    /// claim would be rendered again.
    #[test]
    fn the_last_case_parts_are_reused_only_when_the_same() {
        let review = super::super::values::tests::fixture_review();
        assert!(
            !review.contested.is_empty(),
            "the fixture has contested claims"
        );
        let first_part = |last| Targets {
            layout: Arc::new(Layout::of(&review, last)),
            part: 1,
        };
        let address = |value: &Value| value.as_map().map(std::ptr::from_ref);
        let (first, digest) = case_parts(&review, &first_part(None));
        assert!(first.as_map().is_some_and(|m| !m.is_empty()));

        let (again, again_digest) = case_parts(&review, &first_part(Some((first.clone(), digest))));
        assert_eq!(again_digest, digest);
        assert_eq!(address(&again), address(&first));

        // A different last value (another layout) is not taken, whatever its identity.
        let other = Value::from_serializable(&serde_json::json!({"elsewhere": "../print/2/"}));
        let other_digest = digest_of("plain", &other);
        let (fresh, _) = case_parts(&review, &first_part(Some((other.clone(), other_digest))));
        assert_eq!(fresh, first);
        assert_ne!(address(&fresh), address(&other));
        assert_ne!(address(&fresh), address(&first));
    }

    #[test]
    fn parts_share_the_case_studies_out_in_order() {
        assert_eq!(Layout::range_of(1, 10), 0..10);
        assert_eq!(Layout::range_of(1, 2 * PART_SIZE + 1), 0..PART_SIZE);
        assert_eq!(
            Layout::range_of(3, 2 * PART_SIZE + 1),
            2 * PART_SIZE..2 * PART_SIZE + 1
        );
    }

    #[test]
    fn headings_go_down_without_passing_h6() {
        assert_eq!(
            demote("<h2 id=\"a\">A</h2><h5>B</h5>", 2),
            "<h4 id=\"a\">A</h4><h6>B</h6>"
        );
        assert_eq!(
            demote("<hr><h1>x<b>y</b> 1<h</h1><h7>", 1),
            "<hr><h2>x<b>y</b> 1<h</h2><h7>"
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
