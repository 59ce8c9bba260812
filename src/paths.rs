//! Lexical path arithmetic shared by the stages: the one place that removes `.` and `..`
//! from a path without asking the file system (links in content, the output folder).

use std::path::{Component, Path, PathBuf};

/// Removes `.` and `..` from `path` without touching the file system.
///
/// A `..` at the root stays at the root, as the operating system reads `/..`; a `..` that
/// climbs above the start of a relative path gives `None`.
pub(crate) fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !out.has_root() {
                    return None;
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::path::{Path, PathBuf};

    fn normal(path: &str) -> Option<PathBuf> {
        normalize(Path::new(path))
    }

    #[test]
    fn removes_dots_and_parents() {
        assert_eq!(normal("a/./b/../c.md"), Some("a/c.md".into()));
        assert_eq!(normal("a/.."), Some(PathBuf::new()));
        assert_eq!(normal("/srv/site/../out"), Some("/srv/out".into()));
    }

    #[test]
    fn a_relative_path_cannot_climb_above_its_start() {
        assert_eq!(normal("a/../../etc/passwd"), None);
        assert_eq!(normal(".."), None);
    }

    #[test]
    fn the_parent_of_the_root_is_the_root() {
        assert_eq!(normal("/../x"), Some("/x".into()));
    }
}
