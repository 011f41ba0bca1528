//! The *Thống kê truy cập* block that the default theme shows on every page.
//!
//! A build may bake a dated snapshot of the counts into the pages, read once: from the
//! SQLite database of `cong counter serve` (through [`super::snapshot_from_sqlite`]) or
//! from a running service's `/stats`. [`view`] gives each page's template what the block
//! and its script need: the service's address, the page's unit and path exactly as
//! `cong-counter.json` lists them (site paths, without the base URL's prefix), and the
//! snapshot's figures in Vietnamese format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::content::Unit;
use crate::text;

/// Where a build reads the counts it bakes into the pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The SQLite file of `cong counter serve --db`.
    Database(PathBuf),
    /// The address of a running `cong counter serve` (its `/stats` is asked once per unit).
    Service(String),
}

/// The figures of one unit when the snapshot was taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
pub struct Figures {
    pub online: u64,
    pub today: u64,
    pub yesterday: u64,
    pub week: u64,
    pub month: u64,
    pub total: u64,
}

/// The counts of the units at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Snapshot {
    /// When the counts were read, in Vietnam's time.
    pub as_of: DateTime<FixedOffset>,
    /// By unit id (the unit's site path, `/` for the portal's own unit).
    pub units: BTreeMap<String, Figures>,
}

/// What `cong counter snapshot` and `/stats` both carry.
#[derive(Deserialize)]
struct Raw {
    as_of: String,
    #[serde(default)]
    units: BTreeMap<String, Figures>,
}

fn parse_time(text: &str) -> anyhow::Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).with_context(|| format!("`{text}` is not a time"))
}

impl Snapshot {
    /// Reads the counts of every unit once, from a database or a running service.
    pub fn read(source: &Source, units: &[Unit]) -> anyhow::Result<Snapshot> {
        match source {
            Source::Database(path) => Snapshot::from_sqlite(path),
            Source::Service(url) => {
                let ids: Vec<&str> = units.iter().map(|u| u.path.as_str()).collect();
                Snapshot::from_service(url, &ids)
            }
        }
    }

    /// The counts of every unit in the SQLite database of `cong counter serve`.
    pub fn from_sqlite(path: &Path) -> anyhow::Result<Snapshot> {
        let value = super::snapshot_from_sqlite(path)
            .with_context(|| format!("cannot read the counts in `{}`", path.display()))?;
        let raw: Raw = serde_json::from_value(value)?;
        Ok(Snapshot {
            as_of: parse_time(&raw.as_of)?,
            units: raw.units,
        })
    }

    /// The counts of the given units from a running service, one `/stats` request each.
    /// A unit the service does not know (404) is left out, and its pages show no figures.
    pub fn from_service(url: &str, units: &[&str]) -> anyhow::Result<Snapshot> {
        let base = url.trim_end_matches('/');
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(15)))
            .user_agent(concat!("cong/", env!("CARGO_PKG_VERSION"), " (build)"))
            .build()
            .into();
        let mut snapshot = Snapshot {
            as_of: chrono::Utc::now()
                .with_timezone(&text::VIETNAM)
                .fixed_offset(),
            units: BTreeMap::new(),
        };
        let mut latest: Option<DateTime<FixedOffset>> = None;
        for unit in units {
            let stats = format!("{base}/stats");
            let mut answer = agent
                .get(&stats)
                .query("unit", *unit)
                .call()
                .with_context(|| {
                    format!("cannot reach the access counter at `{base}` (asked for unit `{unit}`); start `cong counter serve` or build without `--counter-url`")
                })?;
            let status = answer.status().as_u16();
            let body = answer.body_mut().read_to_string().unwrap_or_default();
            match status {
                200 => {}
                404 => {
                    log::warn!("the access counter at `{base}` does not know unit `{unit}`; its pages show no figures");
                    continue;
                }
                _ => bail!(
                    "the access counter at `{base}` answered {status} for unit `{unit}`: {}",
                    body.trim()
                ),
            }
            let figures: Figures = serde_json::from_str(&body)
                .with_context(|| format!("`{stats}?unit={unit}` did not answer counts"))?;
            if let Some(at) = serde_json::from_str::<Raw>(&body)
                .ok()
                .and_then(|raw| parse_time(&raw.as_of).ok())
            {
                latest = latest.max(Some(at));
            }
            snapshot.units.insert((*unit).to_owned(), figures);
        }
        if let Some(at) = latest {
            snapshot.as_of = at;
        }
        Ok(snapshot)
    }
}

/// What the block's template gets as `counter`.
#[derive(Debug, Serialize)]
pub struct View {
    /// The service's address without a trailing `/`, when `counter.endpoint` is set.
    pub endpoint: Option<String>,
    /// The page's unit, as `cong-counter.json` names it.
    pub unit: String,
    /// The page's site path, as `cong-counter.json` lists it; `None` for a page that is
    /// not listed there (the 404 page, which a hit then counts for the unit alone).
    pub path: Option<String>,
    /// The baked figures of the unit, when the build read a snapshot that has them.
    pub snapshot: Option<SnapshotView>,
}

/// A snapshot's figures as the page shows them.
#[derive(Debug, Serialize)]
pub struct SnapshotView {
    /// `23/11/2026 12:00`.
    pub as_of: String,
    /// `2026-11-23T12:00:00+07:00`, for `<time datetime>`.
    pub as_of_iso: String,
    pub online: String,
    pub today: String,
    pub yesterday: String,
    pub week: String,
    pub month: String,
    pub total: String,
}

/// The unit a site path belongs to for the counter: the deepest unit whose path it starts
/// with, the rule `cong-counter.json` is written by.
pub fn unit_of<'u>(units: &'u [Unit], path: &str) -> &'u str {
    units
        .iter()
        .map(|u| u.path.as_str())
        .filter(|p| path.starts_with(p))
        .max_by_key(|p| p.len())
        .unwrap_or("/")
}

fn format(n: u64) -> String {
    text::format_int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The block's values for the page at site path `path` (`listed`: whether the page is
/// one of those `cong-counter.json` lists).
pub fn view(
    endpoint: Option<&str>,
    units: &[Unit],
    snapshot: Option<&Snapshot>,
    path: &str,
    listed: bool,
) -> View {
    let unit = unit_of(units, path);
    let snapshot = snapshot.and_then(|s| {
        s.units.get(unit).map(|f| SnapshotView {
            as_of: text::format_datetime(&s.as_of),
            as_of_iso: s
                .as_of
                .with_timezone(&text::VIETNAM)
                .fixed_offset()
                .to_rfc3339(),
            online: format(f.online),
            today: format(f.today),
            yesterday: format(f.yesterday),
            week: format(f.week),
            month: format(f.month),
            total: format(f.total),
        })
    });
    View {
        endpoint: endpoint
            .map(|e| e.trim().trim_end_matches('/').to_owned())
            .filter(|e| !e.is_empty()),
        unit: unit.to_owned(),
        path: listed.then(|| path.to_owned()),
        snapshot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_as_the_snapshot_command_prints_it() {
        let raw: Raw = serde_json::from_str(
            r#"{"as_of": "2026-11-23T10:00:00+07:00",
                "units": {"/": {"online": 3, "today": 10, "yesterday": 8, "week": 40,
                                "month": 120, "total": 12798780}}}"#,
        )
        .unwrap();
        assert_eq!(raw.units["/"].total, 12_798_780);
        assert_eq!(
            text::format_datetime(&parse_time(&raw.as_of).unwrap()),
            "23/11/2026 10:00"
        );
        assert_eq!(format(raw.units["/"].total), "12.798.780");
    }

    fn unit(path: &str) -> Unit {
        Unit {
            dir: PathBuf::new(),
            path: path.to_owned(),
            config: serde_yaml::from_str("name: { vi: X }\ntype: xã\n").unwrap(),
            parent: None,
            children: Vec::new(),
        }
    }

    #[test]
    fn a_page_belongs_to_the_deepest_unit_whose_path_it_starts_with() {
        let units = [unit("/"), unit("/xa-a/"), unit("/xa-a/thon-b/")];
        assert_eq!(unit_of(&units, "/tin-tuc/x/"), "/");
        assert_eq!(unit_of(&units, "/xa-a/en/"), "/xa-a/");
        assert_eq!(unit_of(&units, "/xa-a/thon-b/tin-tuc/"), "/xa-a/thon-b/");
        let snapshot = Snapshot {
            as_of: parse_time("2026-11-23T05:00:00Z").unwrap(),
            units: BTreeMap::from([(
                "/xa-a/".to_owned(),
                Figures {
                    total: 12_798_780,
                    ..Figures::default()
                },
            )]),
        };
        let page = view(
            Some(" https://tk.example.vn/ "),
            &units,
            Some(&snapshot),
            "/xa-a/",
            true,
        );
        assert_eq!(page.endpoint.as_deref(), Some("https://tk.example.vn"));
        assert_eq!(page.path.as_deref(), Some("/xa-a/"));
        let shown = page.snapshot.unwrap();
        assert_eq!(
            (shown.total.as_str(), shown.as_of.as_str()),
            ("12.798.780", "23/11/2026 12:00")
        );
        assert_eq!(shown.as_of_iso, "2026-11-23T12:00:00+07:00");
        let missing = view(None, &units, Some(&snapshot), "/404.html", false);
        assert!(missing.snapshot.is_none() && missing.path.is_none());
        assert_eq!(missing.unit, "/");
    }
}
