//! Warnings about what the review leaves unused or thin.

use super::*;

pub(super) fn warn_unused(
    content: &Content,
    case_studies: &[CaseStudy],
    themes: &[Theme],
    claims: &[Claim],
    diagnostics: &mut Diagnostics,
) {
    for (doc, case) in content.case_studies.iter().zip(case_studies) {
        if doc.meta.findings.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    Code::NoFindings,
                    format!("case study `{}` has no findings", case.slug),
                )
                .in_file(&doc.path)
                .at_location(doc.head())
                .with_hint("add `findings:` so the evidence shows on claim pages and the map"),
            );
        }
        if doc.meta.themes.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    Code::NoThemes,
                    format!("case study `{}` has no themes", case.slug),
                )
                .in_file(&doc.path)
                .at_location(doc.head())
                .with_hint("add `themes: [...]` so it is cross-linked"),
            );
        }
        for f in &doc.meta.findings {
            if f.source.is_none() {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::FindingWithoutSource,
                        format!("a finding on `{}` has no source", f.claim.value),
                    )
                    .in_file(&doc.path)
                    .at_location(doc.locate_ref(&f.claim.referenced))
                    .with_hint("add `source: KEY` naming an entry in the bibliography"),
                );
            }
        }
    }
    for (doc, theme) in content.themes.iter().zip(themes) {
        if theme.case_studies.is_empty() && theme.claims.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    Code::UnusedTheme,
                    format!("no case study or claim refers to theme `{}`", theme.slug),
                )
                .in_file(&doc.path)
                .at_location(doc.head()),
            );
        }
    }
    for (doc, claim) in content.claims.iter().zip(claims) {
        match claim.counts.total {
            0 => diagnostics.push(
                Diagnostic::warning(
                    Code::UnusedClaim,
                    format!("no finding speaks to claim `{}`", claim.slug),
                )
                .in_file(&doc.path)
                .at_location(doc.head()),
            ),
            1 => diagnostics.push(
                Diagnostic::warning(
                    Code::SingleFinding,
                    format!("claim `{}` has a single finding", claim.slug),
                )
                .in_file(&doc.path)
                .at_location(doc.head())
                .with_hint("a claim with one finding cannot show agreement or disagreement"),
            ),
            _ => {}
        }
    }
}
