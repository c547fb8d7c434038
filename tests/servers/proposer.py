# A stand-in for a proposer command such as `claude -p`: reads the prompt on stdin, records what
# it received, and answers with the contents of a file.
# Usage: proposer.py RECORD ANSWER [hang]. RECORD gets one JSON line per call: the prompt, the
# working directory, and which GitHub token variables it could see. With `hang` it starts a
# child that sleeps, appends both pids to RECORD.pids, and never answers.
import json
import os
import subprocess
import sys
import time

record, answer = sys.argv[1], sys.argv[2]
prompt = sys.stdin.read()
with open(record, "a") as f:
    f.write(json.dumps({
        "prompt": prompt,
        "cwd": os.getcwd(),
        "token_vars": [v for v in ("GITHUB_TOKEN", "GH_TOKEN", "PROPOSER_KEY") if v in os.environ],
    }) + "\n")
if len(sys.argv) > 3 and sys.argv[3] == "hang":
    child = subprocess.Popen(["sleep", "300"])
    with open(record + ".pids", "w") as f:
        f.write(f"{os.getpid()} {child.pid}\n")
    time.sleep(300)
sys.stdout.write(open(answer).read())
