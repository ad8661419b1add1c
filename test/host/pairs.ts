// The ABI's serialized header list: u32 count, count x (u32 name length,
// u32 value length), then each name and value followed by a NUL byte.
import { fromUtf8, utf8 } from "./memory.ts";

export type Pair = [string, string];

export function encodePairs(pairs: readonly Pair[]): Uint8Array {
  const encoded = pairs.map(([k, v]) => [utf8(k), utf8(v)] as const);
  let size = 4 + encoded.length * 8;
  for (const [k, v] of encoded) size += k.length + v.length + 2;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, encoded.length, true);
  let data = 4 + encoded.length * 8;
  encoded.forEach(([k, v], i) => {
    view.setUint32(4 + i * 8, k.length, true);
    view.setUint32(8 + i * 8, v.length, true);
    out.set(k, data);
    data += k.length + 1;
    out.set(v, data);
    data += v.length + 1;
  });
  return out;
}

/** Limits PairsUtil::toPairs enforces. */
export const PAIRS_MAX_BYTES = 1024 * 1024;
export const PAIRS_MAX_COUNT = 1024;

/**
 * Decodes a pair list the way PairsUtil::toPairs does: anything malformed
 * (sizes past the end, a missing NUL, trailing bytes, over the limits) gives [].
 */
export function decodePairs(buf: Uint8Array): Pair[] {
  if (buf.length < 4 || buf.length > PAIRS_MAX_BYTES) return [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = view.getUint32(0, true);
  if (count > PAIRS_MAX_COUNT || 4 + count * 8 > buf.length) return [];
  const out: Pair[] = [];
  let pos = 4 + count * 8;
  for (let i = 0; i < count; i++) {
    const klen = view.getUint32(4 + i * 8, true);
    const vlen = view.getUint32(8 + i * 8, true);
    if (pos + klen + 1 > buf.length || buf[pos + klen] !== 0) return [];
    const k = fromUtf8(buf.subarray(pos, pos + klen));
    pos += klen + 1;
    if (pos + vlen + 1 > buf.length || buf[pos + vlen] !== 0) return [];
    const v = fromUtf8(buf.subarray(pos, pos + vlen));
    pos += vlen + 1;
    out.push([k, v]);
  }
  return pos === buf.length ? out : [];
}
