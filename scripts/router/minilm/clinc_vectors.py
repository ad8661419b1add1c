# Embeds every CLINC150 text scripts/router/eval.ts sends (route examples,
# val/test queries, out-of-scope queries) with all-MiniLM-L6-v2 and writes
# {text: vector} to .tmp/clinc-minilm.json (or the path given).
#
#   PYTHONPATH=.tools/minilm/lib python3 scripts/router/minilm/clinc_vectors.py [OUT]
import json, os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from embed import DEFAULT_MODEL, MiniLM, encode_all

DATA = "test/data/intents/clinc150/clinc150-10shot.json"

def main():
    out = sys.argv[1] if len(sys.argv) > 1 else ".tmp/clinc-minilm.json"
    d = json.load(open(DATA))
    texts = sorted({t for split in ("train", "val", "test") for t, _ in d[split]} | set(d["oos_val"]) | set(d["oos_test"]))
    started = time.time()
    vectors = encode_all(MiniLM(DEFAULT_MODEL), texts)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({t: [round(float(x), 6) for x in v] for t, v in zip(texts, vectors)}, f)
    print(f"{len(texts)} texts embedded in {time.time() - started:.0f} s -> {out}")

if __name__ == "__main__":
    main()
