"""The benchmark plugin: parses each request and answers with a one-field patch."""
import json
import sys

out = sys.stdout
for line in sys.stdin:
    req = json.loads(line)
    out.write(json.dumps({"id": req["id"], "item": {"tags": ["echo"]}}) + "\n")
    out.flush()
