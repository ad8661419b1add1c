# The static embedding file read by assembly/semantic-router/static/table.ts.
# Little endian; a header of 32 u32 (byte offsets are from the file start,
# every section 4-byte aligned):
#   0 magic "SRE2"   1 vocabulary size V   2 dims D   3 longest token (code points, without "##")
#   4 [UNK] id       5 scales: V f32       6 vectors: V x D i8
#   7 token ends: V u32 (end of token i in the pool; token i starts where i-1 ends)
#   8 token pool: UTF-8           9 hash slots S (power of two)
#  10 hash table: S slots of 16 bytes (FNV-1a of the UTF-8, linear probing): u32 token
#     id + 1 (0 empty), u8 the token's UTF-8 length, then the token itself when it
#     fits in the 11 bytes left (most do: a lookup then reads one cache line)
#  11 char map entries M   12 char map keys: M u32 code points, ascending
#  13 char map values: M u32 (start << 8 | count) into the code point pool
#  14 code point pool: u32    15 class ranges R
#  16 ranges: R x (first u32, last u32, class u32), ascending; class 1 whitespace,
#     2 punctuation (its own word), 3 isolated (a CJK character: its own word)
#  17 total bytes
#
# The normalizer's character tables (what each code point becomes, which ones
# split words) are read off the model's own tokenizer (BertNormalizer +
# BertPreTokenizer of the `tokenizers` package), one code point at a time,
# so the filter follows that tokenizer's Unicode data exactly; the
# segmentation and WordPiece are the filter's own code (tested against the
# tokenizer on generated text: test/unit/semantic-router/static-embed.test.ts).
import struct
import numpy as np

MAGIC = 0x32455253
SLOT_BYTES = 16
INLINE = SLOT_BYTES - 5
HEADER_WORDS = 32
WHITESPACE, PUNCTUATION, ISOLATED = 1, 2, 3


def fnv1a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def code_points():
    return (c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


def char_tables(tok):
    """(mapping {cp: [cps]} where the normalizer changes a character, class ranges)."""
    norm, pre = tok.normalizer, tok.pre_tokenizer
    mapping, classes = {}, []
    for c in code_points():
        ch = chr(c)
        out = norm.normalize_str(ch)
        if out == " " + ch + " ":
            cls = ISOLATED
        else:
            if out != ch:
                mapping[c] = [ord(x) for x in out]
            words = pre.pre_tokenize_str("a" + ch + "b")
            cls = WHITESPACE if len(words) == 2 else PUNCTUATION if len(words) == 3 else 0
        if cls == 0:
            continue
        if classes and classes[-1][2] == cls and classes[-1][1] == c - 1:
            classes[-1][1] = c
        else:
            classes.append([c, c, cls])
    return mapping, classes


class Writer:
    def __init__(self):
        self.parts = [b"\0" * (HEADER_WORDS * 4)]
        self.size = HEADER_WORDS * 4
        self.header = [0] * HEADER_WORDS

    def section(self, data: bytes) -> int:
        at = self.size
        pad = (-len(data)) % 4
        self.parts.append(data + b"\0" * pad)
        self.size += len(data) + pad
        return at

    def bytes(self) -> bytes:
        self.header[17] = self.size
        return struct.pack(f"<{HEADER_WORDS}I", *self.header) + b"".join(self.parts[1:])


def write_table(tok, q: np.ndarray, scale: np.ndarray) -> bytes:
    vocab = sorted(tok.get_vocab().items(), key=lambda kv: kv[1])
    size, dims = q.shape
    assert [i for _, i in vocab] == list(range(size))
    w = Writer()
    h = w.header
    h[0], h[1], h[2] = MAGIC, size, dims
    h[3] = max(len(t[2:] if t.startswith("##") else t) for t, _ in vocab)
    h[4] = tok.token_to_id("[UNK]")
    h[5] = w.section(scale.astype("<f4").tobytes())
    h[6] = w.section(q.astype(np.int8).tobytes())
    encoded = [t.encode("utf-8") for t, _ in vocab]
    ends = np.cumsum([len(e) for e in encoded]).astype("<u4")
    h[7] = w.section(ends.tobytes())
    h[8] = w.section(b"".join(encoded))
    slots = 1
    while slots < 2 * size:
        slots *= 2
    table = bytearray(slots * SLOT_BYTES)
    for i, e in enumerate(encoded):
        assert len(e) < 256
        at = fnv1a(e) & (slots - 1)
        while struct.unpack_from("<I", table, at * SLOT_BYTES)[0] != 0:
            at = (at + 1) & (slots - 1)
        struct.pack_into("<IB", table, at * SLOT_BYTES, i + 1, len(e))
        if len(e) <= INLINE:
            table[at * SLOT_BYTES + 5 : at * SLOT_BYTES + 5 + len(e)] = e
    h[9], h[10] = slots, w.section(bytes(table))
    mapping, classes = char_tables(tok)
    keys = sorted(mapping)
    pool, values = [], []
    for k in keys:
        values.append(len(pool) << 8 | len(mapping[k]))
        pool.extend(mapping[k])
    h[11] = len(keys)
    h[12] = w.section(np.array(keys, dtype="<u4").tobytes())
    h[13] = w.section(np.array(values, dtype="<u4").tobytes())
    h[14] = w.section(np.array(pool, dtype="<u4").tobytes())
    h[15] = len(classes)
    h[16] = w.section(np.array(classes, dtype="<u4").reshape(-1).tobytes())
    return w.bytes()
