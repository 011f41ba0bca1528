//! YAML into typed structs, with errors an editor can act on.
//!
//! serde_yaml reports a line and column and, for `deny_unknown_fields`, the list of
//! valid keys; this module turns that into a message with the nearest key suggested and
//! the line counted in the whole file (front matter starts on the file's second line).

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{did_you_mean, InputError};
use crate::messages;

/// Parses `text`, whose first line is line `first_line` of `file`.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    first_line: usize,
) -> Result<T, InputError> {
    let source = if text.trim().is_empty() { "{}" } else { text };
    serde_yaml::from_str(source).map_err(|err| {
        let line = err.location().map(|l| l.line() + first_line - 1);
        InputError::at(file, line, explain(&err.to_string()))
    })
}

/// Rewrites serde_yaml's message for an editor.
fn explain(raw: &str) -> String {
    // serde_yaml counts lines within the YAML alone; the caller gives the file's line.
    let mut cleaned = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(" at line ") {
        cleaned.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let end = tail.find([',', ';']).unwrap_or(tail.len());
        rest = &tail[end..];
    }
    cleaned.push_str(rest);
    // Inside lists serde_yaml names the item first (`.[3]: unknown field ...`).
    let detail = match cleaned.split_once(": ") {
        Some((path, rest)) if path.starts_with(['.', '[']) && !path.contains(' ') => rest,
        _ => cleaned.as_str(),
    };
    if let Some(rest) = detail.strip_prefix("unknown field `") {
        if let Some((field, rest)) = rest.split_once('`') {
            let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
            return messages::unknown_field(
                field,
                &did_you_mean(field, expected.iter().copied()),
                &expected
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
    }
    if detail.starts_with("invalid type")
        || detail.starts_with("missing field")
        || detail.starts_with("unknown variant")
    {
        return detail.to_owned();
    }
    messages::bad_yaml(detail)
}

/// The 1-based line, within `text`, of the first line that sets `key` at the top level.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        title: String,
        category: Option<String>,
    }

    #[test]
    fn unknown_field_suggests_nearest() {
        let err = parse::<Sample>("title: a\ncategry: b\n", Path::new("a.md"), 2).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(
            err.message
                .starts_with("unknown field `categry`; did you mean `category`?"),
            "{}",
            err.message
        );
    }

    #[test]
    fn malformed_yaml_has_line() {
        let err = parse::<Sample>("title: a\n  - b: [\n", Path::new("a.md"), 2).unwrap_err();
        assert!(err.line.is_some());
        assert!(err.message.starts_with("malformed YAML"), "{}", err.message);
    }

    #[test]
    fn unknown_field_in_a_list_item() {
        let err =
            parse::<Vec<Sample>>("- title: a\n  categry: b\n", Path::new("a.yaml"), 1).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(
            err.message
                .starts_with("unknown field `categry`; did you mean `category`?"),
            "{}",
            err.message
        );
    }

    #[test]
    fn finds_key_lines() {
        assert_eq!(line_of_key("title: x\ncategory: y\n", "category"), Some(2));
        assert_eq!(line_of_key("title: x\n", "category"), None);
    }
}
