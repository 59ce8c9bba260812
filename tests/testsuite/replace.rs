//! Replacing the previous site: the new one takes its place whole, and the old one is gone
//! by the time `tessera build` exits (it is removed off the critical path, not left behind).

use crate::support::{Review, pages};

/// Names in the review folder that start with a dot (staging or old-site folders).
fn hidden_entries(review: &Review) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(&review.root)
        .expect("read review folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn a_build_over_a_previous_one_replaces_it_and_leaves_nothing_beside_it() {
    let review = Review::fixture("build/basic");
    let site = review.build(&[]);
    let first = pages(&site);
    // A page that only the previous build had must not survive the next one.
    std::fs::write(site.join("stale.html"), "<p>old</p>").expect("write");
    review.write(
        "content/about.md",
        "---\ntitle: About this review, again\n---\nChanged.\n",
    );
    let site = review.build(&[]);
    let second = pages(&site);
    assert!(!second.contains_key(std::path::Path::new("stale.html")));
    assert_eq!(
        first.keys().collect::<std::collections::BTreeSet<_>>(),
        second.keys().collect::<std::collections::BTreeSet<_>>()
    );
    assert!(second[std::path::Path::new("about/index.html")].contains("About this review, again"));
    assert_eq!(hidden_entries(&review), Vec::<String>::new());
}
