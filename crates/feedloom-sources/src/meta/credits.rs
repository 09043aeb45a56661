//! Who wrote the article: which of a page's author clues to believe (JSON-LD persons, author
//! `<meta>`s, byline elements, "By" lines in the text), each read into names by `authors`.

use super::{authors, jsonld, scan};

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

/// The article's authors: JSON-LD's persons, else the author `<meta>`s, else the byline
/// marked in the markup, else a "By" line in the text. A name that is the site's or an
/// organisation author's ("Pamir Herald" as `DC.creator`) is not a person. A byline that
/// names all of JSON-LD's authors and more (a template that puts only the first in
/// JSON-LD) wins.
pub(super) fn authors(
    s: &scan::Scan,
    ld: &jsonld::LdArticle,
    main_text: Option<&str>,
    near: &str,
    site: Option<&str>,
) -> Vec<String> {
    let key = super::title::key;
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
