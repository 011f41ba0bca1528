//! The index files, written from the records in memory.
//!
//! - `meta.json`: the number of buckets, the units and facets, and for each document
//!   its unit, facet (documents are sorted by unit and facet, so these are a few
//!   ranges) and month (for ties).
//! - `k/<bucket>.json`: postings of the folded syllables and of folded pairs of
//!   adjacent syllables whose FNV-1a hash falls in the bucket. A syllable maps each of
//!   its written forms (`một`, `mốt`) to `[doc, weight, …]`; a pair (`"mot cua"`)
//!   maps to `[doc, weight, …]`; doc numbers are deltas from the previous one.
//! - `d/<chunk>.json`: title, link, date and snippet text of [`CHUNK`] documents,
//!   fetched only for the results shown.
//!
//! A query fetches `meta.json`, one bucket per syllable and per adjacent pair, and
//! the chunks of the results on screen.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

use chrono::Datelike;
use rayon::prelude::*;

use super::Record;
use crate::text;

/// Characters of text kept per document to cut a snippet from.
pub const SNIPPET_CHARS: usize = 600;
/// Documents per metadata chunk.
pub const CHUNK: usize = 16;
/// About this many postings per bucket; the number of buckets follows from it.
const POSTINGS_PER_BUCKET: usize = 3000;

/// The index, ready to be written under [`super::INDEX_DIR`].
pub struct Built {
    /// Paths relative to the index folder, and contents.
    pub files: Vec<(String, Vec<u8>)>,
    /// A digest of every file, to tell browsers' caches apart.
    pub version: String,
    /// The number of documents.
    pub documents: usize,
}

/// The weight of a syllable or pair in a document: occurrences in the title (up to 7)
/// and in the body (up to 31), packed as `title * 32 + body`.
pub fn weight(title: u32, body: u32) -> u32 {
    title.min(7) * 32 + body.min(31)
}

/// FNV-1a over the UTF-8 bytes, as the script computes it.
pub fn fnv1a(key: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in key.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// One entry of a document: a syllable in one written form, or a pair of syllables.
struct Term {
    hash: u32,
    /// The folded syllable, or two folded syllables and a space.
    key: String,
    /// The written form of a syllable; `None` for a pair.
    exact: Option<String>,
    weight: u32,
}

/// The terms of one document, with their weights.
fn terms(record: &Record) -> Vec<Term> {
    // (key, exact) → (title, body); key pair → (title, body)
    let mut words: HashMap<String, (String, u32, u32)> = HashMap::new();
    let mut pairs: HashMap<String, (u32, u32)> = HashMap::new();
    let fields = [
        (true, record.title.as_str()),
        (false, record.summary.as_str()),
        (false, record.body.as_str()),
    ];
    for (in_title, field) in fields {
        let found = text::search_words(field);
        for (i, w) in found.iter().enumerate() {
            let slot = words
                .entry(w.exact.clone())
                .or_insert_with(|| (w.key.clone(), 0, 0));
            if in_title {
                slot.1 += 1;
            } else {
                slot.2 += 1;
            }
            if i > 0 && w.joined {
                let pair = format!("{} {}", found[i - 1].key, w.key);
                let slot = pairs.entry(pair).or_default();
                if in_title {
                    slot.0 += 1;
                } else {
                    slot.1 += 1;
                }
            }
        }
    }
    let mut out: Vec<Term> = words
        .into_iter()
        .map(|(exact, (key, t, b))| Term {
            hash: fnv1a(&key),
            key,
            exact: Some(exact),
            weight: weight(t, b),
        })
        .collect();
    out.extend(pairs.into_iter().map(|(key, (t, b))| Term {
        hash: fnv1a(&key),
        key,
        exact: None,
        weight: weight(t, b),
    }));
    out
}

/// Builds the index of `records` (in any order), the units' names and links, and the
/// facets' names.
pub fn build(mut records: Vec<Record>, units: &[(String, String)], facets: &[String]) -> Built {
    records.sort_by(|a, b| {
        (a.unit, a.facet)
            .cmp(&(b.unit, b.facet))
            .then_with(|| b.date.cmp(&a.date))
            .then_with(|| a.url.cmp(&b.url))
    });
    let per_doc: Vec<Vec<Term>> = records.par_iter().map(terms).collect();
    let postings: usize = per_doc.iter().map(Vec::len).sum();
    let buckets = (postings / POSTINGS_PER_BUCKET)
        .max(1)
        .next_power_of_two()
        .min(1 << 16);
    let mut by_bucket: Vec<Vec<(u32, u32)>> = vec![Vec::new(); buckets];
    for (doc, terms) in per_doc.iter().enumerate() {
        for (i, t) in terms.iter().enumerate() {
            by_bucket[t.hash as usize & (buckets - 1)].push((doc as u32, i as u32));
        }
    }
    let mut files: Vec<(String, Vec<u8>)> = by_bucket
        .par_iter()
        .enumerate()
        .map(|(b, entries)| (format!("k/{b}.json"), bucket_json(entries, &per_doc)))
        .collect();
    files.extend(
        records
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(n, chunk)| (format!("d/{n}.json"), chunk_json(chunk)))
            .collect::<Vec<_>>(),
    );
    files.push((
        "meta.json".into(),
        meta_json(&records, units, facets, buckets),
    ));
    let mut h = std::hash::DefaultHasher::new();
    for (path, bytes) in &files {
        (path, bytes).hash(&mut h);
    }
    Built {
        files,
        version: format!("{:x}", h.finish()),
        documents: records.len(),
    }
}

/// A bucket's postings, as JSON.
fn bucket_json(entries: &[(u32, u32)], per_doc: &[Vec<Term>]) -> Vec<u8> {
    // key → written form ("" for a pair) → (last doc, [delta, weight, …])
    let mut map: BTreeMap<&str, BTreeMap<&str, (u32, Vec<u32>)>> = BTreeMap::new();
    for &(doc, i) in entries {
        let t = &per_doc[doc as usize][i as usize];
        let list = map
            .entry(&t.key)
            .or_default()
            .entry(t.exact.as_deref().unwrap_or(""))
            .or_insert((0, Vec::new()));
        list.1.push(doc - list.0);
        list.1.push(t.weight);
        list.0 = doc;
    }
    let mut out = String::from("{");
    for (n, (key, forms)) in map.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        push_json_string(&mut out, key);
        out.push(':');
        let is_pair = key.contains(' ');
        if !is_pair {
            out.push('{');
        }
        for (m, (form, (_, list))) in forms.iter().enumerate() {
            if m > 0 {
                out.push(',');
            }
            if !is_pair {
                push_json_string(&mut out, form);
                out.push(':');
            }
            out.push('[');
            for (j, n) in list.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(&n.to_string());
            }
            out.push(']');
        }
        if !is_pair {
            out.push('}');
        }
    }
    out.push('}');
    out.into_bytes()
}

fn push_json_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// Title, link, date and snippet text of each document of a chunk.
fn chunk_json(records: &[Record]) -> Vec<u8> {
    let docs: Vec<serde_json::Value> = records
        .iter()
        .map(|r| {
            serde_json::json!([
                r.title,
                r.url,
                r.date.as_ref().map(text::format_date).unwrap_or_default(),
                super::snippet_source(r),
            ])
        })
        .collect();
    serde_json::to_vec(&docs).unwrap_or_default()
}

/// Months since January 2000 (0 when undated), as one character per document.
fn month_char(r: &Record) -> char {
    let months = r
        .date
        .map(|d| {
            let d = d.with_timezone(&text::VIETNAM);
            ((d.year() - 2000) * 12 + d.month0() as i32 + 1).clamp(1, 3000)
        })
        .unwrap_or(0);
    char::from_u32(0x30 + months as u32).unwrap_or('0')
}

fn meta_json(
    records: &[Record],
    units: &[(String, String)],
    facets: &[String],
    buckets: usize,
) -> Vec<u8> {
    let mut groups: Vec<[usize; 3]> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if groups
            .last()
            .is_none_or(|g| (g[1], g[2]) != (r.unit, r.facet))
        {
            groups.push([i, r.unit, r.facet]);
        }
    }
    let months: String = records.iter().map(month_char).collect();
    serde_json::to_vec(&serde_json::json!({
        "version": 1,
        "buckets": buckets,
        "chunk": CHUNK,
        "documents": records.len(),
        "units": units.iter().map(|(name, url)| serde_json::json!({"name": name, "url": url})).collect::<Vec<_>>(),
        "facets": facets,
        "groups": groups,
        "months": months,
    }))
    .unwrap_or_default()
}
