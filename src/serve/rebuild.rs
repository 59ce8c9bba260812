//! The rebuild loop: from a batch of changed paths to a new site in the browser.
//!
//! Owns the order that keeps serve correct: fingerprint the changed paths; if an input's
//! bytes really changed, compile the site in memory with a [`Compiler`] told which files
//! changed (it keeps the last build's work and redoes only what the change needs, and
//! what it returns is what `tessera build` would write); swap it in only when it is
//! complete; *then* send the reload event; and only after that, off the hot path, work out
//! which pages changed, print the one-line report, and free the old site. A failed build
//! swaps nothing: it prints the diagnostics and shows them as the overlay instead.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use super::fingerprint::{Fingerprints, affects_site};
use super::reload::Hub;
use super::search::{self, SiteSearch};
use super::snapshot::{Snapshot, State};
use super::watch::{Changes, Watcher};
use super::{configured_theme, stderr_color};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::{BuildOptions, Compiler, Site};

/// How many names a report line lists before it says "and N more".
const NAMES_SHOWN: usize = 3;

/// Rebuilds the site when its inputs change.
pub(super) struct Rebuilder {
    options: BuildOptions,
    state: Arc<State>,
    hub: Arc<Hub>,
    fingerprints: Fingerprints,
    /// The active theme: changes under `themes/<theme>/` rebuild, other themes do not.
    theme: String,
    /// The warnings last printed, so unchanged warnings are not repeated on every edit.
    warnings: String,
    /// What the last build left for the next one to reuse.
    compiler: Compiler,
    /// The served site's search index, built after each publish.
    search: Arc<SiteSearch>,
}

impl Rebuilder {
    pub(super) fn new(
        options: BuildOptions,
        state: Arc<State>,
        hub: Arc<Hub>,
        fingerprints: Fingerprints,
        theme: String,
        search: Arc<SiteSearch>,
    ) -> Rebuilder {
        Rebuilder {
            options,
            state,
            hub,
            fingerprints,
            theme,
            warnings: String::new(),
            compiler: Compiler::new(),
            search,
        }
    }

    /// The first build. Returns the number of pages, or `None` if it failed.
    pub(super) fn build_initial(&mut self) -> Option<usize> {
        match compile(&mut self.compiler, &self.options, None) {
            Ok(site) => {
                let (snapshot, _) = self.publish(site);
                Some(snapshot.pages)
            }
            Err(diagnostics) => {
                self.show_errors(&diagnostics);
                None
            }
        }
    }

    /// Handles batches of changes until the watcher stops.
    pub(super) fn run(mut self, mut watcher: Watcher, changes: Receiver<Changes>) {
        while let Ok(mut paths) = changes.recv() {
            // Coalesce everything that arrived meanwhile (say, during a long build).
            while let Ok(more) = changes.try_recv() {
                paths.extend(more);
            }
            watcher.reconcile(&paths);
            let changed: Vec<PathBuf> = self
                .fingerprints
                .apply(&paths)
                .into_iter()
                .filter(|path| affects_site(path, &self.theme))
                .collect();
            if !changed.is_empty() {
                self.rebuild(&changed);
            }
        }
    }

    fn rebuild(&mut self, changed: &[PathBuf]) {
        let started = Instant::now();
        let inputs = list(changed.iter().map(|p| p.display().to_string()));
        self.search.supersede();
        match compile(&mut self.compiler, &self.options, Some(changed)) {
            Ok(site) => {
                let (snapshot, old) = self.publish(site);
                let elapsed = started.elapsed();
                report_success(&inputs, &snapshot, old, elapsed);
            }
            Err(diagnostics) => {
                self.search.resume();
                self.show_errors(&diagnostics);
                println!(
                    "Changed {inputs}: the build failed in {} ms ({}); still serving the last good site",
                    started.elapsed().as_millis(),
                    diagnostics.summary()
                );
            }
        }
    }

    /// Swaps a compiled site in and tells browsers to reload. Returns the new site and the
    /// one it replaced.
    fn publish(&mut self, mut site: Site) -> (Arc<Snapshot>, Option<Arc<Snapshot>>) {
        self.theme.clone_from(&site.config.site_theme);
        let warnings = std::mem::take(&mut site.diagnostics);
        let search = search::settings(&site.config, self.options.portable);
        self.search.outdate(search);
        let snapshot = Arc::new(Snapshot::new(site));
        let (generation, old) = self.state.publish_site(snapshot.clone());
        self.hub.reload(generation);
        self.search.index(snapshot.clone(), search);
        self.show_warnings(&warnings);
        (snapshot, old)
    }

    fn show_errors(&mut self, diagnostics: &Diagnostics) {
        // site.toml may have named a new theme whose own files broke the build: watch it,
        // so that fixing them rebuilds.
        self.theme = configured_theme(&self.options.root);
        eprintln!("{}", brief(diagnostics, stderr_color()));
        self.warnings.clear();
        let overlay = brief(diagnostics, false);
        if let Some(generation) = self.state.publish_error(&overlay) {
            self.hub.reload(generation);
        }
    }

    fn show_warnings(&mut self, warnings: &Diagnostics) {
        let text = if warnings.is_empty() {
            String::new()
        } else {
            brief(warnings, false)
        };
        if text != self.warnings {
            if !warnings.is_empty() {
                eprintln!("{}", brief(warnings, stderr_color()));
            }
            self.warnings = text;
        }
    }
}

/// Every error and the first few warnings of each code, as `tessera build` prints them.
fn brief(diagnostics: &Diagnostics, color: bool) -> String {
    diagnostics.render_human_brief(color, crate::diagnostics::SHOWN_PER_CODE)
}

/// [`Compiler::compile`] (or, given the files the watcher saw change, `compile_changed`),
/// with a panic (a bug in tessera) turned into a diagnostic, so that one bad build does not
/// stop the server from rebuilding after the next edit. The caches are dropped after a
/// panic: the next build starts afresh.
fn compile(
    compiler: &mut Compiler,
    options: &BuildOptions,
    changed: Option<&[PathBuf]>,
) -> Result<Site, Diagnostics> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match changed {
        Some(changed) => compiler.compile_changed(options, changed),
        None => compiler.compile(options),
    }))
    .unwrap_or_else(|panic| {
        *compiler = Compiler::new();
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown error".to_string());
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(
            Diagnostic::error(
                Code::Internal,
                format!("tessera crashed while building the site: {message}"),
            )
            .with_hint(
                "this is a bug in tessera: please report it, with the change that caused it",
            ),
        );
        Err(diagnostics)
    })
}

/// Prints what changed, what was rebuilt and how long it took; frees the old site.
fn report_success(
    inputs: &str,
    snapshot: &Snapshot,
    old: Option<Arc<Snapshot>>,
    elapsed: Duration,
) {
    let changed = old
        .as_deref()
        .map(|old| snapshot.changed_since(old))
        .unwrap_or_default();
    let outcome = if changed.is_empty() {
        "no page changed".to_string()
    } else {
        format!(
            "{} changed: {}",
            changed.len(),
            list(changed.iter().map(|key| page_name(key)))
        )
    };
    println!(
        "Changed {inputs}: rendered {} of {} pages in {} ms; {outcome}",
        snapshot.rendered,
        snapshot.pages,
        elapsed.as_millis()
    );
    // A large site takes a while to free; the next rebuild should not wait for it.
    if let Some(old) = old {
        crate::drop_in_background(old);
    }
}

/// `a, b, c and 4 more`.
fn list(names: impl ExactSizeIterator<Item = String>) -> String {
    let total = names.len();
    let shown: Vec<String> = names.take(NAMES_SHOWN).collect();
    let mut text = shown.join(", ");
    if total > NAMES_SHOWN {
        text.push_str(&format!(" and {} more", total - NAMES_SHOWN));
    }
    text
}

/// A page's URL path as readers see it: `case-studies/alpha/index.html` → `/case-studies/alpha/`.
fn page_name(key: &str) -> String {
    let trimmed = Path::new(key)
        .file_name()
        .filter(|name| *name == "index.html")
        .map_or(key, |_| key.trim_end_matches("index.html"));
    format!("/{trimmed}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_a_few_names_then_counts() {
        let names = ["a", "b", "c", "d", "e"].map(String::from);
        assert_eq!(list(names.into_iter()), "a, b, c and 2 more");
        assert_eq!(list(["a".to_string()].into_iter()), "a");
    }

    #[test]
    fn page_names_are_url_paths() {
        assert_eq!(page_name("index.html"), "/");
        assert_eq!(
            page_name("case-studies/alpha/index.html"),
            "/case-studies/alpha/"
        );
        assert_eq!(page_name("static/style.css"), "/static/style.css");
    }
}
