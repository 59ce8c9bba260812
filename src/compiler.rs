//! Incremental compiles for `serve`: the [`Compiler`] and the one owner of every cache
//! it keeps between compiles, [`RebuildState`], with the invariant that makes an
//! incremental compile equal a fresh one.

use super::*;

/// What one compile keeps for the next, so that `serve` redoes only the work an edit
/// needs: files whose text is unchanged are not parsed again, Markdown bodies whose text and
/// link targets are unchanged are not rendered again, and pages whose template and values
/// have the same digests are not rendered again. Every cache is keyed by the whole input of
/// the work it saves, so what a compile returns is what a fresh one would.
#[derive(Default)]
pub struct Compiler {
    /// Empty until a compile succeeds; see [`RebuildState`] for what it promises.
    state: RebuildState,
    /// The files (`content/…`) that may differ from what the caches in `state` were filled
    /// from: `None` while `state` is empty (everything is read).
    maybe_changed: Option<HashSet<PathBuf>>,
}

/// Every cache of incremental rebuilds, owned together: the parsed files, the model's
/// bodies and inputs (with the last model, kept by the page cache), and the rendered pages.
///
/// Invariant: either every cache here describes the last compile that succeeded, or all
/// are empty. [`Compiler::compile_changed`] enforces it: a compile takes the whole state
/// out of the compiler, works on it, and puts it back only once the site is rendered
/// (committing the model's cache with it); a compile that fails at any stage, or panics,
/// drops the state it took, so the next compile starts afresh instead of joining caches
/// from different builds.
#[derive(Default)]
struct RebuildState {
    content: content::ParseCache,
    review: review::ReviewCache,
    pages: render::PageCache,
    /// The bibliography as the last compile formatted it.
    citations: citations::ApplyCache,
    /// The data files (`data/`, `editions.json`) and what they were written from.
    data: editions::DataCache,
}

impl Compiler {
    /// A compiler with nothing cached yet.
    pub fn new() -> Compiler {
        Compiler::default()
    }

    /// Runs every stage except writing and returns the site in memory (for `serve`),
    /// reusing what the last compile through this compiler left where its inputs are the
    /// same. When only Markdown bodies changed, the last model is brought up to date
    /// instead of being built again.
    pub fn compile(&mut self, options: &BuildOptions) -> Result<Site, Diagnostics> {
        self.maybe_changed = None;
        self.compile_changed(options, &[])
    }

    /// [`Compiler::compile`], told which files (paths relative to the review root) changed
    /// since the last compile, as a file watcher knows: other content files are taken from
    /// the cache without being read. After a failed compile the caches are gone and the
    /// next compile reads everything.
    pub fn compile_changed(
        &mut self,
        options: &BuildOptions,
        changed: &[PathBuf],
    ) -> Result<Site, Diagnostics> {
        // The state is taken out for the compile and put back only if it succeeds: see
        // `RebuildState` for why.
        let mut state = std::mem::take(&mut self.state);
        let maybe_changed = self.maybe_changed.take().map(|mut maybe_changed| {
            maybe_changed.extend(changed.iter().cloned());
            maybe_changed
        });
        let site = state.compile(options, maybe_changed.as_ref())?;
        state.review.commit();
        self.state = state;
        self.maybe_changed = Some(HashSet::new());
        Ok(site)
    }
}

impl RebuildState {
    /// One compile through these caches, `maybe_changed` naming the files that may differ
    /// from what they were filled from (`None`: any file may). On failure the caches are
    /// left half-updated: the caller drops them.
    fn compile(
        &mut self,
        options: &BuildOptions,
        maybe_changed: Option<&HashSet<PathBuf>>,
    ) -> Result<Site, Diagnostics> {
        let cache = LoadCache {
            content: &mut self.content,
            maybe_changed,
            citations: &mut self.citations,
        };
        let mut loaded = load(options, Some(cache))?;
        let content = std::mem::take(&mut loaded.content);
        let bibliography = loaded.take_bibliography();
        let bodies_only = Review::only_bodies_differ(
            &self.review,
            &loaded.config,
            &content,
            &bibliography,
            loaded.review_options,
        );
        let previous = if bodies_only {
            self.pages.take_review()
        } else {
            None
        };
        let (review, changed) = match previous {
            Some(mut review) => {
                let changed = review.update_bodies(
                    content,
                    loaded.review_options,
                    &mut self.review,
                    &mut loaded.diagnostics,
                );
                (Some(review), Some(changed))
            }
            None => {
                let review = Review::build_model_cached(
                    loaded.config.clone(),
                    content,
                    bibliography,
                    loaded.review_options,
                    &mut self.review,
                    &mut loaded.diagnostics,
                );
                (review, None)
            }
        };
        // The data holds no body, so after an edit of bodies only it is the last data.
        let data = changed.as_ref().and_then(|_| self.data.last_data());
        let mut prepared = loaded.prepared(&options.root, review, data)?;
        let copies = copies(&prepared.review, &prepared.templates);
        let written = match prepared.edition.files_cached(&self.data) {
            Ok(files) => files,
            Err(err) => {
                prepared.diagnostics.push(data_diagnostic(&err));
                return Err(prepared.diagnostics);
            }
        };
        let rendered = match render::render_cached(
            prepared.review,
            &prepared.edition,
            &prepared.templates,
            &mut self.pages,
            changed.as_ref(),
        ) {
            Ok(rendered) => rendered,
            Err(diagnostic) => {
                prepared.diagnostics.push(*diagnostic);
                return Err(prepared.diagnostics);
            }
        };
        prepared.timer.lap("render");
        let pages = rendered.files.len() - rendered.downloads;
        let mut files = rendered.files;
        files.extend(written.files.iter().map(|(path, contents)| OutputFile {
            path: path.clone(),
            contents: contents.clone(),
        }));
        self.data.keep(prepared.edition, written);
        Ok(Site {
            copies,
            config: prepared.config,
            pages,
            rendered: rendered.rendered,
            files,
            diagnostics: prepared.diagnostics,
        })
    }
}
