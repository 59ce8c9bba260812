//! The formatted bibliography kept from one compile to the next, for `serve`: formatting
//! every reference and in-text citation is the slowest part of loading a large review, and
//! most edits change neither the bibliography, the style nor which citations are made.

use std::path::Path;
use std::sync::Arc;

use super::{Cite, Style, apply};
use crate::bibliography::Bibliography;
use crate::diagnostics::Diagnostics;

/// The last [`apply`] that succeeded: everything it was given, and the bibliography it made.
#[derive(Default)]
pub(crate) struct ApplyCache {
    last: Option<Applied>,
}

struct Applied {
    /// The bibliography as it was before formatting.
    before: Bibliography,
    style: Arc<Style>,
    cites: Vec<Cite>,
    references_page: String,
    /// The bibliography formatting made of it.
    after: Bibliography,
}

impl Applied {
    fn matches(
        &self,
        before: &Bibliography,
        style: &Arc<Style>,
        cites: &[Cite],
        references_page: &str,
    ) -> bool {
        self.references_page == references_page
            && self.cites == cites
            && (Arc::ptr_eq(&self.style, style) || self.style == *style)
            && self.before == *before
    }
}

/// [`apply`], or its last result when every input is the same as last time (so what comes
/// out is what `apply` would give). A call that reports a problem is not kept: it would
/// have to report it again.
pub(crate) fn apply_cached(
    cache: &mut ApplyCache,
    root: &Path,
    bibliography: &mut Bibliography,
    style: Arc<Style>,
    cites: Vec<Cite>,
    references_page: &str,
    diagnostics: &mut Diagnostics,
) {
    if let Some(last) = &cache.last
        && last.matches(bibliography, &style, &cites, references_page)
    {
        bibliography.clone_from(&last.after);
        return;
    }
    cache.last = None;
    let before = bibliography.clone();
    let problems = diagnostics.len();
    apply(
        root,
        bibliography,
        style.clone(),
        &cites,
        references_page,
        diagnostics,
    );
    if diagnostics.len() == problems {
        cache.last = Some(Applied {
            before,
            style,
            cites,
            references_page: references_page.to_string(),
            after: bibliography.clone(),
        });
    }
}
