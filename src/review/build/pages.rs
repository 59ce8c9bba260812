//! Where each document's page goes, and the checks that no two pages (or a page and
//! a facet) take the same URL.

use super::*;

pub(super) fn page_dir(content_path: &Path) -> String {
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
pub(super) fn page_ref<M>(doc: &Document<M>, title: &str, links: &LinkMap) -> Shared<PageRef> {
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
pub(super) fn check_facet_urls(
    config: &SiteConfig,
    content: &Content,
    diagnostics: &mut Diagnostics,
) {
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
                Code::ConfigReservedFacet,
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
pub(super) fn check_duplicates(docs: &[AnyDoc], diagnostics: &mut Diagnostics) {
    let mut seen: HashMap<String, &Path> = HashMap::new();
    for doc in docs {
        let Some(dir) = &doc.dir else { continue };
        let key = dir.to_lowercase();
        let top = key.split('/').next().unwrap_or("");
        // Each clash points at the second file's front matter, so it has a line to click on.
        if doc.is_plain_page && RESERVED.contains(&top) {
            diagnostics.push(
                Diagnostic::error(
                    Code::ReservedUrl,
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
                Diagnostic::error(Code::DuplicateSlug, format!("this file would be written to `{dir}/`, like `{}`", first.display()))
                    .in_file(doc.path)
                    .at_location(doc.head.clone())
                    .with_hint("two files give the same URL (letter case is ignored, since some hosts ignore it): rename one"),
            );
        } else {
            seen.insert(key, doc.path);
        }
    }
}

/// Where each document's page and each asset are written, for links to them; `docs` are
/// `content`'s documents ([`all_docs`]).
pub(in crate::review) fn link_map(content: &Content, docs: &[AnyDoc], style: UrlStyle) -> LinkMap {
    let mut links = LinkMap::default();
    for doc in docs {
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

/// A document of any kind, seen through what link checking needs.
pub(in crate::review) struct AnyDoc<'a> {
    pub(super) path: &'a Path,
    pub(super) content_path: &'a Path,
    pub(super) source: &'a Arc<str>,
    pub(super) body_offset: usize,
    /// The folder its page is written to; `None` for the home page (the site root).
    pub(super) dir: Option<String>,
    pub(super) is_plain_page: bool,
    /// The opening of its front matter, where file-level problems point.
    pub(super) head: crate::diagnostics::Location,
}

/// Every document in one order (case studies, themes, claims, pages, home) with the folder
/// its page is written to: the one place that decides page URLs.
///
/// A build makes this list once and hands it to each step that needs it: at 10,000 case
/// studies making it took a few milliseconds each time.
pub(in crate::review) fn all_docs(content: &Content) -> Vec<AnyDoc<'_>> {
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
