//! The article in a page's JSON-LD (schema.org): its headline, dates, authors, image,
//! section, keywords, publisher and URL. Blocks may be one object, an array, or a `@graph`
//! whose nodes refer to each other by `@id` (Yoast); a block that is not valid JSON is
//! skipped, the others still count.

use std::collections::HashMap;

use serde_json::Value;

/// What the JSON-LD says about the article.
#[derive(Debug, Default)]
pub(crate) struct LdArticle {
    pub headline: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    /// Authors that are persons (an `Organization` author is in `org_authors`).
    pub authors: Vec<String>,
    pub org_authors: Vec<String>,
    pub image: Option<String>,
    pub section: Option<String>,
    pub keywords: Vec<String>,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    /// The last item of a `BreadcrumbList` before the article itself.
    pub breadcrumb_section: Option<String>,
}

/// Types that are an article (or a post) rather than the page around it.
fn is_article_type(t: &str) -> bool {
    let t = t.rsplit(['/', ':']).next().unwrap_or(t);
    t.ends_with("Article") || t.ends_with("Posting") || t == "Report" || t == "Blog"
}

fn types(node: &Value) -> Vec<&str> {
    match node.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Every object node in the blocks, `@graph`s flattened.
fn nodes(blocks: &[Value]) -> Vec<&Value> {
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
        if depth > 8 || out.len() > 256 {
            return;
        }
        match v {
            Value::Array(a) => a.iter().for_each(|x| walk(x, out, depth + 1)),
            Value::Object(o) => {
                out.push(v);
                if let Some(g) = o.get("@graph") {
                    walk(g, out, depth + 1);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for b in blocks {
        walk(b, &mut out, 0);
    }
    out
}

/// Parse the JSON-LD blocks of a page (each the text of one script element).
pub(crate) fn article(blocks: &[String]) -> LdArticle {
    let parsed: Vec<Value> = blocks.iter().filter_map(|b| parse_block(b)).collect();
    let all = nodes(&parsed);
    let by_id: HashMap<&str, &Value> = all
        .iter()
        .filter_map(|n| Some((n.get("@id")?.as_str()?, *n)))
        .collect();
    let article = all
        .iter()
        .find(|n| types(n).iter().any(|t| is_article_type(t)))
        .or_else(|| {
            all.iter().find(|n| {
                types(n).iter().any(|t| t.ends_with("WebPage")) && n.get("datePublished").is_some()
            })
        });
    let Some(a) = article else {
        return LdArticle::default();
    };
    let deref = |v: &'_ Value| -> Value {
        match v.get("@id").and_then(Value::as_str) {
            Some(id) if v.as_object().is_some_and(|o| o.len() == 1) => {
                by_id.get(id).map_or_else(|| v.clone(), |n| (*n).clone())
            }
            _ => v.clone(),
        }
    };
    let mut out = LdArticle {
        headline: string(a.get("headline")).or_else(|| string(a.get("name"))),
        // A live blog's first publication is when its coverage began; its datePublished
        // moves with each update.
        published: string(a.get("coverageStartTime"))
            .or_else(|| string(a.get("datePublished")))
            .or_else(|| string(a.get("dateCreated"))),
        modified: string(a.get("dateModified")),
        image: a.get("image").and_then(|i| url_of(&deref(i))),
        section: a.get("articleSection").and_then(|s| match s {
            Value::Array(x) => x.iter().find_map(|v| string(Some(v))),
            v => string(Some(v)),
        }),
        keywords: match a.get("keywords") {
            Some(Value::String(s)) => s
                .split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect(),
            Some(Value::Array(x)) => x.iter().filter_map(|v| string(Some(v))).collect(),
            _ => Vec::new(),
        },
        publisher: a
            .get("publisher")
            .and_then(|p| string(deref(p).get("name"))),
        url: string(a.get("url")).or_else(|| {
            a.get("mainEntityOfPage").and_then(|m| match m {
                Value::String(s) => Some(s.clone()),
                o => string(o.get("@id")).or_else(|| string(o.get("url"))),
            })
        }),
        description: string(a.get("description")),
        language: string(a.get("inLanguage")),
        ..LdArticle::default()
    };
    let authors: Vec<Value> = match a.get("author").or_else(|| a.get("creator")) {
        Some(Value::Array(x)) => x.clone(),
        Some(v) => vec![v.clone()],
        None => Vec::new(),
    };
    for au in authors.iter().take(32) {
        let au = deref(au);
        match &au {
            Value::String(s) => out.authors.push(s.clone()),
            Value::Object(_) => {
                let Some(name) = string(au.get("name")) else {
                    continue;
                };
                if types(&au)
                    .iter()
                    .any(|t| *t == "Organization" || *t == "NewsMediaOrganization")
                {
                    out.org_authors.push(name);
                } else {
                    out.authors.push(name);
                }
            }
            _ => {}
        }
    }
    out.breadcrumb_section = all
        .iter()
        .find(|n| types(n).contains(&"BreadcrumbList"))
        .and_then(|n| n.get("itemListElement")?.as_array().cloned())
        .and_then(|items| {
            let names: Vec<String> = items
                .iter()
                .filter_map(|i| {
                    string(i.get("name"))
                        .or_else(|| string(i.get("item").and_then(|x| x.get("name"))))
                })
                .collect();
            let headline = out.headline.clone().unwrap_or_default();
            names.into_iter().rfind(|n| {
                !n.eq_ignore_ascii_case(&headline)
                    && !n.eq_ignore_ascii_case("home")
                    && n.split_whitespace().count() <= 4
            })
        });
    if out.publisher.is_none() {
        out.publisher = all
            .iter()
            .find(|n| types(n).contains(&"WebSite"))
            .and_then(|n| string(n.get("name")));
    }
    out
}

/// A block as JSON: as written, else without an HTML comment or CDATA wrapper, else
/// nothing.
fn parse_block(b: &str) -> Option<Value> {
    let t = b.trim();
    if let Ok(v) = serde_json::from_str(t) {
        return Some(v);
    }
    let t = t
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim()
        .trim_start_matches("//<![CDATA[")
        .trim_start_matches("<![CDATA[")
        .trim_end_matches("//]]>")
        .trim_end_matches("]]>")
        .trim();
    serde_json::from_str(t).ok()
}

fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(|x| string(Some(x))),
        Value::Object(o) => string(o.get("@value")),
        _ => None,
    }
}

fn url_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(url_of),
        Value::Object(o) => string(o.get("url")).or_else(|| string(o.get("contentUrl"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yoast_graph_with_id_references() {
        let ld = r#"{"@context":"https://schema.org","@graph":[
          {"@type":"WebPage","@id":"https://x.test/a/#webpage","datePublished":"2025-01-01"},
          {"@type":["Article","NewsArticle"],"headline":"H","datePublished":"2025-03-03T10:00:00+06:00",
           "dateModified":"2025-03-04","author":[{"@id":"https://x.test/#/person/1"}],
           "publisher":{"@id":"https://x.test/#org"},"image":{"@type":"ImageObject","url":"https://x.test/i.jpg"},
           "articleSection":["World","Asia"],"keywords":"energy, gas"},
          {"@type":"Person","@id":"https://x.test/#/person/1","name":"Jane Doe"},
          {"@type":"Organization","@id":"https://x.test/#org","name":"X Times"}]}"#;
        let a = article(&["not json {".into(), ld.into()]);
        assert_eq!(a.headline.as_deref(), Some("H"));
        assert_eq!(a.published.as_deref(), Some("2025-03-03T10:00:00+06:00"));
        assert_eq!(a.modified.as_deref(), Some("2025-03-04"));
        assert_eq!(a.authors, ["Jane Doe"]);
        assert_eq!(a.publisher.as_deref(), Some("X Times"));
        assert_eq!(a.image.as_deref(), Some("https://x.test/i.jpg"));
        assert_eq!(a.section.as_deref(), Some("World"));
        assert_eq!(a.keywords, ["energy", "gas"]);
    }

    #[test]
    fn organisation_authors_are_kept_apart() {
        let a = article(&[
            r#"[{"@type":"NewsArticle","author":{"@type":"Organization","name":"Reuters"}}]"#
                .into(),
        ]);
        assert!(a.authors.is_empty());
        assert_eq!(a.org_authors, ["Reuters"]);
    }
}
