# all-MiniLM-L6-v2 in numpy: BERT's forward pass (6 layers, 384 wide, 12
# heads, GELU), mean pooling over the real tokens, unit length. Enough to
# embed a few thousand short texts on a CPU without PyTorch.
#
#   PYTHONPATH=.tools/minilm/lib python3 scripts/router/minilm/embed.py [MODEL_DIR]
# prints the self-check (see README.md).
import sys
import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

class MiniLM:
    def __init__(self, model_dir):
        # float32 once here: converting per call copied all 22M weights for every batch.
        self.w = {k: v.astype(np.float32) for k, v in load_file(f"{model_dir}/model.safetensors").items()}
        self.tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
        self.tok.enable_truncation(256)
        self.tok.no_padding()
        self.prefix = "" if "embeddings.word_embeddings.weight" in self.w else "bert."
        self.heads = 12

    def p(self, name):
        return self.w[self.prefix + name]

    @staticmethod
    def layer_norm(x, g, b, eps=1e-12):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + eps) * g + b

    def encode(self, texts):
        encs = self.tok.encode_batch(texts)
        L = max(len(e.ids) for e in encs)
        ids = np.zeros((len(texts), L), dtype=np.int64)
        mask = np.zeros((len(texts), L), dtype=np.float32)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        return self.forward(ids, mask)

    def forward(self, ids, mask):
        """Unit-length mean-pooled embeddings of token id rows (mask: 1 for real tokens)."""
        L = ids.shape[1]
        p = self.p
        x = p("embeddings.word_embeddings.weight")[ids] + p("embeddings.position_embeddings.weight")[:L][None] + p("embeddings.token_type_embeddings.weight")[0][None, None]
        x = self.layer_norm(x, p("embeddings.LayerNorm.weight"), p("embeddings.LayerNorm.bias"))
        B, _, H = x.shape
        hd = H // self.heads
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for l in range(6):
            pre = f"encoder.layer.{l}."
            # One (B*L, H) matrix product per layer: a stack of B small ones is many times slower.
            lin = lambda t, n: (t.reshape(B * L, -1) @ p(pre + n + ".weight").T + p(pre + n + ".bias")).reshape(B, L, -1)
            split = lambda t: t.reshape(B, L, self.heads, hd).transpose(0, 2, 1, 3)
            q, k, v = split(lin(x, "attention.self.query")), split(lin(x, "attention.self.key")), split(lin(x, "attention.self.value"))
            s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, L, H)
            x = self.layer_norm(lin(ctx, "attention.output.dense") + x, p(pre + "attention.output.LayerNorm.weight"), p(pre + "attention.output.LayerNorm.bias"))
            h = lin(x, "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
            x = self.layer_norm(lin(h, "output.dense") + x, p(pre + "output.LayerNorm.weight"), p(pre + "output.LayerNorm.bias"))
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

def erf(x):
    # Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-a * a)
    return sign * y

def encode_all(m, texts, batch=64):
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        out[idx] = m.encode([texts[i] for i in idx])
    return out

DEFAULT_MODEL = ".tools/minilm/model"

if __name__ == "__main__":
    m = MiniLM(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_MODEL)
    e = m.encode(["A man is eating food.", "A man is eating a piece of bread.", "The new movie is awesome."])
    pair, unrelated = float(e[0] @ e[1]), float(e[0] @ e[2])
    # A paraphrase scores high, an unrelated sentence near zero (0.755 and
    # -0.046 here); a wrong layer or tokenization makes everything alike.
    print(f"food/bread {pair:.3f}, food/movie {unrelated:.3f}")
    sys.exit(0 if pair > 0.6 and abs(unrelated) < 0.2 else 1)
