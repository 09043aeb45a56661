//! Person names out of a byline as templates and wire copy write them: "By Jane Doe and
//! John Roe", "Jane Doe, Staff Writer", "jane@x.test (Jane Doe)", "Reporting by Olzhas
//! Auyezov in Almaty; Editing by Jane Smith", "JANE DOE | @janedoe". Roles, desks, agencies,
//! addresses, handles and URLs are dropped; editors are not authors.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Words that make a byline part a role, desk or agency rather than a person
/// (`data/not_author_words.txt`).
static NOT_NAME: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/not_author_words.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Lower-case words that may begin a name's later part ("Ursula von der Leyen").
const PARTICLES: [&str; 22] = [
    "van", "der", "den", "de", "del", "della", "la", "le", "du", "da", "di", "dos", "das", "von",
    "bin", "binti", "bint", "ibn", "al", "el", "ter", "y",
];

/// Titles before a name that are not part of it.
const HONORIFICS: [&str; 10] = [
    "dr",
    "prof",
    "professor",
    "mr",
    "mrs",
    "ms",
    "miss",
    "sir",
    "dame",
    "rev",
];

/// Credit lines whose people are not authors.
const NOT_AUTHOR_CREDITS: [&str; 12] = [
    "фото",
    "photo:",
    "editor:",
    "редактор",
    "editing by",
    "edited by",
    "compiled by",
    "photo by",
    "photos by",
    "graphics by",
    "translated by",
    "fact-checked by",
];

/// Prefixes before the names.
const PREFIXES: [&str; 24] = [
    "текст:",
    "text:",
    "von",
    "av",
    "par",
    "por",
    "additional reporting by",
    "reporting by",
    "writing by",
    "written by",
    "words by",
    "story by",
    "posted by",
    "submitted by",
    "authors:",
    "author:",
    "автор:",
    "by:",
    "by",
    "authors",
    "author",
    "автор",
    "авторы",
    "от",
];

/// The person names in a byline, in order, without repeats.
pub(crate) fn names(raw: &str) -> Vec<String> {
    let s = crate::parse::decode_entities(raw);
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: Vec<String> = Vec::new();
    for credit in s.split([';', '\n']) {
        let credit = credit.trim();
        let lower = credit.to_lowercase();
        if NOT_AUTHOR_CREDITS.iter().any(|c| lower.starts_with(c)) {
            continue;
        }
        let credit = strip_prefix(credit);
        for part in split_names(credit) {
            if let Some(n) = person(&part)
                && !out.iter().any(|o| o.eq_ignore_ascii_case(&n))
            {
                out.push(n);
            }
        }
        if out.len() >= 12 {
            break;
        }
    }
    out
}

fn strip_prefix(s: &str) -> &str {
    let mut s = s.trim();
    loop {
        let lower = s.to_lowercase();
        let Some(p) = PREFIXES.iter().find(|p| {
            lower.starts_with(*p)
                && lower[p.len()..].chars().next().is_none_or(|c| {
                    c.is_whitespace() || *p.as_bytes().last().unwrap_or(&b' ') == b':'
                })
        }) else {
            return s;
        };
        s = s
            .get(p.len()..)
            .unwrap_or("")
            .trim_start_matches([':', ' ']);
    }
}

/// The parts of a credit that each name one person.
fn split_names(s: &str) -> Vec<String> {
    let mut s = s.to_string();
    // Drop parenthesised asides unless they hold the name (`jane@x.test (Jane Doe)`).
    while let (Some(a), Some(b)) = (s.find('('), s.find(')')) {
        if b < a {
            break;
        }
        let inner = s[a + 1..b].to_string();
        let before = s[..a].trim().to_string();
        if before.contains('@') || before.is_empty() {
            s = format!("{inner} {}", &s[b + 1..]);
        } else {
            s = format!("{} {}", &s[..a], &s[b + 1..]);
        }
    }
    let mut parts = vec![s];
    for sep in [
        " and ", " And ", " AND ", " & ", ",", " | ", "|", " / ", " with ", " и ", " och ",
        " und ", " et ", " ve ", " - ", " – ", " — ", "·", "•",
    ] {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    parts
}

/// A byline part as a person's name, if it is one.
fn person(part: &str) -> Option<String> {
    let kept: Vec<&str> = part
        .split_whitespace()
        .filter(|w| !w.contains('@') && !w.contains("://") && !w.starts_with("www."))
        .collect();
    // "Jane Doe in Almaty": the place after "in" is not part of the name.
    let kept: Vec<&str> = match kept
        .iter()
        .position(|w| *w == "in" || *w == "from" || *w == "at")
    {
        Some(i) if i >= 2 => kept[..i].to_vec(),
        _ => kept,
    };
    let mut words: Vec<&str> = kept
        .iter()
        .map(|w| w.trim_matches(|c: char| matches!(c, '.' | ':' | '"' | '\'' | '“' | '”' | '*')))
        .filter(|w| !w.is_empty())
        .collect();
    // "Dr. Jane Doe", "Prof. John Roe": the honorific is not the name.
    while words.len() > 2 && HONORIFICS.contains(&words[0].to_lowercase().as_str()) {
        words.remove(0);
    }
    // "Timur Osmonov Associated Press", "Jane Doe Staff Writer": the credit after the name.
    while words.len() > 2
        && words
            .last()
            .is_some_and(|w| NOT_NAME.contains(w.to_lowercase().as_str()))
    {
        words.pop();
    }
    if !(2..=5).contains(&words.len()) {
        return None;
    }
    for w in &words {
        let lower = w.to_lowercase();
        if NOT_NAME.contains(lower.as_str()) || w.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let name_like = words.iter().enumerate().all(|(i, w)| {
        let first = w.chars().next().unwrap_or(' ');
        first.is_uppercase()
            || (i > 0 && PARTICLES.contains(&w.to_lowercase().as_str()))
            || w.starts_with("al-")
            || w.starts_with("el-")
            || w.starts_with("d'")
    });
    if !name_like
        || !words.last().is_some_and(|w| {
            w.chars().next().is_some_and(char::is_uppercase) || w.starts_with("al-")
        })
    {
        return None;
    }
    let all_caps = words.iter().all(|w| !w.chars().any(char::is_lowercase));
    let name = if all_caps {
        words
            .iter()
            .map(|w| title_case(w))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        words.join(" ")
    };
    // Keep initials' full stops as written ("John F. Kennedy" kept "F").
    Some(restore_initials(&name, part))
}

fn title_case(w: &str) -> String {
    let mut out = String::new();
    let mut up = true;
    for c in w.chars() {
        if up {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        up = c == '-' || c == '\'';
    }
    out
}

/// "John F Kennedy" back to "John F. Kennedy" when the byline wrote the full stop.
fn restore_initials(name: &str, original: &str) -> String {
    name.split(' ')
        .map(|w| {
            let dotted = format!("{w}.");
            if w.chars().count() == 1 && original.contains(&dotted) {
                dotted
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn bylines() {
        assert_eq!(names("By Jane Doe and John Roe"), ["Jane Doe", "John Roe"]);
        assert_eq!(names("By JANE DOE, Staff Writer"), ["Jane Doe"]);
        assert_eq!(names("jane@x.test (Jane Doe)"), ["Jane Doe"]);
        assert_eq!(
            names("Reporting by Olzhas Auyezov in Almaty; Editing by Jane Smith"),
            ["Olzhas Auyezov"]
        );
        assert_eq!(names("Jane Doe | @janedoe"), ["Jane Doe"]);
        assert_eq!(
            names("Ursula von der Leyen, Aida al-Hassan & Jean-Paul Dubois"),
            ["Ursula von der Leyen", "Aida al-Hassan", "Jean-Paul Dubois"]
        );
        assert!(names("Reuters Staff").is_empty());
        assert!(names("Special correspondent").is_empty());
        assert!(names("https://x.test/author/jane-doe").is_empty());
        assert!(names("Associated Press").is_empty());
        assert_eq!(names("Jane Doe and Staff"), ["Jane Doe"]);
        assert_eq!(names("By John F. Kennedy"), ["John F. Kennedy"]);
    }
}
