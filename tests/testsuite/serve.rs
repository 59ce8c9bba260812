//! `tessera serve` on the review in `serve/review/`: the real binary, started on a free
//! port in a temporary copy of the review, driven over plain TCP (a tiny HTTP client and a
//! server-sent-events reader below). Every wait has a deadline, and a guard kills the server
//! even when a test panics, so no test can hang or leak a process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{Review, snapshot, tessera};

/// The longest any single wait may take on a slow, loaded machine; tests finish as soon as
/// what they wait for happens.
const PATIENCE: Duration = Duration::from_secs(30);

/// How long a change that must *not* rebuild is given to do so anyway.
const QUIET: Duration = Duration::from_millis(1500);

/// What serve adds to HTML pages (see `src/serve/reload.rs`).
const INJECTED_START: &str = "<!-- tessera serve -->";
const INJECTED_END: &str = "<!-- /tessera serve -->";

// ---------------------------------------------------------------------------------------------
// The server under test
// ---------------------------------------------------------------------------------------------

/// A running `tessera serve`; killed when dropped.
struct Server {
    child: Child,
    review: Review,
    /// `http://127.0.0.1:PORT/` plus the base path.
    url: String,
    port: u16,
    lines: Receiver<String>,
    log: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `tessera serve --port 0 --root <review> <extra>` and waits until it serves.
    fn start(review: Review, extra: &[&str]) -> Server {
        Server::start_on_port(review, "0", extra)
    }

    /// Starts `tessera serve --port <port> --root <review> <extra>` and waits until it
    /// serves; `port` is then the port it actually serves on.
    fn start_on_port(review: Review, port: &str, extra: &[&str]) -> Server {
        let root = review.root.to_string_lossy().into_owned();
        let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
            .args(["serve", "--root", &root, "--port", port])
            .args(extra)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tessera serve");
        let log = Arc::new(Mutex::new(String::new()));
        let lines = forward_stdout(child.stdout.take().expect("stdout"), log.clone());
        collect_stderr(child.stderr.take().expect("stderr"), log.clone());
        let mut server = Server {
            child,
            review,
            url: String::new(),
            port: 0,
            lines,
            log,
        };
        let serving = server.wait_for_line("Serving ");
        let url = serving
            .split(" at ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("no URL in {serving:?}"))
            .to_string();
        server.port = url
            .trim_start_matches("http://127.0.0.1:")
            .split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {url}"));
        server.url = url;
        server
    }

    /// Waits for a line of the server's stdout that contains `needle`.
    fn wait_for_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no line with {needle:?}; server output:\n{}", self.log()),
            }
        }
    }

    /// Waits until the server's output (stdout or stderr) holds `needle`.
    fn wait_for_in_log(&self, needle: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "no {needle:?} in the server's output:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn get(&self, target: &str) -> Reply {
        request(self.port, "GET", target)
    }

    /// Subscribes to the reload events and waits for the stream's `hello`.
    fn events(&self) -> Events {
        let events = Events::connect(self.port);
        events.expect("hello");
        events
    }

    /// Waits for the next `reload` event, failing the test with the log if none comes.
    fn reloaded(&self, events: &Events) -> u64 {
        match events.next("reload", PATIENCE) {
            Some(data) => data.parse().unwrap_or_else(|_| panic!("bad data {data:?}")),
            None => panic!("no reload event; server output:\n{}", self.log()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- tessera serve output ---\n{}", self.log());
        }
    }
}

fn forward_stdout(stdout: ChildStdout, log: Arc<Mutex<String>>) -> Receiver<String> {
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(mut log) = log.lock() {
                log.push_str(&line);
                log.push('\n');
            }
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

fn collect_stderr(mut stderr: impl Read + Send + 'static, log: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let mut buffer = [0; 4096];
        while let Ok(n @ 1..) = stderr.read(&mut buffer) {
            if let Ok(mut log) = log.lock() {
                log.push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// A tiny HTTP client and an event-stream reader
// ---------------------------------------------------------------------------------------------

/// An HTTP response.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Opens a connection and sends one request with the target exactly as given and this
/// `Connection` header.
fn send(port: u16, method: &str, target: &str, connection: &str) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: {connection}\r\n\r\n"
    )
    .expect("send request");
    stream
}

/// Sends one request with the target exactly as given (no normalisation), and reads the
/// whole response.
fn request(port: u16, method: &str, target: &str) -> Reply {
    let mut stream = send(port, method, target, "close");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    parse_reply(&raw).unwrap_or_else(|| panic!("malformed response to {target}: {raw:?}"))
}

fn parse_reply(raw: &[u8]) -> Option<Reply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Some(Reply {
        status,
        headers,
        body,
    })
}

fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..line_end]).ok()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}

/// The events of one server-sent-events stream, as (event, data) pairs.
struct Events {
    received: Receiver<(String, String)>,
}

impl Events {
    fn connect(port: u16) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect events");
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .expect("timeout");
        write!(
            stream,
            "GET /__tessera/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send events request");
        let (sender, received) = mpsc::channel();
        std::thread::spawn(move || {
            let (mut event, mut data) = (String::new(), String::new());
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(name) = line.strip_prefix("event: ") {
                    event = name.to_string();
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data = value.to_string();
                } else if line.is_empty() && !event.is_empty() {
                    let pair = (std::mem::take(&mut event), std::mem::take(&mut data));
                    if sender.send(pair).is_err() {
                        break;
                    }
                }
            }
        });
        Events { received }
    }

    /// The data of the next event named `name` within `wait`, skipping others.
    fn next(&self, name: &str, wait: Duration) -> Option<String> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.received.recv_timeout(left) {
                Ok((event, data)) if event == name => return Some(data),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    fn expect(&self, name: &str) -> String {
        self.next(name, PATIENCE)
            .unwrap_or_else(|| panic!("no `{name}` event"))
    }
}

// ---------------------------------------------------------------------------------------------
// Editing the review
// ---------------------------------------------------------------------------------------------

fn fixture() -> Review {
    Review::fixture("serve/review")
}

/// Saves as many editors do: write a temporary file beside the target, then rename it over.
fn save_atomically(review: &Review, relative: &str, text: &str) {
    let target = review.path(relative);
    let name = target.file_name().expect("file name").to_string_lossy();
    let temporary = target.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&temporary, text).expect("write temporary file");
    std::fs::rename(&temporary, &target).expect("rename over target");
}

/// Writes a file's own bytes back over it without truncating it first.
fn rewrite_in_place(review: &Review, relative: &str) {
    let path = review.path(relative);
    let bytes = std::fs::read(&path).expect("read");
    let mut file = std::fs::File::options()
        .write(true)
        .open(&path)
        .expect("open for writing");
    file.write_all(&bytes).expect("rewrite");
}

fn append_to(review: &Review, relative: &str, text: &str) {
    save_atomically(review, relative, &(review.read(relative) + text));
}

fn replace_in(review: &Review, relative: &str, from: &str, to: &str) {
    let text = review.read(relative);
    assert!(text.contains(from), "{relative} has no {from:?}");
    save_atomically(review, relative, &text.replacen(from, to, 1));
}

/// The page as `tessera build` would write it: what serve added removed.
fn without_injection(html: &str) -> String {
    match (html.find(INJECTED_START), html.find(INJECTED_END)) {
        (Some(start), Some(end)) => {
            format!("{}{}", &html[..start], &html[end + INJECTED_END.len()..])
        }
        _ => html.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn serves_pages_folders_assets_and_the_404_page() {
    let server = Server::start(fixture(), &[]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.text().contains("Fixture home"));
    assert!(home.text().contains(INJECTED_START), "reload script");

    let alpha = server.get("/case-studies/alpha/");
    assert_eq!(alpha.status, 200);
    assert!(alpha.text().contains("Alpha project"));
    assert_eq!(
        server.get("/case-studies/alpha/index.html").status,
        200,
        "files by name"
    );

    let folder = server.get("/case-studies/alpha?x=1");
    assert_eq!(folder.status, 302);
    assert_eq!(folder.header("location"), Some("/case-studies/alpha/"));

    let css = server.get("/static/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let asset = server.get("/files/note.txt");
    assert_eq!(
        asset.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(asset.text(), "A plain text asset.\n");

    let missing = server.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found"),
        "the site's 404 page"
    );
    assert!(missing.text().contains(INJECTED_START));
    assert_eq!(server.get("/static/").status, 404, "no folder listings");
    assert_eq!(server.get("/case-studies/").status, 200);
    assert_eq!(request(server.port, "POST", "/").status, 405);
}

#[test]
fn paths_outside_the_site_are_refused() {
    let review = fixture();
    review.write("secret.txt", "TOP-SECRET");
    #[cfg(unix)]
    {
        review.write("static/ok.txt", "fine");
        std::os::unix::fs::symlink(review.path("secret.txt"), review.path("static/leak.txt"))
            .expect("symlink");
    }
    let server = Server::start(review, &[]);
    for target in [
        "/../Cargo.toml",
        "/../secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "//etc/passwd",
        "/static/../../site.toml",
        "/static/..%2f..%2fsite.toml",
        "/secret.txt",
        "/site.toml",
        "/content/case-studies/alpha.md",
        "/static/leak.txt",
        "/%5c..%5csecret.txt",
    ] {
        let reply = server.get(target);
        assert!(
            matches!(reply.status, 400 | 404),
            "{target}: status {}",
            reply.status
        );
        let text = reply.text();
        for leaked in [
            "TOP-SECRET",
            "root:",
            "[package]",
            "title = \"Fixture",
            "title: Alpha",
        ] {
            assert!(!text.contains(leaked), "{target} leaked {leaked:?}");
        }
    }
    #[cfg(unix)]
    assert_eq!(server.get("/static/ok.txt").text(), "fine");
}

#[test]
fn an_edited_title_is_served_as_soon_as_the_reload_is_sent() {
    let server = Server::start(fixture(), &[]);
    let events = server.events();
    rename_alpha(&server, &events);
    // Nothing in between: the first request after the event sees the new site.
    let page = server.get("/case-studies/alpha/").text();
    assert!(page.contains("Alpha renamed"), "{page}");
    assert!(!page.contains("Alpha project"));
    assert!(
        server
            .get("/case-studies/")
            .text()
            .contains("Alpha renamed")
    );
    let line = server.wait_for_line("Changed content/case-studies/alpha.md");
    assert!(line.contains("rendered") && line.contains(" ms"), "{line}");
}

#[test]
fn an_edited_body_renders_only_its_own_page() {
    let server = Server::start(fixture(), &[]);
    let events = server.events();
    let before = without_injection(&server.get("/case-studies/").text());
    append_to(
        &server.review,
        "content/case-studies/alpha.md",
        "\nA sentence added while writing.\n",
    );
    server.reloaded(&events);
    assert!(
        server
            .get("/case-studies/alpha/")
            .text()
            .contains("A sentence added while writing.")
    );
    // Lists show cards, which carry no body: the listing is the very same page.
    assert_eq!(
        without_injection(&server.get("/case-studies/").text()),
        before
    );
    let line = server.wait_for_line("Changed content/case-studies/alpha.md");
    // Its own page, and the one-page review that holds every case study's text.
    assert!(line.contains("rendered 2 of "), "{line}");
    assert!(
        line.contains("2 changed: /case-studies/alpha/, /print/"),
        "{line}"
    );
}

/// Retitles the fixture's `alpha` case study ("Alpha project" → "Alpha renamed") and waits
/// for the reload.
fn rename_alpha(server: &Server, events: &Events) {
    replace_in(
        &server.review,
        "content/case-studies/alpha.md",
        "title: Alpha project",
        "title: Alpha renamed",
    );
    server.reloaded(events);
}

/// An edit of a body alone reuses what the last render published (citations, feed,
/// sitemap, references, data files): after a title edit, that must be the retitled one.
#[test]
fn a_body_edit_after_a_title_edit_serves_what_a_build_writes() {
    let server = Server::start(fixture(), &[]);
    let events = server.events();
    rename_alpha(&server, &events);
    append_to(
        &server.review,
        "content/case-studies/beta.md",
        "\nA sentence added after the rename.\n",
    );
    server.reloaded(&events);
    let line = server.wait_for_line("Changed content/case-studies/beta.md");
    assert!(line.contains("rendered 2 of "), "{line}");
    for file in ["/atom.xml", "/data/review.json", "/references/"] {
        let text = server.get(file).text();
        assert!(text.contains("Alpha renamed"), "{file}: {text}");
        assert!(!text.contains("Alpha project"), "{file}: {text}");
    }
    assert_served_equals_build(&server, "a body edit after a title edit");
}

/// Over 250 case studies, `/print/` comes in parts: an edited body renders its own page and
/// the one part that holds it, not every part (nor, with two contested claims, a part whose
/// inputs only seemed to change).
#[test]
fn an_edited_body_in_a_review_printed_in_parts_renders_one_part() {
    let review = fixture();
    for i in 0..260 {
        review.write(
            &format!("content/case-studies/bulk-{i:03}.md"),
            &format!(
                "---\ntitle: Bulk {i:03}\nsummary: One of many.\nstage: test\nthemes: [families]\nfindings:\n  - claim: reduces-care-entry\n    stance: challenges\n    perspective: practitioners\n    certainty: low\n  - claim: improves-practice\n    stance: challenges\n    perspective: practitioners\n    certainty: low\n---\nBody {i}.\n"
            ),
        );
    }
    let server = Server::start(review, &[]);
    assert_eq!(server.get("/print/2/").status, 200, "printed in two parts");
    let events = server.events();
    // Several times: a digest that changed from one build to the next (say, with the order
    // of a set) would show on most of them.
    for step in 0..4 {
        let sentence = format!("A sentence added in step {step}.");
        append_to(
            &server.review,
            "content/case-studies/alpha.md",
            &format!("\n{sentence}\n"),
        );
        server.reloaded(&events);
        assert!(
            server
                .get("/case-studies/alpha/")
                .text()
                .contains(&sentence)
        );
        let line = server.wait_for_line("Changed content/case-studies/alpha.md");
        assert!(line.contains("rendered 2 of "), "{line}");
        assert!(
            line.contains("2 changed: /case-studies/alpha/, /print/"),
            "{line}"
        );
    }
}

#[test]
fn a_broken_build_keeps_the_last_good_site_with_an_overlay_until_fixed() {
    let server = Server::start(fixture(), &[]);
    let events = server.events();
    let good = server.review.read("content/case-studies/alpha.md");
    save_atomically(
        &server.review,
        "content/case-studies/alpha.md",
        &good.replace("title: Alpha project", "title: [Alpha broken"),
    );
    server.reloaded(&events);
    let page = server.get("/case-studies/alpha/");
    assert_eq!(page.status, 200, "the last good page is still served");
    let text = page.text();
    assert!(text.contains("Alpha project"), "old content");
    assert!(text.contains("role=\"alert\""), "overlay");
    assert!(
        text.contains("content/case-studies/alpha.md:2:8"),
        "file:line:column in the overlay"
    );
    assert!(
        server.get("/about/").text().contains("role=\"alert\""),
        "on every page"
    );
    server.wait_for_line("the build failed");
    // On stderr, which another thread reads: it may reach the log after the line above.
    server.wait_for_in_log("content/case-studies/alpha.md:2:8");

    save_atomically(
        &server.review,
        "content/case-studies/alpha.md",
        &good.replace("title: Alpha project", "title: Alpha fixed"),
    );
    server.reloaded(&events);
    let text = server.get("/case-studies/alpha/").text();
    assert!(text.contains("Alpha fixed"));
    assert!(!text.contains("role=\"alert\""), "overlay gone");
}

#[test]
fn a_review_that_never_built_shows_its_errors_until_fixed() {
    let review = fixture();
    let good = review.read("content/case-studies/delta.md");
    review.write("content/case-studies/delta.md", "---\ntitle: [no\n---\n");
    let server = Server::start(review, &[]);
    let waiting = server.get("/");
    assert_eq!(waiting.status, 503);
    assert!(waiting.text().contains("content/case-studies/delta.md:2"));
    let events = server.events();
    save_atomically(&server.review, "content/case-studies/delta.md", &good);
    server.reloaded(&events);
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn a_deleted_case_study_is_gone_from_its_page_and_the_index() {
    let server = Server::start(fixture(), &[]);
    assert_eq!(server.get("/case-studies/delta/").status, 200);
    let events = server.events();
    std::fs::remove_file(server.review.path("content/case-studies/delta.md")).expect("delete");
    server.reloaded(&events);
    assert_eq!(server.get("/case-studies/delta/").status, 404);
    assert!(
        !server
            .get("/case-studies/")
            .text()
            .contains("Delta project")
    );
}

#[test]
fn renames_and_new_folders_are_picked_up() {
    let server = Server::start(fixture(), &[]);
    let events = server.events();
    std::fs::rename(
        server.review.path("content/case-studies/delta.md"),
        server.review.path("content/case-studies/epsilon.md"),
    )
    .expect("rename");
    server.reloaded(&events);
    assert_eq!(server.get("/case-studies/delta/").status, 404);
    assert_eq!(server.get("/case-studies/epsilon/").status, 200);

    // A folder made elsewhere and moved in whole, as `git checkout` or a file manager does.
    let outside = server.review.root.with_file_name("guides");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(
        outside.join("guide.md"),
        "---\ntitle: A new guide\n---\nText.\n",
    )
    .expect("write guide");
    std::fs::rename(&outside, server.review.path("content/guides")).expect("move folder in");
    server.reloaded(&events);
    let guide = server.get("/guides/guide/");
    assert_eq!(guide.status, 200);
    assert!(guide.text().contains("A new guide"));
}

#[test]
fn unchanged_saves_and_editor_files_rebuild_nothing() {
    let server = Server::start(fixture(), &[]);
    let events = server.events();
    let review = &server.review;
    // Same bytes, three ways: in place (never truncated, so never seen half-written),
    // by write-and-rename, and a bare change of modification time.
    rewrite_in_place(review, "content/case-studies/alpha.md");
    let beta = review.read("content/case-studies/beta.md");
    save_atomically(review, "content/case-studies/beta.md", &beta);
    std::fs::File::options()
        .write(true)
        .open(review.path("content/case-studies/delta.md"))
        .and_then(|f| f.set_modified(std::time::SystemTime::now()))
        .expect("touch");
    for temporary in [".alpha.md.swp", "alpha.md~", "#alpha.md#", ".alpha.md.tmp"] {
        review.write(&format!("content/case-studies/{temporary}"), "scratch");
    }
    assert_eq!(events.next("reload", QUIET), None, "nothing changed");
    assert!(!server.log().contains("Changed"), "{}", server.log());
    // The watcher was alive all along: a real change is seen.
    replace_in(
        review,
        "content/case-studies/alpha.md",
        "Alpha project",
        "Alpha edited",
    );
    server.reloaded(&events);
}

#[test]
fn the_served_site_equals_a_full_build_after_random_edits() {
    let seed = fastrand::u64(..);
    let mut rng = fastrand::Rng::with_seed(seed);
    let server = Server::start(fixture(), &[]);
    let events = server.events();
    let review = &server.review;
    // Every step is compared: edits to bodies only take a path of their own (the model is
    // brought up to date rather than built again), and so do the edits after them.
    for step in 0..10 {
        let edit = random_edit(review, &mut rng, step);
        server.reloaded(&events);
        // Should an edit have been seen in two steps, wait for the last one.
        while events.next("reload", Duration::from_millis(300)).is_some() {}
        assert_served_equals_build(&server, &format!("seed {seed}, after {edit}"));
    }
}

/// Makes one random edit that changes the review's bytes and keeps it valid; says what.
fn random_edit(review: &Review, rng: &mut fastrand::Rng, step: usize) -> String {
    let case = ["alpha", "beta", "delta"][rng.usize(..3)];
    let file = format!("content/case-studies/{case}.md");
    match rng.usize(..10) {
        0 => {
            let text = review.read(&file);
            let title = text
                .lines()
                .find(|l| l.starts_with("title: "))
                .expect("title");
            let new = format!("title: {} {step}", &title[7..]);
            save_atomically(review, &file, &text.replacen(title, &new, 1));
            format!("retitled {case}")
        }
        1 => {
            let text = review.read(&file);
            save_atomically(
                review,
                &file,
                &format!("{text}\nA paragraph added in step {step}.\n"),
            );
            format!("appended to {case}")
        }
        2 => {
            let stages = ["develop", "test", "scale"];
            let text = review.read(&file);
            let line = text
                .lines()
                .find(|l| l.starts_with("stage: "))
                .expect("stage");
            let now = stages.iter().position(|s| line.ends_with(s)).unwrap_or(0);
            let new = format!("stage: {}", stages[(now + 1 + rng.usize(..2)) % 3]);
            save_atomically(review, &file, &text.replacen(line, &new, 1));
            format!("moved {case} to another stage")
        }
        3 => {
            let path = format!("content/case-studies/added-{step}.md");
            save_atomically(
                review,
                &path,
                &format!(
                    "---\ntitle: Added {step}\nsummary: Added by a test.\nstage: test\nthemes: [families]\n---\nBody {step}.\n"
                ),
            );
            format!("added {path}")
        }
        4 => {
            let path = "content/themes/workforce.md";
            let text = review.read(path);
            save_atomically(
                review,
                path,
                &format!("{text}More about the theme ({step}).\n"),
            );
            "edited a theme".to_string()
        }
        5 => {
            // A new section with a heading changes the page's contents list too.
            let text = review.read(&file);
            save_atomically(
                review,
                &file,
                &format!("{text}\n## Update {step}\n\nWhat changed in step {step}.\n"),
            );
            format!("added a section to {case}")
        }
        6 => {
            let text = review.read(&file);
            let other = ["alpha", "beta", "delta"][rng.usize(..3)];
            save_atomically(
                review,
                &file,
                &format!("{text}\nSee [the {other} case](./{other}.md) too ({step}).\n"),
            );
            format!("linked {case} to {other}")
        }
        7 => {
            // A finding's locator: the case study cites its source at a new page.
            let text = review.read(&file);
            let locator = format!("    locator: \"p. {step}\"");
            let new = match text.lines().find(|l| l.starts_with("    locator: ")) {
                Some(old) => text.replacen(old, &locator, 1),
                None => {
                    let source = text
                        .lines()
                        .find(|l| l.starts_with("    source: "))
                        .expect("a finding with a source");
                    text.replacen(source, &format!("{source}\n{locator}"), 1)
                }
            };
            save_atomically(review, &file, &new);
            format!("cited {case} at p. {step}")
        }
        8 => {
            let path = "content/references.yaml";
            let text = review.read(path);
            let title = text
                .lines()
                .find(|l| l.starts_with("  title: "))
                .expect("an entry's title");
            save_atomically(
                review,
                path,
                &text.replacen(title, &format!("{title} {step}"), 1),
            );
            "retitled a source".to_string()
        }
        _ => {
            let text = review.read("site.toml");
            let new = text.replacen(
                "title = \"Fixture review",
                &format!("title = \"Fixture review {step}"),
                1,
            );
            save_atomically(review, "site.toml", &new);
            "retitled the site".to_string()
        }
    }
}

/// Every file `tessera build` writes for the current review is served with the same bytes
/// (HTML pages once serve's addition is taken out).
fn assert_served_equals_build(server: &Server, context: &str) {
    let output = server
        .review
        .root
        .with_file_name(format!("built-{}", fastrand::u32(..)));
    let out = output.to_string_lossy().into_owned();
    let root = server.review.root.to_string_lossy().into_owned();
    let run = tessera(
        &[
            "build",
            "--root",
            &root,
            "--output",
            &out,
            "--base-url",
            &server.url,
        ],
        &server.review.root,
    );
    assert!(run.ok(), "build failed ({context}):\n{}", run.stderr);
    let files = snapshot(&output);
    assert!(files.len() > 20, "{context}: only {} files", files.len());
    for (path, built) in files {
        let key = path.to_string_lossy().replace('\\', "/");
        if key == ".tessera-output" {
            continue;
        }
        let reply = server.get(&format!("/{key}"));
        assert_eq!(reply.status, 200, "{context}: /{key}");
        let served = if key.ends_with(".html") {
            without_injection(&reply.text()).into_bytes()
        } else {
            reply.body
        };
        assert!(
            served == built,
            "{context}: /{key} differs from the build\n--- served\n{}\n--- built\n{}",
            String::from_utf8_lossy(&served),
            String::from_utf8_lossy(&built)
        );
    }
}

#[test]
fn build_output_has_no_reload_script() {
    let review = fixture();
    let site = review.build(&[]);
    for (path, bytes) in snapshot(&site) {
        let text = String::from_utf8_lossy(&bytes);
        for marker in [
            "__tessera",
            "EventSource",
            INJECTED_START,
            "tessera-build-error",
        ] {
            assert!(
                !text.contains(marker),
                "{} contains {marker}",
                path.display()
            );
        }
    }
}

#[test]
fn base_path_serves_the_site_under_a_sub_path_only() {
    let server = Server::start(fixture(), &["--base-path", "/sub/"]);
    assert!(server.url.ends_with("/sub/"), "{}", server.url);
    assert!(server.get("/sub/").text().contains("Fixture home"));
    assert_eq!(server.get("/sub/case-studies/alpha/").status, 200);
    assert_eq!(server.get("/sub/static/style.css").status, 200);
    assert_eq!(server.get("/sub").header("location"), Some("/sub/"));
    assert_eq!(server.get("/").status, 404);
    assert_eq!(server.get("/case-studies/alpha/").status, 404);
    assert_eq!(server.get("/static/style.css").status, 404);
    let missing = server.get("/sub/nowhere/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("href=\"/sub/static/style.css\""),
        "the 404 page's links are rooted at the base path"
    );
    server.events();
}

#[test]
fn a_taken_port_is_reported_and_the_next_free_one_used() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let server = Server::start_on_port(fixture(), &port.to_string(), &[]);
    assert_ne!(server.port, port);
    let log = server.log();
    assert!(
        log.starts_with(&format!(
            "Port {port} is in use; serving on port {} instead.\n",
            server.port
        )),
        "{log}"
    );
    // The port it names really serves the site, reloads included.
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home.text().contains("Fixture home"));
    server.events();
    drop(taken);
}

#[test]
fn polling_sees_changes_too() {
    let server = Server::start(fixture(), &["--poll"]);
    let events = server.events();
    replace_in(
        &server.review,
        "content/case-studies/beta.md",
        "Beta project",
        "Beta polled",
    );
    server.reloaded(&events);
    assert!(
        server
            .get("/case-studies/beta/")
            .text()
            .contains("Beta polled")
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let mut server = Server::start(fixture(), &[]);
    let _events = server.events();
    let pid = server.child.id().to_string();
    let sent = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(sent.success());
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    server.wait_for_line("Stopped.");
}

/// A `Compiler` that has built `review` once, and the options it built with.
fn compiled(review: &Review) -> (tessera::BuildOptions, tessera::Compiler) {
    let options = tessera::BuildOptions {
        root: review.root.clone(),
        ..Default::default()
    };
    let mut compiler = tessera::Compiler::new();
    compiler
        .compile(&options)
        .unwrap_or_else(|d| panic!("{}", d.render_human(false)));
    (options, compiler)
}

/// Every file of a compiled site, with its bytes, in the site's order.
fn site_files(site: &tessera::Site) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    site.files
        .iter()
        .map(|f| (f.path.clone(), f.contents.to_vec()))
        .collect()
}

/// A rebuild through `compiler`, told that `changed` changed.
fn rebuild(
    compiler: &mut tessera::Compiler,
    options: &tessera::BuildOptions,
    changed: &[&str],
) -> tessera::Site {
    compiler
        .compile_changed(options, &paths(changed))
        .unwrap_or_else(|d| panic!("{}", d.render_human(false)))
}

/// A compile with nothing reused.
fn fresh(options: &tessera::BuildOptions) -> tessera::Site {
    tessera::compile(options).unwrap_or_else(|d| panic!("{}", d.render_human(false)))
}

/// The text of the page at `path` in the output folder, if the site has it.
fn page_text(site: &tessera::Site, path: &str) -> Option<String> {
    site.files
        .iter()
        .find(|f| f.path == std::path::Path::new(path))
        .map(|f| String::from_utf8_lossy(&f.contents).into_owned())
}

fn paths(relative: &[&str]) -> Vec<std::path::PathBuf> {
    relative.iter().map(std::path::PathBuf::from).collect()
}

/// A rebuild that fails after the model was built (here a template fails on the new data)
/// must leave the rebuilds after it working from the model actually served: a later edit
/// to a body alone must not bring an older model up to date and lose the failed rebuild's
/// changes.
#[test]
fn a_failed_rebuild_leaves_later_edits_on_the_served_model() {
    let review = fixture();
    // A case-study page that fails to render when a title says "renamed".
    let fragile = "{% if \"renamed\" in case_study.title %}{{ missing.field }}{% else %}{{ case_study.title }}{% endif %}";
    review.write("templates/case-study.html", fragile);
    let (options, mut compiler) = compiled(&review);
    replace_in(
        &review,
        "content/case-studies/alpha.md",
        "title: Alpha project",
        "title: Alpha renamed",
    );
    let failed = compiler.compile_changed(&options, &paths(&["content/case-studies/alpha.md"]));
    assert!(failed.is_err(), "the template fails on the new title");

    // The template is mended and another case study's text edited.
    review.write("templates/case-study.html", "{{ case_study.title }}");
    append_to(
        &review,
        "content/case-studies/beta.md",
        "\nOne more line.\n",
    );
    let site = compiler
        .compile_changed(
            &options,
            &paths(&["templates/case-study.html", "content/case-studies/beta.md"]),
        )
        .unwrap_or_else(|d| panic!("{}", d.render_human(false)));
    let fresh = tessera::compile(&options).unwrap_or_else(|d| panic!("{}", d.render_human(false)));
    assert!(
        site_files(&site) == site_files(&fresh),
        "the rebuild differs from a fresh build"
    );
    let alpha = site
        .files
        .iter()
        .find(|f| f.path == std::path::Path::new("case-studies/alpha/index.html"))
        .expect("alpha's page");
    assert_eq!(String::from_utf8_lossy(&alpha.contents), "Alpha renamed");
}

/// A file reached through a link changes when its target does, though the watcher names
/// only the target: a rebuild must still see it.
#[cfg(unix)]
#[test]
fn a_linked_file_follows_its_target_between_rebuilds() {
    let review = fixture();
    std::os::unix::fs::symlink("alpha.md", review.path("content/case-studies/gamma.md"))
        .expect("make a link");
    let (options, mut compiler) = compiled(&review);
    append_to(
        &review,
        "content/case-studies/alpha.md",
        "\nSeen through the link.\n",
    );
    let site = compiler
        .compile_changed(&options, &paths(&["content/case-studies/alpha.md"]))
        .unwrap_or_else(|d| panic!("{}", d.render_human(false)));
    let gamma = site
        .files
        .iter()
        .find(|f| f.path == std::path::Path::new("case-studies/gamma/index.html"))
        .expect("the linked case study's page");
    assert!(String::from_utf8_lossy(&gamma.contents).contains("Seen through the link."));
}

/// A rebuild told which files changed skips walking `content/` when only known files'
/// texts changed; a file that appears or goes, or an asset, must still be seen.
#[test]
fn files_that_appear_or_go_between_rebuilds_are_seen() {
    let review = fixture();
    let (options, mut compiler) = compiled(&review);
    let same_as_fresh = |site: &tessera::Site, step: &str| {
        assert!(
            site_files(site) == site_files(&fresh(&options)),
            "after {step}, the rebuild differs from a fresh build"
        );
    };
    let compile =
        |compiler: &mut tessera::Compiler, changed: &[&str]| rebuild(compiler, &options, changed);

    // A text edit alone: the listing is reused.
    append_to(&review, "content/case-studies/alpha.md", "\nEdited.\n");
    let site = compile(&mut compiler, &["content/case-studies/alpha.md"]);
    same_as_fresh(&site, "an edit");

    // A new case study, copied from another under a new name.
    let copy =
        review
            .read("content/case-studies/beta.md")
            .replacen("title: ", "title: Epsilon, once ", 1);
    review.write("content/case-studies/epsilon.md", &copy);
    let site = compile(&mut compiler, &["content/case-studies/epsilon.md"]);
    assert!(
        page_text(&site, "case-studies/epsilon/index.html").is_some(),
        "the new page"
    );
    same_as_fresh(&site, "a new file");

    // An edit after it, and then the file goes.
    append_to(&review, "content/case-studies/epsilon.md", "\nAgain.\n");
    let site = compile(&mut compiler, &["content/case-studies/epsilon.md"]);
    same_as_fresh(&site, "an edit of the new file");
    std::fs::remove_file(review.path("content/case-studies/epsilon.md")).expect("remove");
    let site = compile(&mut compiler, &["content/case-studies/epsilon.md"]);
    assert!(
        page_text(&site, "case-studies/epsilon/index.html").is_none(),
        "the page is gone"
    );
    same_as_fresh(&site, "a removed file");

    // And comes back: its pages must not be mixed up with those kept from before it went.
    review.write("content/case-studies/epsilon.md", &copy);
    let site = compile(&mut compiler, &["content/case-studies/epsilon.md"]);
    same_as_fresh(&site, "a file that came back");

    // An asset appears.
    review.write("content/case-studies/figure.svg", "<svg/>");
    let site = compile(&mut compiler, &["content/case-studies/figure.svg"]);
    assert!(
        site.copies.iter().any(|c| c.path.ends_with("figure.svg")),
        "the asset is copied"
    );
}

/// After an edit of one file's front matter, the rebuild keeps every other case study as
/// it was resolved last time; a case study is resolved again when anything it shows
/// changed, though its own file did not: the title of the one it was adapted from, the
/// order of the case studies, a source, the configuration.
#[test]
fn case_studies_resolved_last_time_are_kept_only_while_unchanged() {
    let review = fixture();
    let (options, mut compiler) = compiled(&review);
    let mut step = |file: &str, from: &str, to: &str, what: &str| {
        replace_in(&review, file, from, to);
        let site = rebuild(&mut compiler, &options, &[file]);
        assert!(
            site_files(&site) == site_files(&fresh(&options)),
            "after {what}, the rebuild differs from a fresh build"
        );
        site
    };

    // Beta is adapted from alpha, and names it: retitling alpha (which stays first)
    // changes beta's page, not beta's file.
    let site = step(
        "content/case-studies/alpha.md",
        "title: Alpha project",
        "title: Alpha project, renamed",
        "retitling alpha",
    );
    assert!(
        page_text(&site, "case-studies/beta/index.html")
            .expect("beta's page")
            .contains("Alpha project, renamed"),
        "beta names the new title"
    );
    step(
        "content/case-studies/delta.md",
        "stance: mixed",
        "stance: supports",
        "a new stance in delta",
    );
    step(
        "content/case-studies/alpha.md",
        "title: Alpha project, renamed",
        "title: Omega project",
        "retitling alpha to come last",
    );
    step(
        "content/references.yaml",
        "title: Second fictional report",
        "title: Second fictional report, revised",
        "retitling a source",
    );
    step(
        "site.toml",
        "title = \"Fixture review",
        "title = \"Fixture review, renamed",
        "retitling the site",
    );
}

/// Link problems are kept per file between rebuilds: after each edit the diagnostics are
/// a fresh compile's, located where the link now is, and a link to a heading another file
/// loses is found broken.
#[test]
fn link_problems_after_edits_are_a_fresh_compiles() {
    let review = fixture();
    review.write(
        "content/case-studies/gamma.md",
        "---\ntitle: Gamma project\nsummary: Not out yet.\nstage: develop\ndraft: true\n---\nDraft.\n",
    );
    append_to(
        &review,
        "content/case-studies/alpha.md",
        "\nSee [the draft](gamma.md).\n",
    );
    let (options, mut compiler) = compiled(&review);
    let mut step = |file: &str, from: &str, to: &str, what: &str| {
        replace_in(&review, file, from, to);
        let got = rebuild(&mut compiler, &options, &[file])
            .diagnostics
            .render_human(false);
        assert_eq!(
            got,
            fresh(&options).diagnostics.render_human(false),
            "after {what}"
        );
        got
    };
    // Another file's text: alpha's warning is taken from the last check.
    let before = step(
        "content/case-studies/beta.md",
        "Another fictional programme.",
        "Another fictional programme, edited.",
        "an edit of beta",
    );
    assert!(before.contains("draft-referenced"), "{before}");
    // Alpha's front matter grows by a line: the warning moves down with the link.
    let after = step(
        "content/case-studies/alpha.md",
        "summary: A fictional programme.",
        "summary: >-\n  A fictional programme.",
        "a longer front matter in alpha",
    );
    assert_ne!(after, before, "the warning's line moved");

    // A link to a heading in another file: removing the heading there breaks the link,
    // though the linking file did not change.
    append_to(
        &review,
        "content/case-studies/beta.md",
        "\n## Results\n\nWhat it found.\n",
    );
    append_to(
        &review,
        "content/case-studies/alpha.md",
        "\nSee [beta's results](beta.md#results).\n",
    );
    let both = [
        "content/case-studies/alpha.md",
        "content/case-studies/beta.md",
    ];
    rebuild(&mut compiler, &options, &both);
    replace_in(
        &review,
        "content/case-studies/beta.md",
        "## Results",
        "Results:",
    );
    let broken = compiler
        .compile_changed(&options, &paths(&["content/case-studies/beta.md"]))
        .err()
        .expect("the rebuild fails on the broken link");
    let report = broken.render_human(false);
    assert!(
        report.contains("broken-anchor") && report.contains("alpha.md"),
        "{report}"
    );
}

/// Sends one request as a browser does, asking to keep the connection open, and reads the
/// response by its length.
fn keep_alive_request(port: u16, method: &str, target: &str) -> Reply {
    let mut stream = send(port, method, target, "keep-alive");
    let mut raw = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        let n = stream.read(&mut buffer).expect("read response");
        raw.extend_from_slice(&buffer[..n]);
        let reply = parse_reply(&raw);
        let length = reply
            .as_ref()
            .and_then(|r| r.header("content-length")?.parse::<usize>().ok());
        let complete = match (&reply, length) {
            (Some(reply), Some(length)) => method == "HEAD" || reply.body.len() >= length,
            _ => false,
        };
        if complete || n == 0 {
            return reply.unwrap_or_else(|| panic!("malformed response to {target}: {raw:?}"));
        }
    }
}

#[test]
fn every_response_asks_the_browser_to_close_the_connection() {
    // tiny_http gives each open connection a pool thread, and can leave a new connection
    // queued behind idle kept-alive ones: a page's last stylesheet then never came.
    let server = Server::start(fixture(), &[]);
    for (method, target) in [
        ("GET", "/"),
        ("GET", "/static/style.css"),
        ("HEAD", "/case-studies/alpha/"),
        ("GET", "/case-studies/alpha"),
        ("GET", "/no/such/page/"),
    ] {
        let reply = keep_alive_request(server.port, method, target);
        assert_eq!(
            reply.header("connection"),
            Some("close"),
            "{method} {target}"
        );
        if method == "HEAD" {
            assert_eq!(reply.status, 200);
            assert!(reply.body.is_empty(), "HEAD has no body");
        }
    }
}

mod search;
