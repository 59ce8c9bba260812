//! Generates a large synthetic evidence review, for benchmarks.
//!
//! ```text
//! cargo run --release --example gen-review -- --case-studies 10000 --out DIR [--seed N]
//! ```
//!
//! Writes the same review twice, from the same data:
//!
//! - `DIR/tessera/`: a complete review in tessera's content model: `site.toml` (the facet
//!   vocabulary of the sample review; search off), `content/_index.md`, 40 themes
//!   (`content/themes/theme-NN.md`), 200 claims (`content/claims/claim-NNN.md`), a Hayagriva
//!   bibliography of 100 entries (`content/references.yaml`) and N case studies
//!   (`content/case-studies/case-NNNNN.md`), each with 2–4 themes, 2–4 findings (those of
//!   about a third of case studies without a source) and a Markdown body of 150–300,
//!   600–900 or 2,000–3,000 words (headings, paragraphs, lists, emphasis, external links,
//!   a table and 1–3 relative links to other case studies; see `case_body`).
//! - `DIR/hugo/`: an equivalent plain Hugo site (`hugo.toml`, the same pages with the same
//!   bodies, themes as a taxonomy whose term pages carry the theme text, and minimal
//!   templates in `layouts/`), so both engines render the same text. This is the plain
//!   site the performance issue compares with; `--hugo-claims` also makes claims a
//!   taxonomy with pages of their own (a heavier site, closer to what tessera builds).
//!
//! Everything is derived from the seed: the same arguments give byte-identical output.
//! Case studies are generated in parallel, each from its own seed, so the thread count does
//! not change the output.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use fastrand::Rng;

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(about = "Generate a synthetic evidence review (tessera and Hugo) for benchmarks")]
struct Args {
    /// Number of case studies to generate.
    #[arg(long, default_value_t = 1000)]
    case_studies: usize,
    /// Output folder; `tessera/` and `hugo/` are created inside it (replacing any there).
    #[arg(long)]
    out: PathBuf,
    /// Seed for the random generator.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Also make claims a Hugo taxonomy, with a page per claim.
    #[arg(long)]
    hugo_claims: bool,
    /// Add one outsized input to the tessera review, to show that cost stays linear in the
    /// input (bench/linear.sh): `content/case-studies/stress.md` and, for `facet-values`,
    /// more values of the `framed_as` facet.
    #[arg(long, value_enum)]
    stress: Option<Stress>,
    /// How big the stress input is: words, links, broken links, findings or facet values.
    #[arg(long, default_value_t = 10_000)]
    stress_size: usize,
    /// Give every case study the first theme too, as a review whose themes include one as
    /// broad as the review itself (a theme on every case study), in both sites.
    #[arg(long)]
    broad_theme: bool,
}

/// The outsized inputs `--stress` adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Stress {
    /// One case study whose body is a single line of N words (emphasis and links in it).
    LongLine,
    /// One case study linking other case studies N times.
    Links,
    /// One case study with N broken links: N errors (`broken-link`).
    Problems,
    /// One case study with N findings, half of them without a source (N/2 warnings).
    Findings,
    /// A facet (`framed_as`) with N more values, all of them given to one case study.
    FacetValues,
}

const THEME_COUNT: usize = 40;
const CLAIM_COUNT: usize = 200;
const SOURCE_COUNT: usize = 100;
const SITE_TITLE: &str = "Synthetic evidence review";
const SITE_DESCRIPTION: &str = "A generated review for benchmarking tessera.";
const BASE_URL: &str = "https://example.org/review/";
const EDITION: i64 = 2026;

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

/// One facet as declared in `site.toml`: name, label, description and `(id, label)` values.
struct Facet {
    name: &'static str,
    label: &'static str,
    description: &'static str,
    values: &'static [(&'static str, &'static str)],
}

/// The facet vocabulary of the sample review (`/site.toml`), in declaration order.
const FACETS: [Facet; 7] = [
    Facet {
        name: "stage",
        label: "Stage",
        description: "Where the innovation stands in the process of developing, embedding, testing and scaling a different way of working.",
        values: &[
            ("develop", "Develop"),
            ("embed", "Embed"),
            ("test", "Test"),
            ("scale", "Scale"),
        ],
    },
    Facet {
        name: "origin",
        label: "Origin",
        description: "Whether the model was created locally or taken from elsewhere.",
        values: &[
            ("new", "New"),
            ("adapted", "Adapted"),
            ("adopted", "Adopted"),
        ],
    },
    Facet {
        name: "framed_as",
        label: "Framed as",
        description: "How the people involved describe the work.",
        values: &[
            ("innovation", "Innovation"),
            ("improvement", "Improvement"),
            ("transformation", "Transformation"),
            ("everyday-practice", "Everyday practice"),
        ],
    },
    Facet {
        name: "perspective",
        label: "Perspective",
        description: "Whose view a finding reports.",
        values: &[
            ("evaluators", "Independent evaluators"),
            ("developers", "Programme developers"),
            ("practitioners", "Practitioners"),
            ("families", "Parents and families"),
            ("young-people", "Children and young people"),
            ("leaders", "Service leaders"),
            ("inspectors", "Inspectors and auditors"),
            ("campaigners", "Campaigning bodies"),
        ],
    },
    Facet {
        name: "design",
        label: "Study design",
        description: "How the evidence behind a finding was gathered.",
        values: &[
            ("rct", "Randomised controlled trial"),
            ("qed", "Quasi-experimental design"),
            ("pre-post", "Before and after"),
            ("mixed-methods", "Mixed methods"),
            ("qualitative", "Qualitative"),
            ("cost", "Cost analysis"),
            ("review", "Evidence review"),
            ("audit", "Audit or inspection"),
            ("practice-report", "Practice report"),
            ("commentary", "Commentary"),
        ],
    },
    Facet {
        name: "certainty",
        label: "Certainty",
        description: "How much confidence the design and conduct of the study allow in the finding.",
        values: &[
            ("high", "High"),
            ("moderate", "Moderate"),
            ("low", "Low"),
            ("very-low", "Very low"),
        ],
    },
    Facet {
        name: "region",
        label: "Region",
        description: "Where the innovation started.",
        values: &[
            ("East of England", "East of England"),
            ("London", "London"),
            ("South East", "South East"),
            ("South West", "South West"),
            ("East Midlands", "East Midlands"),
            ("West Midlands", "West Midlands"),
            ("Yorkshire and the Humber", "Yorkshire and the Humber"),
            ("North West", "North West"),
            ("North East", "North East"),
            ("England", "England (national)"),
            ("Wales", "Wales"),
            ("Scotland", "Scotland"),
            ("Northern Ireland", "Northern Ireland"),
            ("United Kingdom", "United Kingdom"),
            ("International", "International"),
        ],
    },
];

const STANCES: [&str; 3] = ["supports", "challenges", "mixed"];

/// Theme titles are "<first> <second>": 8 × 5 = 40 distinct titles.
const THEME_FIRST: [&str; 8] = [
    "Family",
    "Kinship",
    "Workforce",
    "Early",
    "Youth",
    "Multi-agency",
    "Residential",
    "Edge-of-care",
];
const THEME_SECOND: [&str; 5] = ["support", "practice", "networks", "help", "outcomes"];

const SURNAMES: [&str; 20] = [
    "Forrester",
    "Rodger",
    "Munro",
    "Ward",
    "Holmes",
    "Baginsky",
    "Bowyer",
    "Stanley",
    "Wilkins",
    "Featherstone",
    "Morris",
    "Sebba",
    "Luckock",
    "Harris",
    "Clarke",
    "Dixon",
    "Brown",
    "Evans",
    "Patel",
    "Okafor",
];
const GIVEN_NAMES: [&str; 12] = [
    "Donald", "Eileen", "Jane", "Harriet", "Mary", "Karen", "Michael", "Judith", "Anna", "Tom",
    "Sarah", "Kofi",
];
const PUBLISHERS: [&str; 6] = [
    "Department for Education",
    "What Works for Children's Social Care",
    "Nuffield Family Justice Observatory",
    "Ofsted",
    "Research in Practice",
    "National Children's Bureau",
];
const PLACES: [&str; 16] = [
    "Ashford",
    "Barnfield",
    "Carlow",
    "Dunmere",
    "Elmstead",
    "Fernhill",
    "Greyford",
    "Hollins",
    "Ivybridge",
    "Jarrow",
    "Kestle",
    "Langmoor",
    "Millbrook",
    "Northam",
    "Oakridge",
    "Penfold",
];
const ORG_KINDS: [&str; 4] = [
    "County Council",
    "Borough Council",
    "Children's Trust",
    "City Council",
];

/// Words for generated prose.
const WORDS: [&str; 96] = [
    "the",
    "team",
    "families",
    "children",
    "practice",
    "social",
    "workers",
    "support",
    "local",
    "authority",
    "model",
    "service",
    "care",
    "outcomes",
    "evidence",
    "change",
    "relationships",
    "risk",
    "safety",
    "plans",
    "young",
    "people",
    "parents",
    "school",
    "health",
    "police",
    "partners",
    "meeting",
    "caseloads",
    "supervision",
    "training",
    "budget",
    "costs",
    "data",
    "review",
    "trial",
    "pilot",
    "evaluation",
    "findings",
    "staff",
    "managers",
    "leaders",
    "area",
    "community",
    "network",
    "kinship",
    "foster",
    "residential",
    "placement",
    "stability",
    "early",
    "help",
    "referral",
    "assessment",
    "decision",
    "court",
    "order",
    "protection",
    "neglect",
    "abuse",
    "domestic",
    "mental",
    "substance",
    "housing",
    "poverty",
    "trust",
    "voice",
    "participation",
    "consistent",
    "strengths-based",
    "relational",
    "restorative",
    "systemic",
    "whole-family",
    "multi-agency",
    "flexible",
    "intensive",
    "timely",
    "stable",
    "positive",
    "lasting",
    "measured",
    "reported",
    "improved",
    "reduced",
    "increased",
    "helped",
    "shared",
    "learned",
    "built",
    "changed",
    "across",
    "within",
    "between",
    "during",
    "after",
];
const LINK_TEXTS: [&str; 6] = [
    "the evaluation report",
    "published guidance",
    "the practice framework",
    "an independent review",
    "the local data",
    "a briefing paper",
];
const LINK_HOSTS: [&str; 3] = [
    "https://www.example.org",
    "https://evidence.example.net",
    "https://research.example.com",
];
const HEADINGS: [&str; 6] = [
    "Background",
    "What changed",
    "How it works",
    "Evidence",
    "Related case studies",
    "Lessons",
];

// ---------------------------------------------------------------------------------------------
// The review's data
// ---------------------------------------------------------------------------------------------

struct Theme {
    slug: String,
    title: String,
    summary: String,
}

struct Claim {
    slug: String,
    title: String,
    summary: String,
    themes: [usize; 2],
}

struct Source {
    key: String,
    title: String,
    author: String,
    year: i32,
    publisher: &'static str,
}

struct Finding {
    claim: usize,
    stance: &'static str,
    perspective: &'static str,
    design: &'static str,
    certainty: &'static str,
    /// `None` for a finding written without its source (a `finding-without-source` warning).
    source: Option<usize>,
    locator: String,
    note: String,
}

struct CaseStudy {
    number: usize,
    title: String,
    summary: String,
    organisations: Vec<String>,
    region: &'static str,
    start: i32,
    end: Option<i32>,
    edition: i64,
    stage: &'static str,
    origin: &'static str,
    adapted_from: Option<usize>,
    framed_as: Vec<&'static str>,
    themes: Vec<usize>,
    sources: Vec<usize>,
    findings: Vec<Finding>,
    /// Seed of the body text, so both engines get the same body.
    body_seed: u64,
}

/// The shared part of the review: everything but the case studies.
struct Review {
    themes: Vec<Theme>,
    claims: Vec<Claim>,
    sources: Vec<Source>,
    /// Every case study also has the first theme (`--broad-theme`).
    broad_theme: bool,
}

/// How a body links to another case study.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Engine {
    /// `[Case 00042](case-00042.md)`, resolved by tessera.
    Tessera,
    /// `[Case 00042](../case-00042/)`, a plain relative link for Hugo.
    Hugo,
}

fn facet(name: &str) -> &'static Facet {
    FACETS
        .iter()
        .find(|f| f.name == name)
        .expect("facet is declared")
}

fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}

fn pick_facet(rng: &mut Rng, name: &str) -> &'static str {
    pick(rng, facet(name).values).0
}

/// `amount` distinct indices below `len`, in ascending order.
fn distinct(rng: &mut Rng, len: usize, amount: usize) -> Vec<usize> {
    let mut picked = rng.choose_multiple(0..len, amount.min(len));
    picked.sort_unstable();
    picked
}

fn case_slug(number: usize) -> String {
    format!("case-{number:05}")
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A sentence of `min..=max` words, capitalised and ending in a full stop.
fn sentence(rng: &mut Rng, min: usize, max: usize) -> String {
    let count = rng.usize(min..=max);
    let mut text = capitalise(pick(rng, &WORDS));
    for _ in 1..count {
        text.push(' ');
        text.push_str(pick(rng, &WORDS));
    }
    text.push('.');
    text
}

/// A short phrase without the full stop.
fn phrase(rng: &mut Rng, min: usize, max: usize) -> String {
    let mut text = sentence(rng, min, max);
    text.pop();
    text
}

fn generate_themes(rng: &mut Rng) -> Vec<Theme> {
    (0..THEME_COUNT)
        .map(|i| Theme {
            slug: format!("theme-{:02}", i + 1),
            title: format!(
                "{} {}",
                THEME_FIRST[i / THEME_SECOND.len()],
                THEME_SECOND[i % THEME_SECOND.len()]
            ),
            summary: sentence(rng, 8, 14),
        })
        .collect()
}

fn generate_claims(rng: &mut Rng) -> Vec<Claim> {
    (0..CLAIM_COUNT)
        .map(|i| {
            let themes = distinct(rng, THEME_COUNT, 2);
            Claim {
                slug: format!("claim-{:03}", i + 1),
                title: phrase(rng, 4, 7),
                summary: sentence(rng, 10, 16),
                themes: [themes[0], themes[1]],
            }
        })
        .collect()
}

fn generate_sources(rng: &mut Rng) -> Vec<Source> {
    (0..SOURCE_COUNT)
        .map(|i| {
            let surname = pick(rng, &SURNAMES);
            let year = rng.i32(2005..=2025);
            Source {
                key: format!("{}{year}-{:03}", surname.to_lowercase(), i + 1),
                title: phrase(rng, 5, 10),
                author: format!("{surname}, {}", pick(rng, &GIVEN_NAMES)),
                year,
                publisher: pick(rng, &PUBLISHERS),
            }
        })
        .collect()
}

fn generate_review(seed: u64, broad_theme: bool) -> Review {
    let mut rng = Rng::with_seed(seed);
    Review {
        themes: generate_themes(&mut rng),
        claims: generate_claims(&mut rng),
        sources: generate_sources(&mut rng),
        broad_theme,
    }
}

/// The seed of case study `number`: independent of the others, so they can be made in
/// parallel and in any order.
fn case_seed(seed: u64, number: usize) -> u64 {
    let mut mix = Rng::with_seed(seed ^ (number as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    mix.u64(..)
}

/// A case study's themes, with the first theme added under `--broad-theme`.
fn broadened(mut themes: Vec<usize>, review: &Review) -> Vec<usize> {
    if review.broad_theme && !themes.contains(&0) {
        themes.insert(0, 0);
    }
    themes
}

fn organisation(rng: &mut Rng) -> String {
    format!("{} {}", pick(rng, &PLACES), pick(rng, &ORG_KINDS))
}

fn generate_finding(rng: &mut Rng, review: &Review, sourced: bool) -> Finding {
    Finding {
        claim: rng.usize(..review.claims.len()),
        stance: pick(rng, &STANCES),
        perspective: pick_facet(rng, "perspective"),
        design: pick_facet(rng, "design"),
        certainty: pick_facet(rng, "certainty"),
        source: sourced.then(|| rng.usize(..review.sources.len())),
        locator: format!("p. {}", rng.u32(1..=120)),
        note: sentence(rng, 8, 16),
    }
}

fn generate_case_study(seed: u64, number: usize, review: &Review) -> CaseStudy {
    let mut rng = Rng::with_seed(case_seed(seed, number));
    let place = pick(&mut rng, &PLACES);
    let start = rng.i32(2005..=2024);
    let origin = pick_facet(&mut rng, "origin");
    // Like a real review in progress: about a third of case studies give no source for
    // their findings (each a `finding-without-source` warning).
    let sourced = rng.usize(..3) != 0;
    let findings: Vec<Finding> = (0..rng.usize(2..=4))
        .map(|_| generate_finding(&mut rng, review, sourced))
        .collect();
    let framed_count = rng.usize(1..=2);
    let theme_count = rng.usize(2..=4);
    let mut sources: Vec<usize> = findings.iter().filter_map(|f| f.source).collect();
    sources.sort_unstable();
    sources.dedup();
    CaseStudy {
        number,
        title: format!(
            "{place}: {} (case {number})",
            phrase(&mut rng, 2, 4).to_lowercase()
        ),
        summary: sentence(&mut rng, 10, 18),
        organisations: (0..rng.usize(1..=2))
            .map(|_| organisation(&mut rng))
            .collect(),
        region: pick_facet(&mut rng, "region"),
        start,
        end: rng.bool().then(|| start + rng.i32(1..=4)),
        edition: rng.i64(2022..=EDITION),
        stage: pick_facet(&mut rng, "stage"),
        origin,
        adapted_from: (origin == "adapted" && number > 1 && rng.bool())
            .then(|| rng.usize(1..number)),
        framed_as: distinct(&mut rng, facet("framed_as").values.len(), framed_count)
            .into_iter()
            .map(|i| facet("framed_as").values[i].0)
            .collect(),
        themes: broadened(distinct(&mut rng, review.themes.len(), theme_count), review),
        sources,
        findings,
        body_seed: rng.u64(..),
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown bodies
// ---------------------------------------------------------------------------------------------

/// Builds a Markdown body while counting its prose words.
struct Body<'a> {
    rng: Rng,
    text: String,
    words: usize,
    engine: Engine,
    case: &'a CaseStudy,
    total_cases: usize,
}

impl Body<'_> {
    fn sentence(&mut self, min: usize, max: usize) -> String {
        let text = sentence(&mut self.rng, min, max);
        self.words += text.split(' ').count();
        text
    }

    fn heading(&mut self, title: &str) {
        let _ = write!(self.text, "## {title}\n\n");
    }

    /// A paragraph of `sentences` sentences, sometimes with emphasis or an external link.
    fn paragraph(&mut self, sentences: usize) {
        for i in 0..sentences {
            if i > 0 {
                self.text.push(' ');
            }
            let mut text = self.sentence(6, 16);
            match self.rng.u8(..10) {
                0 => text = emphasise(&mut self.rng, &text, "*"),
                1 => text = emphasise(&mut self.rng, &text, "**"),
                2 => text = self.with_external_link(&text),
                _ => {}
            }
            self.text.push_str(&text);
        }
        self.text.push_str("\n\n");
    }

    fn with_external_link(&mut self, sentence: &str) -> String {
        let label = pick(&mut self.rng, &LINK_TEXTS);
        let host = pick(&mut self.rng, &LINK_HOSTS);
        let path = self.rng.u32(1000..10000);
        self.words += label.split(' ').count() + 2;
        format!("{sentence} See [{label}]({host}/reports/{path}) for details.")
    }

    fn bullets(&mut self, items: usize) {
        for _ in 0..items {
            let mut item = self.sentence(4, 10);
            if self.rng.u8(..3) == 0 {
                item = emphasise(&mut self.rng, &item, "**");
            }
            let _ = writeln!(self.text, "- {item}");
        }
        self.text.push('\n');
    }

    fn table(&mut self) {
        self.text
            .push_str("| Measure | Before | After |\n| --- | ---: | ---: |\n");
        for _ in 0..3 {
            let measure = capitalise(&phrase(&mut self.rng, 2, 3));
            let before = self.rng.u32(5..100);
            let after = self.rng.u32(5..100);
            self.words += measure.split(' ').count() + 2;
            let _ = writeln!(self.text, "| {measure} | {before} | {after} |");
        }
        self.text.push('\n');
    }

    fn case_link(&self, number: usize) -> String {
        let slug = case_slug(number);
        match self.engine {
            Engine::Tessera => format!("[Case {number:05}]({slug}.md)"),
            Engine::Hugo => format!("[Case {number:05}](../{slug}/)"),
        }
    }

    /// A paragraph linking 1–3 other case studies (none when this is the only one).
    fn related(&mut self) {
        let others = self.total_cases.saturating_sub(1);
        let amount = self.rng.usize(1..=3).min(others);
        let mut links = Vec::with_capacity(amount);
        for pick in distinct(&mut self.rng, others, amount) {
            // Skip over this case study's own number.
            let number = if pick + 1 >= self.case.number {
                pick + 2
            } else {
                pick + 1
            };
            links.push(self.case_link(number));
        }
        let lead = self.sentence(6, 12);
        self.words += links.len() * 2 + 4;
        if links.is_empty() {
            let _ = write!(self.text, "{lead}\n\n");
        } else {
            let _ = write!(self.text, "{lead} Compare with {}.\n\n", links.join(", "));
        }
    }

    fn finish(self) -> String {
        self.text
    }
}

fn emphasise(rng: &mut Rng, sentence: &str, marker: &str) -> String {
    let words: Vec<&str> = sentence.trim_end_matches('.').split(' ').collect();
    let at = rng.usize(..words.len());
    let mut out = String::with_capacity(sentence.len() + 4);
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if i == at {
            let _ = write!(out, "{marker}{word}{marker}");
        } else {
            out.push_str(word);
        }
    }
    out.push('.');
    out
}

/// The Markdown body of a case study: a short one (150–300 prose words) for a fifth of
/// them, a long one (2,000–3,000) for a tenth, 600–900 words otherwise. Both engines get the
/// same text except for the form of links to other case studies.
fn case_body(case: &CaseStudy, total_cases: usize, engine: Engine) -> String {
    let mut body = Body {
        rng: Rng::with_seed(case.body_seed),
        text: String::with_capacity(8 * 1024),
        words: 0,
        engine,
        case,
        total_cases,
    };
    let target = match body.rng.usize(..10) {
        0 | 1 => body.rng.usize(150..=300),
        2 => body.rng.usize(2000..=3000),
        _ => body.rng.usize(600..=900),
    };
    let intro = body.rng.usize(3..=5);
    body.paragraph(intro);
    body.heading(HEADINGS[0]);
    body.paragraph(4);
    body.heading(HEADINGS[1]);
    let items = body.rng.usize(3..=6);
    body.bullets(items);
    body.heading(HEADINGS[2]);
    body.paragraph(3);
    body.heading(HEADINGS[3]);
    body.paragraph(2);
    body.table();
    body.heading(HEADINGS[4]);
    body.related();
    body.heading(HEADINGS[5]);
    while body.words < target {
        let room = (target - body.words) / 11;
        let sentences = room.clamp(1, 5);
        body.paragraph(sentences);
    }
    body.finish()
}

// ---------------------------------------------------------------------------------------------
// YAML and TOML
// ---------------------------------------------------------------------------------------------

/// A double-quoted YAML (and TOML) string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `[a, b, c]` with each item quoted.
fn quoted_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| quoted(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// The front matter shared by both engines (without fences).
fn case_front_matter(case: &CaseStudy, review: &Review) -> String {
    let mut y = String::with_capacity(2048);
    let _ = writeln!(y, "title: {}", quoted(&case.title));
    let _ = writeln!(y, "summary: {}", quoted(&case.summary));
    let _ = writeln!(y, "organisations: {}", quoted_list(&case.organisations));
    let _ = writeln!(y, "region: {}", quoted(case.region));
    match case.end {
        Some(end) => writeln!(y, "period: {{start: {}, end: {end}}}", case.start),
        None => writeln!(y, "period: {{start: {}}}", case.start),
    }
    .ok();
    let _ = writeln!(y, "edition: {}", case.edition);
    let _ = writeln!(y, "stage: {}", case.stage);
    let _ = writeln!(y, "origin: {}", case.origin);
    if let Some(from) = case.adapted_from {
        let _ = writeln!(y, "adapted_from: {}", case_slug(from));
    }
    let _ = writeln!(y, "framed_as: [{}]", case.framed_as.join(", "));
    let themes: Vec<&str> = case
        .themes
        .iter()
        .map(|&t| review.themes[t].slug.as_str())
        .collect();
    let _ = writeln!(y, "themes: [{}]", themes.join(", "));
    let sources: Vec<&str> = case
        .sources
        .iter()
        .map(|&s| review.sources[s].key.as_str())
        .collect();
    let _ = writeln!(y, "sources: [{}]", sources.join(", "));
    y.push_str("findings:\n");
    for finding in &case.findings {
        write_finding(&mut y, finding, review);
    }
    y.push_str("draft: false\n");
    y
}

fn write_finding(y: &mut String, finding: &Finding, review: &Review) {
    let _ = writeln!(y, "  - claim: {}", review.claims[finding.claim].slug);
    let _ = writeln!(y, "    stance: {}", finding.stance);
    let _ = writeln!(y, "    perspective: {}", finding.perspective);
    let _ = writeln!(y, "    design: {}", finding.design);
    let _ = writeln!(y, "    certainty: {}", finding.certainty);
    if let Some(source) = finding.source {
        let _ = writeln!(y, "    source: {}", review.sources[source].key);
    }
    let _ = writeln!(y, "    locator: {}", quoted(&finding.locator));
    let _ = writeln!(y, "    note: {}", quoted(&finding.note));
}

/// The claims a case study's findings speak to, each once, as slugs (Hugo's taxonomy).
fn case_claim_slugs<'r>(case: &CaseStudy, review: &'r Review) -> Vec<&'r str> {
    let mut claims: Vec<usize> = case.findings.iter().map(|f| f.claim).collect();
    claims.sort_unstable();
    claims.dedup();
    claims
        .into_iter()
        .map(|c| review.claims[c].slug.as_str())
        .collect()
}

fn page(front_matter: &str, body: &str) -> String {
    format!("---\n{front_matter}---\n\n{body}")
}

fn simple_front_matter(title: &str, summary: &str) -> String {
    format!("title: {}\nsummary: {}\n", quoted(title), quoted(summary))
}

fn site_toml(extra_framed_as: usize) -> String {
    let mut t = String::with_capacity(8 * 1024);
    t.push_str("# Generated by examples/gen-review.rs for benchmarks.\n\n");
    let _ = writeln!(t, "title = {}", quoted(SITE_TITLE));
    let _ = writeln!(t, "description = {}", quoted(SITE_DESCRIPTION));
    let _ = writeln!(t, "base_url = {}", quoted(BASE_URL));
    t.push_str("language = \"en-GB\"\ntheme = \"default\"\n");
    let _ = writeln!(t, "edition = {EDITION}");
    t.push_str("output_dir = \"public\"\n\n[map]\nrows = \"themes\"\ncolumns = \"stage\"\n");
    // Search off, so a plain build compares with Hugo (which has none); bench/run.sh times
    // search separately with `tessera build --search`.
    t.push_str("\n[search]\nenabled = false\n");
    for facet in &FACETS {
        let _ = write!(t, "\n[facets.{}]\n", facet.name);
        let _ = writeln!(t, "label = {}", quoted(facet.label));
        let _ = writeln!(t, "description = {}", quoted(facet.description));
        t.push_str("values = [\n");
        for (id, label) in facet.values {
            let _ = writeln!(t, "  {{ id = {}, label = {} }},", quoted(id), quoted(label));
        }
        if facet.name == "framed_as" {
            for i in 1..=extra_framed_as {
                let _ = writeln!(t, "  {{ id = \"framing-{i}\", label = \"Framing {i}\" }},");
            }
        }
        t.push_str("]\n");
    }
    t
}

fn references_yaml(review: &Review) -> String {
    let mut y = String::with_capacity(256 * SOURCE_COUNT);
    for s in &review.sources {
        let _ = writeln!(y, "{}:", s.key);
        y.push_str("  type: report\n");
        let _ = writeln!(y, "  title: {}", quoted(&s.title));
        let _ = writeln!(y, "  author: [{}]", quoted(&s.author));
        let _ = writeln!(y, "  date: {}", s.year);
        let _ = writeln!(y, "  publisher: {}", quoted(s.publisher));
    }
    y
}

fn home_body(cases: usize) -> String {
    format!(
        "This generated review holds {cases} case studies, {THEME_COUNT} themes and \
         {CLAIM_COUNT} claims. It exists to measure how fast a site is built.\n"
    )
}

fn hugo_toml(claims: bool) -> String {
    let claims = if claims { "claim = \"claims\"\n" } else { "" };
    format!(
        "# Generated by examples/gen-review.rs for benchmarks.\n\
         baseURL = {}\n\
         title = {}\n\
         languageCode = \"en-gb\"\n\
         disableKinds = [\"RSS\", \"sitemap\", \"robotsTXT\"]\n\
         \n\
         [taxonomies]\n\
         theme = \"themes\"\n\
         {claims}",
        quoted(BASE_URL),
        quoted(SITE_TITLE)
    )
}

// ---------------------------------------------------------------------------------------------
// Hugo templates
// ---------------------------------------------------------------------------------------------

const HUGO_BASEOF: &str = r#"<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>{{ .Title }} | {{ .Site.Title }}</title>
</head>
<body>
<header><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a>
<nav><a href="{{ "case-studies/" | relURL }}">Case studies</a> <a href="{{ "themes/" | relURL }}">Themes</a>{{ with site.Taxonomies.claims }} <a href="{{ "claims/" | relURL }}">Claims</a>{{ end }}</nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"#;

const HUGO_SINGLE: &str = r#"{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p>{{ .Params.summary }}</p>
<dl>
<dt>Organisations</dt><dd>{{ delimit .Params.organisations ", " }}</dd>
<dt>Region</dt><dd>{{ .Params.region }}</dd>
<dt>Stage</dt><dd>{{ .Params.stage }}</dd>
<dt>Origin</dt><dd>{{ .Params.origin }}</dd>
<dt>Themes</dt><dd>{{ range .GetTerms "themes" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</dd>
</dl>
{{ .Content }}
<h2>Findings</h2>
<table>
<tr><th>Claim</th><th>Stance</th><th>Perspective</th><th>Design</th><th>Certainty</th><th>Source</th></tr>
{{ range .Params.findings }}<tr><td>{{ .claim }}</td><td>{{ .stance }}</td><td>{{ .perspective }}</td><td>{{ .design }}</td><td>{{ .certainty }}</td><td>{{ .source }} {{ .locator }}: {{ .note }}</td></tr>
{{ end }}</table>
</article>
{{ end }}
"#;

const HUGO_LIST: &str = r#"{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>: {{ .Params.summary }}</li>
{{ end }}</ul>
{{ end }}
"#;

const HUGO_TERMS: &str = r#"{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>
{{ end }}
"#;

const HUGO_TAXONOMY: &str = r#"{{ define "main" }}
<h1>{{ .Title }}</h1>
<p>{{ .Params.summary }}</p>
{{ .Content }}
<ul>
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>: {{ .Params.summary }}</li>
{{ end }}</ul>
{{ end }}
"#;

const HUGO_INDEX: &str = r#"{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
{{ .Content }}
<p>{{ len .Site.RegularPages }} case studies.</p>
{{ end }}
"#;

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

fn write(path: &Path, text: &str) -> io::Result<()> {
    fs::write(path, text).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

fn create_dirs(dirs: &[PathBuf]) -> io::Result<()> {
    for dir in dirs {
        fs::create_dir_all(dir)?;
    }
    Ok(())
}

/// Writes everything but the case studies for both engines.
fn write_shared(
    tessera: &Path,
    hugo: &Path,
    review: &Review,
    cases: usize,
    hugo_claims: bool,
) -> io::Result<()> {
    let content = tessera.join("content");
    let hugo_content = hugo.join("content");
    create_dirs(&[
        content.join("themes"),
        content.join("claims"),
        content.join("case-studies"),
        hugo_content.join("case-studies"),
        hugo.join("layouts/_default"),
    ])?;
    write(&tessera.join("site.toml"), &site_toml(0))?;
    write(&content.join("references.yaml"), &references_yaml(review))?;
    let home = page(
        &simple_front_matter(SITE_TITLE, SITE_DESCRIPTION),
        &home_body(cases),
    );
    write(&content.join("_index.md"), &home)?;
    write(&hugo_content.join("_index.md"), &home)?;
    let section = simple_front_matter("Case studies", "Every case study in the review.");
    write(
        &hugo_content.join("case-studies/_index.md"),
        &page(&section, ""),
    )?;
    write_themes(&content, &hugo_content, review)?;
    write_claims(
        &content,
        hugo_claims.then_some(hugo_content.as_path()),
        review,
    )?;
    write_hugo_config(hugo, hugo_claims)
}

fn write_themes(content: &Path, hugo_content: &Path, review: &Review) -> io::Result<()> {
    for theme in &review.themes {
        let front = simple_front_matter(&theme.title, &theme.summary);
        let body = format!(
            "Case studies on *{}* and what the evidence says about them.\n",
            theme.title.to_lowercase()
        );
        let text = page(&front, &body);
        write(&content.join(format!("themes/{}.md", theme.slug)), &text)?;
        let dir = hugo_content.join(format!("themes/{}", theme.slug));
        fs::create_dir_all(&dir)?;
        write(&dir.join("_index.md"), &text)?;
    }
    Ok(())
}

/// Writes the claims for tessera and, given Hugo's content folder, as Hugo term pages.
fn write_claims(content: &Path, hugo_content: Option<&Path>, review: &Review) -> io::Result<()> {
    for claim in &review.claims {
        let simple = simple_front_matter(&claim.title, &claim.summary);
        let themes = claim.themes.map(|t| review.themes[t].slug.as_str());
        let front = format!("{simple}themes: [{}]\n", themes.join(", "));
        let body = format!("{}\n", claim.summary);
        write(
            &content.join(format!("claims/{}.md", claim.slug)),
            &page(&front, &body),
        )?;
        if let Some(hugo_content) = hugo_content {
            let dir = hugo_content.join(format!("claims/{}", claim.slug));
            fs::create_dir_all(&dir)?;
            write(&dir.join("_index.md"), &page(&simple, &body))?;
        }
    }
    Ok(())
}

fn write_hugo_config(hugo: &Path, claims: bool) -> io::Result<()> {
    write(&hugo.join("hugo.toml"), &hugo_toml(claims))?;
    let layouts = hugo.join("layouts");
    write(&layouts.join("index.html"), HUGO_INDEX)?;
    for (name, text) in [
        ("baseof.html", HUGO_BASEOF),
        ("single.html", HUGO_SINGLE),
        ("list.html", HUGO_LIST),
        ("terms.html", HUGO_TERMS),
        ("taxonomy.html", HUGO_TAXONOMY),
    ] {
        write(&layouts.join("_default").join(name), text)?;
    }
    Ok(())
}

/// Generates and writes one case study for both engines; returns its prose size in bytes.
fn write_case_study(
    seed: u64,
    number: usize,
    total: usize,
    review: &Review,
    tessera: &Path,
    hugo: &Path,
) -> io::Result<usize> {
    let case = generate_case_study(seed, number, review);
    let slug = case_slug(number);
    let front = case_front_matter(&case, review);
    let tessera_text = page(&front, &case_body(&case, total, Engine::Tessera));
    write(
        &tessera.join(format!("content/case-studies/{slug}.md")),
        &tessera_text,
    )?;
    let claims = case_claim_slugs(&case, review);
    let hugo_front = format!("{front}claims: [{}]\n", claims.join(", "));
    let hugo_text = page(&hugo_front, &case_body(&case, total, Engine::Hugo));
    write(
        &hugo.join(format!("content/case-studies/{slug}.md")),
        &hugo_text,
    )?;
    Ok(tessera_text.len())
}

/// Writes all case studies, spread over the available cores; returns total bytes written
/// for tessera.
fn write_case_studies(
    seed: u64,
    total: usize,
    review: &Review,
    tessera: &Path,
    hugo: &Path,
) -> io::Result<usize> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                scope.spawn(move || {
                    let mut bytes = 0;
                    for number in (1 + worker..=total).step_by(threads) {
                        bytes += write_case_study(seed, number, total, review, tessera, hugo)?;
                    }
                    Ok::<usize, io::Error>(bytes)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker thread panicked"))
            .sum()
    })
}

// ---------------------------------------------------------------------------------------------
// Stress inputs (bench/linear.sh)
// ---------------------------------------------------------------------------------------------

/// Writes the outsized input `stress` of size `n` into the tessera review.
fn write_stress(
    stress: Stress,
    n: usize,
    cases: usize,
    review: &Review,
    tessera: &Path,
) -> io::Result<()> {
    let mut rng = Rng::with_seed(n as u64);
    let findings = if stress == Stress::Findings { n } else { 2 };
    let mut y =
        String::from("---\ntitle: \"Stress case study\"\nsummary: \"An outsized input.\"\n");
    y.push_str("stage: test\nthemes: [theme-01, theme-02]\n");
    if stress == Stress::FacetValues {
        let values: Vec<String> = (1..=n).map(|i| format!("framing-{i}")).collect();
        let _ = writeln!(y, "framed_as: [{}]", values.join(", "));
        write(&tessera.join("site.toml"), &site_toml(n))?;
    }
    y.push_str("findings:\n");
    for i in 0..findings {
        let mut finding = generate_finding(&mut rng, review, i % 2 == 0);
        finding.claim = i % review.claims.len();
        write_finding(&mut y, &finding, review);
    }
    y.push_str("---\n");
    let body = match stress {
        Stress::LongLine => long_line(&mut rng, n),
        Stress::Links => many_links(n, |i| {
            let k = i % cases.max(1) + 1;
            format!("[Case {k:05}](case-{k:05}.md)")
        }),
        Stress::Problems => many_links(n, |i| format!("[gap {i}](missing-{i}.md)")),
        Stress::Findings | Stress::FacetValues => {
            "A case study with an outsized front matter.\n".into()
        }
    };
    write(
        &tessera.join("content/case-studies/stress.md"),
        &(y + &body),
    )
}

/// One paragraph on a single line of `words` words, with emphasis and external links.
fn long_line(rng: &mut Rng, words: usize) -> String {
    let mut text = String::with_capacity(words * 9);
    for i in 0..words {
        let word = pick(rng, &WORDS);
        match i % 100 {
            0 if i > 0 => {
                let _ = write!(text, " [{word}](https://example.org/{i})");
            }
            50 => {
                let _ = write!(text, " *{word}*");
            }
            _ => {
                text.push(' ');
                text.push_str(word);
            }
        }
    }
    text.push_str(".\n");
    text
}

/// `n` links made by `link`, ten to a line.
fn many_links(n: usize, link: impl Fn(usize) -> String) -> String {
    let mut text = String::with_capacity(n * 32);
    for i in 0..n {
        text.push_str(&link(i));
        text.push_str(if i % 10 == 9 { "\n" } else { ", " });
    }
    text.push('\n');
    text
}

/// Removes a previous `tessera/` or `hugo/` folder so stale files never linger.
fn clear(dir: &Path) -> io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn run(args: &Args) -> io::Result<()> {
    let started = Instant::now();
    let tessera = args.out.join("tessera");
    let hugo = args.out.join("hugo");
    clear(&tessera)?;
    clear(&hugo)?;
    let review = generate_review(args.seed, args.broad_theme);
    write_shared(
        &tessera,
        &hugo,
        &review,
        args.case_studies,
        args.hugo_claims,
    )?;
    let bytes = write_case_studies(args.seed, args.case_studies, &review, &tessera, &hugo)?;
    if let Some(stress) = args.stress {
        write_stress(
            stress,
            args.stress_size,
            args.case_studies,
            &review,
            &tessera,
        )?;
    }
    println!(
        "gen-review: {} case studies, {THEME_COUNT} themes, {CLAIM_COUNT} claims, \
         {SOURCE_COUNT} sources (seed {}) -> {} and {} ({:.1} MB each) in {:.2}s",
        args.case_studies,
        args.seed,
        tessera.display(),
        hugo.display(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gen-review: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
