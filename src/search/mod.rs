//! Search on any static host: the index the browser queries, and the search pages.
//!
//! The build already holds every searchable text: the articles' and pages' titles,
//! summaries and the plain text of their rendered Markdown, and the procedures' and
//! documents' data. [`pages`] turns them into [`Record`]s, [`index::build`] writes a
//! sharded inverted index keyed by folded syllables (see `docs/search.md`), and each
//! unit gets a search page at `/<unit>/tim-kiem/` that `tim-kiem.js` brings to life.
//! [`query`] ranks results the way the script does, for the tests.

pub mod index;
pub mod query;

use std::sync::Arc;

use anyhow::Result;
use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;

use crate::render::{DataPage, Lang};
use crate::site::Site;
use crate::text;

/// The folder of the index, under the site's root.
pub const INDEX_DIR: &str = "tim-kiem/chi-muc/";

/// The search page of each unit, under the unit's path.
pub const PAGE_SLUG: &str = "tim-kiem";

/// The templates of the data pages that are searchable, and the kind shown for them.
const SEARCHABLE_DATA: &[(&str, &str)] = &[
    ("thu_tuc_chi_tiet.html", "Thủ tục hành chính"),
    ("van_ban_chi_tiet.html", "Văn bản"),
];

/// One searchable page.
#[derive(Debug, Clone)]
pub struct Record {
    pub unit: usize,
    /// Index into the facets (categories, then kinds of page).
    pub facet: usize,
    pub title: String,
    /// The link, with the site's path prefix.
    pub url: String,
    pub date: Option<DateTime<FixedOffset>>,
    /// A summary written apart from the body, when there is one.
    pub summary: String,
    pub body: String,
}

/// Indexes the site and adds the search pages and the index files.
pub fn pages(site: &mut Site) -> Result<()> {
    let indexed = prepare(site).build();
    add(site, indexed)
}

/// What the index is made from, taken from the site: the index can then be built
/// without it ([`Prepared::build`], the slow part), and added with [`add`].
pub struct Prepared {
    started: std::time::Instant,
    facets: Vec<String>,
    records: Vec<Record>,
    units: Vec<(String, String)>,
}

/// A built index, ready for [`add`].
pub struct Indexed {
    built: index::Built,
    facets: Vec<String>,
    units: Vec<(String, String)>,
}

/// Takes from the site what the index is made from.
pub fn prepare(site: &Site) -> Prepared {
    let started = std::time::Instant::now();
    let facets = facet_names(site);
    let records = records(site, &facets);
    let units: Vec<(String, String)> = site
        .content
        .units
        .iter()
        .map(|u| (u.config.name.vi.clone(), site.base.url(&u.path)))
        .collect();
    Prepared {
        started,
        facets,
        records,
        units,
    }
}

impl Prepared {
    /// Builds the index.
    pub fn build(self) -> Indexed {
        let Prepared {
            started,
            facets,
            records,
            units,
        } = self;
        let built = index::build(records, &units, &facets);
        log::debug!(
            "search: {} documents, {} files, {} bytes in {:.0?}",
            built.documents,
            built.files.len(),
            built.files.iter().map(|(_, b)| b.len()).sum::<usize>(),
            started.elapsed()
        );
        Indexed {
            built,
            facets,
            units,
        }
    }
}

/// Adds the search pages and the index files of a built index.
pub fn add(site: &mut Site, indexed: Indexed) -> Result<()> {
    let Indexed {
        built,
        facets,
        units,
    } = indexed;
    for (path, bytes) in built.files {
        site.data_files.push((
            format!("{INDEX_DIR}{path}"),
            crate::output::File::Bytes(Arc::new(bytes)),
        ));
    }
    let strings = site.theme.strings.get("vi");
    let title = strings
        .and_then(|m| m.get("search"))
        .cloned()
        .unwrap_or_else(|| "Tìm kiếm".into());
    let unit_list: Vec<serde_json::Value> = units
        .iter()
        .map(|(name, _)| serde_json::json!({ "name": name }))
        .collect();
    for (i, u) in site.content.units.iter().enumerate() {
        site.data_pages.push(DataPage {
            unit: i,
            lang: Lang::Vi,
            path: format!("{}{PAGE_SLUG}/", u.path),
            title: title.clone(),
            template: "tim_kiem.html".into(),
            alternate: None,
            data: serde_json::json!({
                "index": site.base.url(&format!("/{INDEX_DIR}")),
                "unit": (i > 0).then_some(i),
                "units": unit_list,
                "facets": facets,
                // Changes with every content change, so that the page's fingerprint does.
                "version": built.version,
            }),
        });
    }
    Ok(())
}

/// The names results are filtered by: the declared categories, then pages, then the
/// kinds of data page.
fn facet_names(site: &Site) -> Vec<String> {
    let mut names: Vec<String> = site
        .content
        .site
        .categories
        .iter()
        .map(|c| c.name.vi.clone())
        .collect();
    names.push("Tin tức".into());
    names.push("Trang".into());
    names.extend(SEARCHABLE_DATA.iter().map(|(_, n)| (*n).to_owned()));
    names
}

/// Every searchable page, from what the build already holds.
fn records(site: &Site, facets: &[String]) -> Vec<Record> {
    let categories = &site.content.site.categories;
    let facet_of = |name: &str| facets.iter().position(|f| f == name).unwrap_or(0);
    let news = facet_of("Tin tức");
    let page = facet_of("Trang");
    let mut records: Vec<Record> = site
        .content
        .documents
        .par_iter()
        .zip(&site.rendered)
        .map(|(doc, r)| Record {
            unit: doc.unit,
            facet: match (&doc.front.category, doc.is_article()) {
                (_, false) => page,
                (Some(c), true) => categories.iter().position(|d| &d.slug == c).unwrap_or(news),
                (None, true) => news,
            },
            title: doc.front.title.clone(),
            url: site.base.url(&doc.url),
            date: doc.date,
            summary: doc.front.summary.clone().unwrap_or_default(),
            body: r.text.clone(),
        })
        .collect();
    for p in &site.data_pages {
        let Some((_, kind)) = SEARCHABLE_DATA.iter().find(|(t, _)| *t == p.template) else {
            continue;
        };
        let mut body = String::new();
        strings_of(&p.data, &mut body);
        let body = text::nfc(&body).into_owned();
        let date = p
            .data
            .get("document")
            .and_then(|d| d.get("issued_iso"))
            .and_then(|d| d.as_str())
            .and_then(date_of);
        records.push(Record {
            unit: p.unit,
            facet: facet_of(kind),
            title: text::nfc(&p.title).into_owned(),
            url: site.base.url(&p.path),
            date,
            summary: String::new(),
            body,
        });
    }
    records
}

/// A date written `2021-03-15` or as RFC 3339, at midnight in Vietnam.
fn date_of(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| DateTime::parse_from_rfc3339(&format!("{}T00:00:00+07:00", s.get(..10)?)).ok())
}

/// The text of every string in a data page's JSON, one per line, leaving out links,
/// keys and dates.
fn strings_of(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(s) => {
            let looks_like_data = s.starts_with('/')
                || s.contains("://")
                || s.starts_with("mailto:")
                || (!s.contains(' ') && s.contains('-') && s.is_ascii());
            if !looks_like_data {
                out.push_str(s);
                out.push('\n');
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings_of(v, out)),
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                if !(key.ends_with("url") || key.ends_with("_key") || key.ends_with("_iso")) {
                    strings_of(v, out);
                }
            }
        }
        _ => {}
    }
}

/// The text a result's snippet is cut from: the summary, then the start of the body.
fn snippet_source(record: &Record) -> String {
    let joined = if record.summary.is_empty() {
        record.body.clone()
    } else {
        format!("{}\n{}", record.summary, record.body)
    };
    let flat = joined.split_whitespace().collect::<Vec<_>>().join(" ");
    text::truncate_words(&flat, index::SNIPPET_CHARS)
}
