//! When the article was first published: the evidence a page gives (JSON-LD, `<meta>`, the
//! story's own date element, the URL's path, a date under the heading, a dateline), ranked,
//! with the checks that catch a template's wrong structured date.

use chrono::{DateTime, NaiveDate, Utc};

use super::{dateline, dates, jsonld, scan};

/// `<meta>` keys that hold the publication date, most specific first.
const PUBLISHED_KEYS: [&str; 22] = [
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "og:published_time",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "article.published",
    "article_date_original",
    "original-publish-date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date.created",
    "citation_publication_date",
    "dc.date",
    "dcterms.date",
];

/// A dated piece of evidence: the date, its kind, its rank (lower is more trusted).
struct Evidence {
    date: DateTime<Utc>,
    kind: &'static str,
    rank: u8,
}

pub(super) fn published(
    s: &scan::Scan,
    ld: &jsonld::LdArticle,
    url: Option<&str>,
    main_text: Option<&str>,
    modified: Option<DateTime<Utc>>,
    near: &str,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, &'static str)> {
    let mut ev: Vec<Evidence> = Vec::new();
    let mut push = |date: Option<DateTime<Utc>>, kind: &'static str, rank: u8| {
        if let Some(date) = date.filter(|d| dates::plausible(*d, now)) {
            ev.push(Evidence { date, kind, rank });
        }
    };
    push(
        ld.published.as_deref().and_then(dates::parse_any),
        "json-ld",
        0,
    );
    push(
        PUBLISHED_KEYS
            .iter()
            .filter_map(|k| s.meta(k))
            .find_map(dates::parse_any),
        "meta",
        1,
    );
    if let Some((_, attr, text)) = story_date(s, now) {
        push(attr, "time", 2);
        push(text, "visible", 3);
    } else {
        // Nothing marked: a "Published …" / "Date: …" line in the text under the heading.
        push(labelled_date(near, s), "visible", 3);
    }
    let at_midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    push(
        url.and_then(dates::url_date).and_then(at_midnight),
        "url",
        4,
    );
    // Last of the markup: the first full date in the lines under the heading that is not an
    // "Updated" one (a date under a headline with no label and no mark-up).
    push(first_date_under_heading(near, s), "under-heading", 5);
    push(
        main_text.and_then(|t| dateline::dateline_date_at(t, now)),
        "dateline",
        6,
    );

    let best = ev.iter().min_by_key(|e| e.rank)?;
    let day = |e: &Evidence| e.date.date_naive();
    // JSON-LD and `<meta>` are written from the same CMS field: one piece of evidence. So
    // are a `<time>`'s attribute and its text.
    let family = |k: &'static str| match k {
        "json-ld" | "meta" => "structured",
        // What the page shows, however found, is one piece.
        "visible" | "under-heading" => "time",
        k => k,
    };
    let kinds_on = |d: NaiveDate| {
        ev.iter()
            .filter(|e| day(e) == d)
            .map(|e| family(e.kind))
            .collect::<std::collections::BTreeSet<_>>()
    };
    let page_evidence = || ev.iter().filter(|e| e.rank >= 2).min_by_key(|e| e.rank);
    if best.rank <= 1 {
        // A placeholder (midnight on January 1st) or a date more than a year before the
        // article's own last modification is the template's, not the story's.
        let placeholder = best.date.format("%m-%d %H:%M:%S").to_string() == "01-01 00:00:00";
        let stale = modified.is_some_and(|m| (m - best.date).num_days() > 365);
        if (placeholder || stale)
            && let Some(e) = page_evidence()
        {
            return Some((e.date, e.kind));
        }
        // Structured data standing alone against two other kinds that agree on another
        // day: the modified date, or today's, written into the published field.
        if kinds_on(day(best)).len() == 1 {
            let rival = ev
                .iter()
                .filter(|e| e.rank >= 2 && day(e) != day(best))
                .find(|e| kinds_on(day(e)).len() >= 2);
            if let Some(r) = rival {
                return Some((r.date, r.kind));
            }
        }
    }
    Some((best.date, best.kind))
}

/// The first full date on the first lines under the heading, skipping "Updated" lines.
fn first_date_under_heading(near: &str, s: &scan::Scan) -> Option<DateTime<Utc>> {
    let month_first = month_first(s);
    near.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(8)
        .filter(|l| {
            let lower = l.to_lowercase();
            !UPDATED_WORDS.iter().any(|w| lower.starts_with(w))
        })
        .find_map(|l| dates::find_date_with(l, month_first).map(|(d, _)| d))
}

/// A date on a line of the text under the heading that a publication word opens
/// ("Published: 03.03.2025", "Date: 03.03.2025", "Опубликовано: 14 января 2025").
fn labelled_date(near: &str, s: &scan::Scan) -> Option<DateTime<Utc>> {
    let month_first = month_first(s);
    near.lines().map(str::trim).find_map(|l| {
        let lower = l.to_lowercase();
        let at = PUBLISHED_WORDS.iter().find_map(|w| lower.find(w))?;
        let rest = l.get(at..)?;
        dates::find_date_with(rest, month_first).map(|(d, _)| d)
    })
}

/// Words that open a date line about first publication, and about a later change.
const PUBLISHED_WORDS: [&str; 14] = [
    "published",
    "originally published",
    "first published",
    "posted",
    "date:",
    "опубликовано",
    "дата публикации",
    "publicerad",
    "veröffentlicht",
    "publié",
    "publicado",
    "pubblicato",
    "yayınlanma",
    "жарияланды",
];
const UPDATED_WORDS: [&str; 10] = [
    "updated",
    "last updated",
    "modified",
    "обновлено",
    "изменено",
    "uppdaterad",
    "aktualisiert",
    "mis à jour",
    "actualizado",
    "güncelleme",
];

/// The story's own date element: not furniture, not an "Updated" line, with a date in it;
/// one that says "Published" first, else the nearest to the headline (after it rather than
/// before). Returns the element, the date of its attribute and the date of its text.
#[allow(clippy::type_complexity)]
fn story_date(
    s: &scan::Scan,
    now: DateTime<Utc>,
) -> Option<(&scan::Marked, Option<DateTime<Utc>>, Option<DateTime<Utc>>)> {
    let month_first = month_first(s);
    let dated: Vec<(&scan::Marked, Option<DateTime<Utc>>, Option<DateTime<Utc>>)> = s
        .dates
        .iter()
        .filter(|m| !m.furniture && !m.hints.contains("updat") && !m.hints.contains("modif"))
        .filter(|m| {
            let t = m.text.to_lowercase();
            !UPDATED_WORDS.iter().any(|w| t.starts_with(w))
        })
        .map(|m| {
            let attr = m
                .datetime
                .as_deref()
                .and_then(dates::parse_any)
                .filter(|d| dates::plausible(*d, now));
            let text = dates::find_date_with(&m.text, month_first)
                .map(|(d, _)| d)
                .filter(|d| dates::plausible(*d, now));
            (m, attr, text)
        })
        .filter(|(_, a, t)| a.is_some() || t.is_some())
        .collect();
    if let Some(p) = dated.iter().find(|(m, _, _)| {
        let t = m.text.to_lowercase();
        PUBLISHED_WORDS.iter().any(|w| t.starts_with(w)) || m.hints.contains("publish")
    }) {
        return Some(*p);
    }
    let Some(h) = s.h1_at else {
        return dated.into_iter().next();
    };
    let distance = |m: &scan::Marked| {
        if m.at > h { m.at - h } else { 2 * (h - m.at) }
    };
    dated
        .into_iter()
        .filter(|(m, _, _)| distance(m) < 8_000)
        .min_by_key(|(m, _, _)| distance(m))
}

/// `03/04/2025` is March 4 on an American page (or one that does not say its language),
/// April 3 elsewhere.
fn month_first(s: &scan::Scan) -> bool {
    match s.lang.as_deref().map(str::to_ascii_lowercase) {
        None => true,
        Some(l) => l == "en" || l == "en-us",
    }
}
