# A small, valid stdio MCP server whose behaviour tests set through the environment:
# MINIMAL_TOOLS (comma list), MINIMAL_PAGE_SIZE (paginate tools/list),
# MINIMAL_STDERR_SECRET (printed to stderr at start, for the redaction test).
import json
import os
import sys

KNOWN = {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}


def answer(msg, tools, page_size):
    method = msg.get("method")
    params = msg.get("params") or {}
    if method == "initialize":
        asked = params.get("protocolVersion")
        return {
            "protocolVersion": asked if asked in KNOWN else "2025-11-25",
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "minimal", "version": "1.0"},
        }
    if method == "tools/list":
        start = int(params.get("cursor") or 0)
        end = len(tools) if not page_size else min(len(tools), start + page_size)
        page = {"tools": [{"name": t, "inputSchema": {"type": "object"}} for t in tools[start:end]]}
        if end < len(tools):
            page["nextCursor"] = str(end)
        return page
    if method == "ping":
        return {}
    return None


def serve():
    tools = [t for t in os.environ.get("MINIMAL_TOOLS", "echo,add").split(",") if t]
    page_size = int(os.environ.get("MINIMAL_PAGE_SIZE") or 0)
    secret = os.environ.get("MINIMAL_STDERR_SECRET")
    if secret:
        sys.stderr.write(f"debug: using credentials {secret}\n")
        sys.stderr.flush()
    for line in sys.stdin:
        msg = json.loads(line)
        if "id" not in msg:
            continue
        result = answer(msg, tools, page_size)
        if result is None:
            reply = {"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32601, "message": "Method not found"}}
        else:
            reply = {"jsonrpc": "2.0", "id": msg["id"], "result": result}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
