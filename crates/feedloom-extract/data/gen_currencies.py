#!/usr/bin/env python3
"""Generate currencies.tsv from two PyPI packages (run offline after `pip download`):
pycountry 26.2.16 (ISO 4217 codes and names, LGPL-2.1; data from Debian iso-codes) and
countryinfo 1.0.1 (the currencies each country uses; MIT).
Usage: python3 gen_currencies.py <dir with the unpacked wheels> > currencies.tsv
Rows: code<TAB>unit words (lower case, space-separated)<TAB>countries (ISO alpha-2,
space-separated). The unit words are the ISO name's words that name the money ("pound" for
Egyptian Pound, "yuan renminbi" for Yuan Renminbi, "kwacha" for Zambian Kwacha); the word
before them in a text ("Egyptian pounds") is matched against the gazetteer's demonyms and
country names, so adjectives need not be listed."""
import glob, json, os, sys

root = sys.argv[1]
iso = json.load(open(os.path.join(root, 'pycountry', 'databases', 'iso4217.json')))['4217']
users = {}
adjective = {}  # demonym or country name -> ISO alpha-2
for path in sorted(glob.glob(os.path.join(root, 'countryinfo', 'data', '*.json'))):
    d = json.load(open(path))
    cc = (d.get('ISO') or {}).get('alpha2')
    if not cc:
        continue
    for cur in d.get('currencies') or []:
        users.setdefault(cur, set()).add(cc)
    for a in [d.get('demonym'), d.get('name')]:
        if a:
            adjective.setdefault(a.lower(), cc)
# words of ISO names that qualify the money rather than name it
QUAL = set("""new old convertible mark unidad de fomento cuc bolivar soberano bs
bceao beac xaf xof mvdol dollar dollars""".split()) - {'dollar'}
for c in sorted(iso, key=lambda c: c['alpha_3']):
    code = c['alpha_3']
    if code.startswith('X') and code not in ('XAF', 'XOF', 'XCD', 'XPF'):
        continue  # gold, SDR, test codes
    if code in ('BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW'):
        continue  # ISO 4217 fund codes (units of account), not money in the news
    words = c['name'].replace('(', ' ').replace(')', ' ').split()
    unit = []
    for w in words:
        lw = w.lower()
        # a capitalised adjective of a country ("Egyptian", "Zambian", "US", "UAE") is not
        # part of the unit; the unit is the last word(s)
        unit.append(lw)
    # keep the trailing words that are not country adjectives: the last word, plus
    # "renminbi"/"sterling"-style second words
    last = [w for w in unit if w not in QUAL and w.isalpha()]
    if not last:
        continue
    names = [last[-1]]
    if len(last) >= 2 and last[-2] in ('yuan', 'pound', 'franc', 'dollar', 'peso', 'rupee'):
        names.insert(0, last[-2])  # "yuan renminbi", "pound sterling"
    ccs = users.get(code) or set()
    if not ccs and words[0].lower() in adjective:
        ccs = {adjective[words[0].lower()]}  # "Zambian Kwacha" (renamed since the data)
    ccs = ' '.join(sorted(ccs))
    print(f"{code}\t{' '.join(names)}\t{ccs}")
