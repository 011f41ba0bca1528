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

/// A word of at most 16 bytes as a number (its bytes, zero-padded): the vocabulary
/// finds it without following a pointer to the text it was first seen in. `start` is
/// the word's offset in `text`.
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

/// The words of the site: each word as written, its lower-case form and its key.
#[derive(Default)]
struct Vocabulary<'a> {
    written: FastMap<&'a str, u32>,
    /// The words as written of at most 16 bytes, by [`packed`].
    packed: FastMap<u128, u32>,
    /// Lower-case forms and their keys.
    forms: Vec<(String, u32)>,
    form_ids: FastMap<String, u32>,
    /// Folded keys, with [`fnv1a`] of the key and of the key and a space.
    keys: Vec<(String, u32, u32)>,
    key_ids: FastMap<String, u32>,
}

/// The words a batch of documents adds to the [`Vocabulary`], numbered on from it:
/// the threads reading the batch take new words in under a lock, and the vocabulary
/// takes them all after the batch ([`Vocabulary::take`]).
#[derive(Default)]
struct Added<'a> {
    /// Each new word as written, with its form and key.
    written: FastMap<&'a str, (u32, u32)>,
    forms: Vec<(String, u32)>,
    form_ids: FastMap<String, u32>,
    keys: Vec<(String, u32, u32)>,
    key_ids: FastMap<String, u32>,
}

impl<'a> Vocabulary<'a> {
    /// [`fnv1a`] of a term's key, or of its pair of keys with a space between.
    fn hash(&self, term: u64) -> u32 {
        if term & FORM != 0 {
            let form = &self.forms[(term & !FORM) as usize];
            self.keys[form.1 as usize].1
        } else {
            let first = &self.keys[(term >> KEY_BITS) as usize];
            let second = &self.keys[(term & KEY_MASK) as usize];
            fnv1a_more(first.2, second.0.as_bytes())
        }
    }

    /// The form of a word as written, if the vocabulary has it. `start` is the word's
    /// offset in `text`.
    fn find(&self, text: &[u8], start: usize, word: &str) -> Option<u32> {
        match packed(text, start, word.len()) {
            Some(key) => self.packed.get(&key).copied(),
            None => self.written.get(word).copied(),
        }
    }

    /// The form and key of a word as written that the vocabulary does not have, from
    /// the words of this batch, which take it in when it is new there too.
    fn add(&self, added: &mut Added<'a>, word: &'a str) -> (u32, u32) {
        if let Some(found) = added.written.get(word) {
            return *found;
        }
        let lower = word.to_lowercase();
        let known_form = self
            .form_ids
            .get(&lower)
            .map(|f| (*f, self.forms[*f as usize].1));
        let found = match known_form.or_else(|| {
            let f = *added.form_ids.get(&lower)?;
            Some((f, added.forms[f as usize - self.forms.len()].1))
        }) {
            Some(found) => found,
            None => {
                let key = text::search_key(&lower);
                let k = match self.key_ids.get(&key).or_else(|| added.key_ids.get(&key)) {
                    Some(k) => *k,
                    None => {
                        let k = (self.keys.len() + added.keys.len()) as u32;
                        assert!(
                            u64::from(k) <= KEY_MASK,
                            "the search index takes at most {KEY_MASK} distinct words"
                        );
                        let h = fnv1a(&key);
                        added.keys.push((key.clone(), h, fnv1a_more(h, b" ")));
                        added.key_ids.insert(key, k);
                        k
                    }
                };
                let f = (self.forms.len() + added.forms.len()) as u32;
                added.forms.push((lower.clone(), k));
                added.form_ids.insert(lower, f);
                (f, k)
            }
        };
        added.written.insert(word, found);
        found
    }

    /// Takes in the words of a batch.
    fn take(&mut self, added: Added<'a>) {
        self.forms.extend(added.forms);
        self.form_ids.extend(added.form_ids);
        self.keys.extend(added.keys);
        self.key_ids.extend(added.key_ids);
        for (word, (f, _)) in added.written {
            self.written.insert(word, f);
            if let Some(key) = packed(word.as_bytes(), 0, word.len()) {
                self.packed.insert(key, f);
            }
        }
    }
}

/// What reads one part of each batch, kept from one document and one batch to the next.
#[derive(Default)]
struct Reader<'a> {
    /// For each form of the vocabulary, its place in `forms`, or `u32::MAX`: all
    /// `u32::MAX` between documents.
    slots: Vec<u32>,
    /// The distinct forms of the document, their keys, and how often the title and
    /// the rest hold them.
    forms: Vec<u32>,
    keys: Vec<u32>,
    counts: Vec<[u32; 2]>,
    /// The document's words the vocabulary did not have, with their place in `forms`.
    missed: FastMap<&'a str, u32>,
    /// The words this thread has taken in during the batch, with their forms and keys.
    added: FastMap<&'a str, (u32, u32)>,
}

impl<'a> Reader<'a> {
    /// Readies the reader for a batch: a slot for each form the vocabulary has now,
    /// and none of the last batch's new words, which the vocabulary has taken in.
    fn start(&mut self, known: &Vocabulary<'_>) {
        self.slots.resize(known.forms.len(), u32::MAX);
        self.added.clear();
    }

    /// Reads a document's words, spreading its postings to the shards: one per
    /// occurrence of a pair of adjacent words as it is read, then one per form. This
    /// is the part of indexing done in parallel: the lower-casing and folding are done
    /// once per distinct word of the site, in [`Vocabulary`]. `doc` is the document's
    /// place in its part of the batch.
    fn read(
        &mut self,
        doc: u32,
        record: &'a Record<'_>,
        known: &Vocabulary<'a>,
        added: &std::sync::Mutex<Added<'a>>,
        spread: &mut [Vec<Entry>],
    ) {
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
                let next = self.forms.len() as u32;
                let start = word.as_ptr() as usize - bytes.as_ptr() as usize;
                let w = match known.find(bytes, start, word) {
                    Some(f) => {
                        let slot = &mut self.slots[f as usize];
                        if *slot == u32::MAX {
                            *slot = next;
                            self.forms.push(f);
                            self.keys.push(known.forms[f as usize].1);
                            self.counts.push([0, 0]);
                        }
                        *slot
                    }
                    None => {
                        let w = *self.missed.entry(word).or_insert(next);
                        if w == next {
                            let (f, k) = match self.added.get(word) {
                                Some(found) => *found,
                                None => {
                                    let mut added = added.lock().unwrap_or_else(|e| e.into_inner());
                                    let found = known.add(&mut added, word);
                                    self.added.insert(word, found);
                                    found
                                }
                            };
                            self.forms.push(f);
                            self.keys.push(k);
                            self.counts.push([0, 0]);
                        }
                        w
                    }
                };
                self.counts[w as usize][field] += 1;
                if let (Some(p), true) = (previous, joined) {
                    let term = u64::from(self.keys[p as usize]) << KEY_BITS
                        | u64::from(self.keys[w as usize]);
                    spread[shard_of(term)].push(Entry::new(term, doc, one));
                }
                previous = Some(w);
            });
        }
        // Words written differently (`Một`, `một`) and new to the vocabulary may be
        // two entries of one form: the shard adds them up.
        for (f, [t, b]) in self.forms.iter().zip(&self.counts) {
            let term = FORM | u64::from(*f);
            spread[shard_of(term)].push(Entry::new(term, doc, weight(*t, *b)));
            if let Some(slot) = self.slots.get_mut(*f as usize) {
                *slot = u32::MAX;
            }
        }
        self.forms.clear();
        self.keys.clear();
        self.counts.clear();
        self.missed.clear();
    }
}

/// How postings are spread while they are gathered; each bucket of the index falls
/// in one shard (or, for a small index, one bucket holds several shards).
const SHARDS: usize = 256;

/// Documents read at a time, and by one thread in a row: small enough that the
/// postings a batch spreads are still in the processor's cache when the shards take
/// them (a megabyte or two), with parts enough to share among threads.
const BATCH: usize = 128;
const PART: usize = 16;
// An [`Entry`] has seven bits for the document's place in its part.
const _: () = assert!(PART <= 128 && BATCH.is_multiple_of(PART));

/// A term: a form (`FORM | form`) or a pair of keys (`first << KEY_BITS | second`), in
/// the 53 bits an [`Entry`] leaves it.
const FORM: u64 = 1 << (2 * KEY_BITS);
/// Keys are numbered in this many bits: 67 million distinct words.
const KEY_BITS: u32 = 26;
const KEY_MASK: u64 = (1 << KEY_BITS) - 1;

/// One posting of a term, on its way to its shard: the term, the document's place in
/// its part of the batch (below [`PART`]) and the weight, in eight bytes.
#[derive(Clone, Copy)]
struct Entry(u64);

impl Entry {
    fn new(term: u64, doc_in_part: u32, weight: u32) -> Self {
        Entry(term << 11 | u64::from(doc_in_part) << 4 | u64::from(weight))
    }

    fn term(self) -> u64 {
        self.0 >> 11
    }

    /// `doc * 16 + weight`, the part's first document given.
    fn posting(self, first: u32) -> u32 {
        first * 16 + (self.0 & 0x7ff) as u32
    }
}

/// The shard a term's postings are gathered in: any even spread will do, since the
/// buckets are made from all the shards.
fn shard_of(term: u64) -> usize {
    (term.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize % SHARDS
}

/// The terms of one shard, with the [`fnv1a`] hash that picks their bucket, and their
/// postings in document order.
#[derive(Default)]
struct Shard {
    ids: FastMap<u64, u32>,
    terms: Vec<(u64, u32)>,
    postings: Vec<Postings>,
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

    /// Each `delta * 16 + weight`, once the last posting is written ([`Postings::flush`]).
    fn deltas(&self) -> impl Iterator<Item = u32> + '_ {
        debug_assert_eq!(self.held, 0);
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

impl Shard {
    /// Adds a posting; `first` is the first document of the entry's part.
    fn add(&mut self, e: Entry, first: u32, vocabulary: &Vocabulary<'_>) {
        let term = e.term();
        let next = self.terms.len() as u32;
        let id = *self.ids.entry(term).or_insert(next);
        if id == next {
            self.terms.push((term, vocabulary.hash(term)));
            self.postings.push(Postings::default());
        }
        self.postings[id as usize].push(e.posting(first));
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
    let records = &records[..];
    let started = std::time::Instant::now();
    let mut vocabulary = Vocabulary::default();
    let mut shards: Vec<Shard> = (0..SHARDS).map(|_| Shard::default()).collect();
    // A batch of documents at a time: parts of the batch read their documents in
    // parallel and spread their postings to the shards, and the shards then take
    // them in parallel, part after part, in document order.
    let mut parts: Vec<Vec<Vec<Entry>>> = vec![vec![Vec::new(); SHARDS]; BATCH / PART];
    let mut readers: Vec<Reader<'_>> = (0..BATCH / PART).map(|_| Reader::default()).collect();
    for (n, batch) in records.chunks(BATCH).enumerate() {
        let known = &vocabulary;
        let added = std::sync::Mutex::new(Added::default());
        parts
            .par_iter_mut()
            .zip(readers.par_iter_mut())
            .zip(batch.par_chunks(PART))
            .for_each(|((spread, reader), records)| {
                spread.iter_mut().for_each(Vec::clear);
                reader.start(known);
                for (i, record) in records.iter().enumerate() {
                    reader.read(i as u32, record, known, &added, spread);
                }
            });
        vocabulary.take(added.into_inner().unwrap_or_else(|e| e.into_inner()));
        let known = &vocabulary;
        // The parts this batch filled (the last batch may fill fewer).
        let used = &parts[..batch.len().div_ceil(PART)];
        shards.par_iter_mut().enumerate().for_each(|(s, shard)| {
            for (p, part) in used.iter().enumerate() {
                let first = (n * BATCH + p * PART) as u32;
                part[s].iter().for_each(|e| shard.add(*e, first, known));
            }
        });
    }
    shards
        .par_iter_mut()
        .for_each(|shard| shard.postings.iter_mut().for_each(Postings::flush));
    log::debug!("search: postings gathered in {:.0?}", started.elapsed());
    let count: usize = shards
        .iter()
        .flat_map(|s| &s.postings)
        .map(|p| p.len as usize)
        .sum();
    let buckets = (count / POSTINGS_PER_BUCKET)
        .max(1)
        .next_power_of_two()
        .min(1 << 16);
    let mask = buckets as u32 - 1;
    // The terms of each bucket, by shard and number in the shard.
    let mut by_bucket: Vec<Vec<(u32, u32)>> = vec![Vec::new(); buckets];
    for (s, shard) in shards.iter().enumerate() {
        for (i, (_, hash)) in shard.terms.iter().enumerate() {
            by_bucket[(hash & mask) as usize].push((s as u32, i as u32));
        }
    }
    let documents = records.len();
    // Each file is handed over as soon as it is made: (path, size, kept).
    let made = |path: String, bytes: Vec<u8>| -> Result<(String, usize, T), E> {
        let (digest, size) = (crate::output::digest(&bytes), bytes.len());
        let kept = keep(&path, bytes, digest)?;
        Ok((path, size, kept))
    };
    let mut files: Vec<(String, usize, T)> = by_bucket
        .par_iter()
        .enumerate()
        .map(|(b, terms)| {
            made(
                format!("k/{b}.json"),
                bucket_json(&vocabulary, &shards, terms, documents),
            )
        })
        .collect::<Result<_, E>>()?;
    drop(shards);
    files.extend(
        records
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(n, chunk)| made(format!("d/{n}.json"), chunk_json(chunk)))
            .collect::<Result<Vec<_>, E>>()?,
    );
    files.push(made(
        "meta.json".into(),
        meta_json(records, units, facets, buckets),
    )?);
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

/// Writes a list of postings `doc * 16 + weight`: as an array of `delta * 16 + weight`
/// (the document's number minus the previous one's), or, for a word in at least one
/// document in [`DENSE`], as a string with one character per document, `0` where the
/// word is absent and `0` + weight where it is present, without the trailing `0`s.
fn push_postings(out: &mut Vec<u8>, postings: &Postings, documents: usize) {
    if postings.len as usize * DENSE >= documents {
        out.push(b'"');
        let mut doc = 0;
        for (i, n) in postings.deltas().enumerate() {
            let gap = (n >> 4) as usize - usize::from(i > 0);
            out.resize(out.len() + gap, b'0');
            out.push(b'0' + (n & 15) as u8);
            doc += (n >> 4) as usize;
        }
        debug_assert_eq!(doc, postings.last as usize);
        out.push(b'"');
        return;
    }
    out.push(b'[');
    let mut digits = itoa::Buffer::new();
    for (i, n) in postings.deltas().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(digits.format(n).as_bytes());
    }
    out.push(b']');
}

/// A bucket's postings, as JSON: `{"mot":{"một":[…],"mốt":[…]},"mot cua":[…]}`, keys
/// and forms in byte order, then pairs.
fn bucket_json(
    vocabulary: &Vocabulary<'_>,
    shards: &[Shard],
    terms: &[(u32, u32)],
    documents: usize,
) -> Vec<u8> {
    // (key, form, postings) and (first key, second key, postings).
    let mut forms: Vec<(&str, &str, &Postings)> = Vec::new();
    let mut pairs: Vec<(&str, &str, &Postings)> = Vec::new();
    for (s, i) in terms {
        let shard = &shards[*s as usize];
        let term = shard.terms[*i as usize].0;
        let postings = &shard.postings[*i as usize];
        if term & FORM != 0 {
            let (form, key) = &vocabulary.forms[(term & !FORM) as usize];
            forms.push((&vocabulary.keys[*key as usize].0, form, postings));
        } else {
            let first = &vocabulary.keys[(term >> KEY_BITS) as usize].0;
            let second = &vocabulary.keys[(term & KEY_MASK) as usize].0;
            pairs.push((first, second, postings));
        }
    }
    forms.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    pairs.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut out = vec![b'{'];
    let mut key = None;
    for (k, form, postings) in forms {
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
        push_postings(&mut out, postings, documents);
    }
    if key.is_some() {
        out.push(b'}');
    }
    for (a, b, postings) in pairs {
        if out.len() > 1 {
            out.push(b',');
        }
        push_json_string(&mut out, &format!("{a} {b}"));
        out.push(b':');
        push_postings(&mut out, postings, documents);
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
    fn words_new_in_any_batch_are_indexed_the_same_on_one_thread_or_many() {
        // Seven batches' worth: every document has a word of its own (its number), and
        // from document 300 on, in every part of every later batch, a place name the
        // earlier batches never saw, written in two cases; some words are longer than
        // the 16 bytes the vocabulary looks up as numbers.
        let records: Vec<Record<'static>> = (0..900)
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
        let count = |query: &str| super::super::query::search(&fetch, query, 1000).0.len();
        assert_eq!(count("dong hy"), 600);
        assert_eq!(count("Đồng Hỷ"), 600);
        assert_eq!(count("899"), 1);
        assert_eq!(count("nghiengnghiengnghieng"), 900);
        assert_eq!(count("chuyểnđổisốtoàndiện"), 900);
        // "một cửa" is a phrase in every document, twice: one posting each.
        let meta: serde_json::Value = serde_json::from_slice(&many["meta.json"]).unwrap();
        let buckets = meta["buckets"].as_u64().unwrap() as u32;
        let bucket: serde_json::Value =
            serde_json::from_slice(&many[&format!("k/{}.json", fnv1a("mot cua") & (buckets - 1))])
                .unwrap();
        let dense = bucket["mot cua"].as_str().unwrap();
        assert_eq!(dense.len(), 900);
        assert!(dense.bytes().all(|c| c == b'0' + weight(0, 2) as u8));
    }

    fn written(p: &Postings) -> Vec<u32> {
        p.deltas().collect()
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
