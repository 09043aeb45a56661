"""Hangs forever on an item titled "hang"; answers every other item."""
import json
import os
import sys
import time

for line in sys.stdin:
    req = json.loads(line)
    if req["item"].get("title") == "hang":
        while True:
            time.sleep(3600)
    sys.stdout.write(json.dumps({"id": req["id"], "item": {"plugin_pid": os.getpid()}}) + "\n")
    sys.stdout.flush()
