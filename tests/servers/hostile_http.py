# Streamable HTTP MCP servers that attack the prober. Usage: hostile_http.py MODE [ARG].
# Prints its port first.
#   mute-notify     answers requests, but never answers the notifications/initialized POST
#   redirect URL    answers every request with a 307 to URL (another origin)
#   sse-redirect URL  a legacy SSE server whose GET redirects to URL
#   challenge N     401 with a WWW-Authenticate that echoes the bearer token after N pad chars
#   ok              a valid server on any path (for many servers on one port)
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode = sys.argv[1]
arg = sys.argv[2] if len(sys.argv) > 2 else ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if mode in ("redirect", "sse-redirect"):
            return self.send(307, headers=[("Location", arg)])
        self.send(405)

    def do_DELETE(self):
        self.send(200)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        msg = json.loads(self.rfile.read(length) or b"{}")
        if mode == "redirect":
            return self.send(307, headers=[("Location", arg)])
        if mode == "sse-redirect":
            return self.send(405)
        if mode == "challenge":
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            pad = "p" * int(arg or "190")
            return self.send(401, headers=[
                ("WWW-Authenticate", f'Bearer error="invalid_token", error_description="{pad}{token}"')])
        if "id" not in msg:
            if mode == "mute-notify":
                time.sleep(3600)
            return self.send(202)
        method = msg.get("method")
        if method == "initialize":
            result = {"protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
                      "serverInfo": {"name": "hostile-http", "version": "1.0"}}
        elif method == "tools/list":
            result = {"tools": [{"name": "echo", "inputSchema": {"type": "object"}}]}
        else:
            result = {}
        body = json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}).encode()
        self.send(200, body, [("Content-Type", "application/json")])

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 1024
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
