//! hayagriva's formatted output as escaped HTML and as plain text.
//!
//! hayagriva's own HTML writer does not escape the text of entries (a `&` or `<` in a title
//! would go into the page as markup), so the element tree is written here.

use hayagriva::citationberg::{FontStyle, FontVariant, FontWeight, VerticalAlign};
use hayagriva::{BufWriteFormat, ElemChild, ElemChildren, Formatting};

use super::escape;

/// The children as HTML: text escaped, italics as `<i>`, bold as `<b>`, links as `<a>`.
pub(super) fn children(children: &ElemChildren) -> String {
    let mut out = String::new();
    for child in &children.0 {
        out.push_str(&self::child(child));
    }
    out
}

/// One child as HTML.
pub(super) fn child(child: &ElemChild) -> String {
    match child {
        ElemChild::Text(text) => formatted(&escape(&text.text), &text.formatting),
        ElemChild::Elem(elem) => children(&elem.children),
        ElemChild::Markup(markup) => escape(markup),
        ElemChild::Link { text, url } => {
            let inner = formatted(&escape(&text.text), &text.formatting);
            if is_safe_url(url) {
                format!("<a href=\"{}\">{inner}</a>", escape(url))
            } else {
                inner
            }
        }
        ElemChild::Transparent { .. } => String::new(),
    }
}

/// The children as plain text.
pub(super) fn children_text(children: &ElemChildren) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = children.write_buf(&mut out, BufWriteFormat::Plain);
    out
}

/// One child as plain text.
pub(super) fn child_text(child: &ElemChild) -> String {
    let mut out = String::new();
    let _ = child.write_buf(&mut out, BufWriteFormat::Plain);
    out
}

/// Only web and mail links become links; anything else (`javascript:`) stays text.
fn is_safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

fn formatted(html: &str, formatting: &Formatting) -> String {
    let mut out = html.to_string();
    if formatting.font_style == FontStyle::Italic {
        out = format!("<i>{out}</i>");
    }
    if formatting.font_weight == FontWeight::Bold {
        out = format!("<b>{out}</b>");
    }
    if formatting.font_variant == FontVariant::SmallCaps {
        out = format!("<span class=\"small-caps\">{out}</span>");
    }
    match formatting.vertical_align {
        VerticalAlign::Sup => out = format!("<sup>{out}</sup>"),
        VerticalAlign::Sub => out = format!("<sub>{out}</sub>"),
        _ => {}
    }
    out
}
