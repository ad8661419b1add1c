// Secrets: API keys in the formats providers publish (a fixed prefix and a
// token alphabet and length), JSON Web Tokens whose header decodes to a JSON
// object with "alg", and PEM private key blocks (with or without their END
// line: a truncated key is still a leak).
import { Span } from "../../common/text/regex";
import { at, indexOfAscii, isAlnum, isDigit, isAlpha } from "./chars";

/** Token alphabets. */
const ALNUM: i32 = 0;
const ALNUM_DASH: i32 = 1; // [A-Za-z0-9_-]
const UPPER_DIGIT: i32 = 2;
const ALNUM_UNDERSCORE: i32 = 3;

class KeyFormat {
  first: i32;

  constructor(
    public prefix: string,
    public alphabet: i32,
    public min: i32,
    public max: i32,
  ) {
    this.first = prefix.charCodeAt(0);
  }
}

const FORMATS: Array<KeyFormat> = [
  new KeyFormat("sk-ant-", ALNUM_DASH, 32, 200), // Anthropic
  new KeyFormat("sk-", ALNUM_DASH, 20, 200), // OpenAI (sk-..., sk-proj-...)
  new KeyFormat("AKIA", UPPER_DIGIT, 16, 16), // AWS access key id
  new KeyFormat("ASIA", UPPER_DIGIT, 16, 16), // AWS temporary key id
  new KeyFormat("ghp_", ALNUM, 36, 36), // GitHub tokens
  new KeyFormat("gho_", ALNUM, 36, 36),
  new KeyFormat("ghu_", ALNUM, 36, 36),
  new KeyFormat("ghs_", ALNUM, 36, 36),
  new KeyFormat("ghr_", ALNUM, 36, 36),
  new KeyFormat("github_pat_", ALNUM_UNDERSCORE, 22, 255),
  new KeyFormat("glpat-", ALNUM_DASH, 20, 20), // GitLab
  new KeyFormat("xoxb-", ALNUM_DASH, 10, 255), // Slack
  new KeyFormat("xoxp-", ALNUM_DASH, 10, 255),
  new KeyFormat("xoxa-", ALNUM_DASH, 10, 255),
  new KeyFormat("AIza", ALNUM_DASH, 35, 35), // Google API key
  new KeyFormat("sk_live_", ALNUM, 16, 255), // Stripe
  new KeyFormat("rk_live_", ALNUM, 16, 255),
  new KeyFormat("sk_test_", ALNUM, 16, 255),
];

function inAlphabet(c: i32, alphabet: i32): bool {
  if (alphabet == UPPER_DIGIT) return isDigit(c) || (c >= 0x41 && c <= 0x5a);
  if (isAlnum(c)) return true;
  if (alphabet == ALNUM_DASH) return c == 0x2d || c == 0x5f;
  if (alphabet == ALNUM_UNDERSCORE) return c == 0x5f;
  return false;
}

function isTokenChar(c: i32): bool {
  return isAlnum(c) || c == 0x2d || c == 0x5f;
}

/**
 * True when a key of a known format may start with `c1 c2` after `prev`
 * (-1 at the start of the text): the first two characters of some prefix,
 * not inside a longer token. Rules out nearly every word before the format
 * list is read.
 */
function mayStartKey(prev: i32, c1: i32, c2: i32): bool {
  let pair = false;
  if (c1 == 0x73 || c1 == 0x72) pair = c2 == 0x6b; // sk rk
  else if (c1 == 0x41) pair = c2 == 0x4b || c2 == 0x53 || c2 == 0x49; // AK AS AI
  else if (c1 == 0x67) pair = c2 == 0x68 || c2 == 0x69 || c2 == 0x6c; // gh gi gl
  else if (c1 == 0x78) pair = c2 == 0x6f; // xo
  return pair && !isTokenChar(prev);
}

/**
 * True when the `n` UTF-16 units at `base` hold a known key prefix whole at
 * unit `i`, not inside a longer token: where findKeys() would look further.
 */
export function keyPrefixAt(base: usize, n: i32, i: i32): bool {
  if (i > 0 && isTokenChar(<i32>load<u16>(base + (<usize>(i - 1) << 1)))) return false;
  const c = <i32>load<u16>(base + (<usize>i << 1));
  for (let f = 0; f < FORMATS.length; f++) {
    const fmt = unchecked(FORMATS[f]);
    if (fmt.first != c || i + fmt.prefix.length > n) continue;
    if (memory.compare(base + (<usize>i << 1), changetype<usize>(fmt.prefix), <usize>fmt.prefix.length << 1) == 0) return true;
  }
  return false;
}

export function findSecrets(text: string, out: Array<Span>): void {
  findKeys(text, out);
  findJwts(text, out);
  findPrivateKeys(text, out);
}

function findKeys(text: string, out: Array<Span>): void {
  const n = text.length;
  const base = changetype<usize>(text);
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u16>(base + (<usize>i << 1));
    // Every prefix starts with one of s A g x r.
    if (c != 0x73 && c != 0x41 && c != 0x67 && c != 0x78 && c != 0x72) continue;
    if (i + 1 >= n) break;
    if (!mayStartKey(at(text, i - 1), c, <i32>load<u16>(base + (<usize>(i + 1) << 1)))) continue;
    for (let f = 0; f < FORMATS.length; f++) {
      const fmt = unchecked(FORMATS[f]);
      if (fmt.first != c || !startsWithAt(text, i, fmt.prefix)) continue;
      let e = i + fmt.prefix.length;
      while (e < n && inAlphabet(text.charCodeAt(e), fmt.alphabet)) e++;
      const len = e - i - fmt.prefix.length;
      if (len < fmt.min || len > fmt.max || isTokenChar(at(text, e))) continue;
      if (!mixed(text, i + fmt.prefix.length, e)) continue;
      out.push(new Span(i, e));
      i = e;
      break;
    }
  }
}

/** Real keys mix letters and digits; "sk-this-is-not-a-key-at-all" does not. */
function mixed(text: string, s: i32, e: i32): bool {
  let letters = false;
  let digits = false;
  for (let k = s; k < e; k++) {
    const c = text.charCodeAt(k);
    if (isDigit(c)) digits = true;
    else if (isAlpha(c)) letters = true;
  }
  return letters && digits;
}

function startsWithAt(text: string, i: i32, prefix: string): bool {
  if (i + prefix.length > text.length) return false;
  for (let k = 0; k < prefix.length; k++) if (text.charCodeAt(i + k) != prefix.charCodeAt(k)) return false;
  return true;
}

function isB64Url(c: i32): bool {
  return isAlnum(c) || c == 0x2d || c == 0x5f;
}

function findJwts(text: string, out: Array<Span>): void {
  let i = indexOfAscii(text, "eyJ");
  while (i >= 0) {
    const next = i + 3;
    if (!isB64Url(at(text, i - 1))) {
      const end = jwtAt(text, i);
      if (end > 0) {
        out.push(new Span(i, end));
        i = indexOfAscii(text, "eyJ", end);
        continue;
      }
    }
    i = indexOfAscii(text, "eyJ", next);
  }
}

/** End of header.payload.signature at i whose header decodes to JSON with "alg", or -1. */
function jwtAt(text: string, i: i32): i32 {
  let p = i;
  const starts = new Array<i32>();
  for (let part = 0; part < 3; part++) {
    starts.push(p);
    const s = p;
    while (p < text.length && isB64Url(text.charCodeAt(p))) p++;
    if (p - s < (part == 2 ? 16 : 10)) return -1;
    if (part < 2) {
      if (at(text, p) != 0x2e) return -1;
      p++;
    }
  }
  if (!text.startsWith("eyJ", starts[1])) return -1;
  const header = base64UrlDecode(text.substring(starts[0], starts[1] - 1));
  return header.startsWith("{") && header.includes('"alg"') ? p : -1;
}

function b64Value(c: i32): i32 {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26;
  if (isDigit(c)) return c - 0x30 + 52;
  if (c == 0x2d || c == 0x2b) return 62;
  if (c == 0x5f || c == 0x2f) return 63;
  return -1;
}

/** Base64url to a Latin-1 string (enough to look for ASCII JSON); stops at the first invalid character. */
function base64UrlDecode(s: string): string {
  const codes = new Array<i32>();
  let acc = 0;
  let bits = 0;
  const n = s.length < 2048 ? s.length : 2048;
  for (let k = 0; k < n; k++) {
    const v = b64Value(s.charCodeAt(k));
    if (v < 0) break;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      codes.push((acc >> bits) & 0xff);
    }
  }
  return String.fromCharCodes(codes);
}

const PEM_BEGIN = "-----BEGIN ";
const PEM_TAIL = "PRIVATE KEY-----";
const PEM_END = "-----END ";
/** A private key block longer than this is cut at this length (RSA 8192-bit PEM is about 6.3 KB). */
export const MAX_PEM_LENGTH: i32 = 16384;

function findPrivateKeys(text: string, out: Array<Span>): void {
  let i = indexOfAscii(text, PEM_BEGIN);
  while (i >= 0) {
    const lineEnd = indexOfAscii(text, "-----", i + PEM_BEGIN.length);
    if (lineEnd < 0) return;
    const headerEnd = lineEnd + 5;
    if (lineEnd - i > 64 || !text.substring(i, headerEnd).endsWith(PEM_TAIL)) {
      i = indexOfAscii(text, PEM_BEGIN, i + 1);
      continue;
    }
    const endAt = indexOfAscii(text, PEM_END, headerEnd);
    let end: i32;
    if (endAt >= 0 && endAt - i <= MAX_PEM_LENGTH) {
      const close = indexOfAscii(text, PEM_TAIL, endAt);
      end = close >= 0 && close - endAt < 64 ? close + PEM_TAIL.length : endAt + PEM_END.length;
    } else {
      end = headerEnd;
      while (end < text.length && end - i < MAX_PEM_LENGTH && isPemBody(text.charCodeAt(end))) end++;
    }
    out.push(new Span(i, end));
    i = indexOfAscii(text, PEM_BEGIN, end);
  }
}

export function isPemBody(c: i32): bool {
  return isAlnum(c) || c == 0x2b || c == 0x2f || c == 0x3d || c == 0x0a || c == 0x0d || c == 0x20 || c == 0x3a || c == 0x2c || c == 0x2d;
}

/** The longest PEM header or END line ("-----BEGIN ENCRYPTED PRIVATE KEY-----" is 37). */
export const MAX_PEM_LINE: i32 = 64;

/**
 * Where a private key header that is not complete yet starts in `text` (a
 * stream holds it back until it is), or -1. A complete header is a match
 * already (findPrivateKeys), judged at once.
 */
export function openPrivateKey(text: string): i32 {
  const from = text.length - MAX_PEM_LINE;
  const i = text.lastIndexOf(PEM_BEGIN);
  if (i < 0 || i < from) return -1;
  return indexOfAscii(text, "-----", i + PEM_BEGIN.length) < 0 ? i : -1;
}

/** True when [start, end) is a private key block without its END line that runs to the end of `text` and may go on. */
export function isOpenPrivateKey(text: string, start: i32, end: i32): bool {
  if (end != text.length || end - start >= MAX_PEM_LENGTH || !text.startsWith(PEM_BEGIN, start)) return false;
  const e = indexOfAscii(text, PEM_END, start);
  return e < 0 || e >= end;
}
