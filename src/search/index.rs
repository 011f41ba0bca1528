//! The index files, written from the records in memory.
//!
//! - `meta.json`: the number of buckets, the units and facets, and for each document
//!   its unit, facet (documents are sorted by unit and facet, so these are a few
//!   ranges) and month (for ties).
//! - `k/<bucket>.json`: postings of the folded syllables and of folded pairs of
//!   adjacent syllables whose FNV-1a hash falls in the bucket. A syllable maps each of
//!   its written forms (`một`, `mốt`) to a list of postings; a pair (`"mot cua"`)
//!   maps to one. A posting is `delta * 16 + weight`: the document's number minus the
//!   previous one's, and [`weight`].
//! - `d/<chunk>.json`: title, link, date and snippet text of [`CHUNK`] documents,
//!   fetched only for the results shown.
//!
//! A query fetches `meta.json`, one bucket per syllable and per adjacent pair, and
//! the chunks of the results on screen.

use std::collections::HashMap;
use std::fmt::Write;
use std::hash::{BuildHasherDefault, Hash, Hasher};

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

/// The weight of a syllable or pair in a document: whether the title holds it (8) and
/// how often the body does (up to 7).
pub fn weight(title: u32, body: u32) -> u32 {
    u32::from(title > 0) * 8 + body.min(7)
}

/// FNV-1a over the UTF-8 bytes, as the script computes it.
pub fn fnv1a(key: &str) -> u32 {
    fnv1a_more(0x811c_9dc5, key.as_bytes())
}

/// FNV-1a continued over more bytes.
fn fnv1a_more(mut h: u32, bytes: &[u8]) -> u32 {
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// A fast hasher for the indexer's short keys.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        // FNV's low bits mix poorly; the hash table indexes by them.
        let h = (self.0 ^ (self.0 >> 32)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^ (h >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// The distinct terms of one document, with their weights.
#[derive(Default)]
struct DocTerms {
    /// Folded keys.
    keys: Vec<String>,
    /// Written forms: the form, the index of its key, its weight.
    forms: Vec<(String, u32, u32)>,
    /// Pairs of adjacent keys (indices into `keys`) and their weights.
    pairs: Vec<(u32, u32, u32)>,
}

/// The terms of one document.
fn terms(record: &Record) -> DocTerms {
    // The build's texts are NFC already (see `content`); words are lower-cased one
    // distinct word at a time rather than the whole text.
    let fields = [
        (true, record.title.as_str()),
        (false, record.summary.as_str()),
        (false, record.body.as_str()),
    ];
    let mut seen: FastMap<&str, u32> = FastMap::default();
    let mut forms: FastMap<String, u32> = FastMap::default();
    let mut keys: FastMap<String, u32> = FastMap::default();
    // (key, title count, body count) by form; (title, body) by pair.
    let mut counts: Vec<(u32, u32, u32)> = Vec::new();
    let mut pairs: FastMap<(u32, u32), (u32, u32)> = FastMap::default();
    for (in_title, field) in fields {
        let mut previous: Option<u32> = None;
        text::for_each_word(field, |word, joined| {
            let form = *seen.entry(word).or_insert_with(|| {
                let lower = word.to_lowercase();
                let next = forms.len() as u32;
                let form = *forms.entry(lower).or_insert(next);
                if form == next {
                    let key = text::search_key(&word.to_lowercase());
                    let next = keys.len() as u32;
                    let k = *keys.entry(key).or_insert(next);
                    counts.push((k, 0, 0));
                }
                form
            });
            let slot = &mut counts[form as usize];
            let key = slot.0;
            let pair = if in_title {
                slot.1 += 1;
                0
            } else {
                slot.2 += 1;
                1
            };
            if let (Some(p), true) = (previous, joined) {
                let found = pairs.entry((p, key)).or_default();
                if pair == 0 {
                    found.0 += 1;
                } else {
                    found.1 += 1;
                }
            }
            previous = Some(key);
        });
    }
    let mut out = DocTerms {
        keys: vec![String::new(); keys.len()],
        ..DocTerms::default()
    };
    for (key, i) in keys {
        out.keys[i as usize] = key;
    }
    let mut by_form: Vec<(String, u32)> = forms.into_iter().collect();
    by_form.sort_by_key(|(_, i)| *i);
    out.forms = by_form
        .into_iter()
        .map(|(form, i)| {
            let (key, t, b) = counts[i as usize];
            (form, key, weight(t, b))
        })
        .collect();
    out.pairs = pairs
        .into_iter()
        .map(|((a, b), (t, n))| (a, b, weight(t, n)))
        .collect();
    out
}

/// Postings of every term of the site, by term number.
#[derive(Default)]
struct Postings {
    keys: Vec<String>,
    key_ids: FastMap<String, u32>,
    /// The forms of each key.
    key_forms: Vec<Vec<u32>>,
    /// Each form and its key.
    forms: Vec<(String, u32)>,
    form_ids: FastMap<String, u32>,
    pairs: Vec<(u32, u32)>,
    pair_ids: FastMap<(u32, u32), u32>,
    /// `doc * 16 + weight`, by form and by pair.
    form_postings: Vec<Vec<u32>>,
    pair_postings: Vec<Vec<u32>>,
}

impl Postings {
    fn add(&mut self, doc: u32, terms: DocTerms) {
        let keys: Vec<u32> = terms
            .keys
            .into_iter()
            .map(|k| match self.key_ids.get(&k) {
                Some(id) => *id,
                None => {
                    let id = self.keys.len() as u32;
                    self.keys.push(k.clone());
                    self.key_ids.insert(k, id);
                    self.key_forms.push(Vec::new());
                    id
                }
            })
            .collect();
        for (form, key, weight) in terms.forms {
            let id = match self.form_ids.get(&form) {
                Some(id) => *id,
                None => {
                    let id = self.forms.len() as u32;
                    let key = keys[key as usize];
                    self.forms.push((form.clone(), key));
                    self.form_ids.insert(form, id);
                    self.key_forms[key as usize].push(id);
                    self.form_postings.push(Vec::new());
                    id
                }
            };
            self.form_postings[id as usize].push(doc * 16 + weight);
        }
        for (a, b, weight) in terms.pairs {
            let pair = (keys[a as usize], keys[b as usize]);
            let next = self.pairs.len() as u32;
            let id = *self.pair_ids.entry(pair).or_insert(next);
            if id == next {
                self.pairs.push(pair);
                self.pair_postings.push(Vec::new());
            }
            self.pair_postings[id as usize].push(doc * 16 + weight);
        }
    }
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
    let mut all = Postings::default();
    // Documents are read in parallel a batch at a time, and merged in order while
    // the next batch is read.
    const BATCH: usize = 512;
    let read = |n: usize| -> Vec<DocTerms> {
        records
            .get(n * BATCH..((n + 1) * BATCH).min(records.len()))
            .unwrap_or_default()
            .par_iter()
            .map(terms)
            .collect()
    };
    let mut batch = read(0);
    for n in 0..records.len().div_ceil(BATCH) {
        let merge = |all: &mut Postings| {
            for (i, t) in batch.into_iter().enumerate() {
                all.add((n * BATCH + i) as u32, t);
            }
        };
        let ((), next) = rayon::join(|| merge(&mut all), || read(n + 1));
        batch = next;
    }
    let count: usize = all.form_postings.iter().map(Vec::len).sum::<usize>()
        + all.pair_postings.iter().map(Vec::len).sum::<usize>();
    let buckets = (count / POSTINGS_PER_BUCKET)
        .max(1)
        .next_power_of_two()
        .min(1 << 16);
    let mask = buckets as u32 - 1;
    // Keys and pairs by bucket.
    let mut by_bucket: Vec<(Vec<u32>, Vec<u32>)> = vec![(Vec::new(), Vec::new()); buckets];
    for (id, key) in all.keys.iter().enumerate() {
        by_bucket[(fnv1a(key) & mask) as usize].0.push(id as u32);
    }
    for (id, (a, b)) in all.pairs.iter().enumerate() {
        let h = fnv1a_more(fnv1a(&all.keys[*a as usize]), b" ");
        let h = fnv1a_more(h, all.keys[*b as usize].as_bytes());
        by_bucket[(h & mask) as usize].1.push(id as u32);
    }
    let mut files: Vec<(String, Vec<u8>)> = by_bucket
        .par_iter()
        .enumerate()
        .map(|(b, (keys, pairs))| (format!("k/{b}.json"), bucket_json(&all, keys, pairs)))
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

/// Writes postings `doc * 16 + weight` as `delta * 16 + weight`.
fn push_postings(out: &mut String, postings: &[u32]) {
    out.push('[');
    let mut last = 0;
    for (i, p) in postings.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let doc = p >> 4;
        let _ = write!(out, "{}", ((doc - last) << 4) | (p & 15));
        last = doc;
    }
    out.push(']');
}

/// A bucket's postings, as JSON: `{"mot":{"một":[…],"mốt":[…]},"mot cua":[…]}`.
fn bucket_json(all: &Postings, keys: &[u32], pairs: &[u32]) -> Vec<u8> {
    let mut keys: Vec<&str> = keys
        .iter()
        .map(|k| all.keys[*k as usize].as_str())
        .collect();
    keys.sort_unstable();
    let mut pairs: Vec<(&str, &str, u32)> = pairs
        .iter()
        .map(|p| {
            let (a, b) = all.pairs[*p as usize];
            (
                all.keys[a as usize].as_str(),
                all.keys[b as usize].as_str(),
                *p,
            )
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::from("{");
    for key in keys {
        if out.len() > 1 {
            out.push(',');
        }
        push_json_string(&mut out, key);
        out.push_str(":{");
        let mut forms: Vec<u32> = all.key_forms[all.key_ids[key] as usize].clone();
        forms.sort_unstable_by(|a, b| all.forms[*a as usize].0.cmp(&all.forms[*b as usize].0));
        for (i, f) in forms.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_string(&mut out, &all.forms[*f as usize].0);
            out.push(':');
            push_postings(&mut out, &all.form_postings[*f as usize]);
        }
        out.push('}');
    }
    for (a, b, p) in pairs {
        if out.len() > 1 {
            out.push(',');
        }
        push_json_string(&mut out, &format!("{a} {b}"));
        out.push(':');
        push_postings(&mut out, &all.pair_postings[p as usize]);
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
