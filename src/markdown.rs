//! Markdown rendering: turns one Markdown body into HTML, plus the headings (for a table of
//! contents), the ids links can target, and every link and image destination it contains.
//!
//! This module knows nothing about files, pages or the site. Resolving a link (say, from
//! `../claims/x.md` to `/claims/x/`) is the caller's job: it passes a closure that is asked
//! about every destination and may replace it. Diagnostics are the caller's job too: each
//! recorded [`Link`] carries the byte offset of its Markdown in the source.
//!
//! Rendering is a single pass over pulldown-cmark's events: links and images are recorded,
//! rewritten or defused as they go by, and only one heading's events at a time are held back
//! (its id depends on its whole text). Pages that may contain explicit `{#id}`s are parsed
//! into a list first, so those ids can be reserved before any automatic id is handed out.
//! The HTML itself is written by `pulldown_cmark::html`, so footnote numbering and table
//! alignment stay pulldown-cmark's.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::sync::{Arc, LazyLock};

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};

/// Options from site.toml's [build] table that affect Markdown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarkdownOptions {
    /// Clean the rendered HTML with ammonia (drops scripts, event handlers, iframes, styles,
    /// dangerous URLs). Off by default: authors are trusted and raw HTML is kept as written.
    pub sanitize_html: bool,
}

/// One heading, for a table of contents.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct TocEntry {
    /// 1 to 6.
    pub level: u8,
    /// The heading's `id` attribute, unescaped.
    pub id: String,
    /// The heading's plain text: inline markup stripped, not HTML-escaped.
    pub title: String,
}

/// A link or image destination found in the body, before rewriting, with the byte offset in
/// `source` where the link's Markdown starts (so the caller can report file:line:column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination as the author wrote it (entities and escapes decoded; reference links
    /// resolved to their definition's URL; email autolinks prefixed with `mailto:`).
    pub dest: String,
    /// Byte offset of the `[` of a link, the `!` of an image, or the `<` of an autolink.
    pub offset: usize,
    /// Whether it is an image (`![alt](src)`) rather than a link.
    pub is_image: bool,
}

/// The result of rendering one Markdown body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Shared, because `serve` keeps rendered bodies from one build to the next (so are
    /// the anchors and links, which every rebuild reads again).
    pub html: Arc<str>,
    /// The page's headings, for a table of contents.
    pub toc: Vec<TocEntry>,
    /// Every id a link can target on this page: heading ids and footnote definition ids.
    pub anchors: Arc<[String]>,
    /// Every link and image in the body, for checking and rewriting.
    pub links: Arc<[Link]>,
}

/// What [`render`] writes for one link or image destination, as the caller decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rewrite {
    /// Emit the destination as written.
    Keep,
    /// Emit this href (or src) instead.
    To(String),
    /// Emit no link or image at all, only its text or alt text: for targets that exist but
    /// are left out of this build (drafts), so the page carries no broken href.
    Unlink,
}

/// Renders `source` to HTML.
///
/// `rewrite` is called for every link and image destination and decides what is emitted.
/// It is not called for destinations with a dangerous scheme (`javascript:`, `vbscript:`,
/// `data:`): those are recorded in [`Rendered::links`] but never emitted.
pub fn render(
    source: &str,
    options: MarkdownOptions,
    rewrite: &dyn Fn(&str) -> Rewrite,
) -> Rendered {
    let mut html = String::with_capacity(source.len() * 3 / 2);
    let mut state = State::new(rewrite);
    let events = Parser::new_ext(source, parser_options()).into_offset_iter();

    // An explicit `{#id}` must win over an automatic id even when the automatic one comes
    // first in the page, so explicit ids have to be known up front. Attribute blocks need a
    // `{`, so pages without one (most of them) skip the buffering and stream straight through.
    if source.contains('{') {
        let events: Vec<_> = events.collect();
        state.ids.reserve_explicit(&events);
        html::push_html(&mut html, Transform::new(events.into_iter(), &mut state));
    } else {
        html::push_html(&mut html, Transform::new(events, &mut state));
    }

    if options.sanitize_html {
        html = SANITIZER.clean(&html).to_string();
    }
    Rendered {
        html: Arc::from(html),
        toc: state.toc,
        anchors: state.anchors.into(),
        links: state.links.into(),
    }
}

/// The Markdown extensions every page gets.
fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// What rendering one page collects, plus what it needs to remember between events.
struct State<'r> {
    rewrite: &'r dyn Fn(&str) -> Rewrite,
    ids: HeadingIds,
    toc: Vec<TocEntry>,
    anchors: Vec<String>,
    links: Vec<Link>,
    /// One entry per open link: whether its start tag was emitted, so the matching end tag
    /// is emitted or dropped alike. Links never nest, but keeping a stack costs nothing.
    open_links: Vec<bool>,
    /// Same for images, which can nest (an image inside another image's alt text).
    open_images: Vec<bool>,
}

impl<'r> State<'r> {
    fn new(rewrite: &'r dyn Fn(&str) -> Rewrite) -> Self {
        State {
            rewrite,
            ids: HeadingIds::default(),
            toc: Vec::new(),
            anchors: Vec::new(),
            links: Vec::new(),
            open_links: Vec::new(),
            open_images: Vec::new(),
        }
    }

    /// Handles every event except heading boundaries. `None` drops the event.
    fn inline<'a>(&mut self, event: Event<'a>, range: Range<usize>) -> Option<Event<'a>> {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let (link_type, dest_url) = email_as_mailto(link_type, dest_url);
                let href = self.destination(dest_url, range.start, false);
                self.open_links.push(href.is_some());
                href.map(|dest_url| {
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let src = self.destination(dest_url, range.start, true);
                self.open_images.push(src.is_some());
                src.map(|dest_url| {
                    Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                })
            }
            Event::End(TagEnd::Link) => emit_if(self.open_links.pop(), event),
            Event::End(TagEnd::Image) => emit_if(self.open_images.pop(), event),
            Event::Start(Tag::FootnoteDefinition(ref name)) => {
                self.anchors.push(name.to_string());
                Some(event)
            }
            other => Some(other),
        }
    }

    /// Records a link or image destination and decides what to emit instead: `None` when
    /// the link must not be emitted (its text or alt text is then rendered as plain inline
    /// content), otherwise the possibly rewritten destination.
    fn destination<'a>(
        &mut self,
        dest: CowStr<'a>,
        offset: usize,
        is_image: bool,
    ) -> Option<CowStr<'a>> {
        self.links.push(Link {
            dest: dest.to_string(),
            offset,
            is_image,
        });
        if has_dangerous_scheme(&dest) {
            return None;
        }
        match (self.rewrite)(&dest) {
            Rewrite::Keep => Some(dest),
            Rewrite::Unlink => None,
            // The rewriter is trusted code, but checking its output too is cheap insurance.
            Rewrite::To(href) if has_dangerous_scheme(&href) => None,
            Rewrite::To(href) => Some(href.into()),
        }
    }
}

/// Emits an end tag only if its start tag was emitted. A missing entry cannot happen with
/// pulldown-cmark's balanced events; emitting then keeps the output as pulldown-cmark made it.
fn emit_if(start_was_emitted: Option<bool>, event: Event<'_>) -> Option<Event<'_>> {
    start_was_emitted.unwrap_or(true).then_some(event)
}

/// pulldown-cmark stores an email autolink's address without `mailto:` and adds it only when
/// writing HTML, after any rewrite. Making it an ordinary autolink with the full `mailto:`
/// URL lets the caller see (and rewrite) the href that actually ends up in the page.
fn email_as_mailto(link_type: LinkType, dest: CowStr<'_>) -> (LinkType, CowStr<'_>) {
    if link_type == LinkType::Email {
        (LinkType::Autolink, format!("mailto:{dest}").into())
    } else {
        (link_type, dest)
    }
}

/// Whether a URL would run code (or smuggle a document) when followed: `javascript:`,
/// `vbscript:` or `data:`, in any case.
///
/// Browsers strip leading spaces and C0 control characters and ignore tabs and newlines
/// anywhere in a URL, so `" java\tscript:"` is still `javascript:`; this does the same.
fn has_dangerous_scheme(url: &str) -> bool {
    const LONGEST: usize = "javascript".len();
    let mut scheme = [0u8; LONGEST];
    let mut len = 0;
    for byte in url.bytes().skip_while(|b| *b <= b' ') {
        match byte {
            b'\t' | b'\n' | b'\r' => {}
            b':' => {
                return matches!(&scheme[..len], b"javascript" | b"vbscript" | b"data");
            }
            b if b.is_ascii_alphabetic() && len < LONGEST => {
                scheme[len] = b.to_ascii_lowercase();
                len += 1;
            }
            // A character no dangerous scheme has (or a scheme longer than any of them):
            // a path, a fragment, or some other scheme.
            _ => return false,
        }
    }
    false
}

/// Hands out heading ids, unique within one page.
#[derive(Default)]
struct HeadingIds {
    used: HashSet<String>,
    /// The next suffix to try per base slug, so a page with many identical headings does
    /// not probe `-1`, `-2`, ... from the start each time.
    next_suffix: HashMap<String, usize>,
}

impl HeadingIds {
    /// Reserves every explicit `{#id}` on the page before any automatic id is handed out.
    fn reserve_explicit(&mut self, events: &[(Event<'_>, Range<usize>)]) {
        for (event, _) in events {
            if let Event::Start(Tag::Heading { id: Some(id), .. }) = event {
                self.used.insert(id.to_string());
            }
        }
    }

    /// An explicit id is kept as written, even if another heading already uses it: the
    /// author asked for it, and links elsewhere may depend on it.
    fn explicit(&mut self, id: &str) -> String {
        self.used.insert(id.to_owned());
        id.to_owned()
    }

    /// The slug of `title`, made unique with `-1`, `-2`, ... suffixes.
    fn automatic(&mut self, title: &str) -> String {
        let mut base = slug::slugify(title);
        if base.is_empty() {
            base.push_str("section");
        }
        if !self.used.contains(&base) {
            self.used.insert(base.clone());
            return base;
        }
        let suffix = self.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{suffix}");
            *suffix += 1;
            // `intro-1` may already be taken, by an explicit id or a heading titled "Intro 1".
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// The event stream between the parser and the HTML writer.
struct Transform<'a, 's, 'r, I> {
    events: I,
    state: &'s mut State<'r>,
    /// Events of the last heading, ready to be handed out.
    pending: VecDeque<Event<'a>>,
}

impl<'a, 's, 'r, I> Transform<'a, 's, 'r, I>
where
    I: Iterator<Item = (Event<'a>, Range<usize>)>,
{
    fn new(events: I, state: &'s mut State<'r>) -> Self {
        Transform {
            events,
            state,
            pending: VecDeque::new(),
        }
    }

    /// Reads a whole heading (its start tag has just been read), gives it an id and a
    /// self-link, records it in the TOC, and queues its events in `pending`.
    fn heading(
        &mut self,
        level: HeadingLevel,
        explicit_id: Option<CowStr<'a>>,
        classes: Vec<CowStr<'a>>,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
    ) {
        let mut body = Vec::new();
        let mut title = String::new();
        // Headings hold inline content only, so the first heading end is this heading's.
        for (event, range) in self.events.by_ref() {
            if matches!(event, Event::End(TagEnd::Heading(_))) {
                break;
            }
            if let Some(event) = self.state.inline(event, range) {
                push_plain_text(&mut title, &event);
                body.push(event);
            }
        }
        let title = title.trim().to_owned();
        let id = match &explicit_id {
            Some(id) => self.state.ids.explicit(id),
            None => self.state.ids.automatic(&title),
        };

        self.pending.push_back(Event::Start(Tag::Heading {
            level,
            id: Some(id.clone().into()),
            classes,
            attrs,
        }));
        self.pending.extend(body);
        self.pending
            .push_back(Event::InlineHtml(heading_anchor(&id, &title).into()));
        self.pending.push_back(Event::End(TagEnd::Heading(level)));

        self.state.anchors.push(id.clone());
        self.state.toc.push(TocEntry {
            level: level as u8,
            id,
            title,
        });
    }
}

impl<'a, I> Iterator for Transform<'a, '_, '_, I>
where
    I: Iterator<Item = (Event<'a>, Range<usize>)>,
{
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            match self.events.next()? {
                (
                    Event::Start(Tag::Heading {
                        level,
                        id,
                        classes,
                        attrs,
                    }),
                    _,
                ) => self.heading(level, id, classes, attrs),
                (event, range) => {
                    if let Some(event) = self.state.inline(event, range) {
                        return Some(event);
                    }
                }
            }
        }
    }
}

/// Appends the text an event shows to a reader, for TOC titles and slugs.
fn push_plain_text(out: &mut String, event: &Event<'_>) {
    match event {
        Event::Text(text) | Event::Code(text) => out.push_str(text),
        Event::SoftBreak | Event::HardBreak => out.push(' '),
        // Markup, raw HTML and footnote markers are not part of the title.
        _ => {}
    }
}

/// The link a heading carries to itself, placed after its text. The `aria-label` gives
/// screen readers something better than "#".
fn heading_anchor(id: &str, title: &str) -> String {
    let mut html = String::with_capacity(80 + 2 * id.len() + title.len());
    html.push_str(r##" <a class="heading-anchor" href="#"##);
    push_escaped(&mut html, id);
    html.push_str(r#"" aria-label="Link to section"#);
    if !title.is_empty() {
        html.push_str(": ");
        push_escaped(&mut html, title);
    }
    html.push_str(r#"">#</a>"#);
    html
}

/// HTML-escapes `text` for use in text or a double-quoted attribute.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// The sanitizer for `sanitize_html = true`: ammonia's defaults (which already strip
/// scripts, event handlers, iframes, `<style>` and `javascript:` URLs) widened to keep
/// everything pulldown-cmark and this module emit. Built once; it is shared across threads.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        // Task-list checkboxes; only checkboxes, as other input types can fetch or phish.
        .add_tags(["input"])
        .add_tag_attributes("input", ["checked", "disabled"])
        .add_tag_attribute_values("input", "type", ["checkbox"])
        // Heading ids and footnote definition ids are link targets.
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .add_tag_attributes("div", ["id"])
        // Classes are harmless and used everywhere: heading anchors, footnotes, code
        // languages (`language-*`, an open set), heading `{.class}` attributes.
        .add_generic_attributes(["class"])
        .add_tag_attributes("a", ["aria-label"])
        // Table column alignment; nothing else may be styled.
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .filter_style_properties(HashSet::from(["text-align"]))
        // External links are left as they are, as when not sanitizing.
        .link_rel(None);
    builder
});

#[cfg(test)]
mod tests;
