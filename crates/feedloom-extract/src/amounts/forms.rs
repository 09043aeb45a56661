//! The forms an amount is written in: one entry of [`FORMS`] each — its name (the rule
//! `feedloom extract --explain` prints), its pattern (named groups) and its handler.
//!
//! [`find_all`] walks the table the way one regex of all the patterns joined by `|` in table
//! order would (the regex crate's leftmost-first): at the leftmost position where any form
//! matches, the first form of the table that matches there wins, and the next search starts
//! where its match ends — also when the handler rejects it. So the order of the table is a
//! priority: money before percentages before counts.
//!
//! Named groups: `cur` (a symbol or ISO code before the number), `sym` (a one-letter symbol),
//! `num` (the number as written), `scale` (`million`, `bn`, ...), `word` (a money word after the
//! number), `a` ("a"/"one" before a scale word).

use std::cell::OnceCell;
use std::sync::LazyLock;

use feedloom_core::item::Amount;
use regex::{Captures, Regex};

use crate::lexicon::alternation;

use super::AmountsOptions;
use super::counts::{NUM, count};
use super::money::{
    self, CURRENCIES, code_alternation, currency_of_prefix, money_word, yen_or_yuan,
};
use crate::lexicon::Lexicon;
use crate::text;

/// One way an amount is written.
pub(crate) struct Form {
    /// The form's name: the rule `--explain` prints, and the name of its test row.
    pub(crate) name: &'static str,
    /// Its regex (named groups, see the module's doc).
    pub(crate) pattern: fn() -> String,
    /// What a match of it is: an amount, or `None` (not an amount after all).
    handler: Handler,
}

/// A match of a form, in the text it was found in.
pub(crate) struct Scan<'t> {
    pub(crate) text: &'t str,
    pub(crate) o: &'t AmountsOptions,
    /// The countries the article names, looked up once and only when a money word or symbol
    /// several countries share needs them.
    named: OnceCell<Vec<&'static str>>,
    /// The money of the country the article names most ([`money::article_currency`]), looked
    /// up once and only for a bare `$` or "cents".
    article: OnceCell<Option<&'static str>>,
}

impl Scan<'_> {
    pub(crate) fn named(&self) -> &[&'static str] {
        self.named
            .get_or_init(|| money::named_countries(self.text))
            .as_slice()
    }
    pub(crate) fn article_currency(&self) -> Option<&'static str> {
        *self
            .article
            .get_or_init(|| money::article_currency(self.text))
    }
}

/// An amount found, with the byte offset it starts at and the rule that decided it (a form's
/// name, or for counts the rule inside [`count`]).
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) at: usize,
    pub(crate) amount: Amount,
    /// The rule that decided: the form's name, or for counts the case of [`count`].
    pub(crate) rule: &'static str,
}

/// A form's handler: the scan, the match, the amounts found before it (a bare number may take
/// the noun of the count before it) and the form's name (the rule of what it finds).
pub(crate) type Handler = fn(&Scan<'_>, &Captures<'_>, &[Found], &'static str) -> Option<Found>;

static SCALE_WORDS: LazyLock<Lexicon> = crate::lexicon!("amounts_scale_words");
static SCALE_ABBREVIATIONS: LazyLock<Lexicon> = crate::lexicon!("amounts_scale_abbreviations");
static CURRENCY_SYMBOLS: LazyLock<Lexicon> = crate::lexicon!("amounts_currency_symbols");
static CURRENCY_WORDS: LazyLock<Lexicon> = crate::lexicon!("amounts_currency_words");
static DOLLAR_QUALIFIERS: LazyLock<Lexicon> = crate::lexicon!("amounts_dollar_qualifiers");
static CURRENCY_ADJECTIVES: LazyLock<Lexicon> = crate::lexicon!("amounts_currency_adjectives");
static ADJECTIVE_CURRENCY_WORDS: LazyLock<Lexicon> =
    crate::lexicon!("amounts_adjective_currency_words");

/// Scale words after a money amount, abbreviations included ("3 billion", "$5m", "Rs 500
/// crore").
fn scale() -> String {
    let all: Vec<&str> = SCALE_WORDS
        .iter()
        .chain(SCALE_ABBREVIATIONS.iter())
        .collect();
    alternation(&all)
}

/// The scale words a count may have ("3.4 million tonnes", "79 mln tonnes"; not the one-letter
/// abbreviations, which are units: "5 m", nor "cr").
fn count_scale() -> String {
    let all: Vec<&str> = SCALE_WORDS
        .iter()
        .chain(
            SCALE_ABBREVIATIONS
                .iter()
                .filter(|w| w.len() > 1 && *w != "cr"),
        )
        .collect();
    alternation(&all)
}

/// Spelled numbers before a multiplier word, with their values ("three" 3).
pub(crate) static SPELLED: LazyLock<Lexicon> = crate::lexicon!("amounts_spelled_numbers");

/// The value of a spelled number of [`SPELLED`] ("three", "Three").
pub(crate) fn spelled_value(w: &str) -> Option<f64> {
    let l = w.to_ascii_lowercase();
    SPELLED.iter().find_map(|e| {
        let (word, v) = e.split_once(' ')?;
        (word == l).then(|| v.parse().ok()).flatten()
    })
}

/// The scale words after "a"/"one" ("a million people"): millions and thousands, not crores.
fn a_scale() -> String {
    let v: Vec<&str> = SCALE_WORDS
        .iter()
        .filter(|w| w.ends_with("illion") || *w == "thousand")
        .collect();
    alternation(&v)
}

/// Money words after a number: "US dollars", "Uzbek som", "yuan", "pounds sterling".
fn currency_words() -> String {
    format!(
        "(?:{}) dollars?|(?:{}) (?:{})|{}",
        alternation(DOLLAR_QUALIFIERS.words()),
        alternation(CURRENCY_ADJECTIVES.words()),
        alternation(ADJECTIVE_CURRENCY_WORDS.words()),
        alternation(CURRENCY_WORDS.words())
    )
}

/// Money symbols before a number ("US$", "U.S. $", "€", "Rs.").
fn prefix() -> String {
    format!(
        r"U\.S\.[ \t\r\n]?\$|{}",
        alternation(CURRENCY_SYMBOLS.words())
    )
}

/// The forms, in priority order (see the module's doc).
pub(crate) static FORMS: &[Form] = &[
    // "US$31.5 billion", "€40m", "Rs 500 crore", "₸5,000"
    Form {
        name: "currency_symbol_before",
        pattern: || {
            let (prefix, scale) = (prefix(), scale());
            format!(
                r"(?P<cur>{prefix})[ \t\r\n]?(?P<num>{NUM})(?:[ \t\r\n-]?(?P<scale>{scale})(?-u:\b))?"
            )
        },
        handler: currency_before,
    },
    // "MNT 800 billion", "USD 300,000" (any ISO 4217 code of data/currencies.tsv)
    Form {
        name: "currency_code_before",
        pattern: || {
            let (codes, scale) = (code_alternation(), scale());
            format!(
                r"(?-u:\b)(?P<cur>{codes})[ \t\r\n]?(?P<num>{NUM})(?:[ \t\r\n-]?(?P<scale>{scale})(?-u:\b))?"
            )
        },
        handler: currency_before,
    },
    // "K2.5 billion" (kwacha, kina, kyat), "R5bn" (rand): only where the article names a
    // country of that money
    Form {
        name: "letter_symbol_before",
        pattern: || {
            let scale = scale();
            format!(r"(?-u:\b)(?P<sym>K|R)(?P<num>{NUM})(?:[ \t\r\n]?(?P<scale>{scale})(?-u:\b))?")
        },
        handler: letter_symbol_before,
    },
    // "1.5 trillion tenge", "300 million yuan", "120,000 Uzbek som", "20 pounds sterling"
    Form {
        name: "currency_word_after",
        pattern: || {
            let (scale, words) = (scale(), currency_words());
            format!(
                r"(?P<num>{NUM})(?:[ \t\r\n]?(?P<scale>{scale}))?[ \t\r\n](?P<word>{words})(?-u:\b)"
            )
        },
        handler: currency_word_after,
    },
    // "64%", "24 percent", "3.5 per cent", "5 pct"
    Form {
        name: "percent",
        pattern: || {
            format!(r"(?P<num>{NUM})[ \t\r\n]?(?:%|percent(?-u:\b)|per cent(?-u:\b)|pct(?-u:\b))")
        },
        handler: |s, c, _, rule| percent_like(s, c, "percent", rule),
    },
    // "3 percentage points"
    Form {
        name: "percentage_points",
        pattern: || format!(r"(?P<num>{NUM})[ \t\r\n]?percentage points?(?-u:\b)"),
        handler: |s, c, _, rule| percent_like(s, c, "percentage points", rule),
    },
    // "25 basis points"
    Form {
        name: "basis_points",
        pattern: || format!(r"(?P<num>{NUM})[ \t\r\n]?basis points?(?-u:\b)"),
        handler: |s, c, _, rule| percent_like(s, c, "basis points", rule),
    },
    // "3.4 million tonnes", "a 310 billion peso contract"
    Form {
        name: "number_scale_word",
        pattern: || {
            let scale = count_scale();
            format!(r"(?P<num>{NUM})[ \t\r\n](?P<scale>{scale})(?-u:\b)")
        },
        handler: count,
    },
    // "14,286 foreign citizens", "300 people"; with `bare_numbers`, "(3,412)"
    Form {
        name: "number",
        pattern: || format!(r"(?P<num>{NUM})"),
        handler: count,
    },
    // "a million people", "one billion"
    Form {
        name: "a_scale_word",
        pattern: || {
            let scale = a_scale();
            format!(r"(?-u:\b)(?P<a>a|one)[ \t\r\n](?P<scale>{scale})(?-u:\b)")
        },
        handler: count,
    },
    // "some three million barrels", "two billion dollars"
    Form {
        name: "spelled_scale_word",
        pattern: || {
            let scale = a_scale();
            let words: Vec<String> = SPELLED
                .iter()
                .filter_map(|e| e.split(' ').next())
                .map(|w| format!("(?i:{})", regex::escape(w)))
                .collect();
            format!(
                r"(?-u:\b)(?P<sp>{})[ \t\r\n](?P<scale>{scale})(?-u:\b)",
                words.join("|")
            )
        },
        handler: count,
    },
];

/// The forms' regexes, in table order.
pub(crate) static REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    FORMS
        .iter()
        .map(|f| Regex::new(&(f.pattern)()).expect("an amount form's regex compiles"))
        .collect()
});

pub(crate) use crate::forms::matches;

/// Every amount in `text` with the rule that decided it, before [`super::find`]'s filter.
pub(crate) fn find_all(text: &str, o: &AmountsOptions) -> Vec<Found> {
    let scan = Scan {
        text,
        o,
        named: OnceCell::new(),
        article: OnceCell::new(),
    };
    let mut out: Vec<Found> = Vec::new();
    for (i, c) in matches(&REGEXES, text) {
        let Some(m) = c.get(0) else {
            continue; // the whole match is always there
        };
        if part_of_a_longer_token(text, m.start(), m.end(), m.as_str()) {
            continue;
        }
        let Some(form) = FORMS.get(i) else { continue };
        if let Some(f) = (form.handler)(&scan, &c, &out, form.name) {
            out.push(f);
        }
    }
    out
}

/// The match at `s..e` is part of a longer token (ordinals, codes, times, decimals) or of a
/// phone number or other group of digits ("+996 312 62 10 10"): no amount, whatever its form.
fn part_of_a_longer_token(text: &str, s: usize, e: usize, m: &str) -> bool {
    let head = text::sub(text, 0, s);
    let tail = text.get(e..).unwrap_or("");
    let before = head.chars().next_back();
    let after = tail.chars().next();
    before.is_some_and(|ch| ch.is_alphanumeric() || ch == '.' || ch == ':' || ch == '/')
        || after.is_some_and(|ch| ch.is_alphanumeric() || ch == ':' || ch == '/')
        || head.ends_with('+')
        || head
            .strip_suffix(' ')
            .is_some_and(|h| h.ends_with(|ch: char| ch.is_ascii_digit()))
        || (tail
            .strip_prefix(' ')
            .is_some_and(|r| r.starts_with(|ch: char| ch.is_ascii_digit()))
            && !m.ends_with(|ch: char| ch.is_alphabetic()))
}

/// An amount as written, with its value and unit (the section is set by the extractor).
pub(crate) fn amount(text: &str, value: f64, unit: impl Into<String>) -> Amount {
    Amount {
        text: text.to_string(),
        value,
        unit: unit.into(),
        section: None,
    }
}

/// The value of the match's `num` times its `scale`; `None` past `f64`'s range.
fn scaled(c: &Captures<'_>) -> Option<f64> {
    let v = super::counts::parse_num(c.name("num")?.as_str())?;
    Some(v * super::counts::scale(c.name("scale").map(|x| x.as_str())))
}

/// A match of a form as one amount: the whole match as its text.
fn whole(c: &Captures<'_>, value: f64, unit: &str, rule: &'static str) -> Option<Found> {
    let m = c.get(0)?;
    Some(Found {
        at: m.start(),
        amount: amount(m.as_str(), value, unit),
        rule,
    })
}

/// "US$31.5 billion", "MNT 800 billion": the symbol's or code's money ("¥": yen where the
/// sentence or paragraph is about Japan, else yuan).
fn currency_before(
    scan: &Scan<'_>,
    c: &Captures<'_>,
    _: &[Found],
    rule: &'static str,
) -> Option<Found> {
    if !scan.o.money {
        return None;
    }
    let v = scaled(c)?;
    let p = c.name("cur")?.as_str().trim();
    let s = c.get(0)?.start();
    let code = if p == "¥" {
        yen_or_yuan(scan.text, s)
    } else if p == "$" {
        // a bare "$" in a story from Australia, Canada, New Zealand, ...: their dollar
        money::local_dollar(scan.article_currency())
    } else {
        currency_of_prefix(p, &|| scan.named())
    };
    whole(c, v, code, rule)
}

/// "K2.5 billion" (kwacha, kina, kyat), "R5bn" (rand): only where the article names a country
/// of that money.
fn letter_symbol_before(
    scan: &Scan<'_>,
    c: &Captures<'_>,
    _: &[Found],
    rule: &'static str,
) -> Option<Found> {
    if !scan.o.money {
        return None;
    }
    let units: &[&str] = match c.name("sym")?.as_str() {
        "K" => &["kwacha", "kina", "kyat"],
        _ => &["rand"],
    };
    let n = scan.named();
    let code = CURRENCIES
        .iter()
        .filter(|c| c.units.iter().any(|u| units.contains(u)))
        .find(|c| c.countries.iter().any(|x| n.contains(x)))
        .map(|c| c.code)?;
    whole(c, scaled(c)?, code, rule)
}

/// "1.5 trillion tenge", "120,000 Uzbek som": the money word's currency.
fn currency_word_after(
    scan: &Scan<'_>,
    c: &Captures<'_>,
    _: &[Found],
    rule: &'static str,
) -> Option<Found> {
    if !scan.o.money {
        return None;
    }
    let v = scaled(c)?;
    let s = c.get(0)?.start();
    let word = c.name("word")?.as_str();
    if matches!(word, "pound" | "pounds")
        && weight_of(scan.text.get(c.get(0)?.end()..).unwrap_or(""))
    {
        // "23,000 pounds of flammable hydrocarbons": a weight
        return if scan.o.counts {
            whole(c, v, "pounds", "weight_pounds")
        } else {
            None
        };
    }
    let code = money_word(
        c.name("word")?.as_str(),
        &|| scan.named(),
        Some((scan.text, s)),
    );
    whole(c, v, code, rule)
}

/// "pounds of <lower-case noun>" is a weight ("23,000 pounds of hydrocarbons"), not money
/// ("20 pounds of the fee" is rare next to it).
fn weight_of(after: &str) -> bool {
    after.strip_prefix(" of ").is_some_and(|r| {
        let w = r.split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
        w.len() > 2 && w.starts_with(|c: char| c.is_lowercase()) && !text::is_stopword(w)
    })
}

/// "64%", "3 percentage points", "25 basis points": the number with its unit.
fn percent_like(
    scan: &Scan<'_>,
    c: &Captures<'_>,
    unit: &str,
    rule: &'static str,
) -> Option<Found> {
    if !scan.o.percent {
        return None;
    }
    let v = super::counts::parse_num(c.name("num")?.as_str())?;
    whole(c, v, unit, rule)
}
