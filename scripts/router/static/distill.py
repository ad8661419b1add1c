# Distils all-MiniLM-L6-v2 into a static embedding table for semantic-router's
# embed variant (build/semantic-router-embed.wasm): one vector per vocabulary
# token, so that a sentence's embedding is the mean of its tokens' rows.
#
#   1. the model runs on every vocabulary token alone ([CLS] token [SEP],
#      mean pooling, unit length);
#   2. PCA down to --dims dimensions (eigenvectors of the covariance, signs
#      fixed so the largest component of each is positive);
#   3. each row is weighted by its token's estimated frequency (Zipf's law on
#      the vocabulary rank, SIF weight a / (a + p)): frequent tokens weigh less;
#   4. int8 quantization with one float32 scale per row.
# The file also carries what the filter's WordPiece tokenizer needs (the
# vocabulary, its hash table, the normalizer's character tables): see
# tables.py for the layout.
#
#   PYTHONPATH=.tools/minilm/lib python3 scripts/router/static/distill.py [--out build/static-embeddings.bin] [--dims 128]
# Deterministic: one BLAS thread, fixed batch order; prints the SHA-256 of the output.
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse, hashlib, sys, time
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "minilm"))
sys.path.insert(0, HERE)
from embed import DEFAULT_MODEL, MiniLM  # noqa: E402
from tables import write_table  # noqa: E402

SIF = 1e-4
# '!' is the first real token of the uncased BERT vocabulary; before it come
# [PAD], [unused*], [UNK], [CLS], [SEP], [MASK].
FIRST_RANKED = 999


def token_vectors(m: MiniLM, size: int, batch: int = 1024) -> np.ndarray:
    """The model's sentence embedding of each token alone: [CLS] token [SEP], mean pooled, unit length.
    (Without [CLS] the lone token takes the first position's role and every output is alike.)"""
    cls, sep = m.tok.token_to_id("[CLS]"), m.tok.token_to_id("[SEP]")
    out = np.zeros((size, 384), dtype=np.float32)
    for s in range(0, size, batch):
        n = min(batch, size - s)
        ids = np.stack([np.full(n, cls), np.arange(s, s + n), np.full(n, sep)], axis=1).astype(np.int64)
        out[s : s + n] = m.forward(ids, np.ones(ids.shape, dtype=np.float32))
    return out


def pca(x: np.ndarray, dims: int) -> np.ndarray:
    x = x.astype(np.float64)
    centered = x - x.mean(axis=0)
    values, vectors = np.linalg.eigh(centered.T @ centered)
    top = vectors[:, np.argsort(values)[::-1][:dims]]
    signs = np.sign(top[np.abs(top).argmax(axis=0), np.arange(dims)])
    return centered @ (top * signs)


def sif_weights(size: int) -> np.ndarray:
    rank = np.maximum(np.arange(size) - FIRST_RANKED + 1, 1).astype(np.float64)
    p = (1 / rank) / np.sum(1 / rank)
    return SIF / (SIF + p)


def quantize(x: np.ndarray):
    scale = np.abs(x).max(axis=1) / 127
    scale[scale == 0] = 1
    q = np.clip(np.rint(x / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--out", default="build/static-embeddings.bin")
    ap.add_argument("--dims", type=int, default=128)
    ap.add_argument("--vectors", help="keep the model's token vectors in this .npy file (reused when present)")
    args = ap.parse_args()
    started = time.time()
    m = MiniLM(args.model)
    size = m.tok.get_vocab_size()
    if args.vectors and os.path.exists(args.vectors):
        vectors = np.load(args.vectors)
    else:
        vectors = token_vectors(m, size)
        if args.vectors:
            partial = f"{args.vectors}.{os.getpid()}.partial.npy"  # two distillations at once each write their own
            np.save(partial, vectors)
            os.replace(partial, args.vectors)
    reduced = pca(vectors, args.dims) * sif_weights(size)[:, None]
    q, scale = quantize(reduced)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    data = write_table(m.tok, q, scale)
    with open(args.out, "wb") as f:
        f.write(data)
    digest = hashlib.sha256(data).hexdigest()
    print(f"{size} tokens x {args.dims} dims, {len(data)} bytes in {time.time() - started:.0f} s -> {args.out} sha256 {digest}")


if __name__ == "__main__":
    main()
