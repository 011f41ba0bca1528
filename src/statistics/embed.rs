//! Figures and charts placed in an article by a paragraph of one short line:
//!
//! - `{{ thong-ke <indicator> }}`: the latest figure of the article's unit;
//! - `{{ thong-ke <indicator> <period> }}`: its figure in that period;
//! - `{{ bieu-do <indicator> }}`: a line chart over the periods, with its table;
//! - `{{ bieu-do <indicator> <period> }}`: a bar chart ranking the unit's sub-units.
//!
//! An unknown indicator or a period without a figure is an error at the line.

use std::path::Path;

use serde_json::Value as Json;

use super::pages::{detail, progress, ranking, trend, trend_view};
use super::{format_value, Period, Statistics};
use crate::error::did_you_mean;
use crate::text::escape;

/// The names a shortcode starts with.
pub const SHORTCODES: &[&str] = &["thong-ke", "bieu-do"];

/// The words of a paragraph that is exactly a statistics shortcode.
pub fn shortcode(paragraph: &str) -> Option<Vec<&str>> {
    let inner = paragraph.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    let words: Vec<&str> = inner.split_whitespace().collect();
    SHORTCODES.contains(words.first()?).then_some(words)
}

impl Statistics {
    /// The HTML of a shortcode in the article `source`; `id` is unique on the page.
    /// An error says what is wrong with the shortcode and how to fix it.
    pub fn embed(&self, source: &Path, words: &[&str], id: &str) -> Result<String, String> {
        let usage = "write `{{ thong-ke <indicator> [period] }}` or `{{ bieu-do <indicator> [period] }}`, such as `{{ thong-ke ho-so-dung-han 2022 }}`";
        let (name, id_word, period) = match words {
            [name, ind] => (*name, *ind, None),
            [name, ind, p] => (*name, *ind, Some(*p)),
            _ => {
                return Err(format!(
                    "`{{{{ {} }}}}` is incomplete; {usage}",
                    words.join(" ")
                ))
            }
        };
        let def = self.definition(id_word).ok_or_else(|| {
            format!(
                "unknown indicator `{id_word}`{} (indicators are defined in content/chi-tieu.yaml)",
                did_you_mean(id_word, self.definitions.iter().map(|d| d.id.as_str()))
            )
        })?;
        let period = match period {
            Some(p) => Some(Period::parse(p).ok_or_else(|| {
                format!("`{p}` is not a period; write a year `2022`, a quarter `2022-Q3` or a month `2022-09`")
            })?),
            None => None,
        };
        let u = self.unit_of(source);
        let unit = &self.units[u];
        let page = format!("{}{}thong-ke/", self.prefix, unit.path);
        let known = || {
            self.periods(u)
                .iter()
                .filter(|p| self.figure(u, def, **p).value().is_some())
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let missing = |p: Period| {
            format!(
                "`{}` has no figure for {p} in {}; periods with figures: {}",
                def.id,
                unit.name,
                match known() {
                    k if k.is_empty() => "none".to_owned(),
                    k => k,
                }
            )
        };
        match name {
            "thong-ke" => {
                let (p, v) = match period {
                    Some(p) => (p, self.figure(u, def, p).value().ok_or_else(|| missing(p))?),
                    None => self
                        .periods(u)
                        .into_iter()
                        .find_map(|p| self.figure(u, def, p).value().map(|v| (p, v)))
                        .ok_or_else(|| {
                            format!("`{}` has no figure in {} yet", def.id, unit.name)
                        })?,
                };
                let extra = detail(def, v)
                    .map(|d| format!(" <span class=\"stat-detail\">({})</span>", escape(&d)))
                    .unwrap_or_default();
                let bar = progress(def, v, &format!("{id}-p"), &unit.name)
                    .map(|(svg, _)| svg)
                    .unwrap_or_default();
                Ok(format!(
                    "<figure class=\"stat-embed stat-figure\"><p class=\"stat-number\"><span class=\"stat-value\">{}</span>{extra}</p>{bar}<figcaption>{} - {} - {} (<a href=\"{}\">số liệu thống kê</a>)</figcaption></figure>\n",
                    escape(&format_value(def, v)),
                    escape(&def.label.vi),
                    escape(&p.label()),
                    escape(&unit.name),
                    escape(&page),
                ))
            }
            _ => match period {
                None => {
                    let series = trend(self, u, def);
                    if series.is_empty() {
                        return Err(format!("`{}` has no figure in {} yet", def.id, unit.name));
                    }
                    let view = trend_view(def, &unit.name, &series, &format!("{id}-l"));
                    let rows: Vec<(String, String)> = view["rows"]
                        .as_array()
                        .map(|rows| {
                            rows.iter()
                                .map(|r| (str_of(&r["period"]), value_cell(r)))
                                .collect()
                        })
                        .unwrap_or_default();
                    Ok(chart(
                        &str_of(&view["svg"]),
                        &str_of(&view["title"]),
                        ("Kỳ", "Giá trị"),
                        &rows,
                        &page,
                    ))
                }
                Some(p) => {
                    if unit.children.is_empty() {
                        return Err(format!(
                            "`{{{{ bieu-do {} {p} }}}}` compares sub-units, but {} has none; write `{{{{ bieu-do {} }}}}` for a chart over the periods",
                            def.id, unit.name, def.id
                        ));
                    }
                    let r = ranking(self, u, def, Some(p)).ok_or_else(|| missing(p))?;
                    let rows: Vec<(String, String)> = r
                        .rows
                        .iter()
                        .map(|row| (str_of(&row.view["name"]), value_cell(&row.view)))
                        .collect();
                    let title = format!(
                        "{} - {} - các đơn vị trực thuộc {}",
                        def.label.vi,
                        p.label(),
                        unit.name
                    );
                    Ok(chart(&r.svg, &title, ("Đơn vị", "Giá trị"), &rows, &page))
                }
            },
        }
    }
}

fn str_of(v: &Json) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn value_cell(row: &Json) -> String {
    match (row["value"].as_str(), row["detail"].as_str()) {
        (Some(v), Some(d)) => format!("{v} ({d})"),
        (Some(v), None) => v.to_owned(),
        _ => "Chưa có số liệu".to_owned(),
    }
}

/// A chart with its numbers as a table and a caption.
fn chart(
    svg: &str,
    title: &str,
    heads: (&str, &str),
    rows: &[(String, String)],
    page: &str,
) -> String {
    let mut body = String::new();
    for (k, v) in rows {
        body.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
            escape(k),
            escape(v)
        ));
    }
    format!(
        "<figure class=\"stat-embed stat-chart\">{svg}<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Bảng số liệu\"><table class=\"stat-table\"><caption>Số liệu của biểu đồ</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>{body}</tbody></table></div><figcaption>{} (<a href=\"{}\">số liệu thống kê</a>)</figcaption></figure>\n",
        escape(heads.0),
        escape(heads.1),
        escape(title),
        escape(page)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_are_whole_paragraphs() {
        assert_eq!(
            shortcode(" {{ thong-ke ho-so-dung-han 2022 }} "),
            Some(vec!["thong-ke", "ho-so-dung-han", "2022"])
        );
        assert_eq!(shortcode("{{bieu-do a}}"), Some(vec!["bieu-do", "a"]));
        assert_eq!(shortcode("Xem {{ thong-ke a }}"), None);
        assert_eq!(shortcode("{{ khac a }}"), None);
    }
}
