//! Live reload: the event streams that tell browsers to reload, and what serve adds to
//! HTML pages (the reload script and the build-error overlay).
//!
//! Owns the [`Hub`] of open event streams and the wire format of its events
//! (`event: reload` / `data: <generation>`), and [`inject`], which puts the script (and the
//! overlay, while the build is broken) just before `</body>` of an HTML response. Only
//! `serve` calls this; the compiled site never contains any of it.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::EVENTS_PATH;
use super::search::STATUS_PATH;
use crate::render::escape;

/// How often an idle stream sends a comment line, so a client that went away is noticed
/// (its write fails) and its thread ends.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// The most event streams open at once; more are refused (each holds a thread).
const MAX_STREAMS: usize = 64;

/// Marks what serve adds to a page, so it can be recognised (and removed by tests).
pub(super) const INJECTED_START: &str = "<!-- tessera serve -->";
pub(super) const INJECTED_END: &str = "<!-- /tessera serve -->";

/// The open event streams, each fed by a channel of generation numbers.
#[derive(Default)]
pub(super) struct Hub {
    streams: Mutex<Vec<Sender<u64>>>,
    open: Arc<AtomicUsize>,
    closed: AtomicBool,
}

/// A stream's place in the hub; frees it when the stream's thread ends.
pub(super) struct Subscription {
    pub events: Receiver<u64>,
    open: Arc<AtomicUsize>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Hub {
    /// A new stream, or `None` when the server is stopping or has too many streams open.
    pub(super) fn subscribe(&self) -> Option<Subscription> {
        if self.closed.load(Ordering::SeqCst) {
            return None;
        }
        if self.open.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
            self.open.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let (sender, events) = mpsc::channel();
        self.streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(sender);
        Some(Subscription {
            events,
            open: self.open.clone(),
        })
    }

    /// Tells every open stream to reload to `generation`, forgetting closed ones.
    pub(super) fn reload(&self, generation: u64) {
        self.streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|stream| stream.send(generation).is_ok());
    }

    /// Ends every stream (their threads see the channel close) and refuses new ones.
    pub(super) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.streams
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Writes an event stream to one client until the client goes away or the server stops.
/// The first event, `hello`, carries the current generation, so a page that missed a
/// reload while it was reconnecting catches up.
pub(super) fn stream(mut out: impl Write, subscription: &Subscription, generation: u64) {
    let head = "HTTP/1.1 200 OK\r\n\
        Content-Type: text/event-stream; charset=utf-8\r\n\
        Cache-Control: no-store\r\n\
        X-Content-Type-Options: nosniff\r\n\
        Connection: close\r\n\r\n\
        retry: 1000\n\n";
    if send(&mut out, head).is_err() || send(&mut out, &event("hello", generation)).is_err() {
        return;
    }
    loop {
        let message = match subscription.events.recv_timeout(HEARTBEAT) {
            Ok(mut latest) => {
                // Several rebuilds since the last write: only the newest matters.
                while let Ok(newer) = subscription.events.try_recv() {
                    latest = newer;
                }
                event("reload", latest)
            }
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if send(&mut out, &message).is_err() {
            return;
        }
    }
}

fn event(name: &str, generation: u64) -> String {
    format!("event: {name}\ndata: {generation}\n\n")
}

fn send(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Adds the reload script, and the overlay when `error` is set, just before the last
/// `</body>` of `html` (or at its end when it has none).
pub(super) fn inject(html: &[u8], generation: u64, error: Option<&str>) -> Vec<u8> {
    let mut addition = String::from(INJECTED_START);
    if let Some(error) = error {
        addition.push_str(&overlay(error));
    }
    addition.push_str(&script(generation));
    addition.push_str(INJECTED_END);
    let at = find_body_end(html).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + addition.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(addition.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// A page for when there is no good site yet: just the overlay and the script.
pub(super) fn placeholder(generation: u64, error: Option<&str>) -> Vec<u8> {
    let page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <title>tessera serve: the site did not build</title></head>\
        <body><main><h1>The site did not build yet</h1>\
        <p>Fix the errors shown below (and in the terminal); this page reloads by itself.</p>\
        </main></body></html>";
    inject(page.as_bytes(), generation, error)
}

/// The byte offset of the last `</body>`, in any letter case.
fn find_body_end(html: &[u8]) -> Option<usize> {
    const TAG: &[u8] = b"</body>";
    html.windows(TAG.len())
        .rposition(|w| w.eq_ignore_ascii_case(TAG))
}

/// The script that keeps the page in step with the server: it reloads on a newer
/// generation and restores the scroll position after a reload it caused. It also tells the
/// site's scripts they run under serve: `window.tesseraServe.searchStatus` is where the
/// search page learns whether the index is ready (see `search.rs`).
fn script(generation: u64) -> String {
    format!(
        r#"<script>
(() => {{
  window.tesseraServe = {{ searchStatus: "{STATUS_PATH}" }};
  const generation = "{generation}";
  const key = "tessera-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {{
    sessionStorage.removeItem(key);
    const restore = () => window.scrollTo(0, Number(saved) || 0);
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore, {{ once: true }});
  }}
  if (!window.EventSource) return;
  const events = new EventSource("{EVENTS_PATH}");
  const follow = (event) => {{
    if (event.data === generation) return;
    events.close();
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  }};
  events.addEventListener("hello", follow);
  events.addEventListener("reload", follow);
  window.addEventListener("pagehide", () => events.close());
}})();
</script>"#
    )
}

/// A fixed panel with the build's diagnostics, announced to screen readers.
fn overlay(error: &str) -> String {
    format!(
        r#"<div id="tessera-build-error" role="alert" aria-labelledby="tessera-build-error-title" style="position:fixed;left:1rem;right:1rem;bottom:1rem;max-height:60vh;overflow:auto;z-index:2147483647;box-sizing:border-box;padding:1rem 1.25rem;background:#fff;color:#1b1b1b;border:3px solid #b3261e;border-radius:6px;box-shadow:0 6px 24px rgba(0,0,0,.35);font:15px/1.45 system-ui,sans-serif;text-align:left">
<h2 id="tessera-build-error-title" style="margin:0 0 .5rem;font-size:1.1rem;color:#b3261e">The site did not build: this is the last good version</h2>
<pre style="margin:0 0 .75rem;white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#1b1b1b">{}</pre>
<button type="button" onclick="this.parentNode.hidden=true" style="font:inherit;padding:.3rem .9rem;border:2px solid #1b1b1b;border-radius:4px;background:#fff;color:#1b1b1b;cursor:pointer">Hide until the next change</button>
</div>"#,
        escape(error)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end() {
        let out = inject(b"<html><body><p>x</p></BODY></html>", 3, None);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("<html><body><p>x</p><!-- tessera serve -->"));
        assert!(text.ends_with("<!-- /tessera serve --></BODY></html>"));
        assert!(text.contains("const generation = \"3\""));
        assert!(!text.contains("role=\"alert\""));
    }

    #[test]
    fn overlay_escapes_the_diagnostics() {
        let out = inject(b"<p>no body</p>", 1, Some("bad <script> & `x`"));
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("<p>no body</p><!-- tessera serve -->"));
        assert!(text.contains("role=\"alert\""));
        assert!(text.contains("bad &lt;script&gt; &amp; `x`"));
    }

    #[test]
    fn streams_hello_reloads_and_stops_when_closed() {
        let hub = Hub::default();
        let Some(subscription) = hub.subscribe() else {
            panic!("subscribe");
        };
        hub.reload(2);
        hub.reload(3);
        hub.close();
        let mut out = Vec::new();
        stream(&mut out, &subscription, 1);
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("event: hello\ndata: 1\n\n"), "{text}");
        assert!(text.ends_with("event: reload\ndata: 3\n\n"), "{text}");
        assert!(hub.subscribe().is_none());
    }
}
