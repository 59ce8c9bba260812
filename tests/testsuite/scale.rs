//! Inputs far larger than usual stay cheap: a facet with many values does not list them
//! all on each value's page (that would write values × values links); bench/linear.sh
//! times the other outsized inputs.

use crate::support::{Review, broken_links};

#[test]
fn a_facet_with_many_values_links_its_own_page_instead_of_listing_every_sibling() {
    let review = Review::fixture("check/base");
    let mut site_toml = review.read("site.toml");
    let values: Vec<String> = (1..=60).map(|i| format!("{{ id = \"v{i}\" }}")).collect();
    site_toml.push_str(&format!(
        "\n[facets.framed_as]\nlabel = \"Framed as\"\nvalues = [{}]\n",
        values.join(", ")
    ));
    review.write("site.toml", &site_toml);
    let alpha = review.read("content/case-studies/alpha.md");
    review.write(
        "content/case-studies/alpha.md",
        &alpha.replacen("stage: scale\n", "stage: scale\nframed_as: [v1, v2]\n", 1),
    );
    let site = review.build(&[]);
    let page = std::fs::read_to_string(site.join("framed-as/v1/index.html")).expect("v1 page");
    assert!(
        page.contains(r#"<p class="sibling-values"><a href="../../framed-as/">All 60 values of framed as</a></p>"#),
        "{page}"
    );
    assert!(!page.contains("framed-as/v2/"), "no sibling list: {page}");
    assert_eq!(broken_links(&site), Vec::<String>::new());
}
