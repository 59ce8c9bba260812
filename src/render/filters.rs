//! Filters tessera adds to Tera for themes: what drawing in a template needs and Tera
//! lacks.

use tera::{Kwargs, State, Tera, TeraResult};

/// Registers every filter of this module.
pub(super) fn register(tera: &mut Tera) {
    tera.register_filter("fixed", fixed);
}

/// A number with a fixed count of decimals (`places`, default 0), as SVG coordinates want
/// it: `{{ 7.26 | fixed(places=1) }}` gives `7.2`, `{{ 0.5 | fixed(places=2) }}` `0.50`.
fn fixed(value: f64, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let places = kwargs.get::<usize>("places")?.unwrap_or(0);
    Ok(format!("{value:.places$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_decimals_asked_for() {
        let mut tera = Tera::new();
        register(&mut tera);
        let out = tera
            .render_str(
                "{{ 0.5 | fixed(places=2) }} {{ 7.26 | fixed(places=1) }} {{ 3 | fixed }}",
                &tera::Context::new(),
                false,
            )
            .expect("render");
        assert_eq!(out, "0.50 7.3 3");
    }
}
