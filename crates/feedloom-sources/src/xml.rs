//! A small, forgiving XML tree for feed documents, built from quick-xml events.
//!
//! Feeds are read the way permissive feed readers read them:
//! - elements sit in an arena (no recursion to build or drop them); nesting deeper than
//!   [`MAX_DEPTH`] keeps its text but not its structure;
//! - namespaces are resolved to the few the dialects use ([`Ns`]); a prefix nobody declared
//!   (`dc:creator` without `xmlns:dc`, a common fault) is taken at its conventional meaning;
//! - entity references: the five of XML, character references in any case (`&#x..;`,
//!   `&#X..;`, with `&#128;`–`&#159;` read as Windows-1252 as browsers do), entities declared
//!   in the document's internal DTD subset (expanded up to [`MAX_EXPANSION`] bytes for the
//!   whole document: past that the document is refused, so a billion-laughs document never
//!   costs more than that), then every HTML named entity (`&eacute;`, `&nbsp;`); anything
//!   else is kept as written;
//! - a bare `&` is text; an end tag that closes nothing is ignored, one that closes an outer
//!   element closes the inner ones too;
//! - element and attribute names are lower-cased (`<pubDate>` is `pubdate`, `<RSS>` is
//!   `rss`): feeds do not agree on case;
//! - `xml:base` is resolved against the enclosing base (the document's URL at the root).

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};

/// Deepest element nesting kept as structure.
pub const MAX_DEPTH: usize = 256;
/// Most bytes the document's own entities may expand to, in total.
pub const MAX_EXPANSION: usize = 1 << 20;

/// The namespaces feed dialects use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ns {
    /// No namespace, or RSS's own (RSS 0.90 and 1.0, Userland's RSS 2.0).
    Rss,
    Atom,
    Atom03,
    Rdf,
    Dc,
    Dcterms,
    Content,
    Media,
    Itunes,
    Xhtml,
    Xml,
    /// FeedBurner's (`feedburner:origLink`).
    Feedburner,
    Other,
}

impl Ns {
    fn of_uri(uri: &str) -> Ns {
        // Compared without case, scheme (http/https) or trailing `/` and `#`: feeds copy
        // these URIs by hand.
        let u = uri.trim().to_ascii_lowercase();
        let u = u
            .strip_prefix("http://")
            .or_else(|| u.strip_prefix("https://"))
            .unwrap_or(&u)
            .trim_end_matches(['/', '#']);
        match u {
            "" => Ns::Rss,
            "www.w3.org/2005/atom" => Ns::Atom,
            "www.w3.org/1999/02/22-rdf-syntax-ns" => Ns::Rdf,
            "purl.org/dc/elements/1.1" | "purl.org/dc/elements/1.0" => Ns::Dc,
            "purl.org/dc/terms" => Ns::Dcterms,
            "purl.org/rss/1.0/modules/content" => Ns::Content,
            "www.w3.org/1999/xhtml" => Ns::Xhtml,
            "www.w3.org/xml/1998/namespace" => Ns::Xml,
            "purl.org/rss/1.0"
            | "my.netscape.com/rdf/simple/0.9"
            | "backend.userland.com/rss2"
            | "backend.userland.com/rss"
            | "blogs.law.harvard.edu/tech/rss"
            | "purl.org/net/rss1.1" => Ns::Rss,
            // The Atom 0.3 draft, and the drafts between it and RFC 4287.
            _ if u.starts_with("purl.org/atom/ns") => Ns::Atom03,
            _ if u.starts_with("search.yahoo.com/mrss") => Ns::Media,
            _ if u.contains("itunes.com/dtds/podcast") => Ns::Itunes,
            "rssnamespace.org/feedburner/ext/1.0" => Ns::Feedburner,
            _ => Ns::Other,
        }
    }

    /// What an undeclared prefix conventionally means.
    fn of_prefix(prefix: &str) -> Ns {
        match prefix.to_ascii_lowercase().as_str() {
            "atom" => Ns::Atom,
            "rdf" => Ns::Rdf,
            "dc" => Ns::Dc,
            "dcterms" => Ns::Dcterms,
            "content" => Ns::Content,
            "media" => Ns::Media,
            "itunes" => Ns::Itunes,
            "xhtml" => Ns::Xhtml,
            "xml" => Ns::Xml,
            "feedburner" => Ns::Feedburner,
            _ => Ns::Other,
        }
    }
}

/// An attribute, its name resolved.
#[derive(Debug)]
pub struct Attr {
    pub ns: Ns,
    pub local: String,
    pub value: String,
}

/// A node's child: an element (an index into [`Doc::elems`]) or text (CDATA included).
#[derive(Debug)]
pub enum Child {
    Elem(usize),
    Text(String),
}

/// An element.
#[derive(Debug)]
pub struct Elem {
    pub ns: Ns,
    pub local: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Child>,
    /// Index into [`Doc::bases`]: the base URL in force for this element and its attributes.
    pub base: usize,
}

impl Elem {
    /// The attribute `local` in no namespace (or any namespace, failing that).
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.local == local && a.ns == Ns::Rss)
            .or_else(|| self.attrs.iter().find(|a| a.local == local))
            .map(|a| a.value.as_str())
    }

    /// The attribute `local` in namespace `ns`.
    pub fn attr_ns(&self, ns: Ns, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns == ns && a.local == local)
            .map(|a| a.value.as_str())
    }

    pub fn is(&self, ns: Ns, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

/// A parsed document: its root is `elems[0]` (when there is one).
#[derive(Debug, Default)]
pub struct Doc {
    pub elems: Vec<Elem>,
    pub bases: Vec<Option<url::Url>>,
    /// The XML error that stopped the reading early, if one did (what was read before it is
    /// kept).
    pub error: Option<String>,
}

/// Why a document was refused outright.
#[derive(Debug)]
pub struct Refused(pub String);

impl Doc {
    pub fn root(&self) -> Option<&Elem> {
        self.elems.first()
    }

    pub fn elem(&self, i: usize) -> &Elem {
        &self.elems[i]
    }

    /// The element children of `e`.
    pub fn kids<'a>(&'a self, e: &'a Elem) -> impl Iterator<Item = &'a Elem> + 'a {
        e.children.iter().filter_map(|c| match c {
            Child::Elem(i) => self.elems.get(*i),
            Child::Text(_) => None,
        })
    }

    /// The first child element `ns:local` of `e`.
    pub fn child<'a>(&'a self, e: &'a Elem, ns: Ns, local: &str) -> Option<&'a Elem> {
        self.kids(e).find(|k| k.is(ns, local))
    }

    /// Every child element `ns:local` of `e`.
    pub fn children<'a>(
        &'a self,
        e: &'a Elem,
        ns: Ns,
        local: &'a str,
    ) -> impl Iterator<Item = &'a Elem> + 'a {
        self.kids(e).filter(move |k| k.is(ns, local))
    }

    /// All the text inside `e` (its descendants' too), as written.
    pub fn text(&self, e: &Elem) -> String {
        let mut out = String::new();
        self.text_into(e, &mut out);
        out
    }

    fn text_into(&self, e: &Elem, out: &mut String) {
        for c in &e.children {
            match c {
                Child::Text(t) => out.push_str(t),
                Child::Elem(i) => {
                    if let Some(k) = self.elems.get(*i) {
                        self.text_into(k, out);
                    }
                }
            }
        }
    }

    /// Does `e` have element children?
    pub fn has_kids(&self, e: &Elem) -> bool {
        e.children.iter().any(|c| matches!(c, Child::Elem(_)))
    }

    /// The markup inside `e`, written back as HTML (prefixes dropped: `xhtml:p` is `<p>`).
    pub fn inner_markup(&self, e: &Elem) -> String {
        let mut out = String::new();
        for c in &e.children {
            self.markup_into(c, &mut out);
        }
        out
    }

    fn markup_into(&self, c: &Child, out: &mut String) {
        match c {
            Child::Text(t) => escape_into(t, false, out),
            Child::Elem(i) => {
                let Some(e) = self.elems.get(*i) else { return };
                out.push('<');
                out.push_str(&e.local);
                for a in &e.attrs {
                    if a.local == "xmlns" || a.ns == Ns::Xml {
                        continue;
                    }
                    out.push(' ');
                    out.push_str(&a.local);
                    out.push_str("=\"");
                    escape_into(&a.value, true, out);
                    out.push('"');
                }
                if e.children.is_empty() {
                    out.push_str("/>");
                    return;
                }
                out.push('>');
                for k in &e.children {
                    self.markup_into(k, out);
                }
                out.push_str("</");
                out.push_str(&e.local);
                out.push('>');
            }
        }
    }

    /// The base URL in force at `e`.
    pub fn base(&self, e: &Elem) -> Option<&url::Url> {
        self.bases.get(e.base).and_then(Option::as_ref)
    }

    /// `href` resolved against the base in force at `e`, in the URL's normal form
    /// (`http://Example.com` is `http://example.com/`, as feed-rs wrote links, so ids made
    /// from links stay what they were); as written when it cannot be resolved.
    pub fn resolve(&self, e: &Elem, href: &str) -> String {
        let href = href.trim();
        if href.is_empty() {
            return String::new();
        }
        if let Ok(u) = url::Url::parse(href) {
            return u.to_string();
        }
        self.base(e)
            .and_then(|b| b.join(href).ok())
            .map_or_else(|| href.to_string(), |u| u.to_string())
    }
}

fn escape_into(s: &str, attr: bool, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' if attr => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
}

/// Read `text` (a whole document, UTF-8) into a tree. `base` is the document's URL.
pub fn parse(text: &str, base: Option<&str>) -> Result<Doc, Refused> {
    let mut reader = quick_xml::Reader::from_str(text);
    {
        let c = reader.config_mut();
        c.allow_dangling_amp = true;
        c.allow_unmatched_ends = true;
        c.check_end_names = false;
        c.check_comments = false;
        c.expand_empty_elements = false;
    }
    let mut doc = Doc {
        bases: vec![base.and_then(|b| url::Url::parse(b).ok())],
        ..Doc::default()
    };
    let mut entities = Entities::default();
    // Open elements: (arena index, qualified name as written, namespace scope length).
    let mut open: Vec<(usize, String)> = Vec::new();
    let mut scopes: Vec<(String, Ns)> = Vec::new();
    let mut scope_marks: Vec<usize> = Vec::new();
    // Elements opened past MAX_DEPTH, not kept as structure.
    let mut too_deep = 0usize;
    let mut root_closed = false;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                doc.error = Some(format!(
                    "XML error at byte {}: {e}",
                    reader.error_position()
                ));
                break;
            }
        };
        match ev {
            Event::Eof => break,
            Event::DocType(d) => entities.declare(&d.into_inner()),
            Event::Start(s) | Event::Empty(s) if root_closed => {
                // Markup after the root element (a CDN's script): not the feed's.
                let _ = s;
            }
            Event::Start(s) => {
                if open.len() >= MAX_DEPTH {
                    too_deep += 1;
                    continue;
                }
                let qname = s.name().as_ref().to_string();
                let idx = new_elem(
                    &mut doc,
                    &s,
                    &open,
                    &mut scopes,
                    &mut scope_marks,
                    &entities,
                )?;
                open.push((idx, qname));
            }
            Event::Empty(s) => {
                if open.len() >= MAX_DEPTH {
                    continue;
                }
                let _ = new_elem(
                    &mut doc,
                    &s,
                    &open,
                    &mut scopes,
                    &mut scope_marks,
                    &entities,
                )?;
                close_scope(&mut scopes, &mut scope_marks);
            }
            Event::End(e) => {
                if too_deep > 0 {
                    too_deep -= 1;
                    continue;
                }
                let name = e.name().as_ref().to_string();
                // Close up to the innermost open element of that name; an end tag that
                // matches nothing open is ignored.
                if let Some(pos) = open
                    .iter()
                    .rposition(|(_, n)| n.eq_ignore_ascii_case(&name))
                {
                    while open.len() > pos {
                        open.pop();
                        close_scope(&mut scopes, &mut scope_marks);
                    }
                    if open.is_empty() {
                        root_closed = true;
                    }
                }
            }
            Event::Text(t) => {
                let t = t.xml10_content();
                push_text(&mut doc, &open, &t);
            }
            Event::CData(c) => {
                let c = c.into_inner();
                push_text(&mut doc, &open, &c);
            }
            Event::GeneralRef(r) => {
                let name = r.into_inner();
                if let Some(s) = predefined(&name) {
                    push_text(&mut doc, &open, s);
                } else if let Some(c) = name.strip_prefix('#').and_then(char_ref) {
                    push_text(&mut doc, &open, c.encode_utf8(&mut [0u8; 4]));
                } else {
                    let s = entities.resolve(&name)?;
                    push_text(&mut doc, &open, &s);
                }
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    Ok(doc)
}

fn push_text(doc: &mut Doc, open: &[(usize, String)], t: &str) {
    let Some(&(i, _)) = open.last() else { return };
    let Some(e) = doc.elems.get_mut(i) else {
        return;
    };
    if let Some(Child::Text(prev)) = e.children.last_mut() {
        prev.push_str(t);
    } else {
        e.children.push(Child::Text(t.to_string()));
    }
}

fn close_scope(scopes: &mut Vec<(String, Ns)>, marks: &mut Vec<usize>) {
    if let Some(m) = marks.pop() {
        scopes.truncate(m);
    }
}

fn resolve_prefix(scopes: &[(String, Ns)], prefix: &str) -> Ns {
    scopes.iter().rev().find(|(p, _)| p == prefix).map_or_else(
        || {
            if prefix.is_empty() {
                Ns::Rss
            } else {
                Ns::of_prefix(prefix)
            }
        },
        |(_, ns)| *ns,
    )
}

fn split_qname(q: &str) -> (&str, &str) {
    match q.split_once(':') {
        Some((p, l)) => (p, l),
        None => ("", q),
    }
}

/// Add the element of start tag `s` under the innermost open element; its namespace
/// declarations open a scope (closed by the caller).
fn new_elem(
    doc: &mut Doc,
    s: &BytesStart<'_>,
    open: &[(usize, String)],
    scopes: &mut Vec<(String, Ns)>,
    marks: &mut Vec<usize>,
    entities: &Entities,
) -> Result<usize, Refused> {
    marks.push(scopes.len());
    let mut raw: Vec<(String, String)> = Vec::new();
    for a in s.attributes().with_checks(false).flatten() {
        let key = a.key.as_ref().to_string();
        let value = entities.unescape(&a.value)?;
        if key == "xmlns" {
            scopes.push((String::new(), Ns::of_uri(&value)));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            scopes.push((p.to_string(), Ns::of_uri(&value)));
        }
        raw.push((key, value));
    }
    let qname = s.name();
    let (prefix, local) = split_qname(qname.as_ref());
    let ns = resolve_prefix(scopes, prefix);
    // Names are compared without case (feeds write `pubdate`, `PUBDATE`, `<RSS>`).
    let local = local.to_ascii_lowercase();
    let attrs: Vec<Attr> = raw
        .into_iter()
        .map(|(k, value)| {
            let (p, l) = split_qname(&k);
            // Unprefixed attributes are in no namespace.
            let ns = if p.is_empty() || p == "xmlns" {
                Ns::Rss
            } else {
                resolve_prefix(scopes, p)
            };
            Attr {
                ns,
                local: l.to_ascii_lowercase(),
                value,
            }
        })
        .collect();
    let parent = open.last().map(|(i, _)| *i);
    let parent_base = parent.and_then(|p| doc.elems.get(p)).map_or(0, |p| p.base);
    let base = match attrs.iter().find(|a| a.ns == Ns::Xml && a.local == "base") {
        Some(a) => {
            let inherited = doc.bases.get(parent_base).and_then(Option::as_ref);
            let joined = match inherited {
                Some(b) => b.join(a.value.trim()).ok(),
                None => url::Url::parse(a.value.trim()).ok(),
            };
            doc.bases.push(joined);
            doc.bases.len() - 1
        }
        None => parent_base,
    };
    let idx = doc.elems.len();
    doc.elems.push(Elem {
        ns,
        local,
        attrs,
        children: Vec::new(),
        base,
    });
    if let Some(p) = parent.and_then(|p| doc.elems.get_mut(p)) {
        p.children.push(Child::Elem(idx));
    }
    Ok(idx)
}

/// The entities a document declares in its internal DTD subset, and the budget left to
/// expand them.
#[derive(Default)]
struct Entities {
    declared: HashMap<String, String>,
    spent: std::cell::Cell<usize>,
}

impl Entities {
    /// Read `<!ENTITY name "value">` declarations (general entities with a literal value;
    /// parameter and external entities are ignored) from a DOCTYPE's text.
    fn declare(&mut self, dtd: &str) {
        let mut rest = dtd;
        while let Some(at) = rest.find("<!ENTITY") {
            rest = &rest[at + "<!ENTITY".len()..];
            let decl = rest.trim_start();
            if decl.starts_with('%') {
                continue;
            }
            let name_len = decl.find(|c: char| c.is_whitespace()).unwrap_or(decl.len());
            let name = &decl[..name_len];
            let after = decl[name_len..].trim_start();
            let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let Some(end) = after[1..].find(q) else {
                continue;
            };
            let value = &after[1..1 + end];
            if !name.is_empty() && !self.declared.contains_key(name) {
                self.declared.insert(name.to_string(), value.to_string());
            }
        }
    }

    /// The text of `&name;`.
    fn resolve(&self, name: &str) -> Result<String, Refused> {
        self.resolve_depth(name, 0)
    }

    fn resolve_depth(&self, name: &str, depth: usize) -> Result<String, Refused> {
        if let Some(num) = name.strip_prefix('#') {
            return Ok(char_ref(num).map_or_else(|| format!("&{name};"), String::from));
        }
        if let Some(s) = predefined(name) {
            return Ok(s.to_string());
        }
        if let Some(v) = self.declared.get(name) {
            if depth > 16 {
                return Err(Refused("entities nested too deep".into()));
            }
            let out = self.unescape_depth(v, depth + 1)?;
            // The reference itself is charged too: entities that expand to nothing
            // (`<!ENTITY e "">`, `<!ENTITY d "&e;&e;...">`) would otherwise cost nothing
            // however many times they are expanded (10^16 expansions: a hang).
            let spent = self.spent.get() + out.len() + name.len() + 2;
            if spent > MAX_EXPANSION {
                return Err(Refused(format!(
                    "the document's entities expand past {MAX_EXPANSION} bytes (an entity bomb?)"
                )));
            }
            self.spent.set(spent);
            return Ok(out);
        }
        let key = format!("{name};");
        if let Some(&(a, b)) = markup5ever::data::NAMED_ENTITIES.get(key.as_str()) {
            let mut s = String::new();
            s.extend(char::from_u32(a));
            if b != 0 {
                s.extend(char::from_u32(b));
            }
            return Ok(s);
        }
        Ok(format!("&{name};"))
    }

    /// `raw` (an attribute value, an entity's value) with its references resolved.
    fn unescape(&self, raw: &str) -> Result<String, Refused> {
        self.unescape_depth(raw, 0)
    }

    fn unescape_depth(&self, raw: &str, depth: usize) -> Result<String, Refused> {
        if !raw.contains('&') {
            return Ok(raw.to_string());
        }
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let after = &rest[amp + 1..];
            let semi = after
                .char_indices()
                .take(40)
                .find(|(_, c)| *c == ';')
                .map(|(i, _)| i);
            match semi {
                Some(s)
                    if s > 0
                        && after[..s].chars().all(|c| {
                            c.is_alphanumeric() || matches!(c, '#' | '_' | '-' | '.' | ':')
                        }) =>
                {
                    out.push_str(&self.resolve_depth(&after[..s], depth)?);
                    rest = &after[s + 1..];
                }
                _ => {
                    out.push('&');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// The five entities XML predefines.
fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    })
}

/// A character reference's character (`x2019`, `X2019`, `8217`); `&#128;`–`&#159;` as
/// Windows-1252, as browsers read them.
pub fn char_ref(num: &str) -> Option<char> {
    let code = match num.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => num.parse::<u32>().ok()?,
    };
    match code {
        0 => Some('\u{fffd}'),
        0x80..=0x9f => {
            markup5ever::data::C1_REPLACEMENTS[(code - 0x80) as usize].or(char::from_u32(code))
        }
        _ => char::from_u32(code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_entities_and_bases() {
        let d = parse(
            r#"<!DOCTYPE rss [<!ENTITY id "Ident &amp; co">]><rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel xml:base="http://a.example/x/"><item><dc:creator>A &id; &eacute;&#X2019;&#146; &bogus; R&D</dc:creator><media:x/><link xml:base="sub/">y</link></item></channel></rss>"#,
            Some("http://feed.example/f"),
        )
        .unwrap();
        let root = doc_root(&d);
        assert!(root.is(Ns::Rss, "rss"));
        let ch = d.child(root, Ns::Rss, "channel").unwrap();
        let item = d.child(ch, Ns::Rss, "item").unwrap();
        let c = d.child(item, Ns::Dc, "creator").unwrap();
        assert_eq!(d.text(c), "A Ident & co é’’ &bogus; R&D");
        assert!(d.child(item, Ns::Media, "x").is_some());
        let link = d.child(item, Ns::Rss, "link").unwrap();
        assert_eq!(d.resolve(link, "z"), "http://a.example/x/sub/z");
        assert_eq!(d.resolve(ch, "/z"), "http://a.example/z");
    }

    fn doc_root(d: &Doc) -> &Elem {
        d.root().unwrap()
    }

    #[test]
    fn entity_bomb_is_refused() {
        let mut dtd = String::from("<!DOCTYPE r [<!ENTITY a0 \"lollollollol\">");
        for i in 1..10 {
            let p = format!("&a{};", i - 1);
            dtd.push_str(&format!("<!ENTITY a{i} \"{}\">", p.repeat(10)));
        }
        dtd.push_str("]><r>&a9;</r>");
        assert!(parse(&dtd, None).is_err());
    }

    #[test]
    fn empty_entity_bomb_is_refused() {
        // Fuzzing (feed_parse, F4): entities that expand to nothing, ten references per
        // level, sixteen levels: 10^16 expansions without a byte of output.
        let mut dtd = String::from("<!DOCTYPE r [<!ENTITY a0 \"\">");
        for i in 1..=16 {
            let p = format!("&a{};", i - 1);
            dtd.push_str(&format!("<!ENTITY a{i} \"{}\">", p.repeat(10)));
        }
        dtd.push_str("]><r>&a16;</r>");
        let t = std::time::Instant::now();
        assert!(parse(&dtd, None).is_err());
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
        // A few empty entities are fine.
        let d = parse(
            "<!DOCTYPE r [<!ENTITY e \"\"><!ENTITY f \"&e;&e;x\">]><r>a&f;&e;b</r>",
            None,
        )
        .unwrap();
        assert_eq!(d.text(doc_root(&d)), "axb");
    }

    #[test]
    fn markup_is_written_back_and_deep_nesting_flattened() {
        let d = parse("<a><b x=\"1&amp;\">t &lt; <i>u</i></b></a>", None).unwrap();
        assert_eq!(
            d.inner_markup(doc_root(&d)),
            "<b x=\"1&amp;\">t &lt; <i>u</i></b>"
        );
        let deep = format!("<a>{}t{}</a>", "<x>".repeat(10_000), "</x>".repeat(10_000));
        let d = parse(&deep, None).unwrap();
        assert_eq!(d.text(doc_root(&d)), "t");
        assert!(d.elems.len() <= MAX_DEPTH + 1);
    }
}
