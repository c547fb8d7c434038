# A stdio MCP server that is down until something heals it, for the recovery tests.
# FLAKY_COUNTER=path FLAKY_FAILS=N: the first N starts exit at once (a crash-looping server).
# FLAKY_UP_FILE=path: every start exits at once until that file exists (fixed by an action).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minimal import serve  # noqa: E402

counter = os.environ.get("FLAKY_COUNTER")
if counter:
    n = int(open(counter).read() or 0) + 1 if os.path.exists(counter) else 1
    with open(counter, "w") as f:
        f.write(str(n))
    if n <= int(os.environ.get("FLAKY_FAILS", "0")):
        sys.stderr.write(f"flaky: start {n} crashes\n")
        sys.exit(1)
up = os.environ.get("FLAKY_UP_FILE")
if up and not os.path.exists(up):
    sys.stderr.write("flaky: not up yet\n")
    sys.exit(1)
serve()
