//! Resolving references between documents (themes, claims, sources, adaptations), and
//! the claim, theme and plain-page models.

use super::*;

pub(super) fn resolve_one<'a, M>(
    doc: &Document<M>,
    r: &Ref,
    map: &'a HashMap<String, usize>,
    what: &str,
    code: Code,
    problems: &mut Vec<Diagnostic>,
) -> Option<&'a usize> {
    let found = map.get(&r.value);
    if found.is_none() {
        let folder = if what == "theme" { "themes" } else { "claims" };
        problems.push(at_ref(
            doc,
            r,
            Diagnostic::error(code, format!("unknown {what} `{}`", r.value)).with_hint(
                did_you_mean_hint(&r.value, map.keys().map(String::as_str))
                    .unwrap_or_else(|| format!("a {what} is a file in `content/{folder}/`; its slug is the file name without `.md`")),
            ),
        ));
    }
    found
}

pub(super) fn resolve_refs<M>(
    doc: &Document<M>,
    list: &[Ref],
    map: &HashMap<String, usize>,
    what: &str,
    code: Code,
    problems: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    unique_in_order(
        list.iter()
            .filter_map(|r| resolve_one(doc, r, map, what, code, problems).copied()),
    )
}

/// The short citation of a finding's source in the review's style, with its locator.
pub(super) fn citation_of(
    bibliography: &Bibliography,
    source: Option<&crate::bibliography::Source>,
    locator: Option<&str>,
) -> String {
    let Some(source) = source else {
        return String::new();
    };
    bibliography
        .styled
        .as_ref()
        .and_then(|styled| styled.cite(&source.key, locator.unwrap_or_default()))
        .map_or_else(|| source.in_text.clone(), str::to_string)
}

pub(super) fn resolve_source<M>(
    doc: &Document<M>,
    r: &Ref,
    bibliography: &Bibliography,
    problems: &mut Vec<Diagnostic>,
) -> Option<Shared<crate::bibliography::Source>> {
    let found = bibliography.get(&r.value).cloned();
    if found.is_none() && !bibliography.failed {
        problems.push(at_ref(
            doc,
            r,
            Diagnostic::error(Code::UnknownSource, format!("unknown source `{}`", r.value)).with_hint(
                did_you_mean_hint(&r.value, bibliography.keys())
                    .unwrap_or_else(|| "sources are keys of entries in `content/references.yaml` (or `references.bib`)".to_string()),
            ),
        ));
    }
    found
}

pub(super) fn resolve_adapted_from(
    doc: &Document<CaseStudyMeta>,
    r: &Ref,
    index: &Index,
    refs: &Refs,
    problems: &mut Vec<Diagnostic>,
) -> Option<Shared<PageRef>> {
    if let Some(&i) = index.cases.get(&r.value) {
        return Some(refs.cases[i].clone());
    }
    if index.draft_cases.contains(&r.value) {
        problems.push(at_ref(
            doc,
            r,
            Diagnostic::warning(
                Code::DraftReferenced,
                format!(
                    "`{}` is a draft, so this link is left out of the built site",
                    r.value
                ),
            )
            .with_hint(
                "publish the other case study (remove `draft: true`) or build with `--drafts`",
            ),
        ));
        return None;
    }
    problems.push(at_ref(
        doc,
        r,
        Diagnostic::error(
            Code::UnknownCaseStudy,
            format!("unknown case study `{}` in `adapted_from`", r.value),
        )
        .with_hint(
            did_you_mean_hint(&r.value, index.cases.keys().map(String::as_str)).unwrap_or_else(
                || {
                    "`adapted_from` names another file in `content/case-studies/`, without `.md`"
                        .to_string()
                },
            ),
        ),
    ));
    None
}

pub(super) fn resolve_claim(
    doc: &Document<ClaimMeta>,
    own: &Shared<PageRef>,
    body: Rendered,
    index: &Index,
    theme_refs: &[Shared<PageRef>],
    diagnostics: &mut Diagnostics,
) -> Claim {
    let mut problems = Vec::new();
    let theme_indexes = resolve_refs(
        doc,
        &doc.meta.themes,
        &index.themes,
        "theme",
        Code::UnknownTheme,
        &mut problems,
    );
    diagnostics.extend(problems);
    Claim {
        slug: own.slug.clone(),
        url: own.url.clone(),
        title: doc.meta.title.clone(),
        summary: doc.meta.summary.clone(),
        content: body.html,
        toc: body.toc,
        extra: doc.meta.extra.clone(),
        themes: theme_indexes
            .iter()
            .map(|&i| theme_refs[i].clone())
            .collect(),
        findings: Vec::new(),
        contested: false,
        columns: Columns::default(),
        counts: Counts::default(),
        differences: Vec::new(),
        balance_text: String::new(),
        theme_indexes,
        best_certainty: usize::MAX,
        self_ref: own.clone(),
    }
}

pub(super) fn theme_of(doc: &Document<ThemeMeta>, own: &Shared<PageRef>, body: Rendered) -> Theme {
    Theme {
        slug: own.slug.clone(),
        url: own.url.clone(),
        title: doc.meta.title.clone(),
        summary: doc.meta.summary.clone(),
        content: body.html,
        toc: body.toc,
        extra: doc.meta.extra.clone(),
        case_studies: Vec::new(),
        claims: Vec::new(),
        contested_claims: Vec::new(),
        related_themes: Vec::new(),
        case_indexes: Vec::new(),
    }
}

pub(super) fn page_of(doc: &Document<PageMeta>, url: String, body: Rendered) -> Page {
    let title = doc
        .meta
        .title
        .clone()
        .or_else(|| body.toc.first().map(|h| h.title.clone()))
        .unwrap_or_else(|| doc.slug.replace('-', " "));
    Page {
        slug: doc.slug.clone(),
        url,
        title,
        summary: doc.meta.summary.clone(),
        content: body.html,
        toc: body.toc,
        extra: doc.meta.extra.clone(),
    }
}

/// Fills `adapted_by` from every `adapted_from`.
pub(super) fn link_adaptations(case_studies: &mut [CaseStudy]) {
    let by_slug: HashMap<String, usize> = case_studies
        .iter()
        .enumerate()
        .map(|(i, c)| (c.slug.clone(), i))
        .collect();
    let pairs: Vec<(usize, Shared<PageRef>)> = case_studies
        .iter()
        .filter_map(|c| {
            let from = c.adapted_from.as_ref()?;
            Some((*by_slug.get(&from.slug)?, c.page_ref()))
        })
        .collect();
    for (target, adapter) in pairs {
        case_studies[target].adapted_by.push(adapter);
    }
}
