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
mod credits;
mod dateline;
pub mod dates;
mod jsonld;
mod published;
mod scan;
mod title;

use chrono::{DateTime, Utc};
use feedloom_core::Item;

pub use credits::text_authors;
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
        match published::published(&s, &ld, page_url, main_text, modified, &near, now) {
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
        authors: credits::authors(&s, &ld, main_text, &around, site_name.as_deref()),
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
