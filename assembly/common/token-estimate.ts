// A prompt-size estimator that needs no vocabulary: an upper-ish bound of
// what BPE tokenizers of current LLMs (cl100k/o200k-class, Claude) count, for
// reserving budget before a request is sent. It walks UTF-8 bytes once,
// without allocating, and charges each piece by its script:
//
//   whitespace                         0 (tokenizers fold it into the next word)
//   run of ASCII letters of length L   1 for L <= 6, then 1 per started 4 more
//   run of digits of length L          1 per started 3 (numbers split in groups of 3)
//   ASCII punctuation or symbol        1 each
//   CJK ideograph, kana, hangul        5/4 each (cl100k: ~1.1-1.3 per Han character)
//   CJK/fullwidth punctuation          1 each
//   other letters (Latin-1, Greek,
//   Cyrillic, Arabic ...), run of L    1 per started 2
//   other symbols (U+2000-U+2BFF)      1 each
//   emoji and other astral characters  2 each
//
// The sum is rounded up. Characters/4 would undercount Chinese four to five
// times; this stays at or above real counts for English prose and about
// 1-1.3x for Chinese. estimateJsonString reads the contents of a JSON string
// as they are in the body: an escape counts as the character it stands for.

const QUARTER: i32 = 4;

const NONE: u8 = 0;
const ASCII_LETTERS: u8 = 1;
const DIGITS: u8 = 2;
const OTHER_LETTERS: u8 = 3;
const SPACE: u8 = 4;
const SYMBOL: u8 = 5;

// Class of each ASCII byte (built once).
const ASCII_CLASS: usize = memory.data(128);
let tableReady = false;

function buildTable(): void {
  for (let c = 0; c < 128; c++) {
    let k = SYMBOL;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) k = ASCII_LETTERS;
    else if (c >= 0x30 && c <= 0x39) k = DIGITS;
    else if (c == 0x20 || (c >= 0x09 && c <= 0x0d)) k = SPACE;
    store<u8>(ASCII_CLASS + <usize>c, k);
  }
  tableReady = true;
}

/** Quarter-tokens of a finished run of `n` characters of class `run`. */
@inline
function runQuarters(run: u8, n: i32): i64 {
  if (n == 0) return 0;
  let tokens = 0;
  if (run == ASCII_LETTERS) tokens = n <= 6 ? 1 : 1 + (n - 6 + 3) / 4;
  else if (run == DIGITS) tokens = (n + 2) / 3;
  else tokens = (n + 1) / 2;
  return <i64>(tokens * QUARTER);
}

/** Class and quarter-token cost of one non-ASCII code point (cost 0 for run classes). */
@inline
function codePointClass(cp: i32): u8 {
  if (cp == 0xa0 || cp == 0x3000) return SPACE;
  if (cp >= 0xc0 && cp < 0x2000 && cp != 0xd7 && cp != 0xf7) return OTHER_LETTERS;
  return SYMBOL;
}

@inline
function codePointCost(cp: i32): i32 {
  if (isCjk(cp) || (cp >= 0x20000 && cp <= 0x3ffff)) return 5; // CJK, CJK extensions B-H
  if (cp >= 0x10000) return 2 * QUARTER; // emoji and other astral characters
  return QUARTER;
}

@inline
function hexDigit(h: i32): i32 {
  if (h >= 0x30 && h <= 0x39) return h - 0x30;
  const l = h | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : 0;
}

/**
 * Quarter-tokens of UTF-8 bytes [ptr, ptr+len); inside a JSON string when
 * `json` (an escape counts as the character it stands for).
 */
function tally(ptr: usize, len: i32, json: bool): i64 {
  if (!tableReady) buildTable();
  let quarters: i64 = 0;
  let run: u8 = NONE;
  let runLength = 0;
  let i = 0;
  while (i < len) {
    let b = <i32>load<u8>(ptr + <usize>i);
    let kind: u8;
    let cost = QUARTER;
    if (b < 0x80) {
      i++;
      if (json && b == 0x5c && i < len) {
        const e = <i32>load<u8>(ptr + <usize>i);
        i++;
        if (e == 0x75 && i + 4 <= len) {
          let cp = 0;
          for (let j = 0; j < 4; j++) cp = (cp << 4) | hexDigit(<i32>load<u8>(ptr + <usize>(i + j)));
          i += 4;
          if (cp >= 0xdc00 && cp <= 0xdfff) continue; // second half of a pair: counted with the first
          if (cp >= 0xd800 && cp <= 0xdbff) cp = 0x1f600;
          if (cp < 0x80) {
            b = cp;
            kind = load<u8>(ASCII_CLASS + <usize>b);
          } else {
            kind = codePointClass(cp);
            cost = codePointCost(cp);
          }
        } else if (e == 0x6e || e == 0x74 || e == 0x72 || e == 0x62 || e == 0x66) {
          kind = SPACE; // \n \t \r \b \f
        } else {
          kind = SYMBOL; // \" \\ \/
        }
      } else {
        kind = load<u8>(ASCII_CLASS + <usize>b);
      }
    } else {
      let cp = 0xfffd;
      let n = 1;
      if (b >= 0xc2 && b < 0xe0 && i + 1 < len) {
        cp = ((b & 0x1f) << 6) | (load<u8>(ptr + <usize>i + 1) & 0x3f);
        n = 2;
      } else if (b >= 0xe0 && b < 0xf0 && i + 2 < len) {
        cp = ((b & 0x0f) << 12) | ((load<u8>(ptr + <usize>i + 1) & 0x3f) << 6) | (load<u8>(ptr + <usize>i + 2) & 0x3f);
        n = 3;
      } else if (b >= 0xf0 && b < 0xf5 && i + 3 < len) {
        cp = ((b & 0x07) << 18) | ((load<u8>(ptr + <usize>i + 1) & 0x3f) << 12) | ((load<u8>(ptr + <usize>i + 2) & 0x3f) << 6) | (load<u8>(ptr + <usize>i + 3) & 0x3f);
        n = 4;
      }
      i += n;
      kind = codePointClass(cp);
      cost = codePointCost(cp);
    }
    if (kind == run && kind <= OTHER_LETTERS) {
      runLength++;
    } else {
      quarters += runQuarters(run, runLength);
      run = kind;
      runLength = 0;
      if (kind == ASCII_LETTERS || kind == DIGITS || kind == OTHER_LETTERS) runLength = 1;
      else if (kind == SYMBOL) quarters += cost;
    }
    if (kind == ASCII_LETTERS || kind == DIGITS) {
      // The rest of an ASCII word or number in one tight loop (never an
      // escape: a backslash is a symbol).
      let j = i;
      while (j < len) {
        const c = <i32>load<u8>(ptr + <usize>j);
        if (c >= 0x80 || load<u8>(ASCII_CLASS + <usize>c) != kind) break;
        j++;
      }
      runLength += j - i;
      i = j;
    }
  }
  return quarters + runQuarters(run, runLength);
}

function tokensOf(quarters: i64): i64 {
  return (quarters + QUARTER - 1) / QUARTER;
}

function isCjk(c: i32): bool {
  return (c >= 0x3040 && c <= 0x30ff) || // kana
    (c >= 0x3400 && c <= 0x4dbf) || // CJK extension A
    (c >= 0x4e00 && c <= 0x9fff) || // CJK unified ideographs
    (c >= 0xac00 && c <= 0xd7af) || // hangul syllables
    (c >= 0xf900 && c <= 0xfaff); // CJK compatibility ideographs
}

/** Estimated tokens of UTF-8 text (invalid sequences count as symbols). */
export function estimateTokensUtf8(bytes: ArrayBuffer): i64 {
  return tokensOf(tally(changetype<usize>(bytes), bytes.byteLength, false));
}

/** Estimated tokens of the contents of a JSON string: bytes [start, end) of `src`, between the quotes. */
export function estimateJsonString(src: ArrayBuffer, start: i32, end: i32): i64 {
  if (start < 0 || end > src.byteLength || end <= start) return 0;
  return tokensOf(tally(changetype<usize>(src) + <usize>start, end - start, true));
}

/** Estimated tokens of `text`. */
export function estimateTokens(text: string): i64 {
  return estimateTokensUtf8(String.UTF8.encode(text));
}
