#!/usr/bin/env python3
"""Regenerate fuzz/seeds/<target>/ from the repository's articles and feeds plus hand-made
hostile inputs. Run from the repository root: python3 fuzz/make_seeds.py

Text and HTML seeds are raw files (first byte >= 0x10: no published date, the reference date
is the fixed fetched time 2026-03-11). Seeds named d<N>-... start with byte N < 0x10, which
selects a published date (see published_from in fuzz/src/lib.rs: 2 = 0001-01-01,
3 = 262142-12-31, 4 = chrono's first day, 7 = 262142-06-15, 11 = 10000-01-01, ...).
Feed seeds named ct<N>-... start with byte N, which selects the HTTP Content-Type
(CONTENT_TYPES in fuzz_targets/feed_parse.rs).
"""
import glob
import hashlib
import html
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")


def put(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(p):
    with open(p, "rb") as f:
        return f.read()


for t in ["extract_text", "extract_html", "feed_parse", "fulltext"]:
    shutil.rmtree(os.path.join(SEEDS, t), ignore_errors=True)

# ---- articles -------------------------------------------------------------------------
articles = sorted(
    set(glob.glob(os.path.join(ROOT, "tests/eval/**/*.txt"), recursive=True))
    | set(glob.glob(os.path.join(ROOT, "crates/*/tests/fixtures/**/*.txt"), recursive=True))
    | set(glob.glob(os.path.join(ROOT, "examples/feeds/*.txt")))
    | set(glob.glob("/work/shared/fixtures/articles/*"))
)
seen = set()
texts = []
for p in articles:
    b = read(p)
    h = hashlib.sha1(b).hexdigest()[:8]
    if h in seen:
        continue
    seen.add(h)
    rel = os.path.relpath(p, ROOT) if p.startswith(ROOT) else p.lstrip("/")
    name = rel.replace("/", "_")
    put("extract_text", name, b)
    texts.append((name, b))

# A few articles as HTML pages (the html target's split + the chain), and as feed items.
def as_html(title, body, wrap="article"):
    paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in body.split("\n\n") if p.strip())
    return (
        f"<!DOCTYPE html><html><head><meta charset=utf-8><title>{html.escape(title)}</title></head>"
        f"<body><nav><a href=/>Home</a></nav><{wrap}><h1>{html.escape(title)}</h1>\n{paras}</{wrap}>"
        f"<footer>Copyright Example News</footer></body></html>\n"
    )


for name, b in texts[:: max(1, len(texts) // 8)]:
    s = b.decode("utf-8", "replace").lstrip("\ufeff")
    title, _, body = s.partition("\n")
    put("extract_html", name.replace(".txt", ".html"), as_html(title.strip(), body))
    put("fulltext", name.replace(".txt", ".html"), as_html(title.strip(), body, "main"))

for p in glob.glob(os.path.join(ROOT, "examples/feeds/*.html")):
    put("extract_html", os.path.basename(p), read(p))
    put("fulltext", os.path.basename(p), read(p))

for p in sorted(glob.glob(os.path.join(ROOT, "examples/feeds/*"))):
    if p.endswith((".rss", ".atom", ".json", ".xml")):
        put("feed_parse", os.path.basename(p), read(p))

# ---- hostile text ---------------------------------------------------------------------
hostile_text = {
    "quotes-short-utterances.txt": 'Quotes\n"a b c d," x! "e f g h."\n',
    "quotes-shouted.txt": "War\n“We will win this war,” he shouted! “Nobody can stop us now.”\n",
    "quotes-unbalanced.txt": "Q\n“a “b ”c” ” « d » ‘e’ \"\"\" “\n\n“next para\n\n” she said.\n",
    "amounts-huge.txt": "Money\nThe fund lost 1e400 dollars and $99999999999999999999999999999999 trillion, "
    "or 1.7976931348623157e308 euros, 10^400 percent, -0 tenge and 0.000000000000000000000001 cents.\n",
    "amounts-many-units.txt": "Costs\nUS$31.5 billion, €2bn, £3.2m, ¥500 trillion, 12,000,000,000,000,000,000,000 crowns, "
    "45% and 1,000,000,000,000,000,000,000,000,000 foreign citizens; 5 quadrillion rupees.\n",
    "dates-far.txt": "Dates\nIt happened on December 31, 262142 and 1 January 0001 and 9999-12-31, "
    "in 10000 and between 999 and 1001, the day after tomorrow, next week, next year, last Friday.\n",
    "dates-relative.txt": "Rel\nthe day after tomorrow, tomorrow, yesterday, today's, three weeks ago, "
    "ten years ago, August last year, March next year, next Tuesday, on Monday he will go.\n",
    "sections.txt": "Bulletin\nKAZAKHSTAN\n\nAstana said.\n\nKYRGYZSTAN\n\n\nBishkek said.\n\nUZBEKISTAN\n",
    "empty-body.txt": "Only a title\n",
    "bom-crlf.txt": "\ufeffTitle\r\n\r\nBody line one.\r\nBody “quoted words here now,” said Bekov.\r\n",
}
for n, s in hostile_text.items():
    put("extract_text", n, s)
for code, label in [(2, "y0001"), (3, "y262142-end"), (4, "chrono-min"), (7, "y262142"), (11, "y10000"), (5, "y9999")]:
    put("extract_text", f"d{code}-{label}-dates-relative.txt", bytes([code]) + hostile_text["dates-relative.txt"].encode())
put("extract_text", "d9-year-bytes.txt", bytes([9, 0xFE, 0xFF, 11]) + hostile_text["dates-far.txt"].encode())
put("extract_text", "d8-day-number.txt", bytes([8, 0xFF, 0xFF, 0xFF, 0x7F]) + hostile_text["dates-relative.txt"].encode())

# ---- hostile html ---------------------------------------------------------------------
nested_b = "<html><body><article><p>" + "<b>" * 8000 + "deep text" + "</b>" * 8000 + "</p></article></body></html>"
put("extract_html", "nested-b-8000.html", nested_b)
put("fulltext", "nested-b-8000.html", nested_b)
put("extract_html", "unclosed-tags.html", "<title>T</title><article><p>" + "<i><span><em>" * 300 + "text")
put("extract_html", "title-only.html", "<title>“We will win this war,” he shouted!</title>")
put("extract_html", "quotes.html", as_html("War", "“We will win this war,” he shouted! “Nobody can stop us now.”\n\n\"a b c d,\" x! \"e f g h.\""))
put("extract_html", "d3-day-after-tomorrow.html", bytes([3]) + as_html("Y", "It opens the day after tomorrow, next week.").encode())
put("extract_html", "entities.html", "<title>&amp;&lt;&#x1F600;&#0;&#xD800;&nbsp;</title><main><p>&#9999999999; &bogus; a&amp;b</p><script>x</script></main>")
put("fulltext", "nested-div-399.html", "<body>" + "<div>" * 399 + "<p>para text here</p>" + "</div>" * 399)

# ---- hostile feeds --------------------------------------------------------------------
rss_262142 = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Far future</title><link>https://ex.example/</link>
<item><title>Summit</title><link>https://ex.example/1</link><guid>far-1</guid>
<pubDate>Fri, 31 Dec 262142 12:00:00 +0000</pubDate>
<description>Leaders meet the day after tomorrow and again next year; talks ended yesterday.</description></item>
<item><title>Ancient</title><guid>far-2</guid><pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate>
<description>It was signed three weeks ago, last Friday.</description></item>
</channel></rss>
"""
put("feed_parse", "rss-year-262142.xml", rss_262142)
put("feed_parse", "atom-far-dates.xml", """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id><updated>99999-01-01T00:00:00Z</updated>
<entry><title>E</title><id>urn:e1</id><updated>+262142-12-31T23:59:59Z</updated><published>0000-01-01T00:00:00Z</published>
<summary>Due the day after tomorrow.</summary></entry></feed>
""")
put("feed_parse", "json-far-dates.json", '{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","date_published":"262142-12-31T12:00:00Z","content_text":"the day after tomorrow"},{"id":"2","date_published":"-0001-01-01T00:00:00Z","content_html":"<p>next week</p>"}]}')
utf16 = '<?xml version="1.0" encoding="UTF-16"?>\n<rss version="2.0"><channel><title>Ütf-16 feed</title><item><title>Алматы</title><guid>u16-1</guid><pubDate>Thu, 12 Jun 2025 08:30:00 GMT</pubDate><description>Ташкент “quoted text here now,” said Bekov.</description></item></channel></rss>\n'
put("feed_parse", "utf16be-bom.xml", b"\xfe\xff" + utf16.encode("utf-16-be"))
put("feed_parse", "ct4-utf16be-nobom.xml", bytes([4]) + utf16.encode("utf-16-be"))
put("feed_parse", "utf16le-bom.xml", b"\xff\xfe" + utf16.encode("utf-16-le"))
central = read(os.path.join(ROOT, "examples/feeds/central-asia-wire.rss"))
put("feed_parse", "truncated.rss", central[: len(central) * 2 // 3])
latin_decl = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<rss version="2.0"><channel><title>Çà</title><item><title>Ölçek — “Ташкент”</title><guid>l1</guid><pubDate>Thu, 12 Jun 2025 08:30:00 GMT</pubDate><description>Précis: €5 billion; naïve café.</description></item></channel></rss>\n'
put("feed_parse", "utf8-declared-latin1.xml", latin_decl.encode("utf-8"))
put("feed_parse", "ct1-latin1-bytes-no-decl.xml", bytes([1]) + latin_decl.replace(' encoding="ISO-8859-1"', "").replace("—", "-").replace("“", '"').replace("”", '"').replace("Ташкент", "Tashkent").replace("€", "EUR").encode("latin-1"))
put("feed_parse", "ct2-cp1251.xml", bytes([2]) + '<rss version="2.0"><channel><title>Новости</title><item><title>Алматы</title><guid>c1</guid><description>Сегодня</description></item></channel></rss>'.encode("cp1251"))
put("feed_parse", "bare-ampersand.rss", '<rss version="2.0"><channel><title>AT&T</title><item><title>AT&T & Co &amp; &#0; &bogus;</title><guid>a&b</guid><description><![CDATA[R&D <b>bold</b>]]></description></item></channel></rss>')
put("feed_parse", "nested-b-description.rss", '<rss version="2.0"><channel><title>N</title><item><guid>n</guid><description>' + "&lt;b&gt;" * 3000 + "x</description></item></channel></rss>")
put("feed_parse", "html-with-feed-link.html", '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"><link rel=alternate type=application/atom+xml href=//cdn.example.com/a.atom></head><body>x</body></html>')
put("feed_parse", "rss-bad-dates.rss", '<rss version="2.0"><channel><title>D</title><item><guid>1</guid><pubDate>Sun, 31 Feb 2025 25:61:61 +9999</pubDate></item><item><guid>2</guid><pubDate>2025-13-45</pubDate></item><item><guid>3</guid><pubDate>Thu, 1 Jan 1970 00:00:00 -2400</pubDate><description>tomorrow</description></item></channel></rss>')

total = 0
for dp, _, fs in os.walk(SEEDS):
    for f in fs:
        total += os.path.getsize(os.path.join(dp, f))
print(f"seeds: {total} bytes")
