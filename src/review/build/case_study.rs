//! Resolving one case study: its references, findings, sources and facets, checked.

use super::*;

/// Pushes a diagnostic about a reference written in a document's front matter.
pub(super) fn at_ref<M>(doc: &Document<M>, r: &Ref, diagnostic: Diagnostic) -> Diagnostic {
    diagnostic
        .in_file(&doc.path)
        .at_location(doc.locate_ref(&r.referenced))
}

/// Resolves one case study: its own facets, references, sources and findings, each a
/// named step below; problems go to `problems` and what fails to resolve is left out.
#[allow(clippy::too_many_arguments)]
pub(super) fn resolve_case_study(
    case_index: usize,
    doc: &Document<CaseStudyMeta>,
    body: Rendered,
    index: &Index,
    refs: &Refs,
    vocabulary: &Vocabulary,
    bibliography: &Bibliography,
    config: &SiteConfig,
    problems: &mut Vec<Diagnostic>,
) -> CaseStudy {
    let case = CaseResolver {
        case_index,
        doc,
        index,
        refs,
        vocabulary,
        bibliography,
        config,
    };
    let meta = &doc.meta;
    let own_facets = case.own_facets(problems);
    let theme_indexes = resolve_refs(
        doc,
        &meta.themes,
        &index.themes,
        "theme",
        Code::UnknownTheme,
        problems,
    );
    let themes = theme_indexes
        .iter()
        .map(|&i| refs.themes[i].clone())
        .collect();
    let adapted_from = meta
        .adapted_from
        .as_ref()
        .and_then(|r| resolve_adapted_from(doc, r, index, refs, problems));
    let mut sources = case.listed_sources(problems);
    let listed_sources = sources.len();
    let findings = case.findings(&own_facets.region, &mut sources, problems);
    let claim_indexes = unique_in_order(findings.iter().map(|f| f.claim_index));
    let claims = claim_indexes
        .iter()
        .map(|&i| refs.claims[i].clone())
        .collect();
    let OwnFacets {
        stage,
        origin,
        region,
        framed_as,
    } = own_facets;
    let facets = case_facets(
        doc, vocabulary, config, &stage, &origin, &region, &framed_as, &findings, problems,
    );
    let best_certainty = findings
        .iter()
        .map(|f| f.certainty_rank)
        .min()
        .unwrap_or(usize::MAX);
    let own = refs.cases[case_index].clone();
    CaseStudy {
        slug: doc.slug.clone(),
        url: own.url.clone(),
        title: meta.title.clone(),
        summary: meta.summary.clone(),
        organisations: meta.organisations.clone(),
        region,
        period: meta.period.unwrap_or_default(),
        edition: meta.edition,
        updated: meta.updated,
        is_new: meta.edition.is_some() && meta.edition == config.edition,
        stage,
        origin,
        framed_as,
        facets,
        themes,
        claims,
        findings,
        sources,
        adapted_from,
        adapted_by: Vec::new(),
        related: Arc::from(Vec::new()),
        content: body.html,
        toc: body.toc,
        extra: meta.extra.clone(),
        draft: meta.draft,
        theme_indexes,
        claim_indexes,
        best_certainty,
        self_ref: own,
        listed_sources,
        path: doc.path.clone(),
    }
}

/// What resolving one case study reads: its document and the review-wide lookups.
struct CaseResolver<'a> {
    case_index: usize,
    doc: &'a Document<CaseStudyMeta>,
    index: &'a Index,
    refs: &'a Refs<'a>,
    vocabulary: &'a Vocabulary<'a>,
    bibliography: &'a Bibliography,
    config: &'a SiteConfig,
}

/// The facet values a case study declares itself (findings add more).
struct OwnFacets {
    stage: Option<Shared<FacetValue>>,
    origin: Option<Shared<FacetValue>>,
    region: Option<Shared<FacetValue>>,
    framed_as: Vec<Shared<FacetValue>>,
}

impl CaseResolver<'_> {
    /// One value of a facet, or an `unknown-facet-value` error at the reference.
    fn facet_value(
        &self,
        facet: &str,
        r: &Ref,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Shared<FacetValue>> {
        match self.vocabulary.value(facet, &r.value) {
            Ok(v) => Some(v),
            Err(unknown) => {
                problems.push(at_ref(
                    self.doc,
                    r,
                    Diagnostic::error(Code::UnknownFacetValue, unknown.message)
                        .with_hint(unknown.hint),
                ));
                None
            }
        }
    }

    /// A facet value the front matter may leave out.
    fn optional_facet_value(
        &self,
        facet: &str,
        r: Option<&Ref>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Shared<FacetValue>> {
        r.and_then(|r| self.facet_value(facet, r, problems))
    }

    fn own_facets(&self, problems: &mut Vec<Diagnostic>) -> OwnFacets {
        let meta = &self.doc.meta;
        OwnFacets {
            stage: self.facet_value("stage", &meta.stage, problems),
            origin: self.optional_facet_value("origin", meta.origin.as_ref(), problems),
            region: self.optional_facet_value("region", meta.region.as_ref(), problems),
            framed_as: meta
                .framed_as
                .iter()
                .filter_map(|r| self.facet_value("framed_as", r, problems))
                .collect(),
        }
    }

    /// The `sources:` field, each once.
    fn listed_sources(
        &self,
        problems: &mut Vec<Diagnostic>,
    ) -> Vec<Shared<crate::bibliography::Source>> {
        let mut sources = Vec::new();
        for r in &self.doc.meta.sources {
            if let Some(s) = resolve_source(self.doc, r, self.bibliography, problems) {
                push_unique_source(&mut sources, s);
            }
        }
        sources
    }

    /// Every finding whose claim resolves, in front-matter order; finding sources not
    /// listed yet are added to `sources`.
    fn findings(
        &self,
        region: &Option<Shared<FacetValue>>,
        sources: &mut Vec<Shared<crate::bibliography::Source>>,
        problems: &mut Vec<Diagnostic>,
    ) -> Vec<Shared<Finding>> {
        let meta = &self.doc.meta;
        let mut findings = Vec::with_capacity(meta.findings.len());
        for f in &meta.findings {
            if let Some(finding) = self.finding(f, region, sources, problems) {
                findings.push(finding);
            }
        }
        findings
    }

    fn finding(
        &self,
        f: &crate::content::schema::FindingMeta,
        region: &Option<Shared<FacetValue>>,
        sources: &mut Vec<Shared<crate::bibliography::Source>>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Shared<Finding>> {
        let doc = self.doc;
        let &claim_index = resolve_one(
            doc,
            &f.claim,
            &self.index.claims,
            "claim",
            Code::UnknownClaim,
            problems,
        )?;
        let source = f
            .source
            .as_ref()
            .and_then(|r| resolve_source(doc, r, self.bibliography, problems));
        if let Some(s) = &source {
            push_unique_source(sources, s.clone());
        }
        let certainty = self.optional_facet_value("certainty", f.certainty.as_ref(), problems);
        let year = source
            .as_ref()
            .and_then(|s| s.year)
            .or(doc.meta.period.and_then(|p| p.start));
        let certainty_rank = self
            .config
            .certainty_rank(certainty.as_ref().map(|c| c.id.as_str()));
        Some(Shared::new(Finding {
            claim: self.refs.claims[claim_index].clone(),
            case_study: self.refs.cases[self.case_index].clone(),
            stance: f.stance.value,
            stance_label: f.stance.value.label(),
            perspective: self.optional_facet_value("perspective", f.perspective.as_ref(), problems),
            design: self.optional_facet_value("design", f.design.as_ref(), problems),
            certainty_rank,
            strength: super::evidence::strength(certainty_rank, self.config),
            certainty,
            citation: super::references::citation_of(
                self.bibliography,
                source.as_deref(),
                f.locator.as_deref(),
            ),
            source,
            locator: f.locator.clone().unwrap_or_default(),
            note: f.note.clone().unwrap_or_default(),
            claim_index,
            case_index: self.case_index,
            year,
            region: region.clone(),
        }))
    }
}

pub(super) fn push_unique_source(
    sources: &mut Vec<Shared<crate::bibliography::Source>>,
    source: Shared<crate::bibliography::Source>,
) {
    if !sources.iter().any(|s| s.key == source.key) {
        sources.push(source);
    }
}

pub(super) fn unique_in_order(items: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut seen = HashSet::new();
    items.filter(|i| seen.insert(*i)).collect()
}

/// Every facet value of a case study by facet: its own fields, custom facets from `extra`,
/// and the perspectives, designs and certainties of its findings.
#[allow(clippy::too_many_arguments)]
pub(super) fn case_facets(
    doc: &Document<CaseStudyMeta>,
    vocabulary: &Vocabulary,
    config: &SiteConfig,
    stage: &Option<Shared<FacetValue>>,
    origin: &Option<Shared<FacetValue>>,
    region: &Option<Shared<FacetValue>>,
    framed_as: &[Shared<FacetValue>],
    findings: &[Shared<Finding>],
    problems: &mut Vec<Diagnostic>,
) -> indexmap::IndexMap<String, Vec<Shared<FacetValue>>> {
    let mut facets = indexmap::IndexMap::new();
    for name in config.facets.keys() {
        let values: Vec<Shared<FacetValue>> = match name.as_str() {
            "stage" => stage.iter().cloned().collect(),
            "origin" => origin.iter().cloned().collect(),
            "region" => region.iter().cloned().collect(),
            "framed_as" => framed_as.to_vec(),
            "perspective" => dedup(findings.iter().filter_map(|f| f.perspective.clone())),
            "design" => dedup(findings.iter().filter_map(|f| f.design.clone())),
            "certainty" => dedup(findings.iter().filter_map(|f| f.certainty.clone())),
            custom => extra_facet(doc, vocabulary, custom, problems),
        };
        facets.insert(name.clone(), values);
    }
    facets
}

pub(super) fn dedup(values: impl Iterator<Item = Shared<FacetValue>>) -> Vec<Shared<FacetValue>> {
    let mut out: Vec<Shared<FacetValue>> = Vec::new();
    for v in values {
        if !out.iter().any(|o| o.id == v.id) {
            out.push(v);
        }
    }
    out
}

/// A custom facet's value(s), read from `extra.<facet>` (a string or a list of strings).
pub(super) fn extra_facet(
    doc: &Document<CaseStudyMeta>,
    vocabulary: &Vocabulary,
    facet: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Shared<FacetValue>> {
    let ids: Vec<String> = match doc.meta.extra.get(facet) {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    ids.iter()
        .filter_map(|id| match vocabulary.value(facet, id) {
            Ok(v) => Some(v),
            Err(unknown) => {
                problems.push(
                    Diagnostic::error(Code::UnknownFacetValue, unknown.message)
                        .in_file(&doc.path)
                        .at_location(find_in_front_matter(doc, id))
                        .with_hint(unknown.hint),
                );
                None
            }
        })
        .collect()
}
