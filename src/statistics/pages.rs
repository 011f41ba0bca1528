//! The statistics pages, their downloads and each home page's key figures.
//!
//! Per unit: `/<unit>/thong-ke/` (every period, latest first, each indicator with its
//! change since the previous period and its progress against the target, then a line
//! chart per indicator over the years); on a unit with sub-units,
//! `/<unit>/thong-ke/so-sanh/` ranks them per indicator with a bar chart. Every table
//! has its CSV and JSON beside the page.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use super::svg::{self, Labels, Point};
use super::table::{Cell, Table};
use super::{format_target, format_value, Definition, Kind, Period, Statistics, Value};
use crate::output::File;
use crate::render::{DataPage, Lang};
use crate::site::Site;
use crate::text;

/// Makes the statistics pages and files of every unit, and the key figures of each home page.
pub fn pages(site: &mut Site) -> anyhow::Result<()> {
    site.key_figures.clear();
    let Some(stats) = site.statistics.as_ref() else {
        return Ok(());
    };
    let t = |key: &str| {
        site.theme
            .strings
            .get("vi")
            .and_then(|m| m.get(key))
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    };
    let mut pages = Vec::new();
    let mut files: Vec<(String, File)> = Vec::new();
    let mut key_figures = Vec::new();
    for (u, unit) in site.content.units.iter().enumerate() {
        let name = unit.config.name.vi.clone();
        let dir = format!("{}thong-ke/", unit.path);
        let url = |file: &str| site.base.url(&format!("{dir}{file}"));
        let mut add = |file: &str, table: &Table| {
            let path = format!("{}{file}", &dir[1..]);
            files.push((format!("{path}.csv"), File::Bytes(Arc::new(table.to_csv()))));
            files.push((
                format!("{path}.json"),
                File::Bytes(Arc::new(table.to_json())),
            ));
            json!({ "csv": url(&format!("{file}.csv")), "json": url(&format!("{file}.json")) })
        };
        let periods = stats.periods(u);
        let mut all = Table::new(&ALL_COLUMNS);
        let mut period_views = Vec::new();
        for &p in &periods {
            let mut table = Table::new(&PERIOD_COLUMNS);
            let mut rows = Vec::new();
            for def in &stats.definitions {
                let Some(row) = row(stats, u, def, p) else {
                    continue;
                };
                let cells = cells(stats, u, def, p);
                all.rows.push(
                    std::iter::once(Cell::Text(p.to_string()))
                        .chain(cells.iter().cloned())
                        .collect(),
                );
                table.rows.push(cells);
                rows.push(row);
            }
            let downloads = add(&p.to_string(), &table);
            let source = stats.reports.get(&(u, p)).and_then(|r| r.source.clone());
            period_views.push(json!({
                "id": p.to_string(),
                "label": p.label(),
                "source": source,
                "rows": rows,
                "has_children": !unit.children.is_empty(),
                "downloads": downloads,
            }));
        }
        let all_downloads = add("so-lieu", &all);
        let mut trends = Vec::new();
        for def in &stats.definitions {
            let series = trend(stats, u, def);
            if series.len() < 2 {
                continue;
            }
            let mut table = Table::new(&TREND_COLUMNS);
            for (p, v) in &series {
                let (n, d) = parts(*v);
                table.rows.push(vec![
                    Cell::Text(p.to_string()),
                    Cell::Number(Some(v.number())),
                    Cell::Number(n),
                    Cell::Number(d),
                ]);
            }
            let downloads = add(&format!("chi-tieu/{}", def.id), &table);
            let view = trend_view(def, &name, &series, &format!("l-{}", def.id));
            trends.push(json!({ "chart": view, "downloads": downloads }));
        }
        let mut compare = Vec::new();
        if !unit.children.is_empty() {
            for def in &stats.definitions {
                let Some(view) = ranking(stats, u, def, None) else {
                    continue;
                };
                let mut table = Table::new(&RANK_COLUMNS);
                for r in &view.rows {
                    table.rows.push(r.cells.clone());
                }
                let downloads = add(&format!("so-sanh/{}", def.id), &table);
                compare.push(json!({
                    "id": def.id,
                    "label": def.label.vi,
                    "period": view.period.label(),
                    "svg": view.svg,
                    "rows": view.rows.iter().map(|r| &r.view).collect::<Vec<_>>(),
                    "downloads": downloads,
                }));
            }
        }
        let compare_url = (!compare.is_empty()).then(|| url("so-sanh/"));
        pages.push(DataPage {
            unit: u,
            lang: Lang::Vi,
            path: dir.clone(),
            title: format!("{} - {name}", t("statistics")),
            template: "statistics.html".into(),
            alternate: None,
            data: json!({
                "unit_name": name,
                "periods": period_views,
                "trends": trends,
                "compare_url": compare_url,
                "downloads": all_downloads,
            }),
        });
        if let Some(compare_url) = compare_url {
            pages.push(DataPage {
                unit: u,
                lang: Lang::Vi,
                path: format!("{dir}so-sanh/"),
                title: format!("{} - {name}", t("statistics_compare")),
                template: "statistics_compare.html".into(),
                alternate: None,
                data: json!({
                    "unit_name": name,
                    "stats_url": url(""),
                    "url": compare_url,
                    "indicators": compare,
                }),
            });
        }
        key_figures.push(key_view(stats, u, &url("")));
    }
    site.data_pages.extend(pages);
    site.data_files.extend(files);
    site.key_figures = key_figures;
    Ok(())
}

const PERIOD_COLUMNS: [&str; 9] = [
    "chi_tieu",
    "ten_chi_tieu",
    "don_vi_tinh",
    "gia_tri",
    "tu_so",
    "mau_so",
    "gia_tri_tong_hop",
    "so_don_vi_tong_hop",
    "muc_tieu",
];
const ALL_COLUMNS: [&str; 10] = [
    "ky",
    "chi_tieu",
    "ten_chi_tieu",
    "don_vi_tinh",
    "gia_tri",
    "tu_so",
    "mau_so",
    "gia_tri_tong_hop",
    "so_don_vi_tong_hop",
    "muc_tieu",
];
const TREND_COLUMNS: [&str; 4] = ["ky", "gia_tri", "tu_so", "mau_so"];
const RANK_COLUMNS: [&str; 6] = ["hang", "don_vi", "ky", "gia_tri", "tu_so", "mau_so"];

fn parts(v: Value) -> (Option<f64>, Option<f64>) {
    match v {
        Value::Ratio {
            numerator,
            denominator,
        } => (Some(numerator), Some(denominator)),
        Value::Number(_) => (None, None),
    }
}

/// The unit of measure shown beside a value: `hồ sơ`, or `%`.
pub(super) fn measure(def: &Definition) -> String {
    match def.kind {
        Kind::Count => def.unit.as_ref().map(|u| u.vi.clone()).unwrap_or_default(),
        _ => "%".to_owned(),
    }
}

/// `549/1.153 hồ sơ` for a ratio.
pub(super) fn detail(def: &Definition, v: Value) -> Option<String> {
    match v {
        Value::Ratio {
            numerator,
            denominator,
        } => Some(
            format!(
                "{}/{} {}",
                text::format_number(numerator, 1),
                text::format_number(denominator, 1),
                def.unit.as_ref().map(|u| u.vi.as_str()).unwrap_or("")
            )
            .trim_end()
            .to_owned(),
        ),
        Value::Number(_) => None,
    }
}

fn cells(stats: &Statistics, u: usize, def: &Definition, p: Period) -> Vec<Cell> {
    let f = stats.figure(u, def, p);
    let (n, d) = f.reported.map(parts).unwrap_or((None, None));
    vec![
        Cell::Text(def.id.clone()),
        Cell::Text(def.label.vi.clone()),
        Cell::Text(measure(def)),
        Cell::Number(f.reported.map(Value::number)),
        Cell::Number(n),
        Cell::Number(d),
        Cell::Number(f.computed.map(|c| c.0.number())),
        Cell::Number(f.computed.map(|c| c.1 as f64)),
        Cell::Number(def.target),
    ]
}

/// The change since the previous period, in words, and whether it is for the better.
pub(super) fn change(def: &Definition, now: Value, before: Value) -> (String, &'static str) {
    let d = now.number() - before.number();
    let size = match def.kind {
        Kind::Count => text::format_number(d.abs(), 1),
        _ => format!("{} điểm %", text::format_number(d.abs(), 1)),
    };
    if size == "0" || size == "0 điểm %" {
        return ("không đổi".into(), "same");
    }
    let better = (d > 0.0) == def.higher_is_better;
    (
        format!("{} {size}", if d > 0.0 { "tăng" } else { "giảm" }),
        if better { "better" } else { "worse" },
    )
}

/// How far a value is along to its target, as a progress bar and in words.
pub(super) fn progress(
    def: &Definition,
    v: Value,
    id: &str,
    name: &str,
) -> Option<(String, String)> {
    let target = def.target?;
    let value = v.number();
    let max = match def.kind {
        Kind::Count => target.max(value),
        _ => 100.0,
    };
    let reached = if def.higher_is_better {
        value >= target
    } else {
        value <= target
    };
    let status = if reached {
        "đạt mục tiêu"
    } else {
        "chưa đạt mục tiêu"
    };
    let shown = format_value(def, v);
    let desc = format!(
        "{name}: {shown}; mục tiêu {}: {status}",
        format_target(def, target)
    );
    let svg = svg::progress(
        &Labels {
            id: id.to_owned(),
            title: format!("Tiến độ: {}", def.label.vi),
            desc,
        },
        value,
        max,
        Some(target),
        &shown,
    );
    Some((svg, status.to_owned()))
}

/// A row of a period's table, for the template.
fn row(stats: &Statistics, u: usize, def: &Definition, p: Period) -> Option<Json> {
    let f = stats.figure(u, def, p);
    let value = f.value()?;
    let before = stats.figure(u, def, p.previous()).value();
    let (change, change_class) = match before {
        Some(b) => change(def, value, b),
        None => (String::new(), "none"),
    };
    let name = &stats.units[u].name;
    let progress = progress(def, value, &format!("p-{p}-{}", def.id), name);
    Some(json!({
        "id": def.id,
        "label": def.label.vi,
        "measure": measure(def),
        "reported": f.reported.map(|v| format_value(def, v)),
        "reported_detail": f.reported.and_then(|v| detail(def, v)),
        "computed": f.computed.map(|(v, _, _)| format_value(def, v)),
        "computed_detail": f.computed.and_then(|(v, _, _)| detail(def, v)),
        "computed_from": f.computed.map(|(_, n, of)| format!("{n}/{of}")),
        "change": change,
        "change_class": change_class,
        "previous": p.previous().label(),
        "target": def.target.map(|t| format_target(def, t)),
        "progress_svg": progress.as_ref().map(|p| &p.0),
        "status": progress.as_ref().map(|p| &p.1),
    }))
}

/// An indicator's figures over the years (or over its quarters or months when it has
/// fewer than two years), oldest first.
pub(super) fn trend(stats: &Statistics, u: usize, def: &Definition) -> Vec<(Period, Value)> {
    let periods = stats.periods(u);
    let pick = |years: bool| -> Vec<(Period, Value)> {
        let mut v: Vec<(Period, Value)> = periods
            .iter()
            .filter(|p| p.is_year() == years)
            .filter_map(|p| stats.figure(u, def, *p).value().map(|v| (*p, v)))
            .collect();
        v.reverse();
        v
    };
    let years = pick(true);
    if years.len() >= 2 {
        years
    } else {
        pick(false)
    }
}

/// A line chart of a trend with its numbers as a table.
pub(super) fn trend_view(
    def: &Definition,
    unit_name: &str,
    series: &[(Period, Value)],
    id: &str,
) -> Json {
    let points: Vec<Point> = series
        .iter()
        .map(|(p, v)| Point {
            label: p.short(),
            value: v.number(),
            shown: format_value(def, *v),
        })
        .collect();
    let desc = points
        .iter()
        .map(|p| format!("{}: {}", p.label, p.shown))
        .collect::<Vec<_>>()
        .join("; ");
    let target = def.target.map(|t| (t, format_target(def, t)));
    let title = format!("{} - {unit_name}", def.label.vi);
    let svg = svg::line(
        &Labels {
            id: id.to_owned(),
            title: title.clone(),
            desc: format!("Biểu đồ đường qua các kỳ. {desc}"),
        },
        &points,
        target,
    );
    json!({
        "id": def.id,
        "title": title,
        "svg": svg,
        "measure": measure(def),
        "rows": series.iter().map(|(p, v)| json!({
            "period": p.label(),
            "value": format_value(def, *v),
            "detail": detail(def, *v),
        })).collect::<Vec<_>>(),
    })
}

pub(super) struct RankRow {
    pub(super) view: Json,
    pub(super) cells: Vec<Cell>,
}

pub(super) struct Ranking {
    pub(super) period: Period,
    pub(super) svg: String,
    pub(super) rows: Vec<RankRow>,
}

/// The sub-units of `u` ranked on an indicator, in `period` or the latest period any
/// of them reports.
pub(super) fn ranking(
    stats: &Statistics,
    u: usize,
    def: &Definition,
    period: Option<Period>,
) -> Option<Ranking> {
    let children = &stats.units[u].children;
    let period = match period {
        Some(p) => p,
        None => stats.periods(u).into_iter().find(|p| {
            children
                .iter()
                .any(|c| stats.figure(*c, def, *p).value().is_some())
        })?,
    };
    let mut ranked: Vec<(usize, Option<Value>)> = children
        .iter()
        .map(|c| (*c, stats.figure(*c, def, period).value()))
        .collect();
    if ranked.iter().all(|(_, v)| v.is_none()) {
        return None;
    }
    ranked.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => {
            let o = y.number().total_cmp(&x.number());
            let o = if def.higher_is_better { o } else { o.reverse() };
            o.then_with(|| text::collate(&stats.units[a.0].name, &stats.units[b.0].name))
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => text::collate(&stats.units[a.0].name, &stats.units[b.0].name),
    });
    let mut rows = Vec::new();
    let mut points = Vec::new();
    let mut rank = 0;
    let mut last: Option<f64> = None;
    for (i, (c, v)) in ranked.iter().enumerate() {
        let name = stats.units[*c].name.clone();
        if let Some(v) = v {
            if last != Some(v.number()) {
                rank = i + 1;
                last = Some(v.number());
            }
            points.push(Point {
                label: name.clone(),
                value: v.number(),
                shown: format_value(def, *v),
            });
        }
        let (n, d) = v.map(parts).unwrap_or((None, None));
        rows.push(RankRow {
            view: json!({
                "rank": v.map(|_| rank),
                "name": name,
                "url": format!("{}{}thong-ke/", stats.prefix, stats.units[*c].path),
                "value": v.map(|v| format_value(def, v)),
                "detail": v.and_then(|v| detail(def, v)),
            }),
            cells: vec![
                Cell::Number(v.map(|_| rank as f64)),
                Cell::Text(name),
                Cell::Text(period.to_string()),
                Cell::Number(v.map(Value::number)),
                Cell::Number(n),
                Cell::Number(d),
            ],
        });
    }
    let max = match def.kind {
        Kind::Count => points
            .iter()
            .map(|p| p.value)
            .chain(def.target)
            .fold(0.0, f64::max),
        _ => 100.0,
    };
    let desc = points
        .iter()
        .map(|p| format!("{}: {}", p.label, p.shown))
        .collect::<Vec<_>>()
        .join("; ");
    let svg = svg::bars(
        &Labels {
            id: format!("b-{}-{period}", def.id),
            title: format!("{} - {}", def.label.vi, period.label()),
            desc: format!(
                "Biểu đồ cột xếp hạng các đơn vị trực thuộc {}. {desc}",
                stats.units[u].name
            ),
        },
        &points,
        max,
        def.target.map(|t| (t, format_target(def, t))),
    );
    Some(Ranking { period, svg, rows })
}

/// The key indicators of a unit for its home page, each in its latest period.
fn key_view(stats: &Statistics, u: usize, url: &str) -> Json {
    let periods = stats.periods(u);
    let items: Vec<Json> = stats
        .definitions
        .iter()
        .filter(|d| d.key)
        .filter_map(|def| {
            periods.iter().find_map(|p| {
                stats.figure(u, def, *p).value().map(|v| {
                    json!({
                        "label": def.label.vi,
                        "value": format_value(def, v),
                        "measure": if def.kind == Kind::Count { measure(def) } else { String::new() },
                        "period": p.label(),
                    })
                })
            })
        })
        .collect();
    if items.is_empty() {
        return Json::Null;
    }
    json!({ "url": url, "items": items })
}
