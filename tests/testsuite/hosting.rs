//! Any host, any path (issue 12): the built sample served by a real web server (Debian's
//! nginx) under a sub-path, and a `--portable` build read from disk, are each crawled from
//! the home page; every page, stylesheet, script, image and download they link to must be
//! there, and every `#fragment` must name an id on its page.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

use crate::support::Review;

/// What a fetch found: the status and the body.
struct Fetched {
    status: u16,
    body: Vec<u8>,
}

/// What a crawl saw: every URL fetched, by kind, and every problem.
#[derive(Default)]
struct Crawl {
    fetched: BTreeMap<String, &'static str>,
    broken: Vec<String>,
}

impl Crawl {
    fn count(&self, kind: &str) -> usize {
        self.fetched.values().filter(|k| **k == kind).count()
    }
}

/// The links of an HTML page, each with what kind of resource it is.
fn links(html: &Html) -> Vec<(String, &'static str)> {
    let mut found = Vec::new();
    for (selector, attr, kind) in [
        ("a[href]", "href", "page"),
        ("link[rel~='stylesheet'][href]", "href", "style"),
        ("link[rel~='icon'][href]", "href", "image"),
        ("link[rel='alternate'][href]", "href", "download"),
        ("link[rel='canonical'][href]", "href", "page"),
        ("script[src]", "src", "script"),
        ("img[src]", "src", "image"),
        ("source[src]", "src", "image"),
    ] {
        let selector = Selector::parse(selector).expect("selector");
        for e in html.select(&selector) {
            if let Some(value) = e.value().attr(attr) {
                let kind = if kind == "page" && e.value().attr("download").is_some() {
                    "download"
                } else {
                    kind
                };
                found.push((value.to_string(), kind));
            }
        }
    }
    found
}

/// Resolves `link` found on the page at `from` (a path such as `/annual-review/2026/x/`),
/// returning the path and fragment, or `None` for a link that leaves the site.
fn resolve(from: &str, link: &str, origin: &str) -> Option<(String, String)> {
    let link = link
        .strip_prefix(origin)
        .map_or(link.to_string(), |rest| rest.to_string());
    if link.contains("://") || link.starts_with("mailto:") || link.starts_with("data:") {
        return None;
    }
    let (path, fragment) = link.split_once('#').unwrap_or((&link, ""));
    let path = path.split('?').next().unwrap_or("");
    let joined = if path.starts_with('/') {
        path.to_string()
    } else if path.is_empty() {
        from.to_string()
    } else {
        let folder = &from[..from.rfind('/').map_or(0, |i| i + 1)];
        format!("{folder}{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut normal = format!("/{}", parts.join("/"));
    if (joined.ends_with('/') || joined.ends_with("/.")) && normal != "/" {
        normal.push('/');
    }
    Some((normal, fragment.to_string()))
}

/// Crawls from `start`, fetching every internal link once and checking fragments.
fn crawl(start: &str, origin: &str, fetch: &dyn Fn(&str) -> Fetched) -> Crawl {
    let mut crawl = Crawl::default();
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pages: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = VecDeque::from([(start.to_string(), "page", "(start)".to_string())]);
    let mut fragments: Vec<(String, String, String)> = Vec::new();
    while let Some((path, kind, from)) = queue.pop_front() {
        if crawl.fetched.contains_key(&path) {
            continue;
        }
        crawl.fetched.insert(path.clone(), kind);
        let fetched = fetch(&path);
        if fetched.status != 200 {
            crawl
                .broken
                .push(format!("{from} → {path}: status {}", fetched.status));
            continue;
        }
        let is_html = path.ends_with('/') || path.ends_with(".html");
        if !is_html {
            continue;
        }
        let text = String::from_utf8_lossy(&fetched.body).into_owned();
        let html = Html::parse_document(&text);
        let page_ids = html
            .select(&Selector::parse("[id]").expect("selector"))
            .filter_map(|e| e.value().attr("id").map(str::to_string))
            .collect();
        ids.insert(path.clone(), page_ids);
        for (link, link_kind) in links(&html) {
            let Some((target, fragment)) = resolve(&path, &link, origin) else {
                continue;
            };
            if !fragment.is_empty() {
                fragments.push((path.clone(), target.clone(), fragment));
            }
            queue.push_back((target, link_kind, path.clone()));
        }
        pages.insert(path, text);
    }
    for (from, target, fragment) in fragments {
        if let Some(page_ids) = ids.get(&target)
            && !page_ids.contains(&fragment)
        {
            crawl
                .broken
                .push(format!("{from} → {target}#{fragment}: no such id"));
        }
    }
    crawl
}

/// An nginx started for one test, with its own configuration in a temporary folder;
/// stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// nginx's path, or `None` (with the reason printed) when it is not installed. Under
/// `CI=true` a missing nginx fails the test instead.
fn nginx_binary() -> Option<PathBuf> {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        crate::support::cannot_run(
            "nginx is not installed (apt-get install nginx; .ci/run installs it), so the \
             sub-path crawl did not run",
        );
    }
    found
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Nginx {
    /// Serves `site` at `http://127.0.0.1:PORT{mount}` (mount like `/annual-review/2026/`),
    /// with the site's own 404 page.
    fn start(binary: &Path, site: &Path, mount: &str, port: u16) -> Nginx {
        let dir = tempfile::tempdir().expect("temp dir");
        let prefix_buf = dir.path().to_path_buf();
        let prefix = prefix_buf.as_path();
        let temp = |name: &str| prefix.join(name).display().to_string();
        let config = format!(
            r#"daemon off;
worker_processes 1;
pid {pid};
error_log {error_log} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    types {{ application/x-bibtex bib; application/x-research-info-systems ris; }}
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {body};
    proxy_temp_path {proxy};
    fastcgi_temp_path {fastcgi};
    uwsgi_temp_path {uwsgi};
    scgi_temp_path {scgi};
    server {{
        listen 127.0.0.1:{port};
        location {mount} {{
            alias {site}/;
            index index.html;
            error_page 404 {mount}404.html;
        }}
    }}
}}
"#,
            pid = temp("nginx.pid"),
            error_log = temp("error.log"),
            body = temp("body"),
            proxy = temp("proxy"),
            fastcgi = temp("fastcgi"),
            uwsgi = temp("uwsgi"),
            scgi = temp("scgi"),
            site = site.display(),
        );
        let config_path = prefix.join("nginx.conf");
        std::fs::write(&config_path, config).expect("write nginx.conf");
        let child = Command::new(binary)
            .arg("-p")
            .arg(prefix)
            .arg("-e")
            .arg(prefix.join("error.log"))
            .arg("-c")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start nginx");
        let nginx = Nginx {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                std::fs::read_to_string(prefix.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        nginx
    }

    /// `GET path` over HTTP/1.0.
    fn get(&self, path: &str) -> Fetched {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        )
        .expect("send");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("headers end");
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        Fetched {
            status,
            body: response[split + 4..].to_vec(),
        }
    }
}

#[test]
fn the_sample_served_by_nginx_under_a_sub_path_has_no_broken_link() {
    let Some(binary) = nginx_binary() else {
        return;
    };
    let mount = "/annual-review/2026/";
    let port = free_port();
    let origin = format!("http://127.0.0.1:{port}");
    let review = Review::sample();
    // Absolute addresses (canonical links, the sitemap, the feed) name this server, so the
    // crawl follows them too.
    let site = review.build(&["--base-url", &format!("{origin}{mount}")]);
    let nginx = Nginx::start(&binary, &site, mount, port);
    let crawl = crawl(mount, &origin, &|path| nginx.get(path));
    assert_eq!(crawl.broken, Vec::<String>::new(), "broken links");
    // It reached every kind of thing the site has.
    assert!(crawl.count("page") >= 130, "{} pages", crawl.count("page"));
    assert!(crawl.count("style") >= 2);
    assert!(crawl.count("script") >= 2);
    assert!(crawl.count("image") >= 1);
    for download in ["references.bib", "references.ris", "atom.xml"] {
        assert!(
            crawl.fetched.contains_key(&format!("{mount}{download}")),
            "{download} was not reached"
        );
    }
    // The sitemap's and robots.txt's addresses are served too.
    let sitemap =
        String::from_utf8_lossy(&nginx.get(&format!("{mount}sitemap.xml")).body).into_owned();
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .collect();
    assert!(locs.len() >= 130);
    for loc in locs {
        let path = loc
            .strip_prefix(&origin)
            .expect("the sitemap names this server");
        assert_eq!(nginx.get(path).status, 200, "{loc}");
        assert!(
            crawl.fetched.contains_key(path),
            "{loc} is not linked from any page"
        );
    }
    // A missing page gets the site's own 404 page, whose links work at any depth.
    let missing = nginx.get(&format!("{mount}no/such/page/"));
    assert_eq!(missing.status, 404);
    let not_found = Html::parse_document(&String::from_utf8_lossy(&missing.body));
    let mut checked = 0;
    for (link, _) in links(&not_found) {
        if link.starts_with('#') {
            continue;
        }
        if let Some((path, _)) = resolve(&format!("{mount}no/such/page/"), &link, &origin) {
            checked += 1;
            assert_eq!(nginx.get(&path).status, 200, "404 page link {link}");
        }
    }
    assert!(checked >= 8, "the 404 page links to the site ({checked})");
}

#[test]
fn a_portable_build_browses_from_disk_with_no_broken_link() {
    let review = Review::sample();
    let site = review.build(&["--portable", "--no-search"]);
    let root = site.clone();
    let crawl = crawl("/index.html", "file://", &|path| {
        // A folder is not a page when browsing files: links must name index.html.
        let file = root.join(path.trim_start_matches('/'));
        match std::fs::read(&file) {
            Ok(body) if file.is_file() => Fetched { status: 200, body },
            _ => Fetched {
                status: 404,
                body: Vec::new(),
            },
        }
    });
    assert_eq!(crawl.broken, Vec::<String>::new(), "broken links");
    assert!(crawl.count("page") >= 130, "{} pages", crawl.count("page"));
    assert!(
        crawl.fetched.keys().all(|p| !p.ends_with('/')),
        "a link ends in a folder"
    );
    assert!(crawl.fetched.contains_key("/print/index.html"));
    assert!(crawl.fetched.contains_key("/references/index.html"));
}
