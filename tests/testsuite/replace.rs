//! Replacing the previous site: the new one takes its place whole, and the old one, moved
//! aside, is removed by a process of its own (`tessera remove-previous-site`) so that
//! `build` need not wait for it; it is gone soon after, never left behind.

use crate::support::{Review, pages, tessera};

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
    // The removal runs on after `build` exits: give it time.
    let started = std::time::Instant::now();
    while !hidden_entries(&review).is_empty() && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(hidden_entries(&review), Vec::<String>::new());
}

#[test]
fn remove_previous_site_refuses_a_folder_build_did_not_move_aside() {
    let review = Review::fixture("build/basic");
    let site = review.build(&[]);
    for target in [site.clone(), review.path("content")] {
        let run = tessera(
            &["remove-previous-site", &target.to_string_lossy()],
            &review.root,
        );
        assert_eq!(run.code(), Some(1), "{}", run.stderr);
        assert!(
            run.stderr
                .contains("it is not a previous site that tessera moved aside"),
            "{}",
            run.stderr
        );
        assert!(target.is_dir(), "{} is still there", target.display());
    }
}

#[test]
fn leftovers_of_stopped_builds_are_swept_by_the_next_removal() {
    let review = Review::fixture("build/basic");
    let site = review.build(&[]);
    let name = site
        .file_name()
        .expect("output name")
        .to_string_lossy()
        .into_owned();
    // What a killed remover and a killed build leave (no process has pid 4194304 + 1: it
    // is above Linux's largest pid), next to a folder of someone else's that looks alike
    // but is not tessera's.
    let killed_remover = review.path(&format!(".{name}.tessera-old-4194305"));
    let killed_build = review.path(&format!(".{name}.tessera-new-4194305"));
    let not_ours = review.path(&format!(".{name}.tessera-old-notes"));
    for dir in [&killed_remover, &killed_build, &not_ours] {
        std::fs::create_dir_all(dir.join("case-studies/pause")).expect("mkdir");
        std::fs::write(dir.join("case-studies/pause/index.html"), "<p>old</p>").expect("write");
    }
    std::fs::write(killed_remover.join(".tessera-output"), "marker").expect("marker");
    let _ = review.build(&[]);
    let started = std::time::Instant::now();
    while hidden_entries(&review).len() > 1 && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        hidden_entries(&review),
        [format!(".{name}.tessera-old-notes")],
        "only the folder that is not tessera's stays"
    );
}
