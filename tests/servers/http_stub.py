# A loopback HTTP receiver standing in for what tests cannot reach: a service's REST API (the
# emergency fallback), Slack's incoming webhook, a healthchecks.io ping endpoint.
# Usage: http_stub.py LOG STATUS [hang]. Prints its port, then appends one JSON line per request
# (method, path, headers, body) to LOG and answers STATUS; with `hang` it never answers.
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_path, status = sys.argv[1], int(sys.argv[2])
hang = len(sys.argv) > 3 and sys.argv[3] == "hang"


class Handler(BaseHTTPRequestHandler):
    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        with open(log_path, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "headers": dict(self.headers), "body": body}) + "\n")
        if hang:
            time.sleep(3600)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    do_GET = do_POST = do_HEAD = handle_any

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
