//! Rendering: the review model through Tera templates into pages.
//!
//! Owns loading the theme's templates (compiled once), the list of pages a review has, and
//! each page's template context (documented in the README, "Template reference"). Large
//! values (case studies with their bodies) are converted to template values once and shared
//! by every page that shows them; pages render in parallel and go to a sink the caller
//! chooses (disk for `build`, memory for `serve`). It writes nothing to disk itself.

pub mod theme;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Tera, Value};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::review::urls::{file_of, root_of};
use crate::review::{Review, map};
use theme::{Origin, ThemeFiles};

/// A file of the built site: where it goes (relative to the output folder) and its bytes.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: Arc<[u8]>,
}

/// Escapes text for HTML, for the few bits of markup built outside templates.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    crate::markdown::push_escaped(&mut out, text);
    out
}

/// The compiled templates and where each came from.
pub struct Templates {
    tera: Tera,
    pub theme: ThemeFiles,
}

impl Templates {
    /// Loads and compiles every template of the theme (site overrides first).
    pub fn load(root: &Path, theme_name: &str, diagnostics: &mut Diagnostics) -> Option<Templates> {
        let theme = theme::collect(root, theme_name, diagnostics);
        let mut sources = Vec::new();
        for (name, origin) in &theme.templates {
            match origin.read().map(String::from_utf8) {
                Ok(Ok(text)) => {
                    diagnostics
                        .add_source(origin.display().to_path_buf(), Arc::from(text.as_str()));
                    sources.push((name.clone(), text));
                }
                _ => diagnostics.push(
                    Diagnostic::error("template", "cannot read this template as UTF-8 text")
                        .in_file(origin.display()),
                ),
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml", ".svg"]);
        if let Err(err) = tera.add_raw_templates(sources) {
            diagnostics.push(template_diagnostic(&err, &theme));
            return None;
        }
        for required in PAGE_TEMPLATES {
            if !tera.contains_template(required) {
                diagnostics.push(
                    Diagnostic::error(
                        "template-missing",
                        format!("the theme has no `{required}` template"),
                    )
                    .with_hint(format!(
                        "add `templates/{required}` to the site or the theme"
                    )),
                );
            }
        }
        (!diagnostics.has_errors()).then_some(Templates { tera, theme })
    }
}

/// The templates every theme must provide.
pub const PAGE_TEMPLATES: [&str; 16] = [
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
];

/// Turns a Tera error into a diagnostic naming the template, line and what went wrong.
fn template_diagnostic(err: &tera::Error, theme: &ThemeFiles) -> Diagnostic {
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
                "template",
                format!("template `{}`: {}", report.filename(), report.message()),
            )
            .in_file(file)
            .at_location(location)
        }
        other => Diagnostic::error("template", format!("template error: {other}")),
    }
}

/// One page to render: its URL, template and own variables.
struct PageJob {
    url: String,
    template: &'static str,
    section: &'static str,
    title: String,
    vars: Vec<(&'static str, Value)>,
}

/// Why rendering stopped: a template failed, or the sink refused a page.
#[derive(Debug)]
pub enum RenderError<E> {
    Template(Box<Diagnostic>),
    Sink(E),
}

/// Renders every page of the review in parallel, handing each to `sink` as soon as it is
/// ready (so a large site is never held in memory whole). Returns the number of pages.
pub fn render_site<E: Send>(
    review: &Review,
    templates: &Templates,
    sink: &(dyn Fn(OutputFile) -> Result<(), E> + Sync),
) -> Result<usize, RenderError<E>> {
    let values = Values::new(review);
    let mut tera = templates.tera.clone();
    *tera.global_context() = global_context(review);
    let jobs = page_jobs(review, &values);
    jobs.par_iter().try_for_each(|job| {
        let file = render_page(&tera, review, job).map_err(|err| {
            RenderError::Template(Box::new(template_diagnostic(&err, &templates.theme)))
        })?;
        sink(file).map_err(RenderError::Sink)
    })?;
    Ok(jobs.len())
}

/// Renders every page into memory, for `check` and `serve`.
pub fn render_to_memory(
    review: &Review,
    templates: &Templates,
) -> Result<Vec<OutputFile>, Box<Diagnostic>> {
    let files = std::sync::Mutex::new(Vec::new());
    let sink = |file: OutputFile| files.lock().map(|mut f| f.push(file)).map_err(|_| ());
    match render_site(review, templates, &sink) {
        Ok(_) => {
            let mut files = files.into_inner().unwrap_or_default();
            files.sort_by(|a, b| a.path.cmp(&b.path));
            Ok(files)
        }
        Err(RenderError::Template(d)) => Err(d),
        Err(RenderError::Sink(())) => Err(Box::new(Diagnostic::error(
            "internal",
            "a rendering thread failed",
        ))),
    }
}

fn render_page(tera: &Tera, review: &Review, job: &PageJob) -> Result<OutputFile, tera::Error> {
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
    for (key, value) in &job.vars {
        context.insert_value(*key, value.clone());
    }
    let html = tera.render(job.template, &context)?;
    Ok(OutputFile {
        path: file_of(&job.url),
        contents: Arc::from(html.into_bytes()),
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

/// Template values built once and shared by reference-counting across pages.
struct Values {
    cases: Vec<Value>,
    themes: Vec<Value>,
    claims: Vec<Value>,
    facets: Vec<Value>,
    map: Value,
}

impl Values {
    fn new(review: &Review) -> Values {
        Values {
            cases: review
                .case_studies
                .par_iter()
                .map(Value::from_serializable)
                .collect(),
            themes: review
                .themes
                .par_iter()
                .map(Value::from_serializable)
                .collect(),
            claims: review
                .claims
                .par_iter()
                .map(Value::from_serializable)
                .collect(),
            facets: review.facets.iter().map(Value::from_serializable).collect(),
            map: Value::from_serializable(&review.map),
        }
    }

    fn list(items: &[Value], indexes: impl Iterator<Item = usize>) -> Value {
        let picked: Vec<Value> = indexes.map(|i| items[i].clone()).collect();
        Value::from(picked.as_slice())
    }
}

/// `site`, `nav`, `counts` and `index_file`: the same on every page.
fn global_context(review: &Review) -> Context {
    let style = review.url_style;
    let config = &review.config;
    let mut context = Context::new();
    context.insert(
        "site",
        &serde_json::json!({
            "title": config.title,
            "description": config.description,
            "base_url": config.base_url,
            "language": config.language,
            "edition": config.edition,
            "facets": review.facets,
            "map": config.map,
        }),
    );
    context.insert(
        "nav",
        &serde_json::json!({
            "home": style.page(""),
            "case_studies": style.page("case-studies"),
            "themes": style.page("themes"),
            "claims": style.page("claims"),
            "contradictions": style.page("contradictions"),
            "map": style.page("map"),
            "search": if config.search.enabled { style.page("search") } else { String::new() },
        }),
    );
    context.insert(
        "counts",
        &serde_json::json!({
            "case_studies": review.case_studies.len(),
            "themes": review.themes.len(),
            "claims": review.claims.len(),
            "contested": review.contested.len(),
            "findings": review.finding_count(),
        }),
    );
    context.insert("index_file", if style.portable { "index.html" } else { "" });
    context
}

/// How many contested claims the home page shows.
const HOME_CONTESTED: usize = 3;

fn page_jobs(review: &Review, values: &Values) -> Vec<PageJob> {
    let style = review.url_style;
    let mut jobs = Vec::new();
    let job = |url: String, template, section, title: &str, vars| PageJob {
        url,
        template,
        section,
        title: title.to_string(),
        vars,
    };
    let all = |items: &[Value]| Values::list(items, 0..items.len());

    let home_page = review
        .home
        .as_ref()
        .map_or(Value::none(), Value::from_serializable);
    let recent: Vec<Value> = review
        .case_studies
        .iter()
        .filter(|c| c.is_new)
        .map(|c| Value::from_serializable(&c.page_ref()))
        .collect();
    let home_title = review
        .home
        .as_ref()
        .map_or(review.config.title.as_str(), |p| p.title.as_str());
    jobs.push(job(
        style.page(""),
        "index.html",
        "home",
        home_title,
        vec![
            ("page", home_page),
            (
                "contested",
                Values::list(
                    &values.claims,
                    review.contested.iter().copied().take(HOME_CONTESTED),
                ),
            ),
            ("recent", Value::from(recent.as_slice())),
        ],
    ));

    jobs.push(job(
        style.page("case-studies"),
        "case-studies.html",
        "case-studies",
        "Case studies",
        vec![
            ("case_studies", all(&values.cases)),
            ("filters", filters(review)),
        ],
    ));
    for (c, value) in review.case_studies.iter().zip(&values.cases) {
        jobs.push(job(
            c.url.clone(),
            "case-study.html",
            "case-studies",
            &c.title,
            vec![("case_study", value.clone())],
        ));
    }
    jobs.push(job(
        style.page("themes"),
        "themes.html",
        "themes",
        "Themes",
        vec![("themes", all(&values.themes))],
    ));
    for (t, value) in review.themes.iter().zip(&values.themes) {
        jobs.push(job(
            t.url.clone(),
            "theme.html",
            "themes",
            &t.title,
            vec![("theme", value.clone())],
        ));
    }
    jobs.push(job(
        style.page("claims"),
        "claims.html",
        "claims",
        "Claims",
        vec![("claims", all(&values.claims))],
    ));
    for (c, value) in review.claims.iter().zip(&values.claims) {
        jobs.push(job(
            c.url.clone(),
            "claim.html",
            "claims",
            &c.title,
            vec![("claim", value.clone())],
        ));
    }
    jobs.push(job(
        style.page("contradictions"),
        "contradictions.html",
        "contradictions",
        "Contradictions",
        vec![(
            "contested",
            Values::list(&values.claims, review.contested.iter().copied()),
        )],
    ));
    jobs.extend(map_jobs(review, values));
    jobs.extend(facet_jobs(review, values));
    for page in &review.pages {
        jobs.push(job(
            page.url.clone(),
            "page.html",
            "page",
            &page.title,
            vec![("page", Value::from_serializable(page))],
        ));
    }
    if review.config.search.enabled {
        jobs.push(job(
            style.page("search"),
            "search.html",
            "search",
            "Search",
            Vec::new(),
        ));
    }
    jobs.push(job(
        "404.html".to_string(),
        "404.html",
        "404",
        "Page not found",
        Vec::new(),
    ));
    jobs
}

fn map_jobs(review: &Review, values: &Values) -> Vec<PageJob> {
    let style = review.url_style;
    let m = &review.map;
    let mut jobs = vec![PageJob {
        url: style.page("map"),
        template: "map.html",
        section: "map",
        title: "Evidence map".to_string(),
        vars: vec![("map", values.map.clone())],
    }];
    for (r, row) in m.row_values.iter().enumerate() {
        for (c, column) in m.column_values.iter().enumerate() {
            let cell = &m.cells[r][c];
            if cell.count == 0 {
                continue;
            }
            jobs.push(PageJob {
                url: style.page(&map::cell_dir(row, column)),
                template: "map-cell.html",
                section: "map",
                title: format!("{} × {}", row.label, column.label),
                vars: vec![
                    ("map", values.map.clone()),
                    ("cell", Value::from_serializable(cell)),
                    ("row", Value::from_serializable(row)),
                    ("column", Value::from_serializable(column)),
                    (
                        "case_studies",
                        Values::list(&values.cases, review.map_members[r][c].iter().copied()),
                    ),
                ],
            });
        }
    }
    jobs
}

fn facet_jobs(review: &Review, values: &Values) -> Vec<PageJob> {
    let mut jobs = Vec::new();
    for (f, facet) in review.facets.iter().enumerate() {
        jobs.push(PageJob {
            url: facet.url.clone(),
            template: "facet.html",
            section: "facets",
            title: facet.label.clone(),
            vars: vec![("facet", values.facets[f].clone())],
        });
        for (v, value) in facet.values.iter().enumerate() {
            jobs.push(PageJob {
                url: value.value.url.clone(),
                template: "facet-value.html",
                section: "facets",
                title: format!("{}: {}", facet.label, value.value.label),
                vars: vec![
                    ("facet", values.facets[f].clone()),
                    ("value", Value::from_serializable(&value.value)),
                    (
                        "case_studies",
                        Values::list(&values.cases, review.facet_members[f][v].iter().copied()),
                    ),
                ],
            });
        }
    }
    jobs
}

/// Facets that case studies can be filtered by: only values in use, plus "new".
fn filters(review: &Review) -> Value {
    let in_use: Vec<serde_json::Value> = review
        .facets
        .iter()
        .filter_map(|facet| {
            let values: Vec<&crate::review::FacetValueCount> =
                facet.values.iter().filter(|v| v.count > 0).collect();
            (!values.is_empty()).then(|| {
                serde_json::json!({
                    "name": facet.name,
                    "label": facet.label,
                    "description": facet.description,
                    "url": facet.url,
                    "values": values,
                })
            })
        })
        .collect();
    Value::from_serializable(&in_use)
}
