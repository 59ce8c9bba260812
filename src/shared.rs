//! [`Shared`]: one value referred to from many places in the review model and shown on
//! many pages, stored once.
//!
//! A facet value, a link to a case study or a finding appears in hundreds of places (every
//! case study with that stage, every listing that names it). `Shared` keeps one copy behind
//! an `Arc`. A later stage that converts the model into a form of its own (render, into
//! template values) can keep its conversion of each shared value with the value, through
//! [`keeping`], so that the value is converted once however many pages show it. This
//! module knows nothing of that form: it is whatever the stage's [`Keeper`] makes.

use std::cell::Cell;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Serialize, Serializer};

/// A converted form of a shared value, kept with it: anything that serializes.
pub(crate) type Kept = Box<dyn erased_serde::Serialize + Send + Sync>;

/// Converts a shared value into the form a stage keeps of it.
pub(crate) type Keeper = fn(&dyn erased_serde::Serialize) -> Kept;

thread_local! {
    /// The keeper of the conversion running on this thread, if any.
    static KEEPER: Cell<Option<Keeper>> = const { Cell::new(None) };
}

/// Runs `convert` with `keeper` active on this thread: every [`Shared`] value serialized
/// meanwhile is converted by `keeper` the first time, and serializes as that kept form
/// from then on. One stage keeps forms (render, whose keeper makes template values); the
/// first form kept for a value is the one it keeps.
pub(crate) fn keeping<R>(keeper: Keeper, convert: impl FnOnce() -> R) -> R {
    /// Restores the previous keeper even if `convert` unwinds.
    struct Restore(Option<Keeper>);
    impl Drop for Restore {
        fn drop(&mut self) {
            KEEPER.set(self.0);
        }
    }
    let _restore = Restore(KEEPER.replace(Some(keeper)));
    convert()
}

/// A reference-counted value, with room for the form a later stage keeps of it.
pub(crate) struct Shared<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    value: T,
    kept: OnceLock<Kept>,
}

impl<T> Shared<T> {
    pub(crate) fn new(value: T) -> Self {
        Self {
            inner: Arc::new(Inner {
                value,
                kept: OnceLock::new(),
            }),
        }
    }

    /// Whether the two are the same value, not merely equal ones.
    pub(crate) fn ptr_eq(a: &Shared<T>, b: &Shared<T>) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// Whether two lists hold the same values (by [`Shared::ptr_eq`]), in order.
    pub(crate) fn all_ptr_eq(a: &[Shared<T>], b: &[Shared<T>]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(a, b)| Shared::ptr_eq(a, b))
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

/// Serializes as the value it holds; while a [`keeping`] conversion runs on this thread,
/// through the kept form instead (converted on first use).
impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match KEEPER.get() {
            Some(keeper) => {
                let kept = self.inner.kept.get_or_init(|| keeper(&self.inner.value));
                erased_serde::serialize(kept.as_ref(), serializer)
            }
            None => self.inner.value.serialize(serializer),
        }
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

    /// A keeper that records the value as JSON text, so the test sees the kept form used.
    fn as_json(value: &dyn erased_serde::Serialize) -> Kept {
        Box::new(serde_json::to_string(value).unwrap_or_default())
    }

    #[test]
    fn serializes_through_the_kept_form_while_keeping() {
        let shared = Shared::new(Label {
            text: "Scale".into(),
        });
        let json = keeping(as_json, || serde_json::to_string(&shared).expect("json"));
        assert_eq!(json, r#""{\"text\":\"Scale\"}""#);
        // Outside a conversion, the value serializes as itself again.
        let json = serde_json::to_string(&shared).expect("json");
        assert_eq!(json, r#"{"text":"Scale"}"#);
    }
}
