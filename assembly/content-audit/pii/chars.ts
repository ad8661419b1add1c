// Character tests and digit-group scanning shared by the PII detectors.
// Detectors see normalized text (full-width folded, invisible characters
// removed, case kept), as UTF-16 code units.

export function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

export function isUpper(c: i32): bool {
  return c >= 0x41 && c <= 0x5a;
}

export function isLower(c: i32): bool {
  return c >= 0x61 && c <= 0x7a;
}

export function isAlpha(c: i32): bool {
  return isUpper(c) || isLower(c);
}

export function isAlnum(c: i32): bool {
  return isDigit(c) || isAlpha(c);
}

export function isHex(c: i32): bool {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Code unit at i, or -1 outside the text. */
export function at(text: string, i: i32): i32 {
  return i >= 0 && i < text.length ? <i32>load<u16>(changetype<usize>(text) + (<usize>i << 1)) : -1;
}

/** True when the character before `i` is not a letter or digit (a token may start at i). */
export function startsToken(text: string, i: i32): bool {
  return !isAlnum(at(text, i - 1));
}

/** True when the character at `i` is not a letter or digit (a token may end before i). */
export function endsToken(text: string, i: i32): bool {
  return !isAlnum(at(text, i));
}

/** A run of digits in groups: the digits and where the run ends. */
export class DigitRun {
  digits: string = "";
  end: i32 = 0;
  /** Separators seen between groups (0 when the digits are contiguous). */
  separators: i32 = 0;
}

/**
 * Digits from `start`, where one separator out of `seps` may sit between two
 * digits; stops after `maxDigits` digits or at anything else.
 */
export function digitRun(text: string, start: i32, seps: string, maxDigits: i32): DigitRun {
  const run = new DigitRun();
  const codes = new Array<i32>();
  let i = start;
  const n = text.length;
  while (i < n && codes.length <= maxDigits) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      codes.push(c);
      i++;
      continue;
    }
    if (isOneOf(c, seps) && i > start && isDigit(at(text, i + 1)) && isDigit(at(text, i - 1))) {
      run.separators++;
      i++;
      continue;
    }
    break;
  }
  run.digits = String.fromCharCodes(codes);
  run.end = i;
  return run;
}

function isOneOf(c: i32, set: string): bool {
  for (let k = 0; k < set.length; k++) if (set.charCodeAt(k) == c) return true;
  return false;
}

/** Digit value of code unit at i of s. */
export function digitAt(s: string, i: i32): i32 {
  return s.charCodeAt(i) - 0x30;
}

/** Lower-cased text of the `span` characters before `i`, for context words. */
export function before(text: string, i: i32, span: i32): string {
  const from = i - span < 0 ? 0 : i - span;
  return text.substring(from, i).toLowerCase();
}

/**
 * indexOf for a short ASCII needle with plain loads (String#indexOf compares
 * through a call at every position, which dominates on long texts).
 */
export function indexOfAscii(text: string, needle: string, from: i32 = 0): i32 {
  const n = text.length;
  const m = needle.length;
  if (m == 0) return from;
  const base = changetype<usize>(text);
  const first = <u16>needle.charCodeAt(0);
  const last = n - m;
  for (let i = from < 0 ? 0 : from; i <= last; i++) {
    if (load<u16>(base + (<usize>i << 1)) != first) continue;
    let k = 1;
    while (k < m && load<u16>(base + (<usize>(i + k) << 1)) == <u16>needle.charCodeAt(k)) k++;
    if (k == m) return i;
  }
  return -1;
}
