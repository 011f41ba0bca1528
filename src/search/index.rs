//! The index files, written from the records in memory.
//!
//! - `meta.json`: the number of buckets, the units and facets, and for each document
//!   its unit, facet (documents are sorted by unit and facet, so these are a few
//!   ranges) and month (for ties).
//! - `k/<bucket>.json`: postings of the folded syllables and of folded pairs of
//!   adjacent syllables whose FNV-1a hash falls in the bucket. A syllable maps each of
//!   its written forms (`một`, `mốt`) to a list of postings; a pair (`"mot cua"`)
//!   maps to one. A list of postings is an array of `delta * 16 + weight` (the
//!   document's number minus the previous one's, and [`weight`]) or, for a term in at
//!   least one document in [`DENSE`], a string with one character per document, `0`
//!   where the term is absent and `0` + weight where it is present: a word as common
//!   as `hồ` or `sơ` then costs about one byte per document before compression, and
//!   far less after.
//! - `d/<chunk>.json`: title, link, date and snippet text of [`CHUNK`] documents,
//!   fetched only for the results shown.
//!
//! A query fetches `meta.json`, one bucket per syllable and per adjacent pair, and
//! the chunks of the results on screen.

use std::borrow::Cow;
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
const POSTINGS_PER_BUCKET: usize = 6000;
/// A list of postings is written as one character per document when the word is in
/// at least one document in this many.
const DENSE: usize = 8;
/// The documents are read in runs, this many per thread, of [`SHORTEST_RUN`] to
/// [`LONGEST_RUN`] documents: each run has a vocabulary of its own.
const RUNS_PER_THREAD: usize = 16;
const SHORTEST_RUN: usize = 64;
const LONGEST_RUN: usize = 1 << 12;
/// A run numbers its keys in this many bits, 16 million distinct words: a pair of keys,
/// the document's place in the run and the weight of an occurrence fit in 64 bits.
const KEY_BITS: u32 = 24;
const KEY_MASK: u64 = (1 << KEY_BITS) - 1;

/// The two keys of a pair, `first << KEY_BITS | second`.
fn keys_of(pair: u64) -> (usize, usize) {
    ((pair >> KEY_BITS) as usize, (pair & KEY_MASK) as usize)
}

/// The index, handed file by file to the caller as it is made.
pub struct Built<T> {
    /// Paths relative to the index folder, and what the caller made of each file.
    pub files: Vec<(String, T)>,
    /// The number of documents.
    pub documents: usize,
    /// The size of all the files.
    pub bytes: usize,
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

type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A word of at most 16 bytes as a number (its bytes, zero-padded): a run finds it
/// without following a pointer to the text it was first seen in. `start` is the word's
/// offset in `text`.
fn packed(text: &[u8], start: usize, len: usize) -> Option<u128> {
    if len > 16 {
        return None;
    }
    let word = match text.get(start..start + 16) {
        Some(bytes) => u128::from_le_bytes(bytes.try_into().ok()?),
        None => {
            let mut bytes = [0u8; 16];
            bytes[..len].copy_from_slice(&text[start..start + len]);
            u128::from_le_bytes(bytes)
        }
    };
    Some(if len == 16 {
        word
    } else {
        word & ((1u128 << (len * 8)) - 1)
    })
}

/// The index of a run of consecutive documents, made by one thread with a vocabulary
/// of its own: each word as written, its lower-case form and its key, numbered as the
/// run meets them, and the postings of its forms and of its pairs of adjacent keys.
/// The lower-casing and folding are done once per distinct word of the run; the runs'
/// terms are brought together by their text when the buckets are written. A run keeps
/// nothing of the documents' texts, which go as soon as it has read them.
#[derive(Default)]
struct Run {
    /// The words as written of at most 8 bytes and of at most 16, by [`packed`], and
    /// the longer ones: their forms. The short ones' table, half the size, stays in
    /// the processor's cache.
    short: FastMap<u64, u32>,
    packed: FastMap<u128, u32>,
    written: FastMap<Box<str>, u32>,
    vocabulary: Vocabulary,
    /// The postings of each form.
    form_postings: Vec<Postings>,
    /// The occurrences of pairs of adjacent keys (`first << KEY_BITS | second`) as
    /// they are read: `pair << 16 | (doc - first) << 4 | weight`, with `first` the
    /// run's first document.
    occurrences: Vec<u64>,
    first: u32,
    /// Once the run is read, the distinct pairs in the order of their keys' numbers,
    /// and the postings of each, one after the other in `pair_bytes` (as
    /// [`Postings::bytes`]): where each ends there, and how many it holds.
    pairs: Vec<u64>,
    pair_bytes: Vec<u8>,
    pair_ends: Vec<[u32; 2]>,
    /// For each form, its place in `seen` (or `u32::MAX`: all `u32::MAX` between
    /// documents) and its key, side by side: one read of memory per word.
    slots: Vec<[u32; 2]>,
    /// The distinct forms of the document, and how often the title and the rest hold
    /// them.
    seen: Vec<u32>,
    counts: Vec<[u32; 2]>,
}

/// A run's lower-case forms, each with its key, and its folded keys, numbered as the run
/// meets them.
#[derive(Default)]
struct Vocabulary {
    forms: Vec<(String, u32)>,
    form_ids: FastMap<String, u32>,
    keys: Vec<String>,
    key_ids: FastMap<String, u32>,
}

impl Vocabulary {
    /// The form of a word as written that the run has not met: lower-cased and folded
    /// once.
    fn form(&mut self, word: &str) -> u32 {
        let lower = word.to_lowercase();
        if let Some(f) = self.form_ids.get(&lower) {
            return *f;
        }
        let key = text::search_key(&lower);
        let k = match self.key_ids.get(&key) {
            Some(k) => *k,
            None => {
                let k = self.keys.len() as u32;
                assert!(
                    u64::from(k) <= KEY_MASK,
                    "the search index takes at most {KEY_MASK} distinct words"
                );
                self.keys.push(key.clone());
                self.key_ids.insert(key, k);
                k
            }
        };
        let f = self.forms.len() as u32;
        self.forms.push((lower.clone(), k));
        self.form_ids.insert(lower, f);
        f
    }
}

impl Run {
    /// Reads `records`, the documents numbered from `first` on, dropping the text of
    /// each once it is read (the memory it held serves the pages rendered meanwhile),
    /// and writes out the last postings.
    fn read(first: usize, records: &mut [Record<'_>]) -> Self {
        assert!(records.len() <= LONGEST_RUN);
        let mut run = Run {
            first: first as u32,
            ..Run::default()
        };
        for (i, record) in records.iter_mut().enumerate() {
            run.document((first + i) as u32, record);
            record.body = Cow::Borrowed("");
        }
        run.form_postings.iter_mut().for_each(Postings::flush);
        run.gather_pairs();
        run
    }

    /// The form of a word as written, taken in when it is new to the run. `start` is
    /// the word's offset in `text`.
    fn form(&mut self, text: &[u8], start: usize, word: &str) -> u32 {
        let vocabulary = &mut self.vocabulary;
        let mut new = || vocabulary.form(word);
        let f = match (packed(text, start, word.len()), word.len() <= 8) {
            (Some(key), true) => *self.short.entry(key as u64).or_insert_with(new),
            (Some(key), false) => *self.packed.entry(key).or_insert_with(new),
            (None, _) => match self.written.get(word) {
                Some(f) => *f,
                None => {
                    let f = new();
                    self.written.insert(word.into(), f);
                    f
                }
            },
        };
        if f as usize == self.slots.len() {
            self.slots
                .push([u32::MAX, self.vocabulary.forms[f as usize].1]);
            self.form_postings.push(Postings::default());
        }
        f
    }

    /// Reads a document's words: a posting for each occurrence of a pair of adjacent
    /// words as it is read (those of one document add up), then one per form.
    fn document(&mut self, doc: u32, record: &Record<'_>) {
        let fields = [
            (weight(1, 0), record.title.as_ref()),
            (weight(0, 1), record.summary.as_ref()),
            (weight(0, 1), record.body.as_ref()),
        ];
        for (one, text) in fields {
            let field = usize::from(one < 8);
            let mut previous: Option<u32> = None;
            let bytes = text.as_bytes();
            text::for_each_word(text, |word, joined| {
                let start = word.as_ptr() as usize - bytes.as_ptr() as usize;
                let f = self.form(bytes, start, word);
                let [slot, key] = &mut self.slots[f as usize];
                if *slot == u32::MAX {
                    *slot = self.seen.len() as u32;
                    self.seen.push(f);
                    self.counts.push([0, 0]);
                }
                self.counts[*slot as usize][field] += 1;
                let key = *key;
                if let (Some(p), true) = (previous, joined) {
                    let pair = u64::from(p) << KEY_BITS | u64::from(key);
                    let at = u64::from(doc - self.first);
                    self.occurrences.push(pair << 16 | at << 4 | u64::from(one));
                }
                previous = Some(key);
            });
        }
        for (f, [t, b]) in self.seen.iter().zip(&self.counts) {
            self.form_postings[*f as usize].push(doc * 16 + weight(*t, *b));
            self.slots[*f as usize][0] = u32::MAX;
        }
        self.seen.clear();
        self.counts.clear();
    }

    /// Makes the postings of the pairs from their occurrences, sorted by pair: the
    /// sort is stable, so that each pair's occurrences stay in the documents' order.
    fn gather_pairs(&mut self) {
        let mut occurrences = std::mem::take(&mut self.occurrences);
        // By pair, as a number of no more bits than the run's keys need: a pass of the
        // sort per byte of it.
        let bits = usize::BITS - self.vocabulary.keys.len().leading_zeros();
        let key = move |e: &u64| {
            let pair = e >> 16;
            (pair >> KEY_BITS) << bits | pair & KEY_MASK
        };
        // The sort counts every byte of the key's type, and then skips those that are
        // the same in every key: a key that fits in 32 bits is counted as one.
        if 2 * bits <= u32::BITS {
            radsort::sort_by_key(&mut occurrences, |e| key(e) as u32);
        } else {
            radsort::sort_by_key(&mut occurrences, key);
        }
        let mut postings = Postings::default();
        for group in occurrences.chunk_by(|a, b| a >> 16 == b >> 16) {
            for e in group {
                let doc = self.first + (e >> 4 & 0xfff) as u32;
                postings.push(doc * 16 + (e & 15) as u32);
            }
            postings.flush();
            self.pairs.push(group[0] >> 16);
            self.pair_ends
                .push([postings.bytes.len() as u32, postings.len]);
            postings = Postings {
                bytes: postings.bytes,
                ..Postings::default()
            };
        }
        self.pair_bytes = postings.bytes;
    }

    /// The postings of the run's `p`th pair.
    fn pair_postings(&self, p: usize) -> Written<'_> {
        let start = p.checked_sub(1).map_or(0, |q| self.pair_ends[q][0]) as usize;
        let [end, len] = self.pair_ends[p];
        Written {
            bytes: &self.pair_bytes[start..end as usize],
            len,
        }
    }

    /// The number of postings of the run's terms.
    fn postings(&self) -> usize {
        self.form_postings
            .iter()
            .map(|p| p.len)
            .chain(self.pair_ends.iter().map(|[_, len]| *len))
            .map(|len| len as usize)
            .sum()
    }

    /// The run's terms by bucket: the forms are terms `0..forms.len()`, and the pairs
    /// follow. Returns the terms, and where each bucket starts among them (`mask + 2`
    /// places, the last the end).
    fn by_bucket(&self, mask: u32) -> (Vec<u32>, Vec<u32>) {
        let Vocabulary { forms, keys, .. } = &self.vocabulary;
        let hashes: Vec<(u32, u32)> = keys
            .iter()
            .map(|k| {
                let h = fnv1a(k);
                (h, fnv1a_more(h, b" "))
            })
            .collect();
        let buckets: Vec<u32> = forms
            .iter()
            .map(|(_, k)| hashes[*k as usize].0 & mask)
            .chain(self.pairs.iter().map(|pair| {
                let (first, second) = keys_of(*pair);
                fnv1a_more(hashes[first].1, keys[second].as_bytes()) & mask
            }))
            .collect();
        let mut starts = vec![0u32; mask as usize + 2];
        for b in &buckets {
            starts[*b as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut terms = vec![0u32; buckets.len()];
        for (t, b) in buckets.iter().enumerate() {
            terms[next[*b as usize] as usize] = t as u32;
            next[*b as usize] += 1;
        }
        (terms, starts)
    }
}

/// A list of postings as it is written in a sparse list, `delta * 16 + weight`, seven
/// bits to a byte (LEB128): mostly one byte per posting. The last posting is held
/// apart until a later document comes, so that the occurrences of a pair in one
/// document add up to one posting.
#[derive(Default)]
struct Postings {
    /// The number of postings, the one held apart included.
    len: u32,
    /// The document of the last posting.
    last: u32,
    /// The weight of the last posting while it is held apart, or 0.
    held: u8,
    /// The document of the last posting in `bytes`.
    written: u32,
    bytes: Vec<u8>,
}

impl Postings {
    /// Adds `doc * 16 + weight`; a second posting of the same document adds its weight
    /// to the first one's: the title bit, and the body counts up to 7 (see [`weight`]).
    fn push(&mut self, posting: u32) {
        let (doc, w) = (posting >> 4, (posting & 15) as u8);
        if self.held != 0 && doc == self.last {
            self.held = (self.held | w) & 8 | ((self.held & 7) + (w & 7)).min(7);
            return;
        }
        self.flush();
        self.held = w;
        self.last = doc;
        self.len += 1;
    }

    /// Writes the posting held apart.
    fn flush(&mut self) {
        if self.held == 0 {
            return;
        }
        let mut n = ((self.last - self.written) << 4) | u32::from(self.held);
        while n >= 0x80 {
            self.bytes.push((n & 0x7f) as u8 | 0x80);
            n >>= 7;
        }
        self.bytes.push(n as u8);
        self.written = self.last;
        self.held = 0;
    }

    /// The postings written, once the last one is ([`Postings::flush`]).
    fn written(&self) -> Written<'_> {
        debug_assert_eq!(self.held, 0);
        Written {
            bytes: &self.bytes,
            len: self.len,
        }
    }
}

/// A list of postings as a run wrote it ([`Postings::bytes`]), and their number.
#[derive(Clone, Copy)]
struct Written<'r> {
    bytes: &'r [u8],
    len: u32,
}

impl<'r> Written<'r> {
    /// Each `delta * 16 + weight`, the first delta from document 0.
    fn deltas(self) -> impl Iterator<Item = u32> + 'r {
        let mut bytes = self.bytes.iter();
        std::iter::from_fn(move || {
            let mut n = 0u32;
            let mut shift = 0;
            loop {
                let b = *bytes.next()?;
                n |= u32::from(b & 0x7f) << shift;
                if b < 0x80 {
                    return Some(n);
                }
                shift += 7;
            }
        })
    }
}

/// What the caller does with each file of the index (its path in the index folder, its
/// contents and their [`crate::output::digest`]): write it, or keep it in memory.
pub type Keep<'k, T, E> = dyn Fn(&str, Vec<u8>, u64) -> Result<T, E> + Sync + 'k;

/// Builds the index of `records` (in any order), the units' names and links, and the
/// facets' names, handing each file to `keep` (which may write it) as it is made.
pub fn build<T: Send, E: Send>(
    mut records: Vec<Record<'_>>,
    units: &[(String, String)],
    facets: &[String],
    keep: &Keep<'_, T, E>,
) -> Result<Built<T>, E> {
    records.sort_by(|a, b| {
        (a.unit, a.facet)
            .cmp(&(b.unit, b.facet))
            .then_with(|| b.date.cmp(&a.date))
            .then_with(|| a.url.cmp(&b.url))
    });
    let started = std::time::Instant::now();
    let documents = records.len();
    // Each file is handed over as soon as it is made: (path, size, kept).
    let made = |path: String, bytes: Vec<u8>| -> Result<(String, usize, T), E> {
        let (digest, size) = (crate::output::digest(&bytes), bytes.len());
        let kept = keep(&path, bytes, digest)?;
        Ok((path, size, kept))
    };
    // The chunks first: they take their snippets from the texts, which the runs then
    // drop as they read them.
    let mut chunks: Vec<(String, usize, T)> = records
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(n, chunk)| made(format!("d/{n}.json"), chunk_json(chunk)))
        .collect::<Result<_, E>>()?;
    // Runs of consecutive documents, several per thread so that the threads finish
    // together and a run's occurrences of pairs stay small, each read by one thread.
    let length = documents
        .div_ceil(rayon::current_num_threads() * RUNS_PER_THREAD)
        .clamp(SHORTEST_RUN, LONGEST_RUN);
    let runs: Vec<Run> = records
        .par_chunks_mut(length)
        .enumerate()
        .map(|(n, run)| Run::read(n * length, run))
        .collect();
    log::debug!("search: postings gathered in {:.2?}", started.elapsed());
    let count: usize = runs.iter().map(Run::postings).sum();
    let buckets = (count / POSTINGS_PER_BUCKET)
        .max(1)
        .next_power_of_two()
        .min(1 << 16);
    let mask = buckets as u32 - 1;
    let by_bucket: Vec<(Vec<u32>, Vec<u32>)> =
        runs.par_iter().map(|run| run.by_bucket(mask)).collect();
    let mut files: Vec<(String, usize, T)> = (0..buckets)
        .into_par_iter()
        .map(|b| {
            made(
                format!("k/{b}.json"),
                bucket_json(&runs, &by_bucket, b, documents),
            )
        })
        .collect::<Result<_, E>>()?;
    drop(runs);
    files.append(&mut chunks);
    files.push(made(
        "meta.json".into(),
        meta_json(&records, units, facets, buckets),
    )?);
    log::debug!("search: files made in {:.2?}", started.elapsed());
    Ok(Built {
        documents,
        bytes: files.iter().map(|f| f.1).sum(),
        files: files
            .into_iter()
            .map(|(path, _, kept)| (path, kept))
            .collect(),
    })
}

/// A digest of everything the index is made from (with `global`, a digest of the
/// settings and of cong itself): the same digest makes the same files.
pub fn input_key(
    records: &[Record<'_>],
    units: &[(String, String)],
    facets: &[String],
    global: u64,
) -> u64 {
    let mut digests: Vec<u64> = records
        .par_iter()
        .map(|r| {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            for field in [
                r.title.as_ref(),
                r.url.as_str(),
                r.summary.as_ref(),
                r.body.as_ref(),
            ] {
                h.update(&(field.len() as u64).to_le_bytes());
                h.update(field.as_bytes());
            }
            let date = r
                .date
                .map(|d| (d.timestamp(), d.offset().local_minus_utc()));
            let mut rest = std::hash::DefaultHasher::new();
            (r.unit, r.facet, date).hash(&mut rest);
            h.update(&rest.finish().to_le_bytes());
            h.digest()
        })
        .collect();
    // The index does not depend on the order the records come in.
    digests.sort_unstable();
    let mut h = std::hash::DefaultHasher::new();
    (digests, units, facets, global, SNIPPET_CHARS, CHUNK).hash(&mut h);
    h.finish()
}

/// Writes a list of postings, given as the parts the runs made of it in document
/// order: as an array of `delta * 16 + weight` (the document's number minus the
/// previous one's), or, for a word in at least one document in [`DENSE`], as a string
/// with one character per document, `0` where the word is absent and `0` + weight
/// where it is present, without the trailing `0`s.
fn push_postings(out: &mut Vec<u8>, parts: &[Written<'_>], documents: usize) {
    let len: usize = parts.iter().map(|p| p.len as usize).sum();
    // Each posting's document and weight: a part's first delta is from document 0.
    let postings = parts.iter().flat_map(|p| {
        let mut doc = 0;
        p.deltas().map(move |n| {
            doc += n >> 4;
            (doc, n & 15)
        })
    });
    if len * DENSE >= documents {
        out.push(b'"');
        let mut next = 0;
        for (doc, w) in postings {
            out.resize(out.len() + (doc - next) as usize, b'0');
            out.push(b'0' + w as u8);
            next = doc + 1;
        }
        out.push(b'"');
        return;
    }
    out.push(b'[');
    let mut digits = itoa::Buffer::new();
    let mut previous = 0;
    for (i, (doc, w)) in postings.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(digits.format((doc - previous) << 4 | w).as_bytes());
        previous = doc;
    }
    out.push(b']');
}

/// A term's text and the postings a run made of it.
type Part<'r> = (&'r str, &'r str, Written<'r>);

/// A bucket's postings, as JSON: `{"mot":{"một":[…],"mốt":[…]},"mot cua":[…]}`, keys
/// and forms in byte order, then pairs. `by_bucket` holds each run's terms by bucket
/// ([`Run::by_bucket`]).
fn bucket_json(
    runs: &[Run],
    by_bucket: &[(Vec<u32>, Vec<u32>)],
    bucket: usize,
    documents: usize,
) -> Vec<u8> {
    // (key, form, postings) and (first key, second key, postings), run after run.
    let mut forms: Vec<Part<'_>> = Vec::new();
    let mut pairs: Vec<Part<'_>> = Vec::new();
    for (run, (terms, starts)) in runs.iter().zip(by_bucket) {
        let Vocabulary {
            forms: run_forms,
            keys,
            ..
        } = &run.vocabulary;
        for t in &terms[starts[bucket] as usize..starts[bucket + 1] as usize] {
            let t = *t as usize;
            match run_forms.get(t) {
                Some((form, key)) => {
                    forms.push((&keys[*key as usize], form, run.form_postings[t].written()))
                }
                None => {
                    let p = t - run_forms.len();
                    let pair = run.pairs[p];
                    let (first, second) = keys_of(pair);
                    pairs.push((&keys[first], &keys[second], run.pair_postings(p)));
                }
            }
        }
    }
    // Stable sorts: a term's parts stay in the runs' order, which is the documents'.
    forms.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    pairs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut out = vec![b'{'];
    let mut parts: Vec<Written<'_>> = Vec::new();
    let mut key = None;
    for term in forms.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let (k, form, _) = term[0];
        if key != Some(k) {
            if key.is_some() {
                out.extend_from_slice(b"},");
            }
            push_json_string(&mut out, k);
            out.extend_from_slice(b":{");
            key = Some(k);
        } else {
            out.push(b',');
        }
        push_json_string(&mut out, form);
        out.push(b':');
        parts.clear();
        parts.extend(term.iter().map(|t| t.2));
        push_postings(&mut out, &parts, documents);
    }
    if key.is_some() {
        out.push(b'}');
    }
    for term in pairs.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let (a, b, _) = term[0];
        if out.len() > 1 {
            out.push(b',');
        }
        push_json_string(&mut out, &format!("{a} {b}"));
        out.push(b':');
        parts.clear();
        parts.extend(term.iter().map(|t| t.2));
        push_postings(&mut out, &parts, documents);
    }
    out.push(b'}');
    out
}

fn push_json_string(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Title, link, date and snippet text of each document of a chunk.
fn chunk_json(records: &[Record<'_>]) -> Vec<u8> {
    let docs: Vec<[Cow<'_, str>; 4]> = records
        .iter()
        .map(|r| {
            [
                Cow::Borrowed(r.title.as_ref()),
                Cow::Borrowed(r.url.as_str()),
                Cow::Owned(r.date.as_ref().map(text::format_date).unwrap_or_default()),
                Cow::Owned(super::snippet_source(r)),
            ]
        })
        .collect();
    serde_json::to_vec(&docs).unwrap_or_default()
}

/// Months since January 2000 (0 when undated), as one character per document.
fn month_char(r: &Record<'_>) -> char {
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
    records: &[Record<'_>],
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The files of the index of `records`, built on `threads` threads.
    fn files_on(threads: usize, records: &[Record<'static>]) -> HashMap<String, Vec<u8>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let keep = |_: &str, bytes: Vec<u8>, _| Ok::<_, ()>(bytes);
        let units = [("Huyện".to_owned(), "/".to_owned())];
        let built = pool
            .install(|| build(records.to_vec(), &units, &["Tin".into()], &keep))
            .unwrap();
        built.files.into_iter().collect()
    }

    #[test]
    fn documents_are_indexed_the_same_on_one_thread_or_many() {
        // Sixteen runs of documents on one thread, thirty-two on four: every
        // document has a word of its own (its number), and from document 300 on a
        // place name the documents before never had, written in two cases; some words
        // are longer than the 16 bytes a run looks up as numbers.
        let records: Vec<Record<'static>> = (0..2000)
            .map(|n| {
                let place = if n >= 300 {
                    "Đồng Hỷ và ĐỒNG HỶ"
                } else {
                    "xã"
                };
                Record {
                    unit: 0,
                    facet: 0,
                    title: format!("Tin {n}").into(),
                    url: format!("/tin-{n}/"),
                    date: chrono::DateTime::parse_from_rfc3339("2021-03-01T08:00:00+07:00").ok(),
                    summary: "".into(),
                    body: format!(
                        "Một cửa ở {place}: hồ sơ số {n}. Nghiêngnghiêngnghiêng một cửa.\n\
                         Chuyểnđổisốtoàndiện"
                    )
                    .into(),
                }
            })
            .collect();
        let one = files_on(1, &records);
        let many = files_on(4, &records);
        let mut paths: Vec<&String> = one.keys().collect();
        paths.sort();
        assert_eq!(paths, {
            let mut p: Vec<&String> = many.keys().collect();
            p.sort();
            p
        });
        for path in paths {
            assert!(one[path] == many[path], "{path} differs");
        }
        let fetch = |p: &str| many.get(p).cloned();
        let count = |query: &str| super::super::query::search(&fetch, query, 5000).0.len();
        assert_eq!(count("dong hy"), 1700);
        assert_eq!(count("Đồng Hỷ"), 1700);
        assert_eq!(count("1999"), 1);
        assert_eq!(count("nghiengnghiengnghieng"), 2000);
        assert_eq!(count("chuyểnđổisốtoàndiện"), 2000);
        // "một cửa" is a phrase in every document, twice: one posting each.
        let meta: serde_json::Value = serde_json::from_slice(&many["meta.json"]).unwrap();
        let buckets = meta["buckets"].as_u64().unwrap() as u32;
        let bucket: serde_json::Value =
            serde_json::from_slice(&many[&format!("k/{}.json", fnv1a("mot cua") & (buckets - 1))])
                .unwrap();
        let dense = bucket["mot cua"].as_str().unwrap();
        assert_eq!(dense.len(), 2000);
        assert!(dense.bytes().all(|c| c == b'0' + weight(0, 2) as u8));
    }

    #[test]
    fn a_run_with_more_keys_than_sixteen_bits_number_keeps_its_pairs_apart() {
        // Document 0 brings 70,000 words, numbered 2 and on after its title's two, so
        // that a pair of keys takes 34 bits. `t0x100` and `t0x32868` are keys 102 and
        // 32,870: with only the low 32 bits of a pair, `t0x100 cc` and `t0x32868 cc`
        // would be one, and document 1's two occurrences of the first would be split
        // around the second.
        let record = |n: usize, body: String| Record {
            unit: 0,
            facet: 0,
            title: format!("Tin {n}").into(),
            url: format!("/tin-{n}/"),
            date: None,
            summary: "".into(),
            body: body.into(),
        };
        let words: Vec<String> = (0..70_000).map(|i| format!("t0x{i}")).collect();
        let records = vec![
            record(0, words.join(" ")),
            record(1, "t0x100 cc t0x32868 cc t0x100 cc".into()),
        ];
        let files = files_on(1, &records);
        let fetch = |p: &str| files.get(p).cloned();
        let found = |query: &str| super::super::query::search(&fetch, query, 10).0;
        let phrase = found("t0x100 cc");
        assert_eq!(phrase.len(), 2);
        assert_eq!(phrase[0].url, "/tin-1/");
        assert_eq!(phrase[0].hit.phrase, 1);
        let meta: serde_json::Value = serde_json::from_slice(&files["meta.json"]).unwrap();
        let buckets = meta["buckets"].as_u64().unwrap() as u32;
        let bucket: serde_json::Value = serde_json::from_slice(
            &files[&format!("k/{}.json", fnv1a("t0x100 cc") & (buckets - 1))],
        )
        .unwrap();
        // One posting, in a dense list (one document in two): document 1, twice in
        // its body.
        let dense = format!("0{}", weight(0, 2));
        assert_eq!(bucket["t0x100 cc"], serde_json::json!(dense));
    }

    fn written(p: &Postings) -> Vec<u32> {
        p.written().deltas().collect()
    }

    #[test]
    fn postings_of_one_document_add_up_as_the_weight_does() {
        let mut p = Postings::default();
        // Document 3: in the title once and in the body nine times.
        p.push(3 * 16 + weight(1, 0));
        for _ in 0..9 {
            p.push(3 * 16 + weight(0, 1));
        }
        // Document 5: in the body twice, given as one posting and then another.
        p.push(5 * 16 + weight(0, 1));
        p.push(5 * 16 + weight(0, 1));
        // Document 200: a gap wider than one byte holds.
        p.push(200 * 16 + weight(2, 3));
        p.flush();
        assert_eq!(p.len, 3);
        assert_eq!(
            written(&p),
            vec![
                3 * 16 + weight(1, 9),
                2 * 16 + weight(0, 2),
                195 * 16 + weight(2, 3)
            ]
        );
        assert_eq!(weight(1, 9), 15);
        // Flushing again writes nothing more.
        p.flush();
        assert_eq!(written(&p).len(), 3);
    }
}
