#!/usr/bin/env python3
"""A feedloom exec plugin: tags news items by topic and scores their sentiment.

Standard library only. feedloom starts it once and sends one JSON request per line on stdin:

    {"id": 7, "item": {"id": "...", "title": "...", "text": "...", ...}}

and reads one JSON response per line on stdout, with the fields to add or replace:

    {"id": 7, "item": {"tags": ["energy"], "sentiment": 0.25}}

or, when it cannot handle the item, {"id": 7, "error": "why"}. Anything written to stderr
ends up in feedloom's log, tagged with this plugin's id.

Use it with:

    extractors:
      - type: exec
        id: tagger
        command: [python3, plugins/tagger.py]
        timeout: 2s
"""
import json
import re
import sys

TOPICS = {
    "energy": {"gas", "oil", "pipeline", "uranium", "coal", "electricity", "hydropower"},
    "transport": {"rail", "railway", "corridor", "port", "freight", "highway", "airport"},
    "security": {"military", "security", "border", "troops", "police", "crackdown"},
    "economy": {"trade", "investment", "tender", "tariff", "bank", "inflation", "budget"},
    "politics": {"election", "president", "minister", "parliament", "government"},
}
POSITIVE = {"agreement", "growth", "signed", "record", "improve", "boost", "welcome", "success"}
NEGATIVE = {"crisis", "crackdown", "protest", "decline", "sanctions", "arrest", "conflict", "shortage"}

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def words(text):
    return [w.lower() for w in WORD.findall(text or "")]


def enrich(item):
    """The fields this plugin adds to an item: topic tags (added to any already there) and
    a sentiment score in [-1, 1]."""
    ws = words(item.get("title")) + words(item.get("text"))
    found = set(ws)
    tags = list(item.get("tags") or [])
    for topic in sorted(TOPICS):
        if TOPICS[topic] & found and topic not in tags:
            tags.append(topic)
    pos = sum(1 for w in ws if w in POSITIVE)
    neg = sum(1 for w in ws if w in NEGATIVE)
    sentiment = 0.0 if pos + neg == 0 else round((pos - neg) / (pos + neg), 3)
    return {"tags": tags, "sentiment": sentiment}


def handle(line):
    """One request line in, one response object out."""
    try:
        req = json.loads(line)
    except ValueError as e:
        return {"id": None, "error": "request is not JSON: %s" % e}
    rid = req.get("id")
    item = req.get("item")
    if not isinstance(item, dict):
        return {"id": rid, "error": "request has no item"}
    try:
        return {"id": rid, "item": enrich(item)}
    except Exception as e:  # report, never crash on one bad item
        return {"id": rid, "error": "%s: %s" % (type(e).__name__, e)}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        sys.stdout.write(json.dumps(handle(line)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
