//! The leaders' working calendar (lịch công tác): a file per ISO week,
//! `lich-cong-tac/2026-W48.yaml`, or every entry in `lich-cong-tac.yaml`. The page
//! `/<unit>/lich-cong-tac/` shows the week of the build's "now" first, then the coming
//! weeks and the archive of past weeks, each on its own page.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, IsoWeek, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::{messages, parse_day, show_day, Lines, Made, Source};
use crate::render::{DataPage, Lang};
use crate::site::Site;
use crate::text;

/// The folder of a unit's weekly files, and the single-file alternative.
const DIR: &str = "lich-cong-tac";
const FILE: &str = "lich-cong-tac.yaml";

/// One entry, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    day: String,
    time: String,
    content: String,
    #[serde(default)]
    leader: Option<String>,
    #[serde(default)]
    participants: Option<String>,
    #[serde(default)]
    place: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct EntryView {
    time: String,
    content: String,
    leader: Option<String>,
    participants: Option<String>,
    place: Option<String>,
    #[serde(skip)]
    order: u32,
}

/// Reads `07:30`, `7h30`, `Sáng`, `Chiều`, `Tối`, `Cả ngày`: what is shown and a key
/// that sorts the day's entries.
pub(super) fn parse_time(value: &str) -> Option<(String, u32)> {
    let v = text::nfc(value.trim()).into_owned();
    if v.starts_with(|c: char| c.is_ascii_digit()) {
        let (h, m) = v.split_once([':', 'h', 'g'])?;
        let (h, m): (u32, u32) = (
            h.parse().ok()?,
            if m.is_empty() { 0 } else { m.parse().ok()? },
        );
        return (h < 24 && m < 60).then(|| (format!("{h:02}:{m:02}"), h * 60 + m));
    }
    let order = match v.to_lowercase().as_str() {
        "cả ngày" => 0,
        "sáng" => 1,
        "chiều" => 12 * 60 + 1,
        "tối" => 18 * 60 + 1,
        _ => return None,
    };
    Some((v, order))
}

/// `2026-W48` from a file name.
fn week_of_name(stem: &str) -> Option<IsoWeek> {
    let (year, week) = stem.split_once("-W")?;
    let (year, week): (i32, u32) = (year.parse().ok()?, week.parse().ok()?);
    (year > 1900 && week.to_string().len() <= 2 && stem.len() == 8)
        .then(|| NaiveDate::from_isoywd_opt(year, week, Weekday::Mon))
        .flatten()
        .map(|d| d.iso_week())
}

fn week_slug(week: IsoWeek) -> String {
    format!("{}-w{:02}", week.year(), week.week())
}

const DAY_NAMES: [&str; 7] = [
    "Thứ Hai",
    "Thứ Ba",
    "Thứ Tư",
    "Thứ Năm",
    "Thứ Sáu",
    "Thứ Bảy",
    "Chủ nhật",
];

/// The calendar pages of a unit, when it has a calendar.
pub(super) fn unit_pages(site: &Site, unit: usize, made: &mut Made) {
    let mut days: BTreeMap<NaiveDate, Vec<EntryView>> = BTreeMap::new();
    let mut sources = vec![(Source::new(site, unit, FILE), None)];
    let dir = Source::new(site, unit, DIR);
    if let Ok(entries) = std::fs::read_dir(&dir.full) {
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") && !crate::content::is_ignored(n))
            .collect();
        names.sort();
        for name in names {
            let source = Source::new(site, unit, std::path::Path::new(DIR).join(&name));
            match week_of_name(name.trim_end_matches(".yaml")) {
                Some(week) => sources.push((source, Some(week))),
                None => made
                    .errors
                    .push(source.error(None, messages::bad_week_file(&name))),
            }
        }
    }
    let mut any = false;
    for (source, week) in sources {
        let Some((items, text)) = source.parse::<Entry>(&mut made.errors) else {
            continue;
        };
        any = true;
        let lines = Lines::new(&text);
        for (i, e) in items.into_iter().enumerate() {
            let err = |key: &str, message: String| source.error(lines.key(i, key), message);
            let Some(day) = parse_day(&e.day) else {
                made.errors
                    .push(err("day", messages::bad_day("day", &e.day)));
                continue;
            };
            if let Some(week) = week.filter(|w| *w != day.iso_week()) {
                made.errors.push(err(
                    "day",
                    messages::day_outside_week(
                        &e.day,
                        &format!("{}-W{:02}", week.year(), week.week()),
                    ),
                ));
                continue;
            }
            let Some((time, order)) = parse_time(&e.time) else {
                made.errors.push(err("time", messages::bad_time(&e.time)));
                continue;
            };
            if e.content.trim().is_empty() {
                made.errors.push(err("content", messages::empty("content")));
                continue;
            }
            days.entry(day).or_default().push(EntryView {
                time,
                content: e.content.trim().to_owned(),
                leader: e.leader,
                participants: e.participants,
                place: e.place,
                order,
            });
        }
    }
    if !any {
        return;
    }
    let mut weeks: BTreeMap<(i32, u32), Vec<serde_json::Value>> = BTreeMap::new();
    for (day, mut entries) in days {
        entries.sort_by_key(|e| e.order);
        let w = day.iso_week();
        weeks
            .entry((w.year(), w.week()))
            .or_default()
            .push(serde_json::json!({
                "name": DAY_NAMES[day.weekday().num_days_from_monday() as usize],
                "date": show_day(day),
                "iso": day.format("%Y-%m-%d").to_string(),
                "entries": entries,
            }));
    }
    let u = &site.content.units[unit];
    let list_path = format!("{}{DIR}/", u.path);
    let today = site.options.now.with_timezone(&text::VIETNAM).date_naive();
    let current = today.iso_week();
    let week_view = |(year, week): (i32, u32), days: &Vec<serde_json::Value>| {
        let monday = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).unwrap_or(today);
        let w = monday.iso_week();
        serde_json::json!({
            "label": format!("Tuần {week}/{year} ({} – {})", show_day(monday), show_day(monday + Duration::days(6))),
            "url": site.base.url(&format!("{list_path}{}/", week_slug(w))),
            "days": days,
        })
    };
    let key = (current.year(), current.week());
    let upcoming: Vec<serde_json::Value> = weeks
        .range((key.0, key.1 + 1)..)
        .map(|(k, d)| week_view(*k, d))
        .collect();
    let archive: Vec<serde_json::Value> = weeks
        .range(..key)
        .rev()
        .map(|(k, d)| week_view(*k, d))
        .collect();
    let this_week = weeks
        .get(&key)
        .map(|d| week_view(key, d))
        .unwrap_or_else(|| week_view(key, &Vec::new()));
    let page = |week: &serde_json::Value, is_current: bool| {
        serde_json::json!({
            "week": week,
            "is_current": is_current,
            "upcoming": upcoming.iter().map(|w| serde_json::json!({"label": w["label"], "url": w["url"]})).collect::<Vec<_>>(),
            "archive": archive.iter().map(|w| serde_json::json!({"label": w["label"], "url": w["url"]})).collect::<Vec<_>>(),
            "list": site.base.url(&list_path),
        })
    };
    made.pages.push(DataPage {
        unit,
        lang: Lang::Vi,
        path: list_path.clone(),
        title: "Lịch công tác".into(),
        template: "lich_cong_tac.html".into(),
        alternate: None,
        data: page(&this_week, true),
    });
    for (k, d) in &weeks {
        let week = week_view(*k, d);
        let path = week["url"].as_str().unwrap_or_default()[site.base.prefix.len()..].to_owned();
        made.pages.push(DataPage {
            unit,
            lang: Lang::Vi,
            path,
            title: format!("Lịch công tác tuần {}/{}", k.1, k.0),
            template: "lich_cong_tac.html".into(),
            alternate: None,
            data: page(&week, *k == key),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_parts_of_day() {
        assert_eq!(parse_time("7:30"), Some(("07:30".into(), 450)));
        assert_eq!(parse_time("14h"), Some(("14:00".into(), 840)));
        assert_eq!(parse_time("Chiều").map(|t| t.1), Some(721));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("trưa"), None);
    }

    #[test]
    fn week_files() {
        let w = week_of_name("2026-W48").unwrap();
        assert_eq!((w.year(), w.week()), (2026, 48));
        assert_eq!(week_slug(w), "2026-w48");
        assert!(week_of_name("2026-48").is_none());
        assert!(week_of_name("2026-W60").is_none());
    }
}
