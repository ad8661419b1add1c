// The parser's inner scanners: plain functions over (base, position, length)
// with no managed references, so the optimizer keeps them in registers (with
// the incremental GC, every access through an object spills to the shadow
// stack). They return the position after what they scanned, or -1 after
// recording why in `scanError`/`scanErrorAt`.
import { hex4, UTF8_TRUNCATED, utf8SequenceLength } from "./utf8";

export const R_EMPTY = 1;
export const R_EOF_VALUE = 2;
export const R_EOF_OBJECT = 3;
export const R_EOF_ARRAY = 4;
export const R_OBJECT_SEPARATOR = 5;
export const R_ARRAY_SEPARATOR = 6;
export const R_DEPTH = 7;
export const R_EOF_NAME = 8;
export const R_NAME = 9;
export const R_EOF_COLON = 10;
export const R_COLON = 11;
export const R_VALUE = 12;
export const R_EOF_LITERAL = 13;
export const R_LITERAL = 14;
export const R_EOF_NUMBER = 15;
export const R_DIGIT = 16;
export const R_LEADING_ZERO = 17;
export const R_EOF_STRING = 18;
export const R_EOF_ESCAPE = 19;
export const R_HEX = 20;
export const R_ESCAPE = 21;
export const R_CONTROL = 22;
export const R_EOF_UTF8 = 23;
export const R_UTF8 = 24;
export const R_TRAILING = 25;

export let scanError: i32 = 0;
export let scanErrorAt: i32 = 0;
/** Set by scanString: the string had backslash escapes. */
export let scanEscaped: bool = false;
/** Set by scanNumber: no fraction or exponent. */
export let scanInteger: bool = false;

// @ts-ignore: decorator
@inline
export function failAt(reason: i32, at: i32): i32 {
  scanError = reason;
  scanErrorAt = at;
  return -1;
}

// @ts-ignore: decorator
@inline
export function byteAt(base: usize, p: i32): u32 {
  return <u32>load<u8>(base + <usize>p);
}

// @ts-ignore: decorator
@inline
export function skipWs(base: usize, p: i32, n: i32): i32 {
  while (p < n) {
    const b = byteAt(base, p);
    if (b != 0x20 && b != 0x0a && b != 0x0d && b != 0x09) break;
    p++;
  }
  return p;
}

// SWAR: test 8 string bytes at once for '"', '\\', < 0x20 or >= 0x80.
const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

// @ts-ignore: decorator
@inline
function hasZeroByte(x: u64): u64 {
  return (x - ONES) & ~x & HIGHS;
}

/**
 * High bit set in each byte lane that needs a closer look. Lanes above the
 * first flagged one may be flagged falsely (borrows), the first one never is,
 * so ctz(mask) >> 3 is the offset of the first byte to look at.
 */
// @ts-ignore: decorator
@inline
function careMask(w: u64): u64 {
  const quote = hasZeroByte(w ^ (ONES * 0x22));
  const backslash = hasZeroByte(w ^ (ONES * 0x5c));
  const control = (w - ONES * 0x20) & ~w & HIGHS;
  return (w & HIGHS) | quote | backslash | control;
}

/** Scans the string whose opening quote is at p; returns the position after the closing quote. */
export function scanString(base: usize, p: i32, n: i32): i32 {
  let escaped = false;
  p++;
  while (true) {
    while (p + 8 <= n) {
      const mask = careMask(load<u64>(base + <usize>p));
      if (mask != 0) {
        p += <i32>(ctz(mask) >> 3);
        break;
      }
      p += 8;
    }
    if (p >= n) return failAt(R_EOF_STRING, p);
    const b = byteAt(base, p);
    if (b == 0x22) break;
    if (b == 0x5c) {
      escaped = true;
      if (p + 1 >= n) return failAt(R_EOF_ESCAPE, p + 1);
      const e = byteAt(base, p + 1);
      if (e == 0x75) {
        if (p + 6 > n) return failAt(R_EOF_ESCAPE, n);
        if (hex4(base, p + 2) < 0) return failAt(R_HEX, p);
        p += 6;
      } else if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
        p += 2;
      } else {
        return failAt(R_ESCAPE, p + 1);
      }
    } else if (b < 0x20) {
      return failAt(R_CONTROL, p);
    } else if (b < 0x80) {
      p++;
    } else if (b >= 0xc2 && b < 0xe0 && p + 1 < n && (byteAt(base, p + 1) & 0xc0) == 0x80) {
      p += 2; // common 2-byte sequence (Latin, Greek, Cyrillic ...)
    } else if (b >= 0xe1 && b < 0xf0 && b != 0xed && p + 2 < n && (byteAt(base, p + 1) & 0xc0) == 0x80 && (byteAt(base, p + 2) & 0xc0) == 0x80) {
      p += 3; // common 3-byte sequence (CJK ...); E0 and ED need the range checks below
    } else {
      const l = utf8SequenceLength(base, p, n);
      if (l == UTF8_TRUNCATED) return failAt(R_EOF_UTF8, n);
      if (l <= 0) return failAt(R_UTF8, p);
      p += l;
    }
  }
  scanEscaped = escaped;
  return p + 1;
}

// @ts-ignore: decorator
@inline
function isDigit(b: u32): bool {
  return b - 0x30 <= 9;
}

// @ts-ignore: decorator
@inline
function digits(base: usize, p: i32, n: i32): i32 {
  while (p < n && isDigit(byteAt(base, p))) p++;
  return p;
}

/** Scans the number starting at p ('-' or a digit). */
export function scanNumber(base: usize, p: i32, n: i32): i32 {
  let integer = true;
  if (byteAt(base, p) == 0x2d) p++;
  if (p >= n) return failAt(R_EOF_NUMBER, p);
  const first = byteAt(base, p);
  if (!isDigit(first)) return failAt(R_DIGIT, p);
  p++;
  if (first == 0x30) {
    if (p < n && isDigit(byteAt(base, p))) return failAt(R_LEADING_ZERO, p);
  } else {
    p = digits(base, p, n);
  }
  if (p < n && byteAt(base, p) == 0x2e) {
    integer = false;
    p++;
    if (p >= n) return failAt(R_EOF_NUMBER, p);
    if (!isDigit(byteAt(base, p))) return failAt(R_DIGIT, p);
    p = digits(base, p, n);
  }
  if (p < n && (byteAt(base, p) | 0x20) == 0x65) {
    integer = false;
    p++;
    if (p < n && (byteAt(base, p) == 0x2b || byteAt(base, p) == 0x2d)) p++;
    if (p >= n) return failAt(R_EOF_NUMBER, p);
    if (!isDigit(byteAt(base, p))) return failAt(R_DIGIT, p);
    p = digits(base, p, n);
  }
  scanInteger = integer;
  return p;
}

/** Matches the literal true/false/null whose first byte is at p; `word` packs its bytes little-endian. */
// @ts-ignore: decorator
@inline
export function scanLiteral(base: usize, p: i32, n: i32, word: u64, size: i32): i32 {
  for (let i = 0; i < size; i++) {
    if (p + i >= n) return failAt(R_EOF_LITERAL, p + i);
    if (byteAt(base, p + i) != <u32>((word >> (<u64>i << 3)) & 0xff)) return failAt(R_LITERAL, p + i);
  }
  return p + size;
}

/** Scans `"name"` and the ':' after it, leaving the position at the member's value. */
export function scanName(base: usize, p: i32, n: i32): i32 {
  if (p >= n) return failAt(R_EOF_NAME, p);
  if (byteAt(base, p) != 0x22) return failAt(R_NAME, p);
  p = scanString(base, p, n);
  if (p < 0) return -1;
  nameEnd = p;
  p = skipWs(base, p, n);
  if (p >= n) return failAt(R_EOF_COLON, p);
  if (byteAt(base, p) != 0x3a) return failAt(R_COLON, p);
  return skipWs(base, p + 1, n);
}

/** Set by scanName: the position after the name's closing quote. */
export let nameEnd: i32 = 0;
