//! Search on any static host: the index the browser queries, and the search pages.
//!
//! The build already holds every searchable text: the articles' and pages' titles,
//! summaries and the plain text of their rendered Markdown, and the procedures' and
//! documents' data. [`start`] (a build, while the pages are rendered) or [`pages`] (a
//! preview) turns them into [`Record`]s, [`index::build`] writes a
//! sharded inverted index keyed by folded syllables (see `index`), and each
//! unit gets a search page at `/<unit>/tim-kiem/` that `tim-kiem.js` brings to life.
//! [`query`] ranks results the way the script does, for the tests.

pub mod index;
pub mod query;

use std::borrow::Cow;
use std::convert::Infallible;
use std::sync::Arc;

use anyhow::Result;
use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;

use crate::output::File;
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

/// One searchable page, borrowing the texts the build holds.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub unit: usize,
    /// Index into the facets (categories, then kinds of page).
    pub facet: usize,
    pub title: Cow<'a, str>,
    /// The link, with the site's path prefix.
    pub url: String,
    pub date: Option<DateTime<FixedOffset>>,
    /// A summary written apart from the body, when there is one.
    pub summary: Cow<'a, str>,
    pub body: Cow<'a, str>,
}

impl Record<'_> {
    /// The record with its own copies of the texts.
    pub fn into_owned(self) -> Record<'static> {
        Record {
            title: Cow::Owned(self.title.into_owned()),
            summary: Cow::Owned(self.summary.into_owned()),
            body: Cow::Owned(self.body.into_owned()),
            unit: self.unit,
            facet: self.facet,
            url: self.url,
            date: self.date,
        }
    }
}

/// Indexes the site in memory and adds the search pages and the index files (a
/// preview; a build into a folder uses [`start`]).
pub fn pages(site: &mut Site) -> Result<()> {
    let started = (std::time::Instant::now(), crate::site::cpu_time());
    let facets = facet_names(site);
    let units = unit_names(site);
    let records = records(site, &facets);
    let indexed = in_memory(records, facets, units, site.global_hash(), started);
    add(site, indexed)
}

/// Builds an index whose files stay in memory (a preview's).
fn in_memory(
    records: Vec<Record<'_>>,
    facets: Vec<String>,
    units: Vec<(String, String)>,
    global: u64,
    started: (std::time::Instant, Option<std::time::Duration>),
) -> Indexed {
    let version = version(index::input_key(&records, &units, &facets, global));
    let keep = |_: &str, bytes: Vec<u8>, _| Ok::<_, Infallible>(File::Bytes(Arc::new(bytes)));
    let built = match index::build(records, &units, &facets, &keep) {
        Ok(built) => built,
        Err(never) => match never {},
    };
    log_built(&built, started);
    Indexed {
        built,
        version,
        facets,
        units,
    }
}

/// The index's version, which tells browsers' caches apart: a digest of its input
/// ([`index::input_key`]), the same whether the index is made or kept.
fn version(key: u64) -> String {
    format!("{key:x}")
}

/// An index being made on threads of its own while the pages are rendered; [`finish`]
/// waits for it.
pub struct Pending {
    started: (std::time::Instant, Option<std::time::Duration>),
    making: std::thread::JoinHandle<Result<index::Built<File>>>,
}

/// Adds the search pages of a build into a folder and starts making its index on
/// threads of its own, which write each file as soon as it is made: the pages need only
/// the index's version, a digest of its input, so they are rendered meanwhile. A folder
/// whose index was made from the same input keeps it instead (`None`). The index takes
/// the plain texts of the documents, which the build is done with after this.
pub fn start(site: &mut Site) -> Result<Option<Pending>> {
    let started = (std::time::Instant::now(), crate::site::cpu_time());
    let facets = facet_names(site);
    let units = unit_names(site);
    let texts: Vec<String> = site
        .rendered
        .iter_mut()
        .map(|r| std::mem::take(&mut r.text))
        .collect();
    // One record per document, in order, then those of the data pages.
    let mut records: Vec<Record<'static>> = records(site, &facets)
        .into_iter()
        .map(Record::into_owned)
        .collect();
    for (record, text) in records.iter_mut().zip(texts) {
        record.body = Cow::Owned(text);
    }
    let key = index::input_key(&records, &units, &facets, site.global_hash());
    site.output.set_search_key(key);
    let shown = |built: index::Built<File>| Indexed {
        built,
        version: version(key),
        facets: facets.clone(),
        units: units.clone(),
    };
    let mut built = index::Built {
        files: Vec::new(),
        documents: records.len(),
        bytes: 0,
    };
    if let Some(files) = site.output.previous_index(INDEX_DIR, key) {
        built.files = files
            .into_iter()
            .map(|(path, digest)| (path, File::Written(digest)))
            .collect();
        log::debug!(
            "search: {} documents, the {} files of the previous build kept in {}",
            built.documents,
            built.files.len(),
            crate::site::since(started)
        );
        add(site, shown(built))?;
        return Ok(None);
    }
    add(site, shown(built))?;
    let writer = site.output.writer();
    // Half the threads: the pages are rendered on all of them meanwhile, and the
    // index, on fewer, is made in less processor time and still before them.
    let threads = rayon::current_num_threads().div_ceil(2);
    let making = std::thread::spawn(move || -> Result<index::Built<File>> {
        let keep = |path: &str, bytes: Vec<u8>, digest: u64| {
            writer.prepare_digested(&format!("{INDEX_DIR}{path}"), bytes, digest)
        };
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?
            .install(|| index::build(records, &units, &facets, &keep))
    });
    Ok(Some(Pending { started, making }))
}

/// Waits for the index [`start`] began; returns its files, with their paths.
pub fn finish(pending: Pending) -> Result<Vec<(String, File)>> {
    let built = pending
        .making
        .join()
        .map_err(|_| anyhow::anyhow!("making the search index failed"))??;
    log_built(&built, pending.started);
    Ok(built
        .files
        .into_iter()
        .map(|(path, file)| (format!("{INDEX_DIR}{path}"), file))
        .collect())
}

fn log_built<T>(
    built: &index::Built<T>,
    started: (std::time::Instant, Option<std::time::Duration>),
) {
    log::debug!(
        "search: {} documents, {} files, {} bytes in {}",
        built.documents,
        built.files.len(),
        built.bytes,
        crate::site::since(started)
    );
}

/// The units' names and links.
fn unit_names(site: &Site) -> Vec<(String, String)> {
    site.content
        .units
        .iter()
        .map(|u| (u.config.name.vi.clone(), site.base.url(&u.path)))
        .collect()
}

/// What the index is made from, copied from the site: the index can then be built
/// without it ([`Prepared::build`], the slow part), and added with [`add`].
pub struct Prepared {
    started: std::time::Instant,
    /// The site's [`Site::global_hash`].
    global: u64,
    facets: Vec<String>,
    records: Vec<Record<'static>>,
    units: Vec<(String, String)>,
}

/// A built index, ready for [`add`].
pub struct Indexed {
    built: index::Built<File>,
    version: String,
    facets: Vec<String>,
    units: Vec<(String, String)>,
}

/// Takes from the site what the index is made from.
pub fn prepare(site: &Site) -> Prepared {
    let started = std::time::Instant::now();
    let facets = facet_names(site);
    let records = records(site, &facets)
        .into_iter()
        .map(Record::into_owned)
        .collect();
    Prepared {
        started,
        global: site.global_hash(),
        facets,
        records,
        units: unit_names(site),
    }
}

impl Prepared {
    /// Builds the index, in memory.
    pub fn build(self) -> Indexed {
        let Prepared {
            started,
            global,
            facets,
            records,
            units,
        } = self;
        in_memory(records, facets, units, global, (started, None))
    }
}

/// Adds the search pages and the index files of a built index.
pub fn add(site: &mut Site, indexed: Indexed) -> Result<()> {
    let Indexed {
        built,
        version,
        facets,
        units,
    } = indexed;
    site.data_files.extend(
        built
            .files
            .into_iter()
            .map(|(path, file)| (format!("{INDEX_DIR}{path}"), file)),
    );
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
                "version": version,
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
fn records<'a>(site: &'a Site, facets: &[String]) -> Vec<Record<'a>> {
    let categories = &site.content.site.categories;
    let facet_of = |name: &str| facets.iter().position(|f| f == name).unwrap_or(0);
    let news = facet_of("Tin tức");
    let page = facet_of("Trang");
    let mut records: Vec<Record<'_>> = site
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
            title: Cow::Borrowed(&doc.front.title),
            url: site.base.url(&doc.url),
            date: doc.date,
            summary: Cow::Borrowed(doc.front.summary.as_deref().unwrap_or_default()),
            body: Cow::Borrowed(&r.text),
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
            title: text::nfc(&p.title),
            url: site.base.url(&p.path),
            date,
            summary: Cow::Borrowed(""),
            body: Cow::Owned(body),
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

/// The text a result's snippet is cut from: the summary, then the start of the body,
/// with runs of white space as one space, cut as [`text::truncate_words`] cuts a text
/// to [`index::SNIPPET_CHARS`], in one pass over the words it keeps.
fn snippet_source(record: &Record<'_>) -> String {
    let max = index::SNIPPET_CHARS;
    let mut flat = String::with_capacity(max * 2);
    // Characters and words in `flat`, and its length before the last word.
    let (mut chars, mut count, mut before_last) = (0, 0, 0);
    let words = record
        .summary
        .split_whitespace()
        .chain(record.body.split_whitespace());
    for word in words {
        let n = if word.is_ascii() {
            word.len()
        } else {
            word.chars().count()
        };
        let space = usize::from(count > 0);
        if chars + space + n > max {
            // Longer than `max`: cut at the last space among its first `max` characters,
            // or through a first word that long.
            let kept = if count == 0 {
                flat.extend(word.chars().take(max));
                &flat[..]
            } else if chars == max && count > 1 {
                &flat[..before_last]
            } else {
                &flat[..]
            };
            return format!("{}…", kept.trim_end_matches([',', '.', ';', ':', ' ']));
        }
        before_last = flat.len();
        if space == 1 {
            flat.push(' ');
        }
        flat.push_str(word);
        chars += space + n;
        count += 1;
    }
    flat
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summary and body joined by single spaces, cut by [`text::truncate_words`].
    fn cut_whole(summary: &str, body: &str) -> String {
        let flat: Vec<&str> = summary
            .split_whitespace()
            .chain(body.split_whitespace())
            .collect();
        text::truncate_words(&flat.join(" "), index::SNIPPET_CHARS)
    }

    #[test]
    fn snippets_are_cut_as_the_whole_text_would_be() {
        let record = |summary: String, body: String| Record {
            unit: 0,
            facet: 0,
            title: Cow::Borrowed(""),
            url: String::new(),
            date: None,
            summary: Cow::Owned(summary),
            body: Cow::Owned(body),
        };
        let max = index::SNIPPET_CHARS;
        let mut cases = vec![
            (String::new(), String::new()),
            ("Một cửa.".into(), "Hồ sơ   trực\ntuyến;".into()),
            ("x".repeat(max + 5), "sau".into()),
            ("x".repeat(max), "sau".into()),
            ("đ".repeat(max), String::new()),
            ("đ".repeat(max - 1), "ab".into()),
        ];
        // Words of every length from 1 to 9, ASCII and not, so that a word ends at
        // every place around the limit, with punctuation before the cut.
        for len in 1..10 {
            for shift in 0..len + 2 {
                let word = |c: &str| c.repeat(len);
                let words: Vec<String> = (0..max)
                    .map(|i| match i % 3 {
                        0 => word("a"),
                        1 => format!("{},", word("ố")),
                        _ => word("b"),
                    })
                    .collect();
                cases.push(("z".repeat(shift), words.join("  ")));
                cases.push((String::new(), words[..max / (len + 1)].join(" ")));
            }
        }
        for (summary, body) in cases {
            let expected = cut_whole(&summary, &body);
            assert_eq!(
                snippet_source(&record(summary.clone(), body.clone())),
                expected,
                "summary {summary:?}, body {body:?}"
            );
        }
    }
}
