// A prompt-size estimator that needs no vocabulary, for reserving budget
// before a request is sent. It is meant to be an upper bound in practice of
// what a BPE tokenizer counts: calibrated against OpenAI's o200k_base
// (gpt-4o, gpt-4.1, gpt-5, o-series) and cl100k_base (gpt-4, gpt-3.5) on a
// generated multilingual corpus (test/unit/token-ratelimit/estimator.test.ts,
// table in the token-ratelimit README). `Tokenizer.Either` takes the larger of
// the two: for every other model, Claude included (no tokenizer of theirs
// runs offline).
//
// It walks UTF-8 once, without allocating, in units of 1/16 token, and
// follows how those tokenizers cut text before merging (letters, 1-3 digits,
// punctuation, white space), charging each piece:
//
//   ASCII word          1 token up to 6 letters, then 6/16 per letter; a new piece at a
//                       lower->upper case change (camelCase); 11/16 more per consonant
//                       that follows two, 8/16 per vowel that follows two (made-up words);
//                       4/16 more per capital that follows two ("QUICK" is QU+ICK)
//   digits              1 per started 3 (exact: numbers split in groups of 3)
//   other letters       per script, per letter (e.g. Cyrillic 8/16 in o200k, 15/16 in cl100k);
//                       a word is at least 1 token; ASCII letters after them restart a piece
//   punctuation         1 each; 8/16 when it follows punctuation; 10/16 before a letter
//   white space         a single space before a letter or punctuation is free; a run is
//                       1 token, 1/16 per repeat of the same character, 1/2 per change;
//                       a space before a digit is a token
//   symbols, emoji      per kind and tokenizer (emoji 2.5-3.25 tokens, ZWJ, skin tones,
//                       flags each their own)
//   random-looking word a run of [A-Za-z0-9+/_-] of 12 or more with a case change, a
//                       letter-digit change or a 4-consonant cluster every 4 characters or
//                       less (keys, base64, hashes) counts at least 13/16 per character
//   accented Latin      in a text with accented Latin letters, each ASCII word costs a
//                       little more (cl100k cuts non-English words more often)
//
// estimateJsonString reads the contents of a JSON string as they are in the
// body: an escape counts as the character it stands for.

/** Which tokenizer to estimate for. */
export enum Tokenizer {
  /** OpenAI o200k_base: gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1/o3/o4, gpt-oss. */
  O200k = 0,
  /** OpenAI cl100k_base: gpt-4, gpt-4-turbo, gpt-3.5-turbo, text-embedding-3/ada-002. */
  Cl100k = 1,
  /** The larger of the two: every other model (Claude, Llama, unknown names). */
  Either = 2,
}

// Per-tokenizer weights in 1/16 token: one row per Tokenizer, columns below.
const W_LATIN1 = 0; // U+00C0-00FF (é, ü, ñ)
const W_LATIN_EXT = 1; // U+0100-02AF (ł, ě, ğ)
const W_LATIN_ADD = 2; // U+1E00-1EFF (Vietnamese ệ)
const W_MARK = 3; // combining diacritics U+0300-036F
const W_GREEK = 4;
const W_CYRILLIC = 5;
const W_ARMENIAN = 6;
const W_HEBREW = 7;
const W_ARABIC = 8;
const W_INDIC = 9; // Devanagari to Malayalam, U+0900-0DFF
const W_THAI = 10; // Thai, Lao
const W_HANGUL = 11;
const W_KANA = 12;
const W_HAN = 13;
const W_HAN_EXT = 14; // CJK extensions B and later (astral)
const W_OTHER_LETTER = 15;
const W_SYMBOL2 = 16; // a 2-byte symbol (×, ©, °)
const W_SYMBOL3 = 17; // a 3-byte symbol (—, →, 。, €)
const W_ASTRAL = 18; // emoji and other 4-byte characters
const W_ZWJ = 19; // zero-width joiner and other invisible joiners
const W_VARIATION = 20; // variation selectors (emoji presentation)
const W_SKIN = 21; // skin tone modifiers
const W_FLAG = 22; // regional indicator letters (two make a flag)
const W_KEYCAP = 23;
const W_DIGIT = 24; // a digit other than 0-9 (Arabic-Indic, fullwidth)
const W_FOREIGN_WORD = 25; // per ASCII word in a text with accented Latin letters
const W_RESUME = 26; // base of ASCII letters that follow other letters in a word
const COLUMNS = 27;

// prettier-ignore
const WEIGHTS = memory.data<i32>([
  // lat1 latX latA mark grk cyr arm heb ara ind tha hgl kana han hanX oth sym2 sym3 astr zwj vs skin flag key dig frgn resume
  10, 15, 14, 16, 9, 8, 16, 10, 8, 10, 8, 15, 12, 16, 40, 16, 16, 20, 40, 16, 16, 32, 32, 16, 16, 2, 4, // o200k
  14, 22, 24, 16, 19, 15, 24, 22, 15, 28, 18, 25, 16, 24, 48, 24, 16, 24, 52, 32, 16, 48, 48, 48, 32, 5, 16, // cl100k
  14, 22, 24, 16, 19, 15, 24, 22, 15, 28, 18, 25, 16, 24, 48, 24, 16, 24, 52, 32, 16, 48, 48, 48, 32, 5, 16, // either: the larger of each
]);

const TOKEN: i64 = 16;
const ASCII_FREE_LETTERS = 6;
const ASCII_LETTER = 6;
const CONSONANT_CLUSTER = 11;
/** Each capital letter from the third of a run of capitals. */
const UPPER_RUN = 4;
const VOWEL_CLUSTER = 8;
const PUNCT = 16;
const PUNCT_AFTER_PUNCT = 8;
const PUNCT_BEFORE_LETTER = 10;
const SPACE_CHANGE = 8;
const RANDOM_CHAR = 13;
const RANDOM_MIN_LENGTH = 12;
const RANDOM_EVENT_EVERY = 4;

// Classes of a code point.
const C_LOWER = 1;
const C_UPPER = 2;
const C_DIGIT = 3;
const C_SPACE = 4;
const C_PUNCT = 5; // ASCII punctuation and controls
const C_LETTER = 6; // other letters: weight column in the detail
const C_SYMBOL = 7; // other characters: weight column in the detail
const C_END = 8;

// White-space units, for "same as the one before".
const WS_SPACE = 1;
const WS_TAB = 2;
const WS_LF = 3;
const WS_CR = 4;
const WS_CRLF = 5;
const WS_NBSP = 6;
const WS_IDEOGRAPHIC = 7;
const WS_OTHER = 8;

/** The tokenizer whose counts a model's prompts are estimated for; `Either` when the name says nothing. */
export function tokenizerForModel(model: string | null): Tokenizer {
  if (model === null) return Tokenizer.Either;
  // "openai/gpt-4o", "azure/gpt-4o" name the same model.
  const name = model.substring(model.lastIndexOf("/") + 1).toLowerCase();
  if (
    name.startsWith("gpt-4o") || name.startsWith("gpt-4.1") || name.startsWith("gpt-4.5") || name.startsWith("gpt-5") ||
    name.startsWith("chatgpt-") || name.startsWith("gpt-oss") || name.startsWith("codex-") || isSeries(name, "o1") || isSeries(name, "o3") || isSeries(name, "o4")
  ) return Tokenizer.O200k;
  if (
    name.startsWith("gpt-3.5") || name.startsWith("gpt-35") || isSeries(name, "gpt-4") || name.startsWith("text-embedding-3") ||
    name == "text-embedding-ada-002" || name == "babbage-002" || name == "davinci-002"
  ) return Tokenizer.Cl100k;
  return Tokenizer.Either;
}

/** `name` is `series` or `series-...` (o1, o1-mini; gpt-4, gpt-4-turbo but not gpt-4o). */
function isSeries(name: string, series: string): bool {
  return name == series || name.startsWith(series + "-");
}

/** Estimated tokens of UTF-8 text (invalid sequences count as symbols). */
export function estimateTokensUtf8(bytes: ArrayBuffer, tokenizer: Tokenizer): i64 {
  return tokensOf(tally(changetype<usize>(bytes), bytes.byteLength, false, tokenizer));
}

/** Estimated tokens of the contents of a JSON string: bytes [start, end) of `src`, between the quotes. */
export function estimateJsonString(src: ArrayBuffer, start: i32, end: i32, tokenizer: Tokenizer): i64 {
  if (start < 0 || end > src.byteLength || end <= start) return 0;
  return tokensOf(tally(changetype<usize>(src) + <usize>start, end - start, true, tokenizer));
}

/** Estimated tokens of `text`. */
export function estimateTokens(text: string, tokenizer: Tokenizer): i64 {
  return estimateTokensUtf8(String.UTF8.encode(text), tokenizer);
}

function tokensOf(units: i64): i64 {
  return (units + TOKEN - 1) / TOKEN;
}

@inline
function weight(tokenizer: Tokenizer, column: i32): i32 {
  return load<i32>(WEIGHTS + (<usize>(<i32>tokenizer * COLUMNS + column) << 2));
}

// A code point's class and its detail, in one i32: class in the low 4 bits;
// above them the weight column of a C_LETTER / C_SYMBOL, the white-space unit
// of a C_SPACE, IS_VOWEL for an ASCII letter, IS_KEY_PUNCT for + / _ -.
const CLASS_BITS = 4;
const CLASS_MASK = 15;
const LONE_SPACE = C_SPACE | (WS_SPACE << CLASS_BITS);
const IS_VOWEL = 1;
const IS_KEY_PUNCT = 1;

// The classes of ASCII, looked up instead of computed (the text of most prompts is mostly ASCII).
const ASCII_CLASSES: usize = memory.data(128);
for (let c = 0; c < 128; c++) store<u8>(ASCII_CLASSES + <usize>c, <u8>classifyAscii(c));

/** Class of code point `cp` with its detail (see CLASS_BITS). */
@inline
function classify(cp: i32): i32 {
  if (cp < 0x80) return <i32>load<u8>(ASCII_CLASSES + <usize>cp);
  if (cp < 0x800) return classify2(cp);
  if (cp < 0x10000) return classify3(cp);
  return classify4(cp);
}

function classifyAscii(cp: i32): i32 {
  if (cp >= 0x61 && cp <= 0x7a) return C_LOWER | (isVowel(cp) ? IS_VOWEL << CLASS_BITS : 0);
  if (cp >= 0x41 && cp <= 0x5a) return C_UPPER | (isVowel(cp) ? IS_VOWEL << CLASS_BITS : 0);
  if (cp >= 0x30 && cp <= 0x39) return C_DIGIT;
  if (cp == 0x20) return space(WS_SPACE);
  if (cp == 0x0a) return space(WS_LF);
  if (cp == 0x09) return space(WS_TAB);
  if (cp == 0x0d) return space(WS_CR);
  if (cp == 0x0b || cp == 0x0c) return space(WS_OTHER);
  if (cp == 0x2b || cp == 0x2f || cp == 0x5f || cp == 0x2d) return C_PUNCT | (IS_KEY_PUNCT << CLASS_BITS);
  return C_PUNCT;
}

function letter(column: i32): i32 {
  return C_LETTER | (column << CLASS_BITS);
}

function symbol(column: i32): i32 {
  return C_SYMBOL | (column << CLASS_BITS);
}

function space(unit: i32): i32 {
  return C_SPACE | (unit << CLASS_BITS);
}

/** U+0080-07FF (two UTF-8 bytes). */
function classify2(cp: i32): i32 {
  if (cp == 0xa0) return space(WS_NBSP);
  if (cp == 0x85) return space(WS_OTHER);
  if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7) return symbol(W_SYMBOL2);
  if (cp < 0x100) return letter(W_LATIN1);
  if (cp < 0x2b0) return letter(W_LATIN_EXT);
  if (cp < 0x300) return letter(W_OTHER_LETTER); // modifier letters
  if (cp < 0x370) return letter(W_MARK);
  if (cp < 0x400) return cp == 0x37e || cp == 0x387 ? symbol(W_SYMBOL2) : letter(W_GREEK);
  if (cp < 0x530) return letter(W_CYRILLIC);
  if (cp < 0x590) return letter(W_ARMENIAN);
  if (cp < 0x600) return cp == 0x5be || cp == 0x5c0 || cp == 0x5c3 || cp == 0x5c6 || cp >= 0x5f3 ? symbol(W_SYMBOL2) : letter(W_HEBREW);
  if ((cp >= 0x660 && cp <= 0x669) || (cp >= 0x6f0 && cp <= 0x6f9)) return symbol(W_DIGIT);
  if (cp == 0x60c || cp == 0x61b || cp == 0x61f || cp == 0x6d4 || (cp >= 0x66a && cp <= 0x66d)) return symbol(W_SYMBOL2);
  return letter(W_ARABIC); // Arabic, Syriac, Thaana, N'Ko, ...
}

/** U+0800-FFFF (three UTF-8 bytes). */
function classify3(cp: i32): i32 {
  if (cp < 0x900) return letter(W_ARABIC); // Samaritan, Arabic extended
  if (cp < 0xe00) {
    const low = cp & 0x7f;
    if (low >= 0x66 && low <= 0x6f) return symbol(W_DIGIT); // each Indic block's digits
    if (cp == 0x964 || cp == 0x965) return symbol(W_SYMBOL3); // danda
    return letter(W_INDIC);
  }
  if (cp < 0xf00) {
    if ((cp >= 0xe50 && cp <= 0xe59) || (cp >= 0xed0 && cp <= 0xed9)) return symbol(W_DIGIT);
    return cp == 0xe3f ? symbol(W_SYMBOL3) : letter(W_THAI);
  }
  if (cp >= 0x1100 && cp < 0x1200) return letter(W_HANGUL);
  if (cp >= 0x1e00 && cp < 0x1f00) return letter(W_LATIN_ADD);
  if (cp >= 0x1f00 && cp < 0x2000) return letter(W_GREEK);
  if (cp < 0x2000) return letter(W_OTHER_LETTER); // Tibetan, Myanmar, Georgian, Ethiopic, Khmer, ...
  if (cp <= 0x200a || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f) return space(WS_OTHER);
  if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2060 && cp <= 0x2064)) return symbol(W_ZWJ);
  if (cp == 0x20e3) return symbol(W_KEYCAP);
  if (cp < 0x2c00) return symbol(W_SYMBOL3); // punctuation, currency, arrows, math, box drawing, dingbats
  if (cp < 0x2e00) return letter(W_OTHER_LETTER); // Glagolitic, Coptic, Tifinagh, ...
  if (cp < 0x2e80) return symbol(W_SYMBOL3);
  if (cp < 0x3000) return letter(W_HAN); // radicals
  if (cp == 0x3000) return space(WS_IDEOGRAPHIC);
  if (cp < 0x3040) return symbol(W_SYMBOL3); // CJK punctuation
  if (cp < 0x3100) return cp == 0x30fb ? symbol(W_SYMBOL3) : letter(W_KANA);
  if (cp >= 0x3130 && cp < 0x3190) return letter(W_HANGUL);
  if (cp < 0x3400) return cp >= 0x31f0 && cp < 0x3200 ? letter(W_KANA) : letter(W_OTHER_LETTER);
  if (cp < 0x4dc0) return letter(W_HAN);
  if (cp < 0x4e00) return symbol(W_SYMBOL3); // hexagrams
  if (cp < 0xa000) return letter(W_HAN);
  if (cp < 0xac00) return letter(W_OTHER_LETTER); // Yi, Vai, ...
  if (cp < 0xd7b0) return letter(W_HANGUL);
  if (cp < 0xf900) return symbol(W_SYMBOL3); // surrogates (invalid), private use
  if (cp < 0xfb00) return letter(W_HAN);
  if (cp < 0xfb50) return letter(W_HEBREW); // presentation forms (ligatures, Hebrew)
  if (cp < 0xfe00) return letter(W_ARABIC);
  if (cp < 0xfe10) return symbol(W_VARIATION);
  if (cp < 0xfe70) return symbol(W_SYMBOL3);
  if (cp < 0xfeff) return letter(W_ARABIC);
  if (cp == 0xfeff) return symbol(W_ZWJ); // byte order mark
  if (cp >= 0xff10 && cp <= 0xff19) return symbol(W_DIGIT);
  if ((cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a)) return letter(W_OTHER_LETTER); // fullwidth Latin
  if (cp >= 0xff66 && cp <= 0xff9f) return letter(W_KANA);
  if (cp >= 0xffa0 && cp <= 0xffdc) return letter(W_HANGUL);
  return symbol(W_SYMBOL3);
}

/** U+10000 and above (four UTF-8 bytes). */
function classify4(cp: i32): i32 {
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return symbol(W_FLAG);
  if (cp >= 0x1f3fb && cp <= 0x1f3ff) return symbol(W_SKIN);
  if (cp >= 0x20000 && cp < 0x40000) return letter(W_HAN_EXT);
  if (cp >= 0xe0000 && cp < 0xe0080) return symbol(W_ZWJ); // tags (subdivision flags)
  if (cp >= 0xe0100 && cp < 0xe01f0) return symbol(W_VARIATION);
  return symbol(W_ASTRAL);
}

@inline
function isVowel(c: i32): bool {
  const l = c | 0x20;
  return l == 0x61 || l == 0x65 || l == 0x69 || l == 0x6f || l == 0x75 || l == 0x79;
}

/** True for the characters a key or base64 string is made of: [A-Za-z0-9+/_-]. */
@inline
function isKeyChar(info: i32): bool {
  const cls = info & CLASS_MASK;
  return cls <= C_DIGIT || info == (C_PUNCT | (IS_KEY_PUNCT << CLASS_BITS));
}

@inline
function hexDigit(h: i32): i32 {
  if (h >= 0x30 && h <= 0x39) return h - 0x30;
  const l = h | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : 0;
}

@inline
function hex4(p: usize): i32 {
  return (hexDigit(load<u8>(p)) << 12) | (hexDigit(load<u8>(p + 1)) << 8) | (hexDigit(load<u8>(p + 2)) << 4) | hexDigit(load<u8>(p + 3));
}

/**
 * Units (1/16 token) of UTF-8 bytes [ptr, ptr+len); inside a JSON string when
 * `json` (an escape counts as the character it stands for).
 */
function tally(ptr: usize, len: i32, json: bool, tokenizer: Tokenizer): i64 {
  let total: i64 = 0;
  // The word being read (letters of any script) and its current piece.
  let inWord = false;
  let pieceAscii = 0; // ASCII letters in the piece
  let pieceOther: i64 = 0; // weight of its other letters
  let resumed = false; // the piece started after other letters of the word
  let prevLower = false;
  let upperRun = 0;
  let consonants = 0;
  let vowels = 0;
  let asciiWords = 0;
  let accented = false;
  // Digits.
  let digits = 0;
  // White space: cost so far of the run, its length and last unit.
  let spaceRun = 0;
  let spaceCost: i64 = 0;
  let lastUnit = 0;
  // Punctuation waiting for the next character to know its cost.
  let punctPending = false;
  let punctFollowsPunct = false;
  let prevPunct = false;
  // The key-like run ([A-Za-z0-9+/_-]) being read.
  let keyStart: i64 = 0;
  let keyLength = 0;
  let keyEvents = 0;
  let caseRun = 0;
  let caseUpper = false;
  let keyConsonants = 0;
  let prevKeyClass = 0;
  const resumeBase = weight(tokenizer, W_RESUME);
  const foreignWord = weight(tokenizer, W_FOREIGN_WORD);

  let i = 0;
  while (true) {
    // Decode the next code point (or the end).
    let cp = -1;
    let info = C_END;
    if (i < len) {
      const b = <i32>load<u8>(ptr + <usize>i);
      if (b < 0x80) {
        cp = b;
        i++;
        if (json && b == 0x5c && i < len) {
          const e = <i32>load<u8>(ptr + <usize>i);
          i++;
          if (e == 0x75 && i + 4 <= len) {
            cp = hex4(ptr + <usize>i);
            i += 4;
            // A surrogate pair written as two escapes is one character.
            if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= len && load<u8>(ptr + <usize>i) == 0x5c && load<u8>(ptr + <usize>i + 1) == 0x75) {
              const lo = hex4(ptr + <usize>i + 2);
              if (lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
              }
            }
          } else if (e == 0x6e) cp = 0x0a;
          else if (e == 0x74) cp = 0x09;
          else if (e == 0x72) cp = 0x0d;
          else if (e == 0x66) cp = 0x0c;
          else if (e == 0x62) cp = 0x08;
          else cp = e; // \" \\ \/
        }
      } else {
        cp = 0xfffd;
        if (b >= 0xc2 && b < 0xe0 && i + 1 < len) {
          cp = ((b & 0x1f) << 6) | (load<u8>(ptr + <usize>i + 1) & 0x3f);
          i += 2;
        } else if (b >= 0xe0 && b < 0xf0 && i + 2 < len) {
          cp = ((b & 0x0f) << 12) | ((load<u8>(ptr + <usize>i + 1) & 0x3f) << 6) | (load<u8>(ptr + <usize>i + 2) & 0x3f);
          i += 3;
        } else if (b >= 0xf0 && b < 0xf5 && i + 3 < len) {
          cp = ((b & 0x07) << 18) | ((load<u8>(ptr + <usize>i + 1) & 0x3f) << 12) | ((load<u8>(ptr + <usize>i + 2) & 0x3f) << 6) | (load<u8>(ptr + <usize>i + 3) & 0x3f);
          i += 4;
        } else {
          i++;
        }
      }
      info = classify(cp);
      if (cp == 0x0d && i < len) {
        // CR LF is one unit of white space.
        if (load<u8>(ptr + <usize>i) == 0x0a) {
          i++;
          info = space(WS_CRLF);
        } else if (json && i + 1 < len && load<u8>(ptr + <usize>i) == 0x5c) {
          const e = load<u8>(ptr + <usize>i + 1);
          if (e == 0x6e) {
            i += 2;
            info = space(WS_CRLF);
          } else if (e == 0x75 && i + 6 <= len && hex4(ptr + <usize>i + 2) == 0x0a) {
            i += 6;
            info = space(WS_CRLF);
          }
        }
      }
    }
    let cls = info & CLASS_MASK;
    let detail = info >> CLASS_BITS;
    let isLetter = cls == C_LOWER || cls == C_UPPER || cls == C_LETTER;

    // 1. Close what this character ends, so a key-like run's cost includes all of it.
    if (inWord && !isLetter) {
      total += pieceCost(pieceAscii, pieceOther, resumed, resumeBase);
      inWord = false;
    }
    if (digits > 0 && cls != C_DIGIT) {
      total += TOKEN * <i64>((digits + 2) / 3);
      digits = 0;
    }
    if (punctPending) {
      total += isLetter ? PUNCT_BEFORE_LETTER : punctFollowsPunct ? PUNCT_AFTER_PUNCT : PUNCT;
      punctPending = false;
    }
    if (spaceRun > 0 && cls != C_SPACE) {
      if (spaceRun == 1 && lastUnit == WS_SPACE) {
        // One space joins the word or punctuation after it; before a digit (or at the end) it is a token.
        if (cls == C_DIGIT || cls == C_END) total += TOKEN;
      } else {
        total += spaceCost + (cls == C_DIGIT ? TOKEN : 0);
      }
      spaceRun = 0;
    }
    let keyChar = cls != C_END && isKeyChar(info);
    if (keyLength > 0 && !keyChar) {
      if (keyLength >= RANDOM_MIN_LENGTH && keyEvents * RANDOM_EVENT_EVERY >= keyLength) {
        const floor = <i64>keyLength * RANDOM_CHAR;
        if (total - keyStart < floor) total = keyStart + floor;
      }
      keyLength = 0;
    }
    if (cls == C_END) break;
    if (info == LONE_SPACE && spaceRun == 0 && i < len) {
      // A single space before an ASCII letter joins the word and costs nothing
      // (see 1.): go on with the letter, whose closing step has nothing left to close.
      const next = <i32>load<u8>(ptr + <usize>i);
      if (next < 0x80) {
        const nextInfo = <i32>load<u8>(ASCII_CLASSES + <usize>next);
        if ((nextInfo & CLASS_MASK) <= C_UPPER) {
          i++;
          info = nextInfo;
          cls = nextInfo & CLASS_MASK;
          detail = nextInfo >> CLASS_BITS;
          isLetter = true;
          keyChar = true;
        }
      }
    }

    // 2. Follow the key-like run.
    if (keyChar) {
      if (keyLength == 0) {
        keyStart = total;
        keyEvents = 0;
        caseRun = 0;
        keyConsonants = 0;
        prevKeyClass = 0;
      }
      keyLength++;
      if (cls == C_LOWER || cls == C_UPPER) {
        const upper = cls == C_UPPER;
        if (caseRun > 0 && upper != caseUpper) {
          if (!caseUpper && caseRun <= 2) keyEvents++; // a short lowercase run before an uppercase letter
          if (caseUpper && caseRun >= 2) keyEvents++; // several uppercase letters before a lowercase one
          caseRun = 0;
        }
        caseUpper = upper;
        caseRun++;
        if (detail == IS_VOWEL) keyConsonants = 0;
        else if (++keyConsonants >= 4) keyEvents++;
        if (prevKeyClass == C_DIGIT) keyEvents++;
      } else {
        caseRun = 0;
        keyConsonants = 0;
        if (cls == C_DIGIT && (prevKeyClass == C_LOWER || prevKeyClass == C_UPPER)) keyEvents++;
      }
      prevKeyClass = cls;
    }

    // 3. Count the character.
    if (isLetter) {
      if (!inWord) {
        inWord = true;
        pieceAscii = 0;
        pieceOther = 0;
        resumed = false;
        prevLower = false;
        upperRun = 0;
        consonants = 0;
        vowels = 0;
        if (cls != C_LETTER) asciiWords++;
      }
      if (cls == C_LETTER) {
        if (pieceAscii > 0) {
          total += pieceCost(pieceAscii, pieceOther, resumed, resumeBase);
          pieceAscii = 0;
          pieceOther = 0;
        }
        resumed = true;
        pieceOther += weight(tokenizer, detail);
        if (detail <= W_LATIN_ADD) accented = true;
        prevLower = false;
        upperRun = 0;
        consonants = 0;
        vowels = 0;
      } else {
        // This ASCII letter and the ones after it, in one tight loop.
        let k = cls;
        let vowel = detail == IS_VOWEL;
        while (true) {
          if (k == C_UPPER && prevLower) {
            // camelCase: o200k starts a new piece here.
            total += pieceCost(pieceAscii, pieceOther, resumed, resumeBase);
            pieceAscii = 0;
            pieceOther = 0;
            resumed = false;
          }
          prevLower = k == C_LOWER;
          // Words in capitals are cut into short pieces: "QUICK" is QU+ICK.
          if (prevLower) upperRun = 0;
          else if (++upperRun >= 3) total += UPPER_RUN;
          pieceAscii++;
          if (vowel) {
            consonants = 0;
            if (++vowels >= 3) total += VOWEL_CLUSTER;
          } else {
            vowels = 0;
            if (++consonants >= 3) total += CONSONANT_CLUSTER;
          }
          if (prevLower) {
            // Lowercase after lowercase, the bulk of prose: no piece starts and
            // the key-like run sees no case change, so only the letter counts
            // move (the same steps as below, without the case checks).
            let run = 0;
            while (i < len) {
              const next = <i32>load<u8>(ptr + <usize>i);
              if (next >= 0x80) break;
              const nextInfo = <i32>load<u8>(ASCII_CLASSES + <usize>next);
              if ((nextInfo & CLASS_MASK) != C_LOWER) break;
              i++;
              run++;
              if (nextInfo >> CLASS_BITS == IS_VOWEL) {
                consonants = 0;
                keyConsonants = 0;
                if (++vowels >= 3) total += VOWEL_CLUSTER;
              } else {
                vowels = 0;
                if (++consonants >= 3) total += CONSONANT_CLUSTER;
                if (++keyConsonants >= 4) keyEvents++;
              }
            }
            pieceAscii += run;
            keyLength += run;
            caseRun += run;
          }
          if (i >= len) break;
          const next = <i32>load<u8>(ptr + <usize>i);
          if (next >= 0x80) break;
          const nextInfo = <i32>load<u8>(ASCII_CLASSES + <usize>next);
          if ((nextInfo & CLASS_MASK) > C_UPPER) break;
          i++;
          k = nextInfo & CLASS_MASK;
          vowel = nextInfo >> CLASS_BITS == IS_VOWEL;
          // The key-like run goes on (as in 2. for a letter after a letter).
          keyLength++;
          const upper = k == C_UPPER;
          if (upper != caseUpper) {
            if (!caseUpper && caseRun <= 2) keyEvents++;
            if (caseUpper && caseRun >= 2) keyEvents++;
            caseRun = 0;
          }
          caseUpper = upper;
          caseRun++;
          if (vowel) keyConsonants = 0;
          else if (++keyConsonants >= 4) keyEvents++;
        }
        prevKeyClass = k;
      }
    } else if (cls == C_DIGIT) {
      // This digit and the ones after it (the key-like run goes on: no event between digits).
      digits++;
      while (i < len) {
        const next = load<u8>(ptr + <usize>i);
        if (next < 0x30 || next > 0x39) break;
        i++;
        digits++;
        keyLength++;
      }
    } else if (cls == C_SPACE) {
      const unit = detail;
      spaceCost = spaceRun == 0 ? TOKEN : spaceCost + (unit == lastUnit ? spaceRepeat(unit) : SPACE_CHANGE);
      spaceRun++;
      lastUnit = unit;
    } else if (cls == C_PUNCT) {
      punctPending = true;
      punctFollowsPunct = prevPunct;
    } else {
      total += weight(tokenizer, detail); // C_SYMBOL
    }
    prevPunct = cls == C_PUNCT;
  }
  if (accented) total += <i64>asciiWords * foreignWord;
  return total;
}

/** Cost of one more of the same white-space unit. */
function spaceRepeat(unit: i32): i32 {
  if (unit == WS_CRLF) return 4;
  if (unit == WS_NBSP) return 2;
  if (unit == WS_IDEOGRAPHIC || unit == WS_OTHER || unit == WS_CR) return 8;
  return 1; // space, tab, LF
}

/** Cost of a finished piece of a word: ASCII letters, then other letters' weights; at least one token. */
@inline
function pieceCost(ascii: i32, other: i64, resumed: bool, resumeBase: i32): i64 {
  let c: i64 = other;
  if (ascii > 0) c += <i64>(resumed ? resumeBase : TOKEN) + <i64>max(0, ascii - ASCII_FREE_LETTERS) * ASCII_LETTER;
  return c > TOKEN ? c : TOKEN;
}
