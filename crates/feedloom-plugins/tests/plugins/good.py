"""A well-behaved exec plugin: tags every item, counts its words, reports its pid, env and cwd."""
import json
import os
import sys

for line in sys.stdin:
    req = json.loads(line)
    item = req["item"]
    if item.get("title") == "please fail":
        resp = {"id": req["id"], "error": "asked to fail"}
    else:
        resp = {
            "id": req["id"],
            "item": {
                "tags": (item.get("tags") or []) + ["seen"],
                "word_count": len(item.get("text", "").split()),
                "plugin_pid": os.getpid(),
                "greeting": os.environ.get("FEEDLOOM_GREETING"),
                "cwd_name": os.path.basename(os.getcwd()),
            },
        }
    sys.stdout.write(json.dumps(resp) + "\n")
    sys.stdout.flush()
