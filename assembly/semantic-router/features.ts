// Text -> hashed features, the same for route examples and requests.
//
// Normalization: lower case (ASCII, Latin-1, full-width ASCII folded), every
// character that is not a letter or digit becomes one space, so "Hello,World"
// and "hello world" are the same text. Features over the normalized UTF-16
// units (BMP code points; CJK needs no word segmentation):
//   - character trigrams, and bigrams where a character is not ASCII (they
//     tolerate typos: "recieve" still shares most of its trigrams with
//     "receive"). On CLINC150, ASCII bigrams only added noise, and 4-grams
//     added nothing to accuracy while doubling the features (and the time).
//   - single characters outside ASCII (one Han character carries meaning),
//   - whole words (runs between spaces) of alphabetic scripts, and pairs of
//     consecutive words ("account balance"); a CJK run has no word
//     boundaries, so it gets none (its n-grams carry it).
// Each feature is a 32-bit FNV-1a hash; collisions between distinct n-grams
// are rare enough at 32 bits to ignore.

import { unitAt } from "./cells";

const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;
const WORD_SEED: u32 = 0x9e3779b9;
const WORD_PAIR_SEED: u32 = 0x85ebca6b;
const SPACE: u16 = 0x20;
export const MAX_GRAM: i32 = 3;
/** From here on (CJK symbols, kana, Han, Hangul ...) scripts are written without spaces. */
const CJK_START: u32 = 0x2e80;

// @ts-ignore: decorator
@inline
function isAsciiAlnum(c: u32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);
}

/** Each ASCII character as it appears in normalized text: lower case letters and digits, SPACE for the rest. */
const ASCII_FOLD = asciiFoldTable();

function asciiFoldTable(): StaticArray<u8> {
  const t = new StaticArray<u8>(128);
  for (let c: u32 = 0; c < 128; c++) t[c] = <u8>(c >= 0x41 && c <= 0x5a ? c + 32 : isAsciiAlnum(c) ? c : SPACE);
  return t;
}

/** The character as it appears in normalized text, or SPACE for separators. */
// @ts-ignore: decorator
@inline
function foldChar(c: u32): u32 {
  if (c < 0x80) return <u32>load<u8>(changetype<usize>(ASCII_FOLD) + c);
  return foldWide(c);
}

function foldWide(c: u32): u32 {
  if (c >= 0xff01 && c <= 0xff5e) {
    // full-width ASCII
    const a = c - 0xfee0;
    if (a >= 0x41 && a <= 0x5a) return a + 32;
    return isAsciiAlnum(a) ? a : SPACE;
  }
  if (c >= 0xc0 && c <= 0xde && c != 0xd7) return c + 32; // Latin-1 upper case
  if (c < 0xc0) return c == 0xaa || c == 0xb5 || c == 0xba ? c : SPACE; // Latin-1 punctuation and symbols
  if (c >= 0x2000 && c <= 0x2bff) return SPACE; // general punctuation, arrows, math symbols, boxes
  if (c >= 0x3000 && c <= 0x303f) return SPACE; // CJK punctuation
  if (c >= 0xfe30 && c <= 0xfe4f) return SPACE; // CJK compatibility forms
  if (c >= 0xff00 && c <= 0xff65) return SPACE; // full-width punctuation
  return c;
}

/**
 * Normalized text as UTF-16 units: one leading and one trailing space, no
 * double spaces. Reads at most `maxUnits` units of `text`; writes them at
 * `out`, which has room for that many plus 2; returns how many.
 */
export function normalizeInto(text: string, maxUnits: i32, out: usize): i32 {
  const n = min(text.length, maxUnits);
  let k: usize = 0;
  store<u16>(out, SPACE);
  k++;
  let previous: u32 = SPACE;
  for (let i = 0; i < n; i++) {
    const c = foldChar(unitAt(text, i));
    if (c == SPACE && previous == SPACE) continue;
    store<u16>(out + (k++ << 1), <u16>c);
    previous = c;
  }
  if (previous != SPACE) store<u16>(out + (k++ << 1), SPACE);
  return <i32>k;
}

/** Normalized text as a string (keyword matching works on it). */
export function normalizedString(text: string, maxUnits: i32 = i32.MAX_VALUE): string {
  const units = new Uint16Array(min(text.length, maxUnits) + 2);
  const n = normalizeInto(text, maxUnits, units.dataStart);
  return String.UTF16.decodeUnsafe(units.dataStart, <usize>n << 1);
}

/** Most features extractFeatures() writes per unit of text (word, word pair, bigram, trigram). */
export const MAX_FEATURES_PER_UNIT: i32 = 4;

/**
 * Writes the hash of every feature of the `n` normalized units at `from`
 * (see the file comment) into `out`, which holds at least
 * MAX_FEATURES_PER_UNIT per unit, in text order; returns how many. Counting
 * them is a separate tight loop (TermCounter.addAll).
 */
export function extractFeatures(from: usize, n: i32, out: Uint32Array): i32 {
  const at = out.dataStart;
  let k: usize = 0;
  let wordHash: u32 = WORD_SEED;
  let wordLen = 0;
  let unsegmented = false;
  let previousWord: u32 = 0;
  // The units at i + 1 and i + 2 ride along in locals (0 past the end).
  let d: u32 = n > 0 ? <u32>load<u16>(from) : 0;
  let e: u32 = n > 1 ? <u32>load<u16>(from, 2) : 0;
  for (let i = 0; i < n; i++) {
    const c = d;
    d = e;
    e = i + 2 < n ? <u32>load<u16>(from + (<usize>(i + 2) << 1)) : 0;
    if (c == SPACE) {
      if (wordLen > 0 && !unsegmented) {
        store<u32>(at + (k++ << 2), wordHash);
        if (previousWord != 0) store<u32>(at + (k++ << 2), (previousWord * FNV_PRIME) ^ wordHash ^ WORD_PAIR_SEED);
        previousWord = wordHash;
      } else {
        previousWord = 0;
      }
      wordHash = WORD_SEED;
      wordLen = 0;
      unsegmented = false;
    } else {
      wordHash = (wordHash ^ c) * FNV_PRIME;
      wordLen++;
      if (c >= 0x80) store<u32>(at + (k++ << 2), ((FNV_OFFSET ^ c) * FNV_PRIME) ^ 1);
      if (c >= CJK_START) unsegmented = true;
    }
    // The bigram and trigram starting here (MAX_GRAM = 3). A gram of only
    // spaces cannot occur (no double spaces); " x" style grams are kept:
    // they mark word edges.
    if (i + 1 >= n) continue;
    let h = (((FNV_OFFSET ^ c) * FNV_PRIME) ^ d) * FNV_PRIME;
    if ((c | d) >= 0x80) store<u32>(at + (k++ << 2), h ^ 2);
    if (i + 2 >= n) continue;
    h = (h ^ e) * FNV_PRIME;
    store<u32>(at + (k++ << 2), h ^ 3);
  }
  return <i32>k;
}

/** The feature hash of one word, as extractFeatures emits it (ASCII words only there). */
export function wordFeature(word: string): u32 {
  let h: u32 = WORD_SEED;
  for (let i = 0; i < word.length; i++) h = (h ^ unitAt(word, i)) * FNV_PRIME;
  return h;
}

/** The feature hash of a character n-gram (2..MAX_GRAM units), as extractFeatures emits it. */
export function gramFeature(gram: string): u32 {
  let h: u32 = FNV_OFFSET;
  for (let i = 0; i < gram.length; i++) h = (h ^ unitAt(gram, i)) * FNV_PRIME;
  return h ^ <u32>gram.length;
}
