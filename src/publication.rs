//! The review's own bibliographic details and its citation style, as `site.toml` gives
//! them: `[publication]` and `[citations]`.
//!
//! Owns the types of those two tables and checking what serde cannot (a date that is not a
//! date). [`Publication`] is one serialisable value: templates read it as
//! `site.publication`, and the open-data files carry it as it is. Turning the style name
//! into a CSL style is the `citations` module's job.

use serde::{Deserialize, Serialize};

/// `[publication]`: who publishes the review, when, and under what licence.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// People, each `"Family, Given"` as in a reference list.
    #[serde(default)]
    pub authors: Vec<String>,
    /// An organisation as author, used when `authors` is empty.
    #[serde(default)]
    pub corporate_author: Option<String>,
    /// Who publishes the review.
    #[serde(default)]
    pub publisher: Option<String>,
    /// `2026`, `"2026-03"`, `"2026-03-01"` or a TOML date `2026-03-01`. Without it, the
    /// review's `edition` is taken as the year.
    #[serde(default)]
    pub date: Option<PublicationDate>,
    /// A licence name or SPDX identifier, e.g. `CC-BY-4.0`.
    #[serde(default)]
    pub licence: Option<String>,
    /// Where the licence text is.
    #[serde(default)]
    pub licence_url: Option<String>,
    /// The review's ISSN, if it has one.
    #[serde(default)]
    pub issn: Option<String>,
    /// A DOI without `https://doi.org/`.
    #[serde(default)]
    pub doi: Option<String>,
}

impl Publication {
    /// The authors to cite: the people, else the organisation, else nobody.
    pub fn author_names(&self) -> Vec<String> {
        if !self.authors.is_empty() {
            return self.authors.clone();
        }
        self.corporate_author.iter().cloned().collect()
    }

    /// The publication date, else the edition as a year.
    pub fn effective_date(&self, edition: Option<i64>) -> Option<PublicationDate> {
        self.date.or_else(|| {
            edition
                .and_then(|e| i32::try_from(e).ok())
                .map(|year| PublicationDate {
                    year,
                    month: None,
                    day: None,
                })
        })
    }
}

/// `[citations]`: how references are formatted.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CitationsConfig {
    /// A style of hayagriva's archive (`apa`, `harvard-cite-them-right`, `vancouver`, …)
    /// or the path of a `.csl` file relative to the review folder.
    #[serde(default = "default_style")]
    pub style: String,
}

impl Default for CitationsConfig {
    fn default() -> Self {
        Self {
            style: default_style(),
        }
    }
}

fn default_style() -> String {
    "apa".to_string()
}

/// A year, with a month and a day when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicationDate {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: Option<u8>,
    /// The day of the month, 1 to 31.
    pub day: Option<u8>,
}

impl PublicationDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<PublicationDate> {
        let mut parts = text.trim().split('-');
        let year = parts.next()?;
        if year.len() != 4 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let number = |part: Option<&str>, max: u8| -> Result<Option<u8>, ()> {
            match part {
                None => Ok(None),
                Some(p) if p.len() == 2 => match p.parse::<u8>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
                    _ => Err(()),
                },
                Some(_) => Err(()),
            }
        };
        let month = number(parts.next(), 12).ok()?;
        let day = number(parts.next(), 31).ok()?;
        if parts.next().is_some() || (day.is_some() && month.is_none()) {
            return None;
        }
        Some(PublicationDate { year, month, day })
    }

    /// `2026`, `2026-03` or `2026-03-01`.
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// Highwire's `citation_publication_date` form: `2026/03/01`, `2026/03` or `2026`.
    pub fn slashed(&self) -> String {
        self.iso().replace('-', "/")
    }
}

impl Serialize for PublicationDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for PublicationDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        const EXPECTED: &str = "a year (2026), a quoted date (\"2026-03\" or \"2026-03-01\") or a TOML date (2026-03-01)";
        let value = toml::Value::deserialize(deserializer)?;
        let text = match &value {
            toml::Value::Integer(year) => format!("{year:04}"),
            toml::Value::String(text) => text.clone(),
            toml::Value::Datetime(datetime) => match (datetime.date, datetime.time) {
                (Some(date), None) => date.to_string(),
                _ => {
                    return Err(D::Error::custom(format!(
                        "a date without a time was expected: {EXPECTED}"
                    )));
                }
            },
            other => {
                return Err(D::Error::custom(format!(
                    "invalid type: {}, expected {EXPECTED}",
                    other.type_str()
                )));
            }
        };
        PublicationDate::parse(&text)
            .ok_or_else(|| D::Error::custom(format!("`{text}` is not a date: expected {EXPECTED}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_three_precisions() {
        assert_eq!(
            PublicationDate::parse("2026").map(|d| d.iso()).as_deref(),
            Some("2026")
        );
        assert_eq!(
            PublicationDate::parse("2026-03")
                .map(|d| d.slashed())
                .as_deref(),
            Some("2026/03")
        );
        assert_eq!(
            PublicationDate::parse("2026-03-01")
                .map(|d| d.iso())
                .as_deref(),
            Some("2026-03-01")
        );
        for bad in [
            "26",
            "2026-13",
            "2026-1-01",
            "2026-03-01-02",
            "March 2026",
            "",
        ] {
            assert_eq!(PublicationDate::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn toml_dates_integers_and_strings_are_read() {
        #[derive(Deserialize)]
        struct T {
            a: PublicationDate,
            b: PublicationDate,
            c: PublicationDate,
        }
        let t: T = toml::from_str("a = 2026\nb = \"2026-03\"\nc = 2026-03-01\n").expect("parses");
        assert_eq!(
            (t.a.iso(), t.b.iso(), t.c.iso()),
            (
                "2026".to_string(),
                "2026-03".to_string(),
                "2026-03-01".to_string()
            )
        );
        assert!(toml::from_str::<T>("a = true\nb = 1\nc = 1\n").is_err());
    }
}
