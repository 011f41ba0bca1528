//! Public information every local portal must publish: administrative procedures
//! linked to the public-service portals, legal documents with their files, and the
//! leaders' working calendar.
//!
//! Each unit's folder may hold `thu-tuc.yaml`, `van-ban.yaml` and `lich-cong-tac/`
//! (or `lich-cong-tac.yaml`). They are parsed once here, validated with the file and
//! line of every problem, and turned into data pages (`/<unit>/thu-tuc/`,
//! `/<unit>/van-ban/`, `/<unit>/lich-cong-tac/` and their detail pages) and the
//! attached files. Stale link checks are warnings; `cong check --external` requests
//! the procedures' links through [`links`].

mod calendar;
mod catalogue;
mod documents;
pub mod links;
mod messages;

use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::InputError;
use crate::output::File;
use crate::render::DataPage;
use crate::site::Site;

pub use links::ExternalLink;

/// What the feature makes from one unit: pages, files and problems.
#[derive(Default)]
struct Made {
    pages: Vec<DataPage>,
    files: Vec<(String, File)>,
    errors: Vec<InputError>,
    warnings: Vec<InputError>,
    links: Vec<ExternalLink>,
}

/// Reads every unit's procedures, documents and calendar into pages and files.
pub fn pages(site: &mut Site) -> Result<()> {
    let mut made = Made::default();
    catalogue::check_patterns(site, &mut made);
    for unit in 0..site.content.units.len() {
        catalogue::unit_pages(site, unit, &mut made);
        documents::unit_pages(site, unit, &mut made);
        calendar::unit_pages(site, unit, &mut made);
    }
    site.data_pages.extend(made.pages);
    site.data_files.extend(made.files);
    site.errors.extend(made.errors);
    site.warnings.extend(made.warnings);
    site.external_links.extend(made.links);
    Ok(())
}

/// A unit's data file: the path shown to editors and the full path.
struct Source {
    shown: PathBuf,
    full: PathBuf,
}

impl Source {
    fn new(site: &Site, unit: usize, rel: impl AsRef<Path>) -> Source {
        let inner = site.content.units[unit].dir.join(rel);
        Source {
            shown: Path::new("content").join(&inner),
            full: site.options.root.join("content").join(inner),
        }
    }

    /// Reads and parses the file as a YAML list; `None` when the file does not exist
    /// or could not be read (the problem is then in `errors`).
    fn parse<T: serde::de::DeserializeOwned>(
        &self,
        errors: &mut Vec<InputError>,
    ) -> Option<(Vec<T>, String)> {
        if !self.full.is_file() {
            return None;
        }
        let text = match crate::fs::read_text(&self.full, &self.shown) {
            Ok(text) => text,
            Err(err) => {
                errors.push(match err.downcast::<InputError>() {
                    Ok(e) => e,
                    Err(other) => InputError::at(&self.shown, None, format!("{other:#}")),
                });
                return None;
            }
        };
        if text.trim().is_empty() {
            return Some((Vec::new(), text));
        }
        let items: Option<Vec<T>> = match crate::yaml::parse(&text, &self.shown, 1) {
            Ok(items) => items,
            Err(e) => {
                errors.push(e);
                return None;
            }
        };
        Some((items.unwrap_or_default(), text))
    }

    fn error(&self, line: Option<usize>, message: impl Into<String>) -> InputError {
        InputError::at(&self.shown, line, message)
    }
}

/// Where the items of a top-level YAML list and their keys are, for messages about
/// values found wrong after parsing.
struct Lines<'a> {
    lines: Vec<&'a str>,
    /// The 0-based line each item starts on.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let lines: Vec<&str> = text.lines().collect();
        let is_item = |l: &str| {
            let t = l.trim_start();
            t.starts_with("- ") || t.trim_end() == "-"
        };
        // The list's own items are the least indented ones (the list may be indented).
        let indent = |l: &str| l.len() - l.trim_start().len();
        let top = lines.iter().filter(|l| is_item(l)).map(|l| indent(l)).min();
        let starts = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| is_item(l) && Some(indent(l)) == top)
            .map(|(i, _)| i)
            .collect();
        Lines { lines, starts }
    }

    /// The 1-based line item `i` starts on.
    fn item(&self, i: usize) -> Option<usize> {
        self.starts.get(i).map(|l| l + 1)
    }

    /// The 1-based line of `key` in item `i`, else the item's own line.
    fn key(&self, i: usize, key: &str) -> Option<usize> {
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).copied().unwrap_or(self.lines.len());
        (start..end)
            .find(|&n| {
                let line = self.lines[n].trim_start_matches(['-', ' ']);
                line.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
            .map(|n| n + 1)
            .or(self.item(i))
    }

    /// The 1-based line of item `i` that contains `needle`.
    fn find(&self, i: usize, needle: &str) -> Option<usize> {
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).copied().unwrap_or(self.lines.len());
        (start..end)
            .find(|&n| self.lines[n].contains(needle))
            .map(|n| n + 1)
    }

    /// The text after `key:` on its line in item `i`, unquoted.
    fn raw_value(&self, i: usize, key: &str) -> Option<&'a str> {
        let line = self.lines[self.key(i, key)? - 1];
        let value = line.split_once(':')?.1;
        let value = value.split(" #").next().unwrap_or(value).trim();
        Some(value.trim_matches(['"', '\'']))
    }
}

/// A scalar an editor may write with or without quotes (`level: 3`, `code: 1.001193`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
}

impl Scalar {
    fn as_text(&self) -> String {
        match self {
            Scalar::Text(s) => s.trim().to_owned(),
            Scalar::Int(n) => n.to_string(),
            Scalar::Float(x) => x.to_string(),
        }
    }
}

/// A day written `2026-11-23`.
fn parse_day(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

/// A day as Vietnamese readers write it: `23/11/2026`.
fn show_day(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// A value for a `data-` attribute and a filter's option: `Hộ tịch` → `ho-tich`.
fn key_of(text: &str) -> String {
    crate::text::slugify(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_items_and_keys() {
        let text =
            "# header\n- code: \"1.001193\"\n  name: A\n-   code: 1.000894 # note\n  level: 3\n";
        let lines = Lines::new(text);
        assert_eq!(lines.item(0), Some(2));
        assert_eq!(lines.key(0, "name"), Some(3));
        assert_eq!(lines.key(1, "code"), Some(4));
        assert_eq!(lines.key(1, "level"), Some(5));
        assert_eq!(lines.key(1, "name"), Some(4));
        assert_eq!(lines.raw_value(0, "code"), Some("1.001193"));
        assert_eq!(lines.raw_value(1, "code"), Some("1.000894"));
        let nested = Lines::new("  - day: x\n    files:\n      - a.pdf\n  - day: y\n");
        assert_eq!(nested.item(1), Some(4));
        assert_eq!(nested.find(0, "a.pdf"), Some(3));
    }
}
