//! What one build of the review model keeps for the next, for `serve`: rendered Markdown
//! bodies, each file's link problems, related case studies (ranked and described), the
//! case studies as resolved, and what the model was built from.
//!
//! Each entry is kept with the whole input it was computed from and reused only when that
//! input is the same again, so a model built with the cache is the model built without it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::bibliography::Bibliography;
use crate::config::SiteConfig;
use crate::content::schema::CaseStudyMeta;
use crate::content::{Content, Document};
use crate::diagnostics::Diagnostic;
use crate::markdown::{MarkdownOptions, Rendered};
use crate::shared::Shared;

use super::ReviewOptions;
use super::model::{CaseStudy, PageRef, Related};
use super::urls::LinkMap;

/// What the previous build kept for the next (see the module's documentation).
#[derive(Default)]
pub(crate) struct ReviewCache {
    pub(super) bodies: BodyCache,
    /// The problems found in each file's links.
    pub(super) link_checks: super::build::LinkChecks,
    pub(super) related: RelatedCache,
    /// The declared facet values, shared from one model to the next.
    pub(super) vocabulary: Option<super::facets::Declared>,
    /// What the review the caller keeps was built from (see [`ReviewCache::commit`]).
    pub(super) last: Option<Last>,
    /// What the latest review was built from, until the caller commits to that review.
    pub(super) built: Option<Last>,
}

/// Rendered Markdown bodies by content path.
#[derive(Default)]
pub(super) struct BodyCache {
    /// Links in a body are rewritten through the link map, so bodies are reused only while
    /// the link map and the Markdown options are what they were.
    inputs: Option<(LinkMap, MarkdownOptions)>,
    bodies: HashMap<PathBuf, CachedBody>,
}

pub(super) struct CachedBody {
    /// The file the body was rendered from, and where its body starts.
    source: Arc<str>,
    body_offset: usize,
    rendered: Rendered,
}

impl BodyCache {
    /// The bodies to reuse in a build with this link map and these options: none unless
    /// both are what the cached bodies were rendered with.
    pub(super) fn usable(&self, links: &LinkMap, options: MarkdownOptions) -> Option<&Self> {
        let (cached_links, cached_options) = self.inputs.as_ref()?;
        (cached_links == links && *cached_options == options).then_some(self)
    }

    /// The cached rendering of the body of the file at `path` (its text `source`, the body
    /// starting at `body_offset`), if it was rendered from the same body text. Only call this
    /// on a cache that is [`Self::usable`].
    pub(super) fn get(
        &self,
        path: &Path,
        source: &Arc<str>,
        body_offset: usize,
    ) -> Option<Rendered> {
        let cached = self.bodies.get(path)?;
        // The parse cache hands an unchanged file's text on as the same allocation.
        let same = (Arc::ptr_eq(&cached.source, source) && cached.body_offset == body_offset)
            || cached.source[cached.body_offset..] == source[body_offset..];
        same.then(|| cached.rendered.clone())
    }

    /// Records this build's bodies: those rendered anew are added, and those of files no
    /// longer in the review forgotten. `usable` is whether this cache was usable for the
    /// build (see [`Self::usable`]); if not, the build's link map and options start afresh.
    pub(super) fn update<'a>(
        &mut self,
        usable: bool,
        links: &LinkMap,
        options: MarkdownOptions,
        bodies: impl Iterator<Item = (&'a Path, &'a Arc<str>, usize, &'a Rendered)>,
    ) {
        if !usable {
            self.inputs = Some((links.clone(), options));
            self.bodies.clear();
        }
        let mut paths = Vec::new();
        for (path, source, body_offset, rendered) in bodies {
            paths.push(path);
            let known = self.bodies.get(path).is_some_and(|cached| {
                Arc::ptr_eq(&cached.source, source) && cached.body_offset == body_offset
            });
            if !known {
                let body = CachedBody {
                    source: source.clone(),
                    body_offset,
                    rendered: rendered.clone(),
                };
                self.bodies.insert(path.to_path_buf(), body);
            }
        }
        // Every path of this build is in the map, so it holds another only if it is larger.
        if self.bodies.len() > paths.len() {
            let current: std::collections::HashSet<&Path> = paths.into_iter().collect();
            self.bodies
                .retain(|path, _| current.contains(path.as_path()));
        }
    }
}

/// Related case studies as `(score, index)` lists, kept with the themes and claims of every
/// case study they were ranked from (the ranking reads nothing else), and as described
/// (with the links to themes and claims they were described with).
#[derive(Default)]
pub(super) struct RelatedCache {
    pub(super) links: Vec<(Vec<usize>, Vec<usize>)>,
    pub(super) ranked: Vec<Vec<(usize, usize)>>,
    pub(super) described: Vec<Arc<[Related]>>,
    pub(super) theme_refs: Vec<Shared<PageRef>>,
    pub(super) claim_refs: Vec<Shared<PageRef>>,
}

/// The last model's case studies as resolving made them (before related case studies and
/// adaptations are added), with the problems found, and the lookups they were resolved
/// with. Kept with the inputs of that model ([`Last`]), whose configuration, bibliography
/// and options resolving also reads. A case study is resolved again only if its file, its
/// position, its body or the link to it (or to the case study it was adapted from) is
/// new; see `build::resolve_all`.
pub(crate) struct Resolved {
    /// The links to every theme, claim and case study, by position. A build whose links
    /// equal these in value takes these, so that they keep their identity from one model to
    /// the next, and a case study kept from the last model links to the same values as one
    /// resolved anew.
    pub(super) themes: Vec<Shared<PageRef>>,
    pub(super) claims: Vec<Shared<PageRef>>,
    pub(super) cases: Vec<Shared<PageRef>>,
    /// Slug to position of every theme, claim and case study, and the drafts' slugs.
    pub(super) index: super::build::Index,
    /// By position.
    pub(super) case_studies: Vec<Option<ResolvedCase>>,
}

/// One case study as resolving made it.
pub(crate) struct ResolvedCase {
    pub(super) doc: Arc<Document<CaseStudyMeta>>,
    pub(super) case: CaseStudy,
    pub(super) problems: Vec<Diagnostic>,
}

/// Everything the last model was built from except Markdown bodies, and the problems found
/// in it other than in links. When the next build's inputs are the same, only bodies
/// changed, and the model can be brought up to date without being built again.
pub(super) struct Last {
    pub(super) inputs: Inputs,
    pub(super) problems: Vec<Diagnostic>,
    /// The case studies as resolved (taken by the next build that builds the model again).
    pub(super) resolved: Option<Resolved>,
}

/// What a model is built from, besides bodies.
#[derive(PartialEq)]
pub(super) struct Inputs {
    config: SiteConfig,
    bibliography: Bibliography,
    options: ReviewOptions,
    heads: Vec<Head>,
    assets: Vec<PathBuf>,
}

/// A content file up to where its body starts: its path and front matter.
struct Head {
    path: PathBuf,
    source: Arc<str>,
    body_offset: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Head) -> bool {
        self.path == other.path
            && self.source[..self.body_offset] == other.source[..other.body_offset]
    }
}

impl Inputs {
    /// Whether the two have the same configuration, bibliography and options: all that
    /// resolving a case study reads besides the content.
    pub(super) fn same_setting(&self, other: &Inputs) -> bool {
        self.options == other.options
            && self.config == other.config
            && self.bibliography == other.bibliography
    }

    pub(super) fn of(
        config: &SiteConfig,
        content: &Content,
        bibliography: &Bibliography,
        options: ReviewOptions,
    ) -> Inputs {
        fn head<M>(d: &Arc<Document<M>>) -> Head {
            Head {
                path: d.content_path.clone(),
                source: d.source.clone(),
                body_offset: d.body_offset,
            }
        }
        let heads = content
            .case_studies
            .iter()
            .map(head)
            .chain(content.themes.iter().map(head))
            .chain(content.claims.iter().map(head))
            .chain(content.pages.iter().map(head))
            .chain(content.home.iter().map(head))
            .collect();
        Inputs {
            config: config.clone(),
            bibliography: bibliography.clone(),
            options,
            heads,
            assets: content
                .assets
                .iter()
                .map(|a| a.content_path.clone())
                .collect(),
        }
    }
}

impl ReviewCache {
    /// Records that the review last built through this cache is now the one kept (its
    /// site was rendered), so that later edits to bodies alone update that review. The
    /// compiler calls this only after a successful compile, and drops the whole cache
    /// after a failed one (see `RebuildState` in lib.rs).
    pub(crate) fn commit(&mut self) {
        if let Some(built) = self.built.take() {
            self.last = Some(built);
        }
    }

    /// Whether a model built from these inputs would differ from the last one in its
    /// bodies only.
    pub(super) fn only_bodies_differ(&self, inputs: &Inputs) -> bool {
        self.last
            .as_ref()
            .is_some_and(|last| last.inputs == *inputs)
    }
}
