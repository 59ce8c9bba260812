//! When the allocator gives freed memory back to the system: the one setting tessera
//! changes in mimalloc (the binary's allocator), and the crate's only `unsafe` code.
//!
//! mimalloc 3 keeps freed memory for a delay (a second by default) before purging it, and
//! memory purged and then needed again costs a page fault per 4 KiB page. Two stages want
//! another delay than the default:
//!
//! - Pagefind's index build ([`PromptPurge`]) frees and allocates gigabytes within seconds,
//!   so its peak is lower when freed memory goes back at once.
//! - `serve` ([`hold_freed_memory_while_serving`]) rebuilds a large review again and again,
//!   each rebuild freeing much of what the next one allocates. Purged between rebuilds, that
//!   memory came back as 56,000 page faults per title edit at 10,000 case studies, 150–200
//!   ms of system time.
//!
//! Both go through one lock, so a guard restores the delay that `serve` set, and `serve`
//! setting its delay while a guard lives only changes what the guard restores.

use std::ffi::c_long;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// How long `serve` keeps freed memory before giving it back: longer than the pause
/// between two saves while writing, so one rebuild's memory is there for the next, and
/// short enough that an idle server returns what it does not hold.
const SERVE_PURGE_DELAY_MS: c_long = 60_000;

/// mimalloc 3's `mi_option_purge_delay`, for which `libmimalloc-sys` 0.1 has no constant:
/// the option just before `mi_option_use_numa_nodes` in `mimalloc.h`.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const _: () = assert!(libmimalloc_sys::mi_option_use_numa_nodes == MI_OPTION_PURGE_DELAY + 1);

/// How many [`PromptPurge`]s are alive, and the delay to restore when the last one goes.
static PROMPT_PURGES: Mutex<(usize, c_long)> = Mutex::new((0, 0));

fn prompt_purges() -> MutexGuard<'static, (usize, c_long)> {
    PROMPT_PURGES.lock().unwrap_or_else(PoisonError::into_inner)
}

// The one place tessera calls C directly: mimalloc's options are plain integers that it
// reads as it goes, so getting and setting one is safe from any thread at any time.
#[allow(unsafe_code)]
fn purge_delay() -> c_long {
    // SAFETY: see above.
    unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
}

#[allow(unsafe_code)]
fn set_purge_delay(delay: c_long) {
    // SAFETY: as in `purge_delay`.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay) };
}

/// Keeps freed memory for [`SERVE_PURGE_DELAY_MS`] from now on, for `serve`.
pub(crate) fn hold_freed_memory_while_serving() {
    let mut purges = prompt_purges();
    if purges.0 == 0 {
        set_purge_delay(SERVE_PURGE_DELAY_MS);
    } else {
        purges.1 = SERVE_PURGE_DELAY_MS;
    }
}

/// While it lives, the allocator gives freed memory back to the system at once, instead
/// of after its delay.
///
/// Pagefind's index build is the peak of a build with search: at 10,000 case studies it
/// frees and allocates gigabytes within a few seconds, and with the delay what it freed is
/// still resident when the next allocations come. Purging at once lowers that peak by about
/// 130 MB (2.14–2.16 GB to 2.02–2.03 GB) at no measurable cost in time. Rendering keeps
/// the delay: purging at once there costs seconds of system time.
///
/// `serve` may start indexing a new site while the last index build is still running, so
/// the first of overlapping guards sets the option and the last one restores it.
pub(crate) struct PromptPurge;

impl PromptPurge {
    pub(crate) fn start() -> PromptPurge {
        let mut purges = prompt_purges();
        if purges.0 == 0 {
            purges.1 = purge_delay();
            set_purge_delay(0);
        }
        purges.0 += 1;
        PromptPurge
    }
}

impl Drop for PromptPurge {
    fn drop(&mut self) {
        let mut purges = prompt_purges();
        purges.0 -= 1;
        if purges.0 == 0 {
            set_purge_delay(purges.1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Overlapping guards (`serve` indexing a new site while the last index build runs)
    /// purge at once while any lives, and the last one puts the delay back; `serve`'s own
    /// delay, set while a guard lives, is the one put back.
    #[test]
    fn the_purge_delay_is_restored_when_the_last_guard_goes() {
        let first = PromptPurge::start();
        let second = PromptPurge::start();
        assert_eq!(purge_delay(), 0);
        drop(first);
        assert_eq!(purge_delay(), 0, "one guard is still alive");
        hold_freed_memory_while_serving();
        assert_eq!(purge_delay(), 0, "a guard is still alive");
        drop(second);
        // Other tests may hold guards of their own; with none alive, the delay is back.
        let purges = prompt_purges();
        if purges.0 == 0 {
            assert_eq!(purge_delay(), SERVE_PURGE_DELAY_MS);
        }
    }
}
