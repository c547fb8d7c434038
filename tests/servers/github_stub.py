# A loopback stand-in for GitHub's REST API, serving the payload shapes its docs show.
# Usage: github_stub.py ROUTES LOG. ROUTES is JSON, re-read on every request so a test can change
# it between runs: {"/path": {"status": 200, "json": {...}}} or {"status": 302, "location":
# "/signed/x.txt"} (or an absolute URL) or {"text": "..."} or {"zip": {"name.txt": "content"}}
# (a real zip archive) or {"big": N} (N bytes of log lines, sent until the client hangs up), with
# optional "headers" ("{base}" in a value becomes this server's URL), "etag" (answered with 304
# when the request's If-None-Match carries it) and "delay" (seconds before answering). A key may
# name the method ("POST /path") and query parameters that must be present ("/path?page=2").
# Every request is appended to LOG as one JSON line. Prints its port.
import io
import json
import sys
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

routes_path = sys.argv[1]
log_path = sys.argv[2]


def find(method, url):
    routes = json.load(open(routes_path))
    query = dict(parse_qsl(url.query))
    best = None
    for key, route in routes.items():
        m, _, target = key.rpartition(" ")
        if (m or "GET") != method:
            continue
        path, _, want = target.partition("?")
        if path != url.path:
            continue
        wanted = dict(parse_qsl(want))
        if all(query.get(k) == v for k, v in wanted.items()):
            if best is None or len(wanted) > best[0]:
                best = (len(wanted), route)
    return best[1] if best else None


class Handler(BaseHTTPRequestHandler):
    def handle_any(self, method):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        with open(log_path, "a") as f:
            f.write(json.dumps({"method": method, "path": url.path, "query": url.query,
                                "authorization": self.headers.get("Authorization"),
                                "if_none_match": self.headers.get("If-None-Match"),
                                "body": json.loads(body) if body else None}) + "\n")
        route = find(method, url)
        if route is None:
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"message": "Not Found"}')
            return
        base = f"http://{self.headers['Host']}"
        time.sleep(route.get("delay", 0))
        etag = route.get("etag")
        if etag is not None and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(route.get("status", 200))
        for k, v in route.get("headers", {}).items():
            self.send_header(k, v.replace("{base}", base))
        if etag is not None:
            self.send_header("ETag", etag)
        if "location" in route:
            location = route["location"]
            self.send_header("Location", location if location.startswith("http") else base + location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if "big" in route:
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(route["big"]))
            self.end_headers()
            line = b"2026-11-24T05:26:52.1234567Z ok\n" * 32768
            left = route["big"]
            try:
                while left > 0:
                    self.wfile.write(line[:left])
                    left -= len(line)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if "json" in route:
            out = json.dumps(route["json"]).encode()
            self.send_header("Content-Type", "application/json")
        elif "zip" in route:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for name, content in route["zip"].items():
                    z.writestr(name, content)
            out = buf.getvalue()
            self.send_header("Content-Type", "application/zip")
        else:
            out = route.get("text", "").encode()
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
