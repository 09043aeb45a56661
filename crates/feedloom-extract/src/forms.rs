//! The walk shared by the forms tables of `amounts` and `dates`: each form has its own regex,
//! and the table is searched as the one regex of all of them joined by `|` would be.

use regex::{Captures, Regex};

/// The form (index into `res`, a forms table's regexes) and captures of each match, in text order, as one regex of
/// all the forms' patterns joined by `|` in table order would find them: at the leftmost
/// position where any form matches, the first form in the table; the next search starts at the
/// end of that match. Each form's next match is kept until the search passes its start.
pub(crate) fn matches<'t>(res: &[Regex], text: &'t str) -> Vec<(usize, Captures<'t>)> {
    let mut next: Vec<Option<(usize, usize)>> = vec![None; res.len()];
    let mut exhausted = vec![false; res.len()];
    let mut out = Vec::new();
    let mut pos = 0;
    while pos <= text.len() {
        let mut best: Option<(usize, usize)> = None; // (start, form)
        for (i, re) in res.iter().enumerate() {
            if exhausted[i] {
                continue;
            }
            if next[i].is_none_or(|(s, _)| s < pos) {
                next[i] = re.find_at(text, pos).map(|m| (m.start(), m.end()));
            }
            match next[i] {
                None => exhausted[i] = true,
                Some((s, _)) if best.is_none_or(|(b, _)| s < b) => best = Some((s, i)),
                Some(_) => {}
            }
        }
        let Some((s, i)) = best else { break };
        let Some(c) = res.get(i).and_then(|re| re.captures_at(text, s)) else {
            break;
        };
        let e = c.get(0).map_or(s, |m| m.end());
        // (no form matches the empty string; step past one anyway)
        pos = if e > s {
            e
        } else {
            s + text
                .get(s..)
                .and_then(|r| r.chars().next())
                .map_or(1, char::len_utf8)
        };
        out.push((i, c));
    }
    out
}
