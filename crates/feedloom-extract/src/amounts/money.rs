//! Which money: ISO 4217 codes from `data/currencies.tsv`, money symbols and words, and the
//! country an article, a paragraph or a sentence is about for money several countries use.

use std::sync::LazyLock;

use crate::lexicon::Lexicon;
use crate::text;

static CODES_NOT_CURRENCY: LazyLock<Lexicon> = crate::lexicon!("amounts_codes_not_currency");
static YEN_WORDS: LazyLock<Lexicon> = crate::lexicon!("amounts_yen_words");
static BARE_DOLLAR: LazyLock<Lexicon> = crate::lexicon!("amounts_bare_dollar_countries");
static YUAN_WORDS: LazyLock<Lexicon> = crate::lexicon!("amounts_yuan_words");

/// ISO 4217 money (`data/currencies.tsv`, see the README): code, the words that name it,
/// the countries that use it.
pub(crate) struct Currency {
    pub(crate) code: &'static str,
    pub(crate) units: Vec<&'static str>,
    pub(crate) countries: Vec<&'static str>,
}

pub(crate) static CURRENCIES: LazyLock<Vec<Currency>> = LazyLock::new(|| {
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
pub(crate) static MONEY_UNITS: LazyLock<std::collections::HashSet<&'static str, text::Fx>> =
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
        "pound" | "sterling" | "stg" => "GBP",
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
pub(crate) fn unit_form(w: &str) -> String {
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
pub(crate) fn resolve_currency<'a>(
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
pub(crate) fn yen_or_yuan(text: &str, at: usize) -> &'static str {
    let (sentence, paragraph) = around(text, at);
    for (s, e) in [sentence, paragraph] {
        let part = text::sub(text, s, e);
        let word = |w: &str| {
            part.match_indices(w).any(|(p, _)| {
                text::boundary_before(part, p) && text::boundary_after(part, p + w.len())
            })
        };
        let jp = YEN_WORDS.iter().any(word);
        let cn = YUAN_WORDS.iter().any(word);
        match (jp, cn) {
            (true, false) => return "JPY",
            (false, true) => return "CNY",
            _ => {}
        }
    }
    "CNY"
}

/// The text and the byte offset of an amount, for a money word several countries use.
pub(crate) type Local<'t> = Option<(&'t str, usize)>;

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
    let ps = text::sub(text, lo, at)
        .rfind('\n')
        .map_or(lo, |p| lo + p + 1);
    let pe = text::sub(text, at, hi).find('\n').map_or(hi, |p| at + p);
    let ss = text::sentence_start_before(text, at, at - ps).max(ps);
    let se = text::sentence_end_after(text, at, pe - at).min(pe).max(at);
    ((ss, se), (ps, pe))
}

/// The countries of the places and demonyms in `s`, one per mention (regions included).
fn places_in(s: &str) -> impl Iterator<Item = &'static str> + '_ {
    gazetteer_countries(s, true)
}

/// The country of every gazetteer country, demonym, capital and city in `s` (and region, with
/// `regions`), one per mention.
fn gazetteer_countries(s: &str, regions: bool) -> impl Iterator<Item = &'static str> + '_ {
    text::GAZ
        .find_iter(s)
        .filter(move |(_, _, g)| {
            let kind = match g.kind {
                text::GazKind::Country
                | text::GazKind::Demonym
                | text::GazKind::Capital
                | text::GazKind::City => true,
                text::GazKind::Region => regions,
                _ => false,
            };
            kind && !g.cc.is_empty()
        })
        .map(|(_, _, g)| g.cc)
}

/// The country of a nationality adjective or country name before a money word: the
/// gazetteer's demonyms ("Egyptian"), else a country's name with a demonym ending
/// ("Djiboutian" → Djibouti, "Nigerian" → Nigeria).
pub(crate) fn adjective_country(w: &str) -> Option<&'static str> {
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

/// The money of the country an article names most (country names, demonyms, capitals and
/// cities; the first of a tie), when it names it more often than the United States: what a
/// bare `$` or "cents" is in a story from Australia, Canada or Ireland. `None` when the US is
/// named as often or the article names no country.
pub(crate) fn article_currency(text: &str) -> Option<&'static str> {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for cc in gazetteer_countries(text, false) {
        match counts.iter_mut().find(|(c, _)| *c == cc) {
            Some((_, n)) => *n += 1,
            None => counts.push((cc, 1)),
        }
    }
    let us = counts
        .iter()
        .find(|(c, _)| *c == "US")
        .map_or(0, |(_, n)| *n);
    let mut top: Option<(&'static str, usize)> = None;
    for &(c, n) in &counts {
        if top.is_none_or(|(_, m)| n > m) {
            top = Some((c, n));
        }
    }
    let (cc, n) = top?;
    if cc == "US" || n <= us {
        return None;
    }
    // a country's own money before the US dollar it may also use
    CURRENCIES
        .iter()
        .filter(|c| c.countries.contains(&cc))
        .min_by_key(|c| c.code == "USD")
        .map(|c| c.code)
}

/// The money a bare `$` is: the article's money when it is the dollar of a country whose
/// press writes it as `$` (`data/lexicons/amounts_bare_dollar_countries.txt`; `article` from
/// [`article_currency`]), else the US dollar.
pub(crate) fn local_dollar(article: Option<&'static str>) -> &'static str {
    article
        .filter(|code| {
            CURRENCIES.iter().any(|c| {
                c.code == *code
                    && c.units.contains(&"dollar")
                    && c.countries.iter().any(|cc| BARE_DOLLAR.contains(cc))
            })
        })
        .unwrap_or("USD")
}

/// The money "cents" are hundredths of: the article's money when it is a dollar or the euro,
/// else the US dollar.
pub(crate) fn cents_currency(article: Option<&'static str>) -> &'static str {
    match article {
        Some("EUR") => "EUR",
        a => local_dollar(a),
    }
}

/// Codes of the countries an article names (country names, demonyms, capitals, cities), for
/// money words and symbols several countries share.
pub(crate) fn named_countries(text: &str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = gazetteer_countries(text, false).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// ISO 4217 codes as a regex alternation ("KZT|MNT|..."), for "MNT 800 billion".
pub(crate) fn code_alternation() -> String {
    // not the codes that are English words in capitals ("TOP 10", "ALL 3")
    let mut v: Vec<&str> = CURRENCIES
        .iter()
        .map(|c| c.code)
        .filter(|c| !CODES_NOT_CURRENCY.contains(c))
        .collect();
    v.sort_unstable();
    v.join("|")
}

/// The code of a money word after a number: "<adjective> <unit>" by the adjective's country
/// ("Egyptian pounds"), a unit several countries use by the country the article names
/// ("manat" in an article about Azerbaijan), else the fixed table below.
pub(crate) fn money_word<'a>(
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
        "pound" | "sterling" | "stg" => "GBP",
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

pub(crate) fn currency_of_prefix<'a>(
    p: &str,
    named: &dyn Fn() -> &'a [&'static str],
) -> &'static str {
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
