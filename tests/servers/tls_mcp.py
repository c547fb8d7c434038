# A loopback Streamable HTTP MCP server, over TLS when given a certificate. Prints its port.
# Usage: tls_mcp.py MODE LOG [CERT KEY]. Every request is appended to LOG as one JSON line
# (method, path, headers).
#   ok       answers initialize, tools/list and ping (JSON answers)
#   version  answers initialize with protocol version 2099-01-01
#   reject   refuses initialize with -32022 UnsupportedProtocolVersion, data.supported 2099-01-01
#   oauth    answers every MCP POST with 401 and `WWW-Authenticate: Bearer resource_metadata=…,
#            scope="files:read"`, and serves the RFC 9728 and RFC 8414 documents it names
import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, log_path = sys.argv[1], sys.argv[2]
cert = sys.argv[3] if len(sys.argv) > 4 else None
key = sys.argv[4] if len(sys.argv) > 4 else None


class Handler(BaseHTTPRequestHandler):
    def log_request_line(self):
        with open(log_path, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "headers": dict(self.headers)}) + "\n")

    def send_json(self, status, body, extra=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def base(self):
        scheme = "https" if cert else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}"

    def do_GET(self):
        self.log_request_line()
        if mode == "oauth" and self.path == "/.well-known/oauth-protected-resource/mcp":
            self.send_json(200, {"resource": self.base() + "/mcp",
                                 "authorization_servers": [self.base() + "/tenant1"],
                                 "scopes_supported": ["files:read", "files:write"]})
        elif mode == "oauth" and self.path == "/.well-known/oauth-authorization-server/tenant1":
            self.send_json(200, {"issuer": self.base() + "/tenant1",
                                 "authorization_endpoint": self.base() + "/tenant1/authorize",
                                 "token_endpoint": self.base() + "/tenant1/token"})
        else:
            self.send_json(404, {"error": "not found"})

    def do_DELETE(self):
        self.log_request_line()
        self.send_json(200, {})

    def do_POST(self):
        self.log_request_line()
        length = int(self.headers.get("Content-Length") or 0)
        msg = json.loads(self.rfile.read(length) or b"{}")
        if mode == "oauth":
            challenge = (f'Bearer resource_metadata="{self.base()}/.well-known/oauth-protected-resource/mcp", '
                         'scope="files:read"')
            self.send_json(401, {"error": "invalid_token"}, {"WWW-Authenticate": challenge})
            return
        if "id" not in msg:
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        method = msg.get("method")
        if method == "initialize" and mode == "reject":
            self.send_json(200, {"jsonrpc": "2.0", "id": msg["id"], "error": {
                "code": -32022, "message": "Unsupported protocol version",
                "data": {"supported": ["2099-01-01"], "requested": "2025-11-25"}}})
            return
        if method == "initialize":
            version = "2099-01-01" if mode == "version" else "2025-11-25"
            result = {"protocolVersion": version, "capabilities": {"tools": {}},
                      "serverInfo": {"name": "tls-mcp", "version": "1"}}
        elif method == "tools/list":
            result = {"tools": [{"name": "echo", "inputSchema": {"type": "object"}}]}
        elif method == "ping":
            result = {}
        else:
            self.send_json(200, {"jsonrpc": "2.0", "id": msg["id"],
                                 "error": {"code": -32601, "message": "Method not found"}})
            return
        self.send_json(200, {"jsonrpc": "2.0", "id": msg["id"], "result": result})

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
