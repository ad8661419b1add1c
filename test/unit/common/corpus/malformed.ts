// Generators of malformed (and accidentally valid) JSON inputs, and the judge
// that says whether a strict RFC 8259 parser must accept them.
import { Prng } from "./prng.ts";

/** Every prefix of `body` shorter than the whole. */
export function* truncations(body: Buffer): Generator<Buffer> {
  for (let n = 0; n < body.length; n++) yield body.subarray(0, n);
}

const INTERESTING = [..."{}[]:,\"\\ \t\n\r0123456789-+.eEtfnulrsa/"].map((c) => c.charCodeAt(0)).concat([0x00, 0x1f, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff]);

/** `body` with 1 to 3 random edits: byte flips, replacements, insertions, deletions, span duplications. */
export function mutate(body: Buffer, rng: Prng): Buffer {
  let b = Buffer.from(body);
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(6)) {
      case 0: // flip one bit
        if (at < b.length) b[at] ^= 1 << rng.int(8);
        break;
      case 1: // replace with an interesting byte
        if (at < b.length) b[at] = rng.pick(INTERESTING);
        break;
      case 2: // insert an interesting byte
        b = Buffer.concat([b.subarray(0, at), Buffer.from([rng.pick(INTERESTING)]), b.subarray(at)]);
        break;
      case 3: // delete a short run
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(4)))]);
        break;
      case 4: {
        // duplicate a span somewhere else
        const from = rng.int(b.length + 1);
        const span = b.subarray(from, Math.min(b.length, from + 1 + rng.int(16)));
        b = Buffer.concat([b.subarray(0, at), span, b.subarray(at)]);
        break;
      }
      default: // random byte
        if (at < b.length) b[at] = rng.int(256);
    }
  }
  return b;
}

/** Ill-formed UTF-8 byte sequences (each would be rejected by a fatal UTF-8 decoder). */
export const INVALID_UTF8: { name: string; bytes: number[] }[] = [
  { name: "0xFF", bytes: [0xff] },
  { name: "0xFE", bytes: [0xfe] },
  { name: "stray continuation", bytes: [0x80] },
  { name: "stray continuation run", bytes: [0xbf, 0xbf] },
  { name: "overlong NUL (C0 80)", bytes: [0xc0, 0x80] },
  { name: "overlong slash (C1 AF)", bytes: [0xc1, 0xaf] },
  { name: "overlong 3-byte (E0 80 AF)", bytes: [0xe0, 0x80, 0xaf] },
  { name: "overlong 4-byte (F0 80 80 AF)", bytes: [0xf0, 0x80, 0x80, 0xaf] },
  { name: "CESU lone high surrogate (ED A0 80)", bytes: [0xed, 0xa0, 0x80] },
  { name: "CESU lone low surrogate (ED B0 80)", bytes: [0xed, 0xb0, 0x80] },
  { name: "CESU surrogate pair", bytes: [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80] },
  { name: "above U+10FFFF (F4 90 80 80)", bytes: [0xf4, 0x90, 0x80, 0x80] },
  { name: "F5 lead", bytes: [0xf5, 0x80, 0x80, 0x80] },
  { name: "2-byte lead without continuation", bytes: [0xc3, 0x41] },
  { name: "3-byte lead cut short", bytes: [0xe2, 0x82, 0x41] },
  { name: "4-byte lead cut short", bytes: [0xf0, 0x9f, 0x98, 0x41] },
  { name: "lead then quote", bytes: [0xe2] },
];

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Deepest container nesting, counting only brackets outside strings. */
export function nesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") deepest = Math.max(deepest, ++depth);
    else if (c === "}" || c === "]") depth--;
  }
  return deepest;
}

/**
 * What a strict parser must do with `bytes`: the JSON.parse value when the
 * bytes are well-formed UTF-8 that JSON.parse accepts (and nest no deeper than
 * `maxDepth`), else undefined (reject). JSON.parse alone cannot judge bytes
 * that are not UTF-8, because decoding them to a JS string replaces them.
 */
export function judge(bytes: Uint8Array, maxDepth = 64): { accept: true; value: unknown } | { accept: false } {
  let text: string;
  try {
    text = fatal.decode(bytes);
  } catch {
    return { accept: false };
  }
  try {
    const value = JSON.parse(text);
    if (nesting(text) > maxDepth) return { accept: false };
    return { accept: true, value };
  } catch {
    return { accept: false };
  }
}
