//! Fuzzes one content file through everything `tessera check` does to it alone: splitting
//! front matter from body, parsing the YAML into the schema of its kind, rendering the
//! diagnostics (snippets and JSON), and rendering the Markdown body.
//!
//! The first input byte picks the file's kind (its path) and whether HTML is sanitized; the
//! rest is the file. Beyond "never panics, never hangs", it checks the invariants the rest
//! of the pipeline relies on: every diagnostic points inside its file, the body offset
//! really is where the body starts, link offsets lie inside the body, and sanitized HTML
//! carries no script element, event handler or `javascript:` URL.

#![no_main]

use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use tessera::content::{frontmatter, parse_one};
use tessera::diagnostics::{Diagnostics, render_json};
use tessera::markdown::{MarkdownOptions, Rewrite, render};

const PATHS: [&str; 5] = [
    "case-studies/x.md",
    "themes/x.md",
    "claims/x.md",
    "_index.md",
    "about.md",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let path = Path::new(PATHS[usize::from(selector) % PATHS.len()]);
    let sanitize_html = selector & 0x80 != 0;
    // Invalid UTF-8 is rejected before parsing (the `not-utf8` diagnostic); the lossy text
    // still exercises the parsers with U+FFFD in odd places.
    let text = String::from_utf8_lossy(rest);

    if let Err(problems) = parse_one(path, &text) {
        let display = Path::new("content").join(path);
        let mut all = Diagnostics::new();
        all.add_source(display.clone(), Arc::from(&*text));
        for d in problems {
            assert_eq!(d.file.as_deref(), Some(display.as_path()));
            if let Some(l) = &d.location {
                assert!(l.line >= 1 && l.column >= 1, "{d:?}");
                assert!(
                    l.span.start <= l.span.end && l.span.end <= text.len(),
                    "{d:?}"
                );
                assert!(text.is_char_boundary(l.span.start) && text.is_char_boundary(l.span.end));
            }
            all.push(d);
        }
        let human = all.render_human(false);
        assert!(human.contains("error"));
        for line in render_json(&all).lines() {
            assert!(line.starts_with('{') && line.ends_with('}'));
        }
    }

    if let Ok(split) = frontmatter::split(&text) {
        assert_eq!(&text[split.body_offset..], split.body);
        // Exercise all three answers a real link map gives.
        let rewrite = |dest: &str| match dest.len() % 3 {
            0 => Rewrite::Keep,
            1 => Rewrite::To(format!("../{dest}")),
            _ => Rewrite::Unlink,
        };
        let rendered = render(split.body, MarkdownOptions { sanitize_html }, &rewrite);
        for link in &rendered.links {
            assert!(link.offset <= split.body.len(), "{link:?}");
        }
        if sanitize_html {
            assert_sanitized(&rendered.html);
        }
    }
});

/// No script element, event handler or script URL in any tag. (Text may say "onclick=" or
/// "javascript:"; ammonia escapes a text `<`, so every `<` left in its output opens a tag.)
fn assert_sanitized(html: &str) {
    for tag in html.split('<').skip(1) {
        let tag = tag
            .split('>')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(
            !tag.starts_with("script") && !tag.starts_with("iframe"),
            "<{tag}> in {html}"
        );
        // Odd pieces are quoted attribute values; even pieces hold the names.
        let pieces: Vec<&str> = tag.split('"').collect();
        for (i, piece) in pieces.iter().enumerate() {
            if i % 2 == 0 {
                // The first word of the first piece is the element's name.
                let skip = usize::from(i == 0);
                let handler = piece
                    .split_whitespace()
                    .skip(skip)
                    .any(|a| a.starts_with("on"));
                assert!(!handler, "event handler in <{tag}> in {html}");
            } else if pieces[i - 1].ends_with("href=") || pieces[i - 1].ends_with("src=") {
                let url = piece.trim_start();
                assert!(!url.starts_with("javascript:"), "<{tag}> in {html}");
            }
        }
    }
}
