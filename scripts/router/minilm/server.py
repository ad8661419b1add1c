# A local OpenAI-compatible embedding service backed by all-MiniLM-L6-v2
# (embed.py): POST /v1/embeddings with {"input": text | [texts], "model": ...}
# answers {"object": "list", "data": [{"object": "embedding", "index": i,
# "embedding": [...]}], "model": ..., "usage": {...}}. For trying
# semantic-router's `embeddings` option on one machine, and for its e2e test;
# not a production server (one process, numpy on the CPU).
#
#   PYTHONPATH=.tools/minilm/lib python3 scripts/router/minilm/server.py [--port 8090] [--host 127.0.0.1]
# Prints "listening on http://HOST:PORT" once it accepts requests.
import argparse, json, os, sys, threading

# One BLAS thread: requests are small, and spinning BLAS threads on a busy
# machine made each one take seconds.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from embed import DEFAULT_MODEL, MiniLM

MAX_INPUTS = 2048
MAX_BODY = 8 << 20


class Handler(BaseHTTPRequestHandler):
    model = None
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def reply(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, message):
        self.reply(status, {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}})

    def do_GET(self):
        if self.path == "/healthz":
            return self.reply(200, {"status": "ok"})
        self.error(404, f"no route for GET {self.path}")

    def do_POST(self):
        if self.path.split("?")[0] != "/v1/embeddings":
            return self.error(404, f"no route for POST {self.path}")
        try:
            size = int(self.headers.get("content-length") or 0)
        except ValueError:
            size = 0
        if size <= 0 or size > MAX_BODY:
            return self.error(400, "a JSON body of at most 8 MiB is required")
        try:
            req = json.loads(self.rfile.read(size))
        except ValueError:
            return self.error(400, "the body is not JSON")
        texts = req.get("input") if isinstance(req, dict) else None
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not texts or len(texts) > MAX_INPUTS or not all(isinstance(t, str) for t in texts):
            return self.error(400, f"input must be a string or 1 to {MAX_INPUTS} strings")
        with Handler.lock:
            vectors = Handler.model.encode(texts)
        tokens = sum(len(t.split()) for t in texts)
        data = [{"object": "embedding", "index": i, "embedding": [round(float(x), 6) for x in v]} for i, v in enumerate(vectors)]
        self.reply(200, {"object": "list", "data": data, "model": req.get("model") or "all-MiniLM-L6-v2", "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8090)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    args = ap.parse_args()
    Handler.model = MiniLM(args.model)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"listening on http://{args.host}:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
