//! Where the quotations are: text between quote marks (straight, curly, guillemets; mixed
//! pairs; a quotation continued in the next paragraph), two parts joined by an attribution
//! merged into one, and the sentence around each quotation.

use super::attribution::VERB_ANY;
use crate::text::{self, Sentences};

fn is_open(c: char) -> bool {
    matches!(c, '“' | '«' | '„')
}
fn is_close(c: char) -> bool {
    matches!(c, '”' | '»')
}

/// Byte ranges of quotations: (outer start, outer end, inner text).
pub(crate) fn spans(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    // every mark starts with one of three bytes, none of which continues a character: jump
    // between those instead of decoding the whole text
    let marks: Vec<(usize, char)> = memchr::memchr3_iter(b'"', 0xE2, 0xC2, text.as_bytes())
        .filter_map(|p| Some((p, text.get(p..)?.chars().next()?)))
        .filter(|(_, c)| *c == '"' || is_open(*c) || is_close(*c))
        .collect();
    let mut i = 0;
    while i < marks.len() {
        let (p, c) = marks[i];
        let prev = text::sub(text, 0, p).chars().next_back();
        let opening = is_open(c)
            || (c == '"'
                && prev.is_none_or(|ch| {
                    ch.is_whitespace() || matches!(ch, '(' | '[' | '—' | '–' | '-' | ':' | ',')
                }));
        if !opening {
            i += 1;
            continue;
        }
        // find the closing mark; a paragraph break continues the quotation only when the next
        // paragraph opens with a quote mark. The text is its parts (one per paragraph), each
        // as written and trimmed, empty ones left out, joined by single spaces.
        let mut parts: Vec<&str> = Vec::new();
        let mut seg_start = p + c.len_utf8();
        let mut j = i + 1;
        let mut closed = None;
        while j < marks.len() {
            let (q, d) = marks[j];
            let seg = text::sub(text, seg_start, q);
            if let Some(nl) = seg.find('\n') {
                // paragraph ended inside the quotation
                let rest = text::sub(text, seg_start + nl, q).trim_start();
                if rest.is_empty() && (is_open(d) || d == '"') {
                    parts.push(text::sub(text, seg_start, seg_start + nl).trim());
                    seg_start = q + d.len_utf8();
                    j += 1;
                    continue;
                }
                break;
            }
            let next = text.get(q + d.len_utf8()..).and_then(|r| r.chars().next());
            let closing = is_close(d) || (d == '"' && next.is_none_or(|ch| !ch.is_alphanumeric()));
            if closing {
                parts.push(seg.trim());
                closed = Some((q, q + d.len_utf8()));
                break;
            }
            if is_open(d) {
                break; // another opening before a close: this one was unbalanced
            }
            j += 1;
        }
        parts.retain(|part| !part.is_empty());
        match closed {
            // an empty quotation ("" or « ») is none, and joins no other
            Some(_) if parts.is_empty() => i = j + 1,
            Some((_, e)) => {
                out.push((p, e, parts.join(" ")));
                i = j + 1;
            }
            // no mark before `j` closes anything (a mark closes or not by itself, whatever
            // opened), so an opening between `i` and `j` would stop at `j` too: go on from
            // there, which keeps a line of ten thousand unclosed quote marks linear
            None => i = j.max(i + 1),
        }
    }
    out
}

/// The quotation at `qs..qe`'s sentence: from the start of the sentence holding its opening
/// mark to the end of the sentence holding its closing mark (both from the crate's one
/// sentence splitter, [`Sentences`], so the previous quotation's sentence never ends after
/// this one's starts). A quotation that ends its sentence (`ends_sentence`, "…." He said)
/// takes the next sentence as its attribution when that opens with a pronoun ("He said."),
/// and none when it opens with another capitalised word (a new sentence about something
/// else). The range always holds the quotation: `start <= qs` and `end >= qe`.
pub(crate) fn sentence_bounds(
    text: &str,
    sents: &Sentences,
    qs: usize,
    qe: usize,
    ends_sentence: bool,
) -> (usize, usize) {
    // at most WINDOW bytes on each side: a quotation's attribution is near it, and a sentence
    // of megabytes with thousands of quotations in it stays linear
    const WINDOW: usize = 400;
    let lo = text.floor_char_boundary(qs.saturating_sub(WINDOW));
    let hi = text.ceil_char_boundary(qe.saturating_add(WINDOW).min(text.len()));
    let s = sents.start_at(qs).clamp(lo, qs);
    let mut e = sents.end_at(qe.saturating_sub(1)).clamp(qe, hi.max(qe));
    if ends_sentence && text.get(qe..e).is_some_and(|g| g.trim().is_empty()) {
        let next_word = text
            .get(e..)
            .unwrap_or("")
            .trim_start()
            .split(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        if matches!(next_word, "He" | "She" | "They" | "It" | "I" | "We") {
            e = sents.end_at(e).clamp(e, hi.max(e));
        } else if next_word.starts_with(|c: char| c.is_uppercase()) {
            e = qe;
        }
    }
    (s, e)
}

/// The start of the sentence holding the last character of `text[..end]` (the sentence that
/// `end` closes).
pub(crate) fn sentence_start_of_last(text: &str, sents: &Sentences, end: usize) -> usize {
    let last = text
        .get(..end)
        .and_then(|h| h.char_indices().next_back())
        .map_or(0, |(p, _)| p);
    sents.start_at(last)
}

/// A quotation: its outer start and end (the marks included), its text, and the byte range of
/// the attribution between its two parts when two were merged ("…,” he said. “…”).
pub(crate) type Raw = (usize, usize, String, Option<(usize, usize)>);

/// The quotations of `text`, two parts joined only by an attribution merged into one: one
/// sentence (abbreviations do not end it) of up to 40 words before a comma, or 80 when it is
/// a whole sentence ending right before the second part.
pub(crate) fn merged(text: &str, sents: &Sentences) -> Vec<Raw> {
    let raw = spans(text);
    // merge "…,” he said. “…”" into one quotation
    let mut merged: Vec<Raw> = Vec::new();
    for (s, e, t) in raw {
        if let Some(last) = merged.last_mut() {
            let gap = text::sub(text, last.1, s);
            let g = gap.trim_end();
            // one sentence of attribution (abbreviations do not end it: "said Mrs. X, ...
            // of NNPC Ltd."), of up to 40 words before a comma; a whole sentence ending in a
            // full stop right before the next part may be longer
            let limit = if g.ends_with('.') { 80 } else { 40 };
            if !gap.contains('\n')
                && gap.split_whitespace().count() <= limit
                && g.ends_with(['.', ','])
                && !sents.crosses(last.1, last.1 + g.len().saturating_sub(1))
                && VERB_ANY.is_match(gap)
                && last.2.ends_with(',')
            {
                let g = (last.1, s);
                if !last.2.ends_with(',') && !last.2.ends_with(['.', '?', '!']) {
                    last.2.push(',');
                }
                last.2.push(' ');
                last.2.push_str(&t);
                last.1 = e;
                last.3 = Some(g);
                continue;
            }
        }
        merged.push((s, e, t, None));
    }
    merged
}
