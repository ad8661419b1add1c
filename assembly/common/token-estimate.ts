// A prompt-size estimator that needs no vocabulary: an upper-ish bound of
// what BPE tokenizers of current LLMs (cl100k/o200k-class, Claude) count, for
// reserving budget before a request is sent. It walks the text once and
// charges each piece by its script:
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
// 1-1.3x for Chinese.

const QUARTER: i64 = 4;

enum Run {
  None = 0,
  Ascii = 1,
  Digits = 2,
  OtherLetters = 3,
}

/** Estimated tokens of `text` (see the file comment). */
export function estimateTokens(text: string): i64 {
  let quarters: i64 = 0;
  let run = Run.None;
  let runLength: i64 = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const kind = runKind(c);
    if (kind != run) {
      quarters += runCost(run, runLength);
      run = kind;
      runLength = 0;
    }
    if (kind != Run.None) {
      runLength++;
      continue;
    }
    quarters += singleCost(c, i + 1 < n ? text.charCodeAt(i + 1) : 0);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) i++;
    }
  }
  quarters += runCost(run, runLength);
  return (quarters + QUARTER - 1) / QUARTER;
}

/** Estimated tokens of UTF-8 bytes (invalid sequences decode to U+FFFD and count as symbols). */
export function estimateTokensUtf8(bytes: ArrayBuffer): i64 {
  return estimateTokens(String.UTF8.decode(bytes));
}

function runKind(c: i32): Run {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) return Run.Ascii;
  if (c >= 0x30 && c <= 0x39) return Run.Digits;
  if (c >= 0xc0 && c < 0x2000 && c != 0xd7 && c != 0xf7) return Run.OtherLetters;
  return Run.None;
}

function runCost(run: Run, length: i64): i64 {
  if (length == 0) return 0;
  if (run == Run.Ascii) return QUARTER * (length <= 6 ? 1 : 1 + (length - 6 + 3) / 4);
  if (run == Run.Digits) return QUARTER * ((length + 2) / 3);
  if (run == Run.OtherLetters) return QUARTER * ((length + 1) / 2);
  return 0;
}

/** Quarter-tokens of one character that is not part of a run. */
function singleCost(c: i32, next: i32): i64 {
  if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x0b || c == 0x0c || c == 0xa0 || c == 0x3000) return 0;
  if (c < 0x80) return QUARTER;
  if (isCjk(c)) return 5;
  if (c >= 0xd800 && c <= 0xdbff) {
    // Astral plane: U+20000-U+3FFFF (high surrogates D840-D8BF) are CJK extensions.
    if (c >= 0xd840 && c <= 0xd8bf && next >= 0xdc00 && next <= 0xdfff) return 5;
    return 2 * QUARTER;
  }
  return QUARTER;
}

function isCjk(c: i32): bool {
  return (c >= 0x3040 && c <= 0x30ff) || // kana
    (c >= 0x3400 && c <= 0x4dbf) || // CJK extension A
    (c >= 0x4e00 && c <= 0x9fff) || // CJK unified ideographs
    (c >= 0xac00 && c <= 0xd7af) || // hangul syllables
    (c >= 0xf900 && c <= 0xfaff); // CJK compatibility ideographs
}
