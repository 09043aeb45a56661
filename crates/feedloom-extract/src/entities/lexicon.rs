//! The word lists the entity rules consult, one file each in `data/lexicons/<name>.txt`
//! (one word or phrase a line, byte-sorted, no duplicates; `data/lexicons/README.md` says
//! how to add a word). The comment at the top of each file says what the list is for; `grep
//! -rn NAME src/entities` finds the rules that use it. Every list is consulted by membership
//! only, so its order in the file does not matter.

use std::sync::LazyLock;

use crate::lexicon::Lexicon;

// people
pub(super) static TITLES: LazyLock<Lexicon> = crate::lexicon!("titles");
pub(super) static PERSON_TITLES: LazyLock<Lexicon> = crate::lexicon!("person_titles");
pub(super) static PARTICLES: LazyLock<Lexicon> = crate::lexicon!("particles");
pub(super) static JOB_HEADS: LazyLock<Lexicon> = crate::lexicon!("job_heads");
pub(super) static JOB_MODIFIERS: LazyLock<Lexicon> = crate::lexicon!("job_modifiers");
pub(super) static PORTFOLIO: LazyLock<Lexicon> = crate::lexicon!("portfolio");
pub(super) static NOT_NAME: LazyLock<Lexicon> = crate::lexicon!("not_name");
pub(super) static ETHNIC: LazyLock<Lexicon> = crate::lexicon!("ethnic");
// organisations
pub(super) static ORG_WORDS: LazyLock<Lexicon> = crate::lexicon!("org_words");
pub(super) static ORG_FINAL: LazyLock<Lexicon> = crate::lexicon!("org_final");
pub(super) static INDUSTRY_FINAL: LazyLock<Lexicon> = crate::lexicon!("industry_final");
pub(super) static LEGAL_PREFIX: LazyLock<Lexicon> = crate::lexicon!("legal_prefix");
pub(super) static ORG_AFTER: LazyLock<Lexicon> = crate::lexicon!("org_after");
pub(super) static ORG_BEFORE: LazyLock<Lexicon> = crate::lexicon!("org_before");
pub(super) static ORG_APPOSITION: LazyLock<Lexicon> = crate::lexicon!("org_apposition");
pub(super) static MEDIA: LazyLock<Lexicon> = crate::lexicon!("media");
pub(super) static COMMON_ACRONYMS: LazyLock<Lexicon> = crate::lexicon!("common_acronyms");
pub(super) static AUX_VERBS: LazyLock<Lexicon> = crate::lexicon!("aux_verbs");
pub(super) static COMPANY_VERBS: LazyLock<Lexicon> = crate::lexicon!("company_verbs");
pub(super) static PERSON_VERBS: LazyLock<Lexicon> = crate::lexicon!("person_verbs");
pub(super) static COMPANY_NOUNS: LazyLock<Lexicon> = crate::lexicon!("company_nouns");
// places and things
pub(super) static GEO_TAIL: LazyLock<Lexicon> = crate::lexicon!("geo_tail");
pub(super) static GEO_HEAD: LazyLock<Lexicon> = crate::lexicon!("geo_head");
pub(super) static ADMIN_TAIL: LazyLock<Lexicon> = crate::lexicon!("admin_tail");
pub(super) static PLACE_AFTER: LazyLock<Lexicon> = crate::lexicon!("place_after");
pub(super) static FEATURE_NOUNS: LazyLock<Lexicon> = crate::lexicon!("feature_nouns");
pub(super) static REGION_NOUNS: LazyLock<Lexicon> = crate::lexicon!("region_nouns");
pub(super) static CROSS_BORDER: LazyLock<Lexicon> = crate::lexicon!("cross_border");
pub(super) static ROUTE_NOUNS: LazyLock<Lexicon> = crate::lexicon!("route_nouns");
pub(super) static ROUTE_TAIL: LazyLock<Lexicon> = crate::lexicon!("route_tail");
pub(super) static NAMED_THING_AFTER: LazyLock<Lexicon> = crate::lexicon!("named_thing_after");
pub(super) static DOCUMENT_NOUNS: LazyLock<Lexicon> = crate::lexicon!("document_nouns");
// words of context, looked up by the rules that read around a name
pub(super) static PLACE_APPOSITION_NOUNS: LazyLock<Lexicon> =
    crate::lexicon!("place_apposition_nouns");
pub(super) static EMPLOYER_ROLES: LazyLock<Lexicon> = crate::lexicon!("employer_roles");
pub(super) static ORG_AGENT_VERBS: LazyLock<Lexicon> = crate::lexicon!("org_agent_verbs");
pub(super) static PLATFORM_VERBS: LazyLock<Lexicon> = crate::lexicon!("platform_verbs");
pub(super) static COMPANY_POSSESSIONS: LazyLock<Lexicon> = crate::lexicon!("company_possessions");
pub(super) static BUSINESS_VERBS: LazyLock<Lexicon> = crate::lexicon!("business_verbs");
pub(super) static QUALIFIER_NOUNS: LazyLock<Lexicon> = crate::lexicon!("qualifier_nouns");
pub(super) static POSSESSIVE_ORG_NOUNS: LazyLock<Lexicon> = crate::lexicon!("possessive_org_nouns");
pub(super) static HYPHEN_PREFIXES: LazyLock<Lexicon> = crate::lexicon!("hyphen_prefixes");
pub(super) static SPEECH_VERBS: LazyLock<Lexicon> = crate::lexicon!("speech_verbs");
pub(super) static MODIFIER_SUFFIXES: LazyLock<Lexicon> = crate::lexicon!("modifier_suffixes");
pub(super) static PLACE_OF_NOUNS: LazyLock<Lexicon> = crate::lexicon!("place_of_nouns");
// teams, units, legislatures
pub(super) static MILITARY_UNITS: LazyLock<Lexicon> = crate::lexicon!("military_units");
pub(super) static CLUB_SUFFIXES: LazyLock<Lexicon> = crate::lexicon!("club_suffixes");
pub(super) static LEGISLATURES: LazyLock<Lexicon> = crate::lexicon!("legislatures");
pub(super) static US_STATE_ABBREVIATIONS: LazyLock<Lexicon> =
    crate::lexicon!("us_state_abbreviations");
