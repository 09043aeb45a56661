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
//! - A bare `$` is the dollar of the country the article names most (more often than the
//!   United States) when that country's press writes its dollar as `$`
//!   (`amounts_bare_dollar_countries`: Australia, Canada, New Zealand, ...), else USD; "98
//!   cents" is 0.98 of that dollar or of the euro. "23,000 pounds of hydrocarbons" is a weight.
//! - Abbreviated multipliers on counts ("79 mln tonnes", "2.4 mln people") and spelled numbers
//!   before a multiplier ("some three million barrels" → 3000000 `barrels`); a measure
//!   hyphenated before its noun in the plural unit ("a 1,200-kilometre pipeline" → 1200
//!   `kilometres`, "a 150-foot tower" → `feet`; `amounts_measure_units`); "9,500 of them were
//!   foreign workers" → `foreign workers`, and with no noun after it the noun of the first
//!   count of the sentence it divides ("employs 26,000 people, 9,500 of them in Ohio" →
//!   `people`). A score line ("Arsenal 1 Tottenham Hotspur 1") and "1.6 times" count nothing.
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
//!
//! Where things are: each way an amount is written is one entry of the table in `forms.rs`
//! (name, pattern, handler; e.g. `currency_symbol_before`, `currency_word_after`, `percent`,
//! `number`), tried in the table's order; which money a symbol or word is in `money.rs`;
//! counts and what is no count in `counts.rs`; each form's test in `tests.rs`.
//! `feedloom extract --explain` names the form (or the count's rule) behind each amount.

mod counts;
mod forms;
mod money;

use feedloom_core::item::Amount;
use feedloom_core::{Decision, ExtractError, Item, Registry, SyncExtractor};
use schemars::JsonSchema;
use serde::Deserialize;

pub(crate) use money::is_currency_code;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct AmountsOptions {
    /// Find money: numbers with a currency symbol, ISO 4217 code or money word ("US$31.5
    /// billion", "MNT 800 billion", "1.5 trillion tenge"), with the ISO code as unit.
    pub(crate) money: bool,
    /// Find percentages ("64%", "24 percent"), percentage points and basis points.
    pub(crate) percent: bool,
    /// Find counts with their noun ("14,286 foreign citizens", "3.4 million tonnes").
    pub(crate) counts: bool,
    /// Also find numbers standing alone (in parentheses, of 100 or more, or with a thousands
    /// separator) as counts with unit `count`.
    pub(crate) bare_numbers: bool,
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

pub(crate) struct Amounts(AmountsOptions);

pub(crate) fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "amounts",
        "money (ISO currency), percentages and counts with their noun",
        |o: AmountsOptions, _ctx| Ok(Amounts(o)),
    );
}

/// Find amounts in `text`. Only amounts whose value is a finite number are kept: a number
/// scaled past `f64`'s range ("99999…9 trillion") is no amount, and JSON has no infinity (it
/// would be written as `null`).
pub(crate) fn find(text: &str, o: &AmountsOptions) -> Vec<(usize, Amount)> {
    find_explained(text, o)
        .into_iter()
        .map(|f| (f.at, f.amount))
        .collect()
}

/// [`find`] with the rule that decided each amount.
fn find_explained(text: &str, o: &AmountsOptions) -> Vec<forms::Found> {
    let mut out = forms::find_all(text, o);
    out.retain(|f| f.amount.value.is_finite());
    out
}

/// An amount read without English words: a currency symbol or ISO code with digits (`$5`,
/// `€40`, `USD 300`) or a percentage with `%`; not a count's noun nor a money word.
fn language_neutral(a: &Amount) -> bool {
    let t = a.text.trim();
    let digits_and_marks = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | ' ' | '%'))
    };
    (a.unit == "percent" && t.ends_with('%') && digits_and_marks(t))
        || (a.unit.len() == 3
            && a.unit.chars().all(|c| c.is_ascii_uppercase())
            && t.starts_with(|c: char| !c.is_alphanumeric() || c.is_ascii_uppercase())
            && t.chars().any(|c| c.is_ascii_digit())
            && !t.chars().any(|c| c.is_lowercase()))
}

impl SyncExtractor for Amounts {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        let mut found = find(&item.text, &self.0);
        if crate::non_english(item) {
            found.retain(|(_, a)| language_neutral(a));
        }
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
    /// One decision per amount: its text, "value unit" and the form (or count rule) that
    /// found it.
    fn explain(&self, item: &Item) -> Vec<Decision> {
        find_explained(&item.text, &self.0)
            .into_iter()
            .map(|f| {
                let a = &f.amount;
                Decision::new(
                    "amount",
                    a.text.clone(),
                    (f.at, f.at + a.text.len()),
                    format!("{} {}", a.value, a.unit),
                    f.rule,
                )
            })
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests;
