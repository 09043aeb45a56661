//! Counts with their noun ("14,286 foreign citizens", "3.4 million tonnes"), bare numbers,
//! and what is no count: years, days of dates, clock times, durations, ordinals, numbers that
//! name a thing. [`count`] is the handler of the forms `number_scale_word`, `number` and
//! `a_scale_word`; the rule it returns says which of its cases decided.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Captures;

use super::forms::{Found, Scan, amount};
use super::money::{MONEY_UNITS, adjective_country, resolve_currency, unit_form};
use crate::lexicon::Lexicon;
use crate::text;

/// A number as written: "3,412.5", "1,000", "12.5", "7".
pub(crate) const NUM: &str = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?";

pub(crate) fn scale(s: Option<&str>) -> f64 {
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

/// A number as written ("3,412.5"); `None` for one beyond `f64`'s range ("1e400" digits
/// parse to infinity), which is no amount.
pub(crate) fn parse_num(s: &str) -> Option<f64> {
    s.replace(',', "")
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
}

static MONTH_NAMES: LazyLock<Lexicon> = crate::lexicon!("month_names");
static MONTH_ABBREVIATIONS: LazyLock<Lexicon> = crate::lexicon!("month_abbreviations");
static NUMBER_MARKERS: LazyLock<Lexicon> = crate::lexicon!("amounts_number_markers");
static DURATIONS: LazyLock<Lexicon> = crate::lexicon!("amounts_durations");
static PHRASE_END_NOUNS: LazyLock<Lexicon> = crate::lexicon!("amounts_count_nouns_ending_phrase");
static IRREGULAR_PLURALS: LazyLock<Lexicon> = crate::lexicon!("amounts_irregular_plurals");
static MEASURE_UNITS: LazyLock<Lexicon> = crate::lexicon!("amounts_measure_units");

/// The month names and abbreviations in lower case ("january", "sept").
static MONTHS: LazyLock<HashSet<String, text::Fx>> = LazyLock::new(|| {
    MONTH_NAMES
        .iter()
        .chain(MONTH_ABBREVIATIONS.iter())
        .map(str::to_ascii_lowercase)
        .collect()
});

/// `w` is a month's name or abbreviation, in any case, with or without a dot.
fn is_month(w: &str) -> bool {
    let l = w.trim_end_matches('.').to_ascii_lowercase();
    MONTHS.contains(l.as_str())
}

/// The previous word before byte `i` (letters, digits and dots).
fn prev_word(text: &str, i: usize) -> &str {
    let before = text::sub(text, 0, i).trim_end();
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '.'))
        .map_or(0, |p| {
            p + before
                .get(p..)
                .and_then(|r| r.chars().next())
                .map_or(1, char::len_utf8)
        });
    before.get(start..).unwrap_or("")
}

/// The words after byte `i` are capitalised modifiers ending in a lower-case plural noun
/// within three words ("4.5 million Central Asian migrants").
fn capitalised_modifiers(text: &str, i: usize) -> bool {
    let mut caps = 0;
    // Four words at most are read: a bounded window, not the rest of the line (a page of
    // one 5 MB line made each number scan to its end).
    let rest = text.get(i..).unwrap_or("");
    let window = text::sub(rest, 0, rest.floor_char_boundary(rest.len().min(256)));
    let line = window.split('\n').next().unwrap_or("");
    for w in line.split(' ').skip(1).take(3) {
        let w = w.trim_end_matches([',', '.', ';', ':', ')']);
        if w.is_empty() {
            return false;
        }
        if text::is_cap(w) {
            caps += 1;
            // "30,000 New Zealanders", "40 Labour MPs": a capitalised plural ends the phrase
            if w.len() > 2
                && w.ends_with('s')
                && !w.ends_with("ss")
                && w.chars().all(char::is_alphabetic)
                && caps > 1
            {
                return true;
            }
            continue;
        }
        return caps > 0 && w.len() > 3 && w.ends_with('s') && w.chars().all(char::is_alphabetic);
    }
    false
}

/// The counted noun after a number: up to three words, stopping at a stopword, punctuation or a
/// number; a trailing "-ing" word is dropped.
fn noun_after(text: &str, i: usize) -> Option<(String, usize)> {
    let rest = text.get(i..).unwrap_or("");
    if !rest.starts_with(' ') {
        return None;
    }
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut pos = i;
    let cap_phrase = capitalised_modifiers(text, i);
    for _ in 0..3 {
        let r = text.get(pos..).unwrap_or("");
        if !r.starts_with(' ') {
            break;
        }
        let ws = pos + 1;
        let tail = text.get(ws..).unwrap_or("");
        let len = tail
            .find(|c: char| !(c.is_alphabetic() || c == '-'))
            .unwrap_or(tail.len());
        if len == 0 {
            break;
        }
        let w = text::sub(text, ws, ws + len);
        if (text::is_stopword(w) && !w.eq_ignore_ascii_case("new"))
            || is_month(w)
            || (words.is_empty()
                && !cap_phrase
                && text::is_cap(w)
                && text::GAZ.get_word(w).is_none()
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
            || PHRASE_END_NOUNS.contains(w)
        {
            break;
        }
    }
    while let Some(&(s, e)) = words.last() {
        let w = text::sub(text, s, e);
        if w.ends_with("ing") || w.ends_with("ly") {
            words.pop();
        } else {
            break;
        }
    }
    let (&(s, _), &(_, mut e)) = (words.first()?, words.last()?);
    // "1.5 degrees Celsius": the scale of the degrees is part of the unit
    let after = text.get(e..).unwrap_or("");
    if let Some(scale) = [" Celsius", " Fahrenheit"].iter().find(|x| {
        after.starts_with(**x)
            && !after
                .get(x.len()..)
                .is_some_and(|r| r.starts_with(char::is_alphanumeric))
    }) && text::sub(text, s, e).ends_with("degrees")
    {
        e += scale.len();
    }
    Some((text::sub(text, s, e).to_string(), e))
}

/// A plural noun: "-s" (not "-ss", "-ous"), or an irregular plural ("people", "servicemen",
/// "staff").
fn plural_noun(w: &str) -> bool {
    (w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("ous"))
        || w.ends_with("men")
        || w.ends_with("people")
        || IRREGULAR_PLURALS.contains(w)
}

/// Words after a number that make it a clock time ("8 p.m.", "6pm", "10 o'clock").
const CLOCK: &[&str] = &[
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
];

/// The handler of the forms `number_scale_word`, `number` and `a_scale_word`: a count with
/// its noun, money after all ("1.5 trillion tugriks"), a bare number, or nothing. The rule
/// returned is the case that decided: `count_noun`, `money_noun`, `money_word_before_noun`,
/// `bare_number`, `bare_number_of_noun` or `bare_number_after_count`.
pub(crate) fn count(
    scan: &Scan<'_>,
    c: &Captures<'_>,
    out: &[Found],
    _form: &'static str,
) -> Option<Found> {
    let (text, o) = (scan.text, scan.o);
    let m = c.get(0)?;
    let (s, e) = (m.start(), m.end());
    let numtxt = c.name("num").map(|x| x.as_str());
    let sc = c.name("scale").map(|x| x.as_str());
    // a model or code number ("BN-350", "Su-27", "COVID-19") or one end of a bare number
    // range; "$5 million-$10 million" and "20%-30%" are two amounts
    if numtxt.is_some() && sc.is_none() {
        let head = text::sub(text, 0, s);
        let tail = text.get(e..).unwrap_or("");
        if head
            .strip_suffix('-')
            .and_then(|h| h.chars().next_back())
            .is_some_and(|ch| ch.is_alphanumeric())
        {
            return None;
        }
        if tail
            .strip_prefix('-')
            .is_some_and(|r| r.starts_with(|ch: char| ch.is_ascii_digit()))
        {
            return None;
        }
    }
    if !o.counts {
        return None;
    }
    if numtxt.is_none() && sc.is_none() {
        return None; // "a" / "one" alone
    }
    let v = match (numtxt, c.name("sp")) {
        (Some(t), _) => parse_num(t)?,
        (None, Some(w)) => super::forms::spelled_value(w.as_str())?,
        (None, None) => 1.0,
    } * scale(sc);
    let nstart = c
        .name("num")
        .or(c.name("a"))
        .or(c.name("sp"))
        .map_or(s, |x| x.start());
    let pw = prev_word(text, nstart);
    if is_month(pw) || NUMBER_MARKERS.contains(&pw.trim_end_matches('.').to_ascii_lowercase()) {
        return None;
    }
    let rest = text.get(e..).unwrap_or("");
    if let Some(t) = numtxt {
        let plain = !t.contains([',', '.']);
        // years
        if plain && t.len() == 4 && (1800.0..=2100.0).contains(&v) && sc.is_none() {
            return None;
        }
        // day before a month ("19 June")
        let next = rest
            .trim_start()
            .split(|ch: char| !ch.is_alphabetic())
            .next()
            .unwrap_or("");
        if is_month(next) {
            return None;
        }
    }
    // clock times ("8 p.m.", "6pm", "10 o'clock")
    let after_num = rest.trim_start_matches(' ');
    if CLOCK.iter().any(|p| after_num.starts_with(p)) {
        return None;
    }
    let found = |t: &str, v: f64, unit: &str, rule: &'static str| {
        Some(Found {
            at: nstart,
            amount: amount(t, v, unit),
            rule,
        })
    };
    // "a 1,200-kilometre pipeline", "a 150-foot tower": a measure in its plural unit
    if sc.is_none()
        && let Some((unit, ue)) = hyphenated_measure(text, e)
    {
        return found(text::sub(text, nstart, ue), v, &unit, "hyphenated_measure");
    }
    // "26,000 people, 9,500 of them in North America", "9,500 of them were foreign workers"
    if let Some(r) = rest.strip_prefix(" of them")
        && r.starts_with([' ', ',', '.', ';'])
        && let Some((unit, rule)) = of_them_noun(text, e + " of them".len(), s, out)
    {
        return found(text::sub(text, nstart, e), v, &unit, rule);
    }
    let Some((noun, ne)) = noun_after(text, e) else {
        return bare_number(scan, c, out, numtxt?, v, sc);
    };
    // "98 cents": hundredths of the article's dollar or euro
    if matches!(noun.as_str(), "cents" | "cent") {
        return if o.money {
            let code = super::money::cents_currency(scan.article_currency());
            found(text::sub(text, nstart, ne), v / 100.0, code, "cents")
        } else {
            None
        };
    }
    let t = text::sub(text, nstart, ne);
    let lower = noun.to_lowercase();
    // "1.5 trillion tugriks", "18.6 billion Egyptian pounds": money
    let (adj, unit) = match noun.rsplit_once(' ') {
        Some((a, u)) => (Some(a.rsplit(' ').next().unwrap_or(a)), u),
        None => (None, noun.as_str()),
    };
    let named = || scan.named();
    // the adjective must be a country's ("Egyptian pounds"), not any word ("heavy pounds")
    if let Some(code) = resolve_currency(adj, unit, &named, Some((text, s)))
        && adj.is_none_or(|a| adjective_country(a).is_some())
    {
        return if o.money {
            found(t, v, code, "money_noun")
        } else {
            None
        };
    }
    // "a 310 billion peso contract": a money word before the noun it qualifies
    let first = noun.split(' ').next().unwrap_or("");
    if first.len() < noun.len()
        && MONEY_UNITS.contains(unit_form(first).as_str())
        && let Some(code) = resolve_currency(None, first, &named, Some((text, s)))
    {
        return if o.money {
            found(
                text::sub(text, nstart, e + 1 + first.len()),
                v,
                code,
                "money_word_before_noun",
            )
        } else {
            None
        };
    }
    // "the 10 millionth passenger": an ordinal
    if first.ends_with("th")
        && ["million", "billion", "thousand", "hundred", "trillion"]
            .iter()
            .any(|x| first.starts_with(x))
    {
        return None;
    }
    // durations are not counts ("24 hours", "15 years")
    let unit = unit.to_lowercase();
    if DURATIONS.contains(&unit) {
        return None;
    }
    // "the Power of Siberia 2 pipeline", "Line 3 station": a number before a singular noun
    // names a thing, it counts nothing
    let last = unit.rsplit(' ').next().unwrap_or("");
    if v > 1.0 && last.len() > 3 && !plural_noun(last) {
        return None;
    }
    // a score line ("Leeds 2 Newcastle 0", "1 Tottenham Hotspur"): a number before a name
    // that is no plural counts nothing; "1.6 times" is a ratio
    if (noun.starts_with(char::is_uppercase) && !plural_noun(last)) || unit == "times" {
        return None;
    }
    found(t, v, &lower, "count_noun")
}

/// A unit of measure hyphenated after a number, before the noun it measures ("1,200-kilometre
/// pipeline", "250,000-barrel-a-day plant"): the plural unit ([`MEASURE_UNITS`]) and the end
/// of the unit word. Not an age or a duration ("32-year-old": no measure).
fn hyphenated_measure(text: &str, e: usize) -> Option<(String, usize)> {
    let r = text.get(e..)?.strip_prefix('-')?;
    let len = r
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(r.len());
    let w = text::sub(r, 0, len);
    let after = text::sub(r, len, r.len());
    if !(after.starts_with(' ') || after.starts_with('-')) {
        return None;
    }
    let plural = MEASURE_UNITS.iter().find_map(|entry| {
        let mut parts = entry.split(' ');
        let singular = parts.next()?;
        (singular == w).then(|| {
            parts
                .next()
                .map_or_else(|| format!("{singular}s"), str::to_string)
        })
    })?;
    Some((plural, e + 1 + len))
}

/// The noun of "N of them": the plural noun phrase the clause gives after it ("9,500 of them
/// were foreign workers"), else the noun of the first count of the sentence holding the latest
/// count before (in this sentence or the one before it: "employs 26,000 people, 9,500 of them
/// in North America", "enrolled 12,400 patients at 310 hospitals. Some 9,500 of them had").
fn of_them_noun(
    text: &str,
    after: usize,
    s: usize,
    out: &[Found],
) -> Option<(String, &'static str)> {
    let r = text.get(after..).unwrap_or("");
    for verb in [" were", " are", " was", " is"] {
        if let Some(x) = r.strip_prefix(verb)
            && x.starts_with(' ')
            && let Some((n, _)) = noun_after(text, after + verb.len())
            && plural_noun(n.rsplit(' ').next().unwrap_or(""))
        {
            return Some((n.to_lowercase(), "of_them_noun_after"));
        }
    }
    let is_count = |f: &Found| {
        let u = &f.amount.unit;
        u != "count" && !u.starts_with("percent") && u.chars().any(char::is_lowercase)
    };
    let boundary = |a: usize, b: usize| {
        let between = text::sub(text, a, b);
        between.matches(". ").count() + between.matches("? ").count()
    };
    let k = out.iter().rposition(is_count)?;
    let last = &out[k];
    // the count divided is in this sentence or the one before: within 600 bytes
    if s.saturating_sub(last.at) > 600 {
        return None;
    }
    let between = text::sub(text, last.at, s);
    if between.contains('\n') || boundary(last.at, s) > 1 {
        return None;
    }
    // the first count of that sentence
    let mut first = k;
    while first > 0 {
        let p = &out[first - 1];
        if last.at.saturating_sub(p.at) > 600
            || !is_count(p)
            || boundary(p.at, last.at) > 0
            || text::sub(text, p.at, last.at).contains('\n')
        {
            break;
        }
        first -= 1;
    }
    Some((out[first].amount.unit.clone(), "of_them_antecedent"))
}

/// A number with no noun after it, with `bare_numbers: true`: in parentheses, or of 100 or
/// more, or with a thousands separator or a scale. Its unit is the noun after "(3,412) of the"
/// (`bare_number_of_noun`), else the noun of the count before it in the same sentence
/// (`bare_number_after_count`), else `count` (`bare_number`).
fn bare_number(
    scan: &Scan<'_>,
    c: &Captures<'_>,
    out: &[Found],
    t: &str,
    v: f64,
    sc: Option<&str>,
) -> Option<Found> {
    let text = scan.text;
    if !scan.o.bare_numbers {
        return None;
    }
    let m = c.get(0)?;
    let (s, e) = (m.start(), m.end());
    let in_parens = text::sub(text, 0, s).ends_with('(') && text.get(e..)?.starts_with(')');
    if !(in_parens || v >= 100.0 || t.contains(',') || sc.is_some()) {
        return None;
    }
    let ms = c.name("num").map_or(s, |x| x.start());
    // "24 percent (3,412) of the foreign workers": the noun after the parenthesis is what
    // was counted
    let of_noun = in_parens
        .then(|| {
            let r = text.get(e + 1..)?;
            let skip = [" of the", " of"].iter().find(|p| {
                r.starts_with(**p) && r.get(p.len()..).is_some_and(|x| x.starts_with(' '))
            })?;
            noun_after(text, e + 1 + skip.len())
                .filter(|(n, _)| n.ends_with('s') || n.contains(' '))
        })
        .flatten()
        .map(|(n, _)| n.to_lowercase());
    let (unit, rule) = match of_noun {
        Some(n) => (n, "bare_number_of_noun"),
        None => {
            // "more than 150,000 vehicles ..., up from about 95,000": the count noun of the
            // same sentence
            let elided = out.last().and_then(|prev| {
                let between = text::sub(text, prev.at, s);
                let u = &prev.amount.unit;
                (u != "count"
                    && !u.starts_with("percent")
                    && u.chars().any(char::is_lowercase)
                    && !between.contains(". ")
                    && !between.contains('\n')
                    && !in_parens)
                    .then(|| u.clone())
            });
            match elided {
                Some(u) => (u, "bare_number_after_count"),
                None => ("count".to_string(), "bare_number"),
            }
        }
    };
    Some(Found {
        at: ms,
        amount: amount(text::sub(text, ms, e), v, unit),
        rule,
    })
}
