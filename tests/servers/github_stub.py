# A loopback stand-in for GitHub's REST API, serving the payload shapes its docs show.
# Usage: github_stub.py ROUTES LOG. ROUTES is JSON: {"/path": {"status": 200, "json": {...}} or
# {"status": 302, "location": "/signed/x.txt"} or {"status": 200, "text": "..."} or with
# "headers": {...}}. Query strings are ignored for routing and recorded. Prints its port.
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

routes = json.load(open(sys.argv[1]))
log_path = sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        with open(log_path, "a") as f:
            f.write(json.dumps({"path": url.path, "query": url.query,
                                "authorization": self.headers.get("Authorization")}) + "\n")
        route = routes.get(url.path)
        if route is None:
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"message": "Not Found"}')
            return
        self.send_response(route.get("status", 200))
        for k, v in route.get("headers", {}).items():
            self.send_header(k, v)
        if "location" in route:
            self.send_header("Location", f"http://{self.headers['Host']}{route['location']}")
            self.end_headers()
            return
        if "json" in route:
            body = json.dumps(route["json"]).encode()
            self.send_header("Content-Type", "application/json")
        else:
            body = route.get("text", "").encode()
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
