#!/usr/bin/env python3
"""Tests for tagger.py: `python3 examples/plugins/test_tagger.py`."""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import tagger  # noqa: E402


class EnrichTest(unittest.TestCase):
    def test_topics_and_sentiment(self):
        out = tagger.enrich({"title": "Gas pipeline agreement signed", "text": "Trade grows."})
        self.assertEqual(out["tags"], ["economy", "energy"])
        self.assertEqual(out["sentiment"], 1.0)

    def test_keeps_existing_tags_once(self):
        out = tagger.enrich({"title": "Oil", "text": "", "tags": ["energy", "mine"]})
        self.assertEqual(out["tags"], ["energy", "mine"])

    def test_negative_and_neutral(self):
        self.assertEqual(tagger.enrich({"text": "A crackdown and a protest"})["sentiment"], -1.0)
        self.assertEqual(tagger.enrich({"text": "Nothing to see"}), {"tags": [], "sentiment": 0.0})

    def test_bad_requests_are_errors_not_crashes(self):
        self.assertIn("error", tagger.handle("not json"))
        self.assertEqual(tagger.handle('{"id": 3}'), {"id": 3, "error": "request has no item"})


class ProtocolTest(unittest.TestCase):
    def test_json_lines_round_trip(self):
        reqs = [
            {"id": 1, "item": {"id": "a", "title": "Railway corridor opens", "text": ""}},
            {"id": 2, "item": {"id": "b", "title": "Quiet day", "text": ""}},
        ]
        stdin = "".join(json.dumps(r) + "\n" for r in reqs)
        p = subprocess.run(
            [sys.executable, os.path.join(HERE, "tagger.py")],
            input=stdin, capture_output=True, text=True, timeout=30,
        )
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([l["id"] for l in lines], [1, 2])
        self.assertEqual(lines[0]["item"]["tags"], ["transport"])
        self.assertEqual(lines[1]["item"], {"tags": [], "sentiment": 0.0})


if __name__ == "__main__":
    unittest.main()
