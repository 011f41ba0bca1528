//! Ranking, as `tim-kiem.js` does it in the browser, over the files of an index.
//!
//! Results are ordered by, in turn: the number of the query's syllables they contain
//! (tones ignored); the number of toned syllables written with the same tones as in
//! the query; the number of adjacent pairs of the query found adjacent in the text
//! (`một cửa` as a phrase); a score in which a title counts ten times a body; newer
//! first. The script and this module must agree: the tests check both on one index.

use std::collections::HashMap;

use serde_json::Value;

use super::index::fnv1a;
use crate::text;

/// A document found, and why it ranks where it does.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub doc: u32,
    /// Query syllables found, tones ignored.
    pub matched: u32,
    /// Toned query syllables found with the same tones.
    pub exact: u32,
    /// Adjacent query pairs found adjacent.
    pub phrase: u32,
    pub score: f64,
    /// Months since 2000 (0 when undated).
    pub month: u32,
}

/// A result with what the page shows of it.
#[derive(Debug, Clone)]
pub struct Found {
    pub hit: Hit,
    pub title: String,
    pub url: String,
}

/// The score of a weight (see [`super::index::weight`]): a title counts ten, the body's
/// occurrences up to three and a half.
pub fn term_score(weight: u32) -> f64 {
    (if weight & 8 != 0 { 10.0 } else { 0.0 }) + 1.0 + f64::from(weight & 7) / 2.0
}

/// Documents and weights of a list of postings: `[delta * 16 + weight, …]`, or a
/// string of one character per document, `0` + weight (`0` where absent).
fn postings(list: &Value) -> Vec<(u32, u32)> {
    if let Some(dense) = list.as_str() {
        return dense
            .bytes()
            .enumerate()
            .filter(|(_, c)| *c > b'0')
            .map(|(doc, c)| (doc as u32, u32::from(c - b'0')))
            .collect();
    }
    let mut doc = 0;
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_u64())
                .map(|n| {
                    doc += (n >> 4) as u32;
                    (doc, (n & 15) as u32)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Ranks documents for `query` given the entries of its syllables and pairs
/// (`entries[key]`, as found in the buckets) and each document's month.
pub fn rank(query: &str, entries: &HashMap<String, Value>, months: &[u32]) -> Vec<Hit> {
    let words = text::search_words(query);
    let mut hits: HashMap<u32, Hit> = HashMap::new();
    fn hit<'h>(hits: &'h mut HashMap<u32, Hit>, months: &[u32], doc: u32) -> &'h mut Hit {
        hits.entry(doc).or_insert_with(|| Hit {
            doc,
            matched: 0,
            exact: 0,
            phrase: 0,
            score: 0.0,
            month: months.get(doc as usize).copied().unwrap_or(0),
        })
    }
    let mut seen = Vec::new();
    for w in &words {
        if seen.contains(&&w.key) {
            continue;
        }
        seen.push(&w.key);
        let Some(Value::Object(forms)) = entries.get(&w.key) else {
            continue;
        };
        let toned = w.exact != w.key;
        let mut total: HashMap<u32, (u32, u32)> = HashMap::new();
        for (form, list) in forms {
            for (doc, weight) in postings(list) {
                let slot = total.entry(doc).or_default();
                slot.0 += weight >> 3;
                slot.1 += weight & 7;
                if toned && *form == w.exact {
                    let h = hit(&mut hits, months, doc);
                    h.exact += 1;
                    h.score += term_score(weight);
                }
            }
        }
        for (doc, (title, body)) in total {
            let h = hit(&mut hits, months, doc);
            h.matched += 1;
            h.score += term_score(super::index::weight(title, body));
        }
    }
    for pair in words.windows(2) {
        let key = format!("{} {}", pair[0].key, pair[1].key);
        if let Some(list) = entries.get(&key) {
            for (doc, weight) in postings(list) {
                let h = hit(&mut hits, months, doc);
                h.phrase += 1;
                h.score += 2.0 * term_score(weight);
            }
        }
    }
    let mut hits: Vec<Hit> = hits.into_values().filter(|h| h.matched > 0).collect();
    hits.sort_by(|a, b| {
        (b.matched, b.exact, b.phrase)
            .cmp(&(a.matched, a.exact, a.phrase))
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| b.month.cmp(&a.month))
            .then_with(|| a.doc.cmp(&b.doc))
    });
    hits
}

/// The keys a query looks up: its folded syllables and adjacent pairs.
pub fn keys(query: &str) -> Vec<String> {
    let words = text::search_words(query);
    let mut keys: Vec<String> = words.iter().map(|w| w.key.clone()).collect();
    keys.extend(
        words
            .windows(2)
            .map(|p| format!("{} {}", p[0].key, p[1].key)),
    );
    keys.dedup();
    keys
}

/// Runs `query` against an index whose files `fetch` returns by path (relative to the
/// index folder), as the script does: the meta file, the buckets, the chunks of the
/// first `limit` results. Also returns the paths fetched.
pub fn search(
    fetch: &dyn Fn(&str) -> Option<Vec<u8>>,
    query: &str,
    limit: usize,
) -> (Vec<Found>, Vec<String>) {
    let mut fetched = Vec::new();
    let mut get = |path: String| -> Value {
        let value = fetch(&path)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        if !fetched.contains(&path) {
            fetched.push(path);
        }
        value
    };
    let meta = get("meta.json".into());
    let buckets = meta["buckets"].as_u64().unwrap_or(1) as u32;
    let chunk = meta["chunk"].as_u64().unwrap_or(16) as u32;
    let months: Vec<u32> = meta["months"]
        .as_str()
        .unwrap_or("")
        .chars()
        .map(|c| c as u32 - 0x30)
        .collect();
    let mut entries = HashMap::new();
    for key in keys(query) {
        let bucket = get(format!("k/{}.json", fnv1a(&key) & (buckets - 1)));
        if let Some(v) = bucket.get(&key) {
            entries.insert(key, v.clone());
        }
    }
    let hits = rank(query, &entries, &months);
    let found = hits
        .into_iter()
        .take(limit)
        .map(|hit| {
            let docs = get(format!("d/{}.json", hit.doc / chunk));
            let doc = &docs[(hit.doc % chunk) as usize];
            Found {
                title: doc[0].as_str().unwrap_or("").to_owned(),
                url: doc[1].as_str().unwrap_or("").to_owned(),
                hit,
            }
        })
        .collect();
    (found, fetched)
}

#[cfg(test)]
mod tests {
    use super::super::{index, Record};
    use super::*;

    fn record(title: &str, body: &str, day: u32) -> Record<'static> {
        Record {
            unit: 0,
            facet: 0,
            title: title.to_owned().into(),
            url: format!("/{}/", text::slugify(title)),
            date: chrono::DateTime::parse_from_rfc3339(&format!("2021-03-{day:02}T08:00:00+07:00"))
                .ok(),
            summary: "".into(),
            body: body.to_owned().into(),
        }
    }

    fn titles(records: Vec<Record<'_>>, query: &str) -> Vec<String> {
        let keep = |_: &str, bytes: Vec<u8>, _| Ok::<_, ()>(bytes);
        let built = index::build(
            records,
            &[("Huyện".into(), "/".into())],
            &["Tin".into()],
            &keep,
        )
        .unwrap();
        let files: HashMap<String, Vec<u8>> = built.files.into_iter().collect();
        let fetch = |p: &str| files.get(p).cloned();
        search(&fetch, query, 10)
            .0
            .into_iter()
            .map(|f| f.title)
            .collect()
    }

    #[test]
    fn toneless_query_finds_toned_text_including_d() {
        let found = titles(
            vec![
                record("Chè Đồng Hỷ", "Chè ngon.", 1),
                record("Tin khác", "Không liên quan.", 2),
                record("Đường giao thông", "Đường mới.", 3),
            ],
            "dong hy",
        );
        assert_eq!(found, ["Chè Đồng Hỷ"]);
        assert_eq!(
            titles(vec![record("Đường giao thông", "", 3)], "duong"),
            ["Đường giao thông"]
        );
    }

    #[test]
    fn exact_tones_rank_first_and_nfd_matches_nfc() {
        let records = vec![
            record("Dòng sông", "Dòng chảy.", 5),
            record("Đồng ruộng", "Cánh đồng.", 1),
            record("Dong riềng", "Cây dong.", 9),
        ];
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("đồng").collect();
        assert_eq!(titles(records.clone(), &nfd)[0], "Đồng ruộng");
        assert_eq!(titles(records.clone(), "đồng")[0], "Đồng ruộng");
        assert_eq!(titles(records.clone(), "dòng")[0], "Dòng sông");
        // Without tones, all three match; newest first among equals.
        assert_eq!(titles(records, "dong").len(), 3);
    }

    #[test]
    fn phrase_ranks_above_scattered_syllables_and_title_above_body() {
        let records = vec![
            record("Tin một", "Một người đi qua cửa hàng.", 9),
            record("Tin hai", "Bộ phận một cửa của xã.", 1),
            record("Một cửa điện tử", "Bài viết.", 2),
            record("Tin ba", "Một, cửa.", 8),
        ];
        let found = titles(records, "mot cua");
        assert_eq!(found[..2], ["Một cửa điện tử", "Tin hai"]);
        assert_eq!(found.len(), 4);
    }

    #[test]
    fn weights_and_scores() {
        assert_eq!(index::weight(1, 3), 11);
        assert_eq!(index::weight(9, 99), 15);
        assert!(term_score(index::weight(1, 0)) > term_score(index::weight(0, 31)));
        assert_eq!(index::fnv1a("a"), 0xe40c292c);
    }
}
