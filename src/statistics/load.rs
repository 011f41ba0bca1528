//! Reading `content/chi-tieu.yaml` and each unit's `thong-ke/*.yaml` once, and checking
//! every value against its definition, with the file and line of each mistake.
//!
//! The files are parsed with serde (`deny_unknown_fields`); values are kept as YAML
//! values at first so that a wrong type (`"12,5"`) gets a message saying how to write
//! it, and their lines are found in the text by key.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Aggregate, Definition, Kind, Period, Report, Statistics, UnitNode, Value};
use super::{DEFINITIONS_FILE, VALUES_DIR};
use crate::content::Content;
use crate::error::{did_you_mean, InputError};
use crate::yaml;

/// What an editor is told, in one place.
mod messages {
    pub(super) fn unknown_indicator(id: &str, suggestion: &str) -> String {
        format!("unknown indicator `{id}`{suggestion} (indicators are defined in content/chi-tieu.yaml)")
    }
    pub(super) fn percent_out_of_range(id: &str, value: &str) -> String {
        format!("`{id}` is a percentage, so it must be between 0 and 100, not {value}")
    }
    pub(super) fn numerator_above_denominator(id: &str, n: &str, d: &str) -> String {
        format!("`{id}`: the numerator {n} is larger than the denominator {d}; a part cannot exceed its whole, check both figures")
    }
    pub(super) fn negative_count(id: &str, value: &str) -> String {
        format!("`{id}` is a count, so it cannot be negative ({value})")
    }
    pub(super) fn fractional_count(id: &str, value: &str) -> String {
        format!("`{id}` is a count, so it must be a whole number, not {value}")
    }
    pub(super) fn zero_denominator(id: &str) -> String {
        format!("`{id}`: the denominator must be greater than 0; leave the indicator out when there is nothing to count")
    }
    pub(super) fn duplicate_period(period: &str, other: &str) -> String {
        format!("the period {period} of this unit is given twice: here and at {other}; keep one of them")
    }
    pub(super) fn bad_period(period: &str) -> String {
        format!("`{period}` is not a period; write a year `2022`, a quarter `2022-Q3` or a month `2022-09`")
    }
    pub(super) fn text_for_number(id: &str, text: &str, fix: Option<String>) -> String {
        match fix {
            Some(fix) => format!("`{id}`: \"{text}\" is text, but a number is wanted; write `{fix}` without quotes (a dot before the decimals, no thousands separator)"),
            None => format!("`{id}`: \"{text}\" is text, but a number is wanted; write a number such as `12.5` without quotes"),
        }
    }
    pub(super) fn ratio_wanted(id: &str) -> String {
        format!("`{id}` is a ratio: write `{{ numerator: 549, denominator: 1153 }}`")
    }
    pub(super) fn number_wanted(id: &str) -> String {
        format!("`{id}` takes one number, such as `{id}: 12.5`")
    }
    pub(super) fn bad_ratio_key(id: &str, key: &str) -> String {
        format!("`{id}`: unknown field `{key}`; a ratio has only `numerator` and `denominator`")
    }
    pub(super) fn duplicate_indicator(id: &str) -> String {
        format!("the indicator `{id}` is defined twice; give each indicator its own `id`")
    }
    pub(super) fn bad_aggregate(id: &str, kind: &str, aggregate: &str) -> String {
        format!("`{id}`: a {kind} cannot be aggregated by `{aggregate}`; use `sum` for a count, `weighted` for a ratio, `none` otherwise")
    }
    pub(super) fn bad_id(id: &str) -> String {
        format!("`{id}` is not a valid id; use lower-case letters without tones, digits and `-`, such as `ho-so-dung-han`")
    }
    pub(super) fn values_without_definitions() -> String {
        "statistics are given but content/chi-tieu.yaml, which defines the indicators, is missing"
            .to_owned()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefinitionsFile {
    indicators: Vec<Definition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    period: serde_yaml::Value,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    values: serde_yaml::Mapping,
}

/// Reads and checks the portal's statistics: `None` when it has none.
pub fn load(root: &Path, content: &Content, prefix: &str) -> (Option<Statistics>, Vec<InputError>) {
    let mut errors = Vec::new();
    let mut hasher = std::hash::DefaultHasher::new();
    let content_dir = root.join("content");
    let mut value_files: Vec<(usize, PathBuf)> = Vec::new();
    for (u, unit) in content.units.iter().enumerate() {
        let dir = content_dir.join(&unit.dir).join(VALUES_DIR);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "yaml" || e == "yml")
                    && !crate::content::is_ignored(
                        &p.file_name().unwrap_or_default().to_string_lossy(),
                    )
            })
            .collect();
        files.sort();
        for f in files {
            let rel = Path::new("content").join(f.strip_prefix(&content_dir).unwrap_or(&f));
            value_files.push((u, rel));
        }
    }
    let defs_file = Path::new("content").join(DEFINITIONS_FILE);
    if !root.join(&defs_file).is_file() {
        if let Some((_, first)) = value_files.first() {
            errors.push(InputError::at(
                first,
                None,
                messages::values_without_definitions(),
            ));
        }
        return (None, errors);
    }
    let read = |rel: &Path, errors: &mut Vec<InputError>| -> Option<String> {
        match std::fs::read(root.join(rel)) {
            Ok(bytes) => match crate::fs::decode_text(bytes, rel) {
                Ok(text) => Some(text),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            Err(e) => {
                errors.push(InputError::at(
                    rel,
                    None,
                    format!("cannot read the file: {e}"),
                ));
                None
            }
        }
    };
    let Some(defs_text) = read(&defs_file, &mut errors) else {
        return (None, errors);
    };
    defs_text.hash(&mut hasher);
    let definitions = match yaml::parse::<DefinitionsFile>(&defs_text, &defs_file, 1) {
        Ok(d) => d.indicators,
        Err(e) => {
            errors.push(e);
            return (None, errors);
        }
    };
    check_definitions(&definitions, &defs_text, &defs_file, &mut errors);
    let by_id: HashMap<&str, &Definition> =
        definitions.iter().map(|d| (d.id.as_str(), d)).collect();

    let mut reports: BTreeMap<(usize, Period), Report> = BTreeMap::new();
    for (unit, rel) in &value_files {
        let Some(text) = read(rel, &mut errors) else {
            continue;
        };
        (rel, &text).hash(&mut hasher);
        let entries: Vec<Entry> = match yaml::parse(&text, rel, 1) {
            Ok(e) => e,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let starts = entry_lines(&text);
        for (i, entry) in entries.into_iter().enumerate() {
            let start = starts.get(i).copied().unwrap_or(1);
            let end = starts.get(i + 1).copied().unwrap_or(usize::MAX);
            let period_line = key_line(&text, start, end, "period").unwrap_or(start);
            let period_text = match &entry.period {
                serde_yaml::Value::Number(n) => n.to_string(),
                serde_yaml::Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
            };
            let Some(period) = Period::parse(&period_text) else {
                errors.push(InputError::at(
                    rel,
                    Some(period_line),
                    messages::bad_period(&period_text),
                ));
                continue;
            };
            if let Some(first) = reports.get(&(*unit, period)) {
                errors.push(InputError::at(
                    rel,
                    Some(period_line),
                    messages::duplicate_period(
                        &period.to_string(),
                        &format!("{}:{}", first.file.display(), first.line),
                    ),
                ));
                continue;
            }
            let mut values = BTreeMap::new();
            for (key, raw) in &entry.values {
                let id = match key {
                    serde_yaml::Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                };
                let line = key_line(&text, start, end, &id).or(Some(start));
                let at = |message: String| InputError::at(rel, line, message);
                let Some(def) = by_id.get(id.as_str()) else {
                    errors.push(at(messages::unknown_indicator(
                        &id,
                        &did_you_mean(&id, definitions.iter().map(|d| d.id.as_str())),
                    )));
                    continue;
                };
                match check_value(def, raw) {
                    Ok(v) => {
                        values.insert(id, v);
                    }
                    Err((message, sub_key)) => {
                        let line = sub_key
                            .and_then(|k| key_line(&text, line.unwrap_or(start), end, k))
                            .or(line);
                        errors.push(InputError::at(rel, line, message));
                    }
                }
            }
            reports.insert(
                (*unit, period),
                Report {
                    file: rel.clone(),
                    line: period_line,
                    source: entry.source,
                    values,
                },
            );
        }
    }
    let units = content
        .units
        .iter()
        .map(|u| UnitNode {
            dir: u.dir.clone(),
            path: u.path.clone(),
            name: u.config.name.vi.clone(),
            children: u.children.clone(),
        })
        .collect();
    let stats = Statistics {
        definitions,
        reports,
        units,
        prefix: prefix.to_owned(),
        hash: hasher.finish(),
    };
    (Some(stats), errors)
}

fn check_definitions(defs: &[Definition], text: &str, file: &Path, errors: &mut Vec<InputError>) {
    let mut seen = std::collections::HashSet::new();
    let mut from = 1;
    for def in defs {
        let line = id_line(text, from, &def.id);
        if let Some(l) = line {
            from = l + 1;
        }
        let at = |m: String| InputError::at(file, line, m);
        if !seen.insert(def.id.as_str()) {
            errors.push(at(messages::duplicate_indicator(&def.id)));
        }
        if def.id.is_empty()
            || !def
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            errors.push(at(messages::bad_id(&def.id)));
        }
        let fits = matches!(
            (def.kind, def.aggregate),
            (_, Aggregate::None)
                | (Kind::Count, Aggregate::Sum)
                | (Kind::Ratio, Aggregate::Weighted)
        );
        if !fits {
            let kind = format!("{:?}", def.kind).to_lowercase();
            let aggregate = format!("{:?}", def.aggregate).to_lowercase();
            errors.push(at(messages::bad_aggregate(&def.id, &kind, &aggregate)));
        }
        if let (Some(t), Kind::Percent | Kind::Ratio) = (def.target, def.kind) {
            if !(0.0..=100.0).contains(&t) {
                errors.push(at(messages::percent_out_of_range(&def.id, &t.to_string())));
            }
        }
    }
}

/// Checks one value against its definition; on error, the message and the key of a
/// ratio's part it is about.
fn check_value(
    def: &Definition,
    raw: &serde_yaml::Value,
) -> Result<Value, (String, Option<&'static str>)> {
    let id = def.id.as_str();
    match def.kind {
        Kind::Count | Kind::Percent => {
            let n = number(id, raw).map_err(|m| (m, None))?;
            let shown = n.to_string();
            match def.kind {
                Kind::Count if n < 0.0 => Err((messages::negative_count(id, &shown), None)),
                Kind::Count if n.fract() != 0.0 => {
                    Err((messages::fractional_count(id, &shown), None))
                }
                Kind::Percent if !(0.0..=100.0).contains(&n) => {
                    Err((messages::percent_out_of_range(id, &shown), None))
                }
                _ => Ok(Value::Number(n)),
            }
        }
        Kind::Ratio => {
            let serde_yaml::Value::Mapping(map) = raw else {
                return Err((messages::ratio_wanted(id), None));
            };
            let (mut numerator, mut denominator) = (None, None);
            for (k, v) in map {
                let key = k.as_str().unwrap_or_default();
                match key {
                    "numerator" => {
                        numerator = Some(number(id, v).map_err(|m| (m, Some("numerator")))?)
                    }
                    "denominator" => {
                        denominator = Some(number(id, v).map_err(|m| (m, Some("denominator")))?)
                    }
                    other => return Err((messages::bad_ratio_key(id, other), None)),
                }
            }
            let (Some(numerator), Some(denominator)) = (numerator, denominator) else {
                return Err((messages::ratio_wanted(id), None));
            };
            if numerator < 0.0 {
                return Err((
                    messages::negative_count(id, &numerator.to_string()),
                    Some("numerator"),
                ));
            }
            if denominator <= 0.0 {
                return Err((messages::zero_denominator(id), Some("denominator")));
            }
            if numerator > denominator {
                return Err((
                    messages::numerator_above_denominator(
                        id,
                        &crate::text::format_number(numerator, 2),
                        &crate::text::format_number(denominator, 2),
                    ),
                    Some("numerator"),
                ));
            }
            Ok(Value::Ratio {
                numerator,
                denominator,
            })
        }
    }
}

fn number(id: &str, raw: &serde_yaml::Value) -> Result<f64, String> {
    match raw {
        serde_yaml::Value::Number(n) => n.as_f64().ok_or_else(|| messages::number_wanted(id)),
        serde_yaml::Value::String(s) => Err(messages::text_for_number(id, s, fix_number(s))),
        _ => Err(messages::number_wanted(id)),
    }
}

/// How a number written as text should be written: `"12,5"` → `12.5`, `"5.100"` → `5100`.
fn fix_number(text: &str) -> Option<String> {
    let t = text.trim().trim_end_matches('%').trim();
    let grouped = |s: &str| {
        let mut parts = s.split('.');
        let first = parts.next().unwrap_or("");
        !first.is_empty()
            && first.len() <= 3
            && first.bytes().all(|b| b.is_ascii_digit())
            && parts.clone().count() > 0
            && parts.all(|p| p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let plain = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else if grouped(t) {
        t.replace('.', "")
    } else {
        t.to_owned()
    };
    plain.parse::<f64>().ok().map(|_| plain)
}

/// The 1-based lines where the file's top-level list items start.
fn entry_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with('-') && !l.starts_with("---"))
        .map(|(i, _)| i + 1)
        .collect()
}

/// The first line in `from..to` (1-based) that sets `key`, at any depth.
fn key_line(text: &str, from: usize, to: usize, key: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .take_while(|(i, _)| i + 1 < to)
        .find(|(_, l)| sets_key(l, key))
        .map(|(i, _)| i + 1)
}

fn sets_key(line: &str, key: &str) -> bool {
    let mut rest = line.trim_start();
    rest = rest.strip_prefix("- ").unwrap_or(rest).trim_start();
    rest = rest.strip_prefix('{').unwrap_or(rest).trim_start();
    for quote in ["\"", "'"] {
        if let Some(r) = rest.strip_prefix(quote) {
            if let Some(r) = r.strip_prefix(key).and_then(|r| r.strip_prefix(quote)) {
                return r.trim_start().starts_with(':');
            }
        }
    }
    if rest
        .strip_prefix(key)
        .is_some_and(|r| r.trim_start().starts_with(':'))
    {
        return true;
    }
    // `{ numerator: 1, denominator: 2 }` on one line.
    line.contains(&format!("{{ {key}:"))
        || line.contains(&format!(", {key}:"))
        || line.contains(&format!("{{{key}:"))
}

/// The line of `id: <id>` at or after `from`.
fn id_line(text: &str, from: usize, id: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ").trim_start();
            t.strip_prefix("id:")
                .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == id)
        })
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_written_as_text_get_their_fix() {
        assert_eq!(fix_number("12,5").as_deref(), Some("12.5"));
        assert_eq!(fix_number("5.100").as_deref(), Some("5100"));
        assert_eq!(fix_number("12.798.780").as_deref(), Some("12798780"));
        assert_eq!(fix_number("99,7%").as_deref(), Some("99.7"));
        assert_eq!(fix_number("nhiều"), None);
    }

    #[test]
    fn keys_are_found_in_blocks_and_flow_maps() {
        let text = "- period: 2022\n  values:\n    a: 1\n    b: { numerator: 3, denominator: 2 }\n- period: 2021\n  values:\n    a: 2\n";
        assert_eq!(entry_lines(text), [1, 5]);
        assert_eq!(key_line(text, 1, 5, "b"), Some(4));
        assert_eq!(key_line(text, 4, 5, "numerator"), Some(4));
        assert_eq!(key_line(text, 5, usize::MAX, "a"), Some(7));
        assert_eq!(key_line(text, 1, 5, "period"), Some(1));
    }
}
