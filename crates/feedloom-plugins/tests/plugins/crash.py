"""Answers N items (argv[1]) and then exits with status 3 without answering the next one."""
import json
import os
import sys

limit = int(sys.argv[1])
for n, line in enumerate(sys.stdin):
    if n >= limit:
        sys.exit(3)
    req = json.loads(line)
    sys.stdout.write(json.dumps({"id": req["id"], "item": {"plugin_pid": os.getpid()}}) + "\n")
    sys.stdout.flush()
