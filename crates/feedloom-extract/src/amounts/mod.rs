//! `type: amounts` — money, percentages and counts.
//!
//! - Money with its ISO 4217 code: symbols before the number (`$`, `US$`, `€`, `£`, `¥`, `₸`,
//!   `₽`, `₹`, `Rs`, `₩`, ...), any ISO 4217 code before it (`USD 5m`, `MNT 800 billion`,
//!   `RMB 5 billion`), and money words after it, from the complete ISO 4217 table
//!   (`data/currencies.tsv`: `dollars`, `euros`, `yuan`, `tenge`, `tugriks`, `kwacha`,
//!   `rupees`, `pounds`, ...), with scales `thousand`/`k`, `million`/`m`/`mln`,
//!   `billion`/`bn`, `trillion`/`tn` and the Indian `lakh` (100,000) and `crore` (10 million):
//!   "US$31.5 billion" → 31500000000 USD, "1.5 trillion tenge" → KZT, "Rs 500 crore" →
//!   5000000000 INR.
//! - A money word several countries use takes the country of the adjective before it
//!   ("Egyptian pounds" → EGP, "Uzbek som" → UZS; an adjective the gazetteer lacks by its
//!   country's name: "Djiboutian francs" → DJF), else the one country of its sentence, else
//!   the one its paragraph names most ("a 310 billion peso contract" in a paragraph on
//!   Santiago → CLP), else the one of a country the article names ("manat" in an article
//!   about Azerbaijan → AZN), else a default (`pound` → GBP, `manat` → TMT, `rupee` → INR). A
//!   money word before the noun it qualifies is money ("a 310 billion peso contract": text
//!   "310 billion peso"). A one-letter symbol is money only where the article names a
//!   country of it: `K2.5 billion` (kwacha, kina, kyat), `R5bn` (rand).
//! - Percentages: `64%`, `24 percent`, `3.5 per cent` → unit `percent`; `3 percentage
//!   points` → unit `percentage points`, `25 basis points` → `basis points`.
//! - Counts with their noun: "14,286 foreign citizens" → unit `foreign citizens`, "3.4 million
//!   tonnes" → `tonnes`, "over 200 Chinese firms" → text "200 Chinese firms", unit `chinese
//!   firms`, "1,800 new jobs" → `new jobs` (units of counts are lower case; qualifiers such as
//!   "over", "about" are left out of the text). The unit is the noun phrase after the number:
//!   up to three words, lower case, ending at a plural noun, a stopword (prepositions,
//!   articles, verbs such as "were"), a month or punctuation; nationality adjectives are kept
//!   ("chinese firms").
//! - With `bare_numbers: true` (default false: the issue's counts are "counts with their
//!   noun") a number standing alone (in parentheses, or of 100 or more, or with a thousands
//!   separator) is a count with unit `count`, except a number in parentheses followed by
//!   "of (the) <noun phrase>" ("24 percent (3,412) of the foreign workers" → `foreign
//!   workers`), and a stand-alone number after a count in the same sentence takes that
//!   count's noun ("150,000 vehicles ..., up from about 95,000" → `vehicles`).
//! - Not amounts: years (1800–2100 written as four plain digits), days of dates ("July 1",
//!   "June 19-23", "19 June"), clock times (`10:30`, `8 p.m.`, `6am`), durations ("24 hours",
//!   "15 years"), ordinals (`21st`, "the 10 millionth passenger"), a number before a
//!   singular noun, which names a thing ("the Power of Siberia 2 pipeline"), phone numbers
//!   and other space-separated digit groups (`+996 312 62 10 10`), model numbers (`BN-350`),
//!   and numbers after `Section`, `Article`, `No.`, `Chapter`, `Line`, `Resolution` etc.
//!
//! Options: `money`, `percent`, `counts` (each default true), `bare_numbers` (default false).
//!
//! Output: `item.amounts = [{text, value, unit, section?}]` in text order.

use std::sync::LazyLock;

use feedloom_core::item::Amount;
use feedloom_core::{ExtractError, Item, Registry, SyncExtractor};
use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::text;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AmountsOptions {
    pub money: bool,
    pub percent: bool,
    pub counts: bool,
    pub bare_numbers: bool,
}

impl Default for AmountsOptions {
    fn default() -> Self {
        AmountsOptions {
            money: true,
            percent: true,
            counts: true,
            bare_numbers: false,
        }
    }
}

pub struct Amounts(AmountsOptions);

pub fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "amounts",
        "money (ISO currency), percentages and counts with their noun",
        |o: AmountsOptions, _ctx| Ok(Amounts(o)),
    );
}

const NUM: &str = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?";
const SCALE: &str =
    r"trillion|billion|million|thousand|crores?|lakhs?|lacs?|tn|bn|bln|mln|mn|cr|m|k";
const CURWORDS: &str = r"(?:US |U\.S\. |American |Hong Kong |Canadian |Australian )?dollars?|(?:Uzbek|Uzbekistani|Kyrgyz|Kyrgyzstani|Azerbaijani|Azeri|Turkmen|Tajik|Kazakh|Kazakhstani|Russian|Indian|Pakistani|Chinese|Turkish|Georgian|Armenian|Ukrainian|Iranian) (?:soms?|sums?|soums?|manats?|somoni|tenge|rubles?|roubles?|rupees?|yuan|lira|liras|lari|drams?|hryvnias?|rials?)|euros?|pounds? sterling|pounds?|yuan|renminbi|tenge|soms?|sums?|soums?|rubles?|roubles?|manats?|somoni|rupees?|yen|lira|liras|dirhams?|riyals?|rials?|hryvnias?|hryvnia|lari|drams?|won|swiss francs|francs?|zloty|afghanis?";
const PREFIX: &str = r"US\$|U\.S\.[ \t\r\n]?\$|C\$|A\$|HK\$|NZ\$|S\$|R\$|\$|€|£|¥|₸|₽|₹|₺|₩|₦|₴|₪|₱|₫|₾|฿|RMB|Rs\.?|Rp|KSh|Tk";

/// ISO 4217 money (`data/currencies.tsv`, see the README): code, the words that name it,
/// the countries that use it.
struct Currency {
    code: &'static str,
    units: Vec<&'static str>,
    countries: Vec<&'static str>,
}

static CURRENCIES: LazyLock<Vec<Currency>> = LazyLock::new(|| {
    include_str!("../../data/currencies.tsv")
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some(Currency {
                code: f.next()?,
                units: f.next()?.split(' ').collect(),
                countries: f
                    .next()
                    .unwrap_or("")
                    .split(' ')
                    .filter(|c| !c.is_empty())
                    .collect(),
            })
        })
        .collect()
});

/// `w` is an ISO 4217 currency code ("AED", "KZT").
pub(crate) fn is_currency_code(w: &str) -> bool {
    w.len() == 3 && CURRENCIES.iter().any(|c| c.code == w)
}

/// Every money word of the table ("dollar", "tenge", "yuan", "renminbi").
static MONEY_UNITS: LazyLock<std::collections::HashSet<&'static str, text::Fx>> =
    LazyLock::new(|| {
        CURRENCIES
            .iter()
            .flat_map(|c| c.units.iter().copied())
            .collect()
    });

/// The default for a money word several countries use, when the article names none of them.
fn default_currency(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "dollar" => "USD",
        "pound" | "sterling" => "GBP",
        "rupee" => "INR",
        "franc" => "CHF",
        "krona" => "SEK",
        "krone" => "NOK",
        "rial" => "IRR",
        "riyal" => "SAR",
        "dirham" => "AED",
        "shilling" => "KES",
        "manat" => "TMT",
        "kwacha" => "ZMW",
        "won" => "KRW",
        "real" => "BRL",
        "leu" => "RON",
        "euro" => "EUR",
        "ruble" => "RUB",
        "dinar" => "IQD",
        "peso" => "MXN",
        "yuan" | "renminbi" => "CNY",
        "som" => "KGS",
        "sum" => "UZS",
        "lira" => "TRY",
        _ => return None,
    })
}

/// A money word in its dictionary form: "tugriks" → "tugrik", "roubles" → "ruble", "lei" →
/// "leu".
fn unit_form(w: &str) -> String {
    let w = w.to_lowercase();
    let w = match w.as_str() {
        "rouble" | "roubles" => "ruble".to_string(),
        "soum" | "soums" | "sums" => "sum".to_string(),
        "soms" => "som".to_string(),
        "tugrug" | "tugrugs" | "tögrög" | "togrog" | "tugriks" => "tugrik".to_string(),
        "lei" => "leu".to_string(),
        "leva" => "lev".to_string(),
        "kroner" => "krone".to_string(),
        "kronor" => "krona".to_string(),
        "reais" => "real".to_string(),
        "crowns" => "crown".to_string(),
        "meticais" => "metical".to_string(),
        "rmb" => "renminbi".to_string(),
        _ => w,
    };
    if MONEY_UNITS.contains(w.as_str()) || w == "crown" {
        return w;
    }
    w.strip_suffix("es")
        .filter(|x| MONEY_UNITS.contains(x))
        .or_else(|| w.strip_suffix('s'))
        .unwrap_or(&w)
        .to_string()
}

/// The ISO code of "<adjective> <unit>" ("Egyptian pounds", "tugriks", "Zambian kwacha"):
/// the adjective (a demonym or country name of the gazetteer) picks among the currencies
/// with that unit word, else the one of a country the article names, else the unit's
/// default; `None` when `unit` names no money.
fn resolve_currency<'a>(
    adj: Option<&str>,
    unit: &str,
    named: &dyn Fn() -> &'a [&'static str],
    local: Local<'_>,
) -> Option<&'static str> {
    let u = unit_form(unit);
    // "crowns": the English name of the krone, krona and koruna
    let one = [u.as_str()];
    let words: &[&str] = if u == "crown" {
        &["krone", "krona", "koruna"]
    } else {
        &one
    };
    let cands: Vec<&Currency> = CURRENCIES
        .iter()
        .filter(|c| c.units.iter().any(|x| words.contains(x)))
        .collect();
    if cands.is_empty() {
        return None;
    }
    if let Some(cc) = adj.and_then(adjective_country)
        && let Some(c) = cands.iter().find(|c| c.countries.contains(&cc))
    {
        return Some(c.code);
    }
    if cands.len() == 1 {
        return Some(cands[0].code);
    }
    // the country of the sentence, else the one the paragraph names most ("120 billion pesos"
    // in a sentence about Argentina, "a 310 billion peso contract" in a paragraph on Santiago)
    if let Some((text, at)) = local {
        let (sentence, paragraph) = around(text, at);
        for (k, (s, e)) in [sentence, paragraph].into_iter().enumerate() {
            // one gazetteer pass over the window, not one per candidate currency
            let places: Vec<&str> = places_in(text::sub(text, s, e)).collect();
            let mut counts: Vec<(&Currency, usize)> = cands
                .iter()
                .map(|c| {
                    let n = places.iter().filter(|cc| c.countries.contains(cc)).count();
                    (*c, n)
                })
                .filter(|(_, n)| *n > 0)
                .collect();
            counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            match counts.as_slice() {
                [(c, _)] => return Some(c.code),
                [(c, a), (_, b), ..] if k == 1 && a > b => return Some(c.code),
                _ => {}
            }
        }
    }
    let named = named();
    let mut hit = cands
        .iter()
        .filter(|c| c.countries.iter().any(|x| named.contains(x)));
    if let (Some(c), None) = (hit.next(), hit.next()) {
        return Some(c.code);
    }
    default_currency(&u).or(Some(cands[0].code))
}

/// "¥": yen where its sentence, else its paragraph, names Japan or the yen and not China or
/// the yuan; else yuan ("Japan's yen was little changed at ¥147.6 per dollar").
fn yen_or_yuan(text: &str, at: usize) -> &'static str {
    let (sentence, paragraph) = around(text, at);
    for (s, e) in [sentence, paragraph] {
        let part = &text[s..e];
        let word = |w: &str| {
            part.match_indices(w).any(|(p, _)| {
                text::boundary_before(part, p) && text::boundary_after(part, p + w.len())
            })
        };
        let jp = ["Japan", "Japanese", "yen", "Tokyo", "Nikkei"]
            .iter()
            .any(|w| word(w));
        let cn = ["China", "Chinese", "yuan", "renminbi", "Beijing", "RMB"]
            .iter()
            .any(|w| word(w));
        match (jp, cn) {
            (true, false) => return "JPY",
            (false, true) => return "CNY",
            _ => {}
        }
    }
    "CNY"
}

/// The text and the byte offset of an amount, for a money word several countries use.
type Local<'t> = Option<(&'t str, usize)>;

/// The byte ranges of the sentence and of the paragraph around `at`.
/// The paragraph is looked at only within `AROUND` bytes on each side of the amount, so an
/// article of one huge paragraph full of amounts stays linear (a news paragraph is far
/// shorter). The sentence comes from the crate's one sentence splitter
/// ([`text::sentence_start_before`] / [`text::sentence_end_after`]).
fn around(text: &str, at: usize) -> ((usize, usize), (usize, usize)) {
    const AROUND: usize = 4096;
    let at = text.floor_char_boundary(at.min(text.len()));
    let lo = text.floor_char_boundary(at.saturating_sub(AROUND));
    let hi = text.ceil_char_boundary(at.saturating_add(AROUND).min(text.len()));
    let ps = text[lo..at].rfind('\n').map_or(lo, |p| lo + p + 1);
    let pe = text[at..hi].find('\n').map_or(hi, |p| at + p);
    let ss = text::sentence_start_before(text, at, at - ps).max(ps);
    let se = text::sentence_end_after(text, at, pe - at).min(pe).max(at);
    ((ss, se), (ps, pe))
}

/// The countries of the places and demonyms in `s`, one per mention.
fn places_in(s: &str) -> impl Iterator<Item = &'static str> + '_ {
    text::GAZ
        .find_iter(s)
        .filter(|(_, _, g)| {
            matches!(
                g.kind,
                text::GazKind::Country
                    | text::GazKind::Demonym
                    | text::GazKind::Capital
                    | text::GazKind::City
                    | text::GazKind::Region
            ) && !g.cc.is_empty()
        })
        .map(|(_, _, g)| g.cc)
}

/// The country of a nationality adjective or country name before a money word: the
/// gazetteer's demonyms ("Egyptian"), else a country's name with a demonym ending
/// ("Djiboutian" → Djibouti, "Nigerian" → Nigeria).
fn adjective_country(w: &str) -> Option<&'static str> {
    if let Some(g) = text::GAZ.get_word(w)
        && matches!(g.kind, text::GazKind::Country | text::GazKind::Demonym)
    {
        return Some(g.cc);
    }
    ["n", "an", "ian", "ese", "i", "ish"]
        .iter()
        .find_map(|suf| {
            let stem = w.strip_suffix(suf)?;
            text::GAZ
                .get(stem)
                .filter(|g| matches!(g.kind, text::GazKind::Country | text::GazKind::Capital))
                .map(|g| g.cc)
        })
}

/// Codes of the countries an article names (country names, demonyms, capitals, cities), for
/// money words and symbols several countries share.
fn named_countries(text: &str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = text::GAZ
        .find_iter(text)
        .filter(|(_, _, g)| {
            matches!(
                g.kind,
                text::GazKind::Country
                    | text::GazKind::Demonym
                    | text::GazKind::Capital
                    | text::GazKind::City
            ) && !g.cc.is_empty()
        })
        .map(|(_, _, g)| g.cc)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// ISO 4217 codes as a regex alternation ("KZT|MNT|..."), for "MNT 800 billion".
fn code_alternation() -> String {
    // not the codes that are English words in capitals ("TOP 10", "ALL 3")
    let mut v: Vec<&str> = CURRENCIES
        .iter()
        .map(|c| c.code)
        .filter(|c| {
            !matches!(
                *c,
                "ALL" | "TOP" | "CUP" | "PEN" | "MOP" | "BOB" | "SOS" | "BAM"
            )
        })
        .collect();
    v.sort_unstable();
    v.join("|")
}

static RE: LazyLock<Regex> = LazyLock::new(|| {
    let codes = code_alternation();
    Regex::new(&format!(
        r"
        (?P<cur>{PREFIX}|(?-u:\b)(?:{codes}))[ \t\r\n]?(?P<n1>{NUM})(?:[ \t\r\n]?(?P<s1>{SCALE})(?-u:\b))?
        |(?-u:\b)(?P<sym>K|R)(?P<n0>{NUM})(?:[ \t\r\n]?(?P<s0>{SCALE})(?-u:\b))?
        |(?P<n2>{NUM})(?:[ \t\r\n]?(?P<s2>{SCALE}))?[ \t\r\n](?P<cw>{CURWORDS})(?-u:\b)
        |(?P<n3>{NUM})[ \t\r\n]?(?:%|percent(?-u:\b)|per cent(?-u:\b)|pct(?-u:\b)|percentage points?(?-u:\b)|basis points?(?-u:\b))
        |(?P<n4>{NUM})(?:[ \t\r\n](?P<s4>trillion|billion|million|thousand|crores?|lakhs?|lacs?)(?-u:\b))?
        |(?-u:\b)(?P<a>a|one)[ \t\r\n](?P<s4b>trillion|billion|million|thousand)(?-u:\b)
        "
    ).lines().map(str::trim).collect::<String>())
    .expect("amount regex compiles")
});

/// The code of a money word after a number: "<adjective> <unit>" by the adjective's country
/// ("Egyptian pounds"), a unit several countries use by the country the article names
/// ("manat" in an article about Azerbaijan), else the fixed table below.
fn money_word<'a>(
    w: &str,
    named: &dyn Fn() -> &'a [&'static str],
    local: Local<'_>,
) -> &'static str {
    match w.rsplit_once(' ') {
        Some((adj, unit)) => {
            let adj = adj.rsplit(' ').next().unwrap_or(adj);
            let u = unit_form(unit);
            adjective_country(adj)
                .and_then(|cc| {
                    CURRENCIES
                        .iter()
                        .find(|c| c.units.contains(&u.as_str()) && c.countries.contains(&cc))
                })
                .map_or_else(|| currency_of_word(w), |c| c.code)
        }
        None => resolve_currency(None, w, named, local).unwrap_or_else(|| currency_of_word(w)),
    }
}

fn currency_of_word(w: &str) -> &'static str {
    let w = w.to_ascii_lowercase();
    let last = w.rsplit(' ').next().unwrap_or("");
    let first = w.split(' ').next().unwrap_or("");
    match last.trim_end_matches('s') {
        // the same word names the currencies of several countries
        "som" | "sum" | "soum" if first.starts_with("uzbek") => "UZS",
        "manat" if first.starts_with("azer") => "AZN",
        "rupee" if first == "pakistani" => "PKR",
        "rial" if first == "iranian" => "IRR",
        "dollar" if w.starts_with("hong kong") => "HKD",
        "dollar" if w.starts_with("canadian") => "CAD",
        "dollar" if w.starts_with("australian") => "AUD",
        "dollar" => "USD",
        "euro" => "EUR",
        "pound" | "sterling" => "GBP",
        "yuan" | "renminbi" => "CNY",
        "tenge" => "KZT",
        "som" => "KGS",
        "sum" | "soum" => "UZS",
        "ruble" | "rouble" => "RUB",
        "manat" => "TMT",
        "somoni" => "TJS",
        "rupee" => "INR",
        "yen" => "JPY",
        "lira" => "TRY",
        "dirham" => "AED",
        "riyal" => "SAR",
        "rial" => "IRR",
        "hryvnia" => "UAH",
        "lari" => "GEL",
        "dram" => "AMD",
        "won" => "KRW",
        "franc" => "CHF",
        "zloty" => "PLN",
        "afghani" => "AFN",
        _ => "USD",
    }
}

fn currency_of_prefix<'a>(p: &str, named: &dyn Fn() -> &'a [&'static str]) -> &'static str {
    if let Some(c) = CURRENCIES.iter().find(|c| c.code == p) {
        return c.code;
    }
    match p {
        "Rs" | "Rs." => return resolve_currency(None, "rupee", named, None).unwrap_or("INR"),
        "Rp" => return "IDR",
        "KSh" => return "KES",
        "Tk" => return "BDT",
        "₩" => return "KRW",
        "₦" => return "NGN",
        "₴" => return "UAH",
        "₪" => return "ILS",
        "₱" => return "PHP",
        "₫" => return "VND",
        "₾" => return "GEL",
        "฿" => return "THB",
        "NZ$" => return "NZD",
        "S$" => return "SGD",
        "R$" => return "BRL",
        _ => {}
    }
    match p {
        "€" | "EUR" => "EUR",
        "£" | "GBP" => "GBP",
        "¥" | "CNY" | "RMB" => "CNY",
        "₸" | "KZT" => "KZT",
        "₽" | "RUB" => "RUB",
        "₹" | "INR" => "INR",
        "₺" | "TRY" => "TRY",
        "C$" => "CAD",
        "A$" => "AUD",
        "HK$" => "HKD",
        "KGS" => "KGS",
        "UZS" => "UZS",
        "TJS" => "TJS",
        "TMT" => "TMT",
        "JPY" => "JPY",
        "CHF" => "CHF",
        "AZN" => "AZN",
        _ => "USD",
    }
}

fn scale(s: Option<&str>) -> f64 {
    match s.map(|s| s.to_ascii_lowercase()) {
        Some(s) => match s.as_str() {
            // Indian numbering: a crore is ten million, a lakh a hundred thousand
            "crore" | "crores" | "cr" => 1e7,
            "lakh" | "lakhs" | "lac" | "lacs" => 1e5,
            "trillion" | "tn" => 1e12,
            "billion" | "bn" | "bln" => 1e9,
            "million" | "mln" | "mn" | "m" => 1e6,
            "thousand" | "k" => 1e3,
            _ => 1.0,
        },
        None => 1.0,
    }
}

/// An amount as written, with its value and unit (the section is set by the extractor).
fn amount(text: &str, value: f64, unit: impl Into<String>) -> Amount {
    Amount {
        text: text.to_string(),
        value,
        unit: unit.into(),
        section: None,
    }
}

/// A number as written ("3,412.5"); `None` for one beyond `f64`'s range ("1e400" digits
/// parse to infinity), which is no amount.
fn parse_num(s: &str) -> Option<f64> {
    s.replace(',', "")
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

fn is_month(w: &str) -> bool {
    let l = w.trim_end_matches('.').to_ascii_lowercase();
    MONTHS.contains(&l.as_str())
}

const NUMBER_MARKERS: &[&str] = &[
    "section",
    "article",
    "no",
    "nos",
    "chapter",
    "paragraph",
    "part",
    "line",
    "route",
    "resolution",
    "law",
    "decree",
    "clause",
    "item",
    "page",
    "pages",
    "p",
    "pp",
    "vol",
    "volume",
    "number",
    "room",
    "flight",
    "highway",
    "gate",
    "platform",
    "code",
    "version",
    "model",
    "grade",
    "level",
    "phase",
    "stage",
    "episode",
    "season",
    "round",
    "week",
    "day",
    "act",
    "bill",
    "order",
    "case",
    "point",
];

/// The previous word before byte `i` (letters, digits and dots).
fn prev_word(text: &str, i: usize) -> &str {
    let before = text[..i].trim_end();
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '.'))
        .map_or(0, |p| {
            p + before[p..].chars().next().map_or(1, char::len_utf8)
        });
    &before[start..]
}

/// The words after byte `i` are capitalised modifiers ending in a lower-case plural noun
/// within three words ("4.5 million Central Asian migrants").
fn capitalised_modifiers(text: &str, i: usize) -> bool {
    let mut caps = 0;
    let line = &text[i..text[i..].find('\n').map_or(text.len(), |p| i + p)];
    for w in line.split(' ').skip(1).take(3) {
        let w = w.trim_end_matches([',', '.', ';', ':', ')']);
        if w.is_empty() {
            return false;
        }
        if text::is_cap(w) {
            caps += 1;
            continue;
        }
        return caps > 0 && w.len() > 3 && w.ends_with('s') && w.chars().all(char::is_alphabetic);
    }
    false
}

/// The counted noun after a number: up to three words, stopping at a stopword, punctuation or a
/// number; a trailing "-ing" word is dropped.
fn noun_after(text: &str, i: usize) -> Option<(String, usize)> {
    let rest = &text[i..];
    if !rest.starts_with(' ') {
        return None;
    }
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut pos = i;
    let cap_phrase = capitalised_modifiers(text, i);
    for _ in 0..3 {
        let r = &text[pos..];
        if !r.starts_with(' ') {
            break;
        }
        let ws = pos + 1;
        let len = text[ws..]
            .find(|c: char| !(c.is_alphabetic() || c == '-'))
            .unwrap_or(text.len() - ws);
        if len == 0 {
            break;
        }
        let w = &text[ws..ws + len];
        if (text::is_stopword(w) && w != "new")
            || is_month(w)
            || (words.is_empty()
                && !cap_phrase
                && text::is_cap(w)
                && crate::text::GAZ.get_word(w).is_none()
                && !(w.len() > 3 && w.ends_with('s')))
        {
            break;
        }
        // a verb after a plural noun ends the phrase ("citizens were", "firms displaying")
        if !words.is_empty() && (w.ends_with("ing") || w.ends_with("ed")) {
            break;
        }
        words.push((ws, ws + len));
        pos = ws + len;
        // a plural noun usually ends the phrase
        if (w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("ous"))
            || matches!(
                w,
                "people"
                    | "children"
                    | "men"
                    | "women"
                    | "police"
                    | "staff"
                    | "personnel"
                    | "cattle"
                    | "sheep"
                    | "livestock"
                    | "troops"
                    | "feet"
                    | "teeth"
                    | "mice"
                    | "geese"
            )
        {
            break;
        }
    }
    while let Some(&(s, e)) = words.last() {
        let w = &text[s..e];
        if w.ends_with("ing") || w.ends_with("ly") {
            words.pop();
        } else {
            break;
        }
    }
    let (&(s, _), &(_, e)) = (words.first()?, words.last()?);
    Some((text[s..e].to_string(), e))
}

/// A plural noun: "-s" (not "-ss", "-ous"), or an irregular plural ("people", "servicemen",
/// "staff").
fn plural_noun(w: &str) -> bool {
    (w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("ous"))
        || w.ends_with("men")
        || w.ends_with("people")
        || matches!(
            w,
            "children"
                | "police"
                | "staff"
                | "personnel"
                | "cattle"
                | "sheep"
                | "livestock"
                | "feet"
                | "teeth"
                | "mice"
                | "geese"
                | "fish"
                | "deer"
                | "aircraft"
                | "crew"
        )
}

/// Find amounts in `text`. Only amounts whose value is a finite number are kept: a number
/// scaled past `f64`'s range ("99999…9 trillion") is no amount, and JSON has no infinity (it
/// would be written as `null`).
pub fn find(text: &str, o: &AmountsOptions) -> Vec<(usize, Amount)> {
    let mut out = find_all(text, o);
    out.retain(|(_, a)| a.value.is_finite());
    out
}

/// Every amount in `text`, before [`find`]'s filter.
fn find_all(text: &str, o: &AmountsOptions) -> Vec<(usize, Amount)> {
    let mut out = Vec::new();
    // the countries the article names, looked up once and only when a money word or symbol
    // several countries share needs them
    let cell: std::cell::OnceCell<Vec<&'static str>> = std::cell::OnceCell::new();
    let named = || cell.get_or_init(|| named_countries(text)).as_slice();
    for c in RE.captures_iter(text) {
        let Some(m) = c.get(0) else {
            continue; // the whole match is always there
        };
        let (s, e) = (m.start(), m.end());
        // part of a longer token (ordinals, codes, times, decimals)
        let before = text[..s].chars().next_back();
        let after = text[e..].chars().next();
        if before.is_some_and(|ch| ch.is_alphanumeric() || ch == '.' || ch == ':' || ch == '/')
            || after.is_some_and(|ch| ch.is_alphanumeric() || ch == ':' || ch == '/')
        {
            continue;
        }
        // phone numbers and other digit groups: "+996 312 62 10 10"
        if text[..s].ends_with('+')
            || (text[..s].ends_with(' ') && text[..s - 1].ends_with(|ch: char| ch.is_ascii_digit()))
            || (text[e..].starts_with(' ')
                && text[e + 1..].starts_with(|ch: char| ch.is_ascii_digit())
                && !m.as_str().ends_with(|ch: char| ch.is_alphabetic()))
        {
            continue;
        }
        // a model or code number ("BN-350", "Su-27", "COVID-19") or one end of a bare
        // number range; "$5 million-$10 million" and "20%-30%" are two amounts
        let bare = c.name("n4").is_some() && c.name("s4").is_none();
        if bare
            && text[..s].ends_with('-')
            && text[..s - 1]
                .chars()
                .next_back()
                .is_some_and(|ch| ch.is_alphanumeric())
        {
            continue;
        }
        if bare
            && text[e..].starts_with('-')
            && text[e + 1..].starts_with(|ch: char| ch.is_ascii_digit())
        {
            continue;
        }
        if let Some(cur) = c.name("cur") {
            if !o.money {
                continue;
            }
            let Some(v) = parse_num(&c["n1"]) else {
                continue;
            };
            let p = cur.as_str().trim();
            let code = if p == "¥" {
                yen_or_yuan(text, s)
            } else {
                currency_of_prefix(p, &named)
            };
            out.push((
                s,
                amount(
                    m.as_str(),
                    v * scale(c.name("s1").map(|x| x.as_str())),
                    code,
                ),
            ));
        } else if let Some(sym) = c.name("sym") {
            // "K2.5 billion" (kwacha, kina, kyat), "R5bn" (rand), "KSh 300": only where the
            // article names a country of that money
            if !o.money {
                continue;
            }
            let units: &[&str] = match sym.as_str() {
                "K" => &["kwacha", "kina", "kyat"],
                _ => &["rand"],
            };
            let n = named();
            let code = CURRENCIES
                .iter()
                .filter(|c| c.units.iter().any(|u| units.contains(u)))
                .find(|c| c.countries.iter().any(|x| n.contains(x)))
                .map(|c| c.code);
            let (Some(code), Some(v)) = (code, parse_num(&c["n0"])) else {
                continue;
            };
            out.push((
                s,
                amount(
                    m.as_str(),
                    v * scale(c.name("s0").map(|x| x.as_str())),
                    code,
                ),
            ));
        } else if let Some(n) = c.name("n2") {
            if !o.money {
                continue;
            }
            let Some(v) = parse_num(n.as_str()) else {
                continue;
            };
            out.push((
                s,
                amount(
                    m.as_str(),
                    v * scale(c.name("s2").map(|x| x.as_str())),
                    money_word(&c["cw"], &named, Some((text, s))),
                ),
            ));
        } else if let Some(n) = c.name("n3") {
            if !o.percent {
                continue;
            }
            let Some(v) = parse_num(n.as_str()) else {
                continue;
            };
            out.push((
                s,
                amount(
                    m.as_str(),
                    v,
                    if m.as_str().contains("basis point") {
                        "basis points"
                    } else if m.as_str().ends_with("point") || m.as_str().ends_with("points") {
                        "percentage points"
                    } else {
                        "percent"
                    },
                ),
            ));
        } else {
            if !o.counts {
                continue;
            }
            let numtxt = c.name("n4").map(|x| x.as_str());
            let sc = c.name("s4").or(c.name("s4b")).map(|x| x.as_str());
            if numtxt.is_none() && sc.is_none() {
                continue; // "a" / "one" alone
            }
            let v = match numtxt {
                Some(t) => match parse_num(t) {
                    Some(v) => v,
                    None => continue,
                },
                None => 1.0,
            } * scale(sc);
            let nstart = c.name("n4").or(c.name("a")).map_or(s, |x| x.start());
            let pw = prev_word(text, nstart);
            if is_month(pw)
                || NUMBER_MARKERS.contains(&pw.trim_end_matches('.').to_ascii_lowercase().as_str())
            {
                continue;
            }
            if let Some(t) = numtxt {
                let plain = !t.contains([',', '.']);
                // years
                if plain && t.len() == 4 && (1800.0..=2100.0).contains(&v) && sc.is_none() {
                    continue;
                }
                // day before a month ("19 June")
                let next = text[e..]
                    .trim_start()
                    .split(|ch: char| !ch.is_alphabetic())
                    .next()
                    .unwrap_or("");
                if is_month(next) {
                    continue;
                }
            }
            // clock times ("8 p.m.", "6pm", "10 o'clock")
            let after_num = text[e..].trim_start_matches(' ');
            if [
                "a.m",
                "p.m",
                "am ",
                "pm ",
                "am.",
                "pm.",
                "am,",
                "pm,",
                "o'clock",
                "o’clock",
                "GMT",
                "UTC",
            ]
            .iter()
            .any(|p| after_num.starts_with(p))
            {
                continue;
            }
            match noun_after(text, e) {
                Some((noun, ne)) => {
                    let ms = nstart;
                    let t = &text[ms..ne];
                    if sc.is_none() && numtxt.is_none() {
                        continue;
                    }
                    let lower = noun.to_lowercase();
                    // "1.5 trillion tugriks", "18.6 billion Egyptian pounds": money
                    let (adj, unit) = match noun.rsplit_once(' ') {
                        Some((a, u)) => (Some(a.rsplit(' ').next().unwrap_or(a)), u),
                        None => (None, noun.as_str()),
                    };
                    // the adjective must be a country's ("Egyptian pounds"), not any word
                    // ("heavy pounds")
                    if let Some(code) = resolve_currency(adj, unit, &named, Some((text, s)))
                        && adj.is_none_or(|a| adjective_country(a).is_some())
                    {
                        if o.money {
                            out.push((ms, amount(t, v, code)));
                        }
                        continue;
                    }
                    // "a 310 billion peso contract": a money word before the noun it
                    // qualifies
                    let first = noun.split(' ').next().unwrap_or("");
                    if first.len() < noun.len()
                        && MONEY_UNITS.contains(unit_form(first).as_str())
                        && let Some(code) = resolve_currency(None, first, &named, Some((text, s)))
                    {
                        if o.money {
                            out.push((ms, amount(&text[ms..e + 1 + first.len()], v, code)));
                        }
                        continue;
                    }
                    // "the 10 millionth passenger": an ordinal
                    if first.ends_with("th")
                        && ["million", "billion", "thousand", "hundred", "trillion"]
                            .iter()
                            .any(|x| first.starts_with(x))
                    {
                        continue;
                    }
                    // durations are not counts ("24 hours", "15 years")
                    let unit = unit.to_lowercase();
                    if matches!(
                        unit.as_str(),
                        "second"
                            | "seconds"
                            | "minute"
                            | "minutes"
                            | "hour"
                            | "hours"
                            | "day"
                            | "days"
                            | "week"
                            | "weeks"
                            | "month"
                            | "months"
                            | "year"
                            | "years"
                            | "decade"
                            | "decades"
                            | "century"
                            | "centuries"
                            | "night"
                            | "nights"
                    ) {
                        continue;
                    }
                    // "the Power of Siberia 2 pipeline", "Line 3 station": a number before a
                    // singular noun names a thing, it counts nothing
                    let last = unit.rsplit(' ').next().unwrap_or("");
                    if v > 1.0 && last.len() > 3 && !plural_noun(last) {
                        continue;
                    }
                    out.push((ms, amount(t, v, lower)));
                }
                None => {
                    if !o.bare_numbers || numtxt.is_none() {
                        continue;
                    }
                    let in_parens = text[..s].ends_with('(') && text[e..].starts_with(')');
                    let t = numtxt.unwrap_or_default();
                    if !(in_parens || v >= 100.0 || t.contains(',') || sc.is_some()) {
                        continue;
                    }
                    let ms = nstart;
                    // "24 percent (3,412) of the foreign workers": the noun after the
                    // parenthesis is what was counted
                    let unit = in_parens
                        .then(|| {
                            let r = &text[e + 1..];
                            let skip = [" of the", " of"]
                                .iter()
                                .find(|p| r.starts_with(**p) && r[p.len()..].starts_with(' '))?;
                            noun_after(text, e + 1 + skip.len())
                                .filter(|(n, _)| n.ends_with('s') || n.contains(' '))
                        })
                        .flatten()
                        .map(|(n, _)| n.to_lowercase())
                        .or_else(|| {
                            // "more than 150,000 vehicles ..., up from about 95,000": the
                            // count noun of the same sentence
                            let (at, prev) = out.last()?;
                            let between = &text[*at..s];
                            (prev.unit != "count"
                                && !prev.unit.starts_with("percent")
                                && prev.unit.chars().any(char::is_lowercase)
                                && !between.contains(". ")
                                && !between.contains('\n')
                                && !in_parens)
                                .then(|| prev.unit.clone())
                        })
                        .unwrap_or_else(|| "count".to_string());
                    out.push((ms, amount(&text[ms..e], v, unit)));
                }
            }
        }
    }
    out
}

impl SyncExtractor for Amounts {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        let found = find(&item.text, &self.0);
        let v = found
            .into_iter()
            .map(|(off, mut a)| {
                a.section = crate::section_at(item, off);
                a
            })
            .collect();
        item.amounts = Some(v);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
