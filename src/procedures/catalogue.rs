//! Administrative procedures (`thu-tuc.yaml`): codes, levels and the links to the
//! provincial and national public-service portals, with the day each link was checked.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{key_of, messages, parse_day, show_day, ExternalLink, Lines, Made, Scalar, Source};
use crate::config::ServicePortal;
use crate::error::{did_you_mean, InputError};
use crate::render::{DataPage, Lang};
use crate::site::Site;
use crate::text;

/// The file of a unit's procedures.
pub(super) const FILE: &str = "thu-tuc.yaml";
/// The placeholder for the code in a URL pattern.
const PLACEHOLDER: &str = "{code}";

/// One procedure, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Procedure {
    code: Scalar,
    name: String,
    field: String,
    level: Scalar,
    agency: String,
    #[serde(default)]
    fee: Option<String>,
    #[serde(default)]
    time_limit: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    verified: Option<String>,
}

/// How far a procedure can be done online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// Toàn trình: from filing to result, online.
    Full,
    /// Một phần: part of it online.
    Partial,
    /// The levels 1-4 of archives, highest first (stored as 4 - level).
    Legacy(u8),
}

/// How levels may be written, for suggestions.
const LEVELS: &[&str] = &["toàn trình", "một phần", "1", "2", "3", "4"];

impl Level {
    fn parse(value: &str) -> Option<Level> {
        let v = text::nfc(value.trim()).to_lowercase();
        let v = v.strip_prefix("mức độ").unwrap_or(&v).trim();
        match v {
            "toàn trình" => Some(Level::Full),
            "một phần" => Some(Level::Partial),
            "1" | "2" | "3" | "4" => Some(Level::Legacy(b'4' - v.as_bytes()[0])),
            _ => None,
        }
    }

    fn label(self) -> String {
        match self {
            Level::Full => "Toàn trình".into(),
            Level::Partial => "Một phần".into(),
            Level::Legacy(n) => format!("Mức độ {}", 4 - n),
        }
    }
}

/// Whether `code` is a procedure code: `1.001193`, or `1.001612.000.00.00.H56`.
pub(super) fn valid_code(code: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = code.split('.').collect();
    match parts.as_slice() {
        [a, b] => digits(a, 1) && digits(b, 6),
        [a, b, c, d, e, f] => {
            digits(a, 1)
                && digits(b, 6)
                && digits(c, 3)
                && digits(d, 2)
                && digits(e, 2)
                && f.len() == 3
                && f.as_bytes()[0].is_ascii_uppercase()
                && digits(&f[1..], 2)
        }
        _ => false,
    }
}

/// The short form of a code, which names the procedure whatever the portal.
fn short_code(code: &str) -> &str {
    code.match_indices('.')
        .nth(1)
        .map(|(i, _)| &code[..i])
        .unwrap_or(code)
}

/// A procedure as the pages show it.
#[derive(Debug, Clone, Serialize)]
struct View {
    code: String,
    name: String,
    field: String,
    field_key: String,
    level: String,
    level_key: String,
    agency: String,
    fee: Option<String>,
    time_limit: Option<String>,
    /// The detail page.
    url: String,
    provincial_url: String,
    national_url: Option<String>,
    verified: Option<String>,
    search: String,
    #[serde(skip)]
    order: (Level, String),
}

/// Reports a URL pattern in site.yaml without the code placeholder.
pub(super) fn check_patterns(site: &Site, made: &mut Made) {
    let Some(services) = &site.content.site.public_services else {
        return;
    };
    let portals = std::iter::once(&services.provincial).chain(services.national.as_ref());
    for pattern in portals.filter_map(|p| p.procedure_url.as_deref()) {
        if !pattern.contains(PLACEHOLDER) {
            let shown = Path::new("content").join(crate::content::SITE_FILE);
            let text = std::fs::read_to_string(site.options.root.join(&shown)).unwrap_or_default();
            let line = text
                .lines()
                .position(|l| l.contains("procedure_url") && l.contains(pattern))
                .map(|i| i + 1);
            made.errors.push(InputError::at(
                &shown,
                line,
                messages::pattern_without_code(pattern),
            ));
        }
    }
}

/// The link a portal gives a code, from its pattern.
fn derived(portal: Option<&ServicePortal>, code: &str) -> Option<String> {
    portal
        .and_then(|p| p.procedure_url.as_deref())
        .map(|pattern| pattern.replace(PLACEHOLDER, code))
}

/// The procedures page of a unit (always made, so that the menu's link works in every
/// unit) and a page per procedure.
pub(super) fn unit_pages(site: &Site, unit: usize, made: &mut Made) {
    let source = Source::new(site, unit, FILE);
    let (items, text) = source
        .parse::<Procedure>(&mut made.errors)
        .unwrap_or_default();
    let lines = Lines::new(&text);
    let services = site.content.site.public_services.as_ref();
    let today = site.options.now.with_timezone(&text::VIETNAM).date_naive();
    let limit = site.content.site.link_check_days;
    let unit_path = &site.content.units[unit].path;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut views = Vec::new();
    for (i, p) in items.into_iter().enumerate() {
        let err = |key: &str, message: String| source.error(lines.key(i, key), message);
        let code = match &p.code {
            Scalar::Text(s) => s.trim().to_owned(),
            other => lines
                .raw_value(i, "code")
                .map(str::to_owned)
                .unwrap_or_else(|| other.as_text()),
        };
        if !valid_code(&code) {
            made.errors.push(err("code", messages::bad_code(&code)));
            continue;
        }
        if let Some(first) = seen.insert(short_code(&code).to_owned(), i) {
            made.errors.push(err(
                "code",
                messages::duplicate_code(&code, lines.item(first)),
            ));
        }
        for (key, value) in [
            ("name", &p.name),
            ("field", &p.field),
            ("agency", &p.agency),
        ] {
            if value.trim().is_empty() {
                made.errors.push(err(key, messages::empty(key)));
            }
        }
        let level_text = p.level.as_text();
        let Some(level) = Level::parse(&level_text) else {
            made.errors.push(err(
                "level",
                messages::unknown_level(
                    &level_text,
                    &did_you_mean(&level_text, LEVELS.iter().copied()),
                ),
            ));
            continue;
        };
        let provincial = match &p.url {
            Some(url) if !url.starts_with("https://") && !url.starts_with("http://") => {
                made.errors.push(err("url", messages::bad_url(url)));
                continue;
            }
            Some(url) => url.clone(),
            None => match derived(services.map(|s| &s.provincial), &code) {
                Some(url) => url,
                None => {
                    made.errors.push(err("code", messages::no_link(&code)));
                    continue;
                }
            },
        };
        // The national portal knows every procedure by its short code.
        let national = derived(
            services.and_then(|s| s.national.as_ref()),
            short_code(&code),
        );
        let verified = match &p.verified {
            None => {
                made.warnings
                    .push(err("code", messages::never_verified(&code)));
                None
            }
            Some(value) => match parse_day(value) {
                None => {
                    made.errors
                        .push(err("verified", messages::bad_day("verified", value)));
                    continue;
                }
                Some(day) if day > today => {
                    made.errors
                        .push(err("verified", messages::verified_in_future(value)));
                    continue;
                }
                Some(day) => {
                    let age = (today - day).num_days();
                    if age > i64::from(limit) {
                        made.warnings.push(err(
                            "verified",
                            messages::stale(&code, &show_day(day), age, limit),
                        ));
                    }
                    Some(show_day(day))
                }
            },
        };
        let line = if p.url.is_some() {
            lines.key(i, "url")
        } else {
            lines.key(i, "code")
        };
        for url in std::iter::once(&provincial).chain(national.as_ref()) {
            made.links.push(ExternalLink {
                file: source.shown.clone(),
                line,
                url: url.clone(),
            });
        }
        let field = text::nfc(p.field.trim()).into_owned();
        let name = text::nfc(p.name.trim()).into_owned();
        views.push(View {
            search: text::fold(&format!("{code} {name} {field} {}", p.agency)).to_lowercase(),
            url: site.base.url(&format!("{unit_path}thu-tuc/{code}/")),
            field_key: key_of(&field),
            level: level.label(),
            level_key: key_of(&level.label()),
            agency: p.agency.trim().to_owned(),
            fee: p.fee,
            time_limit: p.time_limit,
            provincial_url: provincial,
            national_url: national,
            verified,
            order: (level, name.clone()),
            code,
            name,
            field,
        });
    }
    push_pages(site, unit, views, made);
}

fn push_pages(site: &Site, unit: usize, mut views: Vec<View>, made: &mut Made) {
    let u = &site.content.units[unit];
    let services = site.content.site.public_services.as_ref();
    let portal = |p: &ServicePortal| serde_json::json!({ "name": p.name.vi, "url": p.url });
    views.sort_by(|a, b| {
        a.order
            .0
            .cmp(&b.order.0)
            .then_with(|| text::collate(&a.order.1, &b.order.1))
    });
    let mut fields: BTreeMap<String, (String, Vec<&View>)> = BTreeMap::new();
    for v in &views {
        fields
            .entry(v.field_key.clone())
            .or_insert_with(|| (v.field.clone(), Vec::new()))
            .1
            .push(v);
    }
    let mut fields: Vec<(String, Vec<&View>)> = fields.into_values().collect();
    fields.sort_by(|a, b| text::collate(&a.0, &b.0));
    let mut level_counts: Vec<(Level, usize)> = Vec::new();
    for v in &views {
        match level_counts.iter_mut().find(|(l, _)| *l == v.order.0) {
            Some((_, n)) => *n += 1,
            None => level_counts.push((v.order.0, 1)),
        }
    }
    level_counts.sort();
    let fields_json: Vec<serde_json::Value> = fields
        .iter()
        .map(|(name, list)| {
            let mut levels: Vec<(String, String, Vec<&View>)> = Vec::new();
            for v in list {
                match levels.iter_mut().find(|(_, key, _)| *key == v.level_key) {
                    Some((_, _, items)) => items.push(v),
                    None => levels.push((v.level.clone(), v.level_key.clone(), vec![v])),
                }
            }
            serde_json::json!({
                "name": name,
                "key": key_of(name),
                "count": list.len(),
                "levels": levels.iter().map(|(name, key, items)| serde_json::json!({
                    "name": name, "key": key, "procedures": items,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let path = format!("{}thu-tuc/", u.path);
    let json_path = format!("{path}thu-tuc.json");
    let data = serde_json::json!({
        "count": views.len(),
        "fields": fields_json,
        "levels": level_counts.iter().map(|(l, n)| serde_json::json!({
            "name": l.label(), "key": key_of(&l.label()), "count": n,
        })).collect::<Vec<_>>(),
        "provincial": services.map(|s| portal(&s.provincial)),
        "national": services.and_then(|s| s.national.as_ref()).map(portal),
        "download": site.base.url(&json_path),
    });
    made.pages.push(DataPage {
        unit,
        lang: Lang::Vi,
        path: path.clone(),
        title: "Thủ tục hành chính".into(),
        template: "thu_tuc.html".into(),
        alternate: None,
        data,
    });
    let download = serde_json::to_vec_pretty(&views).unwrap_or_default();
    made.files.push((
        json_path[1..].to_owned(),
        crate::output::File::Bytes(Arc::new(download)),
    ));
    for v in &views {
        made.pages.push(DataPage {
            unit,
            lang: Lang::Vi,
            path: format!("{path}{}/", v.code),
            title: v.name.clone(),
            template: "thu_tuc_chi_tiet.html".into(),
            alternate: None,
            data: serde_json::json!({
                "procedure": v,
                "list": site.base.url(&path),
                "provincial": services.map(|s| portal(&s.provincial)),
                "national": services.and_then(|s| s.national.as_ref()).map(portal),
            }),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_short_and_long() {
        assert!(valid_code("1.001193"));
        assert!(valid_code("1.001612.000.00.00.H01"));
        for bad in [
            "1.00119",
            "1001193",
            "1.001193.000",
            "1.001612.000.00.00.01",
            "a.001193",
            "",
        ] {
            assert!(!valid_code(bad), "{bad}");
        }
        assert_eq!(short_code("1.001612.000.00.00.H01"), "1.001612");
        assert_eq!(short_code("1.001193"), "1.001193");
    }

    #[test]
    fn levels_new_and_legacy() {
        assert_eq!(Level::parse("toàn trình"), Some(Level::Full));
        assert_eq!(Level::parse("Một phần"), Some(Level::Partial));
        assert_eq!(
            Level::parse("3").map(Level::label).as_deref(),
            Some("Mức độ 3")
        );
        assert_eq!(
            Level::parse("mức độ 4").map(Level::label).as_deref(),
            Some("Mức độ 4")
        );
        assert_eq!(Level::parse("5"), None);
        assert_eq!(Level::parse("toan trinh"), None);
        assert!(Level::Full < Level::Partial && Level::Partial < Level::parse("4").unwrap());
        assert!(Level::parse("4").unwrap() < Level::parse("1").unwrap());
    }
}
