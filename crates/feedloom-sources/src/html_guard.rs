//! Deeply nested HTML, made safe before anything builds or walks a tree of it.
//!
//! rs-trafilatura walks the DOM recursively: a page of a few thousand nested elements
//! (`<b>` × 8,000 is 24 KB) overflows a 2 MiB thread stack and aborts the whole process, and
//! its running time grows with the square of the depth. [`prepare`] is the one gate every
//! HTML entry point of this crate that builds a tree goes through (full-text extraction,
//! file-source `.html` articles, [`crate::file::split_html_article`]):
//!
//! 1. [`flatten`]: one linear pass over the markup that tracks the open elements the way an
//!    HTML5 parser does (void elements, implied end tags, end tags that close what they
//!    match, raw-text elements, comments, CDATA in SVG/MathML, quoted attributes) and
//!    removes every start tag that would open an element deeper than [`MAX_DEPTH`] (and the
//!    matching end tags). The text is kept: a flattened page still has its words.
//! 2. A check of the real thing: the flattened page is parsed by the same HTML5 parser
//!    (html5ever, through dom_query, as rs-trafilatura does; neither recurses on depth) and
//!    its tree depth measured without recursion. The tracker in step 1 cannot model every
//!    rule of HTML5 tree construction (the adoption agency, reopened formatting elements);
//!    a page crafted to fool it is refused here, before any recursive walk sees it.
//!
//! The crate's own HTML readers ([`crate::parse::html_to_text`], the article cut in
//! [`crate::file`], feed discovery's `<link>` scan) are flat scanners: they never build a
//! tree and do not recurse, so depth costs them nothing.

use std::borrow::Cow;
use std::collections::HashMap;

/// Elements are flattened beyond this depth. Measured with `examples/depth_probe.rs` (dev
/// profile, rs-trafilatura at opt-level 2): rs-trafilatura overflows a 2 MiB thread stack at
/// about 5,650 nested `<b>` or `<em>`, 5,650–6,000 `<div>`, 8,150 `<x>`; an 8 MiB stack
/// between 20,000 and 24,000 `<b>`. 256 (and at most [`MAX_PARSED_DEPTH`] after parsing)
/// leaves a margin of ten or more on 2 MiB; extraction time at this depth is milliseconds
/// (it grows with the square of the depth: 60 s at 9,500 levels).
pub const MAX_DEPTH: usize = 256;

/// Largest tree depth (elements and text, from the document node) accepted after
/// flattening. Above [`MAX_DEPTH`] by the elements the parser adds itself (`html`, `body`,
/// `tbody`, a text node) and what the tracker may miss on ordinary pages; still far below
/// what overflows.
pub const MAX_PARSED_DEPTH: usize = 2 * MAX_DEPTH;

/// The page, flattened if it must be, once its parsed tree is known to be shallow enough
/// for a recursive walk on a 2 MiB stack. `Err` says why it is refused.
pub fn prepare(html: &str) -> Result<Cow<'_, str>, String> {
    let flat = flatten(html);
    // html5ever is a third-party parser: a panic in it fails this page, not the caller.
    let depth = std::panic::catch_unwind(|| parsed_depth(&flat, MAX_PARSED_DEPTH))
        .map_err(|_| "the HTML parser gave up on this page (internal error)".to_string())?;
    if depth > MAX_PARSED_DEPTH {
        return Err(format!(
            "page nested too deep to extract (parsed depth over {MAX_PARSED_DEPTH} after flattening)"
        ));
    }
    Ok(flat)
}

/// [`flatten_to`] at [`MAX_DEPTH`].
pub fn flatten(html: &str) -> Cow<'_, str> {
    flatten_to(html, MAX_DEPTH)
}

/// The page with every start tag that would open an element deeper than `max_depth` (and
/// its end tag) removed; their text stays. Borrowed when nothing had to go. Linear in the
/// length of the page.
pub fn flatten_to(html: &str, max_depth: usize) -> Cow<'_, str> {
    let mut f = Flattener::new(html.as_bytes(), max_depth.max(1));
    f.run();
    if f.removed.is_empty() {
        return Cow::Borrowed(html);
    }
    let b = html.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut at = 0;
    for r in &f.removed {
        out.extend_from_slice(&b[at..r.start]);
        at = r.end;
    }
    out.extend_from_slice(&b[at..]);
    // Only whole tags (from `<` to `>`, both ASCII) were cut out of valid UTF-8.
    match String::from_utf8(out) {
        Ok(s) => Cow::Owned(s),
        Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
    }
}

/// Depth of the tree the HTML5 parser builds from `html` (the document node is 0), counted
/// without recursion; the walk stops once it passes `stop_above`.
pub fn parsed_depth(html: &str, stop_above: usize) -> usize {
    let doc = dom_query::Document::from(html);
    let mut node = doc.root();
    let (mut depth, mut max) = (0usize, 0usize);
    loop {
        if let Some(child) = node.first_child() {
            node = child;
            depth += 1;
            max = max.max(depth);
            if max > stop_above {
                return max;
            }
            continue;
        }
        // Up until there is a next sibling.
        loop {
            if depth == 0 {
                return max;
            }
            if let Some(next) = node.next_sibling() {
                node = next;
                break;
            }
            match node.parent() {
                Some(p) => {
                    node = p;
                    depth -= 1;
                }
                None => return max,
            }
        }
    }
}

/// Elements without content or end tag.
fn is_void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"basefont"
            | b"bgsound"
            | b"br"
            | b"col"
            | b"embed"
            | b"frame"
            | b"hr"
            | b"image"
            | b"img"
            | b"input"
            | b"keygen"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
    )
}

/// Elements whose content is text up to their end tag (the parser's scripting flag is off,
/// as dom_query sets it, so `noscript` is not one of them).
fn is_raw_text(name: &[u8]) -> bool {
    matches!(
        name,
        b"script"
            | b"style"
            | b"textarea"
            | b"title"
            | b"xmp"
            | b"iframe"
            | b"noembed"
            | b"noframes"
    )
}

/// HTML5's "special" elements: an end tag for an ordinary element does not close past one.
fn is_special(name: &[u8]) -> bool {
    matches!(
        name,
        b"address"
            | b"applet"
            | b"area"
            | b"article"
            | b"aside"
            | b"base"
            | b"basefont"
            | b"bgsound"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"button"
            | b"caption"
            | b"center"
            | b"col"
            | b"colgroup"
            | b"dd"
            | b"details"
            | b"dialog"
            | b"dir"
            | b"div"
            | b"dl"
            | b"dt"
            | b"embed"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"form"
            | b"frame"
            | b"frameset"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"header"
            | b"hgroup"
            | b"hr"
            | b"html"
            | b"iframe"
            | b"img"
            | b"input"
            | b"keygen"
            | b"li"
            | b"link"
            | b"listing"
            | b"main"
            | b"marquee"
            | b"menu"
            | b"meta"
            | b"nav"
            | b"noembed"
            | b"noframes"
            | b"noscript"
            | b"object"
            | b"ol"
            | b"p"
            | b"param"
            | b"plaintext"
            | b"pre"
            | b"script"
            | b"search"
            | b"section"
            | b"select"
            | b"source"
            | b"style"
            | b"summary"
            | b"table"
            | b"tbody"
            | b"td"
            | b"template"
            | b"textarea"
            | b"tfoot"
            | b"th"
            | b"thead"
            | b"title"
            | b"tr"
            | b"track"
            | b"ul"
            | b"wbr"
            | b"xmp"
            | b"mi"
            | b"mo"
            | b"mn"
            | b"ms"
            | b"mtext"
            | b"annotation-xml"
            | b"foreignobject"
            | b"desc"
    )
}

/// Boundaries of HTML5's default element scope (an end tag does not close past them).
fn is_scope_boundary(name: &[u8]) -> bool {
    matches!(
        name,
        b"applet"
            | b"caption"
            | b"html"
            | b"table"
            | b"td"
            | b"th"
            | b"marquee"
            | b"object"
            | b"template"
            | b"mi"
            | b"mo"
            | b"mn"
            | b"ms"
            | b"mtext"
            | b"annotation-xml"
            | b"foreignobject"
            | b"desc"
    )
}

/// Start tags that close an open `<p>` (in button scope) first.
fn closes_p(name: &[u8]) -> bool {
    matches!(
        name,
        b"address"
            | b"article"
            | b"aside"
            | b"blockquote"
            | b"center"
            | b"details"
            | b"dialog"
            | b"dir"
            | b"div"
            | b"dl"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"header"
            | b"hgroup"
            | b"main"
            | b"menu"
            | b"nav"
            | b"ol"
            | b"p"
            | b"search"
            | b"section"
            | b"summary"
            | b"ul"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"pre"
            | b"listing"
            | b"form"
            | b"li"
            | b"dd"
            | b"dt"
            | b"xmp"
    )
}

/// Table rows, cells, sections and captions (the parser ignores them outside a table).
fn is_table_part(name: &[u8]) -> bool {
    matches!(
        name,
        b"tbody" | b"thead" | b"tfoot" | b"tr" | b"td" | b"th" | b"caption" | b"colgroup"
    )
}

/// Start tags that end SVG/MathML content (HTML5 "in foreign content"): the foreign
/// elements are closed and the tag is an HTML element again. `tag` is the whole tag (a
/// `font` breaks out only with `color`, `face` or `size`).
fn breaks_out_of_foreign(name: &[u8], tag: &[u8]) -> bool {
    match name {
        b"b" | b"big" | b"blockquote" | b"body" | b"br" | b"center" | b"code" | b"dd" | b"div"
        | b"dl" | b"dt" | b"em" | b"embed" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6"
        | b"head" | b"hr" | b"i" | b"img" | b"li" | b"listing" | b"menu" | b"meta" | b"nobr"
        | b"ol" | b"p" | b"pre" | b"ruby" | b"s" | b"small" | b"span" | b"strong" | b"strike"
        | b"sub" | b"sup" | b"table" | b"tt" | b"u" | b"ul" | b"var" => true,
        b"font" => {
            let t = tag.to_ascii_lowercase();
            [&b"color"[..], b"face", b"size"]
                .iter()
                .any(|a| t.windows(a.len()).any(|w| w == *a))
        }
        _ => false,
    }
}

fn is_heading(name: &[u8]) -> bool {
    matches!(name, b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6")
}

/// What an open element is, for the lookups of [`Open`]: each kind keeps the positions of
/// its open elements, so "the nearest open X not behind a Y" is two lookups, not a search.
#[derive(Clone, Copy)]
enum Kind {
    /// HTML5's special elements: ordinary end tags do not close past them.
    Special,
    /// Special, except `address`, `div`, `p`: where `<li>`/`<dd>`/`<dt>` stop looking.
    SpecialNotAdp,
    /// Boundaries of the default scope.
    Scope,
    /// ... of button scope (default plus `button`; for `p`).
    ButtonScope,
    /// ... of list-item scope (default plus `ol`, `ul`; for `li`).
    ListScope,
    /// ... of table scope (`html`, `table`, `template`; for table parts).
    TableScope,
    /// `svg`, `math`: foreign content starts.
    ForeignRoot,
    /// HTML integration points inside foreign content.
    Integration,
}

const KINDS: usize = 8;

impl Kind {
    fn has(self, name: &[u8]) -> bool {
        match self {
            Kind::Special => is_special(name),
            Kind::SpecialNotAdp => is_special(name) && !matches!(name, b"address" | b"div" | b"p"),
            Kind::Scope => is_scope_boundary(name),
            Kind::ButtonScope => is_scope_boundary(name) || name == b"button",
            Kind::ListScope => is_scope_boundary(name) || matches!(name, b"ol" | b"ul"),
            Kind::TableScope => matches!(name, b"html" | b"table" | b"template"),
            Kind::ForeignRoot => matches!(name, b"svg" | b"math"),
            Kind::Integration => matches!(name, b"foreignobject" | b"desc" | b"annotation-xml"),
        }
    }

    const ALL: [Kind; KINDS] = [
        Kind::Special,
        Kind::SpecialNotAdp,
        Kind::Scope,
        Kind::ButtonScope,
        Kind::ListScope,
        Kind::TableScope,
        Kind::ForeignRoot,
        Kind::Integration,
    ];
}

/// The stack of open elements, with the position of the nearest open element of each name
/// and each [`Kind`] at hand (every push and pop updates them in constant time).
#[derive(Default)]
struct Open {
    names: Vec<Vec<u8>>,
    /// For formatting elements (`b`, `em`, `font`, ...): the tag's name and attributes as
    /// written, which the parser compares to drop duplicates from its list of active
    /// formatting elements.
    fmt_keys: Vec<Option<Vec<u8>>>,
    by_name: HashMap<Vec<u8>, Vec<usize>>,
    by_kind: [Vec<usize>; KINDS],
}

impl Open {
    fn len(&self) -> usize {
        self.names.len()
    }

    fn top(&self) -> Option<&[u8]> {
        self.names.last().map(Vec::as_slice)
    }

    fn contains(&self, name: &[u8]) -> bool {
        self.nearest(name).is_some()
    }

    fn push(&mut self, name: Vec<u8>, fmt_key: Option<Vec<u8>>) {
        let at = self.names.len();
        self.fmt_keys.push(fmt_key);
        for (k, kind) in Kind::ALL.iter().enumerate() {
            if kind.has(&name) {
                self.by_kind[k].push(at);
            }
        }
        self.by_name.entry(name.clone()).or_default().push(at);
        self.names.push(name);
    }

    fn pop(&mut self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let at = self.names.len().saturating_sub(1);
        self.truncate(at)
    }

    /// Close every element from position `k` up; the formatting elements among them
    /// (name, key), innermost first.
    fn truncate(&mut self, k: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut closed_fmt = Vec::new();
        while self.names.len() > k {
            let Some(name) = self.names.pop() else { break };
            if let Some(Some(key)) = self.fmt_keys.pop() {
                closed_fmt.push((name.clone(), key));
            }
            let at = self.names.len();
            if let Some(v) = self.by_name.get_mut(&name) {
                v.pop();
            }
            for v in &mut self.by_kind {
                if v.last() == Some(&at) {
                    v.pop();
                }
            }
        }
        closed_fmt
    }

    fn nearest(&self, name: &[u8]) -> Option<usize> {
        self.by_name.get(name).and_then(|v| v.last().copied())
    }

    fn nearest_kind(&self, kind: Kind) -> Option<usize> {
        self.by_kind[kind as usize].last().copied()
    }

    /// The nearest open element of one of `names`, unless an element of `boundary` is open
    /// inside it.
    fn find(&self, names: &[&[u8]], boundary: Kind) -> Option<usize> {
        let at = names.iter().filter_map(|n| self.nearest(n)).max()?;
        match self.nearest_kind(boundary) {
            Some(b) if b > at => None,
            _ => Some(at),
        }
    }

    fn in_foreign(&self) -> bool {
        match (
            self.nearest_kind(Kind::ForeignRoot),
            self.nearest_kind(Kind::Integration),
        ) {
            (Some(r), Some(h)) => r > h,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// Formatting elements closed by something other than their own end tag (see
/// [`Flattener::pending`]). At most three with the same name and attributes, as the parser
/// keeps ("Noah's Ark").
#[derive(Default)]
struct Pending {
    total: usize,
    by_key: HashMap<Vec<u8>, usize>,
    /// Keys per element name, latest last.
    by_name: HashMap<Vec<u8>, Vec<Vec<u8>>>,
}

impl Pending {
    fn add(&mut self, name: Vec<u8>, key: Vec<u8>) {
        let n = self.by_key.entry(key.clone()).or_insert(0);
        if *n >= 3 {
            return;
        }
        *n += 1;
        self.total += 1;
        self.by_name.entry(name).or_default().push(key);
    }

    fn remove(&mut self, name: &[u8]) {
        let Some(key) = self.by_name.get_mut(name).and_then(Vec::pop) else {
            return;
        };
        if let Some(n) = self.by_key.get_mut(&key) {
            *n = n.saturating_sub(1);
        }
        self.total = self.total.saturating_sub(1);
    }
}

fn is_formatting(name: &[u8]) -> bool {
    matches!(
        name,
        b"a" | b"b"
            | b"big"
            | b"code"
            | b"em"
            | b"font"
            | b"i"
            | b"nobr"
            | b"s"
            | b"small"
            | b"strike"
            | b"strong"
            | b"tt"
            | b"u"
    )
}

const HEADINGS: [&[u8]; 6] = [b"h1", b"h2", b"h3", b"h4", b"h5", b"h6"];

/// The open-element tracker behind [`flatten_to`].
struct Flattener<'a> {
    b: &'a [u8],
    max_depth: usize,
    /// Open elements (names lower-cased). Never deeper than `max_depth` plus the implied
    /// `tbody`/`tr` of a table.
    open: Open,
    /// Start tags removed, per name, whose end tags are still to be removed.
    dropped: HashMap<Vec<u8>, usize>,
    /// Formatting elements closed by something other than their own end tag. The parser
    /// keeps them in its list of active formatting elements and opens copies of them again
    /// around the next text, so they still count toward the depth.
    pending: Pending,
    /// Byte ranges cut out of the page, in order.
    removed: Vec<std::ops::Range<usize>>,
}

impl<'a> Flattener<'a> {
    fn new(b: &'a [u8], max_depth: usize) -> Self {
        Flattener {
            b,
            max_depth,
            open: Open::default(),
            dropped: HashMap::new(),
            pending: Pending::default(),
            removed: Vec::new(),
        }
    }

    /// Depth a new element would be opened at, counting formatting elements the parser
    /// will reopen.
    fn depth(&self) -> usize {
        self.open.len() + self.pending.total
    }

    /// Close every open element from position `k` up (not by their own end tags).
    fn close_to(&mut self, k: usize) {
        for (name, key) in self.open.truncate(k) {
            self.pending.add(name, key);
        }
    }

    fn run(&mut self) {
        let b = self.b;
        let mut i = 0;
        while let Some(p) = b[i..].iter().position(|&c| c == b'<') {
            let lt = i + p;
            i = match self.markup(lt) {
                Some(next) => next,
                // Cut off inside a tag: the parser drops it, nothing more to see.
                None => return,
            };
        }
    }

    /// Handle the markup at `lt` (a `<`); where scanning resumes, or `None` at the end.
    fn markup(&mut self, lt: usize) -> Option<usize> {
        let b = self.b;
        let rest = &b[lt..];
        if rest.starts_with(b"<!--") {
            return Some(comment_end(b, lt));
        }
        if rest.starts_with(b"<![CDATA[") && self.open.in_foreign() {
            return Some(find_from(b, lt + 9, b"]]>").map_or(b.len(), |e| e + 3));
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            // Doctype or bogus comment: up to the first `>`.
            return Some(find_byte(b, lt + 2, b'>').map_or(b.len(), |e| e + 1));
        }
        if rest.starts_with(b"</") {
            return match rest.get(2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let (name, after_name) = tag_name(b, lt + 2);
                    let (end, _) = tag_end(b, after_name)?;
                    self.end_tag(&name, lt..end);
                    Some(end)
                }
                Some(b'>') => Some(lt + 3),
                Some(_) => Some(find_byte(b, lt + 2, b'>').map_or(b.len(), |e| e + 1)),
                None => None,
            };
        }
        match rest.get(1) {
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, after_name) = tag_name(b, lt + 1);
                let (end, self_closing) = tag_end(b, after_name)?;
                Some(self.start_tag(name, self_closing, lt..end))
            }
            // A lone `<` is text.
            _ => Some(lt + 1),
        }
    }

    /// A start tag spanning `span`; returns where scanning resumes.
    fn start_tag(
        &mut self,
        name: Vec<u8>,
        self_closing: bool,
        span: std::ops::Range<usize>,
    ) -> usize {
        let end = span.end;
        let mut foreign = self.open.in_foreign();
        if foreign && breaks_out_of_foreign(&name, &self.b[span.start..end]) {
            // An HTML element in SVG/MathML closes the foreign elements first.
            if let Some(root) = self.open.nearest_kind(Kind::ForeignRoot) {
                self.close_to(root);
            }
            foreign = self.open.in_foreign();
        }
        // Table parts outside a table are ignored by the parser (so must their end tags
        // be, or they would close what the parser keeps open).
        if !foreign && is_table_part(&name) && !self.open.contains(b"table") {
            return end;
        }
        // `/>` closes an element only in SVG and MathML: the HTML5 parser ignores it on
        // HTML elements (`<x/>` opens an `x`, and counts).
        if is_void(&name) || (self_closing && foreign) {
            return end;
        }
        // `<html>`, `<body>`, `<head>` again only add attributes to the open one.
        if matches!(name.as_slice(), b"html" | b"body" | b"head") && self.open.contains(&name) {
            return end;
        }
        if !foreign {
            self.implied_end_tags(&name);
        }
        if name == b"plaintext" {
            // Everything after it is text.
            return self.b.len();
        }
        let raw = !foreign && is_raw_text(&name);
        if raw {
            // Never removed (its content must stay text), never pushed: a leaf, whose end
            // tag the scanner meets next and finds nothing open to close.
            return raw_text_end(self.b, end, &name);
        }
        if self.depth() >= self.max_depth {
            *self.dropped.entry(name).or_insert(0) += 1;
            self.removed.push(span);
            return end;
        }
        // A row or cell straight in a table gets the parser's implied `tbody` (and `tr`).
        if !foreign {
            let cell = matches!(name.as_slice(), b"td" | b"th");
            if self.open.top() == Some(b"table") && (cell || name == b"tr") {
                self.open.push(b"tbody".to_vec(), None);
            }
            if cell && matches!(self.open.top(), Some(b"tbody" | b"thead" | b"tfoot")) {
                self.open.push(b"tr".to_vec(), None);
            }
        }
        let fmt_key = is_formatting(&name).then(|| self.b[span.start + 1..end].to_vec());
        self.open.push(name, fmt_key);
        end
    }

    /// The end tags a start tag implies: a `<p>`, `<li>`, `<dt>`/`<dd>`, `<option>`,
    /// `<tr>`, `<td>`/`<th>`, heading or block closes the open element of its kind, as the
    /// HTML5 parser does, so pages with unclosed paragraphs and list items stay shallow.
    fn implied_end_tags(&mut self, name: &[u8]) {
        let close = match name {
            b"body" => self.open.find(&[b"head"], Kind::Scope),
            b"li" => self.open.find(&[b"li"], Kind::SpecialNotAdp),
            b"dd" | b"dt" => self.open.find(&[b"dd", b"dt"], Kind::SpecialNotAdp),
            b"tr" => self.open.find(&[b"tr"], Kind::TableScope),
            b"td" | b"th" => self.open.find(&[b"td", b"th"], Kind::TableScope),
            _ => None,
        };
        if let Some(k) = close {
            self.close_to(k);
        }
        if matches!(name, b"a" | b"nobr") {
            // A new link (or nobr) ends the parser's active one of that name.
            self.pending.remove(name);
        }
        if name == b"option" || name == b"optgroup" {
            self.pop_if_top(b"option");
        }
        if name == b"optgroup" {
            self.pop_if_top(b"optgroup");
        }
        if closes_p(name)
            && let Some(k) = self.open.find(&[b"p"], Kind::ButtonScope)
        {
            self.close_to(k);
        }
        if is_heading(name) && self.open.top().is_some_and(is_heading) {
            self.close_to(self.open.len() - 1);
        }
    }

    fn pop_if_top(&mut self, name: &[u8]) {
        if self.open.top() == Some(name) {
            self.close_to(self.open.len() - 1);
        }
    }

    /// An end tag spanning `span`.
    fn end_tag(&mut self, name: &[u8], span: std::ops::Range<usize>) {
        if is_table_part(name) && !self.open.contains(b"table") {
            return;
        }
        if self.open.in_foreign()
            && matches!(name, b"p" | b"br")
            && let Some(root) = self.open.nearest_kind(Kind::ForeignRoot)
        {
            // `</p>` and `</br>` break out of SVG/MathML too.
            self.close_to(root);
        }
        if let Some(n) = self.dropped.get_mut(name)
            && *n > 0
        {
            *n -= 1;
            self.removed.push(span);
            return;
        }
        let before = self.open.len();
        let target = match name {
            // The parser never closes these (content after them still goes in the body).
            b"body" | b"html" | b"br" => None,
            b"p" => self.open.find(&[b"p"], Kind::ButtonScope),
            b"li" => self.open.find(&[b"li"], Kind::ListScope),
            b"table" | b"tbody" | b"thead" | b"tfoot" | b"tr" | b"td" | b"th" | b"caption"
            | b"colgroup" => self.open.find(&[name], Kind::TableScope),
            _ if is_heading(name) => self.open.find(&HEADINGS, Kind::Scope),
            _ if is_special(name) => self.open.find(&[name], Kind::Scope),
            // Any other element (formatting, unknown, foreign): the nearest open one of
            // that name, unless a special element is open inside it (then the parser
            // ignores the tag, or restructures without closing the special element).
            _ => self.open.find(&[name], Kind::Special),
        };
        match target {
            Some(k) => {
                // Closed by its own end tag: no longer active. What was open inside it and
                // is closed with it may be reopened by the parser.
                self.close_to(k + 1);
                self.open.pop();
            }
            // An end tag for a formatting element that is not open removes it from the
            // parser's list of active ones.
            None if is_formatting(name) => self.pending.remove(name),
            None => {}
        }
        // Elements removed inside the ones just closed had their end tags skipped or
        // missing; forget them, so a later end tag of that name is kept.
        if self.open.len() < before && self.open.len() < self.max_depth && !self.dropped.is_empty()
        {
            self.dropped = HashMap::new();
        }
    }
}

/// The lower-cased tag name starting at `at`, and where it ends.
fn tag_name(b: &[u8], at: usize) -> (Vec<u8>, usize) {
    let len = b[at..]
        .iter()
        .take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b'/' | b'>'))
        .count();
    (b[at..at + len].to_ascii_lowercase(), at + len)
}

/// Where the tag whose attributes start at `at` ends (just past its `>`), and whether it
/// ends with `/>`. HTML5's attribute rules: `>` inside a quoted value does not end the
/// tag; quotes elsewhere are ordinary characters. `None` when the input ends first.
fn tag_end(b: &[u8], at: usize) -> Option<(usize, bool)> {
    #[derive(Clone, Copy, PartialEq)]
    enum S {
        BeforeName,
        Name,
        AfterName,
        BeforeValue,
        Double,
        Single,
        Unquoted,
        AfterQuoted,
        SelfClosing,
    }
    let mut s = S::BeforeName;
    let mut i = at;
    while let Some(&c) = b.get(i) {
        let ws = c.is_ascii_whitespace();
        s = match s {
            S::BeforeName | S::AfterQuoted if ws => S::BeforeName,
            S::BeforeName | S::Name | S::AfterName | S::AfterQuoted if c == b'/' => S::SelfClosing,
            S::BeforeName
            | S::Name
            | S::AfterName
            | S::BeforeValue
            | S::Unquoted
            | S::AfterQuoted
                if c == b'>' =>
            {
                return Some((i + 1, false));
            }
            S::SelfClosing if c == b'>' => return Some((i + 1, true)),
            S::BeforeName | S::AfterQuoted | S::SelfClosing => S::Name,
            S::Name if ws => S::AfterName,
            S::Name | S::AfterName if c == b'=' => S::BeforeValue,
            S::Name => S::Name,
            S::AfterName if ws => S::AfterName,
            S::AfterName => S::Name,
            S::BeforeValue if ws => S::BeforeValue,
            S::BeforeValue if c == b'"' => S::Double,
            S::BeforeValue if c == b'\'' => S::Single,
            S::BeforeValue => S::Unquoted,
            S::Double if c == b'"' => S::AfterQuoted,
            S::Single if c == b'\'' => S::AfterQuoted,
            S::Double | S::Single => s,
            S::Unquoted if ws => S::BeforeName,
            S::Unquoted => S::Unquoted,
        };
        i += 1;
    }
    None
}

/// Where a comment starting at `lt` (`<!--`) ends: after `-->` or `--!>`, or at `<!-->` /
/// `<!--->`; the end of the input when it is not closed.
fn comment_end(b: &[u8], lt: usize) -> usize {
    let body = lt + 4;
    if b.get(body) == Some(&b'>') {
        return body + 1;
    }
    if b.get(body..body + 2) == Some(b"->") {
        return body + 2;
    }
    let mut i = body;
    while let Some(gt) = find_byte(b, i, b'>') {
        let before = &b[body..gt];
        if before.ends_with(b"--") || before.ends_with(b"--!") {
            return gt + 1;
        }
        i = gt + 1;
    }
    b.len()
}

/// Where a raw-text element's content (from `from`) ends: at its end tag `</name` followed
/// by whitespace, `/` or `>` (the end tag itself is left to the scanner), or the end of the
/// input.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(lt) = find_from(b, i, b"</") {
        let n = lt + 2;
        let after = n + name.len();
        if b.get(n..after)
            .is_some_and(|s| s.eq_ignore_ascii_case(name))
            && b.get(after)
                .is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>'))
        {
            return lt;
        }
        i = n;
    }
    b.len()
}

fn find_byte(b: &[u8], from: usize, c: u8) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&x| x == c)
        .map(|p| from + p)
}

fn find_from(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_after(html: &str, max: usize) -> usize {
        parsed_depth(&flatten_to(html, max), usize::MAX)
    }

    #[test]
    fn deep_nesting_is_flattened_and_text_kept() {
        for tag in ["b", "em", "x", "div", "span", "p"] {
            let html = format!(
                "<html><body>{}deep words{}</body></html>",
                format!("<{tag}>").repeat(5000),
                format!("</{tag}>").repeat(5000)
            );
            let flat = flatten_to(&html, 50);
            assert!(flat.contains("deep words"), "{tag}");
            let d = parsed_depth(&flat, usize::MAX);
            assert!(d <= 60, "{tag}: depth {d}");
        }
    }

    #[test]
    fn ordinary_pages_are_left_alone() {
        let para = "<p>Unclosed paragraph with <b>bold</b> and <a href=\"/x?a=1&b=2\" title='a > b'>a link</a>";
        let page = format!(
            "<!DOCTYPE html><html><head><title>T <b></title><style>p > a {{}}</style><script>if (a < b) {{ document.write('</div>'); }}</script></head>\
             <body><!-- <div><div> --><ul><li>one<li>two</ul><dl><dt>a<dd>b</dl><table><tr><td>1<td>2<tr><td>3</table>\
             <select><option>a<option>b</select><svg><g/><g/><![CDATA[ </svg> ]]></svg>{}</body></html>",
            para.repeat(500)
        );
        assert!(matches!(flatten_to(&page, 12), Cow::Borrowed(_)));
        assert!(parsed_depth(&page, usize::MAX) < 12);
    }

    #[test]
    fn self_closing_is_void_only_in_svg_and_math() {
        // The HTML5 parser ignores `/>` on HTML elements: `<x/>` opens an element.
        let html = "<x/>".repeat(1000);
        assert!(depth_after(&html, 40) <= 45);
        let svg = format!("<svg>{}</svg>", "<g/>".repeat(1000));
        assert!(matches!(flatten_to(&svg, 40), Cow::Borrowed(_)));
    }

    #[test]
    fn misnested_end_tags_do_not_fool_it() {
        // The parser leaves the div open when `</x>` or `</b>` is misnested around it.
        for unit in ["<x><div></x>", "<b><div></b>", "<p><div>", "<li><div><li>"] {
            let html = unit.repeat(3000);
            let d = depth_after(&html, 40);
            assert!(d <= 60, "{unit}: parsed depth {d}");
        }
    }

    #[test]
    fn reopened_formatting_elements_count() {
        // Formatting elements closed by `</p>` are reopened by the parser in every later
        // paragraph (each `<b>` here differs, so none is dropped as a duplicate).
        let mut html = String::new();
        for round in 0..40 {
            html.push_str("<p>");
            for k in 0..200 {
                html.push_str(&format!("<b id={round}-{k}>"));
            }
            html.push_str("</p>");
        }
        html.push_str("<p>x</p>");
        let flat = prepare(&html).unwrap();
        assert!(parsed_depth(&flat, usize::MAX) <= MAX_DEPTH + 8);
        // Sloppy old pages (the same unclosed `<font>` in every paragraph, links closed by
        // the paragraph) are not flattened.
        let sloppy = "<p><font face=arial>text <a href=/x>link</p>".repeat(2000);
        assert!(matches!(flatten(&sloppy), Cow::Borrowed(_)));
    }

    #[test]
    fn parsed_depth_is_measured_without_recursion() {
        let html = "<x>".repeat(50_000);
        let d = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || parsed_depth(&html, usize::MAX))
            .unwrap()
            .join()
            .unwrap();
        assert!(d > 50_000, "{d}");
        assert!(prepare(&"<p>".repeat(10)).is_ok());
    }

    #[test]
    fn big_hostile_pages_flatten_in_linear_time() {
        // 2 MB each: deep, misnested, and many end tags against a full stack.
        let pages = [
            "<x>".repeat(700_000),
            "<b><div></b>".repeat(170_000),
            format!("<zz><div>{}{}", "<b>".repeat(300), "</zz>".repeat(400_000)),
            "<p><i class=a>".repeat(140_000),
        ];
        for page in &pages {
            let started = std::time::Instant::now();
            let _ = flatten(page);
            // Debug build on a shared machine: generous; quadratic would take minutes.
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{:?} for {}",
                started.elapsed(),
                &page[..20]
            );
        }
    }

    #[test]
    fn truncated_markup_and_garbage() {
        for s in [
            "<",
            "</",
            "<a",
            "<a href=\"",
            "<!--",
            "<![CDATA[",
            "</x",
            "<é<</<",
            "<a/",
            "<svg><![CDATA[",
        ] {
            let _ = flatten_to(s, 3);
            let _ = prepare(s);
        }
    }
}

#[cfg(test)]
mod soup {
    use super::*;

    /// Random tag soup from the constructs the tracker models (misnesting, unclosed
    /// elements, tables, SVG, select, templates, comments, scripts): it never panics, and
    /// after flattening to 40 the parser builds nothing deeper than 40 plus its own few
    /// levels (`html`, `body`, implied `tbody`, a text node).
    #[test]
    fn random_tag_soup_stays_shallow() {
        const TOKENS: &[&str] = &[
            "<b>",
            "</b>",
            "<i class=x>",
            "</i>",
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<x>",
            "</x>",
            "<li>",
            "</li>",
            "<ul>",
            "</ul>",
            "<table>",
            "<tr>",
            "<td>",
            "</td>",
            "</table>",
            "<a href=1>",
            "</a>",
            "<font size=2>",
            "</font>",
            "<span>",
            "</span>",
            "<br>",
            "<x/>",
            "<svg>",
            "<g/>",
            "</svg>",
            "<h2>",
            "</h2>",
            "<select>",
            "<option>",
            "<script>",
            "</script>",
            "<!--",
            "-->",
            "text ",
            "<dd>",
            "<dt>",
            "<button>",
            "</button>",
            "<em>",
            "</em>",
            "<tbody>",
            "<template>",
            "</template>",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..30 {
            let mut html = String::new();
            for _ in 0..4000 {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                html.push_str(TOKENS[(seed >> 33) as usize % TOKENS.len()]);
            }
            let d = parsed_depth(&flatten_to(&html, 40), usize::MAX);
            assert!(d <= 48, "round {round}: parsed depth {d}");
            match prepare(&html) {
                Ok(p) => assert!(parsed_depth(&p, usize::MAX) <= MAX_PARSED_DEPTH),
                Err(e) => assert!(e.contains("too deep"), "{e}"),
            }
        }
    }
}
