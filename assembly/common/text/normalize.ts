// Text normalization against evasion, with a map back to the original.
//
// `text` folds full-width ASCII forms (U+FF01..U+FF5E), the ideographic
// space (U+3000) and the no-break spaces (U+00A0, U+202F) to their ASCII counterparts and removes invisible
// characters (zero-width space/joiners, word joiner, BOM, soft hyphen,
// bidi marks), keeping case. Case-insensitive matchers fold ASCII case as
// they read (AhoCorasick.findAll's foldAscii), or use lowerString. A span
// [s, e) maps back to the original with originalStart(s) / originalEnd(e),
// so a match found in normalized text can be masked in the text that was
// sent.

/** Shared by every text that normalization left as it was (never read: identity is set). */
const IDENTITY_OFFSETS = new Int32Array(1);

export class NormalizedText {
  /** Folded text, case kept. */
  text: string = "";
  /** offsets[i] = index in the original of normalized unit i; offsets[length] = original length. */
  offsets: Int32Array = IDENTITY_OFFSETS;
  /** True when nothing was folded or removed (offsets are then the identity). */
  identity: bool = true;

  get length(): i32 {
    return this.text.length;
  }

  originalStart(i: i32): i32 {
    return this.identity ? i : unchecked(this.offsets[i]);
  }

  /** Original index just past normalized unit e-1. */
  originalEnd(e: i32): i32 {
    if (this.identity) return e;
    if (e <= 0) return 0;
    return unchecked(this.offsets[e - 1]) + 1;
  }
}

/** Invisible characters used to split words without changing how they look. */
export function isInvisible(c: i32): bool {
  if (c < 0x00ad) return false;
  return (
    c == 0x00ad || // soft hyphen
    c == 0x034f || // combining grapheme joiner
    c == 0x180e || // mongolian vowel separator
    (c >= 0x200b && c <= 0x200f) || // zero-width space, non-joiner, joiner, LRM, RLM
    (c >= 0x202a && c <= 0x202e) || // bidi embeddings and overrides
    (c >= 0x2060 && c <= 0x2064) || // word joiner, invisible operators
    c == 0xfeff // zero-width no-break space (BOM)
  );
}

/** The ASCII form of a full-width character, or the character itself. */
export function foldWidth(c: i32): i32 {
  if (c >= 0xff01 && c <= 0xff5e) return c - 0xfee0;
  // The ideographic space and the no-break spaces that group digits ("01\u00a023\u00a045").
  if (c == 0x3000 || c == 0xa0 || c == 0x202f) return 0x20;
  return c;
}

function lowerAscii(c: i32): i32 {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

/** `into`: a NormalizedText to fill (reused scan after scan) instead of a new one. */
export function normalize(s: string, into: NormalizedText | null = null): NormalizedText {
  const out = into === null ? new NormalizedText() : into;
  out.offsets = IDENTITY_OFFSETS;
  out.identity = true;
  const n = s.length;
  let changed = false;
  const base = changetype<usize>(s);
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u16>(base + (<usize>i << 1));
    if (c >= 0xa0 && (isInvisible(c) || foldWidth(c) != c)) {
      changed = true;
      break;
    }
  }
  if (!changed) {
    out.text = s;
    return out;
  }
  const text = new Array<i32>(0);
  const offsets = new Int32Array(n + 1);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (isInvisible(c)) continue;
    text.push(foldWidth(c));
    unchecked((offsets[k++] = i));
  }
  offsets[k] = n;
  out.text = String.fromCharCodes(text);
  out.offsets = offsets;
  out.identity = false;
  return out;
}

/**
 * normalize()'s text in place over `n` UTF-16 units at `base` (no offsets
 * kept); returns the new length.
 */
export function normalizeUnits(base: usize, n: i32): i32 {
  let k = 0;
  let i = 0;
  while (i < n) {
    // Nothing below U+0080 changes: while nothing was removed, such units stay where they are, four at a time.
    if (k == i && i + 4 <= n && (load<u64>(base + (<usize>i << 1)) & 0xff80ff80ff80ff80) == 0) {
      i += 4;
      k += 4;
      continue;
    }
    let c = <i32>load<u16>(base + (<usize>(i++) << 1));
    if (c >= 0xa0) {
      if (isInvisible(c)) continue;
      c = foldWidth(c);
    }
    store<u16>(base + (<usize>(k++) << 1), <u16>c);
  }
  return k;
}

/**
 * The last unit normalize(s) would keep, looking at no more than the last
 * `window` units of `s`; -1 when they normalize to nothing.
 */
export function lastNormalizedUnit(s: string, window: i32): i32 {
  const stop = max(s.length - window, 0);
  for (let i = s.length - 1; i >= stop; i--) {
    const c = s.charCodeAt(i);
    if (!isInvisible(c)) return foldWidth(c);
  }
  return -1;
}

/** ASCII letters lower-cased; other characters unchanged. */
export function lowerString(s: string): string {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) break;
    i++;
  }
  if (i == n) return s;
  const codes = new Array<i32>(n);
  for (let j = 0; j < n; j++) unchecked((codes[j] = lowerAscii(s.charCodeAt(j))));
  return String.fromCharCodes(codes);
}
