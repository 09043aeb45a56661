//! The headline without the site's name: "Gas deal signed - Caspian Times",
//! "Caspian Times | Gas deal signed", "Gas deal signed | World | Caspian Times". A dash, pipe
//! or colon that is part of the headline ("Kazakhstan – China trade: what the numbers say")
//! stays: only a piece that names the site (its name, or its host) is cut, or a piece the
//! page's own heading shows is not part of the headline.

/// Separators between a headline and the site's name, widest first.
const SEPARATORS: [&str; 9] = [
    " | ", " – ", " — ", " - ", " :: ", " « ", " » ", " · ", ": ",
];

/// The headline. `candidates` are the page's titles, most trusted first (JSON-LD headline,
/// `og:title`, `twitter:title`, `<title>`); `h1` the page's first heading; `site` its name;
/// `host` its host name.
pub(crate) fn headline(
    candidates: &[&str],
    h1: Option<&str>,
    site: Option<&str>,
    host: Option<&str>,
) -> Option<String> {
    let h1 = h1
        .map(str::trim)
        .filter(|h| !h.is_empty() && h.split_whitespace().count() >= 2);
    let cands: Vec<String> = candidates
        .iter()
        .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|c| !c.is_empty())
        .collect();
    // The heading, when a title agrees with it, is the cleanest form.
    if let Some(h) = h1 {
        let hk = key(h);
        if cands.iter().any(|c| key(c).contains(&hk)) {
            return Some(h.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    for c in &cands {
        // A title that is only the site's name says nothing about the story.
        if names_site(c, site, host) && strip_site(c, site, host) == c.trim() {
            continue;
        }
        let cut = strip_site(c, site, host);
        if cut.is_empty() {
            continue;
        }
        // What is left is a section ("Press releases"), not a headline: the heading wins.
        if cut.split_whitespace().count() < 3 && h1.is_some() {
            break;
        }
        return Some(cut);
    }
    h1.map(str::to_string)
}

/// The piece of a title (before or after a separator) that names the site's host:
/// "Mangystau Today: Aktau port..." on mangystau-today.kz gives "Mangystau Today".
pub(crate) fn site_piece(candidates: &[&str], host: Option<&str>) -> Option<String> {
    host?;
    for c in candidates {
        for sep in SEPARATORS {
            let pieces = [
                c.rsplit_once(sep).map(|(_, t)| t),
                c.split_once(sep).map(|(h, _)| h),
            ];
            for p in pieces.into_iter().flatten() {
                let p = p.trim();
                if !p.is_empty() && p.split_whitespace().count() <= 6 && names_site(p, None, host) {
                    return Some(p.to_string());
                }
            }
        }
    }
    None
}

/// Letters and digits only, lower-cased: "Caspian Times" and "caspiantimes" compare equal.
pub(super) fn key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Does this piece of a title name the site?
fn names_site(piece: &str, site: Option<&str>, host: Option<&str>) -> bool {
    let k = key(piece);
    if k.is_empty() {
        return false;
    }
    if let Some(s) = site {
        let sk = key(s);
        if !sk.is_empty() && (k == sk || k.contains(&sk) || (sk.contains(&k) && k.len() >= 4)) {
            return true;
        }
    }
    if let Some(h) = host {
        let h = h.trim_start_matches("www.");
        // "caspiantimes.com" → "caspiantimes"; "news.example.co.uk" → "example".
        let labels: Vec<&str> = h.split('.').collect();
        let main = labels[..labels.len().saturating_sub(1).max(1)]
            .iter()
            .max_by_key(|l| l.len())
            .copied()
            .unwrap_or(h);
        let hk = key(main);
        if hk.len() >= 3
            && (k == hk || k == key(h) || k.starts_with(&hk) && k.len() <= hk.len() + 4)
        {
            return true;
        }
    }
    false
}

fn strip_site(title: &str, site: Option<&str>, host: Option<&str>) -> String {
    let mut t = title.trim().to_string();
    for _ in 0..3 {
        let mut changed = false;
        for sep in SEPARATORS {
            if let Some(i) = t.rfind(sep) {
                let tail = &t[i + sep.len()..];
                if names_site(tail, site, host) || is_section_and_site(tail, site, host) {
                    t = t[..i].trim().to_string();
                    // "Headline | World | Site": a short section piece before the site's name.
                    if let Some(j) = t.rfind(sep)
                        && t[j + sep.len()..].split_whitespace().count() <= 2
                        && t[..j].split_whitespace().count() >= 3
                    {
                        t = t[..j].trim().to_string();
                    }
                    changed = true;
                    break;
                }
            }
            if let Some(i) = t.find(sep) {
                let head = &t[..i];
                if names_site(head, site, host) {
                    t = t[i + sep.len()..].trim().to_string();
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            break;
        }
    }
    t
}

/// "World | Caspian Times" at the end of a title: a section before the site's name.
fn is_section_and_site(tail: &str, site: Option<&str>, host: Option<&str>) -> bool {
    SEPARATORS.iter().any(|sep| {
        tail.rsplit_once(sep).is_some_and(|(section, s)| {
            section.split_whitespace().count() <= 3 && names_site(s, site, host)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::headline;

    #[test]
    fn suffixes_and_prefixes_go_and_real_dashes_stay() {
        let h = |c: &[&str], h1: Option<&str>, site: Option<&str>| {
            headline(c, h1, site, Some("www.caspiantimes.com"))
        };
        assert_eq!(
            h(&["Gas deal signed - Caspian Times"], None, None).as_deref(),
            Some("Gas deal signed")
        );
        assert_eq!(
            h(&["Caspian Times | Gas deal signed"], None, None).as_deref(),
            Some("Gas deal signed")
        );
        assert_eq!(
            h(
                &["Gas deal signed | World | Caspian Times"],
                None,
                Some("Caspian Times")
            )
            .as_deref(),
            Some("Gas deal signed")
        );
        assert_eq!(
            h(
                &["Kazakhstan – China trade: what the numbers say — CT"],
                Some("Kazakhstan – China trade: what the numbers say"),
                Some("CT")
            )
            .as_deref(),
            Some("Kazakhstan – China trade: what the numbers say")
        );
        assert_eq!(
            h(
                &["Kazakhstan – China trade: what the numbers say"],
                None,
                Some("Caspian Times")
            )
            .as_deref(),
            Some("Kazakhstan – China trade: what the numbers say")
        );
    }
}
