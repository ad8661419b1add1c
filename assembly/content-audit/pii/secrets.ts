// Secrets: API keys in the formats providers publish (a fixed prefix and a
// token alphabet and length), JSON Web Tokens whose header decodes to a JSON
// object with "alg", and PEM private key blocks (with or without their END
// line: a truncated key is still a leak).
import { Span } from "../../common/text/regex";
import { at, indexOfAscii, isAlnum, isDigit, isAlpha, isHex } from "./chars";

/** Token alphabets. */
const ALNUM: u8 = 0;
const ALNUM_DASH: u8 = 1; // [A-Za-z0-9_-]
const UPPER_DIGIT: u8 = 2;
const ALNUM_UNDERSCORE: u8 = 3;
const HEX: u8 = 4; // [0-9a-fA-F]
const HEX_LOWER: u8 = 5;
const ALPHA: u8 = 6;
const SENDGRID: u8 = 7; // [A-Za-z0-9_.=-]
const BASE64: u8 = 8; // [A-Za-z0-9+/]
const ATLASSIAN: u8 = 9; // [A-Za-z0-9_=-]

/** What a token must hold besides its alphabet (real keys are random; words are not). */
const MIX_DIGITS: u8 = 0; // letters and digits
const MIX_CASE: u8 = 1; // upper and lower case letters
const ANY: u8 = 2;

class KeyFormat {
  first: i32;
  /** The prefix's first two UTF-16 units as one little-endian u32 (every prefix has two or more). */
  head: u32;

  constructor(
    public prefix: string,
    public alphabet: i32,
    public min: i32,
    public max: i32,
    public mix: i32 = MIX_DIGITS,
    /** The prefix names the key (`aws_secret_access_key = ...`): the token follows after `=` or `:` and is the match. */
    public assigned: bool = false,
  ) {
    this.first = prefix.charCodeAt(0);
    this.head = load<u32>(changetype<usize>(prefix));
  }
}

// Formats as the providers publish them (prefix, alphabet, length); longer
// prefixes before their own prefixes ("sk-ant-" before "sk-"). Kept as two
// static tables rather than constructor calls: the table is data, not code.
const PREFIXES: StaticArray<string> = [
  "sk-ant-", // Anthropic (sk-ant-api03-, sk-ant-admin01-)
  "sk-", // OpenAI (sk-..., sk-proj-..., sk-svcacct-..., sk-admin-...)
  "AKIA", // AWS access key id
  "ASIA", // AWS temporary key id
  "ABIA", // AWS STS service bearer token
  "ACCA", // AWS context-specific credential
  "aws_secret_access_key", // AWS secret access key, named
  "AWS_SECRET_ACCESS_KEY",
  "aws_secret_key",
  "AWS_SECRET_KEY",
  "ghp_", // GitHub tokens
  "gho_",
  "ghu_",
  "ghs_",
  "ghr_",
  "github_pat_",
  "glpat-", // GitLab
  "xoxb-", // Slack bot, user, app, refresh, config tokens
  "xoxp-",
  "xoxa-",
  "xoxr-",
  "xoxs-",
  "xoxe-",
  "xoxe.xoxp-",
  "xapp-",
  "hooks.slack.com/services/", // Slack webhooks
  "hooks.slack.com/workflows/",
  "hooks.slack.com/triggers/",
  "AIza", // Google API key
  "sk_live_", // Stripe
  "rk_live_",
  "sk_test_",
  "rk_test_",
  "sk_prod_",
  "rk_prod_",
  "hf_", // Hugging Face
  "npm_", // npm
  "SG.", // SendGrid
  "SK", // Twilio API key
  "key-", // Mailgun private API key
  "shpat_", // Shopify
  "shpca_",
  "shppa_",
  "shpss_",
  "doo_v1_", // DigitalOcean
  "dop_v1_",
  "dor_v1_",
  "dapi", // Databricks
  "ATATT3", // Atlassian API token
];
/** Per prefix: alphabet, min length, max length, mix, assigned (1 when the prefix names the key, see KeyFormat). */
const SHAPES: StaticArray<u8> = [
  ALNUM_DASH, 32, 200, MIX_DIGITS, 0, // sk-ant-
  ALNUM_DASH, 20, 200, MIX_DIGITS, 0, // sk-
  UPPER_DIGIT, 16, 16, MIX_DIGITS, 0, // AKIA
  UPPER_DIGIT, 16, 16, MIX_DIGITS, 0, // ASIA
  UPPER_DIGIT, 16, 16, MIX_DIGITS, 0, // ABIA
  UPPER_DIGIT, 16, 16, MIX_DIGITS, 0, // ACCA
  BASE64, 40, 40, MIX_DIGITS, 1, // aws_secret_access_key
  BASE64, 40, 40, MIX_DIGITS, 1, // AWS_SECRET_ACCESS_KEY
  BASE64, 40, 40, MIX_DIGITS, 1, // aws_secret_key
  BASE64, 40, 40, MIX_DIGITS, 1, // AWS_SECRET_KEY
  ALNUM, 36, 36, MIX_DIGITS, 0, // ghp_
  ALNUM, 36, 36, MIX_DIGITS, 0, // gho_
  ALNUM, 36, 36, MIX_DIGITS, 0, // ghu_
  ALNUM, 36, 36, MIX_DIGITS, 0, // ghs_
  ALNUM, 36, 36, MIX_DIGITS, 0, // ghr_
  ALNUM_UNDERSCORE, 22, 255, MIX_DIGITS, 0, // github_pat_
  ALNUM_DASH, 20, 20, MIX_DIGITS, 0, // glpat-
  ALNUM_DASH, 10, 255, MIX_DIGITS, 0, // xoxb-
  ALNUM_DASH, 10, 255, MIX_DIGITS, 0, // xoxp-
  ALNUM_DASH, 10, 255, MIX_DIGITS, 0, // xoxa-
  ALNUM_DASH, 10, 255, MIX_DIGITS, 0, // xoxr-
  ALNUM_DASH, 10, 255, MIX_DIGITS, 0, // xoxs-
  ALNUM_DASH, 10, 255, MIX_DIGITS, 0, // xoxe-
  ALNUM_DASH, 10, 255, MIX_DIGITS, 0, // xoxe.xoxp-
  ALNUM_DASH, 10, 255, MIX_DIGITS, 0, // xapp-
  BASE64, 43, 56, ANY, 0, // hooks.slack.com/services/
  BASE64, 43, 56, ANY, 0, // hooks.slack.com/workflows/
  BASE64, 43, 56, ANY, 0, // hooks.slack.com/triggers/
  ALNUM_DASH, 35, 35, MIX_DIGITS, 0, // AIza
  ALNUM, 10, 255, MIX_DIGITS, 0, // sk_live_
  ALNUM, 10, 255, MIX_DIGITS, 0, // rk_live_
  ALNUM, 10, 255, MIX_DIGITS, 0, // sk_test_
  ALNUM, 10, 255, MIX_DIGITS, 0, // rk_test_
  ALNUM, 10, 255, MIX_DIGITS, 0, // sk_prod_
  ALNUM, 10, 255, MIX_DIGITS, 0, // rk_prod_
  ALPHA, 34, 34, MIX_CASE, 0, // hf_
  ALNUM, 36, 36, MIX_DIGITS, 0, // npm_
  SENDGRID, 66, 66, MIX_DIGITS, 0, // SG.
  HEX, 32, 32, MIX_DIGITS, 0, // SK
  HEX_LOWER, 32, 32, MIX_DIGITS, 0, // key-
  HEX, 32, 32, MIX_DIGITS, 0, // shpat_
  HEX, 32, 32, MIX_DIGITS, 0, // shpca_
  HEX, 32, 32, MIX_DIGITS, 0, // shppa_
  HEX, 32, 32, MIX_DIGITS, 0, // shpss_
  HEX_LOWER, 64, 64, MIX_DIGITS, 0, // doo_v1_
  HEX_LOWER, 64, 64, MIX_DIGITS, 0, // dop_v1_
  HEX_LOWER, 64, 64, MIX_DIGITS, 0, // dor_v1_
  HEX_LOWER, 32, 32, MIX_DIGITS, 0, // dapi
  ATLASSIAN, 186, 186, MIX_DIGITS, 0, // ATATT3
];
/**
 * The formats sharing their first two units, as chains in table order:
 * FIRST_FORMAT[pairBucket(c0, c1)] is 1 + the first format whose prefix
 * starts with units c0 c1 (0: none), NEXT_FORMAT[f] is 1 + the next format
 * after f in the same bucket. Prose is full of word starts that begin some
 * prefix ("sa", "ha", "ge"); a pair no prefix starts with costs one load.
 */
@inline
function pairBucket(c0: u32, c1: u32): i32 {
  // No two different prefix heads share a bucket (a clash would only cost time).
  return <i32>((c0 * 5 + c1) & 255);
}

const FIRST_FORMAT = new StaticArray<u8>(256);
const NEXT_FORMAT = new StaticArray<u8>(PREFIXES.length);
const FORMATS: Array<KeyFormat> = formats();

/** The formats, chained by bucket (see FIRST_FORMAT) in table order. */
function formats(): Array<KeyFormat> {
  const out = new Array<KeyFormat>(PREFIXES.length);
  for (let f = PREFIXES.length - 1; f >= 0; f--) {
    const at = f * 5;
    const fmt = new KeyFormat(PREFIXES[f], SHAPES[at], SHAPES[at + 1], SHAPES[at + 2], SHAPES[at + 3], SHAPES[at + 4] != 0);
    out[f] = fmt;
    const b = pairBucket(fmt.head & 0xffff, fmt.head >>> 16);
    NEXT_FORMAT[f] = FIRST_FORMAT[b];
    FIRST_FORMAT[b] = <u8>(f + 1);
  }
  return out;
}

function inAlphabet(c: i32, alphabet: i32): bool {
  switch (alphabet) {
    case UPPER_DIGIT:
      return isDigit(c) || (c >= 0x41 && c <= 0x5a);
    case HEX:
      return isHex(c);
    case HEX_LOWER:
      return isDigit(c) || (c >= 0x61 && c <= 0x66);
    case ALPHA:
      return isAlpha(c);
    default:
      break;
  }
  if (isAlnum(c)) return true;
  if (alphabet == ALNUM_DASH) return c == 0x2d || c == 0x5f;
  if (alphabet == ALNUM_UNDERSCORE) return c == 0x5f;
  if (alphabet == SENDGRID) return c == 0x2d || c == 0x5f || c == 0x2e || c == 0x3d;
  if (alphabet == BASE64) return c == 0x2b || c == 0x2f;
  if (alphabet == ATLASSIAN) return c == 0x2d || c == 0x5f || c == 0x3d;
  return false;
}

function isTokenChar(c: i32): bool {
  return isAlnum(c) || c == 0x2d || c == 0x5f;
}

/**
 * The format whose prefix is at unit `i` of the `n` units at `base`, not
 * inside a longer token, or null. (Shape note: every prefix's first two
 * units are flagged in text-shape.ts's SHAPE_CLASS, the first as a key
 * start, the second as a key unit; a new prefix must be added there too.)
 */
function formatAt(base: usize, n: i32, i: i32): KeyFormat | null {
  if (i + 1 >= n) return null;
  const head = load<u32>(base + (<usize>i << 1));
  if ((head & 0xff80ff80) != 0) return null;
  const f = <i32>unchecked(FIRST_FORMAT[pairBucket(head & 0xffff, head >>> 16)]) - 1;
  if (f < 0) return null;
  if (i > 0 && isTokenChar(<i32>load<u16>(base + (<usize>(i - 1) << 1)))) return null;
  return formatFrom(base, n, i, f);
}

/** The first format of the chain from format `f` (-1: none) whose prefix is whole at unit `i`. */
function formatFrom(base: usize, n: i32, i: i32, f: i32): KeyFormat | null {
  while (f >= 0) {
    const fmt = unchecked(FORMATS[f]);
    if (i + fmt.prefix.length <= n && load<u32>(base + (<usize>i << 1)) == fmt.head && memory.compare(base + (<usize>i << 1), changetype<usize>(fmt.prefix), <usize>fmt.prefix.length << 1) == 0) {
      formatIndex = f;
      return fmt;
    }
    f = <i32>unchecked(NEXT_FORMAT[f]) - 1;
  }
  return null;
}

/** The index of the format formatAt() returned last. */
let formatIndex: i32 = 0;

/**
 * True when the `n` UTF-16 units at `base` hold a known key prefix whole at
 * unit `i`, not inside a longer token: where findKeys() would look further.
 */
export function keyPrefixAt(base: usize, n: i32, i: i32): bool {
  return formatAt(base, n, i) !== null;
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
    let fmt = formatAt(base, n, i);
    while (fmt !== null) {
      const e = keyAt(text, i, fmt);
      if (e > 0) {
        out.push(new Span(fmt.assigned ? valueStart : i, e));
        i = e - 1;
        break;
      }
      // Another format with the same start ("sk-" after "sk-ant-")?
      fmt = formatFrom(base, n, i, <i32>unchecked(NEXT_FORMAT[formatIndex]) - 1);
    }
  }
}

/** Where the value of an assigned key starts (set by keyAt). */
let valueStart: i32 = 0;

/** End of a key of format `fmt` at `i`, or -1. */
function keyAt(text: string, i: i32, fmt: KeyFormat): i32 {
  const n = text.length;
  let s = i + fmt.prefix.length;
  if (fmt.assigned) {
    // name, optional quotes and spaces, = or :, optional quotes and spaces, the value
    while (s < n && isQuoteOrSpace(text.charCodeAt(s))) s++;
    if (s >= n || (text.charCodeAt(s) != 0x3d && text.charCodeAt(s) != 0x3a)) return -1;
    s++;
    while (s < n && isQuoteOrSpace(text.charCodeAt(s))) s++;
    valueStart = s;
  }
  let e = s;
  while (e < n && e - s <= fmt.max && inAlphabet(text.charCodeAt(e), fmt.alphabet)) e++;
  const len = e - s;
  if (len < fmt.min || len > fmt.max || isTokenChar(at(text, e))) return -1;
  return mixed(text, s, e, fmt.mix) ? e : -1;
}

function isQuoteOrSpace(c: i32): bool {
  return c == 0x20 || c == 0x22 || c == 0x27 || c == 0x09;
}

/** Real keys are random: "sk-this-is-not-a-key-at-all" mixes no digits in, "hf_aaaa..." no case. */
function mixed(text: string, s: i32, e: i32, mix: i32): bool {
  if (mix == ANY) return true;
  let lower = false;
  let upper = false;
  let digits = false;
  for (let k = s; k < e; k++) {
    const c = text.charCodeAt(k);
    if (isDigit(c)) digits = true;
    else if (c >= 0x61 && c <= 0x7a) lower = true;
    else if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  return mix == MIX_CASE ? lower && upper : (lower || upper) && digits;
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

/** PEM (PKCS#1, PKCS#8, SEC1, OpenSSH, encrypted) and PGP private key headers. */
function isPrivateKeyHeader(line: string): bool {
  return line.endsWith(PEM_TAIL) || line.endsWith("PRIVATE KEY BLOCK-----");
}

function findPrivateKeys(text: string, out: Array<Span>): void {
  let i = indexOfAscii(text, PEM_BEGIN);
  while (i >= 0) {
    const lineEnd = indexOfAscii(text, "-----", i + PEM_BEGIN.length);
    if (lineEnd < 0) return;
    const headerEnd = lineEnd + 5;
    if (lineEnd - i > 64 || !isPrivateKeyHeader(text.substring(i, headerEnd))) {
      i = indexOfAscii(text, PEM_BEGIN, i + 1);
      continue;
    }
    const endAt = indexOfAscii(text, PEM_END, headerEnd);
    let end: i32;
    if (endAt >= 0 && endAt - i <= MAX_PEM_LENGTH) {
      const close = indexOfAscii(text, "-----", endAt + PEM_END.length);
      end = close >= 0 && close - endAt < 64 ? close + 5 : endAt + PEM_END.length;
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
