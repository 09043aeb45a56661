//! "did you mean `type`?" for misspelled keys.
//!
//! The distance is the optimal-string-alignment one (Levenshtein plus swapping two
//! neighbours), because the commonest typo, `tpye`, is one swap: plain Levenshtein counts
//! it as two edits, as far as `type` is from `time`. Hand-written (a dozen lines) rather
//! than a new dependency.

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`, by character.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The most edits a key of this length may be from a known key and still be a typo of it:
/// short keys allow one (`ib` is not `url`), longer ones two or three.
fn tolerance(len: usize) -> usize {
    match len {
        0..=3 => 1,
        4..=8 => 2,
        _ => 3,
    }
}

/// Is `written` (not itself a known key) a plausible misspelling of `known`?
pub fn is_typo_of(written: &str, known: &str) -> bool {
    let (w, k) = (written.to_lowercase(), known.to_lowercase());
    written != known && distance(&w, &k) <= tolerance(known.chars().count())
}

/// The known key `written` most likely meant, if any is close enough.
pub fn closest<'a>(written: &str, known: &[&'a str]) -> Option<&'a str> {
    let w = written.to_lowercase();
    known
        .iter()
        .filter(|k| is_typo_of(written, k))
        .min_by_key(|k| distance(&w, &k.to_lowercase()))
        .copied()
}

/// Rewrite serde's "unknown field `x`, expected one of `a`, `b`" (or "expected `a`", or
/// "there are no fields") as "unknown field `x`, did you mean `a`? (known keys: ...)", with
/// `extra` (keys the runtime takes in the same mapping) added to the known keys. Any other
/// message is returned as it is.
pub fn improve_unknown_field(message: &str, extra: &[&str]) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((field, tail)) = rest.split_once('`') else {
        return message.to_string();
    };
    let mut known: Vec<&str> = extra.to_vec();
    // Every other backticked word in serde's tail is a known key.
    for k in tail.split('`').skip(1).step_by(2) {
        if !known.contains(&k) {
            known.push(k);
        }
    }
    let hint = match closest(field, &known) {
        Some(k) => format!(", did you mean `{k}`?"),
        None => String::new(),
    };
    let list = if known.is_empty() {
        "this mapping takes no keys".to_string()
    } else {
        let quoted: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
        format!("known keys: {}", quoted.join(", "))
    };
    format!("unknown field `{field}`{hint} ({list})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_count_as_one_edit() {
        assert_eq!(distance("tpye", "type"), 1);
        assert_eq!(distance("type", "type"), 0);
        assert_eq!(distance("intervl", "interval"), 1);
        assert_eq!(distance("", "id"), 2);
    }

    #[test]
    fn finds_the_closest_known_key() {
        let known = ["id", "type", "path", "interval"];
        assert_eq!(closest("tpye", &known), Some("type"));
        assert_eq!(closest("Type", &known), Some("type"));
        assert_eq!(closest("pth", &known), Some("path"));
        assert_eq!(closest("inteval", &known), Some("interval"));
        assert_eq!(closest("colour", &known), None);
    }

    #[test]
    fn rewrites_serde_messages_with_extra_keys() {
        let m = improve_unknown_field(
            "unknown field `on_eror`, expected one of `patterns`, `min_chars`",
            &["id", "type", "on_error"],
        );
        assert_eq!(
            m,
            "unknown field `on_eror`, did you mean `on_error`? (known keys: `id`, `type`, `on_error`, `patterns`, `min_chars`)"
        );
        let m = improve_unknown_field("unknown field `x`, there are no fields", &[]);
        assert_eq!(m, "unknown field `x` (this mapping takes no keys)");
        let m = improve_unknown_field("unknown field `idd`, expected `url`", &["id"]);
        assert!(
            m.starts_with("unknown field `idd`, did you mean `id`?"),
            "{m}"
        );
        assert_eq!(
            improve_unknown_field("missing field `x`", &[]),
            "missing field `x`"
        );
    }
}
