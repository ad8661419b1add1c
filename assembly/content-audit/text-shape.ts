// The shape of a text: what one cheap pass shows about the PII it could
// hold. Detectors whose minimum shape is absent (no '@', no run of enough
// digits, no key prefix) are not run at all; most prose needs none of them.
import { Pii } from "./pii";
import { keyPrefixAt } from "./pii/secrets";

// SHAPE_CLASS: what measure() does with an ASCII unit (anything else: quiet other).
const SHAPE_OTHER: i32 = 0;
const SHAPE_DIGIT: i32 = 1;
/** Space - . / ( ) +: may sit inside a number. */
const SHAPE_GAP: i32 = 2;
const SHAPE_AT: i32 = 3;
const SHAPE_COLON: i32 = 4;
/** The second character of a key prefix (see keyPrefixAt), or the J of "eyJ" and the G of "BEG". */
const SHAPE_KEY: i32 = 5;
const SHAPE_CLASS_BITS: i32 = 7;
/** Flag: can come just before a SHAPE_KEY unit in a prefix (the first unit of every key prefix in pii/secrets.ts, the y of "ey", the E of "BE"). */
const SHAPE_KEY_FIRST: i32 = 8;
/** Flag: nothing to note outside a number (other units, gaps, key units not right after a key start). */
const SHAPE_QUIET: i32 = 16;
// Flag 32 (SHAPE_WORD): a unit that continues a word (ASCII letters and
// digits, - and _): no key prefix starts right after it. Flag 64
// (SHAPE_KEY_INNER): e and B, after which y and E may start "eyJ" and "BEG"
// inside a word. startsKey() reads both.
const SHAPE_CLASS = memory.data<u8>([
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
  18, 16, 16, 16, 16, 16, 16, 16, 18, 18, 16, 18, 16, 50, 18, 18, 33, 33, 33, 33, 33, 33, 33, 33, 33, 33, 4, 16, 16, 16, 16, 16,
  3, 56, 117, 53, 48, 56, 48, 53, 48, 53, 53, 53, 48, 48, 48, 48, 48, 48, 48, 61, 53, 48, 48, 53, 48, 48, 48, 16, 16, 16, 16, 48,
  16, 61, 48, 48, 56, 117, 53, 56, 61, 53, 48, 61, 53, 48, 56, 53, 53, 48, 56, 56, 48, 48, 48, 53, 56, 56, 48, 16, 16, 16, 16, 16,
]);

@inline
function unitAt(base: usize, i: i32): i32 {
  return <i32>load<u16>(base + (<usize>i << 1));
}

@inline
function classOf(c: i32): i32 {
  return c < 128 ? <i32>load<u8>(SHAPE_CLASS + <usize>c) : SHAPE_QUIET;
}

/** 1 when unit i-1 may start a key prefix: a first unit (SHAPE_KEY_FIRST) after a non-word unit, or after e / B ("eyJ", "BEG"). */
@inline
function keyStartBefore(base: usize, i: i32): i32 {
  if (i < 1) return 0;
  const p1 = classOf(unitAt(base, i - 1));
  const p2 = i >= 2 ? classOf(unitAt(base, i - 2)) : SHAPE_QUIET;
  return startsKey(p1, p2);
}

/** 1 when a unit of class `t` after one of class `prev` may start a key prefix: t is SHAPE_KEY_FIRST and prev is not SHAPE_WORD, or is SHAPE_KEY_INNER. */
@inline
function startsKey(t: i32, prev: i32): i32 {
  return (t >> 3) & (~(prev >> 5) | (prev >> 6)) & 1;
}

@inline
function isUpper(c: i32): bool {
  return <u32>(c - 0x41) <= 25;
}

@inline
function isDigit(c: i32): bool {
  return <u32>(c - 0x30) <= 9;
}

@inline
function isHexOrColon(c: i32): bool {
  return isDigit(c) || <u32>((c | 0x20) - 0x61) <= 5 || c == 0x3a;
}

export class TextShape {
  /** Most digits in one run where up to two separators ( -./()+) may sit between digits. */
  longestNumber: i32 = 0;
  at: bool = false;
  colons: i32 = 0;
  /** Colons with a hex digit or a colon on both sides, as inside every IPv6 address ("::1", "db8::1"); "Note: ..." has none. */
  ipv6Colons: i32 = 0;
  /** Two capital letters followed by two digits: how every IBAN starts. */
  ibanStart: bool = false;
  /** A whole provider key prefix at a word start, "eyJ" (a JWT) or "BEG" (a PEM block). */
  secretStart: bool = false;

  measure(base: usize, n: i32): void {
    let longest = 0;
    let at = false;
    let colons = 0;
    let ipv6Colons = 0;
    let ibanStart = false;
    let secretStart = false;
    let prev = SHAPE_QUIET; // class of the unit before i
    let i = 0;
    while (i < n) {
      // The quiet loop: letters, spaces, anything not ASCII. It carries only
      // i, the previous class and whether that unit could start a key prefix
      // (a first unit at a word start, or the y of "ey" / the E of "BE"), so
      // it runs from registers.
      let keyStart = keyStartBefore(base, i);
      let c = 0;
      let t = 0;
      while (true) {
        if (i >= n) break;
        c = unitAt(base, i);
        t = classOf(c);
        const keyHere = <i32>((t & SHAPE_CLASS_BITS) == SHAPE_KEY) & keyStart;
        if ((((t >> 4) & ~keyHere) & 1) == 0) break;
        keyStart = startsKey(t, prev);
        prev = t;
        i++;
      }
      if (i >= n) break;
      const k = t & SHAPE_CLASS_BITS;
      if (k == SHAPE_DIGIT) {
        // A number: digits with up to two separators between them.
        let run = 0;
        let gap = 0;
        while (i < n) {
          c = unitAt(base, i);
          t = classOf(c);
          const kind = t & SHAPE_CLASS_BITS;
          if (kind == SHAPE_DIGIT) {
            run++;
            gap = 0;
            if (run > longest) longest = run;
            if (i >= 3 && !ibanStart) ibanStart = isDigit(unitAt(base, i - 1)) && isUpper(unitAt(base, i - 2)) && isUpper(unitAt(base, i - 3));
          } else if (kind == SHAPE_GAP && gap < 2) {
            gap++;
          } else {
            break;
          }
          prev = t;
          i++;
        }
        // The unit that ended the number (if any) is looked at afresh.
        continue;
      }
      if (k == SHAPE_AT) at = true;
      else if (k == SHAPE_COLON) {
        colons++;
        if (i > 0 && i + 1 < n && isHexOrColon(unitAt(base, i - 1)) && isHexOrColon(unitAt(base, i + 1))) ipv6Colons++;
      }
      else if (k == SHAPE_KEY && !secretStart) {
        // Only reached right after a possible first unit, so i >= 1. A key
        // prefix must be there whole ("global" and "give" start like "glpat-"
        // and "github_pat_").
        const p1 = unitAt(base, i - 1);
        const p2 = i >= 2 ? unitAt(base, i - 2) : -1;
        secretStart = keyPrefixAt(base, n, i - 1) || (p2 == 0x65 && p1 == 0x79 && c == 0x4a) || (p2 == 0x42 && p1 == 0x45 && c == 0x47);
      }
      prev = t;
      i++;
    }
    this.longestNumber = longest;
    this.at = at;
    this.colons = colons;
    this.ipv6Colons = ipv6Colons;
    this.ibanStart = ibanStart;
    this.secretStart = secretStart;
  }

  mayHold(kind: Pii): bool {
    switch (kind) {
      case Pii.Email:
        return this.at;
      case Pii.Phone:
        return this.longestNumber >= 8;
      case Pii.CreditCard:
        return this.longestNumber >= 12;
      case Pii.CnResidentId:
        return this.longestNumber >= 17;
      case Pii.UsSsn:
        return this.longestNumber >= 9;
      case Pii.Iban:
        return this.ibanStart;
      case Pii.IpAddress:
        return this.longestNumber >= 4 || (this.colons >= 2 && this.ipv6Colons > 0);
      case Pii.Secret:
        return this.secretStart;
      default:
        return true;
    }
  }
}

// Several PII rules see the same text in turn: it is measured once. Holding
// the string keeps it alive, so the identity test cannot mistake a new text
// at a reused address for it; forgetShape() lets it go after the scan.
const shape = new TextShape();
let shapeText: string | null = null;

export function shapeOf(s: string): TextShape {
  if (shapeText === null || changetype<usize>(shapeText) != changetype<usize>(s)) {
    shape.measure(changetype<usize>(s), s.length);
    shapeText = s;
  }
  return shape;
}

/** Call when every rule has seen the text. */
export function forgetShape(): void {
  shapeText = null;
}

/** A whole text as normalized UTF-16 units in scratch memory, for mayFind(); its shape is measured on first use. */
export class UnitText {
  base: usize = 0;
  length: i32 = 0;
  private measured: bool = false;
  private textShape: TextShape = new TextShape();

  reset(base: usize, length: i32): void {
    this.base = base;
    this.length = length;
    this.measured = false;
  }

  shape(): TextShape {
    if (!this.measured) {
      this.textShape.measure(this.base, this.length);
      this.measured = true;
    }
    return this.textShape;
  }
}
