//! Vietnamese text conventions: NFC normalisation, slugs, collation, numbers and dates.
//!
//! Everything the portal shows or sorts goes through here so that the rules of the
//! language live in one place: `Đồng Hỷ` slugs to `dong-hy`, numbers read `12.798.780`
//! and `99,7%`, names sort as `a ă â b c d đ e ê …` and dates read `27/10/2020 16:10`.

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// The time zone every date of the portal is shown in.
pub const VIETNAM: Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// Returns `text` in Unicode NFC, borrowing when it already is.
pub fn nfc(text: &str) -> Cow<'_, str> {
    if stable_in_nfc(text.as_bytes()) {
        return Cow::Borrowed(text);
    }
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfc().collect()),
    }
}

/// Whether every character of a UTF-8 text is NFC whatever surrounds it (quick check
/// `Yes`, combining class 0): Latin up to the combining marks (U+0000–U+02FF),
/// precomposed Vietnamese letters (U+1E00–U+1EFF) and the punctuation Vietnamese text
/// uses (U+2010–U+206F). Told from the bytes without decoding or the normalisation
/// tables: since the text is valid UTF-8, each byte is judged with the two after it,
/// in a loop without branches that the compiler turns into vector instructions.
fn stable_in_nfc(bytes: &[u8]) -> bool {
    // A lead byte of anything else: U+0300–U+07FF (`CC`–`DF`), U+0800–U+0FFF (`E0`),
    // U+3000 and above (`E3`–`F4`).
    let other_lead = |x: u8| (0xcc..=0xe0).contains(&x) | (x >= 0xe3);
    // The last two bytes can only end a character or be one, or lead a two-byte one.
    let n = bytes.len();
    let last_two = n.saturating_sub(2);
    if bytes[last_two..]
        .iter()
        .any(|&x| other_lead(x) | (0xe1..=0xe2).contains(&x))
    {
        return false;
    }
    let mut bad = false;
    for ((&x, &y), &z) in bytes[..last_two]
        .iter()
        .zip(&bytes[1.min(n)..])
        .zip(&bytes[2.min(n)..])
    {
        // U+1E00–U+1EFF is `E1 B8`–`E1 BB`.
        let e1 = (x == 0xe1) & !(0xb8..=0xbb).contains(&y);
        // U+2010–U+203F is `E2 80 90`–`E2 80 BF`, U+2040–U+206F `E2 81 80`–`E2 81 AF`.
        let e2 = (x == 0xe2) & !((y == 0x80) & (z >= 0x90) | (y == 0x81) & (z <= 0xaf));
        bad |= other_lead(x) | e1 | e2;
    }
    !bad
}

/// Tone marks, in the traditional order: huyền, hỏi, ngã, sắc, nặng.
const TONES: [char; 5] = ['\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}'];

/// Strips tones and letter marks: `Đồng Hỷ` → `Dong Hy`.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}')
}

/// One word of a text as search sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchWord {
    /// Lower case, NFC: `đồng`.
    pub exact: String,
    /// Tones, letter marks and `đ` folded away: `dong`. The index is keyed by it.
    pub key: String,
    /// Only spaces separate this word from the one before (a phrase can span them);
    /// punctuation, a new line (the end of a block) or the start of the text make it
    /// `false`.
    pub joined: bool,
}

/// Words longer than this (hashes, encoded data) are left out of the index.
const LONGEST_WORD: usize = 40;

/// Splits `text` into search words: runs of letters and digits, in any normal form,
/// lower-cased and folded (`Đồng Hỷ, một` → `đồng`/`dong`, `hỷ`/`hy`, `một`/`mot`).
pub fn search_words(text: &str) -> Vec<SearchWord> {
    let lowered = search_text(text);
    let mut words = Vec::new();
    for_each_word(&lowered, |exact, joined| {
        words.push(SearchWord {
            exact: exact.to_owned(),
            key: search_key(exact),
            joined,
        })
    });
    words
}

/// `text` in NFC and lower case, ready for [`for_each_word`].
pub fn search_text(text: &str) -> String {
    nfc(text).to_lowercase()
}

/// Calls `f(word, joined)` for each word of a text made by [`search_text`], without
/// copying: what [`search_words`] returns, for the indexer's inner loop.
///
/// The text is read 64 bytes at a time: a block whose characters are all ASCII or
/// among the letters [`class_at`] tells from their bytes is classified by a loop the
/// compiler turns into vector instructions ([`Block`]), and its words found from bit
/// masks; any other block, and the end of the text, a character at a time.
pub fn for_each_word<'a>(lowered: &'a str, mut f: impl FnMut(&'a str, bool)) {
    let bytes = lowered.as_bytes();
    let mut scan = Scan {
        text: lowered,
        start: None,
        joined: false,
    };
    let mut i = 0;
    // The block's masks look at the byte after it.
    while i + Block::LEN < bytes.len() {
        match Block::read(bytes, i) {
            Some(block) => {
                scan.block(i, &block, &mut f);
                i += Block::LEN;
            }
            None => i = scan.chars(i, i + Block::LEN, &mut f),
        }
    }
    scan.chars(i, bytes.len(), &mut f);
    scan.end(bytes.len(), &mut f);
}

/// Where [`for_each_word`] is: in a word since `start`, or between words, and whether
/// the next word to end is joined to the one before.
struct Scan<'a> {
    text: &'a str,
    start: Option<usize>,
    joined: bool,
}

impl<'a> Scan<'a> {
    /// Reads the characters from byte `i` until byte `until` or just past it; returns
    /// where it stopped. Bytes that continue a character of a [`Block`] are part of its
    /// word.
    fn chars(&mut self, mut i: usize, until: usize, f: &mut impl FnMut(&'a str, bool)) -> usize {
        let bytes = self.text.as_bytes();
        while i < until && bytes[i] & 0xc0 == 0x80 {
            i += 1;
        }
        while i < until {
            let (len, class) = class_at(self.text, i);
            match class {
                Class::Word => {
                    self.start.get_or_insert(i);
                }
                Class::Space => self.end(i, f),
                Class::Break => {
                    self.end(i, f);
                    self.joined = false;
                }
            }
            i += len;
        }
        i
    }

    /// Ends the word being read, if any, at byte `end`.
    #[inline]
    fn end(&mut self, end: usize, f: &mut impl FnMut(&'a str, bool)) {
        if let Some(start) = self.start.take() {
            emit_word(&self.text[start..end], self.joined, f);
            self.joined = true;
        }
    }

    /// Reads the block at byte `at`, from its masks.
    #[inline]
    fn block(&mut self, at: usize, block: &Block, f: &mut impl FnMut(&'a str, bool)) {
        let mut bit = 0;
        while bit < 64 {
            if self.start.is_some() {
                let rest = !block.word >> bit;
                if rest == 0 {
                    return;
                }
                bit += rest.trailing_zeros();
                self.end(at + bit as usize, f);
            } else {
                let rest = block.word >> bit;
                let next = if rest == 0 {
                    64
                } else {
                    bit + rest.trailing_zeros()
                };
                // A break between the words.
                if block.breaks >> bit & low_bits(next - bit) != 0 {
                    self.joined = false;
                }
                if next == 64 {
                    return;
                }
                self.start = Some(at + next as usize);
                bit = next;
            }
        }
    }
}

/// The classes of 64 bytes of text, one bit per byte.
struct Block {
    /// Bytes of word characters.
    word: u64,
    /// Bytes of characters of [`Class::Break`].
    breaks: u64,
}

impl Block {
    const LEN: usize = 64;

    /// The block at byte `at` (with a byte after it), unless it holds a character other
    /// than ASCII and the letters [`class_at`] tells from their bytes. It may start
    /// within a letter of the block before.
    #[inline]
    fn read(bytes: &[u8], at: usize) -> Option<Block> {
        let block: &[u8; 64] = bytes[at..at + 64].try_into().ok()?;
        let next = bytes[at + 64];
        let mut word = [0u8; 64];
        let mut space = [0u8; 64];
        let mut other = [0u8; 64];
        let mut c3 = [0u8; 64];
        let mut e1 = [0u8; 64];
        let mut sign = [0u8; 64];
        let mut vietnamese = [0u8; 64];
        for i in 0..64 {
            let b = block[i];
            let alphanumeric = (b.wrapping_sub(b'0') < 10) | ((b | 0x20).wrapping_sub(b'a') < 26);
            word[i] = flag(alphanumeric | (b >= 0x80));
            space[i] = flag((b == b' ') | ((b.wrapping_sub(b'\t') < 5) & (b != b'\n')));
            // Lead bytes of characters other than U+00C0–U+024F and U+1xxx.
            other[i] = flag((b >= 0xc0) & (b.wrapping_sub(0xc3) > 5) & (b != 0xe1));
            c3[i] = flag(b == 0xc3);
            e1[i] = flag(b == 0xe1);
            // The second bytes of × and ÷, and of U+1E80–U+1EFF.
            sign[i] = flag(b & 0xdf == 0x97);
            vietnamese[i] = flag(b & 0xfe == 0xba);
        }
        let followed = |mask: u64, by_next: bool| mask >> 1 | u64::from(by_next) << 63;
        let odd = pack(&other)
            | pack(&c3) & followed(pack(&sign), next & 0xdf == 0x97)
            | pack(&e1) & !followed(pack(&vietnamese), next & 0xfe == 0xba);
        let word = pack(&word);
        (odd == 0).then(|| Block {
            word,
            breaks: !word & !pack(&space),
        })
    }
}

/// `0xff` for `true`, `0` for `false`.
#[inline]
fn flag(b: bool) -> u8 {
    0u8.wrapping_sub(u8::from(b))
}

/// The top bits of 64 bytes, as a mask.
#[inline]
fn pack(flags: &[u8; 64]) -> u64 {
    let mut mask = 0;
    for (j, eight) in flags.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(eight.try_into().unwrap_or_default()) & 0x8080_8080_8080_8080;
        mask |= (x.wrapping_mul(0x0002_0408_1020_4081) >> 56) << (8 * j);
    }
    mask
}

/// A mask of the `n` lowest bits.
#[inline]
fn low_bits(n: u32) -> u64 {
    u64::MAX.checked_shr(64 - n).unwrap_or(0)
}

#[inline]
fn emit_word<'a>(word: &'a str, joined: bool, f: &mut impl FnMut(&'a str, bool)) {
    if word.len() <= LONGEST_WORD || word.chars().count() <= LONGEST_WORD {
        f(word, joined);
    }
}

/// What a character is to [`for_each_word`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Part of a word ([`is_word_char`]).
    Word,
    /// White space other than a new line: the words either side can form a phrase.
    Space,
    /// A new line or punctuation: they cannot.
    Break,
}

/// The class of each ASCII character.
const ASCII_CLASS: [Class; 128] = {
    let mut table = [Class::Break; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphanumeric() {
            Class::Word
        } else if c.is_ascii_whitespace() && c != b'\n' || c == 0x0b {
            Class::Space
        } else {
            Class::Break
        };
        b += 1;
    }
    table
};

/// The length and class of the character at byte `i` of `text`. ASCII and the
/// two- and three-byte sequences of Vietnamese letters are told from their bytes;
/// anything else is decoded.
#[inline]
fn class_at(text: &str, i: usize) -> (usize, Class) {
    let bytes = text.as_bytes();
    let b = bytes[i];
    match b {
        0..=0x7f => (1, ASCII_CLASS[b as usize]),
        // U+00C0–U+00FF, but for × and ÷.
        0xc3 if !matches!(bytes[i + 1], 0x97 | 0xb7) => (2, Class::Word),
        // U+0100–U+023F.
        0xc4..=0xc8 => (2, Class::Word),
        // U+1E80–U+1EFF: the precomposed Vietnamese letters.
        0xe1 if matches!(bytes[i + 1], 0xba | 0xbb) => (3, Class::Word),
        _ => {
            let c = text[i..].chars().next().unwrap_or(' ');
            let class = if is_word_char(c) {
                Class::Word
            } else if c.is_whitespace() && c != '\n' {
                Class::Space
            } else {
                Class::Break
            };
            (c.len_utf8(), class)
        }
    }
}

/// Letters, digits and combining marks; Vietnamese letters without a table lookup.
fn is_word_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => true,
        '\u{0}'..='\u{7f}' | '×' | '÷' => false,
        '\u{c0}'..='\u{24f}' | '\u{1ea0}'..='\u{1ef9}' => true,
        _ => c.is_alphanumeric() || is_combining_mark(c),
    }
}

/// The key of a lower-case word: tones, letter marks and `đ` folded (`đường` → `duong`).
pub fn search_key(word: &str) -> String {
    if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        fold(word).to_lowercase()
    }
}

/// A URL slug: tones stripped, `đ` as `d`, lower case, words joined by `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    let mut take = |c: char| {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    };
    // As `fold(text)` lower-cased, one character at a time: a letter's marks follow it
    // in its decomposition and are dropped wherever they would be reordered to.
    for c in text.chars() {
        if c.is_ascii() {
            take(c);
        } else {
            unicode_normalization::char::decompose_canonical(c, |d| match d {
                'đ' | 'Đ' => take('d'),
                d if is_combining_mark(d) => {}
                d => d.to_lowercase().for_each(&mut take),
            });
        }
    }
    slug
}

/// The Vietnamese alphabet, in dictionary order.
const ALPHABET: &[&str] = &[
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
    "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
];

/// A key that sorts strings in Vietnamese dictionary order: letters first (with `ă`, `â`,
/// `đ`, `ê`, `ô`, `ơ`, `ư` as letters of their own), then tones, then the text itself.
pub fn collation_key(text: &str) -> (Vec<u32>, Vec<u8>, String) {
    let mut letters = Vec::with_capacity(text.len());
    let mut tones = Vec::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let mut base = String::new();
        let mut tone = 0u8;
        for d in c.to_string().nfd() {
            match TONES.iter().position(|t| *t == d) {
                Some(i) => tone = i as u8 + 1,
                None => base.push(d),
            }
        }
        let base: String = base.nfc().collect();
        let rank = match ALPHABET.iter().position(|l| *l == base) {
            Some(i) => 0x1000 + i as u32,
            None if c.is_ascii_digit() => 0x800 + c as u32,
            None if c.is_alphanumeric() => 0x2000 + c as u32,
            None => c as u32,
        };
        letters.push(rank);
        tones.push(tone);
    }
    (letters, tones, text.to_owned())
}

/// Compares two strings in Vietnamese dictionary order.
pub fn collate(a: &str, b: &str) -> Ordering {
    collation_key(a).cmp(&collation_key(b))
}

/// An integer with `.` between thousands: `12798780` → `12.798.780`.
pub fn format_int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

/// A number with `.` between thousands and `,` before at most `decimals` decimals,
/// trailing zeros dropped: `5100.0` → `5.100`, `99.66` → `99,7` (one decimal).
pub fn format_number(x: f64, decimals: usize) -> String {
    let factor = 10f64.powi(decimals as i32);
    let rounded = (x * factor).round() / factor;
    let whole = rounded.trunc();
    let mut out = format_int(whole as i64);
    if rounded < 0.0 && whole == 0.0 {
        out.insert(0, '-');
    }
    let frac = format!("{:.*}", decimals, (rounded - whole).abs());
    let frac = frac.trim_start_matches('0').trim_start_matches('.');
    let frac = frac.trim_end_matches('0');
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// A percentage with one decimal: `99.66` → `99,7%`.
pub fn format_percent(x: f64) -> String {
    format!("{}%", format_number(x, 1))
}

/// A date and time as Vietnamese readers write it, in Vietnam's time zone: `27/10/2020 16:10`.
pub fn format_datetime(date: &DateTime<FixedOffset>) -> String {
    date.with_timezone(&VIETNAM)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// A date alone: `27/10/2020`.
pub fn format_date(date: &DateTime<FixedOffset>) -> String {
    date.with_timezone(&VIETNAM).format("%d/%m/%Y").to_string()
}

/// Escapes text for HTML and XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The first `max` characters of `text` cut at a word boundary, with `…` when cut.
pub fn truncate_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) => &cut[..i],
        None => &cut,
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_strip_tones_and_map_d() {
        assert_eq!(slugify("Đồng Hỷ"), "dong-hy");
        assert_eq!(slugify("  Tiêu đề có dấu!  "), "tieu-de-co-dau");
        assert_eq!(
            slugify("Chữ ký số: 100% lãnh đạo"),
            "chu-ky-so-100-lanh-dao"
        );
        assert_eq!(slugify("Ư Ơ Ă Â Ê Ô"), "u-o-a-a-e-o");
    }

    #[test]
    fn slugs_are_made_as_from_the_whole_folded_text() {
        // The definition: fold the whole text, lower-case it, keep ASCII letters and
        // digits, one `-` for each run of anything else.
        let reference = |text: &str| -> String {
            let folded: String = fold(text).chars().flat_map(char::to_lowercase).collect();
            folded
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join("-")
        };
        let mut texts: Vec<String> = (0..0x3000u32)
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}b {c}"))
            .collect();
        texts.extend(
            [
                "Đồng Hỷ",
                "Xã Hóa Thượng – 2024",
                "İstanbul Ångström ǅ",
                "Nghị quyết số 12/NQ-HĐND",
                "  --  ",
                "",
            ]
            .map(String::from),
        );
        texts.push("Hóa Thượng".nfd().collect());
        for text in &texts {
            assert_eq!(slugify(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn nfd_input_becomes_nfc() {
        let nfd: String = "Hóa Thượng".nfd().collect();
        assert_ne!(nfd, "Hóa Thượng");
        assert_eq!(nfc(&nfd), "Hóa Thượng");
        assert_eq!(slugify(&nfd), "hoa-thuong");
    }

    #[test]
    fn characters_taken_as_nfc_without_the_tables_are() {
        let mut buf = [0u8; 4];
        for c in ('\0'..=char::MAX).filter(|c| stable_in_nfc(c.encode_utf8(&mut buf).as_bytes())) {
            assert!(
                matches!(c, '\0'..='\u{2ff}' | '\u{1e00}'..='\u{1eff}' | '\u{2010}'..='\u{206f}'),
                "{c:?}"
            );
            assert_eq!(
                unicode_normalization::char::canonical_combining_class(c),
                0,
                "{c:?}"
            );
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
        }
        // Every character of those ranges is taken, alone and among others, wherever
        // it falls in the text.
        let taken: String = ('\0'..='\u{2ff}')
            .chain('\u{1e00}'..='\u{1eff}')
            .chain('\u{2010}'..='\u{206f}')
            .collect();
        for c in taken.chars() {
            assert!(stable_in_nfc(c.encode_utf8(&mut buf).as_bytes()), "{c:?}");
        }
        for shift in 0..8 {
            let text = format!("{}{taken}", "a".repeat(shift));
            assert!(stable_in_nfc(text.as_bytes()));
            let text = format!("{}Đồng Hỷ a\u{301}", "a".repeat(shift));
            assert!(!stable_in_nfc(text.as_bytes()));
        }
        // A precomposed letter followed by a lone tone mark is not NFC.
        assert_eq!(nfc("a\u{301}"), "á");
        assert_eq!(nfc("Hỷ\u{323}"), "Hỷ\u{323}".nfc().collect::<String>());
    }

    #[test]
    fn search_words_fold_tones_and_d_in_any_normal_form() {
        let words = search_words("Đồng Hỷ, chữ ký số");
        let keys: Vec<&str> = words.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(keys, ["dong", "hy", "chu", "ky", "so"]);
        assert_eq!(words[0].exact, "đồng");
        assert_eq!(words[2].exact, "chữ");
        // NFD input gives the same words as NFC.
        let nfd: String = "Đồng Hỷ, chữ ký số".nfd().collect();
        assert_eq!(search_words(&nfd), words);
        // Upper-case and decomposed Đ fold to d; Ư, Ơ, Ă, Â, Ê, Ô lose their marks.
        assert_eq!(search_key("đường"), "duong");
        assert_eq!(search_key(&"ĐƯỜNG".to_lowercase()), "duong");
        assert_eq!(search_words("ĂÂÊÔƠƯ")[0].key, "aaeoou");
    }

    #[test]
    fn characters_told_from_their_bytes_are_classed_as_when_decoded() {
        for c in '\0'..='\u{ffff}' {
            let expected = if is_word_char(c) {
                Class::Word
            } else if c.is_whitespace() && c != '\n' {
                Class::Space
            } else {
                Class::Break
            };
            let text = format!("{c}a");
            assert!(class_at(&text, 0) == (c.len_utf8(), expected), "{c:?}");
        }
    }

    /// The words of `text` read a character at a time, as [`for_each_word`] reads
    /// the blocks it cannot classify from their bytes.
    fn words_char_by_char(text: &str) -> Vec<(&str, bool)> {
        let mut words = Vec::new();
        let mut f = |w, joined| words.push((w, joined));
        let mut scan = Scan {
            text,
            start: None,
            joined: false,
        };
        scan.chars(0, text.len(), &mut f);
        scan.end(text.len(), &mut f);
        words
    }

    #[test]
    fn words_are_found_alike_a_block_or_a_character_at_a_time() {
        // Letters told from their bytes, others decoded (× ÷, NBSP, quotes, a dash, a
        // combining mark, a letter of four bytes), spaces, new lines and punctuation,
        // in random texts of every length around the blocks' 64 bytes, so that any of
        // them falls across a block's end.
        let pieces = [
            "một", "cửa", "Đồng", "Hỷ", "ĐỒNG", "xã", "ơi", "a", "Z", "9", "2026", "ǎ", "×", "÷",
            "\u{a0}", "“", "”", "–", "\u{301}", "𝒜", "ω", " ", " ", " ", "\n", "\t", ".", ",", "-",
            "(", "\u{b}", "\u{1680}",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..3000 {
            let mut text = String::new();
            let target = next(300);
            while text.len() < target {
                // Mostly Vietnamese words and spaces, as in an article.
                let piece = if next(4) == 0 {
                    pieces[next(pieces.len())]
                } else {
                    pieces[next(7)]
                };
                text.push_str(piece);
                if next(3) > 0 {
                    text.push(' ');
                }
            }
            let mut words = Vec::new();
            for_each_word(&text, |w, joined| words.push((w, joined)));
            assert_eq!(words, words_char_by_char(&text), "{text:?}");
        }
        let long = format!("{} một cửa {}", "ư".repeat(41), "a".repeat(200));
        let mut words = Vec::new();
        for_each_word(&long, |w, joined| words.push((w, joined)));
        assert_eq!(words, [("một", true), ("cửa", true)]);
    }

    #[test]
    fn punctuation_breaks_phrases() {
        let words = search_words("Bộ phận một cửa. Một, cửa hàng");
        let joined: Vec<bool> = words.iter().map(|w| w.joined).collect();
        assert_eq!(joined, [false, true, true, true, false, false, true]);
        assert!(search_words(&"x".repeat(41)).is_empty());
    }

    #[test]
    fn numbers_in_vietnamese_format() {
        assert_eq!(format_int(12_798_780), "12.798.780");
        assert_eq!(format_int(5100), "5.100");
        assert_eq!(format_int(999), "999");
        assert_eq!(format_int(-1000), "-1.000");
        assert_eq!(format_percent(99.66), "99,7%");
        assert_eq!(format_percent(100.0), "100%");
        assert_eq!(format_number(5100.0, 2), "5.100");
        assert_eq!(format_number(1234.5, 2), "1.234,5");
    }

    #[test]
    fn vietnamese_collation() {
        let mut names = vec![
            "Đức", "Dũng", "Ân", "An", "Bình", "Ánh", "Ơn", "Ông", "Oanh",
        ];
        names.sort_by(|a, b| collate(a, b));
        assert_eq!(
            names,
            ["An", "Ánh", "Ân", "Bình", "Dũng", "Đức", "Oanh", "Ông", "Ơn"]
        );
        let mut tones = vec!["má", "mạ", "ma", "mà", "mã", "mả"];
        tones.sort_by(|a, b| collate(a, b));
        assert_eq!(tones, ["ma", "mà", "mả", "mã", "má", "mạ"]);
    }

    #[test]
    fn dates_in_vietnam_time() {
        let d = DateTime::parse_from_rfc3339("2020-10-27T09:10:00Z").unwrap();
        assert_eq!(format_datetime(&d), "27/10/2020 16:10");
        assert_eq!(format_date(&d), "27/10/2020");
    }
}
