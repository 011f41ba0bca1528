//! Legal documents (`van-ban.yaml`): number and symbol, type, issuer, dates, summary and
//! the attached files, which ship under the unit's folder and are copied beside the
//! document's page.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path};

use serde::{Deserialize, Serialize};

use super::{key_of, messages, parse_day, show_day, Lines, Made, Source};
use crate::error::did_you_mean;
use crate::output::File;
use crate::render::{DataPage, Lang};
use crate::site::Site;
use crate::text;

/// The file of a unit's documents.
pub(super) const FILE: &str = "van-ban.yaml";

/// One document, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(rename = "type")]
    kind: String,
    number: String,
    issuer: String,
    issued: String,
    #[serde(default)]
    effective: Option<String>,
    summary: String,
    #[serde(default)]
    signer: Option<String>,
    #[serde(default)]
    files: Vec<String>,
}

/// The types of documents and the abbreviation their symbol starts with (a công văn's
/// symbol starts with its issuer instead).
const TYPES: &[(&str, Option<&str>)] = &[
    ("Quyết định", Some("QĐ")),
    ("Kế hoạch", Some("KH")),
    ("Công văn", None),
    ("Thông báo", Some("TB")),
    ("Nghị quyết", Some("NQ")),
    ("Chỉ thị", Some("CT")),
    ("Báo cáo", Some("BC")),
    ("Tờ trình", Some("TTr")),
    ("Hướng dẫn", Some("HD")),
    ("Chương trình", Some("CTr")),
    ("Công điện", Some("CĐ")),
    ("Giấy mời", Some("GM")),
    ("Quy chế", Some("QC")),
    ("Quy định", Some("QyĐ")),
    ("Kết luận", Some("KL")),
    ("Thông tư", Some("TT")),
    ("Nghị định", Some("NĐ")),
];

/// Splits `93/KH-UBND` or `05/2021/NQ-HĐND` into its symbol's parts (`KH`, `UBND`);
/// `None` when it is not a number and symbol.
pub(super) fn symbol_of(number: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = number.split('/').collect();
    let (num, symbol) = match parts.as_slice() {
        [num, symbol] => (*num, *symbol),
        [num, year, symbol] if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => {
            (*num, *symbol)
        }
        _ => return None,
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let segments: Vec<&str> = symbol.split('-').collect();
    let good = |s: &&str| {
        !s.is_empty()
            && s.chars().next().is_some_and(char::is_uppercase)
            && s.chars().all(|c| c.is_alphanumeric() || c == '&')
    };
    (segments.len() >= 2 && segments.iter().all(good)).then_some(segments)
}

#[derive(Debug, Clone, Serialize)]
struct Attachment {
    name: String,
    url: String,
    size: String,
    kind: String,
}

/// A document as the pages show it.
#[derive(Debug, Clone, Serialize)]
struct View {
    number: String,
    kind: String,
    kind_key: String,
    issuer: String,
    issuer_key: String,
    issued: String,
    issued_iso: String,
    year: i32,
    effective: Option<String>,
    summary: String,
    signer: Option<String>,
    url: String,
    files: Vec<Attachment>,
    search: String,
}

fn size_of(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", text::format_int(bytes.div_ceil(1024) as i64))
    } else {
        format!("{} MB", text::format_number(bytes as f64 / 1048576.0, 1))
    }
}

/// The documents page of a unit and a page per document, when it has `van-ban.yaml`.
pub(super) fn unit_pages(site: &Site, unit: usize, made: &mut Made) {
    let source = Source::new(site, unit, FILE);
    let Some((items, text)) = source.parse::<Document>(&mut made.errors) else {
        return;
    };
    let lines = Lines::new(&text);
    let u = &site.content.units[unit];
    let unit_dir = site.options.root.join("content").join(&u.dir);
    let shown_dir = Path::new("content").join(&u.dir);
    let list_path = format!("{}van-ban/", u.path);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut views = Vec::new();
    for (i, d) in items.into_iter().enumerate() {
        let err = |key: &str, message: String| source.error(lines.key(i, key), message);
        let number = d.number.trim().to_owned();
        let kind = text::nfc(d.kind.trim()).into_owned();
        let mut ok = true;
        let known = TYPES
            .iter()
            .find(|(name, _)| name.to_lowercase() == kind.to_lowercase());
        if known.is_none() {
            let names: Vec<&str> = TYPES.iter().map(|(n, _)| *n).collect();
            made.errors.push(err(
                "type",
                messages::unknown_type(
                    &kind,
                    &did_you_mean(&kind, names.iter().copied()),
                    &names.join(", "),
                ),
            ));
            ok = false;
        }
        match symbol_of(&number) {
            None => {
                made.errors
                    .push(err("number", messages::bad_number(&number)));
                ok = false;
            }
            Some(segments) => {
                let named = TYPES.iter().find(|(_, a)| *a == Some(segments[0]));
                if let (Some((named, abbreviation)), Some((given, _))) = (named, known) {
                    if named != given {
                        made.errors.push(err(
                            "number",
                            messages::type_mismatch(
                                &number,
                                abbreviation.unwrap_or(""),
                                &named.to_lowercase(),
                                &kind,
                            ),
                        ));
                        ok = false;
                    }
                }
            }
        }
        for (key, value) in [("issuer", &d.issuer), ("summary", &d.summary)] {
            if value.trim().is_empty() {
                made.errors.push(err(key, messages::empty(key)));
                ok = false;
            }
        }
        let issued = parse_day(&d.issued);
        if issued.is_none() {
            made.errors
                .push(err("issued", messages::bad_day("issued", &d.issued)));
            ok = false;
        }
        let effective = match &d.effective {
            None => None,
            Some(value) => match parse_day(value) {
                None => {
                    made.errors
                        .push(err("effective", messages::bad_day("effective", value)));
                    ok = false;
                    None
                }
                Some(day) => Some(day),
            },
        };
        if let (Some(issued), Some(effective)) = (issued, effective) {
            if effective < issued {
                made.errors.push(err(
                    "effective",
                    messages::effective_before_issued(&show_day(effective), &show_day(issued)),
                ));
                ok = false;
            }
        }
        let Some(issued) = issued.filter(|_| ok) else {
            continue;
        };
        let year = chrono::Datelike::year(&issued);
        let slug = if number.contains(&format!("/{year}/")) {
            text::slugify(&number)
        } else {
            format!("{}-{year}", text::slugify(&number))
        };
        if let Some(first) = seen.insert(slug.clone(), i) {
            made.errors.push(err(
                "number",
                messages::duplicate_document(&number, lines.item(first)),
            ));
            continue;
        }
        let path = format!("{list_path}{slug}/");
        let mut files = Vec::new();
        for file in &d.files {
            let rel = Path::new(file.trim());
            let inside = rel.components().all(|c| matches!(c, Component::Normal(_)));
            let full = unit_dir.join(rel);
            let name = rel.file_name().map(|n| n.to_string_lossy().into_owned());
            match (inside && full.is_file(), name) {
                (true, Some(name)) => {
                    let size = std::fs::metadata(&full).map(|m| m.len()).unwrap_or(0);
                    made.files
                        .push((format!("{}{name}", &path[1..]), File::Copy(full)));
                    files.push(Attachment {
                        url: site.base.url(&format!("{path}{name}")),
                        size: size_of(size),
                        kind: rel
                            .extension()
                            .map(|e| e.to_string_lossy().to_uppercase())
                            .unwrap_or_default(),
                        name,
                    });
                }
                _ => made.errors.push(source.error(
                    lines.find(i, file.trim()).or(lines.key(i, "files")),
                    messages::missing_file(file, &shown_dir.display().to_string()),
                )),
            }
        }
        let issuer = d.issuer.trim().to_owned();
        views.push(View {
            search: text::fold(&format!("{number} {} {issuer}", d.summary)).to_lowercase(),
            kind_key: key_of(&kind),
            issuer_key: key_of(&issuer),
            issued: show_day(issued),
            issued_iso: issued.format("%Y-%m-%d").to_string(),
            year,
            effective: effective.map(show_day),
            summary: d.summary.trim().to_owned(),
            signer: d.signer,
            url: site.base.url(&path),
            files,
            number,
            kind,
            issuer,
        });
    }
    views.sort_by(|a, b| {
        b.issued_iso
            .cmp(&a.issued_iso)
            .then_with(|| text::collate(&a.number, &b.number))
    });
    let options = |pick: fn(&View) -> (String, String)| {
        let mut counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for v in &views {
            let (key, name) = pick(v);
            counts.entry(key).or_insert((name, 0)).1 += 1;
        }
        let mut list: Vec<(String, String, usize)> =
            counts.into_iter().map(|(k, (n, c))| (k, n, c)).collect();
        list.sort_by(|a, b| text::collate(&a.1, &b.1));
        list.into_iter()
            .map(|(key, name, count)| serde_json::json!({"key": key, "name": name, "count": count}))
            .collect::<Vec<_>>()
    };
    let mut years = options(|v| (v.year.to_string(), v.year.to_string()));
    years.reverse();
    let data = serde_json::json!({
        "documents": views,
        "types": options(|v| (v.kind_key.clone(), v.kind.clone())),
        "years": years,
        "issuers": options(|v| (v.issuer_key.clone(), v.issuer.clone())),
    });
    made.pages.push(DataPage {
        unit,
        lang: Lang::Vi,
        path: list_path.clone(),
        title: "Văn bản".into(),
        template: "van_ban.html".into(),
        alternate: None,
        data,
    });
    for v in &views {
        made.pages.push(DataPage {
            unit,
            lang: Lang::Vi,
            path: v.url[site.base.prefix.len()..].to_owned(),
            title: format!("{} số {}", v.kind, v.number),
            template: "van_ban_chi_tiet.html".into(),
            alternate: None,
            data: serde_json::json!({ "document": v, "list": site.base.url(&list_path) }),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_symbols() {
        assert_eq!(symbol_of("93/KH-UBND"), Some(vec!["KH", "UBND"]));
        assert_eq!(symbol_of("774/QĐ-UBND"), Some(vec!["QĐ", "UBND"]));
        assert_eq!(symbol_of("05/2021/NQ-HĐND"), Some(vec!["NQ", "HĐND"]));
        assert_eq!(symbol_of("1234/UBND-VP"), Some(vec!["UBND", "VP"]));
        assert_eq!(symbol_of("15/TTr-UBND"), Some(vec!["TTr", "UBND"]));
        for bad in [
            "93-KH-UBND",
            "KH-UBND",
            "93/KH",
            "93/KH-",
            "số 93/KH-UBND",
            "93/21/KH-UBND",
            "93/kh-ubnd",
        ] {
            assert_eq!(symbol_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn sizes_read_in_vietnamese() {
        assert_eq!(size_of(600), "1 KB");
        assert_eq!(size_of(2_500_000), "2,4 MB");
    }
}
