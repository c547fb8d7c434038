# Stdio MCP servers that attack the prober. Usage: hostile.py MODE.
#   server-requests  answers initialize, then floods the client with requests and never reads
#                    again, so the client's answers fill the pipe
#   pages            lists tools forever: 1 MiB pages, each with a next cursor
#   stderr-secret    prints HOSTILE_SECRET at HOSTILE_OFFSET of a long stderr line, and the
#                    bare HOSTILE_ECHO, then exits 1 at once
#   daemon           double-forks a setsid() daemon (pid in HOSTILE_PIDFILE), then serves
#                    like a valid server
#   sleeper          writes its pid to HOSTILE_PIDFILE and sleeps, deaf to stdin's end
import json
import os
import sys
import time

mode = sys.argv[1]


def reply(msg, result):
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}) + "\n")
    sys.stdout.flush()


def init_result():
    return {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
            "serverInfo": {"name": "hostile-" + mode, "version": "1.0"}}


if mode == "stderr-secret":
    pad = "x" * int(os.environ.get("HOSTILE_OFFSET", "390"))
    sys.stderr.write(f"fatal: {pad}{os.environ['HOSTILE_SECRET']} rejected\n")
    sys.stderr.write(f"echo {os.environ.get('HOSTILE_ECHO', '-').split('-', 1)[1]}\n")
    sys.stderr.flush()
    sys.exit(1)

if mode == "sleeper":
    with open(os.environ["HOSTILE_PIDFILE"] + ".tmp", "w") as f:
        f.write(f"{os.getpid()}\n")
    os.rename(os.environ["HOSTILE_PIDFILE"] + ".tmp", os.environ["HOSTILE_PIDFILE"])
    time.sleep(600)
    sys.exit(0)

if mode == "daemon":
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            with open(os.environ["HOSTILE_PIDFILE"] + ".tmp", "w") as f:
                f.write(f"{os.getpid()}\n")
            os.rename(os.environ["HOSTILE_PIDFILE"] + ".tmp", os.environ["HOSTILE_PIDFILE"])
            for fd in (0, 1, 2):
                os.close(fd)
            time.sleep(600)
        os._exit(0)
    os.wait()

big = "t" * 1000
for line in sys.stdin:
    msg = json.loads(line)
    if "id" not in msg:
        continue
    method = msg.get("method")
    if method == "initialize":
        reply(msg, init_result())
        if mode == "server-requests":
            for i in range(200000):
                sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": f"s{i}",
                                             "method": "roots/list"}) + "\n")
            sys.stdout.flush()
            time.sleep(3600)
    elif method == "tools/list" and mode == "pages":
        n = int((msg.get("params") or {}).get("cursor") or 0)
        tools = [{"name": f"tool-{n}-{i}-{big}"} for i in range(1000)]
        reply(msg, {"tools": tools, "nextCursor": str(n + 1)})
    elif method == "tools/list":
        reply(msg, {"tools": [{"name": "echo", "inputSchema": {"type": "object"}}]})
    else:
        reply(msg, {})
