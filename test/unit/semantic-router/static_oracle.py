# The reference for test/unit/semantic-router/static-embed.test.ts: the model's
# own tokenizer (the `tokenizers` package, all-MiniLM-L6-v2's tokenizer.json)
# and the static embedding of each text computed in numpy from the table file.
# Reads {"table": path, "texts": [...], "max_tokens": n (optional)} on stdin, writes
# {"ids": [[...]], "vectors": [[...] | null]}; a vector sums the first max_tokens tokens.
# With "neighbours": {"labels": [...]} the first len(labels) texts are route
# examples (route index each, ascending) and the rest queries: it also writes
# "separates" (held-out examples reach their route by cosine at least half
# the time) and "similarities" (per query, per route: the mean cosine of the
# 2 nearest examples after centring on the examples' mean and whitening by
# the within-route covariance shrunk 10% towards the identity times its mean
# variance; what semantic-router's RouteNeighbours computes when no route has
# more than 32 examples, so the examples are the prototypes), from numpy's
# linear algebra.
import json, struct, sys
import numpy as np
from tokenizers import Tokenizer

req = json.load(sys.stdin)
tok = Tokenizer.from_file(".tools/minilm/model/tokenizer.json")
tok.no_truncation()
tok.no_padding()
blob = open(req["table"], "rb").read()
h = struct.unpack("<32I", blob[:128])
size, dims, unk = h[1], h[2], h[4]
scales = np.frombuffer(blob, "<f4", size, h[5]).astype(np.float64)
rows = np.frombuffer(blob, np.int8, size * dims, h[6]).reshape(size, dims)
ids, vectors = [], []
for e in tok.encode_batch(req["texts"], add_special_tokens=False):
    ids.append(e.ids)
    known = [i for i in e.ids[: req.get("max_tokens", len(e.ids))] if i != unk]
    v = (rows[known].astype(np.float64) * scales[known, None]).sum(0) if known else None
    vectors.append(None if v is None or not np.any(v) else (v / np.linalg.norm(v)).tolist())
out = {"ids": ids, "vectors": vectors}


def nearest_mean(sims, labels, routes, missing, k=2):
    return [float(np.mean(np.sort(sims[labels == r])[::-1][:k])) if np.any(labels == r) else missing for r in range(routes)]


if "neighbours" in req:
    labels = np.array(req["neighbours"]["labels"])
    known = [i for i in range(len(labels)) if vectors[i] is not None]
    X = np.array([vectors[i] for i in known])
    y = labels[known]
    routes = int(labels.max()) + 1
    n = len(y)
    probes = min(64, max(1, (1 << 17) // n))
    step = -(-n // probes)
    right = 0
    for i in range(0, n, step):
        sims = X @ X[i]
        sims[i] = -9
        mask = np.arange(n) != i
        scores = nearest_mean(sims[mask], y[mask], routes, -2.0)
        right += int(np.argmax(scores) == y[i])
    out["separates"] = right >= 0.5 * len(range(0, n, step))
    mean = X.mean(0)
    centroids = np.array([X[y == r].mean(0) if np.any(y == r) else np.zeros(X.shape[1]) for r in range(routes)])
    within = (X - centroids[y]).T @ (X - centroids[y]) / n
    mu = max(np.trace(within) / len(within), 1e-6)
    L = np.linalg.cholesky(0.9 * within + 0.1 * mu * np.eye(len(within)))
    W = np.linalg.solve(L, (X - mean).T).T
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    sims = []
    for v in vectors[len(labels):]:
        if v is None:
            sims.append(None)
            continue
        z = np.linalg.solve(L, np.array(v) - mean)
        sims.append(nearest_mean(W @ (z / np.linalg.norm(z)), y, routes, 0.0))
    out["similarities"] = sims
json.dump(out, sys.stdout)
