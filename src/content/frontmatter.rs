//! Splitting a content file into its YAML front matter and Markdown body.
//!
//! Keeps byte offsets into the original file (after any byte-order mark) so that every later
//! diagnostic, whether from YAML or Markdown, points at a line of the file the author wrote.

use std::ops::Range;

/// A content file taken apart. Offsets are bytes into the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, if the file has front matter.
    pub front_matter: Option<&'a str>,
    /// Where the YAML starts in the file.
    pub front_matter_offset: usize,
    /// Range of the opening fence line, for "missing field" style diagnostics.
    pub opening_fence: Range<usize>,
    /// The Markdown after the front matter (the whole file when there is none).
    pub body: &'a str,
    /// Where the body starts in the file, in bytes.
    pub body_offset: usize,
}

/// Front matter that starts but never ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclosed {
    /// The opening `---` line.
    pub opening_fence: Range<usize>,
}

const BOM: &str = "\u{feff}";

/// Splits `text` into front matter and body. A file that does not start with a `---` line
/// has no front matter; one that starts with it must close it with a `---` (or `...`) line.
pub fn split(text: &str) -> Result<Split<'_>, Unclosed> {
    let start = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let Some(first_end) = fence_line_end(text, start) else {
        return Ok(Split {
            front_matter: None,
            front_matter_offset: start,
            opening_fence: start..start,
            body: &text[start..],
            body_offset: start,
        });
    };
    let opening_fence = start..start + 3;
    let yaml_start = first_end;
    let mut line_start = yaml_start;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i + 1);
        let line = text[line_start..line_end].trim_end_matches(['\n', '\r']);
        if is_closing_fence(line) {
            return Ok(Split {
                front_matter: Some(&text[yaml_start..line_start]),
                front_matter_offset: yaml_start,
                opening_fence,
                body: &text[line_end..],
                body_offset: line_end,
            });
        }
        line_start = line_end;
    }
    Err(Unclosed { opening_fence })
}

/// If the line starting at `start` is an opening `---` fence, the offset after it.
fn fence_line_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    let line = rest[..line_end].trim_end_matches(['\n', '\r']);
    (line.trim_end() == "---").then_some(start + line_end)
}

fn is_closing_fence(line: &str) -> bool {
    let line = line.trim_end();
    line == "---" || line == "..."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_offsets() {
        let text = "---\ntitle: x\n---\nBody\n";
        let s = split(text).expect("closed");
        assert_eq!(s.front_matter, Some("title: x\n"));
        assert_eq!(s.front_matter_offset, 4);
        assert_eq!(s.body, "Body\n");
        assert_eq!(&text[s.body_offset..], "Body\n");
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("# Hello\n").expect("plain");
        assert_eq!(s.front_matter, None);
        assert_eq!(s.body, "# Hello\n");
    }

    #[test]
    fn bom_and_crlf_are_handled() {
        let text = "\u{feff}---\r\ntitle: x\r\n---\r\nBody\r\n";
        let s = split(text).expect("closed");
        assert_eq!(s.front_matter, Some("title: x\r\n"));
        assert_eq!(s.body, "Body\r\n");
        assert_eq!(s.front_matter_offset, 3 + 5);
    }

    #[test]
    fn unclosed_is_an_error() {
        assert_eq!(
            split("---\ntitle: x\n"),
            Err(Unclosed {
                opening_fence: 0..3
            })
        );
    }

    #[test]
    fn a_rule_later_in_the_body_is_not_front_matter() {
        let s = split("Intro\n\n---\n\nMore\n").expect("plain");
        assert_eq!(s.front_matter, None);
    }
}
