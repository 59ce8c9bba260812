//! Bringing a review up to date after an edit that changed Markdown bodies only.
//!
//! When every file's front matter, the set of files, the configuration, the bibliography
//! and the options are what the last model was built from (see [`ReviewCache`]), nothing
//! in the model can differ from the last one but the rendered bodies (`content` and `toc`)
//! of the edited files, and what link checking reports. So instead of building the model
//! again, this renders the changed bodies, puts them in place and checks links again.

use std::sync::Arc;

use crate::bibliography::Bibliography;
use crate::config::SiteConfig;
use crate::content::Content;
use crate::diagnostics::Diagnostics;
use crate::markdown::{Rendered, TocEntry};

use super::build::{all_docs, check_links, drop_drafts, link_map, render_bodies, sort_by_title};
use super::cache::{Inputs, ReviewCache};
use super::{Review, ReviewOptions};

/// The items whose bodies an edit changed, by index in the review.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Changed {
    pub case_studies: Vec<usize>,
    pub themes: Vec<usize>,
    pub claims: Vec<usize>,
    /// Plain pages and the home page (few, and always compared whole when rendering).
    pub pages: usize,
}

impl Review {
    /// Whether a review built from these inputs would differ from the last one built
    /// through `cache` in its bodies only, so that [`Review::update_bodies`] can be used.
    pub(crate) fn only_bodies_differ(
        cache: &ReviewCache,
        config: &Arc<SiteConfig>,
        content: &Content,
        bibliography: &Bibliography,
        options: ReviewOptions,
    ) -> bool {
        cache.only_bodies_differ(&Inputs::of(config, content, bibliography, options))
    }

    /// Brings this review (the last one built through `cache`) up to date with `content`,
    /// which differs from what it was built from in bodies only. Reports the problems the
    /// build would report into `diagnostics`; returns the items whose bodies changed.
    pub(crate) fn update_bodies(
        &mut self,
        mut content: Content,
        options: ReviewOptions,
        cache: &mut ReviewCache,
        diagnostics: &mut Diagnostics,
    ) -> Changed {
        // The same steps as a build, so that documents come in the model's order.
        let (_, draft_paths) = drop_drafts(&mut content, options.drafts);
        sort_by_title(&mut content);
        let docs = all_docs(&content);
        let mut links = link_map(&content, &docs, options.url_style);
        links.drafts = draft_paths;
        let bodies = render_bodies(&content, &links, options, Some(&mut cache.bodies));
        if let Some(last) = &cache.last {
            diagnostics.extend(last.problems.iter().cloned());
        }
        check_links(
            &content,
            &docs,
            &links,
            &bodies,
            diagnostics,
            Some(&mut cache.link_checks),
        );

        let mut changed = Changed {
            case_studies: replace(
                self.case_studies
                    .iter_mut()
                    .map(|c| (&mut c.content, &mut c.toc)),
                bodies.cases,
            ),
            themes: replace(
                self.themes.iter_mut().map(|t| (&mut t.content, &mut t.toc)),
                bodies.themes,
            ),
            claims: replace(
                self.claims.iter_mut().map(|c| (&mut c.content, &mut c.toc)),
                bodies.claims,
            ),
            pages: 0,
        };
        changed.pages = replace(
            self.pages.iter_mut().map(|p| (&mut p.content, &mut p.toc)),
            bodies.pages,
        )
        .len()
            + replace(
                self.home.iter_mut().map(|p| (&mut p.content, &mut p.toc)),
                content
                    .home
                    .is_some()
                    .then_some(bodies.home)
                    .into_iter()
                    .collect(),
            )
            .len();
        crate::drop_in_background(content);
        changed
    }
}

/// Puts each rendered body in place where it differs; returns the positions that did.
fn replace<'a>(
    items: impl Iterator<Item = (&'a mut Arc<str>, &'a mut Vec<TocEntry>)>,
    bodies: Vec<Rendered>,
) -> Vec<usize> {
    let mut changed = Vec::new();
    for (i, ((content, toc), body)) in items.zip(bodies).enumerate() {
        // A body taken from the cache is the same allocation as the model's: compare the
        // pointers before the text (`Arc<str>`'s `==` always compares the text).
        let same_html = Arc::ptr_eq(content, &body.html) || **content == *body.html;
        if !same_html || *toc != body.toc {
            *content = body.html;
            *toc = body.toc;
            changed.push(i);
        }
    }
    changed
}
