//! Link checking: links in bodies to missing files, missing headings and left-out drafts.

use super::hints::MissingHints;
use super::*;

/// Link problems found in each file, kept for `serve`: a file's links are checked again
/// only when its text is new, or when the link map or any file's headings changed (a
/// link's target heading may be in another file).
#[derive(Default)]
pub(in crate::review) struct LinkChecks {
    /// The link map the problems were found with.
    links: Option<LinkMap>,
    /// By content path.
    files: HashMap<PathBuf, CheckedFile>,
}

struct CheckedFile {
    /// The file's text (held, so that its address is not another text's).
    source: Arc<str>,
    anchors: Arc<[String]>,
    problems: Vec<Diagnostic>,
}

/// Reports links to missing files and to missing headings (errors), and to drafts left out
/// of the build (warnings: the link is rendered as plain text). With `cache` (serve), the
/// problems of files checked before with the same text, link map and headings everywhere
/// are taken from it.
pub(in crate::review) fn check_links(
    content: &Content,
    docs: &[AnyDoc],
    links: &LinkMap,
    bodies: &Bodies,
    diagnostics: &mut Diagnostics,
    cache: Option<&mut LinkChecks>,
) {
    let rendered: Vec<&Rendered> = bodies
        .cases
        .iter()
        .chain(&bodies.themes)
        .chain(&bodies.claims)
        .chain(&bodies.pages)
        .chain(content.home.as_ref().map(|_| &bodies.home))
        .collect();
    // Every heading id, by file: made only if some file's links are checked (in `serve`,
    // after most edits, none or the edited file's).
    let anchors = std::cell::OnceCell::new();
    let all_anchors = || -> HashMap<&Path, &[String]> {
        docs.iter()
            .zip(&rendered)
            .map(|(doc, body)| (doc.content_path, &body.anchors[..]))
            .collect()
    };
    let mut hints = MissingHints::new(links);
    let mut check = |doc: &AnyDoc, body: &Rendered| {
        let anchors = anchors.get_or_init(all_anchors);
        check_file(doc, body, links, anchors, &mut hints)
    };
    let Some(cache) = cache else {
        // A build keeps nothing, so it need not copy.
        for (doc, body) in docs.iter().zip(&rendered) {
            diagnostics.extend(check(doc, body));
        }
        return;
    };
    let valid = cache.links.as_ref() == Some(links)
        && cache.files.len() == docs.len()
        && docs.iter().zip(&rendered).all(|(doc, body)| {
            cache
                .files
                .get(doc.content_path)
                .is_some_and(|file| file.anchors == body.anchors)
        });
    if !valid {
        cache.links = Some(links.clone());
        cache.files.clear();
    }
    // Updated in place: at 10,000 files, making the whole map again took 30 ms an edit.
    for (doc, body) in docs.iter().zip(&rendered) {
        let kept = cache
            .files
            .get(doc.content_path)
            .filter(|file| Arc::ptr_eq(&file.source, doc.source));
        if let Some(file) = kept {
            diagnostics.extend(file.problems.iter().cloned());
            continue;
        }
        let problems = check(doc, body);
        diagnostics.extend(problems.iter().cloned());
        let file = CheckedFile {
            source: doc.source.clone(),
            anchors: body.anchors.clone(),
            problems,
        };
        cache.files.insert(doc.content_path.to_path_buf(), file);
    }
}

/// The problems with one file's links.
fn check_file(
    doc: &AnyDoc,
    body: &Rendered,
    links: &LinkMap,
    anchors: &HashMap<&Path, &[String]>,
    hints: &mut MissingHints,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    // A long page can hold many broken links: locate them all in one pass.
    let mut locator = Locator::new(doc.source);
    for link in body.links.iter() {
        let at = doc.body_offset + link.offset;
        let problem = match links.resolve(doc.content_path, &link.dest) {
            Target::Draft { file } => {
                problems.push(
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
                hints.hint(doc.content_path, &file),
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
                    anchors
                        .get(file.as_path())
                        .and_then(|a| did_you_mean_hint(&fragment, a.iter().map(String::as_str))),
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
            problems.push(
                Diagnostic::error(code, message)
                    .in_file(doc.path)
                    .at_location(link_location(&mut locator, at, &link.dest))
                    .with_hint_opt(hint),
            );
        }
    }
    problems
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
