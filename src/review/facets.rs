//! Facet values: checking what authors wrote against `site.toml`, and the facet listings.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::config::{FacetConfig, SiteConfig};
use crate::diagnostics::did_you_mean_hint;
use crate::shared::Shared;

use super::model::{Facet, FacetValue, FacetValueCount};
use super::urls::UrlStyle;

/// Resolves facet values against the declared vocabulary. Each declared value is built
/// once and shared by every case study and finding that has it.
pub(crate) struct Vocabulary<'a> {
    pub config: &'a SiteConfig,
    pub style: UrlStyle,
    declared: Arc<Values>,
}

/// Declared values by facet, then by id.
type Values = HashMap<String, HashMap<String, Shared<FacetValue>>>;

/// The declared values with what they were built from, kept by `serve` from one build to
/// the next: while site.toml's facets are the same, the next model gets the same shared
/// values, which compare equal by address alone (the render stage compares every case
/// study with the last build's) and keep the template values already made of them.
pub(crate) struct Declared {
    facets: IndexMap<String, FacetConfig>,
    style: UrlStyle,
    values: Arc<Values>,
}

/// Why a value was not accepted, with a hint.
pub(crate) struct UnknownValue {
    pub message: String,
    pub hint: String,
}

impl<'a> Vocabulary<'a> {
    /// The vocabulary of `config`, taking its declared values from `kept` when they were
    /// built from the same facets and URL style, and leaving them there for the next build.
    pub(crate) fn new(
        config: &'a SiteConfig,
        style: UrlStyle,
        kept: Option<&mut Option<Declared>>,
    ) -> Self {
        let mut vocabulary = Vocabulary {
            config,
            style,
            declared: Arc::default(),
        };
        let reusable = kept
            .as_deref()
            .and_then(Option::as_ref)
            .filter(|kept| kept.style == style && kept.facets == config.facets);
        vocabulary.declared = match reusable {
            Some(kept) => kept.values.clone(),
            None => Arc::new(vocabulary.declared_values()),
        };
        if let Some(kept) = kept {
            *kept = Some(Declared {
                facets: config.facets.clone(),
                style,
                values: vocabulary.declared.clone(),
            });
        }
        vocabulary
    }

    fn declared_values(&self) -> Values {
        let mut declared = Values::new();
        for (name, facet) in &self.config.facets {
            for v in &facet.values {
                if let Ok(value) = self.build(name, &v.id) {
                    declared
                        .entry(name.clone())
                        .or_default()
                        .insert(v.id.clone(), Shared::new(value));
                }
            }
        }
        declared
    }

    /// The value `id` of `facet`. A facet that site.toml does not declare accepts any value.
    pub(crate) fn value(&self, facet: &str, id: &str) -> Result<Shared<FacetValue>, UnknownValue> {
        if let Some(value) = self.declared.get(facet).and_then(|values| values.get(id)) {
            return Ok(value.clone());
        }
        self.build(facet, id).map(Shared::new)
    }

    fn build(&self, facet: &str, id: &str) -> Result<FacetValue, UnknownValue> {
        let slug = slug::slugify(id);
        let url = self.style.page(&format!("{}/{slug}", slug::slugify(facet)));
        let Some(declared) = self.config.facet(facet) else {
            return Ok(FacetValue {
                facet: facet.to_string(),
                facet_label: facet.to_string(),
                id: id.to_string(),
                label: id.to_string(),
                description: String::new(),
                slug,
                url,
                position: None,
            });
        };
        match declared.values.iter().position(|v| v.id == id) {
            Some(position) => {
                let v = &declared.values[position];
                Ok(FacetValue {
                    facet: facet.to_string(),
                    facet_label: declared.label.clone(),
                    id: v.id.clone(),
                    label: v.label().to_string(),
                    description: v.description.clone(),
                    slug,
                    url,
                    position: Some(position),
                })
            }
            None => {
                let allowed: Vec<&str> = declared.ids().collect();
                Err(UnknownValue {
                    message: format!("unknown {facet} `{id}`"),
                    hint: did_you_mean_hint(id, allowed.iter().copied()).unwrap_or_else(|| {
                        format!(
                            "{facet} is one of: {} (declared in site.toml)",
                            allowed.join(", ")
                        )
                    }),
                })
            }
        }
    }

    /// Every declared facet with its values and empty counts, in declaration order.
    pub(crate) fn facets(&self) -> Vec<Facet> {
        self.config
            .facets
            .iter()
            .map(|(name, declared)| Facet {
                name: name.clone(),
                label: declared.label.clone(),
                description: declared.description.clone(),
                url: self.style.page(&slug::slugify(name)),
                values: declared
                    .values
                    .iter()
                    .filter_map(|v| self.value(name, &v.id).ok())
                    .map(|value| FacetValueCount { value, count: 0 })
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostics;

    fn config(stage_label: &str) -> SiteConfig {
        let text = format!(
            "title = \"T\"\n[facets.stage]\nlabel = \"{stage_label}\"\nvalues = [{{ id = \"test\" }}, {{ id = \"scale\" }}]\n"
        );
        SiteConfig::parse(&text, &mut Diagnostics::new()).expect("a valid site.toml")
    }

    fn is_same(a: &Shared<FacetValue>, b: &Shared<FacetValue>) -> bool {
        std::ptr::eq::<FacetValue>(&**a, &**b)
    }

    #[test]
    fn a_kept_vocabulary_gives_the_same_values_while_the_facets_are_the_same() {
        let style = UrlStyle::default();
        let mut kept = None;
        let first = config("Stage");
        let value = |vocabulary: &Vocabulary| vocabulary.value("stage", "test").ok();
        let before = value(&Vocabulary::new(&first, style, Some(&mut kept))).expect("declared");

        // The same facets (a site.toml read again): the very same shared value.
        let again = config("Stage");
        let same = value(&Vocabulary::new(&again, style, Some(&mut kept))).expect("declared");
        assert!(is_same(&before, &same));

        // A new label: a new value, which the next build keeps in turn.
        let relabelled = config("Phase");
        let after = value(&Vocabulary::new(&relabelled, style, Some(&mut kept))).expect("declared");
        assert!(!is_same(&before, &after));
        assert_eq!(after.facet_label, "Phase");
        let next = value(&Vocabulary::new(&relabelled, style, Some(&mut kept))).expect("declared");
        assert!(is_same(&after, &next));

        // Portable URLs change every value's address.
        let portable = UrlStyle { portable: true };
        let other =
            value(&Vocabulary::new(&relabelled, portable, Some(&mut kept))).expect("declared");
        assert!(!is_same(&after, &other));
        assert!(other.url.ends_with("index.html"));
    }
}
