//! Building the review model from parsed content, step by step.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::bibliography::Bibliography;
use crate::config::SiteConfig;
use crate::content::schema::{CaseStudyMeta, ClaimMeta, PageMeta, Ref, ThemeMeta};
use crate::content::{Content, Document, find_in_front_matter};
use crate::diagnostics::{Diagnostic, Diagnostics, Locator, did_you_mean_hint};
use crate::markdown::{self, Rendered};
use crate::shared::Shared;

use super::cache::{BodyCache, Inputs, Last, ReviewCache};
use super::facets::Vocabulary;
use super::model::*;
use super::urls::{LinkMap, RESERVED, Target, UrlStyle};
use super::{Review, ReviewOptions, evidence, map, related};

/// Slug to index, for each kind that can be referred to.
struct Index {
    themes: HashMap<String, usize>,
    claims: HashMap<String, usize>,
    cases: HashMap<String, usize>,
    draft_cases: HashSet<String>,
}

pub(super) fn build(
    config: Arc<SiteConfig>,
    mut content: Content,
    bibliography: Bibliography,
    options: ReviewOptions,
    mut cache: Option<&mut ReviewCache>,
    diagnostics: &mut Diagnostics,
) -> Option<Review> {
    let style = options.url_style;
    let inputs = cache
        .as_ref()
        .map(|_| Inputs::of(&config, &content, &bibliography, options));
    let first_problem = diagnostics.len();
    let (draft_cases, draft_paths) = drop_drafts(&mut content, options.drafts);
    sort_by_title(&mut content);
    check_duplicates(&content, diagnostics);
    check_facet_urls(&config, &content, diagnostics);
    let index = Index {
        themes: slug_index(&content.themes),
        claims: slug_index(&content.claims),
        cases: slug_index(&content.case_studies),
        draft_cases,
    };
    let mut links = link_map(&content, style);
    links.drafts = draft_paths;
    let bodies = render_bodies(
        &content,
        &links,
        options,
        cache.as_deref_mut().map(|c| &mut c.bodies),
    );
    let link_problems = diagnostics.len();
    check_links(&content, &links, &bodies, diagnostics);
    let after_links = diagnostics.len();

    let vocabulary = Vocabulary::new(&config, style);
    let theme_refs: Vec<Shared<PageRef>> = content
        .themes
        .iter()
        .map(|d| page_ref(d, &d.meta.title, &links))
        .collect();
    let claim_refs: Vec<Shared<PageRef>> = content
        .claims
        .iter()
        .map(|d| page_ref(d, &d.meta.title, &links))
        .collect();
    let case_refs: Vec<Shared<PageRef>> = content
        .case_studies
        .iter()
        .map(|d| page_ref(d, &d.meta.title, &links))
        .collect();
    let refs = Refs {
        themes: &theme_refs,
        claims: &claim_refs,
        cases: &case_refs,
    };

    // Bodies are moved into the model, not copied: at 10,000 case studies they are the
    // largest thing the review holds.
    let Bodies {
        cases: case_bodies,
        themes: theme_bodies,
        claims: claim_bodies,
        pages: page_bodies,
        home: home_body,
    } = bodies;
    let resolved: Vec<(CaseStudy, Vec<Diagnostic>)> = content
        .case_studies
        .par_iter()
        .zip(case_bodies)
        .enumerate()
        .map(|(i, (doc, body))| {
            let mut problems = Vec::new();
            let case = resolve_case_study(
                i,
                doc,
                body,
                &index,
                &refs,
                &vocabulary,
                &bibliography,
                &config,
                &mut problems,
            );
            (case, problems)
        })
        .collect();
    let mut case_studies = Vec::with_capacity(resolved.len());
    for (case, problems) in resolved {
        diagnostics.extend(problems);
        case_studies.push(case);
    }

    let mut claims: Vec<Claim> = content
        .claims
        .iter()
        .zip(claim_bodies)
        .enumerate()
        .map(|(i, (doc, body))| {
            resolve_claim(doc, &claim_refs[i], body, &index, &theme_refs, diagnostics)
        })
        .collect();
    evidence::attach_findings(&mut claims, &case_studies, &config);
    let contested = evidence::rank_contested(&claims);

    let mut themes: Vec<Theme> = content
        .themes
        .iter()
        .zip(theme_bodies)
        .enumerate()
        .map(|(i, (doc, body))| theme_of(doc, &theme_refs[i], body))
        .collect();
    related::link_themes(&mut themes, &case_studies, &claims);
    related::link_case_studies(
        &mut case_studies,
        &theme_refs,
        &claim_refs,
        cache.as_deref_mut().map(|c| &mut c.related),
    );
    link_adaptations(&mut case_studies);

    let (facets, facet_members) = facet_listings(&vocabulary, &case_studies);
    let (evidence_map, map_members) =
        map::build(&config, &vocabulary, &themes, &case_studies, style)?;

    warn_unused(&content, &case_studies, &themes, &claims, diagnostics);

    let home = content
        .home
        .as_ref()
        .map(|d| page_of(d, style.page(""), home_body));
    let pages = content
        .pages
        .iter()
        .zip(page_bodies)
        .map(|(d, body)| page_of(d, style.page(&page_dir(&d.content_path)), body))
        .collect();

    if diagnostics.has_errors() {
        return None;
    }
    if let (Some(cache), Some(inputs)) = (cache, inputs) {
        // Problems outside links depend on the inputs alone, so an edit to bodies only
        // finds them again as they are.
        let mut problems = diagnostics.since(first_problem).to_vec();
        problems.drain(link_problems - first_problem..after_links - first_problem);
        cache.built = Some(Last { inputs, problems });
    }
    Some(Review {
        config,
        case_studies,
        themes,
        claims,
        home,
        pages,
        facets,
        facet_members,
        contested,
        map: evidence_map,
        map_members,
        assets: content.assets,
        bibliography,
        url_style: style,
    })
}

struct Refs<'a> {
    themes: &'a [Shared<PageRef>],
    claims: &'a [Shared<PageRef>],
    cases: &'a [Shared<PageRef>],
}

/// Removes drafts unless they are wanted; returns the slugs of removed case studies and
/// the content paths of every removed file (for links to them).
pub(super) fn drop_drafts(
    content: &mut Content,
    keep: bool,
) -> (HashSet<String>, HashSet<PathBuf>) {
    if keep {
        return (HashSet::new(), HashSet::new());
    }
    let drafts = content
        .case_studies
        .iter()
        .filter(|d| d.meta.draft)
        .map(|d| d.slug.clone())
        .collect();
    let paths = content
        .case_studies
        .iter()
        .filter(|d| d.meta.draft)
        .map(|d| d.content_path.clone())
        .chain(
            content
                .pages
                .iter()
                .filter(|d| d.meta.draft)
                .map(|d| d.content_path.clone()),
        )
        .collect();
    content.case_studies.retain(|d| !d.meta.draft);
    content.pages.retain(|d| !d.meta.draft);
    (drafts, paths)
}

pub(super) fn sort_by_title(content: &mut Content) {
    content
        .case_studies
        .sort_by_cached_key(|d| title_key(&d.meta.title, &d.slug));
    content
        .themes
        .sort_by_cached_key(|d| title_key(&d.meta.title, &d.slug));
    content
        .claims
        .sort_by_cached_key(|d| title_key(&d.meta.title, &d.slug));
    content
        .pages
        .sort_by(|a, b| a.content_path.cmp(&b.content_path));
}

fn title_key(title: &str, slug: &str) -> (String, String) {
    (title.to_lowercase(), slug.to_string())
}

fn slug_index<M>(docs: &[Document<M>]) -> HashMap<String, usize> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| (d.slug.clone(), i))
        .collect()
}

fn page_dir(content_path: &Path) -> String {
    let parent = content_path
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let stem = crate::content::slug_of(content_path);
    let is_index = content_path.file_stem().is_some_and(|s| s == "_index");
    match (parent.is_empty(), is_index) {
        (_, true) => parent
            .split('/')
            .map(slug::slugify)
            .collect::<Vec<_>>()
            .join("/"),
        (true, false) => stem,
        (false, false) => format!(
            "{}/{stem}",
            parent
                .split('/')
                .map(slug::slugify)
                .collect::<Vec<_>>()
                .join("/")
        ),
    }
}

/// A link to a document's page; its URL comes from the link map, which `all_docs` fills.
fn page_ref<M>(doc: &Document<M>, title: &str, links: &LinkMap) -> Shared<PageRef> {
    Shared::new(PageRef {
        slug: doc.slug.clone(),
        url: links
            .pages
            .get(&doc.content_path)
            .cloned()
            .unwrap_or_default(),
        title: title.to_string(),
    })
}

/// Each facet gets pages at `/<facet>/`: a facet may not take a URL that tessera or a
/// content page already writes, or one would silently overwrite the other.
fn check_facet_urls(config: &SiteConfig, content: &Content, diagnostics: &mut Diagnostics) {
    let page_tops: HashSet<String> = content
        .pages
        .iter()
        .filter_map(|d| {
            page_dir(&d.content_path)
                .split('/')
                .next()
                .map(str::to_lowercase)
        })
        .collect();
    for name in config.facets.keys() {
        let slug = slug::slugify(name);
        let clash = if RESERVED.contains(&slug.as_str()) {
            Some("a section tessera generates".to_string())
        } else if page_tops.contains(&slug) {
            Some(format!("the content page at `{slug}/`"))
        } else {
            None
        };
        if let Some(clash) = clash {
            let table = format!("[facets.{name}]");
            let mut d = Diagnostic::error(
                "config-reserved-facet",
                format!("facet `{name}` would write its pages to `{slug}/`, which is {clash}"),
            )
            .in_file(crate::config::CONFIG_FILE)
            .with_hint("rename the facet in site.toml (and where content uses it)");
            if let Some(text) = diagnostics.source(Path::new(crate::config::CONFIG_FILE)) {
                let at = text.find(&table).unwrap_or(0);
                d = d.at(&text, at..at + table.len().min(text.len() - at));
            }
            diagnostics.push(d);
        }
    }
}

/// Every output path must be unique, also ignoring case (macOS and Windows hosts fold it).
fn check_duplicates(content: &Content, diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<String, &Path> = HashMap::new();
    for doc in all_docs(content) {
        let Some(dir) = &doc.dir else { continue };
        let key = dir.to_lowercase();
        let top = key.split('/').next().unwrap_or("");
        // Each clash points at the second file's front matter, so it has a line to click on.
        if doc.is_plain_page && RESERVED.contains(&top) {
            diagnostics.push(
                Diagnostic::error(
                    "reserved-url",
                    format!(
                        "this page would be written to `{dir}/`, which tessera generates itself"
                    ),
                )
                .in_file(doc.path)
                .at_location(doc.head.clone())
                .with_hint("rename the file or move it into another folder"),
            );
        } else if let Some(first) = seen.get(&key) {
            diagnostics.push(
                Diagnostic::error("duplicate-slug", format!("this file would be written to `{dir}/`, like `{}`", first.display()))
                    .in_file(doc.path)
                    .at_location(doc.head.clone())
                    .with_hint("two files give the same URL (letter case is ignored, since some hosts ignore it): rename one"),
            );
        } else {
            seen.insert(key, doc.path);
        }
    }
}

pub(super) fn link_map(content: &Content, style: UrlStyle) -> LinkMap {
    let mut links = LinkMap::default();
    for doc in all_docs(content) {
        let dir = doc.dir.as_deref().unwrap_or("");
        links
            .pages
            .insert(doc.content_path.to_path_buf(), style.page(dir));
    }
    for asset in &content.assets {
        let url = asset.content_path.to_string_lossy().replace('\\', "/");
        links.assets.insert(asset.content_path.clone(), url);
    }
    links
}

/// Rendered Markdown bodies, in the same order as the documents.
pub(super) struct Bodies {
    pub(super) cases: Vec<Rendered>,
    pub(super) themes: Vec<Rendered>,
    pub(super) claims: Vec<Rendered>,
    pub(super) pages: Vec<Rendered>,
    pub(super) home: Rendered,
}

/// A document's Markdown body and the file it sits in.
struct Markdown<'a> {
    content_path: &'a Path,
    source: &'a Arc<str>,
    body_offset: usize,
}

impl<'a> Markdown<'a> {
    fn of<M>(doc: &'a Document<M>) -> Markdown<'a> {
        Markdown {
            content_path: &doc.content_path,
            source: &doc.source,
            body_offset: doc.body_offset,
        }
    }

    fn body(&self) -> &str {
        &self.source[self.body_offset..]
    }
}

pub(super) fn render_bodies(
    content: &Content,
    links: &LinkMap,
    options: ReviewOptions,
    cache: Option<&mut BodyCache>,
) -> Bodies {
    let previous = cache
        .as_deref()
        .and_then(|c| c.usable(links, options.markdown));
    let render_all = |docs: &mut dyn Iterator<Item = Markdown>| -> Vec<Rendered> {
        docs.collect::<Vec<_>>()
            .par_iter()
            .map(|d| {
                previous
                    .and_then(|c| c.get(d.content_path, d.body()))
                    .unwrap_or_else(|| render_body(d, links, options))
            })
            .collect()
    };
    let bodies = Bodies {
        cases: render_all(&mut content.case_studies.iter().map(Markdown::of)),
        themes: render_all(&mut content.themes.iter().map(Markdown::of)),
        claims: render_all(&mut content.claims.iter().map(Markdown::of)),
        pages: render_all(&mut content.pages.iter().map(Markdown::of)),
        home: render_all(&mut content.home.iter().map(Markdown::of))
            .pop()
            .unwrap_or_default(),
    };
    if let Some(cache) = cache {
        let docs = content
            .case_studies
            .iter()
            .map(Markdown::of)
            .chain(content.themes.iter().map(Markdown::of))
            .chain(content.claims.iter().map(Markdown::of))
            .chain(content.pages.iter().map(Markdown::of))
            .chain(content.home.iter().map(Markdown::of));
        let rendered = bodies
            .cases
            .iter()
            .chain(&bodies.themes)
            .chain(&bodies.claims)
            .chain(&bodies.pages)
            .chain(content.home.as_ref().map(|_| &bodies.home));
        cache.update(
            links,
            options.markdown,
            docs.zip(rendered)
                .map(|(d, r)| (d.content_path, d.source, d.body_offset, r)),
        );
    }
    bodies
}

fn render_body(doc: &Markdown, links: &LinkMap, options: ReviewOptions) -> Rendered {
    let page_url = links
        .pages
        .get(doc.content_path)
        .cloned()
        .unwrap_or_default();
    let rewrite = |dest: &str| links.rewrite(doc.content_path, &page_url, dest);
    markdown::render(doc.body(), options.markdown, &rewrite)
}

/// Reports links to missing files and to missing headings (errors), and to drafts left out
/// of the build (warnings: the link is rendered as plain text).
pub(super) fn check_links(
    content: &Content,
    links: &LinkMap,
    bodies: &Bodies,
    diagnostics: &mut Diagnostics,
) {
    let mut anchors: HashMap<&Path, &[String]> = HashMap::new();
    let docs = all_docs(content);
    let rendered: Vec<&Rendered> = bodies
        .cases
        .iter()
        .chain(&bodies.themes)
        .chain(&bodies.claims)
        .chain(&bodies.pages)
        .chain(content.home.as_ref().map(|_| &bodies.home))
        .collect();
    for (doc, body) in docs.iter().zip(&rendered) {
        anchors.insert(doc.content_path, &body.anchors);
    }
    for (doc, body) in docs.iter().zip(&rendered) {
        // A long page can hold many broken links: locate them all in one pass.
        let mut locator = Locator::new(doc.source);
        for link in &body.links {
            let at = doc.body_offset + link.offset;
            let problem = match links.resolve(doc.content_path, &link.dest) {
                Target::Draft { file } => {
                    diagnostics.push(
                        Diagnostic::warning(
                            "draft-referenced",
                            format!(
                                "`{}` is a draft, so this link is left out of the built site (its text stays)",
                                file.display()
                            ),
                        )
                        .in_file(doc.path)
                        .at_location(link_location(&mut locator, at, &link.dest))
                        .with_hint(
                            "publish the other file (remove `draft: true`) or build with `--drafts`",
                        ),
                    );
                    None
                }
                Target::Missing { file } => Some((
                    "broken-link",
                    format!("link to `{}`, which does not exist", link.dest),
                    missing_hint(doc.content_path, &file, links),
                )),
                Target::Page {
                    file,
                    fragment: Some(fragment),
                } if !anchors
                    .get(file.as_path())
                    .is_some_and(|a| a.contains(&fragment)) =>
                {
                    Some((
                        "broken-anchor",
                        format!(
                            "link to `{}`: `{}` has no heading with id `{fragment}`",
                            link.dest,
                            file.display()
                        ),
                        anchors.get(file.as_path()).and_then(|a| {
                            did_you_mean_hint(&fragment, a.iter().map(String::as_str))
                        }),
                    ))
                }
                Target::SamePage { fragment }
                    if !fragment.is_empty() && !body.anchors.contains(&fragment) =>
                {
                    Some((
                        "broken-anchor",
                        format!("link to `#{fragment}`, but this page has no heading with that id"),
                        did_you_mean_hint(&fragment, body.anchors.iter().map(String::as_str)),
                    ))
                }
                _ => None,
            };
            if let Some((code, message, hint)) = problem {
                diagnostics.push(
                    Diagnostic::error(code, message)
                        .in_file(doc.path)
                        .at_location(link_location(&mut locator, at, &link.dest))
                        .with_hint_opt(hint),
                );
            }
        }
    }
}

/// Where a link's Markdown starts (`at`, a byte offset in the file), spanning about as many
/// bytes as its destination so the caret underlines the link.
fn link_location(locator: &mut Locator, at: usize, dest: &str) -> crate::diagnostics::Location {
    locator.locate(at..at.saturating_add(dest.len()))
}

/// Suggests an existing file for a link to a missing one, written as the link must be:
/// relative to the file that holds it (`from`).
fn missing_hint(from: &Path, file: &Path, links: &LinkMap) -> Option<String> {
    // Compare file names, not whole paths: a long shared folder would make any two paths
    // look alike. Files in the folder the link points into come first, then by path, so
    // the suggestion does not depend on hash order.
    let name_of = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let wanted = name_of(file).unwrap_or_default();
    let mut candidates: Vec<(&PathBuf, String)> = links
        .pages
        .keys()
        .filter_map(|p| Some((p, name_of(p)?)))
        .collect();
    candidates.sort_by_key(|(p, _)| (p.parent() != file.parent(), p.as_path()));
    let best =
        crate::diagnostics::did_you_mean(&wanted, candidates.iter().map(|(_, n)| n.as_str()));
    match best.and_then(|best| candidates.iter().find(|(_, n)| *n == best)) {
        Some((path, _)) => Some(format!("did you mean `{}`?", relative_link(from, path))),
        None => Some("links between content files use the file's path relative to this one, e.g. `../themes/workforce.md`".to_string()),
    }
}

/// How a link in the file at `from` spells the path to `to` (both under `content/`).
fn relative_link(from: &Path, to: &Path) -> String {
    let base: Vec<_> = from
        .parent()
        .map(|p| p.components().collect())
        .unwrap_or_default();
    let target: Vec<_> = to.components().collect();
    let shared = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); base.len() - shared];
    parts.extend(
        target[shared..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// A document of any kind, seen through what link checking needs.
struct AnyDoc<'a> {
    path: &'a Path,
    content_path: &'a Path,
    source: &'a str,
    body_offset: usize,
    /// The folder its page is written to; `None` for the home page (the site root).
    dir: Option<String>,
    is_plain_page: bool,
    /// The opening of its front matter, where file-level problems point.
    head: crate::diagnostics::Location,
}

/// Every document in one order (case studies, themes, claims, pages, home) with the folder
/// its page is written to: the one place that decides page URLs.
fn all_docs(content: &Content) -> Vec<AnyDoc<'_>> {
    fn view<M>(d: &Document<M>, dir: Option<String>, is_plain_page: bool) -> AnyDoc<'_> {
        AnyDoc {
            path: &d.path,
            content_path: &d.content_path,
            source: &d.source,
            body_offset: d.body_offset,
            dir,
            is_plain_page,
            head: d.head(),
        }
    }
    content
        .case_studies
        .iter()
        .map(|d| view(d, Some(format!("case-studies/{}", d.slug)), false))
        .chain(
            content
                .themes
                .iter()
                .map(|d| view(d, Some(format!("themes/{}", d.slug)), false)),
        )
        .chain(
            content
                .claims
                .iter()
                .map(|d| view(d, Some(format!("claims/{}", d.slug)), false)),
        )
        .chain(
            content
                .pages
                .iter()
                .map(|d| view(d, Some(page_dir(&d.content_path)), true)),
        )
        .chain(content.home.iter().map(|d| view(d, None, false)))
        .collect()
}

/// Pushes a diagnostic about a reference written in a document's front matter.
fn at_ref<M>(doc: &Document<M>, r: &Ref, diagnostic: Diagnostic) -> Diagnostic {
    diagnostic
        .in_file(&doc.path)
        .at_location(doc.locate_ref(&r.referenced))
}

#[allow(clippy::too_many_arguments)]
fn resolve_case_study(
    case_index: usize,
    doc: &Document<CaseStudyMeta>,
    body: Rendered,
    index: &Index,
    refs: &Refs,
    vocabulary: &Vocabulary,
    bibliography: &Bibliography,
    config: &SiteConfig,
    problems: &mut Vec<Diagnostic>,
) -> CaseStudy {
    let meta = &doc.meta;
    let facet_value = |facet: &str, r: &Ref, problems: &mut Vec<Diagnostic>| match vocabulary
        .value(facet, &r.value)
    {
        Ok(v) => Some(v),
        Err(unknown) => {
            problems.push(at_ref(
                doc,
                r,
                Diagnostic::error("unknown-facet-value", unknown.message).with_hint(unknown.hint),
            ));
            None
        }
    };
    let stage = facet_value("stage", &meta.stage, problems);
    let origin = meta
        .origin
        .as_ref()
        .and_then(|r| facet_value("origin", r, problems));
    let region = meta
        .region
        .as_ref()
        .and_then(|r| facet_value("region", r, problems));
    let framed_as: Vec<Shared<FacetValue>> = meta
        .framed_as
        .iter()
        .filter_map(|r| facet_value("framed_as", r, problems))
        .collect();

    let theme_indexes = resolve_refs(
        doc,
        &meta.themes,
        &index.themes,
        "theme",
        "unknown-theme",
        problems,
    );
    let themes = theme_indexes
        .iter()
        .map(|&i| refs.themes[i].clone())
        .collect();
    let adapted_from = meta
        .adapted_from
        .as_ref()
        .and_then(|r| resolve_adapted_from(doc, r, index, refs, problems));

    let mut sources: Vec<Shared<crate::bibliography::Source>> = Vec::new();
    for r in &meta.sources {
        if let Some(s) = resolve_source(doc, r, bibliography, problems) {
            push_unique_source(&mut sources, s);
        }
    }
    let own = refs.cases[case_index].clone();
    let mut findings = Vec::with_capacity(meta.findings.len());
    for f in &meta.findings {
        let Some(&claim_index) = resolve_one(
            doc,
            &f.claim,
            &index.claims,
            "claim",
            "unknown-claim",
            problems,
        ) else {
            continue;
        };
        let source = f
            .source
            .as_ref()
            .and_then(|r| resolve_source(doc, r, bibliography, problems));
        if let Some(s) = &source {
            push_unique_source(&mut sources, s.clone());
        }
        let certainty = f
            .certainty
            .as_ref()
            .and_then(|r| facet_value("certainty", r, problems));
        let year = source
            .as_ref()
            .and_then(|s| s.year)
            .or(meta.period.and_then(|p| p.start));
        let certainty_rank = config.certainty_rank(certainty.as_ref().map(|c| c.id.as_str()));
        findings.push(Shared::new(Finding {
            claim: refs.claims[claim_index].clone(),
            case_study: own.clone(),
            stance: f.stance.value,
            stance_label: f.stance.value.label(),
            perspective: f
                .perspective
                .as_ref()
                .and_then(|r| facet_value("perspective", r, problems)),
            design: f
                .design
                .as_ref()
                .and_then(|r| facet_value("design", r, problems)),
            certainty_rank,
            strength: super::evidence::strength(certainty_rank, config),
            certainty,
            source,
            locator: f.locator.clone().unwrap_or_default(),
            note: f.note.clone().unwrap_or_default(),
            claim_index,
            case_index,
            year,
            region: region.clone(),
        }));
    }
    let claim_indexes = unique_in_order(findings.iter().map(|f| f.claim_index));
    let claims = claim_indexes
        .iter()
        .map(|&i| refs.claims[i].clone())
        .collect();
    let facets = case_facets(
        doc, vocabulary, config, &stage, &origin, &region, &framed_as, &findings, problems,
    );
    let best_certainty = findings
        .iter()
        .map(|f| f.certainty_rank)
        .min()
        .unwrap_or(usize::MAX);
    CaseStudy {
        slug: doc.slug.clone(),
        url: own.url.clone(),
        title: meta.title.clone(),
        summary: meta.summary.clone(),
        organisations: meta.organisations.clone(),
        region,
        period: meta.period.unwrap_or_default(),
        edition: meta.edition,
        is_new: meta.edition.is_some() && meta.edition == config.edition,
        stage,
        origin,
        framed_as,
        facets,
        themes,
        claims,
        findings,
        sources,
        adapted_from,
        adapted_by: Vec::new(),
        related: Vec::new(),
        content: body.html,
        toc: body.toc,
        extra: meta.extra.clone(),
        draft: meta.draft,
        theme_indexes,
        claim_indexes,
        best_certainty,
        self_ref: own,
    }
}

fn push_unique_source(
    sources: &mut Vec<Shared<crate::bibliography::Source>>,
    source: Shared<crate::bibliography::Source>,
) {
    if !sources.iter().any(|s| s.key == source.key) {
        sources.push(source);
    }
}

fn unique_in_order(items: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut seen = HashSet::new();
    items.filter(|i| seen.insert(*i)).collect()
}

/// Every facet value of a case study by facet: its own fields, custom facets from `extra`,
/// and the perspectives, designs and certainties of its findings.
#[allow(clippy::too_many_arguments)]
fn case_facets(
    doc: &Document<CaseStudyMeta>,
    vocabulary: &Vocabulary,
    config: &SiteConfig,
    stage: &Option<Shared<FacetValue>>,
    origin: &Option<Shared<FacetValue>>,
    region: &Option<Shared<FacetValue>>,
    framed_as: &[Shared<FacetValue>],
    findings: &[Shared<Finding>],
    problems: &mut Vec<Diagnostic>,
) -> indexmap::IndexMap<String, Vec<Shared<FacetValue>>> {
    let mut facets = indexmap::IndexMap::new();
    for name in config.facets.keys() {
        let values: Vec<Shared<FacetValue>> = match name.as_str() {
            "stage" => stage.iter().cloned().collect(),
            "origin" => origin.iter().cloned().collect(),
            "region" => region.iter().cloned().collect(),
            "framed_as" => framed_as.to_vec(),
            "perspective" => dedup(findings.iter().filter_map(|f| f.perspective.clone())),
            "design" => dedup(findings.iter().filter_map(|f| f.design.clone())),
            "certainty" => dedup(findings.iter().filter_map(|f| f.certainty.clone())),
            custom => extra_facet(doc, vocabulary, custom, problems),
        };
        facets.insert(name.clone(), values);
    }
    facets
}

fn dedup(values: impl Iterator<Item = Shared<FacetValue>>) -> Vec<Shared<FacetValue>> {
    let mut out: Vec<Shared<FacetValue>> = Vec::new();
    for v in values {
        if !out.iter().any(|o| o.id == v.id) {
            out.push(v);
        }
    }
    out
}

/// A custom facet's value(s), read from `extra.<facet>` (a string or a list of strings).
fn extra_facet(
    doc: &Document<CaseStudyMeta>,
    vocabulary: &Vocabulary,
    facet: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Shared<FacetValue>> {
    let ids: Vec<String> = match doc.meta.extra.get(facet) {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    ids.iter()
        .filter_map(|id| match vocabulary.value(facet, id) {
            Ok(v) => Some(v),
            Err(unknown) => {
                problems.push(
                    Diagnostic::error("unknown-facet-value", unknown.message)
                        .in_file(&doc.path)
                        .at_location(find_in_front_matter(doc, id))
                        .with_hint(unknown.hint),
                );
                None
            }
        })
        .collect()
}

fn resolve_one<'a, M>(
    doc: &Document<M>,
    r: &Ref,
    map: &'a HashMap<String, usize>,
    what: &str,
    code: &'static str,
    problems: &mut Vec<Diagnostic>,
) -> Option<&'a usize> {
    let found = map.get(&r.value);
    if found.is_none() {
        let folder = if what == "theme" { "themes" } else { "claims" };
        problems.push(at_ref(
            doc,
            r,
            Diagnostic::error(code, format!("unknown {what} `{}`", r.value)).with_hint(
                did_you_mean_hint(&r.value, map.keys().map(String::as_str))
                    .unwrap_or_else(|| format!("a {what} is a file in `content/{folder}/`; its slug is the file name without `.md`")),
            ),
        ));
    }
    found
}

fn resolve_refs<M>(
    doc: &Document<M>,
    list: &[Ref],
    map: &HashMap<String, usize>,
    what: &str,
    code: &'static str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    unique_in_order(
        list.iter()
            .filter_map(|r| resolve_one(doc, r, map, what, code, problems).copied()),
    )
}

fn resolve_source<M>(
    doc: &Document<M>,
    r: &Ref,
    bibliography: &Bibliography,
    problems: &mut Vec<Diagnostic>,
) -> Option<Shared<crate::bibliography::Source>> {
    let found = bibliography.get(&r.value).cloned();
    if found.is_none() && !bibliography.failed {
        problems.push(at_ref(
            doc,
            r,
            Diagnostic::error("unknown-source", format!("unknown source `{}`", r.value)).with_hint(
                did_you_mean_hint(&r.value, bibliography.keys())
                    .unwrap_or_else(|| "sources are keys of entries in `content/references.yaml` (or `references.bib`)".to_string()),
            ),
        ));
    }
    found
}

fn resolve_adapted_from(
    doc: &Document<CaseStudyMeta>,
    r: &Ref,
    index: &Index,
    refs: &Refs,
    problems: &mut Vec<Diagnostic>,
) -> Option<Shared<PageRef>> {
    if let Some(&i) = index.cases.get(&r.value) {
        return Some(refs.cases[i].clone());
    }
    if index.draft_cases.contains(&r.value) {
        problems.push(at_ref(
            doc,
            r,
            Diagnostic::warning(
                "draft-referenced",
                format!(
                    "`{}` is a draft, so this link is left out of the built site",
                    r.value
                ),
            )
            .with_hint(
                "publish the other case study (remove `draft: true`) or build with `--drafts`",
            ),
        ));
        return None;
    }
    problems.push(at_ref(
        doc,
        r,
        Diagnostic::error(
            "unknown-case-study",
            format!("unknown case study `{}` in `adapted_from`", r.value),
        )
        .with_hint(
            did_you_mean_hint(&r.value, index.cases.keys().map(String::as_str)).unwrap_or_else(
                || {
                    "`adapted_from` names another file in `content/case-studies/`, without `.md`"
                        .to_string()
                },
            ),
        ),
    ));
    None
}

fn resolve_claim(
    doc: &Document<ClaimMeta>,
    own: &Shared<PageRef>,
    body: Rendered,
    index: &Index,
    theme_refs: &[Shared<PageRef>],
    diagnostics: &mut Diagnostics,
) -> Claim {
    let mut problems = Vec::new();
    let theme_indexes = resolve_refs(
        doc,
        &doc.meta.themes,
        &index.themes,
        "theme",
        "unknown-theme",
        &mut problems,
    );
    diagnostics.extend(problems);
    Claim {
        slug: own.slug.clone(),
        url: own.url.clone(),
        title: doc.meta.title.clone(),
        summary: doc.meta.summary.clone(),
        content: body.html,
        toc: body.toc,
        extra: doc.meta.extra.clone(),
        themes: theme_indexes
            .iter()
            .map(|&i| theme_refs[i].clone())
            .collect(),
        findings: Vec::new(),
        contested: false,
        columns: Columns::default(),
        counts: Counts::default(),
        differences: Vec::new(),
        balance_text: String::new(),
        theme_indexes,
        best_certainty: usize::MAX,
        self_ref: own.clone(),
    }
}

fn theme_of(doc: &Document<ThemeMeta>, own: &Shared<PageRef>, body: Rendered) -> Theme {
    Theme {
        slug: own.slug.clone(),
        url: own.url.clone(),
        title: doc.meta.title.clone(),
        summary: doc.meta.summary.clone(),
        content: body.html,
        toc: body.toc,
        extra: doc.meta.extra.clone(),
        case_studies: Vec::new(),
        claims: Vec::new(),
        contested_claims: Vec::new(),
        related_themes: Vec::new(),
        case_indexes: Vec::new(),
    }
}

fn page_of(doc: &Document<PageMeta>, url: String, body: Rendered) -> Page {
    let title = doc
        .meta
        .title
        .clone()
        .or_else(|| body.toc.first().map(|h| h.title.clone()))
        .unwrap_or_else(|| doc.slug.replace('-', " "));
    Page {
        slug: doc.slug.clone(),
        url,
        title,
        summary: doc.meta.summary.clone(),
        content: body.html,
        toc: body.toc,
        extra: doc.meta.extra.clone(),
    }
}

/// Fills `adapted_by` from every `adapted_from`.
fn link_adaptations(case_studies: &mut [CaseStudy]) {
    let by_slug: HashMap<String, usize> = case_studies
        .iter()
        .enumerate()
        .map(|(i, c)| (c.slug.clone(), i))
        .collect();
    let pairs: Vec<(usize, Shared<PageRef>)> = case_studies
        .iter()
        .filter_map(|c| {
            let from = c.adapted_from.as_ref()?;
            Some((*by_slug.get(&from.slug)?, c.page_ref()))
        })
        .collect();
    for (target, adapter) in pairs {
        case_studies[target].adapted_by.push(adapter);
    }
}

/// Facets with counts, and for each facet value the case studies that have it.
fn facet_listings(
    vocabulary: &Vocabulary,
    case_studies: &[CaseStudy],
) -> (Vec<Facet>, Vec<Vec<Vec<usize>>>) {
    let mut facets = vocabulary.facets();
    // One pass over the case studies, filling value positions looked up by id.
    let positions: Vec<HashMap<&str, usize>> = facets
        .iter()
        .map(|f| {
            f.values
                .iter()
                .enumerate()
                .map(|(v, value)| (value.value.id.as_str(), v))
                .collect()
        })
        .collect();
    let mut members: Vec<Vec<Vec<usize>>> = facets
        .iter()
        .map(|f| vec![Vec::new(); f.values.len()])
        .collect();
    for (i, case) in case_studies.iter().enumerate() {
        for (f, facet) in facets.iter().enumerate() {
            let Some(values) = case.facets.get(&facet.name) else {
                continue;
            };
            for value in values {
                if let Some(&v) = positions[f].get(value.id.as_str()) {
                    // A case study is listed once under a value, however many of its
                    // findings carry it.
                    if members[f][v].last() != Some(&i) {
                        members[f][v].push(i);
                    }
                }
            }
        }
    }
    for (facet, facet_members) in facets.iter_mut().zip(&members) {
        for (value, ids) in facet.values.iter_mut().zip(facet_members) {
            value.count = ids.len();
        }
    }
    (facets, members)
}

fn warn_unused(
    content: &Content,
    case_studies: &[CaseStudy],
    themes: &[Theme],
    claims: &[Claim],
    diagnostics: &mut Diagnostics,
) {
    for (doc, case) in content.case_studies.iter().zip(case_studies) {
        if doc.meta.findings.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    "no-findings",
                    format!("case study `{}` has no findings", case.slug),
                )
                .in_file(&doc.path)
                .at_location(doc.head())
                .with_hint("add `findings:` so the evidence shows on claim pages and the map"),
            );
        }
        if doc.meta.themes.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    "no-themes",
                    format!("case study `{}` has no themes", case.slug),
                )
                .in_file(&doc.path)
                .at_location(doc.head())
                .with_hint("add `themes: [...]` so it is cross-linked"),
            );
        }
        for f in &doc.meta.findings {
            if f.source.is_none() {
                diagnostics.push(
                    Diagnostic::warning(
                        "finding-without-source",
                        format!("a finding on `{}` has no source", f.claim.value),
                    )
                    .in_file(&doc.path)
                    .at_location(doc.locate_ref(&f.claim.referenced))
                    .with_hint("add `source: KEY` naming an entry in the bibliography"),
                );
            }
        }
    }
    for (doc, theme) in content.themes.iter().zip(themes) {
        if theme.case_studies.is_empty() && theme.claims.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    "unused-theme",
                    format!("no case study or claim refers to theme `{}`", theme.slug),
                )
                .in_file(&doc.path)
                .at_location(doc.head()),
            );
        }
    }
    for (doc, claim) in content.claims.iter().zip(claims) {
        match claim.counts.total {
            0 => diagnostics.push(
                Diagnostic::warning(
                    "unused-claim",
                    format!("no finding speaks to claim `{}`", claim.slug),
                )
                .in_file(&doc.path)
                .at_location(doc.head()),
            ),
            1 => diagnostics.push(
                Diagnostic::warning(
                    "single-finding",
                    format!("claim `{}` has a single finding", claim.slug),
                )
                .in_file(&doc.path)
                .at_location(doc.head())
                .with_hint("a claim with one finding cannot show agreement or disagreement"),
            ),
            _ => {}
        }
    }
}
