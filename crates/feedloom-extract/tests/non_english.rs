//! Russian text through the whole chain: the extractors whose rules read English words give
//! no entities, countries or speakers (rather than "КНР Си Цзиньпином" as an organisation),
//! and keep only language-neutral amounts and dates. The paragraphs were written for this test.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use feedloom_core::{BuildContext, Extractor, Item, Registry};

fn chain() -> Vec<Box<dyn Extractor>> {
    let ctx = BuildContext::for_tests(std::path::Path::new("."));
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    feedloom_extract::DEFAULT_ORDER
        .iter()
        .map(|t| (reg.extractor(t).unwrap().build)(&serde_json::json!({}), &ctx).unwrap())
        .collect()
}

const RUSSIAN: &str = "Президент Казахстана Касым-Жомарт Токаев провёл в Астане переговоры с председателем КНР Си Цзиньпином. Стороны подписали 12 соглашений на сумму $3,5 млрд, сообщила пресс-служба Акорды.\n\
«Мы намерены увеличить товарооборот до 40 миллиардов долларов к 2030 году», — заявил Токаев журналистам после встречи.\n\
По данным Министерства торговли, в январе–июне объём торговли вырос на 14% и составил 21,4 млрд долларов. Следующий раунд переговоров запланирован на 2026-03-15 в Пекине, добавил он: «Работа продолжится в рамках ШОС и Евразийского экономического союза».";

async fn run(language: Option<&str>) -> Item {
    let mut it = Item::new("ru-1", "test");
    it.title = Some("Токаев и Си Цзиньпин подписали соглашения".into());
    it.text = RUSSIAN.to_string();
    it.language = language.map(str::to_string);
    it.fetched = "2025-07-01T10:00:00Z".parse().unwrap();
    it.published = Some(it.fetched);
    for e in chain() {
        e.extract(&mut it).await.unwrap();
    }
    it
}

#[tokio::test]
async fn russian_text_gives_no_english_rule_garbage() {
    // whether the feed says "ru", says nothing, or (wrongly) says "en": the script decides
    for lang in [Some("ru"), None, Some("en")] {
        let it = run(lang).await;
        assert_eq!(it.entities.as_deref(), Some(&[][..]), "{lang:?}");
        assert_eq!(it.countries.as_deref(), Some(&[][..]), "{lang:?}");
        let quotes = it.quotes.as_deref().unwrap();
        assert_eq!(quotes.len(), 2, "{quotes:?}");
        assert!(quotes.iter().all(|q| q.speaker.is_none()), "{quotes:?}");
        let amounts = it.amounts.as_deref().unwrap();
        // only the percentage: "$3,5 млрд" is written with a Russian decimal comma and scale
        // word, "12 соглашений" and "21,4 млрд долларов" with Russian nouns
        assert!(
            amounts
                .iter()
                .all(|a| a.unit == "percent" || a.unit == "USD"),
            "{amounts:?}"
        );
        assert!(amounts.iter().any(|a| a.text == "14%"), "{amounts:?}");
        let dates = it.dates.as_deref().unwrap();
        assert!(
            dates
                .iter()
                .all(|d| !d.text.chars().any(char::is_alphabetic)),
            "{dates:?}"
        );
    }
}
