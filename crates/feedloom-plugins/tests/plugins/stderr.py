"""Logs a line to stderr for every item, then answers it."""
import json
import sys

for line in sys.stdin:
    req = json.loads(line)
    sys.stderr.write("stderr-note: working on %s\n" % req["item"]["id"])
    sys.stderr.flush()
    sys.stdout.write(json.dumps({"id": req["id"], "item": {"noted": True}}) + "\n")
    sys.stdout.flush()
