//! Watching the review's inputs for changes, with native events or by polling.
//!
//! Owns the file-system watcher (notify, debounced with notify-debouncer-full, which also
//! pairs up the two halves of a rename) and which folders it watches: the review root
//! itself, not recursively (for site.toml and for input folders that appear later), and
//! `content/`, `templates/`, `static/`, `themes/` and `editions/` recursively when they exist. It
//! forwards the paths that events name; deciding whether they changed is
//! [`super::fingerprint`]'s job. It never reads a file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, FileIdCache, RecommendedCache, new_debouncer_opt,
};

use super::ServeError;
use super::fingerprint::{TREES, all_inputs};

/// How long a path must be quiet before its events are delivered: long enough to see an
/// editor's write-temp-then-rename save as one change, short enough to feel instant.
const DEBOUNCE: Duration = Duration::from_millis(30);

/// How often `--poll` looks at the files. Each look reads every input file, because the
/// poll watcher's modification times are whole seconds: comparing contents is what catches
/// two saves within one second.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Paths that may have changed (absolute), as one batch.
pub(super) type Changes = Vec<PathBuf>;

/// The two kinds of debounced watcher behind one interface.
trait Watch: Send {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()>;
    fn unwatch(&mut self, path: &Path) -> notify::Result<()>;
}

impl<T: notify::Watcher + Send, C: FileIdCache + Send> Watch for Debouncer<T, C> {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        Debouncer::watch(self, path, mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        Debouncer::unwatch(self, path)
    }
}

/// A running watcher and the input folders it currently watches.
pub(super) struct Watcher {
    inner: Box<dyn Watch>,
    root: PathBuf,
    watched: BTreeSet<PathBuf>,
}

impl Watcher {
    /// Starts watching the review at `root` (absolute); batches of changed paths go to
    /// `changes`.
    pub(super) fn start(
        root: &Path,
        poll: bool,
        changes: Sender<Changes>,
    ) -> Result<Watcher, ServeError> {
        let handler = forwarder(root.to_path_buf(), changes);
        let inner: Box<dyn Watch> = if poll {
            let config = notify::Config::default()
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true);
            Box::new(
                new_debouncer_opt::<_, PollWatcher, _>(
                    DEBOUNCE,
                    None,
                    handler,
                    notify_debouncer_full::NoCache::new(),
                    config,
                )
                .map_err(watch_error)?,
            )
        } else {
            Box::new(
                new_debouncer_opt::<_, RecommendedWatcher, _>(
                    DEBOUNCE,
                    None,
                    handler,
                    RecommendedCache::new(),
                    notify::Config::default(),
                )
                .map_err(watch_error)?,
            )
        };
        let mut watcher = Watcher {
            inner,
            root: root.to_path_buf(),
            watched: BTreeSet::new(),
        };
        watcher
            .inner
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(watch_error)?;
        watcher.reconcile(&[]);
        Ok(watcher)
    }

    /// Watches input folders that have appeared and forgets those that are gone. A folder
    /// named in `changes` itself (deleted and created again, say) is watched afresh.
    pub(super) fn reconcile(&mut self, changes: &[PathBuf]) {
        for tree in TREES {
            let path = self.root.join(tree);
            let exists = path.is_dir();
            let was_watched = self.watched.contains(&path);
            let touched = changes.contains(&path);
            if was_watched && (!exists || touched) {
                let _ = self.inner.unwatch(&path);
                self.watched.remove(&path);
            }
            if exists && !self.watched.contains(&path) {
                match self.inner.watch(&path, RecursiveMode::Recursive) {
                    Ok(()) => {
                        self.watched.insert(path);
                    }
                    Err(err) => eprintln!("warning: cannot watch {}: {err}", path.display()),
                }
            }
        }
    }
}

/// The debouncer's event handler: sends the paths of each batch of events. When the
/// watcher says events were lost, it asks for every input to be looked at again.
fn forwarder(root: PathBuf, changes: Sender<Changes>) -> impl FnMut(DebounceEventResult) + Send {
    move |result: DebounceEventResult| {
        let paths = match result {
            Ok(events) if events.iter().any(|e| e.need_rescan()) => all_inputs(&root),
            Ok(events) => events
                .into_iter()
                .filter(|event| may_change_bytes(&event.kind))
                .flat_map(|event| event.event.paths)
                .collect(),
            Err(errors) => {
                for err in errors {
                    eprintln!("warning: watching for changes: {err}");
                }
                all_inputs(&root)
            }
        };
        if !paths.is_empty() {
            let _ = changes.send(paths);
        }
    }
}

/// Whether an event can mean that a file's bytes (or the set of files) changed. Reading a
/// file is an event too, on some systems; ignoring reads matters, because serve itself
/// reads every input on each build and would otherwise keep waking itself up.
fn may_change_bytes(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

fn watch_error(err: notify::Error) -> ServeError {
    let hint = match err.kind {
        notify::ErrorKind::MaxFilesWatch => {
            " (the system's limit on watched folders is reached; raise it, or use `--poll`)"
        }
        _ => " (if this file system sends no change events, try `--poll`)",
    };
    ServeError::Watch(format!("{err}{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind};

    #[test]
    fn reads_are_not_changes() {
        assert!(!may_change_bytes(&EventKind::Access(AccessKind::Read)));
        assert!(!may_change_bytes(&EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!may_change_bytes(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(may_change_bytes(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(may_change_bytes(&EventKind::Modify(ModifyKind::Any)));
        assert!(may_change_bytes(&EventKind::Create(CreateKind::File)));
    }
}
