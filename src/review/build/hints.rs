//! "Did you mean" hints for links to files that do not exist, at a cost that stays linear
//! in the review: the candidate names are listed and sorted once per check, not once per
//! broken link, and the comparisons a whole check may spend on suggestions are capped, so
//! that thousands of broken links in a review of thousands of pages cannot make it
//! quadratic (links past the cap get the general hint).

use std::path::{Path, PathBuf};

use super::links::relative_link;
use crate::review::urls::LinkMap;

/// How many name comparisons one check may spend on suggestions: about a second of work,
/// enough for every broken link of a review that has a few hundred of them.
const COMPARISONS: usize = 2_000_000;

/// Hints for broken links, sharing one sorted list of the review's pages.
pub(super) struct MissingHints<'a> {
    links: &'a LinkMap,
    /// Every page's content path and file name, sorted by path; listed on first use.
    candidates: Option<Vec<(&'a Path, String)>>,
    /// Comparisons left.
    budget: usize,
}

impl<'a> MissingHints<'a> {
    pub(super) fn new(links: &'a LinkMap) -> Self {
        MissingHints {
            links,
            candidates: None,
            budget: COMPARISONS,
        }
    }

    /// Suggests an existing file for a link to the missing `file`, written as the link
    /// must be: relative to the file that holds it (`from`).
    pub(super) fn hint(&mut self, from: &Path, file: &Path) -> Option<String> {
        let general = "links between content files use the file's path relative to this one, e.g. `../themes/workforce.md`";
        let links = self.links;
        let candidates = self.candidates.get_or_insert_with(|| {
            let mut all: Vec<(&Path, String)> = links
                .pages
                .keys()
                .filter_map(|p| Some((p.as_path(), name_of(p)?)))
                .collect();
            all.sort_by(|a, b| a.0.cmp(b.0));
            all
        });
        if self.budget < candidates.len() {
            return Some(general.to_string());
        }
        self.budget -= candidates.len();
        // Compare file names, not whole paths: a long shared folder would make any two
        // paths look alike. Files in the folder the link points into come first, then by
        // path, so the suggestion does not depend on hash order.
        let wanted = name_of(file).unwrap_or_default();
        let folder = file.parent();
        let ordered = || {
            let same = candidates.iter().filter(move |(p, _)| p.parent() == folder);
            let other = candidates.iter().filter(move |(p, _)| p.parent() != folder);
            same.chain(other)
        };
        let best = crate::diagnostics::did_you_mean(&wanted, ordered().map(|(_, n)| n.as_str()));
        match best.and_then(|best| ordered().find(|(_, n)| *n == best)) {
            Some((path, _)) => Some(format!(
                "did you mean `{}`?",
                relative_link(from, &PathBuf::from(path))
            )),
            None => Some(general.to_string()),
        }
    }
}

fn name_of(path: &Path) -> Option<String> {
    path.file_name().map(|n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link_map(pages: &[&str]) -> LinkMap {
        LinkMap {
            pages: pages
                .iter()
                .map(|p| (PathBuf::from(p), format!("{p}/")))
                .collect(),
            assets: Default::default(),
            drafts: Default::default(),
        }
    }

    #[test]
    fn suggests_the_closest_name_in_the_folder_linked_into_first() {
        let links = link_map(&[
            "themes/workforce.md",
            "case-studies/workforce.md",
            "about.md",
        ]);
        let mut hints = MissingHints::new(&links);
        let from = Path::new("case-studies/alpha.md");
        assert_eq!(
            hints
                .hint(from, Path::new("themes/workfroce.md"))
                .as_deref(),
            Some("did you mean `../themes/workforce.md`?")
        );
        assert_eq!(
            hints
                .hint(from, Path::new("case-studies/workfroce.md"))
                .as_deref(),
            Some("did you mean `workforce.md`?")
        );
    }

    #[test]
    fn past_the_budget_every_broken_link_gets_the_general_hint() {
        let links = link_map(&["themes/workforce.md", "about.md"]);
        let mut hints = MissingHints::new(&links);
        hints.budget = 3;
        let from = Path::new("about.md");
        let wanted = Path::new("themes/workfroce.md");
        assert!(
            hints
                .hint(from, wanted)
                .is_some_and(|h| h.starts_with("did you mean"))
        );
        assert!(
            hints
                .hint(from, wanted)
                .is_some_and(|h| h.starts_with("links between content files"))
        );
    }
}
