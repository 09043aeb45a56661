"""Misbehaves in the way an item's title asks; answers every other item with its pid.

crash         exits with status 3 without answering
garbage       prints a line that is not JSON
hang          never answers
close-stdout  closes stdout and keeps running
partial-exit  writes half a response line and exits 0
huge-line     writes a 17 MiB line with no newline and keeps running
wrong-id      answers with another request's id
long-stderr   writes a 1 MB stderr line (then "after-long"), then answers
flood-stderr  writes 20000 stderr lines, then answers
orphan        starts a child that sleeps (its pid in $ORPHAN_PID_FILE), then hangs
"""
import json
import os
import subprocess
import sys
import time

for line in sys.stdin:
    req = json.loads(line)
    rid = req["id"]
    title = req["item"].get("title")
    if title == "crash":
        sys.exit(3)
    elif title == "garbage":
        sys.stdout.write("loading model... done\n")
        sys.stdout.flush()
        continue
    elif title == "hang":
        time.sleep(600)
    elif title == "close-stdout":
        sys.stdout.flush()
        os.close(1)
        time.sleep(600)
    elif title == "partial-exit":
        sys.stdout.write('{"id": %d, "it' % rid)
        sys.stdout.flush()
        sys.exit(0)
    elif title == "huge-line":
        sys.stdout.write("x" * (17 * 1024 * 1024))
        sys.stdout.flush()
        time.sleep(600)
    elif title == "wrong-id":
        sys.stdout.write(json.dumps({"id": rid + 7, "item": {}}) + "\n")
        sys.stdout.flush()
        continue
    elif title == "long-stderr":
        sys.stderr.write("L" * 1000000 + "\n" + "after-long\n")
        sys.stderr.flush()
    elif title == "flood-stderr":
        for n in range(20000):
            sys.stderr.write("flood %d\n" % n)
        sys.stderr.flush()
    elif title == "orphan":
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        with open(os.environ["ORPHAN_PID_FILE"], "w") as f:
            f.write(str(child.pid))
        time.sleep(600)
    sys.stdout.write(json.dumps({"id": rid, "item": {"plugin_pid": os.getpid()}}) + "\n")
    sys.stdout.flush()
