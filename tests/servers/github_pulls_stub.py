# A loopback stand-in for the GitHub REST endpoints `mcpctl fix` writes to, with the payload
# shapes of GitHub's docs: create a pull request (201 with the pull request), list open pull
# requests filtered by `head`, label one through its issue (200 with the labels), and re-run a
# run's failed jobs (201, empty body).
# Usage: github_pulls_stub.py LOG [reject-pulls]. Prints its port, then appends one JSON line per
# request (method, path, headers, body) to LOG. With `reject-pulls`, creating a pull request
# answers 422 like GitHub does for a bad head or base.
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

log_path = sys.argv[1]
reject = len(sys.argv) > 2 and sys.argv[2] == "reject-pulls"
pulls = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def record(self, body):
        with open(log_path, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "headers": dict(self.headers), "body": body}) + "\n")

    def answer(self, status, payload):
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.record("")
        url = urlparse(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "repos" and parts[3] == "pulls":
            q = parse_qs(url.query)
            head = q.get("head", [None])[0]
            state = q.get("state", ["open"])[0]
            with lock:
                found = [p for p in pulls
                         if (head is None or p["head"]["label"] == head)
                         and (state == "all" or p["state"] == state)]
            return self.answer(200, found)
        self.answer(404, {"message": "Not Found",
                          "documentation_url": "https://docs.github.com/rest"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self.record(body)
        parts = urlparse(self.path).path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "repos" and parts[3] == "pulls":
            if reject:
                return self.answer(422, {
                    "message": "Validation Failed",
                    "errors": [{"resource": "PullRequest", "code": "custom",
                                "message": "No commits between main and the head"}],
                    "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"})
            req = json.loads(body)
            owner, repo = parts[1], parts[2]
            with lock:
                number = len(pulls) + 1
                pr = {
                    "url": f"https://api.github.com/repos/{owner}/{repo}/pulls/{number}",
                    "id": 1000 + number,
                    "node_id": f"PR_{number}",
                    "html_url": f"https://github.com/{owner}/{repo}/pull/{number}",
                    "number": number,
                    "state": "open",
                    "locked": False,
                    "title": req["title"],
                    "body": req.get("body"),
                    "user": {"login": "mcpctl-bot", "id": 1, "type": "User"},
                    "head": {"label": f"{owner}:{req['head']}", "ref": req["head"], "sha": "0" * 40},
                    "base": {"label": f"{owner}:{req['base']}", "ref": req["base"], "sha": "1" * 40},
                    "draft": False,
                    "merged": False,
                }
                pulls.append(pr)
            return self.answer(201, pr)
        if len(parts) == 6 and parts[3] == "issues" and parts[5] == "labels":
            names = json.loads(body)["labels"]
            return self.answer(200, [{"id": i + 1, "name": n, "color": "ededed", "default": False}
                                     for i, n in enumerate(names)])
        if len(parts) == 7 and parts[3] == "actions" and parts[6] == "rerun-failed-jobs":
            return self.answer(201, {})
        self.answer(404, {"message": "Not Found",
                          "documentation_url": "https://docs.github.com/rest"})

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
