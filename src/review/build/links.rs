//! Link checking: links in bodies to missing files, missing headings and left-out drafts.

use super::*;

/// Reports links to missing files and to missing headings (errors), and to drafts left out
/// of the build (warnings: the link is rendered as plain text).
pub(in crate::review) fn check_links(
    content: &Content,
    links: &LinkMap,
    bodies: &Bodies,
    diagnostics: &mut Diagnostics,
) {
    let mut anchors: HashMap<&Path, &[String]> = HashMap::new();
    let docs = all_docs(content);
    let rendered: Vec<&Rendered> = bodies
        .cases
        .iter()
        .chain(&bodies.themes)
        .chain(&bodies.claims)
        .chain(&bodies.pages)
        .chain(content.home.as_ref().map(|_| &bodies.home))
        .collect();
    for (doc, body) in docs.iter().zip(&rendered) {
        anchors.insert(doc.content_path, &body.anchors);
    }
    for (doc, body) in docs.iter().zip(&rendered) {
        // A long page can hold many broken links: locate them all in one pass.
        let mut locator = Locator::new(doc.source);
        for link in &body.links {
            let at = doc.body_offset + link.offset;
            let problem = match links.resolve(doc.content_path, &link.dest) {
                Target::Draft { file } => {
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::DraftReferenced,
                            format!(
                                "`{}` is a draft, so this link is left out of the built site (its text stays)",
                                file.display()
                            ),
                        )
                        .in_file(doc.path)
                        .at_location(link_location(&mut locator, at, &link.dest))
                        .with_hint(
                            "publish the other file (remove `draft: true`) or build with `--drafts`",
                        ),
                    );
                    None
                }
                Target::Missing { file } => Some((
                    Code::BrokenLink,
                    format!("link to `{}`, which does not exist", link.dest),
                    missing_hint(doc.content_path, &file, links),
                )),
                Target::Page {
                    file,
                    fragment: Some(fragment),
                } if !anchors
                    .get(file.as_path())
                    .is_some_and(|a| a.contains(&fragment)) =>
                {
                    Some((
                        Code::BrokenAnchor,
                        format!(
                            "link to `{}`: `{}` has no heading with id `{fragment}`",
                            link.dest,
                            file.display()
                        ),
                        anchors.get(file.as_path()).and_then(|a| {
                            did_you_mean_hint(&fragment, a.iter().map(String::as_str))
                        }),
                    ))
                }
                Target::SamePage { fragment }
                    if !fragment.is_empty() && !body.anchors.contains(&fragment) =>
                {
                    Some((
                        Code::BrokenAnchor,
                        format!("link to `#{fragment}`, but this page has no heading with that id"),
                        did_you_mean_hint(&fragment, body.anchors.iter().map(String::as_str)),
                    ))
                }
                _ => None,
            };
            if let Some((code, message, hint)) = problem {
                diagnostics.push(
                    Diagnostic::error(code, message)
                        .in_file(doc.path)
                        .at_location(link_location(&mut locator, at, &link.dest))
                        .with_hint_opt(hint),
                );
            }
        }
    }
}

/// Where a link's Markdown starts (`at`, a byte offset in the file), spanning about as many
/// bytes as its destination so the caret underlines the link.
pub(super) fn link_location(
    locator: &mut Locator,
    at: usize,
    dest: &str,
) -> crate::diagnostics::Location {
    locator.locate(at..at.saturating_add(dest.len()))
}

/// Suggests an existing file for a link to a missing one, written as the link must be:
/// relative to the file that holds it (`from`).
pub(super) fn missing_hint(from: &Path, file: &Path, links: &LinkMap) -> Option<String> {
    // Compare file names, not whole paths: a long shared folder would make any two paths
    // look alike. Files in the folder the link points into come first, then by path, so
    // the suggestion does not depend on hash order.
    let name_of = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let wanted = name_of(file).unwrap_or_default();
    let mut candidates: Vec<(&PathBuf, String)> = links
        .pages
        .keys()
        .filter_map(|p| Some((p, name_of(p)?)))
        .collect();
    candidates.sort_by_key(|(p, _)| (p.parent() != file.parent(), p.as_path()));
    let best =
        crate::diagnostics::did_you_mean(&wanted, candidates.iter().map(|(_, n)| n.as_str()));
    match best.and_then(|best| candidates.iter().find(|(_, n)| *n == best)) {
        Some((path, _)) => Some(format!("did you mean `{}`?", relative_link(from, path))),
        None => Some("links between content files use the file's path relative to this one, e.g. `../themes/workforce.md`".to_string()),
    }
}

/// How a link in the file at `from` spells the path to `to` (both under `content/`).
pub(super) fn relative_link(from: &Path, to: &Path) -> String {
    let base = from.parent().unwrap_or(Path::new(""));
    let relative = pathdiff::diff_paths(to, base).unwrap_or_else(|| to.to_path_buf());
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
