# The reference for test/unit/semantic-router/static-embed.test.ts: the model's
# own tokenizer (the `tokenizers` package, all-MiniLM-L6-v2's tokenizer.json)
# and the static embedding of each text computed in numpy from the table file.
# Reads {"table": path, "texts": [...], "max_tokens": n (optional)} on stdin, writes
# {"ids": [[...]], "vectors": [[...] | null]}; a vector sums the first max_tokens tokens.
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
json.dump({"ids": ids, "vectors": vectors}, sys.stdout)
