//! A candidate entity found by a classification rule, before resolution.

use super::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Cand {
    Person,
    Org,
    Place,
    /// A single capitalised word that may be a surname or an acronym, resolved at the end.
    Single,
    /// A named thing ("the TurkStream pipeline"): no entity, and neither are its other
    /// mentions.
    Thing,
}

pub(super) struct Span {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: Cand,
    pub(super) name: String,
    pub(super) country: Option<&'static str>,
    pub(super) acronym: Option<String>,
    /// A single word the gazetteer alone made a place (not a country): a person of the article
    /// with that name part wins ("Aydın said" after "Energy Minister Murat Aydın"); a person
    /// only by the shape of the name: a place or organisation of that name elsewhere wins
    /// ("Rio Tinto's Oyu Tolgoi mine ... the town nearest to Oyu Tolgoi").
    pub(super) weak: bool,
    /// Another name of the same place ("Xinjiang" for "Xinjiang Province").
    pub(super) alias: Option<&'static str>,
    /// A natural feature or a structure ("the Bab el-Mandeb strait", "the Karachaganak
    /// field", "Cape of Good Hope"): no country is inferred for it.
    pub(super) feature: bool,
    /// The rule that pushed this span (set by the classifier: see `classify::RULES`).
    pub(super) rule: &'static str,
}

/// Words a rule decided are no entity ("US" in "US$50 billion", a job title alone, a named
/// thing's other mentions), with the rule's name: what `--explain` reports as rejected.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rejected {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) rule: &'static str,
}

impl Span {
    /// A candidate named as the text writes it.
    pub(super) fn new(text: &str, start: usize, end: usize, kind: Cand) -> Span {
        Span {
            start,
            end,
            kind,
            name: text::sub(text, start, end).to_string(),
            country: None,
            acronym: None,
            weak: false,
            alias: None,
            feature: false,
            rule: "",
        }
    }

    /// A place named by the gazetteer entry `g` (its spelling and country).
    pub(super) fn gaz(start: usize, end: usize, g: &text::GazEntry) -> Span {
        Span {
            start,
            end,
            kind: Cand::Place,
            name: g.name.to_string(),
            country: (!g.cc.is_empty()).then_some(g.cc),
            acronym: None,
            weak: false,
            alias: None,
            feature: false,
            rule: "",
        }
    }

    /// A place only by the gazetteer: see [`Span::weak`].
    pub(super) fn weak(mut self) -> Span {
        self.weak = self.end - self.start == self.name.len() && !self.name.contains(' ');
        self
    }

    pub(super) fn country(mut self, c: Option<&'static str>) -> Span {
        self.country = c;
        self
    }

    pub(super) fn acronym(mut self, a: Option<String>) -> Span {
        self.acronym = a;
        self
    }
}
