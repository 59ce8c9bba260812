//! tessera: a static-site generator for evidence reviews.
//!
//! The pipeline runs one way: [`config`] (site.toml) → [`content`] (files, front matter,
//! Markdown bodies) → [`review`] (the evidence model: claims, contradictions, themes, map)
//! → [`render`] (Tera templates) → [`output`] (an all-or-nothing write), with [`search`]
//! indexing the pages as they are written when search is on. [`compile`] runs every stage
//! but the write and returns the site in memory (for `check` and `serve`); [`build`]
//! writes it. Problems are collected as [`diagnostics::Diagnostic`]s, never panics.

pub mod bibliography;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod markdown;
pub mod output;
pub mod render;
pub mod review;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod shared;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bibliography::Bibliography;
use config::SiteConfig;
use diagnostics::{Diagnostic, Diagnostics};
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
}

/// A site compiled in memory: every page and every file to copy.
pub struct Site {
    pub config: Arc<SiteConfig>,
    pub files: Vec<OutputFile>,
    pub copies: Vec<Copy>,
    /// Warnings (a compiled site has no errors).
    pub diagnostics: Diagnostics,
    pub pages: usize,
}

/// The outcome of `tessera build`.
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub diagnostics: Diagnostics,
    /// Pages in the search index, when search is on.
    pub searchable: Option<usize>,
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
    templates: Templates,
    diagnostics: Diagnostics,
    timer: PhaseTimer,
}

/// Loads, checks and models the review: every stage before rendering.
fn prepare(options: &BuildOptions) -> Result<Prepared, Diagnostics> {
    prepare_with_search(options, None)
}

/// [`prepare`], with search forced on or off (`Some`) or left to site.toml (`None`).
fn prepare_with_search(
    options: &BuildOptions,
    search: Option<bool>,
) -> Result<Prepared, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut timer = PhaseTimer::from_env();
    let root = options.root.as_path();
    let Some(mut config) = SiteConfig::load(root, &mut diagnostics) else {
        return Err(diagnostics);
    };
    if let Some(base_url) = &options.base_url {
        config.base_url.clone_from(base_url);
    }
    if let Some(search) = search {
        config.search.enabled = search;
    }
    let config = Arc::new(config);
    let templates = Templates::load(root, &config.theme, &mut diagnostics);
    let mut content = content::load(root, &mut diagnostics);
    let bibliography = Bibliography::load(
        root,
        content.bibliography.take().as_deref(),
        &mut diagnostics,
    );
    timer.lap("load");
    let review_options = ReviewOptions {
        drafts: options.drafts,
        url_style: UrlStyle {
            portable: options.portable || config.build.portable,
        },
        markdown: MarkdownOptions {
            sanitize_html: config.build.sanitize_html,
        },
    };
    let review = Review::build(
        config.clone(),
        content,
        bibliography,
        review_options,
        &mut diagnostics,
    );
    timer.lap("review");
    // Sources are kept only where a diagnostic points, so file texts are not held
    // through rendering.
    diagnostics.keep_referenced_sources();
    match (review, templates) {
        (Some(review), Some(templates)) if !diagnostics.has_errors() => Ok(Prepared {
            config,
            review,
            templates,
            diagnostics,
            timer,
        }),
        _ => Err(diagnostics),
    }
}

/// Runs every stage except writing and returns the site in memory (for `serve`).
pub fn compile(options: &BuildOptions) -> Result<Site, Diagnostics> {
    let mut prepared = prepare(options)?;
    let files = match render::render_to_memory(&prepared.review, &prepared.templates) {
        Ok(files) => files,
        Err(diagnostic) => {
            prepared.diagnostics.push(*diagnostic);
            return Err(prepared.diagnostics);
        }
    };
    prepared.timer.lap("render");
    Ok(Site {
        copies: copies(&prepared.review, &prepared.templates),
        config: prepared.config,
        pages: files.len(),
        files,
        diagnostics: prepared.diagnostics,
    })
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
    let statics = templates.theme.statics.iter().map(|(path, origin)| {
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
/// everything is written. With search on, pages are indexed as they are written and the
/// search bundle is written last.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    build_with_search(options, None)
}

/// [`build`] with search forced on (`Some(true)`, `--search`) or off (`Some(false)`,
/// `--no-search`); `None` leaves it to `[search]` in site.toml.
pub fn build_with_search(
    options: &BuildOptions,
    search: Option<bool>,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let mut prepared = prepare_with_search(options, search).map_err(BuildError::Invalid)?;
    let output = output_dir(options, &prepared.config);
    output::check_target(&options.root, &output, options.output.is_some())?;
    let staging = output::Staging::new(&output)?;
    let indexer = if prepared.config.search.enabled {
        let index_options = search::IndexOptions {
            portable: prepared.review.url_style.portable,
        };
        match search::Indexer::start(index_options) {
            Ok(indexer) => Some(indexer),
            Err(err) => return Err(search_failed(prepared.diagnostics, &err)),
        }
    } else {
        None
    };
    let sink = |file: OutputFile| {
        staging.write(&file)?;
        if let Some(indexer) = &indexer {
            indexer.add(&file);
        }
        Ok(())
    };
    let pages = match render::render_site(&prepared.review, &prepared.templates, &sink) {
        Ok(pages) => pages,
        Err(render::RenderError::Template(diagnostic)) => {
            prepared.diagnostics.push(*diagnostic);
            return Err(BuildError::Invalid(prepared.diagnostics));
        }
        Err(render::RenderError::Sink(err)) => return Err(BuildError::Output(err)),
    };
    prepared.timer.lap("render and write pages");
    let copies = copies(&prepared.review, &prepared.templates);
    staging.copy_all(&copies)?;
    let mut files = pages + copies.len();
    let mut searchable = None;
    if let Some(indexer) = indexer {
        let bundle = match indexer.finish() {
            Ok(bundle) => bundle,
            Err(err) => return Err(search_failed(prepared.diagnostics, &err)),
        };
        prepared.timer.lap("copy, and search index");
        for file in &bundle.files {
            staging.write(file)?;
        }
        if bundle.pages == 0 {
            prepared.diagnostics.push(search::empty_index_warning());
        }
        files += bundle.files.len();
        searchable = Some(bundle.pages);
    }
    staging.finish()?;
    prepared.timer.lap("copy and swap");
    Ok(BuildReport {
        output,
        pages,
        files,
        elapsed: started.elapsed(),
        diagnostics: prepared.diagnostics,
        searchable,
    })
}

/// A search failure as the build's error: nothing is written.
fn search_failed(mut diagnostics: Diagnostics, err: &search::SearchError) -> BuildError {
    diagnostics.push(err.to_diagnostic());
    BuildError::Invalid(diagnostics)
}

/// `tessera check`: every diagnostic, without writing anything. Pages are still rendered
/// (and thrown away) so that template errors are found too.
pub fn check(options: &BuildOptions) -> Diagnostics {
    match prepare(options) {
        Ok(mut prepared) => {
            let discard = |_: OutputFile| Ok::<(), ()>(());
            if let Err(render::RenderError::Template(d)) =
                render::render_site(&prepared.review, &prepared.templates, &discard)
            {
                prepared.diagnostics.push(*d);
            }
            prepared.diagnostics
        }
        Err(diagnostics) => diagnostics,
    }
}

/// An output error as a diagnostic, for uniform reporting at the CLI.
pub fn output_diagnostic(err: &output::OutputError) -> Diagnostic {
    Diagnostic::error("output", err.to_string()).with_hint(err.hint())
}
