//! Evaluate the built-in extractors against the hand-annotated set in `tests/eval/articles/`.
//!
//! ```sh
//! cargo run --release -p feedloom-extract --example eval              # P/R/F1 per field
//! cargo run --release -p feedloom-extract --example eval -- --verbose # + misses and false positives
//! cargo run --release -p feedloom-extract --example eval -- --check   # validate the gold set
//! ```
//!
//! The annotation rules are in `tests/eval/README.md`. The extractors are built through the
//! public registry, in `DEFAULT_ORDER`, with default options and one shared context, so `dedup`
//! sees every earlier article.

// A developer tool on inputs it makes itself.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use feedloom_core::item::EntityKind;
use feedloom_core::{BuildContext, Extractor, Item, Registry};
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// Gold format
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Gold {
    published: DateTime<Utc>,
    #[serde(default)]
    entities: Vec<GoldEntity>,
    #[serde(default)]
    quotes: Vec<GoldQuote>,
    #[serde(default)]
    amounts: Vec<GoldAmount>,
    #[serde(default)]
    dates: Vec<GoldDate>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    boilerplate: Vec<String>,
    #[serde(default)]
    duplicate_of: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoldEntity {
    name: String,
    kind: EntityKind,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    country: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoldQuote {
    text: String,
    speaker: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoldAmount {
    text: String,
    value: f64,
    unit: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GoldDate {
    text: String,
    start: String,
    end: String,
}

/// One article of the set: its file stem, title, body and (if it parsed) its gold.
struct Article {
    stem: String,
    title: String,
    text: String,
    gold: Result<Gold, String>,
}

// ---------------------------------------------------------------------------------------------
// Text normalisation
// ---------------------------------------------------------------------------------------------

/// Latin letters with diacritics folded to ASCII (enough for names transliterated from
/// Kazakh, Uzbek, Turkish, Portuguese and the like). Other characters pass through.
fn fold_char(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ə' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' | 'ģ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ķ' | 'қ' => 'k',
        'ľ' | 'ł' | 'ļ' => 'l',
        'ñ' | 'ń' | 'ň' | 'ņ' | 'ң' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'ө' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' | 'ұ' | 'ү' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        _ => c,
    }
}

/// Case- and diacritics-insensitive form of a name; apostrophes, dashes and spaces unified,
/// full stops dropped ("Co." = "Co", "U.S." = "US").
fn norm_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = fold_char(c);
        let c = match c {
            '’' | '‘' | 'ʼ' | '`' => '\'',
            '–' | '—' | '‐' | '‑' => '-',
            _ => c,
        };
        if c == '.' {
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// Quote marks made straight and whitespace collapsed: how gold text is found in an article.
fn norm_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '“' | '”' | '„' | '«' | '»' | '″' => '"',
            '‘' | '’' | '‚' | 'ʼ' | '′' => '\'',
            '\u{a0}' | '\u{2009}' | '\u{202f}' => ' ',
            _ => c,
        };
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// Lower-cased, diacritics-folded alphanumeric tokens.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = fold_char(c);
        if c.is_alphanumeric() {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn jaccard(a: &str, b: &str) -> f64 {
    let a: HashSet<String> = tokens(a).into_iter().collect();
    let b: HashSet<String> = tokens(b).into_iter().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let inter = a.intersection(&b).count() as f64;
    let union = a.union(&b).count() as f64;
    inter / union
}

/// Whether `needle` occurs in `hay` (both already normalised), or — for a quote joined from
/// parts — splits at spaces after punctuation (where an attribution or a paragraph break was)
/// into up to four parts that occur in this order.
fn occurs_or_joined(hay: &str, needle: &str) -> bool {
    !needle.is_empty() && occurs_in_parts(hay, needle, 0, 4)
}

fn occurs_in_parts(hay: &str, needle: &str, from: usize, parts: usize) -> bool {
    let Some(rest) = hay.get(from..) else {
        return false;
    };
    if rest.contains(needle) {
        return true;
    }
    if parts <= 1 {
        return false;
    }
    needle.match_indices(' ').any(|(i, _)| {
        let (a, b) = (&needle[..i], &needle[i + 1..]);
        if !a.ends_with([',', '.', '?', '!', ':', ';']) || b.is_empty() {
            return false;
        }
        rest.find(a)
            .is_some_and(|p| occurs_in_parts(hay, b, from + p + a.len(), parts - 1))
    })
}

// ---------------------------------------------------------------------------------------------
// Counting
// ---------------------------------------------------------------------------------------------

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    pred: usize,
    gold: usize,
}

impl Counts {
    fn add(&mut self, tp: usize, pred: usize, gold: usize) {
        self.tp += tp;
        self.pred += pred;
        self.gold += gold;
    }
    fn precision(&self) -> f64 {
        if self.pred == 0 {
            0.0
        } else {
            self.tp as f64 / self.pred as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.gold == 0 {
            0.0
        } else {
            self.tp as f64 / self.gold as f64
        }
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

#[derive(Default)]
struct Totals {
    entities: Counts,
    entities_by_kind: BTreeMap<&'static str, Counts>,
    quotes: Counts,
    quotes_speaker: Counts,
    amounts: Counts,
    dates: Counts,
    countries: Counts,
    duplicate: Counts,
    duplicate_correct: usize,
    articles: usize,
    boiler_gold: usize,
    boiler_removed: usize,
    quotes_removed_by_clean: usize,
    extract_errors: usize,
}

fn kind_str(k: EntityKind) -> &'static str {
    match k {
        EntityKind::Person => "person",
        EntityKind::Organization => "organization",
        EntityKind::Place => "place",
    }
}

/// Per-article report lines for `--verbose`.
#[derive(Default)]
struct Notes(Vec<String>);

impl Notes {
    fn push(&mut self, s: String) {
        self.0.push(s);
    }
}

/// Greedy one-to-one matching: for each gold index, the first unused prediction that `ok`
/// accepts. Returns (gold index → prediction index) pairs.
fn match_greedy(
    n_gold: usize,
    n_pred: usize,
    mut ok: impl FnMut(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut used = vec![false; n_pred];
    let mut pairs = Vec::new();
    for g in 0..n_gold {
        if let Some(p) = (0..n_pred).find(|&p| !used[p] && ok(g, p)) {
            used[p] = true;
            pairs.push((g, p));
        }
    }
    pairs
}

fn score_entities(gold: &Gold, item: &Item, t: &mut Totals, notes: &mut Notes) {
    let pred = item.entities.as_deref().unwrap_or(&[]);
    let gold_names: Vec<HashSet<String>> = gold
        .entities
        .iter()
        .map(|e| {
            std::iter::once(&e.name)
                .chain(&e.aliases)
                .map(|n| norm_name(n))
                .collect()
        })
        .collect();
    let pred_names: Vec<HashSet<String>> = pred
        .iter()
        .map(|e| {
            std::iter::once(&e.name)
                .chain(&e.aliases)
                .map(|n| norm_name(n))
                .collect()
        })
        .collect();
    let pairs = match_greedy(gold.entities.len(), pred.len(), |g, p| {
        let (ge, pe) = (&gold.entities[g], &pred[p]);
        if ge.kind != pe.kind || gold_names[g].is_disjoint(&pred_names[p]) {
            return false;
        }
        match (&ge.kind, &ge.country) {
            (EntityKind::Place, Some(c)) => pe
                .country
                .as_deref()
                .is_some_and(|pc| pc.eq_ignore_ascii_case(c)),
            _ => true,
        }
    });
    t.entities.add(pairs.len(), pred.len(), gold.entities.len());
    let matched_g: HashSet<usize> = pairs.iter().map(|p| p.0).collect();
    let matched_p: HashSet<usize> = pairs.iter().map(|p| p.1).collect();
    for kind in [
        EntityKind::Person,
        EntityKind::Organization,
        EntityKind::Place,
    ] {
        let c = t.entities_by_kind.entry(kind_str(kind)).or_default();
        let tp = pairs
            .iter()
            .filter(|(g, _)| gold.entities[*g].kind == kind)
            .count();
        let np = pred.iter().filter(|e| e.kind == kind).count();
        let ng = gold.entities.iter().filter(|e| e.kind == kind).count();
        c.add(tp, np, ng);
    }
    for (i, e) in gold.entities.iter().enumerate() {
        if !matched_g.contains(&i) {
            notes.push(format!(
                "  entity MISS {} ({}{})",
                e.name,
                kind_str(e.kind),
                e.country
                    .as_deref()
                    .map(|c| format!(", {c}"))
                    .unwrap_or_default()
            ));
        }
    }
    for (i, e) in pred.iter().enumerate() {
        if !matched_p.contains(&i) {
            notes.push(format!(
                "  entity FP   {} ({}{}) aliases={:?}",
                e.name,
                kind_str(e.kind),
                e.country
                    .as_deref()
                    .map(|c| format!(", {c}"))
                    .unwrap_or_default(),
                e.aliases
            ));
        }
    }
}

/// Whether a predicted speaker names the gold speaker: equal names, or the prediction is the
/// canonical name or an alias of the gold speaker's entity.
fn speaker_equal(gold: &Gold, g: Option<&str>, p: Option<&str>) -> bool {
    match (g, p) {
        (None, None) => true,
        (Some(g), Some(p)) => {
            let (gn, pn) = (norm_name(g), norm_name(p));
            if gn == pn {
                return true;
            }
            gold.entities
                .iter()
                .filter(|e| norm_name(&e.name) == gn)
                .any(|e| e.aliases.iter().any(|a| norm_name(a) == pn))
        }
        _ => false,
    }
}

fn score_quotes(gold: &Gold, item: &Item, t: &mut Totals, notes: &mut Notes) {
    let pred = item.quotes.as_deref().unwrap_or(&[]);
    // Compare each quote text once.
    let mut seen = HashSet::new();
    let gq: Vec<&GoldQuote> = gold
        .quotes
        .iter()
        .filter(|q| seen.insert(tokens(&q.text)))
        .collect();
    let mut seen = HashSet::new();
    let pq: Vec<&feedloom_core::item::Quote> = pred
        .iter()
        .filter(|q| seen.insert(tokens(&q.text)))
        .collect();
    // Best-first: for each gold quote, the unused prediction with the highest Jaccard ≥ 0.8.
    let mut used = vec![false; pq.len()];
    let mut pairs = Vec::new();
    for (gi, g) in gq.iter().enumerate() {
        let best = pq
            .iter()
            .enumerate()
            .filter(|(pi, _)| !used[*pi])
            .map(|(pi, p)| (pi, jaccard(&g.text, &p.text)))
            .filter(|(_, j)| *j >= 0.8)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((pi, _)) = best {
            used[pi] = true;
            pairs.push((gi, pi));
        }
    }
    t.quotes.add(pairs.len(), pq.len(), gq.len());
    let mut with_speaker = 0;
    for &(gi, pi) in &pairs {
        let (g, p) = (gq[gi], pq[pi]);
        if speaker_equal(gold, g.speaker.as_deref(), p.speaker.as_deref()) {
            with_speaker += 1;
        } else {
            notes.push(format!(
                "  quote SPEAKER gold={:?} pred={:?}: {}",
                g.speaker,
                p.speaker,
                short(&g.text)
            ));
        }
    }
    t.quotes_speaker.add(with_speaker, pq.len(), gq.len());
    let mg: HashSet<usize> = pairs.iter().map(|p| p.0).collect();
    let mp: HashSet<usize> = pairs.iter().map(|p| p.1).collect();
    for (i, q) in gq.iter().enumerate() {
        if !mg.contains(&i) {
            notes.push(format!(
                "  quote MISS  [{:?}] {}",
                q.speaker,
                short(&q.text)
            ));
        }
    }
    for (i, q) in pq.iter().enumerate() {
        if !mp.contains(&i) {
            notes.push(format!(
                "  quote FP    [{:?}] {}",
                q.speaker,
                short(&q.text)
            ));
        }
    }
}

fn short(s: &str) -> String {
    let s = norm_text(s);
    if s.chars().count() > 90 {
        let cut: String = s.chars().take(87).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn amount_eq(gv: f64, gu: &str, pv: f64, pu: &str) -> bool {
    if !gu.trim().eq_ignore_ascii_case(pu.trim()) || !pv.is_finite() {
        return false;
    }
    if gv == 0.0 {
        pv == 0.0
    } else {
        ((pv - gv) / gv).abs() <= 1e-6
    }
}

fn score_amounts(gold: &Gold, item: &Item, t: &mut Totals, notes: &mut Notes) {
    let pred = item.amounts.as_deref().unwrap_or(&[]);
    let mut g: Vec<&GoldAmount> = Vec::new();
    for a in &gold.amounts {
        if !g
            .iter()
            .any(|x| amount_eq(x.value, &x.unit, a.value, &a.unit))
        {
            g.push(a);
        }
    }
    let mut p: Vec<&feedloom_core::item::Amount> = Vec::new();
    for a in pred {
        if !p
            .iter()
            .any(|x| amount_eq(x.value, &x.unit, a.value, &a.unit))
        {
            p.push(a);
        }
    }
    let pairs = match_greedy(g.len(), p.len(), |gi, pi| {
        amount_eq(g[gi].value, &g[gi].unit, p[pi].value, &p[pi].unit)
    });
    t.amounts.add(pairs.len(), p.len(), g.len());
    let mg: HashSet<usize> = pairs.iter().map(|x| x.0).collect();
    let mp: HashSet<usize> = pairs.iter().map(|x| x.1).collect();
    for (i, a) in g.iter().enumerate() {
        if !mg.contains(&i) {
            notes.push(format!(
                "  amount MISS {:?} = {} {}",
                a.text, a.value, a.unit
            ));
        }
    }
    for (i, a) in p.iter().enumerate() {
        if !mp.contains(&i) {
            notes.push(format!(
                "  amount FP   {:?} = {} {}",
                a.text, a.value, a.unit
            ));
        }
    }
}

fn score_dates(gold: &Gold, item: &Item, t: &mut Totals, notes: &mut Notes) {
    let pred = item.dates.as_deref().unwrap_or(&[]);
    let mut g: BTreeMap<(String, String), &str> = BTreeMap::new();
    for d in &gold.dates {
        g.entry((d.start.clone(), d.end.clone()))
            .or_insert(d.text.as_str());
    }
    let mut p: BTreeMap<(String, String), &str> = BTreeMap::new();
    for d in pred {
        p.entry((d.start.clone(), d.end.clone()))
            .or_insert(d.text.as_str());
    }
    let tp = g.keys().filter(|k| p.contains_key(*k)).count();
    t.dates.add(tp, p.len(), g.len());
    for (k, text) in &g {
        if !p.contains_key(k) {
            notes.push(format!("  date MISS {text:?} = {}..{}", k.0, k.1));
        }
    }
    for (k, text) in &p {
        if !g.contains_key(k) {
            notes.push(format!("  date FP   {text:?} = {}..{}", k.0, k.1));
        }
    }
}

fn score_countries(gold: &Gold, item: &Item, t: &mut Totals, notes: &mut Notes) {
    let g: BTreeSet<String> = gold.countries.iter().map(|c| c.to_uppercase()).collect();
    let p: BTreeSet<String> = item
        .countries
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(|c| c.to_uppercase())
        .collect();
    t.countries
        .add(g.intersection(&p).count(), p.len(), g.len());
    let miss: Vec<&String> = g.difference(&p).collect();
    let fp: Vec<&String> = p.difference(&g).collect();
    if !miss.is_empty() {
        notes.push(format!("  countries MISS {miss:?}"));
    }
    if !fp.is_empty() {
        notes.push(format!("  countries FP   {fp:?}"));
    }
}

fn score_duplicate(gold: &Gold, item: &Item, t: &mut Totals, notes: &mut Notes) {
    let pred: Option<&str> = item.duplicate_of.as_ref().and_then(|d| d.as_deref());
    let g = gold.duplicate_of.as_deref();
    if pred == g {
        t.duplicate_correct += 1;
    } else {
        notes.push(format!("  duplicate_of gold={g:?} pred={pred:?}"));
    }
    let tp = usize::from(g.is_some() && pred == g);
    t.duplicate
        .add(tp, usize::from(pred.is_some()), usize::from(g.is_some()));
}

fn score_boilerplate(gold: &Gold, item: &Item, t: &mut Totals, notes: &mut Notes) {
    let cleaned = norm_text(&item.text);
    for line in &gold.boilerplate {
        t.boiler_gold += 1;
        let l = norm_text(line);
        if l.is_empty() || !cleaned.contains(&l) {
            t.boiler_removed += 1;
        } else {
            notes.push(format!("  boilerplate KEPT {}", short(line)));
        }
    }
    let left: HashSet<String> = tokens(&item.text).into_iter().collect();
    for q in &gold.quotes {
        let qt = tokens(&q.text);
        if qt.is_empty() {
            continue;
        }
        let present = qt.iter().filter(|w| left.contains(*w)).count();
        if (present as f64) < 0.8 * qt.len() as f64 {
            t.quotes_removed_by_clean += 1;
            notes.push(format!("  quote REMOVED by clean: {}", short(&q.text)));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Loading and checking the set
// ---------------------------------------------------------------------------------------------

fn articles_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/eval/articles")
}

/// Every `*.txt` in the directory, sorted by name, with its gold (or why it has none).
fn load(dir: &Path) -> Result<Vec<Article>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let raw = match std::fs::read_to_string(&p) {
            Ok(s) => s,
            Err(e) => {
                out.push(Article {
                    stem,
                    title: String::new(),
                    text: String::new(),
                    gold: Err(format!("cannot read {}: {e}", p.display())),
                });
                continue;
            }
        };
        let raw = raw.strip_prefix('\u{feff}').unwrap_or(&raw);
        let mut lines = raw.lines();
        let title = lines.next().unwrap_or("").trim().to_string();
        let text = lines.collect::<Vec<_>>().join("\n");
        let gold_path = p.with_file_name(format!("{stem}.gold.json"));
        let gold = match std::fs::read_to_string(&gold_path) {
            Err(e) => Err(format!("missing {}: {e}", gold_path.display())),
            Ok(s) => serde_json::from_str::<Gold>(&s)
                .map_err(|e| format!("{} does not parse: {e}", gold_path.display())),
        };
        out.push(Article {
            stem,
            title,
            text,
            gold,
        });
    }
    Ok(out)
}

fn valid_iso_date(s: &str) -> bool {
    s.len() == 10 && NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// Problems with the set itself, one line each.
fn check(articles: &[Article], dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let stems: HashSet<&str> = articles.iter().map(|a| a.stem.as_str()).collect();
    // Gold files without an article.
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".gold.json")
                && !stems.contains(stem)
            {
                problems.push(format!("{name}: no matching {stem}.txt"));
            }
        }
    }
    for (idx, a) in articles.iter().enumerate() {
        let s = &a.stem;
        let gold = match &a.gold {
            Ok(g) => g,
            Err(e) => {
                problems.push(format!("{s}: {e}"));
                continue;
            }
        };
        if a.title.is_empty() {
            problems.push(format!("{s}: empty title line"));
        }
        if a.text.trim().is_empty() {
            problems.push(format!("{s}: empty body"));
        }
        let body = norm_text(&a.text);
        let body_lower = norm_name(&a.text);
        for e in &gold.entities {
            if e.name.trim().is_empty() {
                problems.push(format!("{s}: entity with an empty name"));
            }
            let found = std::iter::once(&e.name)
                .chain(&e.aliases)
                .any(|n| body_lower.contains(&norm_name(n)));
            if !found {
                problems.push(format!(
                    "{s}: entity {:?}: neither the name nor an alias occurs in the text",
                    e.name
                ));
            }
            if let Some(c) = &e.country
                && (c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()))
            {
                problems.push(format!("{s}: entity {:?}: bad country {c:?}", e.name));
            }
            if e.country.is_some() && e.kind != EntityKind::Place {
                problems.push(format!("{s}: entity {:?}: country on a non-place", e.name));
            }
        }
        let mut seen_names = HashSet::new();
        for e in &gold.entities {
            if !seen_names.insert((kind_str(e.kind), norm_name(&e.name))) {
                problems.push(format!("{s}: entity {:?} listed twice", e.name));
            }
        }
        for q in &gold.quotes {
            let qt = norm_text(&q.text);
            if !occurs_or_joined(&body, &qt) {
                problems.push(format!("{s}: quote not in text: {}", short(&q.text)));
            }
            if tokens(&q.text).len() < 4 {
                problems.push(format!("{s}: quote under 4 words: {:?}", q.text));
            }
            if let Some(sp) = &q.speaker
                && !gold
                    .entities
                    .iter()
                    .any(|e| e.kind != EntityKind::Place && norm_name(&e.name) == norm_name(sp))
            {
                problems.push(format!(
                    "{s}: quote speaker {sp:?} is not the name of a gold person/organisation"
                ));
            }
        }
        for am in &gold.amounts {
            if !body.contains(&norm_text(&am.text)) {
                problems.push(format!("{s}: amount text not in text: {:?}", am.text));
            }
            if !am.value.is_finite() {
                problems.push(format!("{s}: amount {:?}: value not finite", am.text));
            }
            if am.unit.trim().is_empty() {
                problems.push(format!("{s}: amount {:?}: empty unit", am.text));
            }
        }
        for d in &gold.dates {
            if !body.contains(&norm_text(&d.text)) {
                problems.push(format!("{s}: date text not in text: {:?}", d.text));
            }
            if !valid_iso_date(&d.start) || !valid_iso_date(&d.end) {
                problems.push(format!("{s}: date {:?}: start/end not YYYY-MM-DD", d.text));
            } else if d.start > d.end {
                problems.push(format!("{s}: date {:?}: start after end", d.text));
            }
        }
        for c in &gold.countries {
            if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()) {
                problems.push(format!("{s}: bad country code {c:?}"));
            }
        }
        // The countries rule: every country a gold place resolves to is a country of the article.
        for e in &gold.entities {
            if let Some(c) = &e.country
                && !gold.countries.contains(c)
            {
                problems.push(format!(
                    "{s}: place {:?} resolves to {c} but {c} is not in countries",
                    e.name
                ));
            }
        }
        let lines: HashSet<String> = a.text.lines().map(norm_text).collect();
        for b in &gold.boilerplate {
            if !lines.contains(&norm_text(b)) {
                problems.push(format!("{s}: boilerplate is not a whole line: {:?}", b));
            }
        }
        if let Some(d) = &gold.duplicate_of {
            let earlier = articles[..idx].iter().any(|x| {
                &x.stem == d
                    && x.gold
                        .as_ref()
                        .is_ok_and(|xg| xg.published <= gold.published)
            });
            if !earlier {
                problems.push(format!(
                    "{s}: duplicate_of {d:?} is not an earlier article of the set \
                     (an earlier file name, published no later)"
                ));
            }
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// Running the extractors
// ---------------------------------------------------------------------------------------------

fn build_chain(ctx: &BuildContext) -> Vec<(&'static str, Box<dyn Extractor>)> {
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    let mut chain = Vec::new();
    for &name in feedloom_extract::DEFAULT_ORDER {
        let Some(factory) = reg.extractor(name) else {
            eprintln!("note: extractor {name:?} is not registered; skipped");
            continue;
        };
        match (factory.build)(&serde_json::json!({}), ctx) {
            Ok(x) => chain.push((name, x)),
            Err(e) => eprintln!("note: extractor {name:?} failed to build: {e}; skipped"),
        }
    }
    chain
}

fn target_line(name: &str, c: &Counts, target: Option<f64>) -> String {
    let t = match target {
        Some(t) => format!("F1 >= {t:.2} {}", if c.f1() >= t { "ok" } else { "BELOW" }),
        None => String::new(),
    };
    format!(
        "{name:<16} {:>6.3} {:>6.3} {:>6.3}   {:>5} {:>5} {:>5}   {t}",
        c.precision(),
        c.recall(),
        c.f1(),
        c.tp,
        c.pred,
        c.gold
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--").collect();
    let mut verbose = false;
    let mut check_only = false;
    let mut dir = articles_dir();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--verbose" | "-v" => verbose = true,
            "--check" => check_only = true,
            "--dir" => match it.next() {
                Some(d) => dir = PathBuf::from(d),
                None => {
                    eprintln!("--dir needs a directory");
                    std::process::exit(2);
                }
            },
            "-h" | "--help" => {
                println!("usage: eval [--verbose] [--check] [--dir DIR]");
                return;
            }
            other => {
                eprintln!(
                    "unknown argument {other:?}; usage: eval [--verbose] [--check] [--dir DIR]"
                );
                std::process::exit(2);
            }
        }
    }

    let articles = match load(&dir) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    if articles.is_empty() {
        eprintln!("no articles in {}", dir.display());
        std::process::exit(1);
    }

    if check_only {
        let problems = check(&articles, &dir);
        let (mut ne, mut nq, mut na, mut nd, mut nb) = (0, 0, 0, 0, 0);
        for g in articles.iter().filter_map(|a| a.gold.as_ref().ok()) {
            ne += g.entities.len();
            nq += g.quotes.len();
            na += g.amounts.len();
            nd += g.dates.len();
            nb += g.boilerplate.len();
        }
        println!(
            "{} articles: {ne} entities, {nq} quotes, {na} amounts, {nd} dates, {nb} boilerplate lines",
            articles.len()
        );
        if problems.is_empty() {
            println!("set OK");
            return;
        }
        for p in &problems {
            println!("PROBLEM {p}");
        }
        println!("{} problem(s)", problems.len());
        std::process::exit(1);
    }

    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot create a temporary directory: {e}");
            std::process::exit(1);
        }
    };
    let ctx = BuildContext::for_tests(tmp.path());
    let chain = build_chain(&ctx);
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };

    let mut t = Totals::default();
    let mut skipped = Vec::new();
    let started = Instant::now();
    // A stream arrives in time order: feed the articles by `published` (then file name), so
    // `dedup`'s time window sees a syndicated copy hours after its original, not months.
    let mut order: Vec<&Article> = articles.iter().collect();
    order.sort_by(|x, y| {
        let px = x.gold.as_ref().ok().map(|g| g.published);
        let py = y.gold.as_ref().ok().map(|g| g.published);
        px.cmp(&py).then_with(|| x.stem.cmp(&y.stem))
    });
    for a in order {
        let gold = match &a.gold {
            Ok(g) => g,
            Err(e) => {
                skipped.push(format!("{}: {e}", a.stem));
                continue;
            }
        };
        let mut item = Item::new(a.stem.clone(), "eval");
        item.title = Some(a.title.clone());
        item.text = a.text.clone();
        item.published = Some(gold.published);
        item.fetched = gold.published;
        let mut notes = Notes::default();
        for (name, x) in &chain {
            if let Err(e) = rt.block_on(x.extract(&mut item)) {
                t.extract_errors += 1;
                notes.push(format!("  extractor {name} failed: {e}"));
            }
        }
        t.articles += 1;
        score_entities(gold, &item, &mut t, &mut notes);
        score_quotes(gold, &item, &mut t, &mut notes);
        score_amounts(gold, &item, &mut t, &mut notes);
        score_dates(gold, &item, &mut t, &mut notes);
        score_countries(gold, &item, &mut t, &mut notes);
        score_duplicate(gold, &item, &mut t, &mut notes);
        score_boilerplate(gold, &item, &mut t, &mut notes);
        if verbose && !notes.0.is_empty() {
            println!("== {}", a.stem);
            for n in &notes.0 {
                println!("{n}");
            }
        }
    }
    let elapsed = started.elapsed();
    for (_, x) in &chain {
        rt.block_on(x.shutdown());
    }

    if verbose {
        println!();
    }
    println!(
        "feedloom-extract eval: {} articles from {} ({} extractors: {})",
        t.articles,
        dir.display(),
        chain.len(),
        chain.iter().map(|c| c.0).collect::<Vec<_>>().join(", ")
    );
    for s in &skipped {
        println!("skipped {s}");
    }
    if t.extract_errors > 0 {
        println!("extractor errors: {}", t.extract_errors);
    }
    println!();
    println!(
        "{:<16} {:>6} {:>6} {:>6}   {:>5} {:>5} {:>5}   target",
        "field", "P", "R", "F1", "tp", "pred", "gold"
    );
    println!("{}", target_line("entities", &t.entities, Some(0.90)));
    for (k, c) in &t.entities_by_kind {
        println!("{}", target_line(&format!("  {k}"), c, None));
    }
    println!("{}", target_line("quotes", &t.quotes, None));
    println!(
        "{}",
        target_line("quotes+speaker", &t.quotes_speaker, Some(0.85))
    );
    println!("{}", target_line("amounts", &t.amounts, Some(0.95)));
    println!("{}", target_line("dates", &t.dates, Some(0.90)));
    println!("{}", target_line("countries", &t.countries, Some(0.95)));
    println!("{}", target_line("duplicate_of", &t.duplicate, None));
    // Overall: micro-average of the scored facts (entities, quotes with speaker, amounts,
    // dates, countries).
    let mut overall = Counts::default();
    for c in [
        &t.entities,
        &t.quotes_speaker,
        &t.amounts,
        &t.dates,
        &t.countries,
    ] {
        overall.add(c.tp, c.pred, c.gold);
    }
    println!("{}", target_line("overall", &overall, None));
    println!(
        "duplicate_of accuracy: {}/{} articles",
        t.duplicate_correct, t.articles
    );
    let share = if t.boiler_gold == 0 {
        1.0
    } else {
        t.boiler_removed as f64 / t.boiler_gold as f64
    };
    println!(
        "boilerplate removed: {}/{} lines ({:.1}%)   target 100% {}",
        t.boiler_removed,
        t.boiler_gold,
        share * 100.0,
        if t.boiler_removed == t.boiler_gold {
            "ok"
        } else {
            "BELOW"
        }
    );
    println!(
        "gold quotes wrongly removed by clean: {}",
        t.quotes_removed_by_clean
    );
    println!(
        "time: {:.1} ms for {} articles (debug builds are slower; use --release)",
        elapsed.as_secs_f64() * 1e3,
        t.articles
    );
}
