//! Formatting the bibliography on a thread of its own while the review's bodies render.
//!
//! hayagriva's driver formats every citation in one pass, on one core: about a second at
//! 10,000 case studies when every citation is formatted, tens of milliseconds when most
//! share a number ([`super::numbers`]). The Markdown bodies and their link checks need
//! nothing it makes, so a build starts it, renders the bodies on the other core, and waits
//! for it only when the case studies' findings are resolved. What comes out, diagnostics
//! included (and in the same order), is what formatting first and rendering after would
//! give.

use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use super::{Cite, Style, apply};
use crate::bibliography::Bibliography;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};

/// The bibliography, formatted or still being formatted.
pub(crate) enum Pending {
    /// Formatted, its diagnostics already reported.
    Ready(Bibliography),
    /// Formatted here, its diagnostics not reported yet.
    Done(Bibliography, Diagnostics),
    Formatting(JoinHandle<(Bibliography, Diagnostics)>),
}

/// What [`apply`] needs, owned, so that it can run on another thread.
pub(crate) struct Job {
    pub root: PathBuf,
    pub bibliography: Bibliography,
    pub style: Arc<Style>,
    pub cites: Vec<Cite>,
    pub references_page: String,
}

impl Job {
    fn run(mut self) -> (Bibliography, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        apply(
            &self.root,
            &mut self.bibliography,
            self.style,
            &self.cites,
            &self.references_page,
            &mut diagnostics,
        );
        (self.bibliography, diagnostics)
    }
}

/// Nothing to wait for: what is left behind when a pending bibliography is taken.
impl Default for Pending {
    fn default() -> Pending {
        Pending::Ready(Bibliography::default())
    }
}

impl Pending {
    /// Starts formatting on a thread of its own; formats here when no thread can be started.
    pub(crate) fn start(job: Job) -> Pending {
        // The job is handed over through a slot so that it can be taken back if the
        // thread cannot be started.
        let slot = Arc::new(std::sync::Mutex::new(Some(job)));
        let theirs = slot.clone();
        let spawned = std::thread::Builder::new()
            .name("tessera-citations".to_string())
            .spawn(move || {
                let job = theirs.lock().ok().and_then(|mut job| job.take());
                job.map(Job::run).unwrap_or_default()
            });
        match spawned {
            Ok(handle) => Pending::Formatting(handle),
            Err(_) => {
                let job = slot.lock().ok().and_then(|mut job| job.take());
                let (bibliography, problems) = job.map(Job::run).unwrap_or_default();
                Pending::Done(bibliography, problems)
            }
        }
    }

    /// The formatted bibliography. Its diagnostics go into `diagnostics` at `at`, where
    /// formatting before anything else would have put them.
    pub(crate) fn wait(self, diagnostics: &mut Diagnostics, at: usize) -> Bibliography {
        let (bibliography, problems) = match self {
            Pending::Ready(bibliography) => return bibliography,
            Pending::Done(bibliography, problems) => (bibliography, problems),
            Pending::Formatting(handle) => handle.join().unwrap_or_else(|_| {
                let mut problems = Diagnostics::new();
                problems.push(Diagnostic::error(
                    Code::Bibliography,
                    "formatting the bibliography stopped unexpectedly",
                ));
                (Bibliography::default(), problems)
            }),
        };
        diagnostics.insert_at(at, problems);
        bibliography
    }
}
