//! Bibliography entries as BibLaTeX (`.bib`) and RIS (`.ris`), for reference managers.
//!
//! hayagriva reads BibLaTeX but does not write it, so both formats are written here from
//! an entry's fields; a test reads the `.bib` back with hayagriva.

use hayagriva::Entry;
use hayagriva::types::{EntryType, Person};

/// The entries as one BibLaTeX file.
pub(crate) fn biblatex<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> String {
    let mut out = String::new();
    for entry in entries {
        out.push_str(&biblatex_entry(entry));
        out.push('\n');
    }
    out
}

/// The entries as one RIS file.
pub(crate) fn ris<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> String {
    let mut out = String::new();
    for entry in entries {
        out.push_str(&ris_entry(entry));
    }
    out
}

/// The first parent, where an article's journal or a page's website is.
fn parent(entry: &Entry) -> Option<&Entry> {
    entry.parents().first()
}

fn title(entry: &Entry) -> Option<String> {
    entry.title().map(|t| t.to_string())
}

fn publisher(entry: &Entry) -> Option<String> {
    entry
        .publisher()
        .and_then(|p| p.name())
        .or_else(|| {
            parent(entry)
                .and_then(|p| p.publisher())
                .and_then(|p| p.name())
        })
        .map(|n| n.to_string())
}

fn authors(entry: &Entry) -> Vec<&Person> {
    entry
        .authors()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn biblatex_entry(entry: &Entry) -> String {
    let parent = parent(entry);
    let kind = match (entry.entry_type(), parent.map(Entry::entry_type)) {
        (EntryType::Article, _) => "article",
        (EntryType::Book, _) => "book",
        (EntryType::Report, _) => "report",
        (EntryType::Thesis, _) => "thesis",
        (EntryType::Web, _) => "online",
        (EntryType::Chapter | EntryType::Anthos, _) => "incollection",
        (EntryType::Proceedings, _) => "proceedings",
        (_, Some(EntryType::Proceedings)) => "inproceedings",
        _ => "misc",
    };
    let mut fields: Vec<(&str, String)> = Vec::new();
    let names = authors(entry);
    if !names.is_empty() {
        let names: Vec<String> = names.iter().map(|p| bib_name(p)).collect();
        fields.push(("author", names.join(" and ")));
    }
    if let Some(t) = title(entry) {
        fields.push(("title", bib_text(&t)));
    }
    if let Some(date) = entry.date_any() {
        let mut iso = format!("{:04}", date.year);
        if let Some(m) = date.month {
            iso.push_str(&format!("-{:02}", m + 1));
            if let Some(d) = date.day {
                iso.push_str(&format!("-{:02}", d + 1));
            }
        }
        fields.push(("date", iso));
    }
    if let Some(parent_title) = parent.and_then(title) {
        let field = match kind {
            "article" => "journaltitle",
            "incollection" | "inproceedings" => "booktitle",
            _ => "organization",
        };
        fields.push((field, bib_text(&parent_title)));
    }
    if let Some(publisher) = publisher(entry) {
        let field = if kind == "report" || kind == "thesis" {
            "institution"
        } else {
            "publisher"
        };
        fields.push((field, bib_text(&publisher)));
    }
    if kind == "report" {
        // biblatex requires a report's type; "Report" reads as it should.
        fields.push(("type", "Report".to_string()));
    }
    if let Some(volume) = entry.volume().or_else(|| parent.and_then(Entry::volume)) {
        fields.push(("volume", bib_text(&volume.to_string())));
    }
    if let Some(issue) = entry.issue().or_else(|| parent.and_then(Entry::issue)) {
        fields.push(("number", bib_text(&issue.to_string())));
    }
    if let Some(pages) = entry.page_range() {
        fields.push(("pages", bib_text(&pages.to_string())));
    }
    if let Some(doi) = entry.doi() {
        fields.push(("doi", bib_verbatim(doi)));
    }
    if let Some(issn) = entry.issn() {
        fields.push(("issn", bib_text(issn)));
    }
    if let Some(url) = entry.url_any() {
        fields.push(("url", bib_verbatim(url.value.as_str())));
    }
    let mut out = format!("@{kind}{{{},\n", bib_key(entry.key()));
    for (name, value) in fields {
        out.push_str(&format!("  {name} = {{{value}}},\n"));
    }
    out.push_str("}\n");
    out
}

/// A key BibLaTeX accepts: no spaces, commas or braces.
fn bib_key(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_whitespace()
                || matches!(
                    c,
                    ',' | '{' | '}' | '"' | '#' | '%' | '\'' | '(' | ')' | '='
                )
            {
                '-'
            } else {
                c
            }
        })
        .collect()
}

/// A person as `Family, Given`; an organisation (no given name) in braces, so BibLaTeX
/// does not take its last word for a surname.
fn bib_name(person: &Person) -> String {
    match &person.given_name {
        Some(given) => {
            let family = match &person.prefix {
                Some(prefix) => format!("{prefix} {}", person.name),
                None => person.name.clone(),
            };
            let mut name = format!("{}, {}", bib_text(&family), bib_text(given));
            if let Some(suffix) = &person.suffix {
                name = format!(
                    "{}, {}, {}",
                    bib_text(&family),
                    bib_text(suffix),
                    bib_text(given)
                );
            }
            name
        }
        None => format!("{{{}}}", bib_text(&person.name)),
    }
}

/// Text with BibLaTeX's special characters escaped.
fn bib_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '%' | '&' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            _ => out.push(c),
        }
    }
    out
}

/// A verbatim field (URL, DOI): only braces would break it, and `%` starts a comment.
fn bib_verbatim(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '{' => "%7B".to_string(),
            '}' => "%7D".to_string(),
            _ => c.to_string(),
        })
        .collect()
}

fn ris_entry(entry: &Entry) -> String {
    let parent = parent(entry);
    let kind = match entry.entry_type() {
        EntryType::Article => "JOUR",
        EntryType::Book => "BOOK",
        EntryType::Report => "RPRT",
        EntryType::Thesis => "THES",
        EntryType::Web => "ELEC",
        EntryType::Chapter | EntryType::Anthos => "CHAP",
        _ => "GEN",
    };
    let mut lines = vec![("TY", kind.to_string())];
    for person in authors(entry) {
        let name = match &person.given_name {
            Some(given) => format!("{}, {given}", person.name),
            None => person.name.clone(),
        };
        lines.push(("AU", name));
    }
    if let Some(t) = title(entry) {
        lines.push(("TI", t));
    }
    if let Some(date) = entry.date_any() {
        lines.push(("PY", format!("{:04}", date.year)));
        let month = date
            .month
            .map_or(String::new(), |m| format!("{:02}", m + 1));
        let day = date.day.map_or(String::new(), |d| format!("{:02}", d + 1));
        lines.push(("DA", format!("{:04}/{month}/{day}/", date.year)));
    }
    if let Some(parent_title) = parent.and_then(title) {
        lines.push(("T2", parent_title));
    }
    if let Some(publisher) = publisher(entry) {
        lines.push(("PB", publisher));
    }
    if let Some(volume) = entry.volume().or_else(|| parent.and_then(Entry::volume)) {
        lines.push(("VL", volume.to_string()));
    }
    if let Some(issue) = entry.issue().or_else(|| parent.and_then(Entry::issue)) {
        lines.push(("IS", issue.to_string()));
    }
    if let Some(pages) = entry.page_range() {
        lines.push(("SP", pages.to_string()));
    }
    if let Some(doi) = entry.doi() {
        lines.push(("DO", doi.to_string()));
    }
    if let Some(issn) = entry.issn() {
        lines.push(("SN", issn.to_string()));
    }
    if let Some(url) = entry.url_any() {
        lines.push(("UR", url.value.to_string()));
    }
    lines.push(("ER", String::new()));
    let mut out = String::new();
    for (tag, value) in lines {
        // A line break inside a value would start a new (broken) tag.
        let value = value.replace(['\r', '\n'], " ");
        out.push_str(format!("{tag}  - {value}").trim_end_matches(' '));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn biblatex_round_trips_through_hayagriva() {
        let yaml = r#"
a:
  type: report
  title: "Costs & benefits: 100% #1_done ~ 5"
  author: ["Forrester, Donald", "National Audit Office"]
  date: 2017-07
  publisher: Department for Education
b:
  type: article
  title: A study
  author: "Lefevre, Michelle"
  date: 2022
  serial-number: {doi: "10.1093/bjsw/bcac183"}
  parent:
    type: periodical
    title: British Journal of Social Work
"#;
        let library = hayagriva::io::from_yaml_str(yaml).expect("parses");
        let bib = biblatex(library.iter());
        let back = hayagriva::io::from_biblatex_str(&bib).expect("the .bib parses");
        let a = back.get("a").expect("a");
        assert_eq!(
            a.title().map(|t| t.to_string()).as_deref(),
            Some("Costs & benefits: 100% #1_done ~ 5")
        );
        let names: Vec<String> = a
            .authors()
            .expect("authors")
            .iter()
            .map(|p| p.name.clone())
            .collect();
        assert_eq!(names, ["Forrester", "National Audit Office"]);
        assert_eq!(
            a.date_any().map(|d| (d.year, d.month)),
            Some((2017, Some(6)))
        );
        let b = back.get("b").expect("b");
        assert_eq!(b.doi(), Some("10.1093/bjsw/bcac183"));
        assert_eq!(
            b.parents()
                .first()
                .and_then(|p| p.title())
                .map(|t| t.to_string())
                .as_deref(),
            Some("British Journal of Social Work")
        );
        let ris = ris(library.iter());
        assert!(
            ris.starts_with("TY  - RPRT\r\nAU  - Forrester, Donald\r\n"),
            "{ris}"
        );
        assert_eq!(ris.matches("ER  -").count(), 2);
    }
}
