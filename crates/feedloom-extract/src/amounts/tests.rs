//! The tests of this module.

use super::*;

fn f(t: &str) -> Vec<(String, f64, String)> {
    find(t, &AmountsOptions::default())
        .into_iter()
        .map(|(_, a)| (a.text, a.value, a.unit))
        .collect()
}

/// With `bare_numbers: true`: numbers without a counted noun as well.
pub(super) fn fb(t: &str) -> Vec<(String, f64, String)> {
    let o = AmountsOptions {
        bare_numbers: true,
        ..AmountsOptions::default()
    };
    find(t, &o)
        .into_iter()
        .map(|(_, a)| (a.text, a.value, a.unit))
        .collect()
}

#[test]
fn basis_points_local_money_and_no_counts() {
    let r = f("The bank cut its rate by 50 basis points.");
    assert_eq!(r, [("50 basis points".into(), 50.0, "basis points".into())]);
    // a money word before a noun; the country of the sentence, else of the paragraph
    let r = f(
        "Argentina and Chile compete.\nIn Bogotá, the builder won a 200 billion peso contract.\nChile offers less. Milei's Argentina offers 120 billion pesos of tax breaks.\nBurundi owes 3 billion Burundian francs.",
    );
    assert_eq!(
        r,
        [
            ("200 billion peso".into(), 200e9, "COP".into()),
            ("120 billion pesos".into(), 120e9, "ARS".into()),
            ("3 billion Burundian francs".into(), 3e9, "BIF".into()),
        ]
    );
    // a number naming a thing, an ordinal
    assert!(f("The Power of Siberia 2 pipeline carried its 5 millionth tonne.").is_empty());
}

#[test]
fn crowns_yen_and_local_money_words() {
    let units = |t: &str| -> Vec<String> { f(t).into_iter().map(|(_, _, u)| u).collect() };
    // crowns follow the country: krone, krona or koruna
    assert_eq!(
        units("Equinor shares gained 1.1% to 262.40 crowns in Oslo."),
        ["percent", "NOK"]
    );
    assert_eq!(
        units("In Stockholm, the deal was worth 3 billion crowns."),
        ["SEK"]
    );
    assert_eq!(units("Copenhagen paid 2 billion crowns."), ["DKK"]);
    assert_eq!(units("Prague's budget: 40 billion crowns."), ["CZK"]);
    assert_eq!(
        units("Reykjavik paid 9 billion crowns. Norway paid 5 billion kroner."),
        ["ISK", "NOK"]
    );
    // ¥: yen where the sentence or paragraph names Japan, else yuan
    assert_eq!(
        units("In Asia, Japan's yen was little changed at ¥147.6 per dollar."),
        ["JPY"]
    );
    assert_eq!(units("Chinese buyers paid ¥300 million."), ["CNY"]);
    assert_eq!(units("The deal is worth ¥5 billion."), ["CNY"]);
    // money words of one country
    assert_eq!(
        units(
            "It was worth 120 trillion dong, or 1.2 million riel, 180 billion naira and 5 billion reais."
        ),
        ["VND", "KHR", "NGN", "BRL"]
    );
}

#[test]
fn money() {
    let r = f(
        "Exports hit US$31.5 billion, up from $1.2bn; a €40m loan, 1.5 trillion tenge and 300 million yuan, plus 20,000 som and 5 billion rubles.",
    );
    assert_eq!(r[0], ("US$31.5 billion".into(), 31.5e9, "USD".into()));
    assert_eq!(r[1], ("$1.2bn".into(), 1.2e9, "USD".into()));
    assert_eq!(r[2], ("€40m".into(), 40e6, "EUR".into()));
    assert_eq!(r[3], ("1.5 trillion tenge".into(), 1.5e12, "KZT".into()));
    assert_eq!(r[4], ("300 million yuan".into(), 300e6, "CNY".into()));
    assert_eq!(r[5].2, "KGS");
    assert_eq!(r[6], ("5 billion rubles".into(), 5e9, "RUB".into()));
}

#[test]
fn percents_and_counts_not_dates() {
    let r = fb(
        "As of July 1, 14,286 foreign citizens were working. Of that total, 24 percent (3,412) are Chinese. Over 200 Chinese firms came in 2020, and 64% said so from June 19-23 under Section 12. Output was 3.4 million tonnes.",
    );
    let texts: Vec<&str> = r.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        texts,
        [
            "14,286 foreign citizens",
            "24 percent",
            "3,412",
            "200 Chinese firms",
            "64%",
            "3.4 million tonnes"
        ],
        "{r:?}"
    );
    assert_eq!(r[0].2, "foreign citizens");
    assert_eq!(r[2].2, "count");
    assert_eq!(r[5].1, 3.4e6);
}

mod patterns {
    use super::*;

    fn f(t: &str) -> Vec<(String, f64, String)> {
        find(t, &AmountsOptions::default())
            .into_iter()
            .map(|(_, a)| (a.text, a.value, a.unit))
            .collect()
    }

    fn fb(t: &str) -> Vec<(String, f64, String)> {
        super::fb(t)
    }

    fn units(t: &str) -> Vec<String> {
        f(t).into_iter().map(|a| a.2).collect()
    }

    #[test]
    fn currencies() {
        assert_eq!(
            units("€40m and £12 million, plus ¥300 million and RMB 2bn."),
            ["EUR", "GBP", "CNY", "CNY"]
        );
        assert_eq!(
            units("Wages rose to 45,000 soms; it costs 120,000 Uzbek som."),
            ["KGS", "UZS"]
        );
        assert_eq!(
            units("A budget of 3.2 billion Azerbaijani manat and 500 million manat."),
            ["AZN", "AZN"]
        );
        assert_eq!(units("It cost 500 million manat."), ["TMT"]);
        // Indian numbering, ISO codes, names of the ISO 4217 table, symbols by country
        assert_eq!(
            f(
                "Rs 500 crore and ₹1,200 crore, 5 lakh TEUs; MNT 800 billion, 1.5 trillion tugriks, 18.6 billion Egyptian pounds."
            ),
            [
                ("Rs 500 crore".into(), 5e9, "INR".into()),
                ("₹1,200 crore".into(), 1.2e10, "INR".into()),
                ("5 lakh TEUs".into(), 5e5, "teus".into()),
                ("MNT 800 billion".into(), 8e11, "MNT".into()),
                ("1.5 trillion tugriks".into(), 1.5e12, "MNT".into()),
                ("18.6 billion Egyptian pounds".into(), 1.86e10, "EGP".into()),
            ]
        );
        assert_eq!(
            units("Zambia will contribute K2.5 billion; miners earn K6,000."),
            ["ZMW", "ZMW"]
        );
        assert_eq!(units("The K2 expedition cost $5,000."), ["USD"]);
        assert_eq!(units("A bag costs KSh 6,500 in Kenya."), ["KES"]);
        assert_eq!(
            units("He paid 150 roubles, 2,000 rupees and 10 million somoni."),
            ["RUB", "INR", "TJS"]
        );
        let r = f("It is worth US$ 5 billion and USD 300,000, or $1.2 trillion.");
        assert_eq!(r[0].1, 5e9);
        assert_eq!(r[1].1, 300_000.0);
        assert_eq!(r[2].1, 1.2e12);
    }

    #[test]
    fn percentages_and_counts() {
        assert_eq!(
            f(
                "Unemployment was 24 per cent and 7.5%, about 300 people died, up 3 percentage points."
            ),
            [
                ("24 per cent".into(), 24.0, "percent".into()),
                ("7.5%".into(), 7.5, "percent".into()),
                ("300 people".into(), 300.0, "people".into()),
                (
                    "3 percentage points".into(),
                    3.0,
                    "percentage points".into()
                ),
            ]
        );
        assert_eq!(
            fb("Of the total, 24 percent (3,412) of the foreign workers are Chinese.")[1],
            ("3,412".into(), 3412.0, "foreign workers".into())
        );
        assert_eq!(
            f("Russia hosts 4.5 million Central Asian migrants.")[0],
            (
                "4.5 million Central Asian migrants".into(),
                4.5e6,
                "central asian migrants".into()
            )
        );
    }

    #[test]
    fn elided_count_noun() {
        assert_eq!(
            fb(
                "They will assemble 150,000 vehicles this year, up from about 95,000 in 2025. India is third with 1,474."
            )[1..],
            [
                ("95,000".into(), 95_000.0, "vehicles".into()),
                ("1,474".into(), 1474.0, "count".into())
            ]
        );
    }

    #[test]
    fn pairs_with_a_dash() {
        assert_eq!(
            units("$5 million-$10 million; 20%-30%."),
            ["USD", "USD", "percent", "percent"]
        );
        assert_eq!(f("The BN-350 reactor and COVID-19 rules."), []);
    }

    #[test]
    fn not_amounts() {
        for t in [
            "Call +996 312 62 10 10 or 0312-621010 before 10:30 on 3 March.",
            "Under Article 5 and Section 12, No. 3 of the law, the 21st session met in 1999.",
            "A 32-year-old man got 15 years in prison; two new crossings opened in 2021.",
            "It closed at 8 p.m. and opens at 6am after 24 hours of rest, unlike 2,070 in 2023.",
            "It happened on July 1 and from June 19-23 since 2019.",
        ] {
            assert_eq!(f(t), [], "{t}");
        }
    }
}

/// The texts of the eval sets (`tests/eval/*/*.txt`), for tests that compare two ways of
/// matching on real articles.
pub(crate) fn eval_texts() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/eval");
    let mut out = Vec::new();
    for set in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(set.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if f.path().extension().is_some_and(|e| e == "txt") {
                out.extend(std::fs::read_to_string(f.path()).ok());
            }
        }
    }
    out
}

/// Walking the table finds what one regex of all the forms joined by `|` in table order
/// finds: the same matches, each by the same form.
#[test]
fn the_table_walks_like_one_alternation() {
    let names = regex::Regex::new(r"\(\?P<[a-z0-9_]+>").expect("regex");
    let joined: Vec<String> = forms::FORMS
        .iter()
        .enumerate()
        .map(|(i, f)| format!("(?P<f{i}>{})", names.replace_all(&(f.pattern)(), "(?:")))
        .collect();
    let one = regex::Regex::new(&joined.join("|")).expect("joined regex");
    let mut texts = eval_texts();
    assert!(texts.len() > 50, "the eval sets are there");
    texts.push("US$ 5 billion, U.S. $3m, Rs. 40 crore, 3-4 percent, a million, one billion tn 5 percentage points and 7 basis point 10pct K2bn R5m 4 Uzbek soums".into());
    for t in &texts {
        let want: Vec<(usize, usize, usize)> = one
            .captures_iter(t)
            .filter_map(|c| {
                let m = c.get(0)?;
                let i = (0..forms::FORMS.len()).find(|i| c.name(&format!("f{i}")).is_some())?;
                Some((m.start(), m.end(), i))
            })
            .collect();
        let got: Vec<(usize, usize, usize)> = forms::matches(&forms::REGEXES, t)
            .into_iter()
            .filter_map(|(i, c)| c.get(0).map(|m| (m.start(), m.end(), i)))
            .collect();
        assert_eq!(got, want);
    }
}

/// One row per form of [`forms::FORMS`] (and per rule of a count): the form, a text, the
/// amount's text, value and unit, and the rule `--explain` names. Found with
/// `bare_numbers: true`.
const FORM_CASES: &[(&str, &str, &str, f64, &str, &str)] = &[
    (
        "currency_symbol_before",
        "Exports hit US$31.5 billion.",
        "US$31.5 billion",
        31.5e9,
        "USD",
        "currency_symbol_before",
    ),
    (
        "currency_code_before",
        "The budget is MNT 800 billion.",
        "MNT 800 billion",
        8e11,
        "MNT",
        "currency_code_before",
    ),
    (
        "letter_symbol_before",
        "Zambia will contribute K2.5 billion.",
        "K2.5 billion",
        2.5e9,
        "ZMW",
        "letter_symbol_before",
    ),
    (
        "currency_word_after",
        "It costs 120,000 Uzbek som.",
        "120,000 Uzbek som",
        120_000.0,
        "UZS",
        "currency_word_after",
    ),
    (
        "percent",
        "Unemployment was 24 per cent.",
        "24 per cent",
        24.0,
        "percent",
        "percent",
    ),
    (
        "percentage_points",
        "It rose 3 percentage points.",
        "3 percentage points",
        3.0,
        "percentage points",
        "percentage_points",
    ),
    (
        "basis_points",
        "The bank cut its rate by 50 basis points.",
        "50 basis points",
        50.0,
        "basis points",
        "basis_points",
    ),
    (
        "number_scale_word",
        "Output was 3.4 million tonnes.",
        "3.4 million tonnes",
        3.4e6,
        "tonnes",
        "count_noun",
    ),
    (
        "number_scale_word",
        "The loan is 1.5 trillion tugriks.",
        "1.5 trillion tugriks",
        1.5e12,
        "MNT",
        "money_noun",
    ),
    (
        "number_scale_word",
        "In Bogotá, the builder won a 200 billion peso contract.",
        "200 billion peso",
        200e9,
        "COP",
        "money_word_before_noun",
    ),
    (
        "number",
        "As of July 1, 14,286 foreign citizens were working.",
        "14,286 foreign citizens",
        14_286.0,
        "foreign citizens",
        "count_noun",
    ),
    (
        "number",
        "India is third with 1,474.",
        "1,474",
        1474.0,
        "count",
        "bare_number",
    ),
    (
        "number",
        "Of the total, 24 percent (3,412) of the foreign workers are Chinese.",
        "3,412",
        3412.0,
        "foreign workers",
        "bare_number_of_noun",
    ),
    (
        "number",
        "They will assemble 150,000 vehicles this year, up from about 95,000 in 2025.",
        "95,000",
        95_000.0,
        "vehicles",
        "bare_number_after_count",
    ),
    (
        "a_scale_word",
        "They expect a million visitors.",
        "a million visitors",
        1e6,
        "visitors",
        "count_noun",
    ),
    (
        "spelled_scale_word",
        "Tankers carry some three million barrels of oil.",
        "three million barrels",
        3e6,
        "barrels",
        "count_noun",
    ),
    (
        "number",
        "They laid a 1,200-kilometre pipeline.",
        "1,200-kilometre",
        1200.0,
        "kilometres",
        "hyphenated_measure",
    ),
    (
        "number",
        "It employs 26,000 people, 9,500 of them abroad.",
        "9,500",
        9500.0,
        "people",
        "of_them_antecedent",
    ),
];

#[test]
fn each_form_and_rule() {
    let o = AmountsOptions {
        bare_numbers: true,
        ..AmountsOptions::default()
    };
    for &(form, text, want, value, unit, rule) in FORM_CASES {
        let found = find_explained(text, &o);
        let f = found
            .iter()
            .find(|f| f.amount.text == want)
            .unwrap_or_else(|| panic!("{form}: no {want:?} in {text:?}: {found:?}"));
        let matched = forms::matches(&forms::REGEXES, text)
            .into_iter()
            .find(|(_, c)| c.get(0).is_some_and(|m| m.end() > f.at))
            .and_then(|(i, _)| forms::FORMS.get(i))
            .map(|form| form.name);
        assert_eq!(
            (matched, f.amount.value, f.amount.unit.as_str(), f.rule),
            (Some(form), value, unit, rule),
            "{text}"
        );
    }
    for f in forms::FORMS {
        assert!(
            FORM_CASES.iter().any(|c| c.0 == f.name),
            "the form {} has no row in FORM_CASES",
            f.name
        );
    }
}

/// `explain` names the form or rule behind each amount.
#[test]
fn explain_names_the_rule() {
    let e = Amounts(AmountsOptions::default());
    let mut it = Item::new("x", "s");
    it.text = "Exports hit US$31.5 billion and 300 people came; inflation was 7.5%.".into();
    let d = e.explain(&it);
    let got: Vec<(&str, &str, &str)> = d
        .iter()
        .map(|d| (d.text.as_str(), d.outcome.as_str(), d.rule.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "US$31.5 billion",
                "31500000000 USD",
                "currency_symbol_before"
            ),
            ("300 people", "300 people", "count_noun"),
            ("7.5%", "7.5 percent", "percent"),
        ]
    );
    assert!(d.iter().all(|d| d.fact == "amount"));
    assert_eq!(&it.text[d[0].start..d[0].end], "US$31.5 billion");
}

#[test]
fn hyphenated_measures_take_the_plural_unit() {
    let r = f("The company will build a 1,200-kilometre pipeline to the coast.");
    assert_eq!(r, [("1,200-kilometre".into(), 1200.0, "kilometres".into())]);
    let r = f("Engineers inspected a 40-metre dam and a 150-foot tower.");
    assert_eq!(
        r,
        [
            ("40-metre".into(), 40.0, "metres".into()),
            ("150-foot".into(), 150.0, "feet".into()),
        ]
    );
    let r = f("Patrols cover a 90-mile border near the 250,000-barrel-a-day refinery.");
    assert_eq!(
        r,
        [
            ("90-mile".into(), 90.0, "miles".into()),
            ("250,000-barrel".into(), 250000.0, "barrels".into()),
        ]
    );
    // ages and durations are no measures
    assert!(f("A 32-year-old man signed a 20-year contract.").is_empty());
}

#[test]
fn abbreviated_and_spelled_multipliers() {
    let r = f(
        "Exports reached 79 mln tonnes while 2.4 mln people left; the loss was 1.31 bln crowns in Norway.",
    );
    assert_eq!(
        r,
        [
            ("79 mln tonnes".into(), 79e6, "tonnes".into()),
            ("2.4 mln people".into(), 2.4e6, "people".into()),
            ("1.31 bln crowns".into(), 1.31e9, "NOK".into()),
        ]
    );
    let r = f("Supertankers carrying some three million barrels of oil were barred.");
    assert_eq!(r, [("three million barrels".into(), 3e6, "barrels".into())]);
    let r = f("Two billion dollars was pledged and the cuts hit four million households.");
    assert_eq!(
        r,
        [
            ("Two billion dollars".into(), 2e9, "USD".into()),
            ("four million households".into(), 4e6, "households".into()),
        ]
    );
    let r = f("It earned 48 mln stg and 380 mln zlotys.");
    assert_eq!(
        r,
        [
            ("48 mln stg".into(), 48e6, "GBP".into()),
            ("380 mln zlotys".into(), 380e6, "PLN".into()),
        ]
    );
}

#[test]
fn counts_whose_noun_is_elsewhere_in_the_clause() {
    let r = f("The plant employs 26,000 people, 9,500 of them in North America.");
    assert_eq!(
        r,
        [
            ("26,000 people".into(), 26000.0, "people".into()),
            ("9,500".into(), 9500.0, "people".into()),
        ]
    );
    let r = f("Inspectors counted 12,000 staff; 9,500 of them were foreign workers.");
    assert_eq!(r[1], ("9,500".into(), 9500.0, "foreign workers".into()));
    let r =
        f("The trial enrolled 12,400 patients at 310 hospitals. Some 9,500 of them had a stroke.");
    assert_eq!(r[2], ("9,500".into(), 9500.0, "patients".into()));
    // no count before: nothing
    assert!(f("Many came. 9,500 of them stayed.").is_empty());
}

#[test]
fn local_dollars_cents_weights_and_score_lines() {
    let t = "Australia's Treasurer said in Canberra the $20 billion fund would cost Australia less than Sydney feared. Fares rose 98 cents.";
    let r = f(t);
    assert_eq!(r[0], ("$20 billion".into(), 20e9, "AUD".into()));
    assert_eq!(r[1], ("98 cents".into(), 0.98, "AUD".into()));
    // a Taiwanese story keeps "$" the US dollar; so does one naming no country
    let r = f("Taiwan's chipmaker in Taipei, Taiwan, earned $4.2bn.");
    assert_eq!(r, [("$4.2bn".into(), 4.2e9, "USD".into())]);
    let r = f("Ottawa said Canada would spend $250-million in Canada.");
    assert_eq!(r, [("$250-million".into(), 250e6, "CAD".into())]);
    let r = f("The blast released 23,000 pounds of flammable hydrocarbons.");
    assert_eq!(r, [("23,000 pounds".into(), 23000.0, "pounds".into())]);
    assert!(f("Leeds 2 Newcastle 0\nArsenal 1 Tottenham Hotspur 1").is_empty());
    assert!(f("Sales grew 1.6 times.").is_empty());
    let r = f(
        "About 30,000 New Zealanders and 40 Labour MPs marched as it warmed 1.5 degrees Celsius.",
    );
    assert_eq!(
        r,
        [
            (
                "30,000 New Zealanders".into(),
                30000.0,
                "new zealanders".into()
            ),
            ("40 Labour MPs".into(), 40.0, "labour mps".into()),
            ("1.5 degrees Celsius".into(), 1.5, "degrees celsius".into()),
        ]
    );
}
