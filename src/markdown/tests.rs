//! Tests of Markdown rendering: the HTML each construct gives, links, headings and sanitizing.

use super::*;

fn plain(source: &str) -> Rendered {
    render(source, MarkdownOptions::default(), &|_| Rewrite::Keep)
}

fn sanitized(source: &str) -> Rendered {
    render(
        source,
        MarkdownOptions {
            sanitize_html: true,
        },
        &|_| Rewrite::Keep,
    )
}

fn toc_ids(rendered: &Rendered) -> Vec<&str> {
    rendered.toc.iter().map(|entry| entry.id.as_str()).collect()
}

#[test]
fn heading_ids_are_unique_slugs() {
    let rendered = plain("# Intro\n\n## Intro\n\n# Intro\n\n# Données & Méthodes!\n\n# ¿?\n");
    assert_eq!(
        toc_ids(&rendered),
        ["intro", "intro-1", "intro-2", "donnees-methodes", "section"]
    );
    assert!(rendered.html.contains(r#"<h2 id="intro-1">"#));
    assert!(rendered.html.contains(r#"<h1 id="intro-2">"#));
}

#[test]
fn suffixes_skip_ids_already_taken() {
    let rendered = plain("# Intro 1\n\n# Intro\n\n# Intro\n");
    assert_eq!(toc_ids(&rendered), ["intro-1", "intro", "intro-2"]);
}

#[test]
fn explicit_ids_are_kept_and_reserve_their_name() {
    let rendered = plain("# Intro\n\n# Overview {#intro}\n\n# Intro\n\n# Methods { #how .wide }\n");
    assert_eq!(toc_ids(&rendered), ["intro-1", "intro", "intro-2", "how"]);
    assert_eq!(rendered.toc[1].title, "Overview");
    assert!(rendered.html.contains(r#"<h1 id="how" class="wide">"#));
}

#[test]
fn ids_are_stable() {
    let source = "# A\n\n# A\n\n## B {#a-1}\n\n# A\n";
    assert_eq!(plain(source).toc, plain(source).toc);
    assert_eq!(plain(source).html, plain(source).html);
}

#[test]
fn toc_has_levels_and_plain_titles() {
    let rendered =
        plain("# The *first* part\n\n### Using `cargo` **well**\n\nSetext & <i>co</i>\n---\n");
    let expected = [
        (1, "the-first-part", "The first part"),
        (3, "using-cargo-well", "Using cargo well"),
        (2, "setext-co", "Setext & co"),
    ];
    let actual: Vec<_> = rendered
        .toc
        .iter()
        .map(|e| (e.level, e.id.as_str(), e.title.as_str()))
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn headings_link_to_themselves() {
    let rendered = plain("## Risks & \"benefits\"\n");
    assert!(rendered.html.starts_with(concat!(
        r#"<h2 id="risks-benefits">Risks &amp; “benefits” "#,
        r##"<a class="heading-anchor" href="#risks-benefits" "##,
        r#"aria-label="Link to section: Risks &amp; “benefits”">#</a></h2>"#,
    )));
    assert_eq!(rendered.toc[0].title, "Risks & “benefits”");
}

#[test]
fn anchors_include_headings_and_footnotes() {
    let rendered = plain("# Findings\n\nA claim.[^src]\n\n[^src]: A source.\n\n## Notes\n");
    assert_eq!(*rendered.anchors, ["findings", "src", "notes"]);
    assert!(rendered.html.contains(r##"<a href="#src">1</a>"##));
    assert!(rendered.html.contains(r#"id="src""#));
}

#[test]
fn links_record_destination_and_offset() {
    let source = "Café [one](a.md) and ![pic](p.png \"t\")\n\n\
                  > - see [two][ref] and <https://e.org>\n\n[ref]: b.md\n";
    let rendered = plain(source);
    let found: Vec<_> = rendered
        .links
        .iter()
        .map(|l| (l.dest.as_str(), l.is_image, &source[l.offset..l.offset + 2]))
        .collect();
    assert_eq!(
        found,
        [
            ("a.md", false, "[o"),
            ("p.png", true, "!["),
            ("b.md", false, "[t"),
            ("https://e.org", false, "<h"),
        ]
    );
}

#[test]
fn email_autolinks_are_recorded_as_mailto() {
    let rendered = plain("Write to <team@example.org>.\n");
    assert_eq!(rendered.links[0].dest, "mailto:team@example.org");
    assert!(
        rendered
            .html
            .contains(r#"<a href="mailto:team@example.org">team@example.org</a>"#)
    );
}

#[test]
fn rewrite_replaces_links_and_images() {
    let rewrite = |dest: &str| match dest.strip_suffix(".md") {
        Some(stem) => Rewrite::To(format!("/{stem}/")),
        None => Rewrite::Keep,
    };
    let source = "[Claim](claims/x.md), [web](https://e.org), ![i](fig.md \"F\")\n";
    let rendered = render(source, MarkdownOptions::default(), &rewrite);
    assert!(rendered.html.contains(r#"<a href="/claims/x/">Claim</a>"#));
    assert!(rendered.html.contains(r#"<a href="https://e.org">web</a>"#));
    assert!(
        rendered
            .html
            .contains(r#"<img src="/fig/" alt="i" title="F" />"#)
    );
    // Recorded destinations are the originals.
    assert_eq!(rendered.links[0].dest, "claims/x.md");
}

#[test]
fn dangerous_links_are_dropped_but_text_kept() {
    let source = "[one](javascript:alert(1)) [two](JAVASCRIPT:alert(2)) \
                  [three](< javascript:alert(3)>) [four](java&#9;script:alert(4)) \
                  [five](vbscript:x) [six](data:text/html,x) <javascript:alert(7)>\n";
    let rewrite_calls = std::cell::Cell::new(0);
    let rewrite = |_: &str| {
        rewrite_calls.set(rewrite_calls.get() + 1);
        Rewrite::Keep
    };
    let rendered = render(source, MarkdownOptions::default(), &rewrite);
    assert_eq!(
        &*rendered.html,
        "<p>one two three four five six javascript:alert(7)</p>\n"
    );
    assert_eq!(rendered.links.len(), 7);
    assert_eq!(rendered.links[2].dest, " javascript:alert(3)");
    assert_eq!(rewrite_calls.get(), 0);
}

#[test]
fn dangerous_images_are_dropped_but_alt_kept() {
    let rendered = plain("![a *chart*](data:image/svg+xml,<svg/onload=alert(1)>)\n");
    assert_eq!(&*rendered.html, "<p>a <em>chart</em></p>\n");
    assert!(rendered.links[0].is_image);
}

#[test]
fn dangerous_rewrites_are_dropped() {
    let rendered = render("[x](a.md)\n", MarkdownOptions::default(), &|_| {
        Rewrite::To("javascript:void(0)".to_owned())
    });
    assert_eq!(&*rendered.html, "<p>x</p>\n");
}

#[test]
fn unlinked_destinations_keep_their_text() {
    let rendered = render(
        "[the *draft*](d.md) and ![alt](d.png)\n",
        MarkdownOptions::default(),
        &|_| Rewrite::Unlink,
    );
    assert_eq!(&*rendered.html, "<p>the <em>draft</em> and alt</p>\n");
    assert_eq!(rendered.links.len(), 2);
}

#[test]
fn scheme_check_only_flags_dangerous_schemes() {
    for url in [
        "javascript:x",
        "JavaScript:x",
        "\u{1} \tjavascript:x",
        "java\nscript:x",
        "VBScript:x",
        "data:,x",
    ] {
        assert!(has_dangerous_scheme(url), "{url:?}");
    }
    for url in [
        "https://e.org",
        "mailto:a@b.c",
        "javascript.md",
        "./javascript:x",
        "#frag",
        "",
        "datum:x",
        "javascripts:x",
    ] {
        assert!(!has_dangerous_scheme(url), "{url:?}");
    }
}

#[test]
fn smart_punctuation_is_applied() {
    let rendered = plain("\"Quoted\" -- it's... done --- yes\n");
    assert_eq!(&*rendered.html, "<p>“Quoted” – it’s… done — yes</p>\n");
}

#[test]
fn gfm_extensions_are_rendered() {
    let rendered = plain("| a | b |\n|:--|--:|\n| ~~x~~ | 1 |\n\n- [x] done\n- [ ] todo\n");
    let html = &rendered.html;
    assert!(html.contains(r#"<th style="text-align: left">a</th>"#));
    assert!(html.contains(r#"<td style="text-align: right">1</td>"#));
    assert!(html.contains("<del>x</del>"));
    assert!(html.contains(r#"<input disabled="" type="checkbox" checked=""/>"#));
    assert!(html.contains(r#"<input disabled="" type="checkbox"/>"#));
}

#[test]
fn raw_html_is_kept_by_default() {
    let source = "<div class=\"note\" onclick=\"f()\">Hi <script>go()</script></div>\n";
    assert_eq!(&*plain(source).html, source);
}

#[test]
fn sanitizing_strips_active_content() {
    let source = "<script>alert(1)</script>\n\n<img src=\"x.png\" onerror=\"alert(2)\">\n\n\
                  <iframe src=\"https://e.org\"></iframe><style>p{}</style>\n\n\
                  <a href=\"javascript:alert(3)\">raw</a> <b onmouseover=\"f()\">bold</b>\n";
    let html = sanitized(source).html;
    for bad in [
        "script",
        "alert",
        "onerror",
        "iframe",
        "style",
        "onmouseover",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    assert!(html.contains("<img src=\"x.png\">"));
    assert!(html.contains("<b>bold</b>"));
}

#[test]
fn sanitizing_keeps_what_markdown_produces() {
    let source = "## Risks {#risks}\n\nSee[^1] [a](https://e.org \"T\").\n\n\
                  | a |\n|:-:|\n| b |\n\n- [x] done\n\n```rust\nfn f() {}\n```\n\n\
                  ![alt](p.png \"title\")\n\n[^1]: Note.\n";
    let html = sanitized(source).html;
    for kept in [
        r#"<h2 id="risks">"#,
        r##"<a class="heading-anchor" href="#risks" aria-label="Link to section: Risks">#</a>"##,
        r##"<sup class="footnote-reference"><a href="#1">1</a></sup>"##,
        r#"<div class="footnote-definition" id="1"><sup class="footnote-definition-label">1</sup>"#,
        r#"<a href="https://e.org" title="T">a</a>"#,
        r#"<th style="text-align:center">a</th>"#,
        r#"<input disabled="" type="checkbox" checked="">"#,
        r#"<code class="language-rust">"#,
        r#"<img src="p.png" alt="alt" title="title">"#,
    ] {
        assert!(html.contains(kept), "{kept} not in {html}");
    }
}

#[test]
fn odd_inputs_do_not_panic() {
    let inputs = [
        "",
        "#",
        "# {#}",
        "# {#a #b .c d=e f}",
        "# }{",
        "\0\u{1}\u{7f}",
        "[a](",
        "![",
        "[^x]",
        "[^x]:",
        "<a href=\"",
        "| a |\n|-|\n| b | c | d |",
        "> > > > > > > > > > > > > > > > > > > > > > > > > > > > > > # deep",
    ];
    for input in inputs {
        let (plain, sanitized) = (plain(input), sanitized(input));
        // Sanitizing changes the HTML only; what is recorded points into the input.
        assert_eq!(plain.toc, sanitized.toc, "{input:?}");
        assert_eq!(plain.anchors, sanitized.anchors, "{input:?}");
        assert_eq!(plain.links, sanitized.links, "{input:?}");
        for link in plain.links.iter() {
            let at = input.get(link.offset..).unwrap_or_default();
            assert!(at.starts_with(['[', '!', '<']), "{input:?}: {link:?}");
        }
        for entry in &plain.toc {
            assert!(plain.anchors.contains(&entry.id), "{input:?}: {entry:?}");
        }
    }
    assert_eq!(&*plain("").html, "");
    assert_eq!(toc_ids(&plain("#")), ["section"]);
    let deep = "[".repeat(10_000) + &"]".repeat(10_000) + &"*".repeat(10_000);
    let html = sanitized(&deep).html;
    assert!(
        html.starts_with("<p>[[[") && html.contains("]]]"),
        "text is kept"
    );
}

#[test]
fn large_input_renders() {
    let chunk = "## Section {#s}\n\nSome *text* with a [link](other.md) and a note.[^n]\n\n\
                 | a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] item\n\n```\ncode {#x}\n```\n\n\
                 [^n]: The note.\n\n# Heading\n\n";
    let source = chunk.repeat(5_000_000 / chunk.len() + 1);
    assert!(source.len() > 5_000_000);
    let rendered = plain(&source);
    let sections = source.len() / chunk.len();
    assert_eq!(rendered.toc.len(), 2 * sections);
    assert_eq!(rendered.links.len(), sections);
    assert!(rendered.html.len() > source.len());
    // Every automatic id is distinct.
    let ids: HashSet<_> = rendered
        .toc
        .iter()
        .filter(|e| e.title == "Heading")
        .map(|e| &e.id)
        .collect();
    assert_eq!(ids.len(), sections);
}

#[test]
fn large_input_sanitizes() {
    // Smaller than above: html5ever is slow in unoptimised test builds.
    let source = "Some *text* <b onclick=\"x()\">bold</b> [link](a.md).\n\n".repeat(10_000);
    let html = sanitized(&source).html;
    assert_eq!(html.matches("<b>bold</b>").count(), 10_000);
}
