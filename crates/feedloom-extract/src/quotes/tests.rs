//! The tests of this module.

use super::*;

fn f(t: &str) -> Vec<(String, Option<String>)> {
    let d = entities::detect(t);
    find(t, &d, &QuotesOptions::default())
        .into_iter()
        .map(|(_, q)| (q.text, q.speaker))
        .collect()
}

#[test]
fn long_attributions_titles_and_relative_clauses() {
    // one quotation around a long attribution to someone unnamed
    let q = f(
        "\"The road was closed for a week and we lost the harvest,\" said a driver in the Naryn region, who asked not to be named because he was not allowed to talk to reporters. \"If it closes again, we will leave.\"",
    );
    assert_eq!(q.len(), 1, "{q:?}");
    assert!(q[0].0.ends_with("we will leave."));
    assert_eq!(q[0].1, None);
    // titles between the verb and the name
    let q = f(
        "\"The line has changed how we trade. Containers now arrive in a day,\" said Deputy Minister Aibek Osmonov, who oversees roads.",
    );
    assert_eq!(q[0].1.as_deref(), Some("Aibek Osmonov"));
    // the subject, not a name inside its relative clause
    let q = f(
        "Egyptian President Omar Haddad, who met Sheikh Khalid bin Saeed in Cairo last week, said the plan would create \"many new jobs for young people.\"",
    );
    assert_eq!(q[0].1.as_deref(), Some("Omar Haddad"));
}

#[test]
fn long_appositives_abbreviations_and_roles() {
    // a long appositive right after the quotation; the attribution sentence holds
    // abbreviations ("Mrs.", "Ltd.") and is then followed by the quotation's second part
    let r = f(
        "\"The canal is a Cambodian project,\" Keo Sovannara, secretary of state at the Ministry of Public Works and Transport, told reporters in Phnom Penh last week. \"Vietnam has nothing to fear from it.\"\n\"This agreement marks a new chapter for refining,\" said Mrs. Adaeze Okonkwo-Bello, Group Chief Executive Officer of NNPC Ltd. \"We will end the era of importing fuel.\"",
    );
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(r[0].0.ends_with("to fear from it."));
    assert_eq!(r[0].1.as_deref(), Some("Keo Sovannara"));
    assert!(r[1].0.ends_with("importing fuel."));
    assert_eq!(r[1].1.as_deref(), Some("Adaeze Okonkwo-Bello"));
    // "the CFO said": the person the paragraph named with that role
    let r = f(
        "NNPC Ltd. Chief Financial Officer, Mr. Chukwuemeka Eze, said the loan would be repaid. \"The repayment structure is ring-fenced from the debt,\" the CFO said.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Chukwuemeka Eze"));
    // an unnamed holder of the role: nobody
    let r = f("Talks resumed in Almaty. \"We will not sign this year at all,\" the minister said.");
    assert_eq!(r[0].1, None);
}

#[test]
fn speaker_after_and_before() {
    let r = f(
        "“We will build the road this year,” said Timur Umarov, the minister.\nUmarov told VOA: \"The money is there and it will be spent.\"\n“Nobody expected it,” he added.",
    );
    assert_eq!(
        r[0],
        (
            "We will build the road this year,".into(),
            Some("Timur Umarov".into())
        )
    );
    assert_eq!(r[1].1.as_deref(), Some("Timur Umarov"));
    assert_eq!(r[2].1.as_deref(), Some("Timur Umarov"));
}

#[test]
fn interrupted_and_spanning() {
    let r = f(
        "“The talks went well,” President Sadyr Japarov said. “We agreed on the border.\n“And on water too, which matters most.”\n“A separate quotation paragraph follows here.”",
    );
    assert_eq!(r.len(), 2, "{r:?}");
    assert_eq!(r[1].1.as_deref(), Some("Sadyr Japarov"));
    assert!(r[0].0.contains("border") && r[0].0.contains("water"));
    assert_eq!(r[0].1.as_deref(), Some("Sadyr Japarov"));
}

#[test]
fn no_guess_and_no_scare_quotes() {
    let r = f(
        "Officials held “anti-terrorist” drills. The weather was cold in Bishkek.\n“This will never happen again in our country.”",
    );
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].1, None);
}

#[test]
fn same_paragraph_and_pronoun_after_verb() {
    let r = f(
        "\"We are open to all partners,\" Tokayev told a meeting in Astana. \"Our doors are open to everyone.\"\nOn Monday Vice President Maros Sefcovic came. He called the project \"a strategic priority for the union.\" Later he said: \"We will be back in the spring.\"",
    );
    assert_eq!(
        r[0].0,
        "We are open to all partners, Our doors are open to everyone."
    );
    assert_eq!(r[0].1.as_deref(), Some("Tokayev"));
    assert_eq!(r[1].1.as_deref(), Some("Maros Sefcovic"));
    assert_eq!(r[2].1.as_deref(), Some("Maros Sefcovic"));
}

#[test]
fn according_to_an_organisation() {
    let r = f(
        "According to the Interior Ministry statement, officials had opportunities “to study new achievements in policing.”",
    );
    assert_eq!(r[0].1.as_deref(), Some("Interior Ministry"));
}

/// One row per speaker rule: a text, the speaker of its last quotation, the rule that
/// decided, and for a pronoun the attribution rule that found it.
const RULE_CASES: &[(&str, Option<&str>, &str, Option<&str>)] = &[
    (
        "\"Prices will keep rising for a while,\" according to Almaz Bekov.",
        Some("Almaz Bekov"),
        "according_to_after",
        None,
    ),
    (
        "\"Prices will keep rising for a while,\" said Almaz Bekov, an economist in Bishkek.",
        Some("Almaz Bekov"),
        "said_speaker_after",
        None,
    ),
    (
        "Almaz Bekov spoke first. \"We have been waiting for ten years,\" said he.",
        Some("Almaz Bekov"),
        "pronoun_previous_sentence",
        Some("said_pronoun_after"),
    ),
    (
        "\"Prices will keep rising for a while,\" Almaz Bekov, the deputy economy minister, said.",
        Some("Almaz Bekov"),
        "speaker_appositive_said_after",
        None,
    ),
    (
        "\"Prices will keep rising for a while,\" Almaz Bekov said on Tuesday.",
        Some("Almaz Bekov"),
        "speaker_said_after",
        None,
    ),
    (
        "Dilnoza Karimova spoke first. \"We have been waiting for ten years,\" she added.",
        Some("Dilnoza Karimova"),
        "pronoun_previous_sentence",
        Some("pronoun_said_after"),
    ),
    (
        "NNPC Ltd. Chief Financial Officer, Mr. Chukwuemeka Eze, said the loan would be repaid. \"The repayment structure is ring-fenced from the debt,\" the CFO said.",
        Some("Chukwuemeka Eze"),
        "role_said_after",
        None,
    ),
    (
        "The Interior Ministry held talks. \"We will publish the full report next week,\" the ministry said.",
        Some("Interior Ministry"),
        "organisation_noun_said_after",
        None,
    ),
    (
        "The agency quoted Almaz Bekov as saying \"prices will keep rising for a while.\"",
        Some("Almaz Bekov"),
        "quoted_as_saying",
        None,
    ),
    (
        "Almaz Bekov arrived. The agency quoted him as saying \"prices will keep rising for a while.\"",
        Some("Almaz Bekov"),
        "pronoun_previous_sentence",
        Some("quoted_pronoun_as_saying"),
    ),
    (
        "According to Almaz Bekov, \"prices will keep rising for a while.\"",
        Some("Almaz Bekov"),
        "according_to_before",
        None,
    ),
    (
        "Almaz Bekov, a senior economist, put it bluntly in an interview: \"Prices will keep rising for a while.\"",
        Some("Almaz Bekov"),
        "subject_before_colon",
        None,
    ),
    (
        "Almaz Bekov told reporters: \"Prices will keep rising for a while.\"",
        Some("Almaz Bekov"),
        "speaker_before_said",
        None,
    ),
    (
        "Almaz Bekov arrived late. He told reporters: \"Prices will keep rising for a while.\"",
        Some("Almaz Bekov"),
        "pronoun_previous_sentence",
        Some("pronoun_before_said"),
    ),
    (
        "Deputy Minister Aibek Osmonov opened the road. Later the minister told reporters: \"The line has changed how we trade.\"",
        Some("Aibek Osmonov"),
        "role_before_said",
        None,
    ),
    (
        "The Interior Ministry held talks. Later the ministry said: \"We will publish the full report next week.\"",
        Some("Interior Ministry"),
        "organisation_noun_before_said",
        None,
    ),
    (
        "Rustam Haydarov, a security analyst, said the drills were about politics:\n\n\"Moscow wants to show that it still guarantees security here.\"",
        Some("Rustam Haydarov"),
        "introduced_by_colon",
        None,
    ),
    (
        "Almaz Bekov left early.\nA diplomat I spoke to was less diplomatic. \"They all come with promises,\" he said.",
        None,
        "pronoun_unnamed_subject",
        Some("pronoun_said_after"),
    ),
    (
        "Almaz Bekov left early. When I asked a Russian diplomat about it, he smiled and said: \"We have an understanding with them.\"",
        None,
        "pronoun_unnamed_referent",
        Some("pronoun_before_said"),
    ),
    (
        "Timur Umarov spoke.\n\"We will build the road this year,\" he said.\n\"Nobody expected it to happen so fast,\" he added.",
        Some("Timur Umarov"),
        "pronoun_previous_speaker",
        Some("pronoun_said_after"),
    ),
    (
        "Almaz Bekov arrived. Then Dilnoza Karimova spoke. \"Prices will rise for a while,\" he warned.",
        Some("Almaz Bekov"),
        "pronoun_earlier_person",
        Some("pronoun_said_after"),
    ),
    (
        "\"Prices will keep rising for a while,\" he said.",
        None,
        "pronoun_unresolved",
        Some("pronoun_said_after"),
    ),
    (
        "“The talks went well,” President Sadyr Japarov said.\n“A separate quotation paragraph follows here.”",
        Some("Sadyr Japarov"),
        "previous_quote_paragraph",
        None,
    ),
    (
        "Almaz Bekov said \"prices will keep rising for a while\" at the meeting. Then came the question of \"what the government should do next about it.\"",
        Some("Almaz Bekov"),
        "same_paragraph_speaker",
        None,
    ),
    (
        "Officials held drills. The weather was cold in Bishkek.\n“This will never happen again in our country.”",
        None,
        "no_attribution",
        None,
    ),
];

#[test]
fn each_speaker_rule() {
    for &(text, speaker, rule, via) in RULE_CASES {
        let d = entities::detect(text);
        let found = find_explained(text, &d, &QuotesOptions::default());
        let last = found
            .last()
            .unwrap_or_else(|| panic!("no quotation in {text:?}"));
        assert_eq!(
            (last.quote.speaker.as_deref(), last.rule, last.via),
            (speaker, rule, via),
            "{text}"
        );
    }
}

/// `explain` names the rule behind each speaker, and the words it went by.
#[test]
fn explain_names_the_rule() {
    let e = Quotes(QuotesOptions::default());
    let mut it = Item::new("x", "s");
    it.text = "\"Prices will keep rising for a while,\" said Almaz Bekov, an economist.\nOfficials held drills. “This will never happen again in our country.”".into();
    let d = e.explain(&it);
    let got: Vec<(&str, &str, &str)> = d
        .iter()
        .map(|d| (d.text.as_str(), d.outcome.as_str(), d.rule.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Almaz Bekov", "Almaz Bekov", "said_speaker_after"),
            (
                "“This will never happen again in",
                "no speaker",
                "no_attribution"
            ),
        ]
    );
    assert!(d.iter().all(|d| d.fact == "quote"));
    assert_eq!(&it.text[d[0].start..d[0].end], "Almaz Bekov");
}

mod patterns {
    use super::*;

    fn one(t: &str) -> Option<(String, Option<String>)> {
        let d = entities::detect(t);
        let v: Vec<_> = find(t, &d, &QuotesOptions::default())
            .into_iter()
            .map(|(_, q)| (q.text, q.speaker))
            .collect();
        assert!(v.len() <= 1, "{t}: {v:?}");
        v.into_iter().next()
    }

    fn speaker(t: &str) -> Option<String> {
        one(t).unwrap_or_else(|| panic!("no quotation in {t}")).1
    }

    #[test]
    fn attribution_patterns() {
        let bekov = Some("Almaz Bekov".to_string());
        for t in [
            "\"Prices will keep rising for a while,\" said Almaz Bekov, an economist in Bishkek.",
            "\"Prices will keep rising for a while,\" Almaz Bekov said on Tuesday.",
            "Almaz Bekov said \"prices will keep rising for a while\" at the meeting.",
            "Almaz Bekov told Reuters that \"prices will keep rising for a while\".",
            "Almaz Bekov told reporters: \"Prices will keep rising for a while.\"",
            "\"Prices will keep rising for a while,\" according to Almaz Bekov.",
            "Almaz Bekov, the economy minister, said: \"Prices will keep rising for a while.\"",
            "\"Prices will keep rising for a while,\" Almaz Bekov, the deputy economy minister, said.",
            "Almaz Bekov was quoted as saying \"prices will keep rising for a while.\"",
            "The agency quoted Almaz Bekov as saying \"prices will keep rising for a while.\"",
            "Almaz Bekov, a senior economist, put it bluntly in an interview: \"Prices will keep rising for a while.\"",
            "“Prices will keep rising for a while,” Almaz Bekov warned.",
        ] {
            assert_eq!(speaker(t), bekov, "{t}");
        }
    }

    #[test]
    fn organisations_speak_only_through_their_rules() {
        assert_eq!(
            speaker(
                "Gazprom said in a statement: \"Deliveries will resume next month as planned.\""
            ),
            Some("Gazprom".into())
        );
        assert_eq!(
            speaker(
                "A notice at the gate of the ministry read: \"Foreign investors are our guests here.\""
            ),
            None
        );
    }

    #[test]
    fn unnamed_members_of_organisations() {
        assert_eq!(
            speaker(
                "A Foreign Ministry spokesman said: \"China respects the sovereignty of all states.\""
            ),
            None
        );
        assert_eq!(
            speaker("\"We respect the sovereignty of all states,\" Gazprom officials said."),
            None
        );
    }

    #[test]
    fn quotation_introduced_by_a_colon_paragraph() {
        let t = "Rustam Haydarov, a security analyst, said the drills were about politics:\n\n\"Moscow wants to show that it still guarantees security here.\n\n\"But everybody knows who pays for the outposts.\"";
        assert_eq!(
            one(t),
            Some((
                "Moscow wants to show that it still guarantees security here. But everybody knows who pays for the outposts.".into(),
                Some("Rustam Haydarov".into())
            ))
        );
    }

    #[test]
    fn speakers_take_the_names_of_item_entities() {
        use feedloom_core::item::Entity;
        let ent = |name: &str, aliases: &[&str]| {
            let mut e: Entity = serde_json::from_value(serde_json::json!({
                "name": name, "kind": "person", "mentions": 2
            }))
            .expect("entity");
            e.aliases = aliases.iter().map(|a| a.to_string()).collect();
            e
        };
        let ents = [
            ent("Sadyr Nurgozhoevich Japarov", &["Zhaparov"]),
            ent("Akylbek Japarov", &[]),
            ent("Almaz Bekov", &[]),
        ];
        assert_eq!(
            canonical(&ents, "Zhaparov".into()),
            "Sadyr Nurgozhoevich Japarov"
        );
        assert_eq!(canonical(&ents, "Bekov".into()), "Almaz Bekov");
        // two people share the surname: the name as found
        assert_eq!(canonical(&ents, "Japarov".into()), "Japarov");
        assert_eq!(canonical(&ents, "Gazprom".into()), "Gazprom");
    }

    #[test]
    fn source_of_report_is_not_the_speaker() {
        let t = "Sadyr Japarov said the two countries should cooperate on \"energy, critical minerals and agriculture,\" according to the Kabar news agency.";
        assert_eq!(speaker(t), Some("Sadyr Japarov".into()));
    }

    #[test]
    fn pronouns() {
        assert_eq!(
            speaker(
                "Dilnoza Karimova spoke first. \"We have been waiting for ten years,\" she added."
            ),
            Some("Dilnoza Karimova".into())
        );
        // the surname form tells a female speaker from a male one
        assert_eq!(
            speaker(
                "Almaz Bekov arrived. Then Dilnoza Karimova spoke. \"Prices will rise for a while,\" he warned."
            ),
            Some("Almaz Bekov".into())
        );
        // a pronoun about someone unnamed is nobody's quotation
        assert_eq!(
            speaker(
                "Almaz Bekov left early.\nA diplomat I spoke to was less diplomatic. \"They all come with promises,\" he said."
            ),
            None
        );
    }

    #[test]
    fn unnamed_people_ranks_and_acronyms() {
        // a pronoun after an unnamed person is that person's, never the last named one's
        assert_eq!(
            speaker(
                "Almaz Bekov left early. When I asked a Russian diplomat about it, he smiled and said: \"We have an understanding with them.\""
            ),
            None
        );
        // an organisation's unnamed head is not the organisation
        assert_eq!(
            speaker(
                "The Asian Development Bank (ADB) approved a loan, and its president said the bank was \"watching compliance very closely.\""
            ),
            None
        );
        // abbreviated ranks, ages, lower-case particles, acronyms of organisations
        for (t, who) in [
            (
                "\"The canal is safe, and that is final,\" SCA chairman Lt. Gen. Omar Haddad told reporters.",
                "Omar Haddad",
            ),
            (
                "Spokesman Yahya al-Harbi spoke. \"We will continue to strike,\" al-Harbi said.",
                "Yahya al-Harbi",
            ),
            (
                "Ali Rahimi spoke first. \"This is a gateway for us,\" Rahimi, 61, told reporters.",
                "Ali Rahimi",
            ),
            (
                "\"We cannot plant at these prices,\" said one farmer, Joseph Kiprono.",
                "Joseph Kiprono",
            ),
            (
                "The Asian Development Bank (ADB) agreed. \"New borrowing must be concessional,\" the ADB said in a statement.",
                "Asian Development Bank",
            ),
        ] {
            assert_eq!(one(t).and_then(|q| q.1).as_deref(), Some(who), "{t}");
        }
    }

    #[test]
    fn short_quotations() {
        // attributed utterance kept, label and scare quotes skipped
        assert_eq!(
            one("\"We will win,\" Almaz Bekov said."),
            Some(("We will win,".into(), Some("Almaz Bekov".into())))
        );
        assert_eq!(
            one("Officials described the plan as \"very good\" in private."),
            None
        );
        assert_eq!(one("Moscow calls it the “near abroad” and watches."), None);
    }

    #[test]
    fn interrupted_guillemets_and_no_guess() {
        assert_eq!(
            one("\"First part of it,\" she said, \"second part of the sentence.\""),
            Some((
                "First part of it, second part of the sentence.".into(),
                None
            ))
        );
        assert_eq!(
            one("«Nous ne céderons jamais sur ce point», a déclaré le ministre.").map(|q| q.0),
            Some("Nous ne céderons jamais sur ce point".into())
        );
        assert_eq!(
            speaker(
                "The weather was bad. Almaz Bekov arrived late.\n\"This will never happen again here,\" a source said."
            ),
            None
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for t in [
            "“",
            "”",
            "\"",
            "\"\"",
            "« »",
            "“a” “b c d e” he said”",
            "said: “",
            "”he said “x y z w",
            "A “x”. “Ab cd ef gh,” he said, “",
            "é“ö”ü \"ä ö ü ß\" said Ö",
        ] {
            let d = entities::detect(t);
            let _ = find(t, &d, &QuotesOptions::default());
        }
    }
}

#[test]
fn role_words_between_the_verb_and_the_name() {
    // lower-case roles, an employer's name and abbreviated titles between "said" and the name
    let r = f(
        "\"The budget will be balanced by next year and we will not raise taxes,\" said deputy finance minister Aibek Usenov.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Aibek Usenov"), "{r:?}");
    let r = f(
        "\"We dug ourselves too big a hole on the road tonight,\" said Hornets coach Ray Dunmore. \"But we competed.\"",
    );
    assert_eq!(r[0].1.as_deref(), Some("Ray Dunmore"), "{r:?}");
    let r = f(
        "\"Our members want to work, and they are being intimidated,\" said TUC regional secretary Sipho Mabaso.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Sipho Mabaso"), "{r:?}");
    let r = f(
        "\"You are asking companies to tear up their contracts and calling it reform,\" said Liberal senator Angus Reddy.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Angus Reddy"), "{r:?}");
    // a clause of its own between the verb and a name is no role: nobody
    let r = f(
        "\"We will not sign this agreement this year,\" said a statement on Tuesday after Aibek Usenov left.",
    );
    assert_eq!(r[0].1, None, "{r:?}");
}

#[test]
fn person_of_the_organisation_speaks() {
    let r = f(
        "\"The minister is trying to change the subject entirely,\" said Dana Thorsen of the Mountain Rivers Club.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Dana Thorsen"), "{r:?}");
    let r = f(
        "\"The government values the public broadcaster very much,\" said assistant deputy minister Claire Dubois of the Department of Heritage.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Claire Dubois"), "{r:?}");
    let d = entities::detect("Officials met Sumitra Basu of the Trinamool Congress on Monday.");
    assert!(
        d.entities
            .iter()
            .any(|e| e.name == "Sumitra Basu" && e.kind == EntityKind::Person)
    );
    assert!(
        d.entities
            .iter()
            .any(|e| e.name == "Trinamool Congress" && e.kind == EntityKind::Organization)
    );
}

#[test]
fn unnamed_members_companies_and_names_that_are_places() {
    // "said one NASA official": an unnamed member of the organisation
    let r = f(
        "\"We may not have the money to run it past next year,\" said one NASA official, who asked not to be identified.",
    );
    assert_eq!(r[0].1, None, "{r:?}");
    // "a spokesman for Gov. X": the governor's spokesman, nobody named
    let r = f(
        "A spokesman for Gov. Ray Fontaine said the governor would \"wait for the facts before deciding anything.\"",
    );
    assert_eq!(r[0].1, None, "{r:?}");
    // "the company said": the latest organisation named with a legal form, not the court
    // named after it
    let r = f(
        "Brightline Ltd said it would appeal to the Court of Appeal. \"We take privacy extremely seriously and the claim will fail,\" the company said.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Brightline Ltd"), "{r:?}");
    // two name words that are also places' names, speaking
    let r = f(
        "\"People were told to pack up everything they owned,\" said Jordan Whitehorse, a lawyer with the legal clinic.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Jordan Whitehorse"), "{r:?}");
    let r = f(
        "\"Businesses should be able to leave when they want to,\" said Executive Vice-President Sofie Vandamme, who oversees competition.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Sofie Vandamme"), "{r:?}");
    // an office named after its holder speaks in a statement
    let r = f(
        "The Information Commissioner's Office said in a statement that \"organisations must be transparent with people about their data.\"",
    );
    assert_eq!(
        r[0].1.as_deref(),
        Some("Information Commissioner's Office"),
        "{r:?}"
    );
}

#[test]
fn relative_clauses_and_according_to_organisations() {
    // the relative clause's "members" is no unnamed member of the speaker
    let r = f(
        "The Miners Union (MU), which has lost thousands of members to a rival, said the rival was \"making promises it knows it cannot keep\".",
    );
    assert_eq!(r[0].1.as_deref(), Some("Miners Union"), "{r:?}");
    // "according to X ... The group said": the organisation named just before
    let r = f(
        "According to the Campaign for Cheaper Fares, tickets rose 22 per cent. The group said the rise would be \"the final straw for commuters already stretched\".",
    );
    assert_eq!(
        r[0].1.as_deref(),
        Some("Campaign for Cheaper Fares"),
        "{r:?}"
    );
}

#[test]
fn roles_named_paragraphs_before_and_pronoun_subjects() {
    // "the judge wrote" paragraphs after "The judge, Sir Edmund Harlow, ..."
    let r = f(
        "The judge, Sir Edmund Harlow, rejected that argument.\nThe hearing lasted two days and the claim will now go to trial next year.\n\"That cannot be right, and the law does not allow it,\" the judge wrote.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Edmund Harlow"), "{r:?}");
    let r = f(
        "DUBLIN - The Taoiseach, Declan Morrow, defended the budget.\nThe opposition attacked the overrun again on Wednesday.\n\"I am not going to pretend that this is acceptable,\" the Taoiseach replied.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Declan Morrow"), "{r:?}");
    // "which he described as": the pronoun right before the verb is its subject, not a name
    // earlier in the clause
    let r = f(
        "Treasurer Ross Denton spoke first.\nHe said the fund, paid for by the GP co-payment, was one which he described as \"the largest of its kind anywhere in the world\".",
    );
    assert_eq!(r[0].1.as_deref(), Some("Ross Denton"), "{r:?}");
}

#[test]
fn a_clause_after_a_conjunction_and_unnamed_role_holders() {
    // "“…,” while Y said": Y attributes the next quotation, not this one
    let r = f(
        "The Farmers Federation said in a statement that the bill \"gives producers the certainty they need to plan ahead,\" while the Food Action Center said the cuts were \"the deepest in a whole generation.\"",
    );
    assert_eq!(r[0].1.as_deref(), Some("Farmers Federation"), "{r:?}");
    assert_eq!(r[1].1.as_deref(), Some("Food Action Center"), "{r:?}");
    // "A lawyer familiar with the case ... the lawyer said": unnamed, even when a lawyer was
    // named paragraphs before
    let r = f(
        "Maria Lopez, a lawyer for the workers, filed the suit.\nA lawyer familiar with the case said growers were worried. \"Every grower in the valley is reading this opinion tonight,\" the lawyer said.",
    );
    assert_eq!(r[0].1, None, "{r:?}");
}

#[test]
fn a_possessive_is_no_pronoun_subject() {
    let r = f(
        "The company mourned Daniel Ruiz and Kevin Brand.\nRuiz's widow, Marisol Ruiz, sat in the front row. \"He called me at lunch and said the unit smelled wrong again,\" she told reporters.",
    );
    assert_eq!(r[0].1.as_deref(), Some("Marisol Ruiz"), "{r:?}");
}
