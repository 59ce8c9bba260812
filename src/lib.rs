//! tessera: a static-site generator for evidence reviews.
//!
//! The pipeline runs one way: [`config`] (site.toml) → [`content`] (files, front matter,
//! Markdown bodies) → [`review`] (the evidence model: claims, contradictions, themes, map)
//! → [`render`] (Tera templates) → [`output`] (an all-or-nothing write). [`compile`] runs
//! every stage but the write and returns the site in memory (for `check` and `serve`);
//! [`build`] writes it. Problems are collected as [`diagnostics::Diagnostic`]s, never panics.

pub mod bibliography;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod markdown;
pub mod output;
pub mod render;
pub mod review;
pub mod scaffold;

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

/// Runs every stage except writing: loads, checks, models and renders the review.
pub fn compile(options: &BuildOptions) -> Result<Site, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let mut timer = PhaseTimer::from_env();
    let root = options.root.as_path();
    let Some(mut config) = SiteConfig::load(root, &mut diagnostics) else {
        return Err(diagnostics);
    };
    if let Some(base_url) = &options.base_url {
        config.base_url.clone_from(base_url);
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
    let (Some(review), Some(templates)) = (review, templates) else {
        return Err(diagnostics);
    };
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    let Some(files) = render::render_site(&review, &templates, &mut diagnostics) else {
        return Err(diagnostics);
    };
    timer.lap("render");
    let copies = copies(&review, &templates);
    Ok(Site {
        config,
        pages: files.len(),
        files,
        copies,
        diagnostics,
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
            eprintln!("timing: {phase} {} ms", last.elapsed().as_millis());
            self.last = Some(Instant::now());
        }
    }
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

/// `tessera build`: compiles the review and writes it, all or nothing.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let site = compile(options).map_err(BuildError::Invalid)?;
    let output = output_dir(options, &site.config);
    output::check_target(&options.root, &output, options.output.is_some())?;
    let written = Instant::now();
    output::write_site(&output, &site.files, &site.copies)?;
    if std::env::var_os("TESSERA_TIMINGS").is_some() {
        eprintln!("timing: write {} ms", written.elapsed().as_millis());
    }
    Ok(BuildReport {
        output,
        pages: site.pages,
        files: site.files.len() + site.copies.len(),
        elapsed: started.elapsed(),
        diagnostics: site.diagnostics,
    })
}

/// `tessera check`: every diagnostic, without writing anything.
pub fn check(options: &BuildOptions) -> Diagnostics {
    match compile(options) {
        Ok(site) => site.diagnostics,
        Err(diagnostics) => diagnostics,
    }
}

/// An output error as a diagnostic, for uniform reporting at the CLI.
pub fn output_diagnostic(err: &output::OutputError) -> Diagnostic {
    Diagnostic::error("output", err.to_string()).with_hint(err.hint())
}
