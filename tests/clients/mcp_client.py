"""A real MCP client (the official Python `mcp` SDK) for the mcp-server tests.

Connects to `mcpctl mcp-server` over stdio or Streamable HTTP, in the handshake era
(`initialize`) or the 2026-07-28 era (`server/discover`), runs the steps given as JSON on stdin,
and prints one JSON document: the server's identity and each step's result or error.

Steps:
  {"op": "list_tools"}
  {"op": "call", "tool": NAME, "args": {...}}      "$token:N" in args is step N's token
  {"op": "concurrent", "calls": [{"tool": ..., "args": ...}, ...]}
  {"op": "cancel_after", "seconds": S, "tool": NAME, "args": {...}}
  {"op": "list_resources"} / {"op": "read_resource", "uri": URI}
  {"op": "pid_gone", "file": PATH, "within": S}    the pid in PATH has exited
  {"op": "write_file", "path": PATH, "text": TEXT}  changes the world between two calls
  {"op": "read_file", "path": PATH}                 what the world holds between two calls
  {"op": "sleep", "seconds": S}
"""

import argparse
import os
import json
import sys

import anyio
import httpx2
import mcp.types as types
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError


def dump(model):
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


def substitute(value, results):
    if isinstance(value, str) and value.startswith("$token:"):
        step = results[int(value.split(":", 1)[1])]
        return step["structuredContent"]["confirmation_token"]
    if isinstance(value, dict):
        return {k: substitute(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, results) for v in value]
    return value


async def call(session, tool, args, results):
    try:
        result = await session.call_tool(tool, substitute(args or {}, results))
        return dump(result)
    except MCPError as e:
        return {"error": {"code": e.code, "message": e.error.message}}


async def run_step(session, step, results):
    op = step["op"]
    if op == "list_tools":
        return dump(await session.list_tools())
    if op == "call":
        return await call(session, step["tool"], step.get("args"), results)
    if op == "concurrent":
        answers = [None] * len(step["calls"])

        async def one(i, c):
            answers[i] = await call(session, c["tool"], c.get("args"), results)

        async with anyio.create_task_group() as tg:
            for i, c in enumerate(step["calls"]):
                tg.start_soon(one, i, c)
        return {"answers": answers}
    if op == "cancel_after":
        with anyio.move_on_after(step["seconds"]) as scope:
            await call(session, step["tool"], step.get("args"), results)
        return {"cancelled": scope.cancelled_caught}
    if op == "list_resources":
        return dump(await session.list_resources())
    if op == "read_resource":
        try:
            return dump(await session.read_resource(step["uri"]))
        except MCPError as e:
            return {"error": {"code": e.code, "message": e.error.message}}
    if op == "pid_gone":
        # Polled while mcpctl still serves: its exit would end every child anyway.
        pid = 0
        with anyio.move_on_after(step["within"]):
            while True:
                try:
                    pid = int(open(step["file"]).read().strip() or 0)
                    if pid:
                        os.kill(pid, 0)
                except ProcessLookupError:
                    return {"pid": pid, "gone": True}
                except (FileNotFoundError, ValueError):
                    pass
                await anyio.sleep(0.05)
        return {"pid": pid, "gone": False}
    if op == "read_file":
        with open(step["path"]) as f:
            return {"text": f.read()}
    if op == "write_file":
        with open(step["path"], "w") as f:
            f.write(step["text"])
        return {}
    if op == "sleep":
        await anyio.sleep(step["seconds"])
        return {}
    raise SystemExit(f"unknown op {op}")


def elicitation(answer):
    if answer == "none":
        return None

    async def callback(context, params):
        if answer == "accept":
            return types.ElicitResult(action="accept", content={"confirm": True})
        return types.ElicitResult(action="decline")

    return callback


async def session_run(read, write, args, steps):
    async with ClientSession(
        read,
        write,
        elicitation_callback=elicitation(args.elicit),
        client_info=types.Implementation(name="mcpctl-test-client", version="1.2.3"),
    ) as session:
        if args.era == "modern":
            hello = dump(await session.discover())
        else:
            hello = dump(await session.initialize())
        results = []
        for step in steps:
            results.append(await run_step(session, step, results))
        return {"hello": hello, "results": results}


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--era", choices=["handshake", "modern"], default="handshake")
    p.add_argument("--elicit", choices=["none", "accept", "decline"], default="none")
    p.add_argument("--url")
    p.add_argument("--token")
    p.add_argument("command", nargs="*")
    args = p.parse_args()
    steps = json.load(sys.stdin)
    if args.url:
        headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
        async with httpx2.AsyncClient(headers=headers, timeout=120) as http:
            async with streamable_http_client(args.url, http_client=http) as (read, write, *_):
                out = await session_run(read, write, args, steps)
    else:
        params = StdioServerParameters(command=args.command[0], args=args.command[1:], env=dict(os.environ))
        async with stdio_client(params) as (read, write):
            out = await session_run(read, write, args, steps)
    json.dump(out, sys.stdout)


anyio.run(main)
