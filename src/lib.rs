//! tessera: a static-site generator for evidence reviews.
//!
//! The pipeline runs one way: [`config`] (site.toml) → [`content`] (files, front matter,
//! Markdown bodies) → [`review`] (the evidence model: claims, contradictions, themes, map)
//! → [`render`] (Tera templates) → [`output`] (an all-or-nothing write), with [`search`]
//! indexing the written pages when search is on. [`compile`] runs every stage
//! but the write and returns the site in memory (for `check` and `serve`); [`build_site`]
//! writes it. Problems are collected as [`diagnostics::Diagnostic`]s, never panics.

#![warn(unreachable_pub)]
#![deny(missing_docs)]

mod bibliography;
mod citations;
mod compiler;
mod config;
pub mod content;
mod data;
pub mod diagnostics;
mod editions;
pub mod markdown;
mod memory;
mod output;
mod paths;
pub mod publication;
mod render;
mod review;
pub mod scaffold;
mod search;
pub mod serve;
mod shared;

pub use compiler::Compiler;
pub use output::{Removal, remove_moved_aside};

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bibliography::Bibliography;
use config::SiteConfig;
use diagnostics::{Code, Diagnostic, Diagnostics};
use editions::Edition;
use markdown::MarkdownOptions;
use output::Copy;
use render::{OutputFile, Templates};
use review::urls::UrlStyle;
use review::{Review, ReviewOptions};

/// What the user asked of a build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The review folder (holding site.toml and content/).
    pub root: PathBuf,
    /// Output folder; defaults to `output_dir` from site.toml, under the root.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from site.toml.
    pub base_url: Option<String>,
    /// Include drafts.
    pub drafts: bool,
    /// Forces portable links (ending in `index.html`); otherwise site.toml decides.
    pub portable: bool,
    /// Forces search on (`--search`) or off (`--no-search`); `None` leaves it to site.toml.
    pub search: Option<bool>,
}

/// A site compiled in memory: every page and every file to copy.
pub struct Site {
    /// The site configuration the site was compiled with.
    pub config: Arc<SiteConfig>,
    /// Every rendered file, with its path in the output folder.
    pub files: Vec<OutputFile>,
    /// Files copied as they are: the site theme's static files and content assets.
    pub copies: Vec<Copy>,
    /// Warnings (a compiled site has no errors).
    pub diagnostics: Diagnostics,
    /// How many pages the site has.
    pub pages: usize,
    /// Pages rendered by this compile; the others were the previous compile's, unchanged.
    pub rendered: usize,
}

/// The outcome of `tessera build`.
pub struct BuildReport {
    /// The folder the site was written to.
    pub output: PathBuf,
    /// How many pages were written.
    pub pages: usize,
    /// How many files were written in all.
    pub files: usize,
    /// How long the build took.
    pub elapsed: Duration,
    /// Warnings (a built site has no errors).
    pub diagnostics: Diagnostics,
    /// Pages in the search index, when search is on.
    pub searchable: Option<usize>,
    /// The previous site, moved aside, still to be removed (dropping the report removes it).
    pub removal: output::Removal,
}

/// Why a build did not produce a site.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The review has errors; nothing was written.
    #[error("the review has errors; nothing was written")]
    Invalid(Diagnostics),
    /// The site was compiled but could not be written; the previous output is intact.
    #[error(transparent)]
    Output(#[from] output::OutputError),
}

/// A review loaded and modelled, ready to render.
struct Prepared {
    config: Arc<SiteConfig>,
    review: Review,
    /// The review's data and what changed since the previous edition.
    edition: Edition,
    templates: Templates,
    diagnostics: Diagnostics,
    timer: PhaseTimer,
}

/// The review's files, read and parsed, before the model is built.
struct Loaded {
    config: Arc<SiteConfig>,
    templates: Option<Templates>,
    content: content::Content,
    bibliography: citations::Pending,
    review_options: ReviewOptions,
    diagnostics: Diagnostics,
    timer: PhaseTimer,
}

/// What a load through [`compiler::Compiler`] keeps for the next: the parsed files (with
/// the files that may have changed since, when known) and the formatted bibliography.
struct LoadCache<'a> {
    content: &'a mut content::ParseCache,
    maybe_changed: Option<&'a HashSet<PathBuf>>,
    citations: &'a mut citations::ApplyCache,
}

/// Reads site.toml, the templates, the content and the bibliography, parsing and
/// formatting only what changed since the last load through `cache` when there is one.
fn load(options: &BuildOptions, cache: Option<LoadCache>) -> Result<Loaded, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut timer = PhaseTimer::from_env();
    let root = options.root.as_path();
    let Some(mut config) = SiteConfig::load(root, &mut diagnostics) else {
        return Err(diagnostics);
    };
    if let Some(base_url) = &options.base_url {
        config.base_url.clone_from(base_url);
    }
    if let Some(search) = options.search {
        config.search.enabled = search;
    }
    let config = Arc::new(config);
    let templates = Templates::load(root, &config.site_theme, &mut diagnostics);
    // The citation style is read (and, once per process, every locale of hayagriva's
    // archive decoded: about 50 ms on one core) beside the content, not after it.
    let load_style = || {
        let mut diagnostics = Diagnostics::new();
        let style = citations::Style::load(root, &config, &mut diagnostics);
        (style, diagnostics)
    };
    let ((mut content, citation_cache), (style, style_diagnostics)) = std::thread::scope(|scope| {
        let style = std::thread::Builder::new()
            .name("tessera-style".to_string())
            .spawn_scoped(scope, load_style);
        let content = match cache {
            Some(cache) => (
                content::load_cached(root, &mut diagnostics, cache.content, cache.maybe_changed),
                Some(cache.citations),
            ),
            None => (content::load(root, &mut diagnostics), None),
        };
        let style = match style {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => load_style(),
        };
        (content, style)
    });
    let mut bibliography = Bibliography::load(
        root,
        content.bibliography.take().as_deref(),
        &mut diagnostics,
    );
    let url_style = UrlStyle {
        portable: options.portable || config.build.portable,
    };
    diagnostics.insert_at(diagnostics.len(), style_diagnostics);
    let bibliography = match style {
        Some(style) => {
            let cites = citations::cites_of(&content);
            let references = url_style.page("references");
            match citation_cache {
                Some(cache) => {
                    citations::apply_cached(
                        cache,
                        root,
                        &mut bibliography,
                        Arc::new(style),
                        cites,
                        &references,
                        &mut diagnostics,
                    );
                    citations::Pending::Ready(bibliography)
                }
                // A build formats while the bodies render (see `citations::Pending`).
                None => citations::Pending::start(citations::Job {
                    root: root.to_path_buf(),
                    bibliography,
                    style: Arc::new(style),
                    cites,
                    references_page: references,
                }),
            }
        }
        None => citations::Pending::Ready(bibliography),
    };
    timer.lap("load");
    let review_options = ReviewOptions {
        drafts: options.drafts,
        url_style,
        markdown: MarkdownOptions {
            sanitize_html: config.build.sanitize_html,
        },
    };
    Ok(Loaded {
        config,
        templates,
        content,
        bibliography,
        review_options,
        diagnostics,
        timer,
    })
}

impl Loaded {
    /// Builds the model from everything loaded, with nothing reused (the content and
    /// bibliography move into it).
    fn build_model(&mut self) -> Option<Review> {
        Review::build_model(
            self.config.clone(),
            std::mem::take(&mut self.content),
            std::mem::take(&mut self.bibliography),
            self.review_options,
            &mut self.diagnostics,
        )
    }

    /// The bibliography, formatted: waits for the formatting a build started.
    fn take_bibliography(&mut self) -> Bibliography {
        let at = self.diagnostics.len();
        std::mem::take(&mut self.bibliography).wait(&mut self.diagnostics, at)
    }

    /// Ready to render if the model was built, the previous edition (if any) compared,
    /// and nothing failed. `data`, when given, is the review's data, made before.
    fn prepared(
        mut self,
        root: &Path,
        review: Option<Review>,
        data: Option<Arc<data::ReviewData>>,
    ) -> Result<Prepared, Diagnostics> {
        self.timer.lap("review");
        let edition = review
            .as_ref()
            .and_then(|review| Edition::prepare(root, review, data, &mut self.diagnostics));
        self.timer.lap("edition data and comparison");
        // Sources are kept only where a diagnostic points, so file texts are not held
        // through rendering.
        self.diagnostics
            .keep_referenced_sources(Path::new(content::CONTENT_DIR));
        match (review, edition, self.templates) {
            (Some(review), Some(edition), Some(templates)) if !self.diagnostics.has_errors() => {
                Ok(Prepared {
                    config: self.config,
                    review,
                    edition,
                    templates,
                    diagnostics: self.diagnostics,
                    timer: self.timer,
                })
            }
            _ => Err(self.diagnostics),
        }
    }
}

/// Loads, checks and models the review: every stage before rendering.
fn prepare(options: &BuildOptions) -> Result<Prepared, Diagnostics> {
    let mut loaded = load(options, None)?;
    let review = loaded.build_model();
    loaded.prepared(&options.root, review, None)
}

/// Runs every stage except writing and returns the site in memory, with nothing reused.
pub fn compile(options: &BuildOptions) -> Result<Site, Diagnostics> {
    Compiler::new().compile(options)
}

/// Drops `value` on a thread of its own, so that freeing a large structure (the last
/// build's review, say) does not hold up the build that replaced it. If no thread can be
/// started, the closure is dropped here, and the value with it.
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("tessera-free".to_string())
        .spawn(move || drop(value));
}

/// Prints how long each phase took when `TESSERA_TIMINGS` is set, for profiling.
struct PhaseTimer {
    last: Option<Instant>,
}

impl PhaseTimer {
    fn from_env() -> Self {
        Self {
            last: std::env::var_os("TESSERA_TIMINGS").map(|_| Instant::now()),
        }
    }

    fn lap(&mut self, phase: &str) {
        if let Some(last) = self.last {
            let rss = std::fs::read_to_string("/proc/self/status")
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmRSS:"))
                        .map(|l| l[6..].trim().to_string())
                })
                .unwrap_or_default();
            eprintln!(
                "timing: {phase} {} ms, CPU {} ms so far (resident {rss})",
                last.elapsed().as_millis(),
                cpu_ms()
            );
            self.last = Some(Instant::now());
        }
    }
}

/// User plus system CPU time of this process so far, from /proc (0 where unavailable).
fn cpu_ms() -> u64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0;
    };
    // Fields after the command name (which may hold spaces) start at ") ".
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map_or(Vec::new(), |(_, rest)| rest.split(' ').collect());
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    // The kernel reports in clock ticks, which are 100 per second on Linux.
    ticks * 10
}

/// Theme static files go under `static/`; content assets keep their path.
fn copies(review: &Review, templates: &Templates) -> Vec<Copy> {
    let statics = templates.site_theme.statics.iter().map(|(path, origin)| {
        let origin = origin.clone();
        Copy {
            path: Path::new("static").join(path),
            read: Box::new(move || origin.read()),
        }
    });
    let assets = review.assets.iter().map(|asset| {
        let absolute = asset.absolute.clone();
        Copy {
            path: asset.content_path.clone(),
            read: Box::new(move || std::fs::read(&absolute)),
        }
    });
    statics.chain(assets).collect()
}

/// Where the site goes: `--output`, else `output_dir` under the root.
pub fn output_dir(options: &BuildOptions, config: &SiteConfig) -> PathBuf {
    options
        .output
        .clone()
        .unwrap_or_else(|| options.root.join(&config.output_dir))
}

/// `tessera build`: checks, renders and writes the review, all or nothing. Pages are
/// written as they are rendered, into a staging folder that replaces the output only once
/// everything is written. With search on, the pages marked for search are gathered as
/// they are written and indexed once all are (Pagefind parses them in parallel, while the
/// model is freed), and the search bundle is written last.
pub fn build_site(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let mut prepared = prepare(options).map_err(BuildError::Invalid)?;
    let output = output_dir(options, &prepared.config);
    output::check_target(&options.root, &output, options.output.is_some())?;
    let staging = output::Staging::new(&output)?;
    let search = prepared
        .config
        .search
        .enabled
        .then_some(search::IndexOptions {
            portable: prepared.review.url_style.portable,
        });
    let search_pages = match search {
        Some(_) => Some(search::PageFolder::beside(staging.dir())?),
        None => None,
    };
    let sink = |file: OutputFile| {
        staging.write(&file)?;
        match &search_pages {
            Some(pages) => pages.add(&file, &staging.dir().join(&file.path)),
            None => Ok(()),
        }
    };
    let data_files = match prepared.edition.take_files() {
        Ok(files) => files,
        Err(err) => {
            prepared.diagnostics.push(data_diagnostic(&err));
            return Err(BuildError::Invalid(prepared.diagnostics));
        }
    };
    // Written now, not after the pages: a large review's data files are tens of
    // megabytes, which need not stay in memory while the pages render.
    let data_file_count = data_files.len();
    for file in data_files {
        staging.write(&output_file(file))?;
    }
    prepared.timer.lap("data files");
    let (pages, downloads) = match render::render_site(
        &prepared.review,
        &prepared.edition,
        &prepared.templates,
        &sink,
    ) {
        Ok(counts) => counts,
        Err(render::RenderError::Template(diagnostic)) => {
            prepared.diagnostics.push(*diagnostic);
            return Err(BuildError::Invalid(prepared.diagnostics));
        }
        Err(render::RenderError::Sink(err)) => return Err(BuildError::Output(err)),
    };
    prepared.timer.lap("render and write pages");
    let copies = copies(&prepared.review, &prepared.templates);
    staging.copy_all(&copies)?;
    let mut files = pages + downloads + data_file_count + copies.len();
    // Nothing waits for the model to be freed: a process about to exit need not do it, and
    // freeing it before the search index is built leaves its memory to the index.
    drop_in_background((prepared.review, prepared.templates, prepared.edition));
    let bundle = match search
        .zip(search_pages)
        .map(|(options, pages)| pages.index(options))
    {
        Some(Err(err)) => return Err(search_failed(prepared.diagnostics, &err)),
        Some(Ok(bundle)) => {
            prepared.timer.lap("copy, and search index");
            Some(bundle)
        }
        None => None,
    };
    let mut searchable = None;
    if let Some(bundle) = bundle {
        for file in &bundle.files {
            staging.write(file)?;
        }
        if bundle.pages == 0 {
            prepared.diagnostics.push(search::empty_index_warning());
        }
        files += bundle.files.len();
        searchable = Some(bundle.pages);
    }
    if let Some(warning) = render::no_base_url_warning(&prepared.config) {
        prepared.diagnostics.push(warning);
    }
    let removal = staging.finish()?;
    prepared.timer.lap("copy and swap");
    Ok(BuildReport {
        output,
        pages,
        files,
        elapsed: started.elapsed(),
        diagnostics: prepared.diagnostics,
        searchable,
        removal,
    })
}

/// A search failure as the build's error: nothing is written.
fn search_failed(mut diagnostics: Diagnostics, err: &search::SearchError) -> BuildError {
    diagnostics.push(err.to_diagnostic());
    BuildError::Invalid(diagnostics)
}

/// `tessera check`: every diagnostic, without writing anything. The model holds every
/// content check (links and anchors included); templates are compiled, and one page of
/// each is rendered and thrown away, or every page with `all_pages` (as slow as a build,
/// which also finds template errors that only some pages' data trigger).
pub fn check(options: &BuildOptions, all_pages: bool) -> Diagnostics {
    match prepare(options) {
        Ok(mut prepared) => {
            let failed = if all_pages {
                let discard = |_: OutputFile| Ok::<(), ()>(());
                match render::render_site(
                    &prepared.review,
                    &prepared.edition,
                    &prepared.templates,
                    &discard,
                ) {
                    Err(render::RenderError::Template(d)) => Some(d),
                    _ => None,
                }
            } else {
                render::render_one_per_template(
                    &prepared.review,
                    &prepared.edition,
                    &prepared.templates,
                )
                .err()
            };
            prepared.timer.lap("render (thrown away)");
            prepared.diagnostics.extend(failed.map(|d| *d));
            // Nothing waits for the model to be freed: a process about to exit need not do it.
            drop_in_background((prepared.review, prepared.templates, prepared.edition));
            prepared.diagnostics
        }
        Err(diagnostics) => diagnostics,
    }
}

/// A data file (path under the output folder, bytes) as a file of the site.
fn output_file((path, contents): (PathBuf, Vec<u8>)) -> OutputFile {
    OutputFile {
        path,
        contents: Arc::from(contents),
    }
}

/// A data table that could not be written, as the build's error.
fn data_diagnostic(err: &data::tables::TableError) -> Diagnostic {
    Diagnostic::error(Code::Internal, err.to_string())
        .with_hint("this is a bug in tessera; please report it with the review that causes it")
}

/// What `tessera snapshot` did.
pub struct SnapshotReport {
    /// The snapshot written, relative to the review root (`editions/2026.json`).
    pub path: PathBuf,
    /// How many case studies the snapshot holds.
    pub case_studies: usize,
    /// How many findings the snapshot holds.
    pub findings: usize,
    /// Warnings found while building the review's data.
    pub diagnostics: Diagnostics,
}

/// `tessera snapshot`: freezes this edition's data as `editions/<edition>.json` in the
/// review folder (the same document as `data/review.json`). Never replaces an existing
/// snapshot unless `force`. Nothing is written when the review has errors.
pub fn snapshot(options: &BuildOptions, force: bool) -> Result<SnapshotReport, Diagnostics> {
    let mut loaded = load(options, None)?;
    let review = loaded.build_model();
    let mut diagnostics = loaded.diagnostics;
    let review = match review {
        Some(review) if !diagnostics.has_errors() => review,
        _ => return Err(diagnostics),
    };
    let data = data::ReviewData::from_review(&review);
    match editions::snapshot::write(&options.root, &review.config, &data, force) {
        Ok(path) => Ok(SnapshotReport {
            path,
            case_studies: data.case_studies.len(),
            findings: data.case_studies.iter().map(|c| c.findings.len()).sum(),
            diagnostics,
        }),
        Err(diagnostic) => {
            diagnostics.push(*diagnostic);
            Err(diagnostics)
        }
    }
}

/// An output error as a diagnostic, for uniform reporting at the CLI.
pub fn output_diagnostic(err: &output::OutputError) -> Diagnostic {
    Diagnostic::error(Code::Output, err.to_string()).with_hint(err.hint())
}
