//! HTTP: answering requests from the site in memory.
//!
//! Owns turning a request target into a file of the current [`Snapshot`] (or a redirect,
//! the site's 404 page, or a refusal), content types, and the event-stream endpoint. The
//! request path is percent-decoded once and refused if any segment is `.` or `..` or it
//! holds a backslash or NUL; what remains is only ever a key into the snapshot, so nothing
//! outside the built site can be reached (there is no file-system lookup by URL at all).

use std::io::{Cursor, Read, Write};
use std::sync::Arc;
use std::thread::JoinHandle;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::EVENTS_PATH;
use super::reload::{self, Hub};
use super::search::{STATUS_PATH, SiteSearch};
use super::snapshot::{Resource, Served, Snapshot, State};

/// What every worker needs to answer a request.
pub(super) struct Context {
    pub state: Arc<State>,
    pub hub: Arc<Hub>,
    /// The search index, served under `pagefind/` when the site has no such file.
    pub search: Arc<SiteSearch>,
    /// `/` or `/sub/path/`.
    pub base_path: String,
}

/// Starts `count` threads that answer requests until the server is unblocked at shutdown.
pub(super) fn spawn_workers(
    server: &Arc<tiny_http::Server>,
    context: &Arc<Context>,
    count: usize,
) -> Vec<JoinHandle<()>> {
    (0..count)
        .filter_map(|i| {
            let server = server.clone();
            let context = context.clone();
            std::thread::Builder::new()
                .name(format!("tessera-http-{i}"))
                .spawn(move || {
                    // `recv` fails only when unblocked for shutdown (or the listener died).
                    while let Ok(request) = server.recv() {
                        handle(request, &context);
                    }
                })
                .ok()
        })
        .collect()
}

/// Where a request leads.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    Events,
    /// Whether the search index is ready.
    SearchStatus,
    /// A file of the site, by key.
    File(String),
    /// The same folder with a trailing slash.
    Redirect(String),
    NotFound,
    BadRequest,
}

fn handle(request: Request, context: &Context) {
    let is_get_or_head = matches!(request.method(), Method::Get | Method::Head);
    if !is_get_or_head {
        let response = with_header(
            text_response(405, "Only GET and HEAD are served.\n"),
            "Allow",
            "GET, HEAD",
        );
        respond(request, response);
        return;
    }
    let served = context.state.current();
    let route = match &served.site {
        Some(site) => route(request.url(), &context.base_path, site),
        None => route(request.url(), &context.base_path, &Snapshot::empty()),
    };
    match route {
        Route::Events if *request.method() == Method::Head => {
            let response = with_header(Response::empty(200), "Content-Type", "text/event-stream");
            respond(request, response);
        }
        Route::Events => events(request, context, served.generation),
        Route::SearchStatus => {
            let status = context.search.status().to_json();
            let response = bytes_response(200, status.into_bytes());
            respond(
                request,
                with_common_headers(response, "application/json; charset=utf-8"),
            );
        }
        Route::File(key) => file(request, &served, &key),
        Route::Redirect(location) => {
            let response = Response::empty(StatusCode(302));
            let response = with_header(response, "Location", &location);
            let response = with_header(response, "Cache-Control", "no-store");
            respond(request, response);
        }
        Route::NotFound => match search_file(request.url(), &context.base_path, &context.search) {
            Some((key, bytes)) => {
                let response = shared_bytes_response(bytes);
                respond(request, with_common_headers(response, &content_type(&key)));
            }
            None => not_found(request, &served),
        },
        Route::BadRequest => {
            respond(request, text_response(400, "Bad request.\n"));
        }
    }
}

/// Decides what a request target leads to, given the site.
fn route(target: &str, base_path: &str, site: &Snapshot) -> Route {
    let Some(raw_path) = origin_path(target) else {
        return Route::BadRequest;
    };
    if raw_path == EVENTS_PATH {
        return Route::Events;
    }
    if raw_path == STATUS_PATH {
        return Route::SearchStatus;
    }
    let Some(path) = percent_decode(raw_path) else {
        return Route::BadRequest;
    };
    if path.contains(['\\', '\0']) {
        return Route::BadRequest;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Route::BadRequest;
    }
    let Some(inside) = path.strip_prefix(base_path) else {
        return if format!("{path}/") == base_path {
            Route::Redirect(base_path.to_string())
        } else {
            Route::NotFound
        };
    };
    let key = inside
        .split('/')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    let is_folder = inside.is_empty() || inside.ends_with('/');
    if is_folder {
        let index = if key.is_empty() {
            "index.html".to_string()
        } else {
            format!("{key}/index.html")
        };
        return if site.contains(&index) {
            Route::File(index)
        } else {
            Route::NotFound
        };
    }
    if site.contains(&key) {
        Route::File(key)
    } else if site.contains(&format!("{key}/index.html")) {
        Route::Redirect(format!("{base_path}{}/", percent_encode(&key)))
    } else {
        Route::NotFound
    }
}

/// The path of an origin-form target (`/a/b?q` → `/a/b`); an absolute-form target
/// (`http://host/a/b`) is reduced to its path. Anything else is refused.
fn origin_path(target: &str) -> Option<&str> {
    let target = target.split(['?', '#']).next().unwrap_or("");
    let path = match target.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => target,
    };
    path.starts_with('/').then_some(path)
}

/// Decodes `%XX` escapes; `None` for a malformed escape (a `%` not followed by two hex
/// digits, which `percent-encoding` would keep as text) or text that is not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let malformed = path.match_indices('%').any(|(i, _)| {
        path.as_bytes()
            .get(i + 1..i + 3)
            .is_none_or(|hex| !hex.iter().all(u8::is_ascii_hexdigit))
    });
    if malformed {
        return None;
    }
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// Escapes everything but unreserved characters and `/`, for a `Location` header.
fn percent_encode(path: &str) -> String {
    /// Every byte but the unreserved characters of RFC 3986 and `/`.
    const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(path, ESCAPED).to_string()
}

fn events(request: Request, context: &Context, generation: u64) {
    let Some(subscription) = context.hub.subscribe() else {
        respond(
            request,
            text_response(503, "Too many event streams are open.\n"),
        );
        return;
    };
    let writer = request.into_writer();
    let spawned = std::thread::Builder::new()
        .name("tessera-events".to_string())
        .spawn(move || reload::stream(writer, &subscription, generation));
    if spawned.is_err() {
        eprintln!("warning: could not start a thread for a reload stream");
    }
}

fn file(request: Request, served: &Served, key: &str) {
    let Some(site) = &served.site else {
        return placeholder(request, served);
    };
    let Some(resource) = site.get(key) else {
        return not_found(request, served);
    };
    let content_type = content_type(key);
    let response = match resource {
        Resource::Rendered(bytes) if content_type.starts_with("text/html") => bytes_response(
            200,
            reload::inject(bytes, served.generation, served.error.as_deref()),
        ),
        Resource::Rendered(bytes) => shared_bytes_response(bytes.clone()),
        Resource::Copied(read) => match read() {
            Ok(bytes) => bytes_response(200, bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return not_found(request, served);
            }
            Err(err) => {
                eprintln!("warning: cannot read {key}: {err}");
                text_response(500, "This file cannot be read.\n").boxed()
            }
        },
    };
    respond(request, with_common_headers(response, &content_type));
}

/// A file of the search bundle that `target` names (`<base>pagefind/<name>`), with its
/// key in the site. The name is only ever looked up in the bundle in memory.
fn search_file(target: &str, base_path: &str, search: &SiteSearch) -> Option<(String, Arc<[u8]>)> {
    let name = origin_path(target)?
        .strip_prefix(base_path)?
        .strip_prefix(crate::search::BUNDLE_DIR)?
        .strip_prefix('/')?;
    let bytes = search.file(name)?;
    Some((format!("{}/{name}", crate::search::BUNDLE_DIR), bytes))
}

/// The site's own 404 page (with the reload script), else a plain message.
fn not_found(request: Request, served: &Served) {
    let Some(site) = &served.site else {
        return placeholder(request, served);
    };
    let response = match site.get("404.html") {
        Some(Resource::Rendered(bytes)) => with_common_headers(
            bytes_response(
                404,
                reload::inject(bytes, served.generation, served.error.as_deref()),
            ),
            "text/html; charset=utf-8",
        ),
        _ => text_response(404, "Not found.\n").boxed(),
    };
    respond(request, response);
}

/// Before the first good build every request gets the error overlay.
fn placeholder(request: Request, served: &Served) {
    let page = reload::placeholder(served.generation, served.error.as_deref());
    let response = with_common_headers(bytes_response(503, page), "text/html; charset=utf-8");
    respond(request, response);
}

/// Sends `response`, asking the browser to close the connection after it. tiny_http gives
/// every open connection a thread from a pool that can leave a new connection queued
/// behind the idle ones a browser keeps alive: a page's last request then waited until
/// the browser let one go (often, on the first page a browser opened). A connection per
/// request costs nothing that matters on the same machine.
fn respond<R: Read>(request: Request, response: Response<R>) {
    let head_only = *request.method() == Method::Head;
    let mut bytes = Vec::new();
    let printed = response.raw_print(
        &mut bytes,
        request.http_version().clone(),
        request.headers(),
        head_only,
        None,
    );
    if printed.is_err() {
        return;
    }
    let mut writer = request.into_writer();
    // Browsers close a connection whose response says so; the header goes after the
    // status line (tiny_http does not let a response set it).
    let status_line = bytes
        .windows(2)
        .position(|w| w == b"\r\n")
        .map_or(0, |i| i + 2);
    let _ = writer
        .write_all(&bytes[..status_line])
        .and_then(|()| writer.write_all(b"Connection: close\r\n"))
        .and_then(|()| writer.write_all(&bytes[status_line..]))
        .and_then(|()| writer.flush());
}

fn bytes_response(status: u16, bytes: Vec<u8>) -> tiny_http::ResponseBox {
    let length = bytes.len();
    Response::new(
        StatusCode(status),
        Vec::new(),
        Cursor::new(bytes),
        Some(length),
        None,
    )
    .boxed()
}

/// A 200 response with bytes shared with the site in memory (not copied).
fn shared_bytes_response(bytes: Arc<[u8]>) -> tiny_http::ResponseBox {
    let length = bytes.len();
    Response::new(
        StatusCode(200),
        Vec::new(),
        Cursor::new(bytes),
        Some(length),
        None,
    )
    .boxed()
}

fn text_response(status: u16, text: &str) -> Response<Cursor<Vec<u8>>> {
    let response = Response::from_string(text).with_status_code(status);
    let response = with_header(response, "Content-Type", "text/plain; charset=utf-8");
    with_header(response, "Cache-Control", "no-store")
}

fn with_common_headers(
    response: tiny_http::ResponseBox,
    content_type: &str,
) -> tiny_http::ResponseBox {
    let response = with_header(response, "Content-Type", content_type);
    let response = with_header(response, "Cache-Control", "no-store");
    with_header(response, "X-Content-Type-Options", "nosniff")
}

/// Adds a header; one that is not valid ASCII is left out rather than panicking (every
/// value here is ours or percent-encoded, so that does not happen).
fn with_header<R: Read>(response: Response<R>, name: &str, value: &str) -> Response<R> {
    match Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(header) => response.with_header(header),
        Err(()) => response,
    }
}

/// The content type for a file, by extension (`mime_guess`), with a UTF-8 charset on text
/// (tessera writes UTF-8).
fn content_type(key: &str) -> String {
    let path = std::path::Path::new(key);
    // BibTeX, which tessera may publish, is text a browser should show; mime_guess does
    // not know it.
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("bib"))
    {
        return "application/x-bibtex; charset=utf-8".to_string();
    }
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    if mime.type_() == mime_guess::mime::TEXT || mime.subtype() == "javascript" {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Snapshot {
        Snapshot::with_keys(&[
            "index.html",
            "404.html",
            "case-studies/alpha/index.html",
            "static/style.css",
        ])
    }

    #[test]
    fn folders_serve_their_index_and_redirect_without_a_slash() {
        let site = site();
        assert_eq!(
            route("/", "/", &site),
            Route::File("index.html".to_string())
        );
        assert_eq!(
            route("/case-studies/alpha/?x=1", "/", &site),
            Route::File("case-studies/alpha/index.html".to_string())
        );
        assert_eq!(
            route("/case-studies/alpha", "/", &site),
            Route::Redirect("/case-studies/alpha/".to_string())
        );
        assert_eq!(route("/static/", "/", &site), Route::NotFound);
        assert_eq!(route(EVENTS_PATH, "/sub/", &site), Route::Events);
    }

    #[test]
    fn traversal_is_refused() {
        let site = site();
        for target in [
            "/../Cargo.toml",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/static/../../site.toml",
            "/static/%2E%2E/x",
            "/a%5c..%5cb",
            "/%00",
            "/%zz",
            "*",
        ] {
            assert_eq!(route(target, "/", &site), Route::BadRequest, "{target}");
        }
        assert_eq!(route("//etc/passwd", "/", &site), Route::NotFound);
        assert_eq!(
            route("http://evil/static/style.css", "/", &site),
            Route::File("static/style.css".to_string())
        );
    }

    #[test]
    fn base_path_scopes_the_site() {
        let site = site();
        assert_eq!(
            route("/sub/", "/sub/", &site),
            Route::File("index.html".to_string())
        );
        assert_eq!(
            route("/sub", "/sub/", &site),
            Route::Redirect("/sub/".to_string())
        );
        assert_eq!(route("/", "/sub/", &site), Route::NotFound);
        assert_eq!(route("/static/style.css", "/sub/", &site), Route::NotFound);
        assert_eq!(
            route("/sub/case-studies/alpha", "/sub/", &site),
            Route::Redirect("/sub/case-studies/alpha/".to_string())
        );
    }

    #[test]
    fn content_types_follow_extensions() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("static/style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("static/x.SVG"), "image/svg+xml");
        assert_eq!(content_type("noext"), "application/octet-stream");
        assert_eq!(
            content_type("pagefind/pagefind.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("refs.bib"),
            "application/x-bibtex; charset=utf-8"
        );
    }
}
