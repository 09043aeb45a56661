//! What an article page says about itself: publication and modification dates, authors,
//! headline, canonical URL, description, lead image, site name, section, tags and language.
//!
//! Structured data first (JSON-LD), then markup (`<meta>`, `<link>`, `<time>`, elements a
//! template marks as a date or a byline, the URL's path), then the text (a dateline, a "By"
//! line). Dates must be plausible (from 1995 to a day after now). When the structured date
//! stands alone against two other kinds of evidence that agree on another day (a template
//! that writes the modified date, or today's, into `article:published_time`), the two win.
//!
//! [`dateline_date`] reads the date at the top of a plain-text story.

mod authors;
mod dateline;
pub mod dates;
mod jsonld;
mod scan;
mod title;

use chrono::{DateTime, NaiveDate, Utc};
use feedloom_core::Item;

pub use dateline::{dateline_date, dateline_date_at};

/// What a page says about the article it holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMeta {
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// Which evidence gave `published` (`json-ld`, `meta`, `time`, `visible`, `url`,
    /// `dateline`).
    pub published_by: Option<&'static str>,
    pub modified: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub canonical: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub site_name: Option<String>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    /// ISO 639-1 code from `<html lang>` (or `og:locale`, JSON-LD `inLanguage`).
    pub language: Option<String>,
}

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

/// `<meta>` keys that hold the modification date.
const MODIFIED_KEYS: [&str; 8] = [
    "article:modified_time",
    "og:updated_time",
    "article:modified",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
];

/// `<meta>` keys that hold an author.
const AUTHOR_KEYS: [&str; 10] = [
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "citation_author",
    "cxenseparse:author",
    "twitter:creator:name",
];

/// Read a page (`url` is where it was fetched from; `main_text` its extracted text when
/// known, for a dateline or a "By" line). `now` bounds the dates.
pub fn page_meta(
    html: &str,
    url: Option<&str>,
    main_text: Option<&str>,
    now: DateTime<Utc>,
) -> PageMeta {
    let s = scan::scan(html);
    let ld = jsonld::article(&s.jsonld);
    let near = scan::near_heading_text(html, s.h1_at.or(s.body_at), 0);
    let around = scan::near_heading_text(html, s.h1_at.or(s.body_at), 600);
    let base = url.and_then(|u| url::Url::parse(u).ok());
    let abs = |h: &str| crate::parse::absolute(h, base.as_ref());

    let site_name = s
        .meta("og:site_name")
        .map(str::to_string)
        .or_else(|| ld.publisher.clone())
        .or_else(|| s.meta("application-name").map(str::to_string));
    let host_of = |u: &str| {
        url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    };
    let canonical = s
        .link("canonical")
        .or_else(|| s.meta("og:url"))
        .map(str::to_string)
        .or_else(|| ld.url.clone())
        .map(|u| abs(&u))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let page_url = canonical.as_deref().or(url);
    let host = page_url.and_then(host_of);

    let titles: Vec<&str> = [
        ld.headline.as_deref(),
        s.meta("og:title"),
        s.meta("twitter:title"),
        s.title.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let title = title::headline(
        &titles,
        s.h1.as_deref(),
        site_name.as_deref(),
        host.as_deref(),
    );
    // No site name in the markup: the piece of the title that names the host, else the
    // logo's alt text.
    let site_name = site_name
        .or_else(|| title::site_piece(&titles, host.as_deref()))
        .or_else(|| {
            s.logo_alt
                .clone()
                .filter(|a| a.split_whitespace().count() <= 6)
        });

    let modified = ld
        .modified
        .as_deref()
        .into_iter()
        .chain(MODIFIED_KEYS.iter().filter_map(|k| s.meta(k)))
        .chain(
            s.dates
                .iter()
                .filter(|m| m.hints.contains("updat") || m.hints.contains("modif"))
                .filter_map(|m| m.datetime.as_deref()),
        )
        .filter_map(dates::parse_any)
        .find(|d| dates::plausible(*d, now));
    let (published, published_by) =
        match published(&s, &ld, page_url, main_text, modified, &near, now) {
            Some((d, by)) => (Some(d), Some(by)),
            None => (None, None),
        };

    let tags = {
        let mut t: Vec<String> = Vec::new();
        let from_meta = s
            .metas_of("article:tag")
            .chain(s.metas_of("news_keywords").flat_map(|k| k.split(',')))
            .chain(s.metas_of("parsely-tags").flat_map(|k| k.split(',')))
            .map(str::to_string);
        for tag in ld.keywords.iter().cloned().chain(from_meta) {
            let tag = tag.trim().to_string();
            if !tag.is_empty()
                && tag.len() <= 80
                && !t.iter().any(|x| x.eq_ignore_ascii_case(&tag))
                && t.len() < 32
            {
                t.push(tag);
            }
        }
        t
    };

    let section = s
        .meta("article:section")
        .map(str::to_string)
        .or_else(|| ld.section.clone())
        .or_else(|| s.meta("parsely-section").map(str::to_string))
        .or_else(|| ld.breadcrumb_section.clone())
        .or_else(|| marked_section(&s))
        .or_else(|| crumb_section(&s.breadcrumb, title.as_deref()))
        .or_else(|| {
            // Ghost's primary tag is its first tag.
            s.meta("generator")
                .is_some_and(|g| g.starts_with("Ghost"))
                .then(|| s.meta("article:tag").map(str::to_string))
                .flatten()
        });

    PageMeta {
        title,
        published,
        published_by,
        modified,
        authors: authors(&s, &ld, main_text, &around, site_name.as_deref()),
        description: s
            .meta("og:description")
            .or_else(|| s.meta("description"))
            .or_else(|| s.meta("twitter:description"))
            .map(str::to_string)
            .or_else(|| ld.description.clone()),
        image: s
            .meta("og:image")
            .or_else(|| s.meta("og:image:url"))
            .or_else(|| s.meta("og:image:secure_url"))
            .or_else(|| s.meta("twitter:image"))
            .or_else(|| s.meta("twitter:image:src"))
            .map(str::to_string)
            .or_else(|| ld.image.clone())
            .or_else(|| s.link("image_src").map(str::to_string))
            .or_else(|| lead_image(&s))
            .map(|u| abs(&u)),
        site_name,
        section,
        tags,
        language: s
            .lang
            .as_deref()
            .or_else(|| s.meta("og:locale"))
            .or(ld.language.as_deref())
            .or_else(|| s.meta("content-language"))
            .and_then(language_code),
        canonical,
    }
}

/// The story's first image when the page names no lead image: the first `<img>` near its
/// heading that is not furniture, a logo, an avatar or an icon.
fn lead_image(s: &scan::Scan) -> Option<String> {
    let h = s.h1_at?;
    s.images
        .iter()
        .filter(|(at, _)| *at > h && *at - h < 6_000)
        .map(|(_, src)| src)
        .find(|src| {
            let l = src.to_ascii_lowercase();
            ![
                "avatar", "icon", "pixel", "spacer", "author", "profile", "gravatar", "/ads/",
                "badge",
            ]
            .iter()
            .any(|w| l.contains(w))
        })
        .cloned()
}

/// A section element (kicker, category link, primary tag) just around the heading.
fn marked_section(s: &scan::Scan) -> Option<String> {
    let h = s.h1_at?;
    s.sections
        .iter()
        .filter(|m| (m.at < h && h - m.at < 2_500) || (m.at > h && m.at - h < 3_000))
        .min_by_key(|m| m.at.abs_diff(h))
        .map(|m| m.text.clone())
}

/// The last breadcrumb that is neither the home page nor the headline.
fn crumb_section(crumbs: &[String], title: Option<&str>) -> Option<String> {
    crumbs
        .iter()
        .rfind(|c| {
            let l = c.to_lowercase();
            !matches!(
                l.as_str(),
                "home" | "главная" | "news" | "новости" | "басты бет"
            ) && title.is_none_or(|t| !t.eq_ignore_ascii_case(c))
                && c.split_whitespace().count() <= 4
        })
        .cloned()
}

/// `en-GB`, `en_US`, `RU` → `en`, `en`, `ru`.
fn language_code(l: &str) -> Option<String> {
    let p = l.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (p.len() == 2 || p.len() == 3)
        .then_some(p)
        .filter(|p| p.bytes().all(|b| b.is_ascii_lowercase()))
}

/// A dated piece of evidence: the date, its kind, its rank (lower is more trusted).
struct Evidence {
    date: DateTime<Utc>,
    kind: &'static str,
    rank: u8,
}

fn published(
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
    let month_first = match s.lang.as_deref().map(str::to_ascii_lowercase) {
        None => true,
        Some(l) => l == "en" || l == "en-us",
    };
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
    let month_first = match s.lang.as_deref().map(str::to_ascii_lowercase) {
        None => true,
        Some(l) => l == "en" || l == "en-us",
    };
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
    // `03/04/2025` is March 4 on an American page (or one that does not say), April 3
    // elsewhere.
    let month_first = match s.lang.as_deref().map(str::to_ascii_lowercase) {
        None => true,
        Some(l) => l == "en" || l == "en-us",
    };
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

/// The article's authors: JSON-LD's persons, else the author `<meta>`s, else the byline
/// marked in the markup, else a "By" line in the text. A name that is the site's or an
/// organisation author's ("Pamir Herald" as `DC.creator`) is not a person. A byline that
/// names all of JSON-LD's authors and more (a template that puts only the first in
/// JSON-LD) wins.
fn authors(
    s: &scan::Scan,
    ld: &jsonld::LdArticle,
    main_text: Option<&str>,
    near: &str,
    site: Option<&str>,
) -> Vec<String> {
    let key = |n: &str| -> String {
        n.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let orgs: Vec<String> = site
        .into_iter()
        .chain(ld.publisher.as_deref())
        .chain(ld.org_authors.iter().map(String::as_str))
        .map(key)
        .collect();
    let clean = |names: Vec<String>| -> Vec<String> {
        dedup(
            names
                .into_iter()
                .filter(|n| !orgs.contains(&key(n)))
                .collect(),
        )
    };
    let byline = clean(byline_names(s));
    let from_ld = clean(ld.authors.iter().flat_map(|a| authors::names(a)).collect());
    if !from_ld.is_empty() {
        let covers = from_ld
            .iter()
            .all(|a| byline.iter().any(|b| key(a) == key(b)));
        if covers && byline.len() > from_ld.len() {
            return byline;
        }
        return from_ld;
    }
    for k in AUTHOR_KEYS {
        let names = clean(s.metas_of(k).flat_map(authors::names).collect());
        if !names.is_empty() {
            return names;
        }
    }
    if !byline.is_empty() {
        return byline;
    }
    let under_heading = clean(text_authors(near));
    if !under_heading.is_empty() {
        return under_heading;
    }
    clean(text_authors(main_text.unwrap_or("")))
}

/// The names in the story's byline elements: those near its heading, not in furniture;
/// several author elements close together are one byline (author cards).
fn byline_names(s: &scan::Scan) -> Vec<String> {
    let after = s.h1_at.unwrap_or(0);
    let marked: Vec<&scan::Marked> = s
        .bylines
        .iter()
        .filter(|m| !m.furniture && m.at + 3_000 > after && m.at < after + 8_000)
        .collect();
    let mut names: Vec<String> = Vec::new();
    if let Some(first) = marked.first() {
        for m in marked.iter().filter(|m| m.at < first.at + 1_500) {
            names.extend(authors::names(&m.text));
        }
    }
    names
}

/// A "By …" line at the top of a story, or a wire story's "Reporting by …" at its foot.
pub fn text_authors(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let credit = |lower: &str| {
        [
            "by ",
            "by:",
            "written by",
            "author:",
            "автор:",
            "текст:",
            "von ",
            "av ",
            "par ",
            "por ",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
    };
    for l in lines.iter().take(4) {
        let lower = l.to_lowercase();
        if credit(&lower) && l.len() < 160 {
            let n = authors::names(l);
            if !n.is_empty() {
                return n;
            }
        }
    }
    // A wire story's "To contact the reporters on this story:" block, one reporter a line.
    if let Some(i) = lines
        .iter()
        .position(|l| l.to_lowercase().starts_with("to contact the reporter"))
    {
        let mut found = Vec::new();
        let first = lines[i].split_once(':').map_or("", |(_, r)| r);
        for l in std::iter::once(&first).chain(lines[i + 1..].iter().take(4)) {
            if l.to_lowercase().starts_with("to contact") {
                break;
            }
            found.extend(authors::names(l));
        }
        if !found.is_empty() {
            return found;
        }
    }
    for l in lines.iter().rev().take(4) {
        let lower = l.to_lowercase();
        if credit(&lower) && l.len() < 160 {
            let n = authors::names(l);
            if !n.is_empty() {
                return n;
            }
        }
        if let Some(i) = lower
            .find("reporting by")
            .or_else(|| lower.find("writing by"))
            .or_else(|| {
                lower
                    .find("to contact the reporter")
                    .and_then(|i| lower[i..].find(':').map(|c| i + c + 1))
            })
        {
            let n = authors::names(l.get(i..).unwrap_or(""));
            if !n.is_empty() {
                return n;
            }
        }
    }
    Vec::new()
}

/// The names once each; a name made only of other names' words ("Johan von Karin" beside
/// "Johan von Essen" and "Karin Lindqvist", two bylines read as one) is dropped.
fn dedup(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&n)) {
            out.push(n);
        }
    }
    let words = |n: &str| -> Vec<String> { n.split_whitespace().map(str::to_lowercase).collect() };
    let merged = |n: &String| {
        let others: Vec<String> = out
            .iter()
            .filter(|o| *o != n)
            .flat_map(|o| words(o))
            .collect();
        out.len() > 2 && words(n).iter().all(|w| others.contains(w))
    };
    let keep: Vec<bool> = out.iter().map(|n| !merged(n)).collect();
    out.into_iter()
        .zip(keep)
        .filter_map(|(n, k)| k.then_some(n))
        .collect()
}

/// Where an item's `published` came from.
pub mod published_from {
    pub const FEED: &str = "feed";
    pub const PAGE: &str = "page";
    pub const TEXT: &str = "text";
    pub const FETCHED: &str = "fetched";
}

impl PageMeta {
    /// Fill what the item lacks from the page: the feed's values win when present. With
    /// `page_first` (the page is the article itself: a file, `feedloom extract`), the page's
    /// title and canonical URL replace the item's.
    pub fn fill(self, item: &mut Item, page_first: bool) {
        if item.published.is_none() && self.published.is_some() {
            item.published = self.published;
            item.published_from = Some(published_from::PAGE.into());
        }
        if item.modified.is_none() {
            item.modified = self.modified;
        }
        if item.authors.is_empty() {
            item.authors = self.authors;
        }
        if self.title.is_some()
            && (page_first || item.title.as_deref().is_none_or(|t| t.trim().is_empty()))
        {
            item.title = self.title;
        }
        if self.canonical.is_some() && (page_first || item.url.is_none()) {
            item.url.clone_from(&self.canonical);
        }
        if item.canonical_url.is_none() {
            item.canonical_url = self.canonical;
        }
        if item.summary.as_deref().is_none_or(|s| s.trim().is_empty()) && self.description.is_some()
        {
            item.summary = self.description;
        }
        if item.image.is_none() {
            item.image = self.image;
        }
        if item.site_name.is_none() {
            item.site_name = self.site_name;
        }
        if item.language.is_none() {
            item.language = self.language;
        }
        if item.categories.is_empty() {
            item.categories = self.section.into_iter().chain(self.tags).collect();
        }
    }
}

/// Give an item without a date its text's dateline, and record where `published` came
/// from: `feed` when the item had one, `text` for a dateline, `fetched` when there is none
/// (relative dates then resolve against the fetch time). An item that already says where
/// its date came from keeps that.
pub fn settle_published(item: &mut Item) {
    if item.published_from.is_some() {
        return;
    }
    if item.published.is_some() {
        item.published_from = Some(published_from::FEED.into());
        return;
    }
    let now = Utc::now();
    match dateline_date(&item.text).filter(|d| dates::plausible(*d, now)) {
        Some(d) => {
            item.published = Some(d);
            item.published_from = Some(published_from::TEXT.into());
        }
        None => item.published_from = Some(published_from::FETCHED.into()),
    }
}

#[cfg(test)]
mod tests;
