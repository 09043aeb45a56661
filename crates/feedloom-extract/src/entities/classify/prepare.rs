//! Rules that cut a run to the name in it: a hyphenated modifier before it, the stopwords
//! and imperatives opening it, the connectors ending it.

use super::*;

/// "Taliban-run Ministry", "Kremlin-backed party": the hyphenated modifier
/// ([`MODIFIER_SUFFIXES`]) is not part of the name after it; "Dubai-based": its place still
/// counts.
pub(super) fn modifier_before_name<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if let Some(p) = run.iter().rposition(|t| {
        t.s.rsplit_once('-')
            .is_some_and(|(_, suf)| MODIFIER_SUFFIXES.contains(suf))
    }) {
        if let Some((pre, _)) = run[p].s.rsplit_once('-')
            && let Some(g) = GAZ.get(pre)
            && !matches!(g.kind, GazKind::Demonym | GazKind::Macro)
        {
            cx.push(Span::gaz(run[p].start, run[p].start + pre.len(), g));
        }
        cx.set_run(&run[p + 1..]);
    }
    Step::Next
}

/// Leading stopwords ("The", "According", "In") are not part of a name, but an adjective
/// opening an organisation's name is ("First Quantum Minerals", "New Development Bank");
/// "Shares of Adani Ports": a plural noun opening the sentence, then "of"; "Follow NNPC Ltd.
/// on X", "Contact Ngozi Amadi": an imperative opening the sentence.
pub(super) fn leading_words<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let mut run = cx.run;
    while let Some(f) = run.first() {
        let adjective = matches!(f.s, "First" | "New" | "Second" | "Third" | "Next" | "One")
            && run[1..].iter().any(|t| is_org_word(t.s));
        // "Ministers of the European Union", "Members of Parliament": a plural title
        // before "of" anywhere (its singular is a title), another plural noun opening the
        // sentence ("Shares of Adani Ports")
        let singular = f.s.strip_suffix('s').unwrap_or(f.s);
        // (the cheap conditions first)
        let noun_of = run.len() > 2
            && run[1].s == "of"
            && f.s.len() > 3
            && f.s.ends_with('s')
            && (cx.sent_start
                || TITLES.contains(singular)
                || PERSON_TITLES.contains(singular)
                || JOB_HEADS.contains(singular)
                || matches!(f.s, "Members" | "Shares" | "Leaders" | "Heads"))
            && !is_org_word(f.s)
            && GAZ.get_word(f.s).is_none();
        if noun_of {
            run = &run[2..];
            continue;
        }
        if cx.sent_start
            && run.len() > 1
            && matches!(
                f.s,
                "Follow" | "Contact" | "Visit" | "Subscribe" | "Join" | "Watch" | "Listen"
            )
        {
            run = &run[1..];
            continue;
        }
        if (text::is_stopword(f.s) || (cx.sent_start && run.len() > 1 && f.s.ends_with("ly")))
            && !adjective
            && !is_acronym(f.s)
        {
            run = &run[1..];
        } else {
            break;
        }
    }
    cx.set_run(run);
    Step::Next
}

/// Connectors ending the run ("of", "and") are not part of the name, nor is the "No" of a
/// document's number ("Government Decision No. 412-N"); nothing left: no entity.
pub(super) fn trailing_words<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let mut run = cx.run;
    while let Some(l) = run.last() {
        if !is_name_tok(l.s) && !PARTICLES.contains(l.s) {
            run = &run[..run.len() - 1];
        } else {
            break;
        }
    }
    if let Some(l) = run.last()
        && matches!(l.s, "No" | "Nos" | "Number")
    {
        run = &run[..run.len() - 1];
    }
    cx.set_run(run);
    if run.is_empty() {
        return Step::Done;
    }
    Step::Next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifier_before_name() {
        // the name after the modifier is classified by the later rules ("Taliban-run" is cut
        // into two words before the runs are made; a particle name is not)
        for (text, name) in [
            (
                "Fighters of the al-Shabaab-linked Jubaland Front attacked.",
                "Jubaland Front",
            ),
            (
                "The Taliban-run Ministry of Mines said so.",
                "Ministry of Mines",
            ),
        ] {
            let c = candidates(text);
            assert!(
                c.spans
                    .iter()
                    .any(|s| s.name == name && s.kind == Cand::Org),
                "{text}: {name} not in {:?}",
                c.spans.iter().map(|s| &s.name).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn trailing_words() {
        // the "No" of a document's number is cut, and the document rule sees "Decision" last
        check(
            "document_number",
            &[(
                "It follows Government Decision No. 412-N on tariffs.",
                "Government Decision",
                None,
            )],
        );
    }

    #[test]
    fn leading_words() {
        for (text, name) in [
            (
                "The Shanghai Cooperation Organisation met in Astana.",
                "Shanghai Cooperation Organisation",
            ),
            ("Shares of Adani Ports fell.", "Adani Ports"),
            ("Follow NNPC Ltd for news.", "NNPC Ltd"),
            ("First Quantum Minerals grew.", "First Quantum Minerals"),
        ] {
            let c = candidates(text);
            assert!(
                c.spans.iter().any(|s| s.name == name),
                "{text}: {name} not in {:?}",
                c.spans.iter().map(|s| &s.name).collect::<Vec<_>>()
            );
        }
    }
}
