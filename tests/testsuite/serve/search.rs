//! Search in `tessera serve`: the index is built in the background after each build is
//! served, its status is at `/__tessera/search`, the bundle is served under `pagefind/`,
//! and queries run against what is served (with Node, as in `search.rs`).

use super::{PATIENCE, Server, append_to, fixture};
use crate::search::{BODY_WORD, query_bundle, urls, with_search_and_body_word};
use crate::support::Review;

/// Words that are only in one case study's body: one from the start, one added while served.
const FIRST_WORD: &str = BODY_WORD;
const LATER_WORD: &str = "quadricycles";

/// The serve fixture with search on and a word only Beta's body has.
fn searchable() -> Review {
    with_search_and_body_word(fixture())
}

/// The index status serve reports, as JSON.
fn status(server: &Server) -> serde_json::Value {
    let reply = server.get("/__tessera/search");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    serde_json::from_slice(&reply.body).expect("status is JSON")
}

/// Waits until serve says the index is ready, and returns how many pages it has.
fn wait_until_indexed(server: &Server) -> u64 {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let status = status(server);
        match status["state"].as_str() {
            Some("ready") => return status["pages"].as_u64().expect("pages"),
            Some("building") if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            _ => panic!(
                "index not ready: {status}; server output:\n{}",
                server.log()
            ),
        }
    }
}

/// The URLs of the pages the served index finds for `term`; `None` when Node cannot run.
fn found(server: &Server, term: &str) -> Option<Vec<String>> {
    let bundle = format!("{}pagefind/", server.url);
    let found = query_bundle(bundle.as_ref(), &serde_json::json!({ "term": term }))?;
    Some(urls(&found).into_iter().map(String::from).collect())
}

#[test]
fn serve_indexes_the_site_after_each_build_and_serves_the_bundle() {
    let server = Server::start(searchable(), &[]);
    let events = server.events();
    // The site is served before its index is ready, and says which it is.
    let first = status(&server);
    assert!(
        ["building", "ready"].contains(&first["state"].as_str().unwrap_or("")),
        "{first}"
    );
    // Pagefind's UI is there from the start, so the search page loads without errors.
    let ui = server.get("/pagefind/pagefind-ui.js");
    assert_eq!(ui.status, 200);
    assert_eq!(
        ui.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(server.get("/pagefind/pagefind-ui.css").status, 200);

    // The search page says while the index is being built (the script shows that notice
    // while the status says "building"), and the script serve adds tells it where to ask.
    let page = server.get("/search/").text();
    assert!(
        page.contains(
            "<p id=\"search-building\" class=\"search-notice\" role=\"status\" hidden>The search index is being built; search starts here when it is ready.</p>"
        ),
        "{page}"
    );
    assert!(
        page.contains("window.tesseraServe = { searchStatus: \"/__tessera/search\" };"),
        "{page}"
    );

    // Home, about, 2 published case studies (the fixture's third is a draft), and the
    // themes and claims the fixture has.
    let pages = wait_until_indexed(&server);
    assert!(pages >= 4, "{pages} pages indexed");
    assert!(
        server
            .log()
            .contains(&format!("Search index ready: {pages} pages in "))
    );
    assert_eq!(server.get("/pagefind/pagefind-entry.json").status, 200);
    let Some(beta) = found(&server, FIRST_WORD) else {
        return;
    };
    assert_eq!(beta, ["/case-studies/beta/"]);
    assert_eq!(
        found(&server, LATER_WORD).expect("node"),
        Vec::<String>::new()
    );

    // An edit is served (the reload is sent) and then indexed: the new word is found in
    // its page, and the index says so only once it has it.
    append_to(
        &server.review,
        "content/case-studies/alpha.md",
        &format!("\nThey met by {LATER_WORD}.\n"),
    );
    server.reloaded(&events);
    assert_eq!(wait_until_indexed(&server), pages);
    assert_eq!(
        found(&server, LATER_WORD).expect("node"),
        ["/case-studies/alpha/"]
    );
    assert_eq!(
        found(&server, FIRST_WORD).expect("node"),
        ["/case-studies/beta/"]
    );
}

#[test]
fn with_search_off_serve_has_no_index() {
    let server = Server::start(fixture(), &[]);
    assert_eq!(status(&server), serde_json::json!({ "state": "off" }));
    assert_eq!(server.get("/pagefind/pagefind-ui.js").status, 404);
    assert_eq!(server.get("/search/").status, 404);
}
