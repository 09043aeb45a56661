//! Classification of one run of capitalised words into candidate spans, by an ordered table
//! of named rules ([`RULES`]).
//!
//! Each rule looks at the run (and the words around it) and either passes it on to the next
//! rule ([`Step::Next`], perhaps after trimming it), decides it ([`Step::Done`], with the spans
//! it pushed, or none: the run is no entity), or has the rest of the run classified from the
//! first rule again ([`Step::Restart`]: "Group Chief Executive Officer of NNPC Ltd" goes on
//! with "NNPC Ltd"). The first rule that decides wins, so the order of the table matters.
//!
//! Every span carries the name of the rule that pushed it (`Span::rule`), and a run a rule
//! decided is no entity is kept with that rule's name ([`Rejected`]): `feedloom extract
//! --explain` prints them. To change how one kind of entity is recognised, find its rule in
//! [`RULES`] (rules are named by what they recognise: `person_after_title`,
//! `org_by_words`, `place_geo_tail`), its words in `lexicon.rs` and its test beside it.

mod lone;
mod orgs;
mod people;
mod places;
mod prepare;
mod teams;
mod things;

use super::*;

use self::lone::*;
use self::orgs::*;
use self::people::*;
use self::places::*;
use self::prepare::*;
use self::teams::*;
use self::things::*;

/// What a rule did with the run.
pub(super) enum Step<'a> {
    /// Not decided: the next rule looks at the run (a rule may have trimmed it).
    Next,
    /// Decided: the spans this rule pushed, or none (the run is no entity).
    Done,
    /// Classify these words (the rest of the run) from the first rule again.
    Restart(&'a [Tok<'a>]),
}

/// One rule of [`RULES`].
pub(super) struct Rule {
    /// The rule's name: on every span it pushes, printed by `--explain`.
    pub(super) name: &'static str,
    pub(super) apply: for<'a> fn(&mut Ctx<'a>) -> Step<'a>,
}

/// What the rules see: the run and the words around it.
pub(super) struct Ctx<'a> {
    pub(super) text: &'a str,
    /// The run of capitalised words being classified; the preparing rules trim it (with
    /// [`Ctx::set_run`]).
    pub(super) run: &'a [Tok<'a>],
    /// The word right after the run (before `run` was trimmed at its end).
    pub(super) next: Option<&'a Tok<'a>>,
    /// The run opens its sentence.
    pub(super) sent_start: bool,
    /// The run is one part of a hyphenated chain of places ("Beineu-Bozoi-Shymkent").
    pub(super) in_chain: bool,
    /// The run without its leading titles and nationality words (set by `leading_titles`).
    pub(super) rest: &'a [Tok<'a>],
    /// `leading_titles` skipped at least one title.
    pub(super) titled: bool,
    spans: &'a mut Vec<Span>,
    /// [`run_has_org`] of `run`, once asked (several rules ask).
    has_org: std::cell::Cell<Option<bool>>,
    /// Where `run` starts and ends, and its words as written (kept by [`Ctx::set_run`]).
    span: (usize, usize),
    full: &'a str,
}

impl<'a> Ctx<'a> {
    pub(super) fn push(&mut self, sp: Span) {
        self.spans.push(sp);
    }

    /// The spans pushed so far (by earlier runs too).
    pub(super) fn spans(&self) -> &[Span] {
        self.spans
    }

    /// Byte offset where the run starts.
    pub(super) fn start(&self) -> usize {
        self.span.0
    }

    /// Byte offset where the run ends.
    pub(super) fn end(&self) -> usize {
        self.span.1
    }

    /// The run as written.
    pub(super) fn full(&self) -> &'a str {
        self.full
    }

    /// The run's last word.
    pub(super) fn last(&self) -> &'a str {
        self.run.last().map_or("", |t| t.s)
    }

    /// The run names an organisation by its words ([`run_has_org`]).
    pub(super) fn has_org(&self) -> bool {
        if let Some(h) = self.has_org.get() {
            return h;
        }
        let h = run_has_org(self.run);
        self.has_org.set(Some(h));
        h
    }

    /// Classify these words from now on.
    pub(super) fn set_run(&mut self, run: &'a [Tok<'a>]) {
        self.run = run;
        self.has_org.set(None);
        self.span = (
            run.first().map_or(0, |t| t.start),
            run.last().map_or(0, |t| t.end),
        );
        self.full = text::sub(self.text, self.span.0, self.span.1);
    }

    /// The next word follows the run after spaces only.
    pub(super) fn next_adjacent(&self) -> bool {
        self.next
            .is_some_and(|n| text::sub(self.text, self.end(), n.start).trim().is_empty())
    }

    /// "the TurkStream pipeline", "the Global Gateway plan": a noun of named things follows.
    pub(super) fn named_thing(&self) -> bool {
        self.next_adjacent() && self.next.is_some_and(|n| NAMED_THING_AFTER.contains(n.s))
    }

    /// `self.rest` as one span: its start and end.
    pub(super) fn rest_span(&self) -> (usize, usize) {
        (
            self.rest.first().map_or(0, |t| t.start),
            self.rest.last().map_or(0, |t| t.end),
        )
    }
}

/// `Rule { name: "f", apply: f }`.
macro_rules! rule {
    ($f:ident) => {
        Rule {
            name: stringify!($f),
            apply: $f,
        }
    };
}

/// The rules, in the order they are tried. A rule's doc comment (beside its function) says
/// what it recognises; its test is a table of sentences beside it.
pub(super) const RULES: &[Rule] = &[
    // the run is cut to the name
    rule!(modifier_before_name),
    rule!(currency_before_number),
    rule!(place_after_party_letter),
    rule!(ticker_code),
    rule!(org_before_ticker),
    rule!(org_in_results_line),
    rule!(org_slash_name),
    rule!(org_numbered_unit),
    rule!(gazetteer_name),
    rule!(leading_words),
    rule!(trailing_words),
    // teams, units and legislatures by their words
    rule!(org_club_name),
    rule!(org_team_city_plural),
    rule!(org_legislature),
    // people by their titles
    rule!(person_after_honorific),
    rule!(job_title),
    rule!(document_number),
    rule!(person_after_portfolio_list),
    rule!(person_after_title_of_portfolio),
    rule!(place_after_titled_name),
    rule!(person_after_title),
    rule!(person_of_the_org),
    // places and things by their words
    rule!(gazetteer_place_run),
    rule!(place_admin_noun),
    rule!(title_of_portfolio),
    rule!(place_feature_head),
    rule!(named_line_or_road),
    rule!(place_chain_part),
    rule!(named_thing_brand),
    rule!(org_native_name_in_parens),
    rule!(org_media_or_brand),
    rule!(org_word_alone),
    rule!(route_by_direction),
    rule!(place_geo_tail),
    rule!(org_by_words),
    // names by the words around them
    rule!(place_after_of_noun),
    rule!(place_before_place_noun),
    rule!(org_before_org_noun),
    rule!(gazetteer_word),
    rule!(place_city_or_state),
    rule!(org_employer),
    rule!(place_after_preposition),
    rule!(leading_titles),
    rule!(person_after_leading_titles),
    // a lone word
    rule!(dateline_place),
    rule!(dateline_place_with_country),
    rule!(lone_acronym),
    rule!(lone_gazetteer_word),
    rule!(lone_town_in_place_context),
    rule!(lone_feature_after_the),
    rule!(lone_name),
    // longer names
    rule!(org_acronym_inside),
    rule!(org_by_context),
    rule!(name_after_the),
    rule!(org_outlet_geo_word),
    rule!(person_by_shape),
    rule!(person_by_speech),
    rule!(person_of_place),
    rule!(places_inside_run),
];

/// Classify a run of capitalised words into spans, rule by rule ([`RULES`]). A run that is a
/// job title followed by `of`/`at` and more names is classified again from the employer on
/// ("Group Chief Executive Officer of NNPC Ltd"): a loop, not recursion, so that a hostile run
/// of thousands of titles cannot overflow the stack.
pub(in crate::entities) fn classify<'a>(
    text: &'a str,
    run: &'a [Tok<'a>],
    next: Option<&'a Tok<'a>>,
    sent_start: bool,
    in_chain: bool,
    spans: &'a mut Vec<Span>,
    rejected: &mut Vec<Rejected>,
) {
    let mut cx = Ctx {
        text,
        run,
        next,
        sent_start,
        in_chain,
        rest: &[],
        titled: false,
        spans,
        has_org: std::cell::Cell::new(None),
        span: (0, 0),
        full: "",
    };
    cx.set_run(run);
    'run: loop {
        for rule in RULES {
            let before = cx.spans.len();
            let step = (rule.apply)(&mut cx);
            for sp in cx.spans.iter_mut().skip(before) {
                if sp.rule.is_empty() {
                    sp.rule = rule.name;
                }
            }
            match step {
                Step::Next => {}
                Step::Done => {
                    let words = if cx.rest.is_empty() { cx.run } else { cx.rest };
                    if cx.spans.len() == before
                        && let (Some(f), Some(l)) = (words.first(), words.last())
                    {
                        rejected.push(Rejected {
                            start: f.start,
                            end: l.end,
                            rule: rule.name,
                        });
                    }
                    return;
                }
                Step::Restart(rest) => {
                    cx.set_run(rest);
                    cx.sent_start = false;
                    cx.in_chain = false;
                    cx.rest = &[];
                    cx.titled = false;
                    continue 'run;
                }
            }
        }
        return;
    }
}

/// The rows of a rule's test: a sentence, the words of a span as written, and the kind the
/// rule gives them (`None`: the rule decides they are no entity).
#[cfg(test)]
pub(super) type Row = (&'static str, &'static str, Option<Cand>);

/// Every row: `rule` pushed a span of those words and that kind (or rejected those words).
#[cfg(test)]
pub(super) fn check(rule: &str, rows: &[Row]) {
    assert!(
        RULES.iter().any(|r| r.name == rule),
        "{rule} is not in RULES"
    );
    for &(text, words, kind) in rows {
        let c = candidates(text);
        let found = match kind {
            Some(k) => c
                .spans
                .iter()
                .any(|s| text::sub(text, s.start, s.end) == words && s.kind == k && s.rule == rule),
            None => c
                .rejected
                .iter()
                .any(|r| text::sub(text, r.start, r.end) == words && r.rule == rule),
        };
        let spans: Vec<_> = c
            .spans
            .iter()
            .map(|s| (text::sub(text, s.start, s.end), s.kind, s.rule))
            .collect();
        let rejected: Vec<_> = c
            .rejected
            .iter()
            .map(|r| (text::sub(text, r.start, r.end), r.rule))
            .collect();
        assert!(
            found,
            "{rule}: {text:?}: expected {words:?} {kind:?}\n  spans: {spans:?}\n  rejected: {rejected:?}"
        );
    }
}
