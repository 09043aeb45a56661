"""Prints a line that is not a response for an item titled "garbage"; answers every other item."""
import json
import os
import sys

for line in sys.stdin:
    req = json.loads(line)
    if req["item"].get("title") == "garbage":
        sys.stdout.write("this is not json, just a stray debug print\n")
    else:
        sys.stdout.write(json.dumps({"id": req["id"], "item": {"plugin_pid": os.getpid()}}) + "\n")
    sys.stdout.flush()
