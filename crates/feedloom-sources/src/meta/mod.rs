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

pub use dateline::dateline_date;

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
    let base = url.and_then(|u| url::Url::parse(u).ok());
    let abs = |h: &str| crate::parse::absolute(h, base.as_ref());

    let site_name = s
        .meta("og:site_name")
        .map(str::to_string)
        .or_else(|| ld.publisher.clone())
        .or_else(|| s.meta("application-name").map(str::to_string));
    let canonical = s
        .link("canonical")
        .or_else(|| s.meta("og:url"))
        .map(str::to_string)
        .or_else(|| ld.url.clone())
        .map(|u| abs(&u))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let page_url = canonical.as_deref().or(url);
    let host = page_url
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string));

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

    let (published, published_by) = match published(&s, &ld, page_url, main_text, now) {
        Some((d, by)) => (Some(d), Some(by)),
        None => (None, None),
    };
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

    PageMeta {
        title,
        published,
        published_by,
        modified,
        authors: authors(&s, &ld, main_text),
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
            .map(|u| abs(&u)),
        site_name,
        section: s
            .meta("article:section")
            .map(str::to_string)
            .or_else(|| ld.section.clone())
            .or_else(|| s.meta("parsely-section").map(str::to_string)),
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
    // The date elements of the story: the first after its heading (related stories come
    // later; a header's "today" comes before), else the last just before it.
    let story: Vec<&scan::Marked> = s
        .dates
        .iter()
        .filter(|m| !m.hints.contains("updat") && !m.hints.contains("modif"))
        .collect();
    let near = match s.h1_at {
        Some(h) => story
            .iter()
            .find(|m| m.at > h && m.at - h < 6_000)
            .or_else(|| story.iter().rev().find(|m| m.at < h && h - m.at < 3_000))
            .copied(),
        None => story.first().copied(),
    };
    if let Some(m) = near {
        push(m.datetime.as_deref().and_then(dates::parse_any), "time", 2);
        push(dates::find_date(&m.text).map(|(d, _)| d), "visible", 3);
    }
    let at_midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    push(
        url.and_then(dates::url_date).and_then(at_midnight),
        "url",
        4,
    );
    push(main_text.and_then(dateline_date), "dateline", 5);

    let best = ev.iter().min_by_key(|e| e.rank)?;
    let day = |e: &Evidence| e.date.date_naive();
    // Structured data that stands alone against two other kinds agreeing on another day is
    // a template's mistake (the modified date, today's date, the site's launch date).
    // A `<time>`'s attribute and its text are one piece of evidence.
    let family = |k: &'static str| if k == "visible" { "time" } else { k };
    let supported = |d: NaiveDate, except: &str| {
        ev.iter()
            .filter(|e| e.kind != except && day(e) == d)
            .map(|e| family(e.kind))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    };
    if best.rank <= 1 && supported(day(best), best.kind) == 0 {
        let rival = ev
            .iter()
            .filter(|e| e.rank >= 2 && day(e) != day(best))
            .find(|e| supported(day(e), "") >= 2);
        if let Some(r) = rival {
            // Keep the structured time of day when it is the same day as a rank-1 meta.
            return Some((r.date, r.kind));
        }
    }
    Some((best.date, best.kind))
}

fn authors(s: &scan::Scan, ld: &jsonld::LdArticle, main_text: Option<&str>) -> Vec<String> {
    let from_ld: Vec<String> = ld.authors.iter().flat_map(|a| authors::names(a)).collect();
    if !from_ld.is_empty() {
        return dedup(from_ld);
    }
    for key in AUTHOR_KEYS {
        let names: Vec<String> = s.metas_of(key).flat_map(authors::names).collect();
        if !names.is_empty() {
            return dedup(names);
        }
    }
    // Bylines marked in the markup: the story's own (after its heading when there is one).
    let after = s.h1_at.unwrap_or(0);
    let marked: Vec<&scan::Marked> = s
        .bylines
        .iter()
        .filter(|m| m.at + 3_000 > after && m.at < after + 8_000)
        .collect();
    let mut names: Vec<String> = Vec::new();
    if let Some(first) = marked.first() {
        // Several author elements close together are one byline (author cards).
        for m in marked.iter().filter(|m| m.at < first.at + 1_500) {
            names.extend(authors::names(&m.text));
        }
    }
    if !names.is_empty() {
        return dedup(names);
    }
    text_authors(main_text.unwrap_or(""))
}

/// A "By …" line at the top of a story, or a wire story's "Reporting by …" at its foot.
pub fn text_authors(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    for l in lines.iter().take(4) {
        let lower = l.to_lowercase();
        if (lower.starts_with("by ") || lower.starts_with("by:")) && l.len() < 160 {
            let n = authors::names(l);
            if !n.is_empty() {
                return n;
            }
        }
    }
    for l in lines.iter().rev().take(4) {
        let lower = l.to_lowercase();
        if let Some(i) = lower
            .find("reporting by")
            .or_else(|| lower.find("writing by"))
        {
            let n = authors::names(l.get(i..).unwrap_or(""));
            if !n.is_empty() {
                return n;
            }
        }
    }
    Vec::new()
}

fn dedup(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&n)) {
            out.push(n);
        }
    }
    out
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
