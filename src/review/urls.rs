//! The URL scheme of a built review, and resolving links written in Markdown bodies.
//!
//! Every page has a site-relative URL without a leading slash (`case-studies/pause/`); a
//! portable build appends `index.html`. Links between pages are always written relative to
//! the page they are on, so one build works at any sub-path and from a local folder.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::markdown::Rewrite;
use crate::paths;

/// Paths that tessera generates itself; no content page may take them.
pub(crate) const RESERVED: [&str; 12] = [
    "case-studies",
    "themes",
    "claims",
    "contradictions",
    "map",
    "static",
    "404.html",
    "search",
    "pagefind",
    "data",
    "changes",
    "editions.json",
];

/// How page URLs are spelled in this build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct UrlStyle {
    /// End folder URLs in `index.html`.
    pub portable: bool,
}

impl UrlStyle {
    /// The URL of a page whose folder is `dir` (`case-studies/pause`; `""` for the root).
    pub(crate) fn page(self, dir: &str) -> String {
        let dir = dir.trim_matches('/');
        match (dir.is_empty(), self.portable) {
            (true, true) => "index.html".to_string(),
            (true, false) => String::new(),
            (false, true) => format!("{dir}/index.html"),
            (false, false) => format!("{dir}/"),
        }
    }
}

/// The relative path from a page to the site root: `./` at the root, `../../` two levels down.
pub(crate) fn root_of(page_url: &str) -> String {
    let depth = page_url.matches('/').count();
    if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    }
}

/// The file a page URL is written to, relative to the output folder.
pub(crate) fn file_of(page_url: &str) -> PathBuf {
    if page_url.is_empty() || page_url.ends_with('/') {
        Path::new(page_url).join("index.html")
    } else {
        PathBuf::from(page_url)
    }
}

/// Where a link in a Markdown body points, once resolved against the content tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Leave the link as written (external, `mailto:`, or not a content path).
    External,
    /// Another Markdown file (by its path under `content/`), with an optional fragment.
    Page {
        file: PathBuf,
        fragment: Option<String>,
    },
    /// A fragment on the same page.
    SamePage { fragment: String },
    /// A non-Markdown file under `content/`, copied to the output.
    Asset { file: PathBuf },
    /// A Markdown file marked `draft: true`, left out of this build.
    Draft { file: PathBuf },
    /// A `.md` path or content path that does not exist.
    Missing { file: PathBuf },
}

/// Knows the URL of every content file and resolves Markdown links against it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct LinkMap {
    /// Content path (`case-studies/pause.md`) to page URL.
    pub pages: HashMap<PathBuf, String>,
    /// Asset path (`images/map.png`), which is also its URL.
    pub assets: HashMap<PathBuf, String>,
    /// Content paths of drafts left out of this build: links to them are not broken, but
    /// must not be emitted either.
    pub drafts: HashSet<PathBuf>,
}

impl LinkMap {
    /// Resolves `dest`, as written in the file at `from` (a path under `content/`).
    pub(crate) fn resolve(&self, from: &Path, dest: &str) -> Target {
        let dest = dest.trim();
        if let Some(fragment) = dest.strip_prefix('#') {
            return Target::SamePage {
                fragment: fragment.to_string(),
            };
        }
        if has_scheme(dest) || dest.starts_with("//") || dest.is_empty() {
            return Target::External;
        }
        let (path_part, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (dest, None),
        };
        let path_part = path_part.split('?').next().unwrap_or(path_part);
        let decoded = percent_decode(path_part);
        let base = if decoded.starts_with('/') {
            PathBuf::new()
        } else {
            from.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        // `None`: the link climbs above the content root.
        let Some(file) = paths::normalize(&base.join(decoded.trim_start_matches('/'))) else {
            return Target::Missing {
                file: PathBuf::from(decoded),
            };
        };
        if self.pages.contains_key(&file) {
            Target::Page { file, fragment }
        } else if self.assets.contains_key(&file) {
            Target::Asset { file }
        } else if self.drafts.contains(&file) {
            Target::Draft { file }
        } else if file.extension().is_some_and(|e| e == "md") {
            Target::Missing { file }
        } else {
            Target::External
        }
    }

    /// What to write for `dest` on the page at `page_url`.
    pub(crate) fn rewrite(&self, from: &Path, page_url: &str, dest: &str) -> Rewrite {
        match self.resolve(from, dest) {
            Target::Page { file, fragment } => match self.pages.get(&file) {
                Some(url) => {
                    let mut href = format!("{}{url}", root_of(page_url));
                    if let Some(fragment) = fragment {
                        href.push('#');
                        href.push_str(&fragment);
                    }
                    Rewrite::To(href)
                }
                None => Rewrite::Keep,
            },
            Target::Asset { file } => match self.assets.get(&file) {
                Some(url) => Rewrite::To(format!("{}{url}", root_of(page_url))),
                None => Rewrite::Keep,
            },
            Target::Draft { .. } => Rewrite::Unlink,
            _ => Rewrite::Keep,
        }
    }
}

fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Decodes `%20` and friends so `My%20File.md` finds `My File.md`; a `%` that starts no
/// escape stays as it is.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> LinkMap {
        let mut m = LinkMap::default();
        m.pages
            .insert("case-studies/pause.md".into(), "case-studies/pause/".into());
        m.pages
            .insert("themes/workforce.md".into(), "themes/workforce/".into());
        m.assets.insert(
            "case-studies/chart.png".into(),
            "case-studies/chart.png".into(),
        );
        m
    }

    #[test]
    fn rewrites_relative_content_links() {
        let m = map();
        let from = Path::new("case-studies/pause.md");
        let to = |href: &str| Rewrite::To(href.to_string());
        assert_eq!(
            m.rewrite(
                from,
                "case-studies/pause/",
                "../themes/workforce.md#history"
            ),
            to("../../themes/workforce/#history")
        );
        assert_eq!(
            m.rewrite(from, "case-studies/pause/", "chart.png"),
            to("../../case-studies/chart.png")
        );
        assert_eq!(
            m.rewrite(Path::new("_index.md"), "", "case-studies/pause.md"),
            to("./case-studies/pause/")
        );
    }

    #[test]
    fn classifies_targets() {
        let m = map();
        let from = Path::new("case-studies/pause.md");
        assert_eq!(m.resolve(from, "https://example.org"), Target::External);
        assert_eq!(
            m.resolve(from, "missing.md"),
            Target::Missing {
                file: "case-studies/missing.md".into()
            }
        );
        assert_eq!(
            m.resolve(from, "#top"),
            Target::SamePage {
                fragment: "top".into()
            }
        );
        assert!(matches!(
            m.resolve(from, "../../../etc/passwd.md"),
            Target::Missing { .. }
        ));
        let mut m = m;
        m.drafts.insert("case-studies/draft.md".into());
        assert_eq!(
            m.resolve(from, "draft.md#x"),
            Target::Draft {
                file: "case-studies/draft.md".into()
            }
        );
        assert_eq!(
            m.rewrite(from, "case-studies/pause/", "draft.md"),
            Rewrite::Unlink
        );
    }

    #[test]
    fn roots_and_files() {
        assert_eq!(root_of(""), "./");
        assert_eq!(root_of("case-studies/pause/"), "../../");
        assert_eq!(root_of("case-studies/pause/index.html"), "../../");
        assert_eq!(
            file_of("case-studies/pause/"),
            PathBuf::from("case-studies/pause/index.html")
        );
        assert_eq!(UrlStyle { portable: true }.page("map"), "map/index.html");
    }
}
