//! Shared text helpers: the gazetteer, word lists, a small tokenizer and sentence bounds.
//!
//! Sentence bounds have one definition, [`sentence_break`]; every extractor that needs a
//! sentence (entities, countries through them, quotes, amounts, dates) asks [`Sentences`] or
//! the bounded scans built on it, so no two of them can disagree on where a sentence ends.

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// What a gazetteer name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GazKind {
    Country,
    Demonym,
    Region,
    Capital,
    /// A city of 100,000 people or more.
    City,
    /// A smaller town (GeoNames cities5000): a place only where the text says so (see
    /// [`Gazetteer::get_any`]); [`Gazetteer::get`] does not return it.
    Town,
    /// A region of the world with no single country (Central Asia, the Middle East).
    Macro,
}

#[derive(Clone, Debug)]
pub struct GazEntry {
    pub name: &'static str,
    pub kind: GazKind,
    /// ISO 3166-1 alpha-2, empty for [`GazKind::Macro`].
    pub cc: &'static str,
    /// A region that is also a city of the same name ("Almaty"): "Almaty Region" is then a
    /// place of its own.
    pub also_city: bool,
    /// Other countries with a place of this name, most important first, each with the order
    /// of magnitude of its importance, after that of the first (`"~7 +CA:5 +US:4"`), for
    /// [`GazEntry::countries`] and [`GazEntry::alternatives`].
    pub others: &'static str,
}

impl GazEntry {
    /// The countries this name may stand for: `cc` first, then the others.
    pub fn countries(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.cc).chain(self.alternatives().map(|(c, _)| c))
    }

    /// The other countries with a place of this name and the order of magnitude of each
    /// place's importance (log10 of its population; a capital ten times, a region 200,000).
    pub fn alternatives(&self) -> impl Iterator<Item = (&'static str, u8)> {
        self.others.split(' ').filter_map(|f| {
            let (c, m) = f.strip_prefix('+')?.split_once(':')?;
            (c.len() == 2).then(|| (c, m.parse().unwrap_or(0)))
        })
    }

    /// The order of magnitude of the importance of the first country's place (on a name
    /// with [`alternatives`](Self::alternatives); 9 for a country or a demonym).
    pub fn magnitude(&self) -> u8 {
        match self.kind {
            GazKind::Country | GazKind::Demonym => 9,
            _ => self
                .others
                .split(' ')
                .find_map(|f| f.strip_prefix('~')?.parse().ok())
                .unwrap_or(match self.kind {
                    GazKind::Capital => 6,
                    GazKind::Region | GazKind::City => 5,
                    _ => 4,
                }),
        }
    }
}

/// Names of places and demonyms with their countries (`data/gazetteer.tsv`, see the README).
pub struct Gazetteer {
    ac: AhoCorasick,
    /// The entry of each pattern of `ac`.
    ac_idx: Vec<u32>,
    entries: Vec<GazEntry>,
    by_name: HashMap<&'static str, usize, Fx>,
    /// The length in bytes of the longest name.
    longest: usize,
}

const MACRO: &[&str] = &[
    "Central Asia",
    "South Asia",
    "East Asia",
    "Southeast Asia",
    "Asia",
    "Europe",
    "Eastern Europe",
    "Western Europe",
    "Africa",
    "North Africa",
    "Sub-Saharan Africa",
    "Middle East",
    "Caucasus",
    "South Caucasus",
    "Latin America",
    "North America",
    "South America",
    "Central America",
    "Eurasia",
    "Balkans",
    "Scandinavia",
    "Arctic",
    "Antarctica",
    "Pacific",
    "Atlantic",
    "Persian Gulf",
    "Gulf",
    "Caspian",
    "Caspian Sea",
    "Black Sea",
    "Baltic",
    "Siberia",
    "Sahel",
    "Oceania",
    "Horn of Africa",
    "Indo-Pacific",
    "Eastern Mediterranean",
    "Mediterranean",
];

static DATA: &str = include_str!("../data/gazetteer.tsv");
/// Short English names of countries (`data/gazetteer_short_names.tsv`, kept by hand): a row
/// there replaces the generated row of that name ("Korea" alone is South Korea in English
/// news), or adds one ("Britain", "America").
static SHORT_NAMES: &str = include_str!("../data/gazetteer_short_names.tsv");

pub static GAZ: LazyLock<Gazetteer> = LazyLock::new(|| {
    let mut entries = Vec::with_capacity(110_000);
    let short: Vec<&str> = SHORT_NAMES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').nth(1))
        .collect();
    let generated = DATA.lines().filter(|l| {
        l.split('\t')
            .nth(1)
            .is_none_or(|name| !short.contains(&name))
    });
    let overlay = SHORT_NAMES.lines().filter(|l| !l.starts_with('#'));
    for line in generated.chain(overlay) {
        let mut f = line.split('\t');
        let (Some(k), Some(name), Some(cc)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let kind = match k {
            "C" => GazKind::Country,
            "D" => GazKind::Demonym,
            "R" => GazKind::Region,
            "P" => GazKind::Capital,
            "T" => GazKind::City,
            "S" => GazKind::Town,
            _ => continue,
        };
        if MACRO.contains(&name) {
            continue; // "Gulf" is the region of the world, not Papua New Guinea's province
        }
        let flags = f.next().unwrap_or("");
        let also_city = flags.starts_with("city");
        let others = flags.trim_start_matches("city").trim_start();
        entries.push(GazEntry {
            name,
            kind,
            cc,
            also_city,
            others,
        });
    }
    for m in MACRO {
        entries.push(GazEntry {
            name: m,
            kind: GazKind::Macro,
            cc: "",
            also_city: false,
            others: "",
        });
    }
    let mut by_name = HashMap::with_capacity_and_hasher(entries.len(), Fx::default());
    for (i, e) in entries.iter().enumerate() {
        by_name.insert(e.name, i);
    }
    // the automaton finds every name but the towns (a town is a place only in context, which
    // the entity rules judge; 80,000 fewer patterns build and scan several times faster),
    // except towns with a lower-case word inside ("Abreu e Lima"), which runs must not split
    let ac_idx: Vec<u32> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.kind != GazKind::Town
                || e.name
                    .split(' ')
                    .skip(1)
                    .any(|w| w.starts_with(|c: char| c.is_lowercase()))
        })
        .map(|(i, _)| i as u32)
        .collect();
    let ac = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(ac_idx.iter().map(|&i| entries[i as usize].name))
        .expect("gazetteer automaton builds");
    let longest = entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
    Gazetteer {
        ac,
        ac_idx,
        entries,
        by_name,
        longest,
    }
});

impl Gazetteer {
    /// The entry for exactly this name, not a [`GazKind::Town`] (a town named like a
    /// surname or a word is a place only in a place's context).
    pub fn get(&self, name: &str) -> Option<&GazEntry> {
        self.get_any(name).filter(|e| e.kind != GazKind::Town)
    }

    /// The entry for exactly this name, towns included. A string longer than the longest name
    /// is not hashed at all (the entity rules look up whole runs of words).
    pub fn get_any(&self, name: &str) -> Option<&GazEntry> {
        if name.len() > self.longest {
            return None;
        }
        self.by_name.get(name).map(|&i| &self.entries[i])
    }

    /// Same as [`get`](Self::get), also accepting a plural demonym ("Uzbeks").
    pub fn get_word(&self, w: &str) -> Option<&GazEntry> {
        self.get(w).or_else(|| {
            let e = self.get(w.strip_suffix('s')?)?;
            (e.kind == GazKind::Demonym).then_some(e)
        })
    }

    /// Whole-word occurrences in `text`: (start, end, entry). A demonym may take a plural `s`.
    /// Towns are left out (but for those with a lower-case word inside, "Abreu e Lima"): a town
    /// is a place only where the text says so, which the entity rules judge.
    pub fn find_iter<'t>(
        &'static self,
        text: &'t str,
    ) -> impl Iterator<Item = (usize, usize, &'static GazEntry)> + 't {
        let b = text.as_bytes();
        self.ac.find_iter(text).filter_map(move |m| {
            let e = &self.entries[self.ac_idx[m.pattern().as_usize()] as usize];
            if !boundary_before(text, m.start()) {
                return None;
            }
            let mut end = m.end();
            if e.kind == GazKind::Demonym && b.get(end) == Some(&b's') {
                end += 1;
            }
            // "US$31.5 billion", "HK$": a currency, not a place
            (boundary_after(text, end) && b.get(end) != Some(&b'$')).then_some((m.start(), end, e))
        })
    }
}

/// Consonant skeleton of a name, for matching transliteration variants of places: accents
/// dropped, lower case, `kh`/`x`/`q` → `k`, `sh` → `s`, `zh`/`dzh` → `j`, `w` → `v`, other `h`
/// and vowels (with `y`) dropped, doubled letters collapsed. "Kashkadarya" and "Qashqadaryo"
/// are both `kskdr`; "Khorezm" and "Xorazm" both `krzm`. (`data/gen_gazetteer.py` has the
/// same rules.)
pub fn skeleton(s: &str) -> String {
    let mut st = s.chars().filter_map(|c| {
        let c = fold_diacritic(c);
        Some(match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' => c,
            c if c.is_alphabetic() => c.to_lowercase().next().unwrap_or(c),
            _ => return None,
        })
    });
    let mut out = String::with_capacity(s.len());
    let mut win = [st.next(), st.next(), st.next()];
    while let Some(c0) = win[0] {
        let (c, step) = match (c0, win[1], win[2]) {
            ('d', Some('z'), Some('h')) => ('j', 3),
            ('z', Some('h'), _) => ('j', 2),
            ('k' | 's' | 'c' | 'g', Some('h'), _) => (c0, 2),
            ('x' | 'q', _, _) => ('k', 1),
            ('w', _, _) => ('v', 1),
            (c, _, _) => (c, 1),
        };
        for _ in 0..step {
            win = [win[1], win[2], st.next()];
        }
        if matches!(c, 'h' | 'a' | 'e' | 'i' | 'o' | 'u' | 'y') || out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Countries of the regions and cities (not towns: too many short skeletons) by consonant
/// skeleton (at least three consonants).
static BY_SKELETON: LazyLock<HashMap<String, Vec<&'static str>, Fx>> = LazyLock::new(|| {
    let mut m: HashMap<String, Vec<&'static str>, Fx> = HashMap::default();
    for e in &GAZ.entries {
        if !matches!(e.kind, GazKind::Region | GazKind::City | GazKind::Capital) {
            continue;
        }
        let k = skeleton(e.name);
        if k.len() < 3 {
            continue;
        }
        let v = m.entry(k).or_default();
        if !v.contains(&e.cc) {
            v.push(e.cc);
        }
    }
    m
});

/// The countries of places known under another spelling of `name` ("Kashkadarya" → UZ via
/// "Qashqadaryo"); empty when the name has fewer than three consonants or matches nothing.
pub fn countries_by_skeleton(name: &str) -> &'static [&'static str] {
    let k = skeleton(name);
    if k.len() < 3 {
        return &[];
    }
    BY_SKELETON.get(&k).map_or(&[], Vec::as_slice)
}

/// `text[a..b]`, or `""` when that is no valid range of `text` (`a > b`, past the end, or off a
/// char boundary): offsets computed from hostile input must never make an extractor panic.
/// The crate's one way to slice text (`clippy::string_slice` is denied in it).
pub fn sub(text: &str, a: usize, b: usize) -> &str {
    text.get(a..b).unwrap_or("")
}

pub fn boundary_before(text: &str, i: usize) -> bool {
    text.get(..i)
        .unwrap_or("")
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

pub fn boundary_after(text: &str, i: usize) -> bool {
    text.get(i..)
        .unwrap_or("")
        .chars()
        .next()
        .is_none_or(|c| !c.is_alphanumeric())
}

/// Common English function words (lower case).
pub static STOPWORDS: LazyLock<std::collections::HashSet<&'static str, Fx>> = LazyLock::new(|| {
    "a about above across after again against all almost also although always am among an and
    another any are around as at be became because become been before being below between both
    but by can could did do does doing down during each either else even ever every few for from
    further had has have having he her here hers herself him himself his how however i if in into
    is it its itself just least less like many may me might more most much must my myself neither
    never no nor not now of off on once one only onto or other others our ours ourselves out over
    own per perhaps rather same several she should since so some such than that the their theirs
    them themselves then there these they this those though through thus to too toward towards
    under until up upon us very via was we well were what whatever when where whether which while
    who whom whose why will with within without would yet you your yours yourself yourselves
    according said says say told tells added adds noted also new will would could last next
    still already yesterday today tomorrow mr mrs ms dr week month year years months weeks days day
    monday tuesday wednesday thursday friday saturday sunday january february march april june
    july august september october november december two three four five six seven eight nine ten
    first second third meanwhile however despite instead later earlier now then
    nobody everybody everyone someone somebody anyone anybody nothing everything something"
        .split_whitespace()
        .collect()
});

pub fn is_stopword(w: &str) -> bool {
    word_key(w).is_some_and(is_stopword_key)
}

/// [`is_stopword`] of the word whose [`word_key`] is `k`.
pub(crate) fn is_stopword_key(k: u128) -> bool {
    STOPWORD_KEYS.contains(&k)
}

/// A word of up to 15 ASCII bytes, lower-cased and packed into an integer (its length in the
/// top byte): a set of such keys needs no string hashing or comparison.
#[inline]
pub(crate) fn word_key(w: &str) -> Option<u128> {
    let b = w.as_bytes();
    let mut buf = [0u8; 16];
    buf.get_mut(..b.len())
        .filter(|_| b.len() <= 15)?
        .copy_from_slice(b);
    // eight bytes at a time: ASCII (no high bit), then lower-cased
    let lo = u64::from_le_bytes(*buf.first_chunk::<8>()?);
    let hi = u64::from_le_bytes(*buf.last_chunk::<8>()?);
    if (lo | hi) & (LSB * 0x80) != 0 {
        return None;
    }
    let key = u128::from(ascii_lower(lo)) | u128::from(ascii_lower(hi)) << 64;
    Some(key | (b.len() as u128) << 120)
}

const LSB: u64 = 0x0101_0101_0101_0101;

/// The eight bytes of `x`, each ASCII (below 0x80), with `A`-`Z` lower-cased.
#[inline]
fn ascii_lower(x: u64) -> u64 {
    // a byte plus 0x3f reaches 0x80 from `A` on, plus 0x25 from past `Z` on (no carries: the
    // bytes are below 0x80)
    let from_a = x + LSB * (0x80 - u64::from(b'A'));
    let past_z = x + LSB * (0x80 - u64::from(b'Z') - 1);
    let upper = from_a & !past_z & (LSB * 0x80);
    x | (upper >> 2)
}

static STOPWORD_KEYS: LazyLock<std::collections::HashSet<u128, Fx>> =
    LazyLock::new(|| STOPWORDS.iter().filter_map(|w| word_key(w)).collect());

/// A small fast hasher (FxHash) for word maps.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);
impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
impl std::hash::Hasher for FxHasher {
    /// Eight bytes at a time, then four, two and one (as rustc's FxHasher).
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut b = bytes;
        while let Some((c, r)) = b.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*c));
            b = r;
        }
        if let Some((c, r)) = b.split_first_chunk::<4>() {
            self.add(u32::from_le_bytes(*c) as u64);
            b = r;
        }
        if let Some((c, r)) = b.split_first_chunk::<2>() {
            self.add(u16::from_le_bytes(*c) as u64);
            b = r;
        }
        if let Some(&c) = b.first() {
            self.add(c as u64);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u128(&mut self, i: u128) {
        self.add(i as u64);
        self.add((i >> 64) as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}
pub type Fx = std::hash::BuildHasherDefault<FxHasher>;

/// Whether each byte is an ASCII letter or digit (a table lookup in [`words`]' byte loops).
static ASCII_ALNUM: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).is_ascii_alphanumeric();
        i += 1;
    }
    t
};

/// A word in the text with its byte range.
#[derive(Clone, Copy, Debug)]
pub struct Tok<'a> {
    pub s: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Words: runs of letters and digits, with inner hyphens, apostrophes and dots (`Jalal-Abad`,
/// `O'Brien`, `U.S`). A trailing possessive `'s`/`’s` is not part of the word.
pub fn words(text: &str) -> Vec<Tok<'_>> {
    let b = text.as_bytes();
    let n = b.len();
    // the char at byte `i` and its length, ASCII without decoding
    let at = |i: usize| -> (char, usize) {
        if b[i] < 0x80 {
            (b[i] as char, 1)
        } else {
            let c = sub(text, i, text.len()).chars().next().unwrap_or(' ');
            (c, c.len_utf8())
        }
    };
    let mut out = Vec::with_capacity(n / 6);
    let mut i = 0;
    while i < n {
        // ASCII without decoding: skip what is no letter or digit, then run over letters and
        // digits a byte at a time
        let mut end = if b[i] < 0x80 {
            if !ASCII_ALNUM[usize::from(b[i])] {
                i += 1;
                continue;
            }
            i + 1
        } else {
            let (c, l) = at(i);
            if !alnum(c) {
                i += l;
                continue;
            }
            i + l
        };
        let start = i;
        loop {
            while end < n && ASCII_ALNUM[usize::from(b[end])] {
                end += 1;
            }
            if end >= n {
                break;
            }
            let (d, dl) = at(end);
            if !d.is_ascii() && alnum(d) {
                end += dl;
                continue;
            }
            if !matches!(d, '-' | '\'' | '’' | '.') {
                break;
            }
            // a joiner only when followed by a letter/digit
            let after = end + dl;
            if after >= n || !alnum(at(after).0) {
                break;
            }
            // possessive 's: stop before it
            if matches!(d, '\'' | '’')
                && b[after] == b's'
                && (after + 1 >= n || !alnum(at(after + 1).0))
            {
                break;
            }
            if d == '.' && !(end - start <= 2 && b[start].is_ascii_uppercase()) {
                break;
            }
            end = after;
        }
        out.push(Tok {
            s: sub(text, start, end),
            start,
            end,
        });
        i = end;
    }
    out
}

/// `char::is_alphanumeric`, answering ASCII and the General Punctuation block (curly quotes,
/// dashes) without a table lookup; a combining accent (U+0300–U+036F, text not in NFC:
/// "Vuc\u{30c}ic\u{301}") belongs to the word of the letter it follows.
#[inline]
fn alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{2000}'..='\u{206f}').contains(&c) {
        false
    } else {
        c.is_alphanumeric() || ('\u{300}'..='\u{36f}').contains(&c)
    }
}

/// Base letters of U+00C0–U+00FF (Latin-1 Supplement; `*` for × and ÷).
const LATIN1: &[u8; 64] = b"AAAAAAACEEEEIIIIDNOOOOO*OUUUUYTsaaaaaaaceeeeiiiidnooooo*ouuuuyty";
/// Base letters of U+0100–U+017F (Latin Extended-A).
const LATIN_EXT_A: &[u8; 128] = b"AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

/// A Latin letter with a diacritic as its base letter ("š" → 's', "Ő" → 'O', "ț" → 't'),
/// over the whole Latin-1 Supplement and Latin Extended-A blocks (every European Latin
/// alphabet); other characters unchanged.
pub fn fold_diacritic(c: char) -> char {
    match c as u32 {
        0xC0..=0xFF => LATIN1[(c as u32 - 0xC0) as usize] as char,
        0x100..=0x17F => LATIN_EXT_A[(c as u32 - 0x100) as usize] as char,
        0x218..=0x21B => ['S', 's', 'T', 't'][(c as u32 - 0x218) as usize],
        _ => c,
    }
}

/// Where a sentence ends at byte `i` of `text`, if one does: the byte where the next sentence
/// starts. This is the crate's one definition of a sentence end, used by [`Sentences`] (and
/// its [`Sentences::non_blank`]) and the bounded scans ([`sentence_start_before`], [`sentence_end_after`]), so
/// that every extractor (entities, quotes, amounts, dates) cuts sentences at the same places
/// and a sentence's end can never fall after the start of the next one.
///
/// A sentence ends at a line break, and at `.`, `!` or `?` followed by optional closing quotes
/// or brackets, a space and an upper-case letter, an opening quote mark or a digit — but not
/// after an abbreviation (`Mr.`, `Lt. Gen.`, `No.`, `U.S.`, an initial: [`is_abbrev`]).
#[inline]
pub fn sentence_break(text: &str, i: usize) -> Option<usize> {
    match text.as_bytes().get(i)? {
        b'\n' => Some(i + 1),
        b'.' | b'!' | b'?' => sentence_break_after_mark(text, i),
        _ => None,
    }
}

/// The bytes at which a sentence may end (a line break, `.`, `!`, `?`: [`sentence_break`] is
/// `None` at every other byte), for the scans over a whole text: found with `memchr` instead
/// of a call per byte. Each kind's next position is kept until the scan passes it, so a scan
/// stays linear.
struct Marks<'a> {
    b: &'a [u8],
    /// The first `\n` at or after the last position asked for (or `b.len()`).
    nl: usize,
    /// The first `.`, `!` or `?` at or after the last position asked for (or `b.len()`).
    mark: usize,
}

impl<'a> Marks<'a> {
    fn new(b: &'a [u8]) -> Marks<'a> {
        Marks {
            b,
            nl: memchr::memchr(b'\n', b).unwrap_or(b.len()),
            mark: memchr::memchr3(b'.', b'!', b'?', b).unwrap_or(b.len()),
        }
    }

    /// The first byte at or after `i` where a sentence may end, or the text's length.
    fn next(&mut self, i: usize) -> usize {
        let n = self.b.len();
        if i >= n {
            return n;
        }
        let rest = self.b.get(i..).unwrap_or_default();
        if self.nl < i {
            self.nl = memchr::memchr(b'\n', rest).map_or(n, |p| i + p);
        }
        if self.mark < i {
            self.mark = memchr::memchr3(b'.', b'!', b'?', rest).map_or(n, |p| i + p);
        }
        self.nl.min(self.mark)
    }
}

/// [`sentence_break`] at a `.`, `!` or `?` (byte `i`).
#[inline(never)]
fn sentence_break_after_mark(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    // after optional closing quotes and brackets
    let mut j = i + 1;
    while let Some(c) = text.get(j..).and_then(|r| r.chars().next()) {
        if matches!(c, '"' | ')' | '”' | '’' | '»' | '\'') {
            j += c.len_utf8();
        } else {
            break;
        }
    }
    if b.get(j) != Some(&b' ') {
        return None;
    }
    let next = text.get(j + 1..)?.chars().next()?;
    let opens = next.is_uppercase()
        || next.is_ascii_digit()
        || matches!(next, '“' | '"' | '«' | '„' | '‘' | '\'');
    (opens && !is_abbrev(word_before(text, i))).then_some(j + 1)
}

/// The run of letters and digits that ends at byte `i` (the word a full stop at `i` follows).
fn word_before(text: &str, i: usize) -> &str {
    let head = text.get(..i).unwrap_or("");
    let start = head
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric())
        .last()
        .map_or(head.len(), |(p, _)| p);
    sub(head, start, head.len())
}

/// Byte ranges of sentences (see [`sentence_break`] for where one ends); blank ones are left
/// out. Linear in the text's length. (The crate uses [`Sentences::non_blank`], which gives the
/// same ranges from sentences already cut; a test holds them equal.)
#[cfg(test)]
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    let mut marks = Marks::new(b);
    while i < b.len() {
        i = marks.next(i);
        if let Some(e) = sentence_break(text, i) {
            if !sub(text, start, e).trim().is_empty() {
                out.push((start, e));
            }
            start = e;
            i = e;
            continue;
        }
        i += 1;
    }
    if start < b.len() && !sub(text, start, text.len()).trim().is_empty() {
        out.push((start, b.len()));
    }
    out
}

/// Where every line (paragraph) of a text starts, ascending; the first is 0. Built once per
/// text, so that the paragraph around a position is a binary search and not a scan back to
/// the previous newline (quadratic on a page that is one long line).
pub struct LineStarts(Vec<usize>);

impl LineStarts {
    pub fn new(text: &str) -> LineStarts {
        let mut v = vec![0];
        v.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineStarts(v)
    }

    /// Start of the line holding byte `at`: just after the last newline before `at`.
    pub fn start_of(&self, at: usize) -> usize {
        let k = self.0.partition_point(|&p| p <= at);
        self.0.get(k.wrapping_sub(1)).copied().unwrap_or(0)
    }
}

/// The sentences of one text, for answering "which sentence is byte `at` in" in O(log n): built
/// once per text (linear), then shared by every lookup, so no extractor rescans the text around
/// each fact. Every sentence start is a sentence end's [`sentence_break`] (or 0), so the
/// sentences tile the text: `end_at(x) <= start_at(y)` whenever `x` lies in an earlier sentence.
#[derive(Clone, Debug, Default)]
pub struct Sentences {
    /// Start of every sentence, blank ones included, ascending; the first is 0.
    starts: Vec<usize>,
    len: usize,
}

impl Sentences {
    pub fn new(text: &str) -> Sentences {
        let mut starts = vec![0];
        let b = text.as_bytes();
        let mut i = 0;
        let mut marks = Marks::new(b);
        while i < b.len() {
            i = marks.next(i);
            match sentence_break(text, i) {
                Some(e) => {
                    if e < text.len() {
                        starts.push(e);
                    }
                    i = e;
                }
                None => i += 1,
            }
        }
        Sentences {
            starts,
            len: text.len(),
        }
    }

    /// The byte ranges of the sentences that are not blank, in order (`candidates` cuts its
    /// runs in these), without scanning the text again.
    pub fn non_blank<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
        let ends = self.starts.iter().skip(1).copied().chain([self.len]);
        self.starts
            .iter()
            .copied()
            .zip(ends)
            .filter(move |&(s, e)| s < e && !sub(text, s, e).trim().is_empty())
    }

    /// Whether these are the sentences of some text (a [`Sentences::default`] is of none).
    pub fn is_built(&self) -> bool {
        !self.starts.is_empty()
    }

    /// The length of the text these are the sentences of.
    pub fn text_len(&self) -> usize {
        self.len
    }

    /// The index of the sentence holding byte `at` (the last one for `at` past the end).
    fn index(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at).saturating_sub(1)
    }

    /// The byte range of the sentence holding byte `at`.
    pub fn span_at(&self, at: usize) -> (usize, usize) {
        let k = self.index(at);
        let start = self.starts.get(k).copied().unwrap_or(0);
        let end = self.starts.get(k + 1).copied().unwrap_or(self.len);
        (start, end)
    }

    /// The start of the sentence holding byte `at`.
    pub fn start_at(&self, at: usize) -> usize {
        self.span_at(at).0
    }

    /// The end of the sentence holding byte `at` (the start of the next one, or the text's end).
    pub fn end_at(&self, at: usize) -> usize {
        self.span_at(at).1
    }

    /// Whether a sentence starts at a byte in `from + 1 ..= to`: text between `from` and `to`
    /// crosses a sentence end.
    pub fn crosses(&self, from: usize, to: usize) -> bool {
        let k = self.starts.partition_point(|&s| s <= from);
        self.starts.get(k).is_some_and(|&s| s <= to)
    }
}

/// The start of the sentence holding byte `at`, looking back at most `limit` bytes (a bounded
/// scan for one-off questions; [`Sentences`] answers many): the byte after the last
/// [`sentence_break`] before `at`, else `at - limit` (on a char boundary).
pub fn sentence_start_before(text: &str, at: usize, limit: usize) -> usize {
    let at = at.min(text.len());
    let lo = text.floor_char_boundary(at.saturating_sub(limit));
    // a break's next sentence starts at most a few bytes after its mark
    let mut i = at;
    while i > lo {
        i -= 1;
        if let Some(e) = sentence_break(text, i)
            && e <= at
        {
            return e;
        }
    }
    lo
}

/// The end of the sentence holding byte `from`, looking ahead at most `limit` bytes: the start
/// of the next sentence, else `from + limit` (on a char boundary, at most the text's end).
pub fn sentence_end_after(text: &str, from: usize, limit: usize) -> usize {
    let from = from.min(text.len());
    let hi = text.ceil_char_boundary(from.saturating_add(limit).min(text.len()));
    (from..hi)
        .find_map(|i| sentence_break(text, i))
        .unwrap_or(hi)
}

/// A word that a full stop follows without ending the sentence: titles and ranks ("Mr.",
/// "Lt. Gen.", "Rev."), "No.", "Inc.", "U.S.", single initials ("S. Jaishankar").
pub fn is_abbrev(w: &str) -> bool {
    matches!(
        w,
        "Mr" | "Mrs"
            | "Ms"
            | "Dr"
            | "St"
            | "Gen"
            | "Col"
            | "Lt"
            | "Maj"
            | "Capt"
            | "Cmdr"
            | "Adm"
            | "Brig"
            | "Sgt"
            | "Cpl"
            | "Gov"
            | "Sen"
            | "Rep"
            | "Rev"
            | "Hon"
            | "H.E"
            | "Eng"
            | "Engr"
            | "Prof"
            | "Jr"
            | "Sr"
            | "No"
            | "Nos"
            | "vs"
            | "U.S"
            | "U.N"
            | "U.K"
            | "Inc"
            | "Co"
            | "Corp"
            | "Ltd"
            | "Bros"
            | "Mt"
            | "Ft"
    ) || (w.chars().count() == 1 && w.chars().all(|c| c.is_uppercase()))
}

/// Is `w` capitalised (first letter upper case)?
pub fn is_cap(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_uppercase())
}

/// All letters upper case, at least two (an acronym: NCE, SCO, U.S).
pub fn is_acronym(w: &str) -> bool {
    if w.is_ascii() {
        // the same test on bytes: an ASCII char is alphabetic or upper case only as ASCII
        let b = w.as_bytes();
        return b.iter().filter(|c| c.is_ascii_alphabetic()).count() >= 2
            && b.iter()
                .all(|&c| c.is_ascii_uppercase() || c == b'.' || c.is_ascii_digit());
    }
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2
        && w.chars()
            .all(|c| c.is_uppercase() || c == '.' || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokenizer one char at a time, as it was before the ASCII fast path.
    fn words_by_char(text: &str) -> Vec<(usize, usize)> {
        let b = text.as_bytes();
        let n = b.len();
        let at = |i: usize| {
            let c = text[i..].chars().next().unwrap_or(' ');
            (c, c.len_utf8())
        };
        let (mut out, mut i) = (Vec::new(), 0);
        while i < n {
            let (c, l) = at(i);
            if !alnum(c) {
                i += l;
                continue;
            }
            let (start, mut end) = (i, i + l);
            while end < n {
                let (d, dl) = at(end);
                if alnum(d) {
                    end += dl;
                    continue;
                }
                let after = end + dl;
                if !matches!(d, '-' | '\'' | '’' | '.')
                    || after >= n
                    || !alnum(at(after).0)
                    || (matches!(d, '\'' | '’')
                        && b[after] == b's'
                        && (after + 1 >= n || !alnum(at(after + 1).0)))
                    || (d == '.' && !(end - start <= 2 && b[start].is_ascii_uppercase()))
                {
                    break;
                }
                end = after;
            }
            out.push((start, end));
            i = end;
        }
        out
    }

    #[test]
    fn non_blank_sentences_are_the_sentences() {
        let fixture = include_str!("../tests/fixtures/eurasianet-bulletin.txt");
        for t in [
            fixture,
            "",
            " ",
            "\n\n",
            "One. Two! Three? four. Mr. Smith said \"Yes.\" Then\n\nB. C",
            "Ends with a break.\n",
            "A.\nB. ",
            "x. Y.",
        ] {
            let v: Vec<(usize, usize)> = Sentences::new(t).non_blank(t).collect();
            assert_eq!(v, sentences(t), "{t:?}");
        }
    }

    #[test]
    fn word_key_lower_cases_short_ascii_words() {
        let naive = |w: &str| -> Option<u128> {
            let b = w.as_bytes();
            if b.len() > 15 || !b.is_ascii() {
                return None;
            }
            let mut buf = [0u8; 16];
            for (d, s) in buf.iter_mut().zip(b) {
                *d = s.to_ascii_lowercase();
            }
            buf[15] = b.len() as u8;
            Some(u128::from_le_bytes(buf))
        };
        let all: String = (0u8..128).map(char::from).collect();
        let mut words: Vec<String> = vec![
            String::new(),
            "The".into(),
            "AZaz@[`{".into(),
            "Exactly15Bytes!".into(),
            "Sixteen__Bytes!!".into(),
            "Niš".into(),
            "\u{7f}\u{0}Zz".into(),
        ];
        for start in 0..all.len() {
            for len in [1, 7, 8, 9, 15] {
                if let Some(w) = all.get(start..start + len) {
                    words.push(w.to_string());
                }
            }
        }
        for w in &words {
            assert_eq!(word_key(w), naive(w), "{w:?}");
        }
    }

    #[test]
    fn fast_tokenizer_agrees_with_the_char_one() {
        let fixture = include_str!("../tests/fixtures/eurasianet-bulletin.txt");
        for t in [
            fixture,
            "Jalal-Abad, O'Brien's U.S. deal; Vučić’s “plan” — 12.5% in Niš… Vuc\u{30c}ic\u{301}'s x-y- z",
            "",
            "'s ’s - . U.S.A. A.B.C. e.g. Türkmenbaşy’s 2023-07-10 don't",
        ] {
            let fast: Vec<(usize, usize)> = words(t).iter().map(|w| (w.start, w.end)).collect();
            assert_eq!(fast, words_by_char(t), "{t}");
        }
        assert_eq!(fold_diacritic('Ő'), 'O');
        assert_eq!(fold_diacritic('ț'), 't');
        assert_eq!(skeleton("Mirziyoyev"), skeleton("Mirziyoev"));
    }
}
