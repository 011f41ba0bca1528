//! Statistics: e-government indicators kept in YAML, published as tables, charts and
//! open data.
//!
//! `content/chi-tieu.yaml` defines the indicators once for the whole portal; each unit
//! reports its values per period in `content/<unit>/thong-ke/*.yaml`. Both are read and
//! validated by [`load`] before Markdown is rendered, because articles may embed a figure
//! or a chart (see [`embed`]). The data phase then makes the pages, the downloads and the
//! key figures of each home page ([`pages`]). A parent unit's figures are also computed
//! from its sub-units here ([`Statistics::figure`]), per the indicator's `aggregate`.

mod embed;
mod load;
mod pages;
mod svg;
mod table;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::config::Text;

pub use embed::{shortcode, SHORTCODES};
pub use load::load;
pub use pages::pages;

/// The file that defines the indicators, under `content/`.
pub const DEFINITIONS_FILE: &str = "chi-tieu.yaml";
/// The folder of a unit that holds its values.
pub const VALUES_DIR: &str = "thong-ke";

/// What an indicator measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A whole number: computers, accounts, dossiers.
    Count,
    /// A percentage reported as such (0-100), such as a satisfaction rate.
    Percent,
    /// A numerator over a denominator, shown as a percentage.
    Ratio,
}

/// How a parent's figure is made from its sub-units'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    /// The sum of the sub-units' counts.
    Sum,
    /// The sum of the numerators over the sum of the denominators.
    Weighted,
    /// Not computed: only what the unit reports.
    #[default]
    None,
}

fn yes() -> bool {
    true
}

/// One indicator of `chi-tieu.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub id: String,
    pub label: Text,
    pub kind: Kind,
    /// The unit of measure of a count (`hồ sơ`, `máy`), or of a ratio's parts.
    #[serde(default)]
    pub unit: Option<Text>,
    /// What a ratio's numerator and denominator count.
    #[serde(default)]
    pub numerator: Option<Text>,
    #[serde(default)]
    pub denominator: Option<Text>,
    /// The target: a count, or a percentage for percent and ratio.
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default = "yes")]
    pub higher_is_better: bool,
    #[serde(default)]
    pub aggregate: Aggregate,
    /// Shown on the unit's home page.
    #[serde(default)]
    pub key: bool,
    #[serde(default)]
    pub description: Option<Text>,
}

/// A reporting period: a year, a quarter or a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year(i32),
    Quarter(i32, u8),
    Month(i32, u8),
}

impl Period {
    /// `2022`, `2022-Q3` or `2022-09`.
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        let year = |y: &str| {
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                .then(|| y.parse::<i32>().ok())
                .flatten()
        };
        match text.split_once('-') {
            None => year(text).map(Period::Year),
            Some((y, rest)) => {
                let y = year(y)?;
                if let Some(q) = rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
                    match q {
                        "1" | "2" | "3" | "4" => Some(Period::Quarter(y, q.parse().ok()?)),
                        _ => None,
                    }
                } else if rest.len() == 2 && rest.bytes().all(|b| b.is_ascii_digit()) {
                    match rest.parse::<u8>() {
                        Ok(m @ 1..=12) => Some(Period::Month(y, m)),
                        _ => None,
                    }
                } else {
                    None
                }
            }
        }
    }

    /// The period before this one, of the same length.
    pub fn previous(self) -> Period {
        match self {
            Period::Year(y) => Period::Year(y - 1),
            Period::Quarter(y, 1) => Period::Quarter(y - 1, 4),
            Period::Quarter(y, q) => Period::Quarter(y, q - 1),
            Period::Month(y, 1) => Period::Month(y - 1, 12),
            Period::Month(y, m) => Period::Month(y, m - 1),
        }
    }

    pub fn is_year(self) -> bool {
        matches!(self, Period::Year(_))
    }

    /// Its name in Vietnamese: `Năm 2022`, `Quý III/2022`, `Tháng 9/2022`.
    pub fn label(self) -> String {
        match self {
            Period::Year(y) => format!("Năm {y}"),
            Period::Quarter(y, q) => {
                format!("Quý {}/{y}", ["I", "II", "III", "IV"][q as usize - 1])
            }
            Period::Month(y, m) => format!("Tháng {m}/{y}"),
        }
    }

    /// A short name for a chart's axis: `2022`, `Q3/2022`, `9/2022`.
    pub fn short(self) -> String {
        match self {
            Period::Year(y) => y.to_string(),
            Period::Quarter(y, q) => format!("Q{q}/{y}"),
            Period::Month(y, m) => format!("{m}/{y}"),
        }
    }

    /// Latest first: a year, then its quarters and months, newest first.
    fn order(self) -> (i32, u8, u8) {
        match self {
            Period::Year(y) => (y, 3, 0),
            Period::Quarter(y, q) => (y, 2, q),
            Period::Month(y, m) => (y, 1, m),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
        }
    }
}

impl Ord for Period {
    /// Newest first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.order().cmp(&self.order())
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A reported or computed value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Number(f64),
    Ratio { numerator: f64, denominator: f64 },
}

impl Value {
    /// The number shown and compared: a ratio as a percentage.
    pub fn number(self) -> f64 {
        match self {
            Value::Number(n) => n,
            Value::Ratio {
                numerator,
                denominator,
            } => numerator / denominator * 100.0,
        }
    }
}

/// The values one unit reported for one period, and where.
#[derive(Debug, Clone)]
pub struct Report {
    pub file: PathBuf,
    pub line: usize,
    pub source: Option<String>,
    pub values: BTreeMap<String, Value>,
}

/// A unit as the statistics see it.
#[derive(Debug, Clone)]
pub struct UnitNode {
    /// Its folder under `content/`.
    pub dir: PathBuf,
    /// Its site path (`/xa-minh-lap/`).
    pub path: String,
    pub name: String,
    pub children: Vec<usize>,
}

/// A unit's figure for one indicator and period.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figure {
    /// What the unit reports itself.
    pub reported: Option<Value>,
    /// What its sub-units add up to, with how many of them reported and how many there are.
    pub computed: Option<(Value, usize, usize)>,
}

impl Figure {
    /// The figure shown: the reported one, else the computed one.
    pub fn value(&self) -> Option<Value> {
        self.reported.or(self.computed.map(|c| c.0))
    }
}

/// Every definition and value of the portal, validated.
#[derive(Debug, Clone)]
pub struct Statistics {
    pub definitions: Vec<Definition>,
    pub reports: BTreeMap<(usize, Period), Report>,
    pub units: Vec<UnitNode>,
    /// The site's path prefix, for links from articles.
    pub prefix: String,
    /// A digest of every file read, so that pages embedding the data change with it.
    pub hash: u64,
}

impl Statistics {
    pub fn definition(&self, id: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.id == id)
    }

    /// A unit's figure for an indicator in a period: reported, and computed from its
    /// sub-units when the definition aggregates.
    pub fn figure(&self, unit: usize, def: &Definition, period: Period) -> Figure {
        let reported = self
            .reports
            .get(&(unit, period))
            .and_then(|r| r.values.get(&def.id))
            .copied();
        Figure {
            reported,
            computed: self.computed(unit, def, period),
        }
    }

    fn computed(
        &self,
        unit: usize,
        def: &Definition,
        period: Period,
    ) -> Option<(Value, usize, usize)> {
        let children = &self.units[unit].children;
        if def.aggregate == Aggregate::None || children.is_empty() {
            return None;
        }
        let values: Vec<Value> = children
            .iter()
            .filter_map(|c| self.figure(*c, def, period).value())
            .collect();
        if values.is_empty() {
            return None;
        }
        let value = match def.aggregate {
            Aggregate::Sum => Value::Number(values.iter().map(|v| v.number()).sum()),
            Aggregate::Weighted => {
                let (mut numerator, mut denominator) = (0.0, 0.0);
                for v in &values {
                    if let Value::Ratio {
                        numerator: n,
                        denominator: d,
                    } = v
                    {
                        numerator += n;
                        denominator += d;
                    }
                }
                if denominator <= 0.0 {
                    return None;
                }
                Value::Ratio {
                    numerator,
                    denominator,
                }
            }
            Aggregate::None => return None,
        };
        Some((value, values.len(), children.len()))
    }

    /// The periods a unit has figures for (its own or its sub-units'), newest first.
    pub fn periods(&self, unit: usize) -> Vec<Period> {
        let mut units = vec![unit];
        let mut i = 0;
        while i < units.len() {
            units.extend(self.units[units[i]].children.iter().copied());
            i += 1;
        }
        let mut periods: Vec<Period> = self
            .reports
            .keys()
            .filter(|(u, _)| units.contains(u))
            .map(|(_, p)| *p)
            .collect();
        periods.sort();
        periods.dedup();
        periods
    }

    /// The unit a content file belongs to: the deepest unit folder holding it.
    pub fn unit_of(&self, source: &std::path::Path) -> usize {
        let inner = source.strip_prefix("content").unwrap_or(source);
        self.units
            .iter()
            .enumerate()
            .filter(|(_, u)| inner.starts_with(&u.dir))
            .max_by_key(|(_, u)| u.dir.components().count())
            .map(|(i, _)| i)
            .unwrap_or(0)
    }
}

/// A value as Vietnamese readers write it: `5.100`, `99,7%`.
pub fn format_value(def: &Definition, value: Value) -> String {
    match (def.kind, value) {
        (Kind::Count, v) => crate::text::format_number(v.number(), 1),
        (_, v) => crate::text::format_percent(v.number()),
    }
}

/// A target, formatted like the indicator's values.
pub fn format_target(def: &Definition, target: f64) -> String {
    match def.kind {
        Kind::Count => crate::text::format_number(target, 1),
        _ => crate::text::format_percent(target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_order() {
        assert_eq!(Period::parse("2022"), Some(Period::Year(2022)));
        assert_eq!(Period::parse("2022-Q3"), Some(Period::Quarter(2022, 3)));
        assert_eq!(Period::parse("2022-09"), Some(Period::Month(2022, 9)));
        for bad in ["22", "2022-Q5", "2022-13", "Q3/2022", "2022-9", "năm 2022"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        let mut ps = vec![
            Period::Year(2021),
            Period::Quarter(2022, 1),
            Period::Year(2022),
            Period::Quarter(2022, 3),
        ];
        ps.sort();
        assert_eq!(
            ps,
            [
                Period::Year(2022),
                Period::Quarter(2022, 3),
                Period::Quarter(2022, 1),
                Period::Year(2021)
            ]
        );
        assert_eq!(
            Period::Quarter(2022, 1).previous(),
            Period::Quarter(2021, 4)
        );
        assert_eq!(Period::Quarter(2022, 3).label(), "Quý III/2022");
    }
}
