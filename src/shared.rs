//! [`Shared`]: one value referred to from many places in the review model and shown on
//! many pages, stored once.
//!
//! A facet value, a link to a case study or a finding appears in hundreds of places (every
//! case study with that stage, every listing that names it). `Shared` keeps one copy behind
//! an `Arc`, and caches the value's template form the first time a page needs it: Tera
//! passes a nested template value through by reference count instead of converting it
//! again, so the template data of a large review holds each value once as well.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Serialize, Serializer};

/// A reference-counted value with a cached template form.
pub struct Shared<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    value: T,
    template: OnceLock<tera::Value>,
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Self {
            inner: Arc::new(Inner {
                value,
                template: OnceLock::new(),
            }),
        }
    }
}

impl<T: Serialize> Shared<T> {
    /// The value as Tera sees it, converted once.
    pub fn template_value(&self) -> &tera::Value {
        self.inner
            .template
            .get_or_init(|| tera::Value::from_serializable(&self.inner.value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.value.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner) || self.inner.value == other.inner.value
    }
}

impl<T: Eq> Eq for Shared<T> {}

/// Serializes through the cached template value: into Tera this is a reference-count
/// increment; into any other format (JSON) it writes the value as usual.
impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.template_value().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, PartialEq, Debug)]
    struct Label {
        text: String,
    }

    #[test]
    fn serializes_like_the_value_it_holds() {
        let shared = Shared::new(Label {
            text: "Scale".into(),
        });
        let json = serde_json::to_string(&vec![shared.clone(), shared]).expect("json");
        assert_eq!(json, r#"[{"text":"Scale"},{"text":"Scale"}]"#);
    }

    #[test]
    fn tera_sees_the_same_fields() {
        let shared = Shared::new(Label {
            text: "Scale".into(),
        });
        let mut context = tera::Context::new();
        context.insert("v", &vec![shared.clone(), shared]);
        let out = tera::Tera::one_off("{% for x in v %}{{ x.text }};{% endfor %}", &context, false)
            .expect("render");
        assert_eq!(out, "Scale;Scale;");
    }
}
