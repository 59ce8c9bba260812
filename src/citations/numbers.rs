//! Citations of one entry that differ only in a number ("p. 10", "p. 90"), formatted once.
//!
//! A review cites its sources at thousands of distinct pages, and hayagriva renders each
//! citation through the whole style twice: about a second for 10,000 case studies, while
//! the rest of a build waits for it. When the style cannot make a citation's text depend on
//! where the citation stands among the others (it tests no `position` and sets no
//! et-al-subsequent options), the citation of an entry at page 90 is its citation at page
//! 10 with the number changed. So each entry's citations whose locator ends in a plain
//! number are formatted once per label, with a stand-in number that is then replaced (all
//! but the entry's first two citations, which decide how hayagriva tells entries apart).
//! Twice, with two stand-ins, to be sure the style prints the number as given (not as an
//! ordinal or a roman numeral, say): when the two disagree, or anything else is in doubt,
//! every citation is formatted on its own, as before.

use std::collections::HashMap;

use hayagriva::Entry;
use hayagriva::citationberg::IndependentStyle;

use super::{Formatted, Style, format_all};

/// Two numbers no real locator is likely to hold, differing in the last digit so that an
/// ordinal suffix ("1st", "2nd") shows as a difference.
const STAND_INS: [&str; 2] = ["918273641", "918273652"];

/// [`format_all`], formatting citations that differ only in their locator's number once.
/// What comes out is what [`format_all`] gives for `wanted`.
pub(super) fn format_sharing_numbers(
    style: &Style,
    wanted: &[(&Entry, &str)],
) -> Result<Formatted, String> {
    match format_shared(style, wanted)? {
        Some(formatted) => Ok(formatted),
        None => format_all(style, wanted),
    }
}

/// The citations of `wanted` formatted sharing numbers; `None` when the style or the
/// citations leave nothing to share, or a pair of stand-ins came out differently.
fn format_shared(style: &Style, wanted: &[(&Entry, &str)]) -> Result<Option<Formatted>, String> {
    if !citations_ignore_position(&style.csl) {
        return Ok(None);
    }
    let plan = Plan::new(wanted);
    if plan.stand_ins.is_empty() {
        return Ok(None);
    }
    let reduced: Vec<(&Entry, &str)> = plan
        .reduced
        .iter()
        .map(|(entry, locator)| (*entry, locator.as_str()))
        .collect();
    let formatted = format_all(style, &reduced)?;
    Ok(plan.expand(formatted))
}

/// Whether nothing in the style can make a citation differ by its place among the
/// others: no `position` test (first, subsequent, ibid, near-note) and no
/// `et-al-subsequent-*` name option, in the citation layout or any macro. A style that
/// cannot be read back this way counts as one that can.
fn citations_ignore_position(csl: &IndependentStyle) -> bool {
    let parts = [
        serde_json::to_value(&csl.citation),
        serde_json::to_value(&csl.macros),
        serde_json::to_value(&csl.settings),
    ];
    parts.iter().all(|part| match part {
        Ok(value) => !names_position(value),
        Err(_) => false,
    })
}

/// Whether `value` sets an attribute that depends on a citation's position.
fn names_position(value: &serde_json::Value) -> bool {
    const ATTRIBUTES: [&str; 3] = [
        "@position",
        "@et-al-subsequent-min",
        "@et-al-subsequent-use-first",
    ];
    match value {
        serde_json::Value::Object(map) => map.iter().any(|(key, value)| {
            (ATTRIBUTES.contains(&key.as_str()) && !value.is_null()) || names_position(value)
        }),
        serde_json::Value::Array(items) => items.iter().any(names_position),
        _ => false,
    }
}

/// A locator split into its label and a plain number at its end (`p. ` and `90`), when
/// it is one: the number has no leading zero and nothing before it is a digit, so no
/// range or compound locator is split.
fn split_number(locator: &str) -> Option<(&str, &str)> {
    let locator = locator.trim();
    let label = locator.trim_end_matches(|c: char| c.is_ascii_digit());
    let number = &locator[label.len()..];
    let plain = (1..=STAND_INS[0].len()).contains(&number.len())
        && !number.starts_with('0')
        && !label.contains(|c: char| c.is_ascii_digit());
    plain.then_some((label, number))
}

/// For each wanted citation, its locator's label and number when it is at least the
/// entry's third citation and its locator ends in a plain number.
fn later_numbered<'a>(wanted: &[(&Entry, &'a str)]) -> Vec<Option<(&'a str, &'a str)>> {
    let mut cited: HashMap<&str, usize> = HashMap::new();
    wanted
        .iter()
        .map(|&(entry, locator)| {
            let times = cited.entry(entry.key()).or_default();
            *times += 1;
            split_number(locator).filter(|_| *times > 2)
        })
        .collect()
}

/// Where a wanted citation's text comes from in the reduced run.
enum Slot<'a> {
    /// Its own citation, at this index.
    Own(usize),
    /// This pair of stand-ins, with its number put in.
    Shared(usize, &'a str),
}

/// The citations to format: each wanted one, except that an entry's later citations under
/// one label with a plain number become one pair of stand-ins.
///
/// hayagriva tells apart entries that would be cited alike (adding initials or a year
/// suffix) in an order, and within a number of rounds, that follow where each entry is
/// first and second cited. So those two citations of every entry stay where they were, and
/// the pairs come after everything else: formatting sharing numbers then tells apart the
/// same entries as formatting every citation.
struct Plan<'a> {
    reduced: Vec<(&'a Entry, String)>,
    slots: Vec<Slot<'a>>,
    /// The index in `reduced` of each pair of stand-ins.
    stand_ins: Vec<usize>,
}

impl<'a> Plan<'a> {
    fn new(wanted: &[(&'a Entry, &'a str)]) -> Plan<'a> {
        let later = later_numbered(wanted);
        let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
        for ((entry, _), later) in wanted.iter().zip(&later) {
            if let Some((label, _)) = later {
                *counts.entry((entry.key(), label)).or_default() += 1;
            }
        }
        let mut plan = Plan {
            reduced: Vec::with_capacity(wanted.len()),
            slots: Vec::with_capacity(wanted.len()),
            stand_ins: Vec::new(),
        };
        let mut pairs: Vec<(&Entry, &str)> = Vec::new();
        let mut pair_of: HashMap<(&str, &str), usize> = HashMap::new();
        for (&(entry, locator), later) in wanted.iter().zip(&later) {
            match later {
                Some((label, number)) if counts[&(entry.key(), *label)] > 1 => {
                    let pair = *pair_of.entry((entry.key(), label)).or_insert_with(|| {
                        pairs.push((entry, label));
                        pairs.len() - 1
                    });
                    plan.slots.push(Slot::Shared(pair, number));
                }
                _ => {
                    plan.slots.push(Slot::Own(plan.reduced.len()));
                    plan.reduced.push((entry, locator.to_string()));
                }
            }
        }
        for (entry, label) in pairs {
            plan.stand_ins.push(plan.reduced.len());
            for stand_in in STAND_INS {
                plan.reduced.push((entry, format!("{label}{stand_in}")));
            }
        }
        plan
    }

    /// Each wanted citation's text, from the reduced run's; `None` when a pair of
    /// stand-ins did not come out as the same text around its number.
    fn expand(self, formatted: Formatted) -> Option<Formatted> {
        let shapes = self
            .stand_ins
            .iter()
            .map(|&at| {
                let first = Shape::of(formatted.citations.get(at)?, STAND_INS[0])?;
                let second = Shape::of(formatted.citations.get(at + 1)?, STAND_INS[1])?;
                (first == second).then_some(first)
            })
            .collect::<Option<Vec<Shape<'_>>>>()?;
        let citations = self
            .slots
            .iter()
            .map(|slot| match *slot {
                Slot::Own(at) => formatted.citations.get(at).cloned(),
                Slot::Shared(pair, number) => shapes.get(pair).map(|shape| shape.with(number)),
            })
            .collect::<Option<Vec<String>>>()?;
        Some(Formatted {
            items: formatted.items,
            citations,
        })
    }
}

/// How a citation formatted with a stand-in number holds it.
#[derive(Debug, PartialEq)]
enum Shape<'t> {
    /// Once, with this text before and after.
    Around(&'t str, &'t str),
    /// Not at all: the style does not print the locator (`[12]`).
    Without(&'t str),
}

impl<'t> Shape<'t> {
    /// `None` when the stand-in is there more than once.
    fn of(text: &'t str, stand_in: &str) -> Option<Shape<'t>> {
        match text.split_once(stand_in) {
            None => Some(Shape::Without(text)),
            Some((before, after)) => {
                (!after.contains(stand_in)).then_some(Shape::Around(before, after))
            }
        }
    }

    fn with(&self, number: &str) -> String {
        match self {
            Shape::Around(before, after) => format!("{before}{number}{after}"),
            Shape::Without(text) => text.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_number_at_the_end_is_split_off() {
        assert_eq!(split_number("p. 90"), Some(("p. ", "90")));
        assert_eq!(split_number(" chapter 3 "), Some(("chapter ", "3")));
        assert_eq!(split_number("12"), Some(("", "12")));
        assert_eq!(split_number("pp. 4-6"), None);
        assert_eq!(split_number("p. 090"), None);
        assert_eq!(split_number("p. iv"), None);
        assert_eq!(split_number("table 2.1"), None);
        assert_eq!(split_number("p. 1234567890"), None);
    }

    const LIBRARY: &str = r#"
smith2019a:
  type: report
  title: Keeping families together
  author: ["Smith, Jane", "Jones, Ann", "Brown, Kay"]
  date: 2019
  publisher: Example Trust
smith2019b:
  type: report
  title: Staying close
  author: ["Smith, Jane", "Jones, Ann", "Green, Lee"]
  date: 2019
  publisher: Example Trust
okafor2021:
  type: article
  title: Family group conferences at scale
  author: ["Okafor, Ngozi"]
  date: 2021
  parent:
    type: periodical
    title: Child Care in Practice
    volume: 12
"#;

    /// Where `LIBRARY` is cited, in reading order, then each entry without a locator, as
    /// `apply` asks for them.
    fn wanted(library: &hayagriva::Library) -> Vec<(&Entry, &'static str)> {
        let entry = |key: &str| library.get(key).expect("the test library has the key");
        let locators = [
            ("smith2019a", "p. 10"),
            ("okafor2021", "p. 3"),
            ("smith2019b", "p. 10"),
            ("smith2019a", "p. 90"),
            ("smith2019a", "chapter 2"),
            ("okafor2021", "p. 31"),
            ("smith2019b", "pp. 4-6"),
            ("smith2019a", "p. 1"),
            ("okafor2021", "abstract"),
            ("smith2019a", "chapter 11"),
            ("okafor2021", "p. 3000"),
            ("smith2019b", "p. 5"),
            ("okafor2021", "p. 7"),
            ("smith2019b", "p. 50"),
            ("smith2019a", "p. 2"),
            ("okafor2021", "p. 12"),
            ("smith2019b", "p. 1"),
        ];
        let mut wanted: Vec<(&Entry, &str)> =
            locators.iter().map(|(k, l)| (entry(k), *l)).collect();
        wanted.extend(library.iter().map(|e| (e, "")));
        // Four entry and label pairs are cited more than twice with a plain number.
        assert_eq!(Plan::new(&wanted).stand_ins.len(), 4);
        wanted
    }

    /// The citations `LIBRARY` gets in `style`, formatted one by one, and sharing numbers
    /// (`None` when that gave up).
    fn both_ways(style: &str) -> (Formatted, Option<Formatted>) {
        let library = hayagriva::io::from_yaml_str(LIBRARY).expect("the test library parses");
        let wanted = wanted(&library);
        let style = Style::archived(style);
        let alone = format_all(&style, &wanted).expect("formats one by one");
        let shared = format_shared(&style, &wanted).expect("formats sharing numbers");
        (alone, shared)
    }

    fn texts(formatted: &Formatted) -> (Vec<String>, Vec<String>) {
        let items = formatted.items.iter().map(|i| i.html.clone()).collect();
        (formatted.citations.clone(), items)
    }

    #[test]
    fn sharing_numbers_gives_the_text_of_citations_formatted_alone() {
        for style in [
            "apa",
            "harvard-cite-them-right",
            "vancouver",
            "ieee",
            "modern-language-association",
            "american-medical-association",
            "nature",
        ] {
            let (alone, shared) = both_ways(style);
            let shared = shared.unwrap_or_else(|| panic!("{style} shares numbers"));
            assert_eq!(texts(&alone), texts(&shared), "{style}");
        }
        // Year suffixes tell the two Smith reports apart, shared or not.
        let (alone, _) = both_ways("apa");
        assert!(
            alone.citations[0].contains("2019a"),
            "{}",
            alone.citations[0]
        );
    }

    /// Eight surnames, each with two authors of the same initial publishing in the same
    /// year, cited at many pages in a scrambled order: more pairs cited alike than
    /// hayagriva tells apart in its rounds (it gives three of them year suffixes), so which
    /// it tells apart depends on the order of the first citations. (Keeping only each
    /// entry's first citation in place fails this test.)
    #[test]
    fn sharing_numbers_tells_apart_the_same_entries() {
        let surnames = [
            "Clarke", "Patel", "Munro", "Stanley", "Harris", "Evans", "Dixon", "Rodger",
        ];
        let mut yaml = String::new();
        for (i, surname) in surnames.iter().enumerate() {
            for given in ["Jane", "John"] {
                yaml.push_str(&format!(
                    "{surname}-{given}:\n  type: report\n  title: Report {i} by {given}\n  author: [\"{surname}, {given}\"]\n  date: {}\n  publisher: Example Trust\n",
                    2001 + i
                ));
            }
        }
        let library = hayagriva::io::from_yaml_str(&yaml).expect("the test library parses");
        let entries: Vec<&Entry> = library.iter().collect();
        let pages: Vec<String> = (0..160)
            .map(|k| format!("p. {}", (k * 13) % 211 + 1))
            .collect();
        let mut wanted: Vec<(&Entry, &str)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (k, page) in pages.iter().enumerate() {
            let entry = entries[(k * 7 + k * k * 3) % entries.len()];
            if seen.insert((entry.key(), page.as_str())) {
                wanted.push((entry, page));
            }
        }
        wanted.extend(entries.iter().map(|e| (*e, "")));
        let style = Style::archived("apa");
        let alone = format_all(&style, &wanted).expect("formats one by one");
        let shared = format_shared(&style, &wanted)
            .expect("formats sharing numbers")
            .expect("apa shares numbers");
        assert!(Plan::new(&wanted).reduced.len() < wanted.len() / 2);
        assert_eq!(texts(&alone), texts(&shared));
    }

    #[test]
    fn a_style_that_tests_position_is_formatted_one_by_one() {
        let ignores = |name: &str| citations_ignore_position(&Style::archived(name).csl);
        assert!(ignores("apa"));
        assert!(ignores("vancouver"));
        let library = hayagriva::io::from_yaml_str(LIBRARY).expect("the test library parses");
        let wanted = wanted(&library);
        for name in ["chicago-notes", "chicago-author-date"] {
            assert!(!ignores(name), "{name}");
            let style = Style::archived(name);
            let shared = format_shared(&style, &wanted).expect("formats");
            assert!(shared.is_none(), "{name} does not share numbers");
            let alone = format_all(&style, &wanted).expect("formats one by one");
            let through = format_sharing_numbers(&style, &wanted).expect("formats");
            assert_eq!(texts(&through), texts(&alone), "{name}");
        }
    }
}
