//! `tessera serve`: a local web server for writing a review, which rebuilds on every change.
//!
//! Owns the serve loop and nothing else: it binds the port, watches the review's inputs,
//! recompiles the whole site *in memory* with [`crate::compile`] when an input's bytes
//! change, swaps the new site in only when it is complete, and then tells browsers to
//! reload over server-sent events. A build that fails keeps the last good site served and
//! shows its diagnostics in the terminal and, as an overlay, in the browser.
//!
//! It sits on top of the pipeline and is never called by it: nothing here changes what a
//! build produces. The reload script and the error overlay are added to HTML responses as
//! they are sent, so the site in memory stays byte-for-byte what `tessera build` writes (with
//! `base_url` set to the server's address). It writes nothing to disk.
//!
//! Threads, no async runtime: the main thread waits for Ctrl-C; a few HTTP workers answer
//! requests from the current snapshot; one thread per open event stream (bounded) sends
//! reloads and heartbeats; one thread rebuilds; with search on, two more index each
//! published site in the background (`search.rs`).

mod fingerprint;
mod http;
mod rebuild;
mod reload;
mod search;
mod snapshot;
mod watch;

use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::BuildOptions;
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use fingerprint::Fingerprints;
use rebuild::Rebuilder;
use reload::Hub;
use search::SiteSearch;
use snapshot::State;
use watch::Watcher;

/// The path of the server-sent events stream that tells pages to reload. It is served at
/// the root of the host, whatever `--base-path` says.
pub const EVENTS_PATH: &str = "/__tessera/events";

/// How many ports after the requested one to try when it is taken.
const PORT_ATTEMPTS: u16 = 50;

/// How many threads answer HTTP requests (event streams get their own threads).
const HTTP_WORKERS: usize = 4;

/// What the user asked of `tessera serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The review folder (holding site.toml and content/).
    pub root: PathBuf,
    /// Include drafts.
    pub drafts: bool,
    /// The address to listen on; 127.0.0.1 unless the user says otherwise.
    pub interface: IpAddr,
    /// The port to try first; if it is taken, the next free one is used. 0 lets the
    /// system pick any free port.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    /// The sub-path the site is served under, as a host would (`/` or `/review/`).
    pub base_path: String,
    /// Poll the file system instead of waiting for its change events.
    pub poll: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            root: PathBuf::from("."),
            drafts: false,
            interface: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1111,
            open: false,
            base_path: "/".to_string(),
            poll: false,
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "`{0}` is not a usable base path: use letters, digits, `-`, `_`, `.` and `~` between slashes, e.g. `/review/`"
    )]
    /// `--base-path` is not a safe URL path.
    BasePath(String),
    #[error("cannot listen on {addr}: {source}")]
    /// The address cannot be listened on.
    Bind {
        /// The address tried.
        addr: SocketAddr,
        /// Why it failed.
        source: std::io::Error,
    },
    #[error("ports {first} to {last} on {interface} are all in use; choose another with `--port`")]
    /// Every port tried is taken.
    NoFreePort {
        /// The interface tried.
        interface: IpAddr,
        /// The first port tried.
        first: u16,
        /// The last port tried.
        last: u16,
    },
    #[error("cannot watch the review for changes: {0}")]
    /// The file watcher could not start.
    Watch(String),
    #[error("cannot start the web server: {0}")]
    /// The web server could not start.
    Server(String),
    #[error("cannot handle Ctrl-C: {0}")]
    /// The Ctrl-C handler could not be installed.
    Signal(#[from] ctrlc::Error),
}

/// Runs `tessera serve` until Ctrl-C. Returns `Ok` on a clean stop.
pub fn run(options: &ServeOptions) -> Result<(), ServeError> {
    let base_path = normalize_base_path(&options.base_path)?;
    let root = std::path::absolute(&options.root).unwrap_or_else(|_| options.root.clone());
    let listener = bind(options.interface, options.port)?;
    let local = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: SocketAddr::new(options.interface, options.port),
        source,
    })?;
    let url = site_url(local, &base_path);
    crate::memory::hold_freed_memory_while_serving();

    // The watcher starts before the inputs are fingerprinted, and they are fingerprinted
    // before the first build reads them, so no edit can fall in between unseen.
    let (changes_tx, changes_rx) = mpsc::channel();
    let theme = configured_theme(&root);
    let watcher = Watcher::start(&root, options.poll, changes_tx)?;
    let fingerprints = Fingerprints::scan(&root);
    let state = Arc::new(State::default());
    let hub = Arc::new(Hub::default());
    let build = build_options(&root, &url, options.drafts);
    let search = Arc::new(SiteSearch::default());
    let rebuilder = Rebuilder::new(
        build,
        state.clone(),
        hub.clone(),
        fingerprints,
        theme,
        search.clone(),
    );
    let rebuilder = first_build(rebuilder);

    let (server, workers) = start_http(listener, state, hub.clone(), search, base_path)?;
    let stop = on_ctrl_c()?;
    println!("Serving {} at {url} (press Ctrl-C to stop)", root.display());
    if options.open {
        open_browser(&url);
    }
    std::thread::Builder::new()
        .name("tessera-rebuild".to_string())
        .spawn(move || rebuilder.run(watcher, changes_rx))
        .map_err(|err| ServeError::Server(err.to_string()))?;

    let _ = stop.recv();
    // The rebuild thread may be in the middle of a long compile; it holds nothing that
    // needs flushing, so the process exits without waiting for it.
    shut_down(&server, &hub, workers);
    println!("Stopped.");
    Ok(())
}

/// The build serve runs: `base_url` is the server's own address, so canonical links and
/// the 404 page's links work locally; everything else is what `tessera build` does.
fn build_options(root: &std::path::Path, url: &str, drafts: bool) -> BuildOptions {
    BuildOptions {
        root: root.to_path_buf(),
        output: None,
        base_url: Some(url.to_string()),
        drafts,
        portable: false,
        search: None,
    }
}

/// Starts answering requests on `listener`.
fn start_http(
    listener: TcpListener,
    state: Arc<State>,
    hub: Arc<Hub>,
    search: Arc<SiteSearch>,
    base_path: String,
) -> Result<(Arc<tiny_http::Server>, Vec<JoinHandle<()>>), ServeError> {
    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|err| ServeError::Server(err.to_string()))?;
    let server = Arc::new(server);
    let context = Arc::new(http::Context {
        state,
        hub,
        search,
        base_path,
    });
    let workers = http::spawn_workers(&server, &context, HTTP_WORKERS);
    Ok((server, workers))
}

/// A channel that receives a message when the user presses Ctrl-C.
fn on_ctrl_c() -> Result<mpsc::Receiver<()>, ServeError> {
    let (stop_tx, stop_rx) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })?;
    Ok(stop_rx)
}

/// Builds the site once before serving, printing what it did.
fn first_build(mut rebuilder: Rebuilder) -> Rebuilder {
    let started = Instant::now();
    match rebuilder.build_initial() {
        Some(pages) => println!(
            "Built {pages} pages in {} ms",
            started.elapsed().as_millis()
        ),
        None => println!(
            "The site did not build; fix the errors above and it will be served (every page shows the errors until then)"
        ),
    }
    rebuilder
}

/// Stops the HTTP workers and event streams, waiting a little for them to finish.
fn shut_down(server: &tiny_http::Server, hub: &Hub, workers: Vec<JoinHandle<()>>) {
    hub.close();
    for _ in &workers {
        server.unblock();
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    for worker in workers {
        // A worker stuck writing to a client that stopped reading must not hold up the exit.
        while !worker.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if worker.is_finished() {
            let _ = worker.join();
        }
    }
}

/// `/`, or the path with one leading and one trailing slash; refuses anything that could
/// climb or needs escaping.
fn normalize_base_path(raw: &str) -> Result<String, ServeError> {
    let segments: Vec<&str> = raw.split('/').filter(|s| !s.is_empty()).collect();
    let safe = |s: &&str| {
        *s != "."
            && *s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
    };
    if !segments.iter().all(safe) {
        return Err(ServeError::BasePath(raw.to_string()));
    }
    if segments.is_empty() {
        Ok("/".to_string())
    } else {
        Ok(format!("/{}/", segments.join("/")))
    }
}

/// Binds `interface:port`, or the next free port after it.
fn bind(interface: IpAddr, port: u16) -> Result<TcpListener, ServeError> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_ATTEMPTS - 1)
    };
    for candidate in port..=last {
        let addr = SocketAddr::new(interface, candidate);
        match TcpListener::bind(addr) {
            Ok(listener) => {
                if candidate != port {
                    println!("Port {port} is in use; serving on port {candidate} instead.");
                }
                return Ok(listener);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(source) => return Err(ServeError::Bind { addr, source }),
        }
    }
    Err(ServeError::NoFreePort {
        interface,
        first: port,
        last,
    })
}

/// The address browsers use: an unspecified interface (0.0.0.0, ::) is reached on localhost.
fn site_url(local: SocketAddr, base_path: &str) -> String {
    let host = if local.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), local.port())
    } else {
        local
    };
    format!("http://{host}{base_path}")
}

/// The theme named in site.toml, or the default theme when the file cannot be read yet.
pub(super) fn configured_theme(root: &std::path::Path) -> String {
    let mut ignored = Diagnostics::new();
    SiteConfig::load(root, &mut ignored).map_or_else(
        || crate::render::site_theme::DEFAULT_SITE_THEME.to_string(),
        |config| config.site_theme,
    )
}

/// Opens `url` in the default browser (through the `open` crate, which passes the URL
/// whole, `&` and all, on every platform); a failure is only a note.
fn open_browser(url: &str) {
    if open::that_detached(url).is_err() {
        eprintln!("note: could not open a browser; visit {url}");
    }
}

/// Whether terminal output may use colour.
fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_are_normalized() {
        assert_eq!(normalize_base_path("/").ok().as_deref(), Some("/"));
        assert_eq!(normalize_base_path("").ok().as_deref(), Some("/"));
        assert_eq!(normalize_base_path("sub").ok().as_deref(), Some("/sub/"));
        assert_eq!(normalize_base_path("/a/b//").ok().as_deref(), Some("/a/b/"));
        assert!(normalize_base_path("/../x/").is_err());
        assert!(normalize_base_path("/a b/").is_err());
        assert!(normalize_base_path("/a%2e/").is_err());
    }

    #[test]
    fn unspecified_interface_is_reached_on_localhost() {
        let addr = SocketAddr::from(([0, 0, 0, 0], 4000));
        assert_eq!(site_url(addr, "/sub/"), "http://127.0.0.1:4000/sub/");
        let v6 = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 4000));
        assert_eq!(site_url(v6, "/"), "http://[::1]:4000/");
    }
}
