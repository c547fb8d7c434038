# A loopback stand-in for an OpenAI-compatible chat-completions endpoint (Ollama, llama.cpp's
# server, vLLM, hosted APIs), answering in the shape their docs show.
# Usage: chat_stub.py LOG ANSWER. Prints its port, then appends one JSON line per request
# (method, path, headers, body) to LOG, and answers POST /v1/chat/completions with the contents
# of the file ANSWER as the assistant's message.
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_path, answer_path = sys.argv[1], sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        with open(log_path, "a") as f:
            f.write(json.dumps({"method": "POST", "path": self.path,
                                "headers": dict(self.headers), "body": body}) + "\n")
        if self.path != "/v1/chat/completions":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        req = json.loads(body)
        payload = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": req.get("model"),
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": open(answer_path).read()},
                "finish_reason": "stop",
            }],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
