//! Markdown bodies, rendered in parallel (through the body cache when there is one).

use super::*;

/// Rendered Markdown bodies, in the same order as the documents.
pub(in crate::review) struct Bodies {
    pub(in crate::review) cases: Vec<Rendered>,
    pub(in crate::review) themes: Vec<Rendered>,
    pub(in crate::review) claims: Vec<Rendered>,
    pub(in crate::review) pages: Vec<Rendered>,
    pub(in crate::review) home: Rendered,
}

/// A document's Markdown body and the file it sits in.
pub(super) struct Markdown<'a> {
    pub(super) content_path: &'a Path,
    pub(super) source: &'a Arc<str>,
    pub(super) body_offset: usize,
}

impl<'a> Markdown<'a> {
    fn of<M>(doc: &'a Arc<Document<M>>) -> Markdown<'a> {
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

pub(in crate::review) fn render_bodies(
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
                    .and_then(|c| c.get(d.content_path, d.source, d.body_offset))
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
    let usable = previous.is_some();
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
            usable,
            links,
            options.markdown,
            docs.zip(rendered)
                .map(|(d, r)| (d.content_path, d.source, d.body_offset, r)),
        );
    }
    bodies
}

pub(super) fn render_body(doc: &Markdown, links: &LinkMap, options: ReviewOptions) -> Rendered {
    let page_url = links
        .pages
        .get(doc.content_path)
        .cloned()
        .unwrap_or_default();
    let rewrite = |dest: &str| links.rewrite(doc.content_path, &page_url, dest);
    markdown::render(doc.body(), options.markdown, &rewrite)
}
