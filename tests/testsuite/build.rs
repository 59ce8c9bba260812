//! `tessera build`, `init` and `new` on the fixture review in `build/basic/`.

use crate::support::{Review, broken_links, page, snapshot};

const PAGE_KINDS: [&str; 12] = [
    "index.html",
    "case-studies/index.html",
    "case-studies/alpha/index.html",
    "themes/index.html",
    "themes/workforce/index.html",
    "claims/index.html",
    "claims/reduces-care-entry/index.html",
    "contradictions/index.html",
    "map/index.html",
    "stage/scale/index.html",
    "about/index.html",
    "404.html",
];

#[test]
fn builds_every_page_kind_with_no_broken_link() {
    let review = Review::fixture("build/basic");
    let site = review.build(&[]);
    for kind in PAGE_KINDS {
        assert!(site.join(kind).is_file(), "missing {kind}");
    }
    assert!(site.join("static/style.css").is_file());
    assert_eq!(broken_links(&site), Vec::<String>::new());
}

#[test]
fn case_study_links_its_themes_and_theme_links_back() {
    let review = Review::fixture("build/basic");
    let site = review.build(&[]);
    let alpha = page(&site, "case-studies/alpha/index.html");
    assert!(
        alpha.contains("href=\"../../themes/workforce/\""),
        "case study must link its theme"
    );
    assert!(
        alpha.contains("href=\"../../claims/reduces-care-entry/\""),
        "case study must link its claims"
    );
    let theme = page(&site, "themes/workforce/index.html");
    assert!(
        theme.contains("href=\"../../case-studies/alpha/\""),
        "theme must link back to the case study"
    );
}

#[test]
fn markdown_links_between_files_become_relative_page_urls() {
    let review = Review::fixture("build/basic");
    let site = review.build(&[]);
    let home = page(&site, "index.html");
    assert!(home.contains("href=\"./about/\""), "{home}");
    assert!(home.contains("href=\"./case-studies/alpha/#what-it-is\""));
    let alpha = page(&site, "case-studies/alpha/index.html");
    assert!(alpha.contains("href=\"../../case-studies/beta/\""));
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let review = Review::fixture("build/basic");
    let site = review.build(&[]);
    assert!(!site.join("case-studies/gamma-draft").exists());
    assert!(!page(&site, "case-studies/index.html").contains("Gamma draft"));
    let site = review.build(&["--drafts"]);
    assert!(site.join("case-studies/gamma-draft/index.html").is_file());
    assert!(page(&site, "case-studies/index.html").contains("Gamma draft"));
}

#[test]
fn portable_build_links_end_in_index_html() {
    let review = Review::fixture("build/basic");
    let site = review.build(&["--portable"]);
    let alpha = page(&site, "case-studies/alpha/index.html");
    assert!(alpha.contains("href=\"../../themes/workforce/index.html\""));
    assert_eq!(broken_links(&site), Vec::<String>::new());
}

#[test]
fn base_url_is_only_used_for_the_canonical_link() {
    let review = Review::fixture("build/basic");
    let site = review.build(&["--base-url", "https://host.example/sub/"]);
    let alpha = page(&site, "case-studies/alpha/index.html");
    assert!(
        alpha.contains("https://host.example/sub/case-studies/alpha/"),
        "canonical link missing"
    );
    // A citation of the page names its address: that is text to copy, not navigation.
    let without_citation = match alpha.find("<section class=\"cite-box\"") {
        Some(start) => {
            let end = start + alpha[start..].find("</section>").expect("the box closes");
            format!("{}{}", &alpha[..start], &alpha[end..])
        }
        None => alpha.clone(),
    };
    let hrefs = crate::support::attribute_values(&without_citation, "href");
    let absolute: Vec<&&str> = hrefs
        .iter()
        .filter(|h| h.contains("host.example"))
        .collect();
    assert_eq!(
        absolute.len(),
        1,
        "only the canonical link may be absolute: {absolute:?}"
    );
}

#[test]
fn failed_build_leaves_previous_output_unchanged() {
    let review = Review::fixture("build/basic");
    let site = review.build(&[]);
    let before = snapshot(&site);
    review.write(
        "content/case-studies/beta.md",
        "---\ntitle: Beta project\nsummary: Broken.\nstage: [oops\n---\n",
    );
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("content/case-studies/beta.md:4:"),
        "file and line expected:\n{}",
        run.stderr
    );
    assert_eq!(
        snapshot(&site),
        before,
        "the previous site must be untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&review.root)
        .expect("list root")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("tessera-"))
        .collect();
    assert!(leftovers.is_empty(), "no staging folder may be left behind");
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_create() {
    let review = Review::fixture("build/basic");
    review.write("public/precious.txt", "do not delete");
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1));
    assert!(
        run.stderr.contains("not created by tessera"),
        "{}",
        run.stderr
    );
    assert_eq!(review.read("public/precious.txt"), "do not delete");
}

#[test]
fn refuses_to_write_into_content() {
    let review = Review::fixture("build/basic");
    let out = review.path("content/out").to_string_lossy().into_owned();
    let run = review.run(&["build", "--output", &out]);
    assert_eq!(run.code(), Some(1));
    assert!(
        run.stderr.contains("inside the review's `content/` folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn summary_line_counts_pages_and_files_written() {
    let review = Review::fixture("build/basic");
    let run = review.run(&["build"]);
    assert!(run.ok(), "{}", run.stderr);
    let site = review.path("public");
    let written: Vec<_> = walkdir::WalkDir::new(&site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != ".tessera-output")
        .collect();
    let pages = written
        .iter()
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    // 31 for this fixture: a change here means a page kind appeared or went.
    assert_eq!(pages, 31);
    let line = run.stdout.lines().last().unwrap_or_default();
    let expected = format!(
        "Built {pages} pages ({} files) into {} in ",
        written.len(),
        site.display()
    );
    let millis = line
        .strip_prefix(&expected)
        .and_then(|rest| rest.strip_suffix(" ms"))
        .unwrap_or_else(|| panic!("expected `{expected}N ms`, got `{line}`"));
    assert!(millis.parse::<u64>().is_ok(), "{line}");
}

#[test]
fn init_makes_a_review_that_builds_and_checks_clean() {
    let review = Review::empty();
    let dir = review.path("new-review");
    let run = crate::support::tessera(&["init", &dir.to_string_lossy()], &review.root);
    assert!(run.ok(), "{}", run.stderr);
    let check = crate::support::tessera(&["check", "--root", &dir.to_string_lossy()], &review.root);
    assert!(
        check.ok() && check.stdout.contains("No problems found."),
        "{}{}",
        check.stdout,
        check.stderr
    );
    let build = crate::support::tessera(&["build", "--root", &dir.to_string_lossy()], &review.root);
    assert!(build.ok(), "{}", build.stderr);
    let site = dir.join("public");
    assert!(
        site.join("case-studies/example-case-study/index.html")
            .is_file()
    );
    assert_eq!(broken_links(&site), Vec::<String>::new());
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let review = Review::fixture("build/basic");
    let run = crate::support::tessera(&["init", &review.root.to_string_lossy()], &review.root);
    assert_eq!(run.code(), Some(1));
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
}

#[test]
fn new_writes_a_skeleton_and_refuses_to_overwrite() {
    let review = Review::fixture("build/basic");
    let root = review.root.to_string_lossy().into_owned();
    let run = crate::support::tessera(
        &["new", "case-study", "Family Safeguarding", "--root", &root],
        &review.root,
    );
    assert!(run.ok(), "{}", run.stderr);
    let text = review.read("content/case-studies/family-safeguarding.md");
    assert!(
        text.starts_with("---\ntitle: \"Family Safeguarding\"\n"),
        "{text}"
    );
    let check = review.run(&["check"]);
    assert!(
        check.ok(),
        "a fresh skeleton must check clean of errors: {}",
        check.stderr
    );
    let again = crate::support::tessera(
        &["new", "case-study", "Family Safeguarding", "--root", &root],
        &review.root,
    );
    assert_eq!(again.code(), Some(1));
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    for kind in ["theme", "claim"] {
        let run = crate::support::tessera(
            &["new", kind, "Something new", "--root", &root],
            &review.root,
        );
        assert!(run.ok(), "{}", run.stderr);
    }
    assert!(review.path("content/themes/something-new.md").is_file());
    assert!(review.path("content/claims/something-new.md").is_file());
}

#[test]
fn unknown_site_toml_key_is_named_with_its_line() {
    let review = Review::fixture("build/basic");
    let text = review
        .read("site.toml")
        .replace("edition = 2026", "edition = 2026\nbase_ulr = \"x\"");
    review.write("site.toml", &text);
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1));
    assert!(run.stderr.contains("site.toml:6:1"), "{}", run.stderr);
    assert!(
        run.stderr.contains("base_ulr") && run.stderr.contains("did you mean `base_url`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn template_error_names_template_and_line() {
    let review = Review::fixture("build/basic");
    review.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title | nosuchfilter }}\n{% endblock content %}\n",
    );
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // The whole report: the template, line and column, the line itself with a caret under
    // the unknown filter, the count, and that nothing was written.
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("template_error_unknown_filter", run.stderr);
    });
    assert!(!review.path("public").exists());
}

#[test]
fn site_templates_override_the_theme_file_by_file() {
    let review = Review::fixture("build/basic");
    review.write(
        "templates/404.html",
        "<p>Custom not found for {{ site.title }}</p>\n",
    );
    let site = review.build(&[]);
    assert_eq!(
        page(&site, "404.html"),
        "<p>Custom not found for Fixture review</p>\n"
    );
    assert!(
        page(&site, "index.html").contains("Fixture home"),
        "other templates still come from the theme"
    );
}

#[test]
fn a_site_template_calls_its_own_component_through_cached() {
    let review = Review::fixture("build/basic");
    // A component of the site's own, with an implicit argument, called both ways: the
    // cached call must write what the plain call writes.
    review.write(
        "templates/my-components.html",
        "{% component my_row(cs, @root) %}<a href=\"{{ root }}{{ cs.url }}\">{{ cs.title }}</a>{% endcomponent my_row %}\n",
    );
    review.write(
        "templates/case-studies.html",
        "{% for cs in case_studies %}{{ <my_row cs={cs} /> }}|{{ cached(component=\"my_row\", cs=cs) }}\n{% endfor %}",
    );
    let site = review.build(&[]);
    assert_eq!(
        page(&site, "case-studies/index.html"),
        "<a href=\"../case-studies/alpha/\">Alpha project</a>|<a href=\"../case-studies/alpha/\">Alpha project</a>\n\
         <a href=\"../case-studies/beta/\">Beta project</a>|<a href=\"../case-studies/beta/\">Beta project</a>\n"
    );
}

#[test]
fn cached_names_the_template_and_line_of_a_call_to_a_missing_component() {
    let review = Review::fixture("build/basic");
    review.write(
        "templates/case-studies.html",
        "<ul>\n{% for cs in case_studies %}<li>{{ cached(component=\"no_such_card\", cs=cs) }}</li>{% endfor %}\n</ul>\n",
    );
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("cached_missing_component", run.stderr);
    });
    assert!(!review.path("public").exists());
}

#[test]
fn cached_list_of_something_not_a_list_names_the_template_and_line() {
    let review = Review::fixture("build/basic");
    review.write(
        "templates/case-studies.html",
        "<ul>\n{{ cached_list(component=\"case_row\", each=filters[0], as=\"cs\", before=\"<li>\", after=\"</li>\") }}\n</ul>\n",
    );
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!("cached_list_not_a_list", run.stderr);
    });
    assert!(!review.path("public").exists());
}

#[test]
fn template_error_names_the_missing_variable_with_a_snippet() {
    let review = Review::fixture("build/basic");
    review.write(
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ page.nosuch.deeper }}\n{% endblock content %}\n",
    );
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1));
    assert!(
        run.stderr.contains("templates/page.html:3:9"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`nosuch` is not defined"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("3 | {{ page.nosuch.deeper }}"),
        "snippet expected: {}",
        run.stderr
    );
}

#[test]
fn a_facet_may_not_take_a_url_tessera_or_a_page_writes() {
    let review = Review::fixture("build/basic");
    let text = review.read("site.toml")
        + "\n[facets.map]\nlabel = \"Map\"\nvalues = [{ id = \"a\" }]\n\n[facets.about]\nlabel = \"About\"\nvalues = [{ id = \"b\" }]\n";
    review.write("site.toml", &text);
    let run = review.run(&["build"]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("facet `map` would write its pages to `map/`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("facet `about` would write its pages to `about/`, which is the content page"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("site.toml:"), "{}", run.stderr);
}
