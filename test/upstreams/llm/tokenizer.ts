// The mock LLM's tokenizer: simple, deterministic and documented, so tests can
// compute the exact `usage` the upstream reports. Rules, per Unicode code point:
//   - whitespace is never a token; it is attached to the token that follows;
//   - each CJK character (Han, Hiragana, Katakana, Hangul) is one token;
//   - a run of other letters, digits and combining marks is one token per
//     started 10 code points ("tokenizer" = 1, "internationalization" = 2);
//   - every other code point (punctuation, symbols, emoji) is one token.

const PIECE =
  /\s*(?:[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]|(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}])[\p{L}\p{N}\p{M}]){1,10}|[^\s])/gu;

const CJK = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/u;

/**
 * Splits text into token pieces, each with the whitespace before it.
 * Joining the pieces gives back the text, less any trailing whitespace.
 */
export function tokenize(text: string): string[] {
  return text.match(PIECE) ?? [];
}

export function countTokens(text: string): number {
  let n = 0;
  PIECE.lastIndex = 0;
  while (PIECE.exec(text) !== null) n++;
  return n;
}

export function isCjk(ch: string): boolean {
  return CJK.test(ch);
}
