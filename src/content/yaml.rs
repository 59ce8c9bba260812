//! Front matter as YAML: the limits that keep hostile YAML cheap, and the mapping of
//! YAML and schema errors to located diagnostics in authors' words.

use super::*;

/// How deeply front matter may nest (see [`yaml_options`]).
pub(super) const YAML_MAX_DEPTH: usize = 32;
/// How much text front matter may hold, in MiB (see [`yaml_options`]).
pub(super) const YAML_MAX_TEXT_MIB: usize = 4;

/// Limits for reading front matter, so hostile YAML (alias bombs, deep nesting, huge blocks)
/// fails fast with `yaml-too-complex` instead of using unbounded time, memory or stack.
///
/// Real front matter is a few dozen fields, at most a few levels deep (a case study's
/// `findings` list of mappings, maybe a nested `extra`), with no anchors or aliases. Each
/// limit below is set one to two orders of magnitude above that, and well below
/// serde-saphyr's defaults, which are tuned for arbitrary configuration files:
///
/// | limit | value | default | why |
/// | --- | --- | --- | --- |
/// | `max_depth` (`YAML_MAX_DEPTH`) | 32 | 64 | findings sit at depth 3; `extra` rarely goes past 5 |
/// | `flow_nesting_limit` | 32 | 255 | same, for `[...]` / `{...}` |
/// | `max_events` | 200,000 | 1,000,000 | a 500-finding case study is ~5,000 events |
/// | `max_nodes` | 100,000 | 250,000 | as above |
/// | `max_total_scalar_bytes` (`YAML_MAX_TEXT_MIB`) | 4 MiB | 64 MiB | notes are sentences, not chapters |
/// | `max_aliases` / `max_anchors` | 1,000 | 50,000 | authors rarely use them at all |
/// | `max_recorded_anchor_events` | 100,000 | 1,000,000 | bounds the memory anchors hold |
/// | `max_recorded_anchor_bytes` | 4 MiB | 64 MiB | as above |
/// | `max_documents` | 1 | 1,024 | front matter is one document |
/// | `max_merge_keys` | 100 | 10,000 | `<<` is allowed but rare |
/// | alias `max_total_replayed_events` | 100,000 | 1,000,000 | caps a "billion laughs" |
/// | alias `max_replay_stack_depth` | 16 | 64 | aliases of aliases of aliases ... |
///
/// serde-saphyr also stops nesting in `serde_json::Value` (the `extra` map) at `max_depth`,
/// which keeps the recursion of its visitor (and of serde_json's `Drop`) off the stack limit.
pub(super) fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: YAML_MAX_DEPTH,
            flow_nesting_limit: YAML_MAX_DEPTH,
            max_events: 200_000,
            max_nodes: 100_000,
            max_total_scalar_bytes: YAML_MAX_TEXT_MIB * 1024 * 1024,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_recorded_anchor_events: 100_000,
            max_recorded_anchor_bytes: 4 * 1024 * 1024,
            max_documents: 1,
            max_merge_keys: 100,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_replay_stack_depth: 16,
        },
    }
}

pub(super) fn parse_yaml<M: DeserializeOwned>(yaml: &str) -> Result<M, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(yaml, yaml_options())
}

/// Plain pages may have an empty front matter block.
pub(super) fn parse_page(yaml: &str) -> Result<PageMeta, serde_saphyr::Error> {
    if yaml.trim().is_empty() {
        Ok(PageMeta::default())
    } else {
        parse_yaml(yaml)
    }
}

/// Maps a location inside the YAML block to a location in the whole file.
pub(super) fn yaml_location(
    source: &str,
    yaml_offset: usize,
    l: &serde_saphyr::Location,
) -> Location {
    let span = l.span();
    if let (Some(offset), Some(len)) = (span.byte_offset(), span.byte_len()) {
        let start = yaml_offset + usize::try_from(offset).unwrap_or(0);
        let end = start + usize::try_from(len).unwrap_or(0);
        if end <= source.len() {
            return locate(source, start..end);
        }
    }
    let start = offset_of_line_column(source, yaml_offset, l.line(), l.column());
    locate(source, start..start)
}

/// Byte offset of a 1-based line and column counted from `base`.
pub(super) fn offset_of_line_column(source: &str, base: usize, line: u64, column: u64) -> usize {
    let mut offset = base.min(source.len());
    for _ in 1..line {
        match source[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => return source.len(),
        }
    }
    let line_text = source[offset..].split('\n').next().unwrap_or("");
    let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
    offset
        + line_text
            .char_indices()
            .nth(skip)
            .map_or(line_text.len(), |(i, _)| i)
}

/// Turns a YAML or schema error into a diagnostic at the right line of the file.
pub(super) fn yaml_diagnostic(
    err: &serde_saphyr::Error,
    source: &str,
    yaml_offset: usize,
    display: &Path,
    split: &frontmatter::Split,
) -> Diagnostic {
    let inner = err.without_snippet();
    let (code, message, hint) = describe_yaml_error(inner);
    let location = match inner.location() {
        // serde reports a missing field where the mapping ends, which is usually the last
        // field's line; the front matter's opening fence is the honest place for "absent".
        _ if matches!(inner, serde_saphyr::Error::SerdeMissingField { .. }) => {
            locate(source, split.opening_fence.clone())
        }
        Some(l) if l.line() > 0 => yaml_location(source, yaml_offset, &l),
        _ => locate(source, split.opening_fence.clone()),
    };
    Diagnostic::error(code, message)
        .in_file(display)
        .at_location(location)
        .with_hint_opt(hint)
}

pub(super) fn describe_yaml_error(err: &serde_saphyr::Error) -> (Code, String, Option<String>) {
    use serde_saphyr::Error as E;
    // An error met while replaying an alias comes wrapped with the alias's locations; what
    // went wrong is the wrapped error. (The outer error still gives the location.)
    let mut err = err;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = err {
        err = error;
    }
    let raw = err.to_string();
    let message = raw
        .split(" at line ")
        .next()
        .unwrap_or(&raw)
        .trim()
        .to_string();
    let shape_hint = || {
        Some("check the value's shape: lists are written `[a, b]` or as `- item` lines".to_string())
    };
    match err {
        E::SerdeUnknownField {
            field, expected, ..
        } => (
            Code::UnknownField,
            format!("unknown field `{field}`"),
            Some(
                did_you_mean_hint(field, expected.iter().copied()).unwrap_or_else(|| {
                    format!(
                        "known fields here: {}; put free fields under `extra:`",
                        expected.join(", ")
                    )
                }),
            ),
        ),
        E::SerdeMissingField { field, .. } => (
            Code::MissingField,
            format!("missing required field `{field}` in the front matter"),
            Some(format!("add `{field}: ...` to the front matter")),
        ),
        // The only enum in the schema is a finding's `stance`.
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            Code::UnknownValue,
            format!("unknown value `{variant}`"),
            Some(
                did_you_mean_hint(variant, expected.iter().copied())
                    .unwrap_or_else(|| format!("expected one of: {}", expected.join(", "))),
            ),
        ),
        E::Budget { breach, .. } => too_complex(&breach_in_words(breach)),
        // The parser's own nesting limit (set from `flow_nesting_limit` and `max_depth`);
        // its error kind belongs to a crate we do not depend on, so match its text.
        E::ExternalMessage { msg, .. } if msg.contains("recursion limit exceeded") => too_complex(
            &format!("it is nested more than {YAML_MAX_DEPTH} levels deep"),
        ),
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => {
            too_complex("its aliases expand to too much data")
        }
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        }
        | E::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => (
            Code::WrongType,
            format!("wrong type: expected {expected}, found {unexpected}"),
            shape_hint(),
        ),
        E::Unexpected { expected, .. } => (
            Code::WrongType,
            format!("wrong type: expected {}", plain_shape(expected)),
            shape_hint(),
        ),
        E::InvalidScalar { ty, .. } => (
            Code::WrongType,
            format!("wrong type: expected {}", plain_scalar(ty)),
            Some("numbers are written without quotes or words, e.g. `edition: 2026`".to_string()),
        ),
        E::DuplicateMappingKey { key, .. } => (
            Code::DuplicateKey,
            match key {
                Some(key) => format!("`{key}` is given twice"),
                None => "a key is given twice".to_string(),
            },
            Some("keep one of them; YAML does not allow repeated keys".to_string()),
        ),
        E::NullIntoString { .. } => (
            Code::WrongType,
            "wrong type: expected text, found an empty value".to_string(),
            Some(
                "write the text after the colon, or remove the field if it is optional".to_string(),
            ),
        ),
        _ => (
            Code::YamlSyntax,
            format!("YAML syntax error: {message}"),
            None,
        ),
    }
}

pub(super) fn too_complex(why: &str) -> (Code, String, Option<String>) {
    (
        Code::YamlTooComplex,
        format!("front matter is too large or too complex to read safely: {why}"),
        Some("front matter should be a few plain fields; remove the deep nesting or repeated aliases".to_string()),
    )
}

/// Which of [`yaml_options`]'s limits was hit, in authors' words.
pub(super) fn breach_in_words(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    let words = match breach {
        B::Depth { .. } => return format!("it is nested more than {YAML_MAX_DEPTH} levels deep"),
        B::ScalarBytes { .. } => return format!("its text is over {YAML_MAX_TEXT_MIB} MiB"),
        B::Aliases { .. }
        | B::Anchors { .. }
        | B::AliasAnchorRatio { .. }
        | B::RecordedAnchorEvents { .. }
        | B::RecordedAnchorBytes { .. }
        | B::MergeKeys { .. } => "its aliases expand to too much data",
        B::Events { .. } | B::Nodes { .. } => "it holds too many values",
        B::Documents { .. } => "it holds more than one YAML document",
        _ => "it exceeds a size limit",
    };
    words.to_string()
}

/// serde-saphyr's name for a Rust scalar type, in authors' words.
pub(super) fn plain_scalar(ty: &str) -> String {
    match ty {
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" | "isize"
        | "usize" => "a whole number".to_string(),
        "f32" | "f64" => "a number".to_string(),
        "bool" => "`true` or `false`".to_string(),
        other => other.to_string(),
    }
}

/// serde-saphyr's parser-level names for what it expected, in authors' words.
pub(super) fn plain_shape(expected: &str) -> String {
    match expected {
        "sequence start" => "a list (`[a, b]` or `- item` lines)".to_string(),
        "string scalar" | "scalar" => "a single value, not a list or mapping".to_string(),
        "mapping start" => "a mapping (`key: value` lines)".to_string(),
        other => other.to_string(),
    }
}
