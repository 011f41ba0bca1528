//! The list of units, pages and origins the counter accepts, read from `cong-counter.json`.
//!
//! `cong build` writes this file next to the site it built, so the service counts only pages
//! that exist and only for the portal's own origins. It is read once at start-up into the
//! [`Targets`] struct that every request is checked against.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{bail, Context};
use serde::Deserialize;

/// The file as `cong build` writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    #[allow(dead_code)]
    generated: String,
    #[serde(default)]
    allowed_origins: Vec<String>,
    units: Vec<UnitEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitEntry {
    id: String,
    paths: Vec<String>,
}

/// Units, their pages and the allowed origins.
#[derive(Debug, Default, Clone)]
pub(crate) struct Targets {
    units: HashMap<String, HashSet<String>>,
    origins: HashSet<String>,
}

/// Why a (unit, path) pair was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    UnknownUnit,
    UnknownPath,
}

impl Targets {
    /// Reads the targets file and adds the extra origins given on the command line.
    pub(crate) fn load(path: &Path, extra_origins: &[String]) -> anyhow::Result<Targets> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("failed to read `{}`", path.display()))?;
        let file: TargetsFile = serde_json::from_str(&text).with_context(|| {
            format!(
                "`{}` is not a valid counter targets file; rebuild the site with `cong build` \
                 to write a fresh one",
                path.display()
            )
        })?;
        let mut targets = Targets::default();
        for unit in file.units {
            if !unit.id.starts_with('/') || !unit.id.ends_with('/') {
                bail!(
                    "unit id `{}` in `{}` must be a URL path starting and ending with `/`",
                    unit.id,
                    path.display()
                );
            }
            targets.units.entry(unit.id).or_default().extend(unit.paths);
        }
        for origin in file.allowed_origins.iter().chain(extra_origins) {
            targets.origins.insert(normalize_origin(origin));
        }
        Ok(targets)
    }

    /// Builds targets in memory (for tests and tools).
    #[cfg(test)]
    pub(crate) fn from_parts(units: &[(&str, &[&str])], origins: &[&str]) -> Targets {
        Targets {
            units: units
                .iter()
                .map(|(id, paths)| {
                    (
                        id.to_string(),
                        paths.iter().map(|p| p.to_string()).collect(),
                    )
                })
                .collect(),
            origins: origins.iter().map(|o| normalize_origin(o)).collect(),
        }
    }

    /// Checks that `unit` is known and, when given, that `path` is one of its pages.
    pub(crate) fn check(&self, unit: &str, path: Option<&str>) -> Result<(), Refusal> {
        let paths = self.units.get(unit).ok_or(Refusal::UnknownUnit)?;
        match path {
            Some(path) if !paths.contains(path) => Err(Refusal::UnknownPath),
            _ => Ok(()),
        }
    }

    /// Whether a browser page from `origin` may call the service.
    pub(crate) fn origin_allowed(&self, origin: &str) -> bool {
        self.origins.contains(&normalize_origin(origin))
    }

    pub(crate) fn unit_count(&self) -> usize {
        self.units.len()
    }

    pub(crate) fn page_count(&self) -> usize {
        self.units.values().map(HashSet::len).sum()
    }

    pub(crate) fn origin_count(&self) -> usize {
        self.origins.len()
    }
}

/// Origins compare without a trailing slash and case-insensitively, as browsers send them.
fn normalize_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_must_belong_to_their_unit() {
        let t = Targets::from_parts(
            &[("/", &["/", "/tin-tuc/a/"]), ("/xa-a/", &["/xa-a/"])],
            &["https://donghy.thainguyen.gov.vn/"],
        );
        assert_eq!(t.check("/", Some("/tin-tuc/a/")), Ok(()));
        assert_eq!(t.check("/xa-a/", None), Ok(()));
        assert_eq!(
            t.check("/xa-a/", Some("/tin-tuc/a/")),
            Err(Refusal::UnknownPath)
        );
        assert_eq!(t.check("/xa-b/", None), Err(Refusal::UnknownUnit));
        assert!(t.origin_allowed("https://DongHy.thainguyen.gov.vn"));
        assert!(!t.origin_allowed("https://evil.example"));
    }
}
