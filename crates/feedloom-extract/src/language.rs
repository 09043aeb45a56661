//! `type: language` — the ISO 639-1 code of the text (offline, `whatlang`).
//!
//! Sets `item.language` to the detected language. A language the feed gave is kept unless the
//! detection is reliable (whatlang's own reliability test, or plainly English text) — short or
//! mixed texts do not override the feed — and is normalised to its primary subtag (`en-US` →
//! `en`). Languages without a two-letter code are left unset.
//!
//! Options: `overwrite` (default false; true: any detection at `min_confidence` replaces the
//! feed's language), `trust_feed` (default false; true: never replace a language the feed
//! gave), `min_confidence` (default 0.1, for texts the feed gave no language for).

use feedloom_core::{ExtractError, Item, Registry, SyncExtractor};
use schemars::JsonSchema;
use serde::Deserialize;
use whatlang::Lang;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageOptions {
    /// Replace the feed's language with any detection at `min_confidence`, not only a
    /// reliable one.
    pub overwrite: bool,
    /// Never replace a language the feed gave.
    pub trust_feed: bool,
    /// Least detection confidence (0 to 1) for setting a language the feed did not give.
    pub min_confidence: f64,
}

impl Default for LanguageOptions {
    fn default() -> Self {
        LanguageOptions {
            overwrite: false,
            trust_feed: false,
            min_confidence: 0.1,
        }
    }
}

pub struct Language(LanguageOptions);

pub fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "language",
        "ISO 639-1 language code of the text (whatlang, offline)",
        |o: LanguageOptions, _ctx| Ok(Language(o)),
    );
}

/// ISO 639-1 code of a whatlang language.
pub fn iso639_1(l: Lang) -> Option<&'static str> {
    use Lang::*;
    Some(match l {
        Epo => "eo",
        Eng => "en",
        Rus => "ru",
        Cmn => "zh",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Ben => "bn",
        Fra => "fr",
        Deu => "de",
        Ukr => "uk",
        Kat => "ka",
        Ara => "ar",
        Hin => "hi",
        Jpn => "ja",
        Heb => "he",
        Yid => "yi",
        Pol => "pl",
        Amh => "am",
        Jav => "jv",
        Kor => "ko",
        Nob => "nb",
        Dan => "da",
        Swe => "sv",
        Fin => "fi",
        Tur => "tr",
        Nld => "nl",
        Hun => "hu",
        Ces => "cs",
        Ell => "el",
        Bul => "bg",
        Bel => "be",
        Mar => "mr",
        Kan => "kn",
        Ron => "ro",
        Slv => "sl",
        Hrv => "hr",
        Srp => "sr",
        Mkd => "mk",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Tam => "ta",
        Vie => "vi",
        Urd => "ur",
        Tha => "th",
        Guj => "gu",
        Uzb => "uz",
        Pan => "pa",
        Aze => "az",
        Ind => "id",
        Tel => "te",
        Pes => "fa",
        Mal => "ml",
        Ori => "or",
        Mya => "my",
        Nep => "ne",
        Sin => "si",
        Khm => "km",
        Tuk => "tk",
        Aka => "ak",
        Zul => "zu",
        Sna => "sn",
        Afr => "af",
        Lat => "la",
        Slk => "sk",
        Cat => "ca",
        Tgl => "tl",
        Hye => "hy",
        Cym => "cy",
    })
}

/// A fast path: English function words make up a fifth or more of the words (no other language
/// uses these as its common words), so the trigram model need not run.
fn is_plainly_english(sample: &str) -> bool {
    const EN: &[&str] = &[
        "the", "of", "and", "to", "in", "is", "that", "for", "with", "was", "on", "by", "as",
        "are", "from", "has", "have", "were", "it", "at", "be", "this", "which", "its",
    ];
    let mut n = 0usize;
    let mut hits = 0usize;
    for w in sample
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(120)
    {
        n += 1;
        if w.len() <= 5 && EN.iter().any(|e| e.eq_ignore_ascii_case(w)) {
            hits += 1;
        }
    }
    n >= 20 && hits * 5 >= n
}

impl SyncExtractor for Language {
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        // the feed's language, normalised ("en-US" → "en")
        if let Some(l) = item.language.as_mut() {
            let primary = l
                .split(['-', '_'])
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if primary.len() == 2 && primary.bytes().all(|b| b.is_ascii_lowercase()) {
                *l = primary;
            }
        }
        let from_feed = item.language.is_some();
        if from_feed && self.0.trust_feed {
            return Ok(());
        }
        // a prefix is plenty and keeps this fast
        let mut end = item.text.len().min(300);
        while !item.text.is_char_boundary(end) {
            end -= 1;
        }
        let sample = if item.text.trim().is_empty() {
            item.title.as_deref().unwrap_or("")
        } else {
            crate::text::sub(&item.text, 0, end)
        };
        if is_plainly_english(if item.text.trim().is_empty() {
            sample
        } else {
            &item.text
        }) {
            item.language = Some("en".into());
            return Ok(());
        }
        if let Some(info) = whatlang::detect(sample)
            && info.confidence() >= self.0.min_confidence
            && (!from_feed || self.0.overwrite || info.is_reliable())
            && let Some(code) = iso639_1(info.lang())
        {
            item.language = Some(code.to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_english_and_russian() {
        let l = Language(LanguageOptions::default());
        let mut it = Item::new("a", "s");
        it.text = "The ministry said on Monday that the delegation had returned from a tour of the province.".into();
        l.extract(&mut it).unwrap();
        assert_eq!(it.language.as_deref(), Some("en"));
        let mut it = Item::new("b", "s");
        it.text = "Министерство внутренних дел заявило, что делегация вернулась из поездки.".into();
        l.extract(&mut it).unwrap();
        assert_eq!(it.language.as_deref(), Some("ru"));
        let mut it = Item::new("d", "s");
        it.text = "Le ministère a déclaré lundi que la délégation était rentrée d'une tournée dans la province du Xinjiang, où les responsables chinois ont donné des conseils.".into();
        l.extract(&mut it).unwrap();
        assert_eq!(it.language.as_deref(), Some("fr"));
        let mut it = Item::new("c", "s");
        l.extract(&mut it).unwrap();
        assert_eq!(it.language, None);
    }

    #[test]
    fn feed_language_kept_unless_detection_is_reliable() {
        let l = Language(LanguageOptions::default());
        // too short to be sure: the feed's word stands, normalised
        let mut it = Item::new("a", "s");
        it.language = Some("de-AT".into());
        it.text = "Bishkek, Tashkent".into();
        l.extract(&mut it).unwrap();
        assert_eq!(it.language.as_deref(), Some("de"));
        // a feed that says English for a Russian article is wrong
        let mut it = Item::new("b", "s");
        it.language = Some("en".into());
        it.text = "Министерство внутренних дел Кыргызстана заявило в понедельник, что делегация вернулась из поездки в Синьцзян.".into();
        l.extract(&mut it).unwrap();
        assert_eq!(it.language.as_deref(), Some("ru"));
        // trust_feed: never replaced
        let t = Language(LanguageOptions {
            trust_feed: true,
            ..Default::default()
        });
        let mut it = Item::new("c", "s");
        it.language = Some("en".into());
        it.text = "Министерство внутренних дел Кыргызстана заявило в понедельник, что делегация вернулась.".into();
        t.extract(&mut it).unwrap();
        assert_eq!(it.language.as_deref(), Some("en"));
    }
}
