//! Rendering: the review model through Tera templates into pages.
//!
//! Owns loading the theme's templates (compiled once), the list of pages a review has, and
//! each page's template context (documented in the README, "Template reference"). Large
//! values (case studies with their bodies) are converted to template values once and shared
//! by every page that shows them; pages render in parallel and go to a sink the caller
//! chooses (disk for `build`, memory for `serve`). It writes nothing to disk itself.

mod edition_jobs;
mod feeds;
mod filters;
mod fragments;
mod jobs;
mod print;
mod publish;
mod publish_cache;
pub(crate) mod site_theme;
mod values;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Tera};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::editions::Edition;
use crate::review::urls::{file_of, root_of};
use crate::review::{Changed, Review};
use jobs::PageJob;
use site_theme::{Origin, SiteTheme};
use values::{Baseline, Previous, Values, digest_all, digest_of};
pub(crate) use values::{Digest, ValueCache};

/// A file of the built site: where it goes (relative to the output folder) and its bytes.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: Arc<[u8]>,
}

/// Escapes text for HTML, for the few bits of markup built outside templates.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::markdown::push_escaped(&mut out, text);
    out
}

/// The compiled templates and where each came from.
pub(crate) struct Templates {
    tera: Tera,
    pub site_theme: SiteTheme,
    /// A digest of every template's name and text: pages rendered with templates of the
    /// same digest need not be rendered again.
    pub digest: Digest,
}

impl Templates {
    /// Loads and compiles every template of the theme (site overrides first).
    pub(crate) fn load(
        root: &Path,
        theme_name: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<Templates> {
        let site_theme = site_theme::collect(root, theme_name, diagnostics);
        let mut sources = Vec::new();
        for (name, origin) in &site_theme.templates {
            match origin.read().map(String::from_utf8) {
                Ok(Ok(text)) => {
                    diagnostics
                        .add_source(origin.display().to_path_buf(), Arc::from(text.as_str()));
                    sources.push((name.clone(), text));
                }
                _ => diagnostics.push(
                    Diagnostic::error(Code::Template, "cannot read this template as UTF-8 text")
                        .in_file(origin.display()),
                ),
            }
        }
        let digest = digest_all(
            "templates",
            sources
                .iter()
                .map(|(name, text)| digest_of("template", &(name, text))),
        );
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml", ".svg"]);
        filters::register(&mut tera);
        fragments::register_stand_in(&mut tera);
        if let Err(err) = tera.add_raw_templates(sources) {
            diagnostics.push(template_diagnostic(&err, &site_theme));
            return None;
        }
        for required in PAGE_TEMPLATES {
            if !tera.contains_template(required) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::TemplateMissing,
                        format!("the theme has no `{required}` template"),
                    )
                    .with_hint(format!(
                        "add `templates/{required}` to the site or the theme"
                    )),
                );
            }
        }
        (!diagnostics.has_errors()).then_some(Templates {
            tera,
            site_theme,
            digest,
        })
    }
}

/// The templates every theme must provide.
pub(crate) const PAGE_TEMPLATES: [&str; 20] = [
    "references.html",
    "print.html",
    "index.html",
    "case-studies.html",
    "case-study.html",
    "themes.html",
    "theme.html",
    "claims.html",
    "claim.html",
    "contradictions.html",
    "map.html",
    "map-cell.html",
    "facet.html",
    "facet-value.html",
    "page.html",
    "404.html",
    "search.html",
    "base.html",
    "data.html",
    "changes.html",
];

/// Turns a Tera error into a diagnostic naming the template, line and what went wrong.
fn template_diagnostic(err: &tera::Error, theme: &SiteTheme) -> Diagnostic {
    match err.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let file = theme.templates.get(report.filename()).map_or_else(
                || PathBuf::from(report.filename()),
                |o: &Origin| o.display().to_path_buf(),
            );
            let span = report.span();
            let location = crate::diagnostics::Location {
                line: span.start_line,
                column: span.start_col + 1,
                span: span.range.clone(),
            };
            Diagnostic::error(
                Code::Template,
                format!("template `{}`: {}", report.filename(), report.message()),
            )
            .in_file(file)
            .at_location(location)
        }
        other => Diagnostic::error(Code::Template, format!("template error: {other}")),
    }
}

/// Why rendering stopped: a template failed, or the sink refused a page.
#[derive(Debug)]
pub(crate) enum RenderError<E> {
    Template(Box<Diagnostic>),
    Sink(E),
}

/// Renders every page of the review in parallel, handing each to `sink` as soon as it is
/// ready (so a large site is never held in memory whole), then the files that are not pages
/// (downloads). Returns the number of pages and of those other files.
pub(crate) fn render_site<E: Send>(
    review: &Review,
    edition: &Edition,
    templates: &Templates,
    sink: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<(usize, usize), RenderError<E>> {
    let values = Values::untracked(review);
    let tera = with_globals(
        templates,
        &jobs::global_context(review, edition),
        fragments::Store::passing(),
    );
    let (published, jobs) = publishing_jobs(review, edition, publish::Published::of(review, None));
    heaviest_first(&jobs).into_par_iter().try_for_each(|i| {
        let job = &jobs[i];
        let file = render_page(&tera, review, job, &values, 0).map_err(|err| {
            RenderError::Template(Box::new(template_diagnostic(&err, &templates.site_theme)))
        })?;
        sink(file).map_err(RenderError::Sink)
    })?;
    let files = published.files();
    let counts = (jobs.len(), files.len());
    for file in files {
        sink(file).map_err(RenderError::Sink)?;
    }
    // Freeing every page's variables and every converted value takes about 50 ms at
    // 10,000 case studies, on one core, and nothing waits for it.
    crate::drop_in_background((jobs, values.into_items()));
    Ok(counts)
}

/// Every page's job, with what publishing adds to them (citations, metadata, the
/// references and print pages), and what publishing still has to write besides pages.
fn publishing_jobs(
    review: &Review,
    edition: &Edition,
    mut published: publish::Published,
) -> (publish::Published, Vec<PageJob>) {
    let mut jobs = jobs::page_jobs(review, edition);
    published.add_to(review, &mut jobs);
    (published, jobs)
}

/// The positions of `jobs`, heaviest page first (see [`PageJob::weight`]): one heavy page
/// (the contradictions page of a large review takes most of a second) started last would
/// keep one core busy after the other has finished.
fn heaviest_first(jobs: &[PageJob]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].weight()));
    order
}

/// `order` as a parallel iterator that hands out one position at a time. Rayon would
/// otherwise cut the list into a few long runs up front: after an edit in `serve`, the
/// thread given the run that holds the few long list pages rendered them one after another
/// while the other, done with its run, had nothing left to take. (A full build keeps
/// rayon's runs: its thousands of case-study pages even them out, and rendering two of the
/// heaviest pages at once raised its peak memory.)
fn one_task_each(order: Vec<usize>) -> impl IndexedParallelIterator<Item = usize> {
    order.into_par_iter().with_max_len(1)
}

/// How many case studies or claims a sample page lists (see [`render_one_per_template`]).
const SAMPLE_LIST: usize = 3;

/// Renders the first page of each template, with its lists of case studies and claims cut
/// to their first few, and throws it away, in parallel: for `check`, which must find
/// template errors without taking as long as a build (the case-study index alone lists
/// every case study). Tera compiles every template when it is loaded, so syntax errors,
/// unknown filters and missing templates are found before this; a rendering error that
/// only some pages' data trigger is found by rendering every page ([`render_site`], as
/// `tessera build` and `check --all-pages` do). Returns how many pages were rendered.
pub(crate) fn render_one_per_template(
    review: &Review,
    edition: &Edition,
    templates: &Templates,
) -> Result<usize, Box<Diagnostic>> {
    let values = Values::untracked(review);
    let tera = with_globals(
        templates,
        &jobs::global_context(review, edition),
        fragments::Store::passing(),
    );
    let (_, jobs) = publishing_jobs(review, edition, publish::Published::of(review, None));
    let mut seen = std::collections::HashSet::new();
    let samples: Vec<PageJob> = jobs
        .iter()
        .filter(|j| seen.insert(j.template))
        .map(sample_of)
        .collect();
    samples.par_iter().try_for_each(|job| {
        render_page(&tera, review, job, &values, 0)
            .map(drop)
            .map_err(|err| Box::new(template_diagnostic(&err, &templates.site_theme)))
    })?;
    Ok(samples.len())
}

/// The same page with its lists of case studies and claims cut to [`SAMPLE_LIST`] items.
fn sample_of(job: &PageJob) -> PageJob {
    let cut = |ids: &[usize]| ids[..ids.len().min(SAMPLE_LIST)].to_vec();
    let vars = job
        .vars
        .iter()
        .map(|(key, var)| {
            let var = match var {
                jobs::Var::Cards(ids) => jobs::Var::Cards(cut(ids)),
                jobs::Var::Claims(ids) => jobs::Var::Claims(cut(ids)),
                other => other.clone(),
            };
            (*key, var)
        })
        .collect();
    PageJob {
        url: job.url.clone(),
        template: job.template,
        section: job.section,
        title: job.title.clone(),
        vars,
    }
}

/// The templates with the global context (`site`, `nav`, `counts`, `index_file`) set, and
/// `cached` calling components through `fragments`.
fn with_globals(
    templates: &Templates,
    globals: &serde_json::Value,
    fragments: Arc<fragments::Store>,
) -> Tera {
    let mut inner = templates.tera.clone();
    let context = inner.global_context();
    if let Some(globals) = globals.as_object() {
        for (key, value) in globals {
            context.insert(key.clone(), value);
        }
    }
    let mut outer = inner.clone();
    fragments::register(&mut outer, inner, fragments);
    outer
}

/// The pages of the previous build, each with the digest of what it was rendered from.
#[derive(Default)]
pub(crate) struct PageCache {
    pages: HashMap<String, CachedPage>,
    values: ValueCache,
    previous: Option<Previous>,
    /// Each page's citation and metadata, made again only for pages whose title or
    /// summary changed.
    published: publish_cache::PublishCache,
    /// What publishing made for the last render, whole, for renders after edits of bodies
    /// only.
    last_published: Option<publish::Published>,
    /// The output of the last render's `cached` component calls.
    fragments: fragments::Fragments,
}

impl PageCache {
    /// Takes the last build's review out, for [`Review::update_bodies`] to bring up to date;
    /// render it again with [`render_cached`], saying what changed.
    pub(crate) fn take_review(&mut self) -> Option<Review> {
        self.previous.as_mut()?.review.take()
    }
}

/// One page of a cached render: its digest (when tracked), and its file once it is known
/// (the last build's, or rendered now).
type Outcome = (Option<Digest>, Option<(OutputFile, fragments::Used)>);

/// A page of the last render: the digest of what it was rendered from, its file, and the
/// fragments it holds (kept while some page holds them).
struct CachedPage {
    digest: Digest,
    file: OutputFile,
    fragments: fragments::Used,
}

/// A site rendered into memory, and how many of its pages had to be rendered.
pub(crate) struct RenderedSite {
    /// Every page, sorted by path (as bytes).
    pub files: Vec<OutputFile>,
    /// Pages rendered in this build; the rest were the previous build's, unchanged.
    pub rendered: usize,
    /// How many of `files` are downloads and feeds rather than pages.
    pub downloads: usize,
}

/// Renders the review into memory, rendering only the pages whose inputs differ from the
/// previous build's (by digest) and reusing the previous output for the rest; a successful
/// build then replaces the previous one in `cache`. The output is the same, byte for byte, as [`render_site`]'s.
pub(crate) fn render_cached(
    owned: Review,
    edition: &Edition,
    templates: &Templates,
    cache: &mut PageCache,
    edited: Option<&Changed>,
) -> Result<RenderedSite, Box<Diagnostic>> {
    let review = &owned;
    let baseline = match (&cache.previous, edited) {
        (Some(Previous { digests, .. }), Some(changed)) => Baseline::Edited(digests, changed),
        (
            Some(Previous {
                review: Some(before),
                digests,
            }),
            None,
        ) => Baseline::Compare(before, digests),
        _ => Baseline::None,
    };
    let globals = jobs::global_context(review, edition);
    // Everything a page is rendered from besides its own variables.
    let shared = digest_all("shared", [templates.digest, digest_of("globals", &globals)]);
    let last_published = cache.last_published.take();
    // The values' digests and the page list each walk every case study: on two cores,
    // side by side.
    let (values, (published, jobs)) = rayon::join(
        || Values::tracked(review, &baseline, &cache.values),
        || {
            let published = match (edited, last_published) {
                // Only bodies changed: everything publishing makes comes from front
                // matter, the bibliography and the configuration, so the last render's is
                // still right.
                (Some(_), Some(last)) => last,
                (_, last) => publish::Published::of(review, Some(&mut cache.published))
                    .following(last.as_ref()),
            };
            publishing_jobs(review, edition, published)
        },
    );
    let store = cache.fragments.start(shared);
    let tera = with_globals(templates, &globals, store.clone());
    // First each page's digest and, where it is the last build's, its file; then only the
    // pages that changed are rendered, the heaviest first, so that the few long list pages
    // an edit touches start at once, on different threads.
    let mut outcomes: Vec<Outcome> = jobs
        .par_iter()
        .map(|job| {
            let digest = job
                .digest(&values)
                .map(|own| digest_all("page", [shared, own]));
            let reused = digest.and_then(|digest| {
                cache
                    .pages
                    .get(&job.url)
                    .filter(|page| page.digest == digest)
                    .map(|page| (page.file.clone(), page.fragments.clone()))
            });
            (digest, reused)
        })
        .collect();
    let stale: Vec<usize> = heaviest_first(&jobs)
        .into_iter()
        .filter(|&i| outcomes[i].1.is_none())
        .collect();
    let fresh: Vec<(usize, OutputFile, fragments::Used)> = one_task_each(stale)
        .map(|i| {
            let job = &jobs[i];
            // The page's last size: a long list page grows to megabytes.
            let size = cache
                .pages
                .get(&job.url)
                .map_or(0, |p| p.file.contents.len());
            let (file, used) =
                fragments::recording(|| render_page(&tera, review, job, &values, size));
            file.map(|file| (i, file, used))
                .map_err(|err| Box::new(template_diagnostic(&err, &templates.site_theme)))
        })
        .collect::<Result<_, _>>()?;
    let rendered = fresh.len();
    // No page rendered now holds a fragment, nor did the page it replaces: unless a page
    // went, the pages hold the fragments they held after the last render.
    let same_fragments = fresh.iter().all(|(i, _, used)| {
        used.is_empty()
            && cache
                .pages
                .get(&jobs[*i].url)
                .is_none_or(|old| old.fragments.is_empty())
    });
    let mut rendered_now = vec![false; outcomes.len()];
    for (i, file, used) in fresh {
        rendered_now[i] = true;
        outcomes[i].1 = Some((file, used));
    }
    // The build succeeded: its pages become the ones the next build compares with. The
    // last build's map is brought up to date rather than made again: after an edit at
    // 10,000 case studies nearly every page is the last build's, and making the map again
    // took about 10 ms.
    let mut pages = std::mem::take(&mut cache.pages);
    let mut tracked: Vec<&str> = Vec::with_capacity(jobs.len());
    let mut untracked_went = false;
    let mut files = Vec::with_capacity(outcomes.len());
    for (i, ((digest, page), job)) in outcomes.into_iter().zip(&jobs).enumerate() {
        // Every page was either reused or rendered just now.
        let Some((file, fragments)) = page else {
            continue;
        };
        match digest {
            // A reused page is in the map already, with this digest.
            Some(digest) => {
                tracked.push(&job.url);
                if rendered_now[i] {
                    let page = CachedPage {
                        digest,
                        file: file.clone(),
                        fragments,
                    };
                    pages.insert(job.url.clone(), page);
                }
            }
            None => untracked_went |= pages.remove(&job.url).is_some(),
        }
        files.push(file);
    }
    // Every page of the last build is one of this build's, tracked as before.
    let none_went = !untracked_went && pages.len() == tracked.len();
    if !none_went {
        let urls: HashSet<&str> = tracked.into_iter().collect();
        pages.retain(|url, _| urls.contains(url.as_str()));
    }
    let downloads = published.files();
    let download_count = downloads.len();
    files.extend(downloads);
    drop(tera);
    let (digests, values) = values.into_cache();
    let publish_cache = std::mem::take(&mut cache.published);
    let mut fragments = std::mem::take(&mut cache.fragments);
    if same_fragments && none_went {
        fragments.keep_last(store);
    } else {
        let live = pages.values().map(|page| page.fragments.clone()).collect();
        fragments.finish(store, live);
    }
    let replaced = std::mem::replace(
        cache,
        PageCache {
            pages,
            values,
            previous: Some(Previous {
                review: Some(owned),
                digests,
            }),
            published: publish_cache,
            last_published: Some(published),
            fragments,
        },
    );
    // Freeing a large review takes a while, and nothing waits for it.
    crate::drop_in_background(replaced);
    // By the path's bytes: comparing paths component by component took about 7 ms at
    // 10,000 case studies, and any fixed order serves.
    files.sort_unstable_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
    Ok(RenderedSite {
        files,
        rendered,
        downloads: download_count,
    })
}

/// What a page's buffer starts at: most pages of a review are a few tens of kilobytes.
const PAGE_SIZE_HINT: usize = 32 * 1024;

/// Renders one page; `size_hint` is about how long it will be (0 if not known).
fn render_page(
    tera: &Tera,
    review: &Review,
    job: &PageJob,
    values: &Values,
    size_hint: usize,
) -> Result<OutputFile, tera::Error> {
    let mut context = Context::new();
    let root = if job.template == "404.html" {
        base_path(&review.config.base_url)
    } else {
        root_of(&job.url)
    };
    context.insert("root", &root);
    context.insert("page_url", &job.url);
    context.insert("canonical", &canonical(&review.config.base_url, &job.url));
    context.insert("section", job.section);
    context.insert("title", &job.title);
    job.insert_vars(&mut context, values);
    // Into bytes: templates write text, so there is no need to check it is UTF-8 again.
    let mut html = Vec::with_capacity(size_hint.max(PAGE_SIZE_HINT));
    tera.render_to(job.template, &context, &mut html)?;
    Ok(OutputFile {
        path: file_of(&job.url),
        contents: Arc::from(html),
    })
}

/// The path part of `base_url` (`/review/`), or `/`.
fn base_path(base_url: &str) -> String {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

fn canonical(base_url: &str, url: &str) -> String {
    if base_url.is_empty() {
        return String::new();
    }
    format!("{}/{url}", base_url.trim_end_matches('/'))
}

/// The build's warning when `base_url` is empty: the sitemap and the feed need absolute
/// URLs, so they were not written.
pub(crate) fn no_base_url_warning(config: &crate::config::SiteConfig) -> Option<Diagnostic> {
    config.base_url.is_empty().then(|| {
        Diagnostic::warning(
            Code::NoBaseUrl,
            "no sitemap.xml or atom.xml was written: `base_url` is empty, and both need the site's absolute address",
        )
        .in_file(crate::config::CONFIG_FILE)
        .with_hint("set `base_url = \"https://…/\"` in site.toml, or pass `--base-url` to build")
    })
}
