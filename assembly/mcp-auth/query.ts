// URL query text as servers read it (application/x-www-form-urlencoded, as
// URLSearchParams and Python's parse_qs decode it).

/** The value of hex digit `c`; -1 for another character. */
export function hexValue(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** application/x-www-form-urlencoded decoding as URLSearchParams does it (bad escapes stay literal). */
export function formDecode(s: string): string {
  if (!s.includes("%") && !s.includes("+")) return s;
  const src = String.UTF8.encode(s);
  const n = src.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(changetype<usize>(src) + <usize>i);
    if (c == 43) {
      out[o++] = 32;
      continue;
    }
    if (c == 37 && i + 2 < n) {
      const hi = hexValue(<i32>load<u8>(changetype<usize>(src) + <usize>(i + 1)));
      const lo = hexValue(<i32>load<u8>(changetype<usize>(src) + <usize>(i + 2)));
      if (hi >= 0 && lo >= 0) {
        out[o++] = <u8>((hi << 4) | lo);
        i += 2;
        continue;
      }
    }
    out[o++] = <u8>c;
  }
  return String.UTF8.decode(out.buffer.slice(0, o));
}
