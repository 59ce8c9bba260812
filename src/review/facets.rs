//! Facet values: checking what authors wrote against `site.toml`, and the facet listings.

use std::collections::HashMap;

use crate::config::SiteConfig;
use crate::diagnostics::did_you_mean_hint;
use crate::shared::Shared;

use super::model::{Facet, FacetValue, FacetValueCount};
use super::urls::UrlStyle;

/// Resolves facet values against the declared vocabulary. Each declared value is built
/// once and shared by every case study and finding that has it.
pub(crate) struct Vocabulary<'a> {
    pub config: &'a SiteConfig,
    pub style: UrlStyle,
    declared: HashMap<(String, String), Shared<FacetValue>>,
}

/// Why a value was not accepted, with a hint.
pub(crate) struct UnknownValue {
    pub message: String,
    pub hint: String,
}

impl<'a> Vocabulary<'a> {
    pub(crate) fn new(config: &'a SiteConfig, style: UrlStyle) -> Self {
        let mut vocabulary = Vocabulary {
            config,
            style,
            declared: HashMap::new(),
        };
        let mut declared = HashMap::new();
        for (name, facet) in &config.facets {
            for v in &facet.values {
                if let Ok(value) = vocabulary.build(name, &v.id) {
                    declared.insert((name.clone(), v.id.clone()), Shared::new(value));
                }
            }
        }
        vocabulary.declared = declared;
        vocabulary
    }

    /// The value `id` of `facet`. A facet that site.toml does not declare accepts any value.
    pub(crate) fn value(&self, facet: &str, id: &str) -> Result<Shared<FacetValue>, UnknownValue> {
        if let Some(value) = self.declared.get(&(facet.to_string(), id.to_string())) {
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
            });
        };
        match declared.values.iter().find(|v| v.id == id) {
            Some(v) => Ok(FacetValue {
                facet: facet.to_string(),
                facet_label: declared.label.clone(),
                id: v.id.clone(),
                label: v.label().to_string(),
                description: v.description.clone(),
                slug,
                url,
            }),
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
