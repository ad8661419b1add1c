// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing past
// U+10FFFF) and decoding of JSON string contents into AssemblyScript strings.

/** The sequence needs more bytes than the input has. */
export const UTF8_TRUNCATED: i32 = -1;
/** The bytes are not well-formed UTF-8. */
export const UTF8_INVALID: i32 = 0;

/**
 * Length of the well-formed sequence starting at `p` (whose lead byte is
 * >= 0x80), or UTF8_INVALID / UTF8_TRUNCATED. Reads only below `len`.
 */
export function utf8SequenceLength(base: usize, p: i32, len: i32): i32 {
  const b0 = <u32>load<u8>(base + <usize>p);
  let need: i32;
  let lo: u32 = 0x80;
  let hi: u32 = 0xbf;
  if (b0 < 0xc2) return UTF8_INVALID; // stray continuation byte, or overlong C0/C1
  if (b0 < 0xe0) {
    need = 1;
  } else if (b0 < 0xf0) {
    need = 2;
    if (b0 == 0xe0) lo = 0xa0; // overlong
    else if (b0 == 0xed) hi = 0x9f; // UTF-16 surrogates (CESU-8)
  } else if (b0 < 0xf5) {
    need = 3;
    if (b0 == 0xf0) lo = 0x90; // overlong
    else if (b0 == 0xf4) hi = 0x8f; // above U+10FFFF
  } else {
    return UTF8_INVALID;
  }
  for (let k = 1; k <= need; k++) {
    if (p + k >= len) return UTF8_TRUNCATED;
    const b = <u32>load<u8>(base + <usize>(p + k));
    if (k == 1) {
      if (b < lo || b > hi) return UTF8_INVALID;
    } else if ((b & 0xc0) != 0x80) {
      return UTF8_INVALID;
    }
  }
  return need + 1;
}

function hexValue(b: u32): i32 {
  if (b >= 0x30 && b <= 0x39) return <i32>(b - 0x30);
  const l = b | 0x20;
  if (l >= 0x61 && l <= 0x66) return <i32>(l - 0x61 + 10);
  return -1;
}

/** Value of the 4 hex digits at `p`, or -1. The caller checked p + 4 <= len. */
export function hex4(base: usize, p: i32): i32 {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const h = hexValue(<u32>load<u8>(base + <usize>(p + k)));
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

/**
 * Decodes the contents of a JSON string (between the quotes, bytes
 * [start, end)) that the parser already validated. `\u` escapes of lone
 * surrogates stay lone UTF-16 code units, as JSON.parse keeps them. At most
 * `maxUnits` UTF-16 units (a prefix; a surrogate pair from UTF-8 is never
 * split).
 */
export function decodeJsonString(base: usize, start: i32, end: i32, escaped: bool, maxUnits: i32 = i32.MAX_VALUE): string {
  if (end <= start) return "";
  if (!escaped) {
    // A byte is at most one unit: only a longer string can need cutting.
    if (end - start > maxUnits) end = utf8UnitsEnd(base, start, end, maxUnits);
    return String.UTF8.decodeUnsafe(base + <usize>start, <usize>(end - start));
  }
  // UTF-16 never needs more code units than the UTF-8/escaped form has bytes.
  const cap = min(end - start, maxUnits);
  const units = new StaticArray<u16>(cap);
  const n = decodeJsonUnits(base, start, end, changetype<usize>(units), cap);
  return String.UTF16.decodeUnsafe(changetype<usize>(units), <usize>n << 1);
}

/**
 * decodeJsonString's work into caller memory: writes the UTF-16 units of
 * JSON string contents [start, end) (escaped or not) to `out`, at most
 * `cap` of them; returns how many it wrote.
 */
export function decodeJsonUnits(base: usize, start: i32, end: i32, out: usize, cap: i32): i32 {
  let n = 0;
  let p = start;
  while (p < end && n < cap) {
    // Plain ASCII (no escape), eight bytes at a time: most of any text.
    if (p + 8 <= end && n + 8 <= cap) {
      const w = load<u64>(base + <usize>p);
      const x = w ^ 0x5c5c5c5c5c5c5c5c; // a backslash becomes a zero byte
      if ((w & 0x8080808080808080) == 0 && ((x - 0x0101010101010101) & ~x & 0x8080808080808080) == 0) {
        const at = out + (<usize>n << 1);
        store<u64>(at, widenBytes(<u32>w));
        store<u64>(at, widenBytes(<u32>(w >> 32)), 8);
        p += 8;
        n += 8;
        continue;
      }
    }
    const b = <u32>load<u8>(base + <usize>p);
    if (b == 0x5c && p + 1 < end) {
      const e = <u32>load<u8>(base + <usize>(p + 1));
      p += 2;
      let u: i32 = <i32>e;
      if (e == 0x62) u = 0x08;
      else if (e == 0x66) u = 0x0c;
      else if (e == 0x6e) u = 0x0a;
      else if (e == 0x72) u = 0x0d;
      else if (e == 0x74) u = 0x09;
      else if (e == 0x75) {
        u = p + 4 <= end ? hex4(base, p) : -1;
        if (u < 0) u = 0xfffd;
        else p += 4;
      }
      store<u16>(out + (<usize>(n++) << 1), <u16>u);
    } else if (b < 0x80) {
      store<u16>(out + (<usize>(n++) << 1), <u16>b);
      p++;
    } else {
      const l = utf8SequenceLength(base, p, end);
      if (l <= 0) {
        store<u16>(out + (<usize>(n++) << 1), 0xfffd);
        p++;
        continue;
      }
      let cp: u32;
      if (l == 2) {
        cp = ((b & 0x1f) << 6) | (load<u8>(base + <usize>(p + 1)) & 0x3f);
      } else if (l == 3) {
        cp = ((b & 0x0f) << 12) | ((<u32>load<u8>(base + <usize>(p + 1)) & 0x3f) << 6) | (load<u8>(base + <usize>(p + 2)) & 0x3f);
      } else {
        cp =
          ((b & 0x07) << 18) |
          ((<u32>load<u8>(base + <usize>(p + 1)) & 0x3f) << 12) |
          ((<u32>load<u8>(base + <usize>(p + 2)) & 0x3f) << 6) |
          (load<u8>(base + <usize>(p + 3)) & 0x3f);
      }
      p += l;
      if (cp >= 0x10000) {
        if (n + 1 >= cap) break;
        cp -= 0x10000;
        store<u16>(out + (<usize>(n++) << 1), <u16>(0xd800 | (cp >> 10)));
        store<u16>(out + (<usize>(n++) << 1), <u16>(0xdc00 | (cp & 0x3ff)));
      } else {
        store<u16>(out + (<usize>(n++) << 1), <u16>cp);
      }
    }
  }
  return n;
}

/** Four bytes (the lowest first) as four UTF-16 units. */
// @ts-ignore: decorator
@inline
function widenBytes(x: u32): u64 {
  let v = <u64>x;
  v = (v | (v << 16)) & 0x0000ffff0000ffff;
  return (v | (v << 8)) & 0x00ff00ff00ff00ff;
}

/** Where the first `maxUnits` UTF-16 units of valid UTF-8 bytes [start, end) end (at a character boundary). */
function utf8UnitsEnd(base: usize, start: i32, end: i32, maxUnits: i32): i32 {
  let units = 0;
  let p = start;
  while (p < end) {
    const b = <u32>load<u8>(base + <usize>p);
    const l = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    const u = l == 4 ? 2 : 1;
    if (units + u > maxUnits) break;
    units += u;
    p += l;
  }
  return p > end ? end : p;
}
