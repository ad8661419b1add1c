// Base64url (RFC 4648 section 5) as used by JOSE: no padding, '-' and '_'.
// Decoding also accepts the standard alphabet and trailing '=' padding, and
// returns null for anything else (never traps on hostile input).

function value(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65; // A-Z
  if (c >= 97 && c <= 122) return c - 71; // a-z
  if (c >= 48 && c <= 57) return c + 4; // 0-9
  if (c == 45 || c == 43) return 62; // - +
  if (c == 95 || c == 47) return 63; // _ /
  return -1;
}

/** Decodes `s[start, end)`; null when a character is outside the alphabet or the length is impossible. */
export function base64UrlDecode(s: string, start: i32 = 0, end: i32 = -1): Uint8Array | null {
  if (end < 0) end = s.length;
  while (end > start && s.charCodeAt(end - 1) == 61) end--; // '='
  const n = end - start;
  if (n % 4 == 1) return null;
  const out = new Uint8Array((n * 3) >> 2);
  let acc: u32 = 0;
  let bits = 0;
  let o = 0;
  for (let i = start; i < end; i++) {
    const v = value(s.charCodeAt(i));
    if (v < 0) return null;
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = <u8>(acc >> <u32>bits);
    }
  }
  // Leftover bits must be zero (canonical encoding).
  if ((acc & ((1 << <u32>bits) - 1)) != 0) return null;
  return out;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export function base64UrlEncode(data: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < data.length; i += 3) {
    const v = (<u32>data[i] << 16) | (<u32>data[i + 1] << 8) | <u32>data[i + 2];
    out += ALPHABET.charAt(v >> 18) + ALPHABET.charAt((v >> 12) & 63) + ALPHABET.charAt((v >> 6) & 63) + ALPHABET.charAt(v & 63);
  }
  const rest = data.length - i;
  if (rest == 1) {
    const v = <u32>data[i] << 16;
    out += ALPHABET.charAt(v >> 18) + ALPHABET.charAt((v >> 12) & 63);
  } else if (rest == 2) {
    const v = (<u32>data[i] << 16) | (<u32>data[i + 1] << 8);
    out += ALPHABET.charAt(v >> 18) + ALPHABET.charAt((v >> 12) & 63) + ALPHABET.charAt((v >> 6) & 63);
  }
  return out;
}
