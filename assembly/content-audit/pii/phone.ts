// Phone numbers, validated by libphonenumber's metadata for the regions
// compiled in (scripts/phone-tables.ts): a number is digits in groups
// (space - . / and parentheses between them), international (+CC, 00CC,
// with a "(0)" trunk kept or not) or national (with the region's trunk
// prefix, or without it where libphonenumber formats the number so), whose national part
// has a valid length for its leading digits in one enabled region. An
// extension (x123, ext. 57406, 内線 12) is part of the number.
//
// Context (context.ts) decides the ambiguous cases: a number the nearest
// label calls an order, invoice or tracking number is not a phone; digits
// written without any separator need a phone label unless they have 10 or
// more digits. International numbers (+CC) need no label and take no veto.
import { Span } from "../../common/text/regex";
import { at, isAlnum, isDigit } from "./chars";
import { Label, labelBefore } from "./context";
import { PHONE_BARE, PHONE_REGIONS, PHONE_ROOTS, PHONE_TRIE } from "./phone-tables.generated";

/** Enabled regions, bit k for PHONE_REGIONS[k] (configuration: phone_regions). */
let enabledRegions: u64 = <u64>-1;

export function setPhoneRegions(mask: u64): void {
  enabledRegions = mask;
}

/** Index of a compiled-in region by its code ("DE"), or -1. */
export function phoneRegionIndex(code: string): i32 {
  for (let k = 0; k < PHONE_REGIONS.length; k++) if (sameRegion(unchecked(PHONE_REGIONS[k])[0], code)) return k;
  return -1;
}

/** `code` names region `known` (upper case), ASCII case ignored. */
function sameRegion(known: string, code: string): bool {
  if (code.length != known.length) return false;
  for (let i = 0; i < code.length; i++) {
    let c = code.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) c -= 32;
    if (c != known.charCodeAt(i)) return false;
  }
  return true;
}

export function phoneRegionCodes(): Array<string> {
  const out = new Array<string>();
  for (let k = 0; k < PHONE_REGIONS.length; k++) out.push(unchecked(PHONE_REGIONS[k])[0]);
  return out;
}

const MAX_DIGITS: i32 = 20;
const MIN_DIGITS: i32 = 8;
/** The digits of the candidate being read, and where each group ends (digit count, text index). */
const digits = new StaticArray<u8>(MAX_DIGITS);
const groupDigits = new StaticArray<i32>(MAX_DIGITS);
const groupEnds = new StaticArray<i32>(MAX_DIGITS);

class Candidate {
  count: i32 = 0;
  groups: i32 = 0;
  plus: bool = false;
  /** Digit index and length of a group written in parentheses, e.g. (0) or (02328); -1 if none. */
  parenAt: i32 = -1;
  parenLen: i32 = 0;
  /** The separator between groups when they all use the same one, else -1; 0 when there is one group. */
  separator: i32 = 0;
}
const cand = new Candidate();

export function findPhones(text: string, out: Array<Span>, context: string = ""): void {
  currentContext = context;
  labelStart = -1;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const prev = at(text, i - 1);
    const opens = (c == 0x2b || c == 0x28) && (isDigit(at(text, i + 1)) || (c == 0x28 && at(text, i + 1) == 0x2b && isDigit(at(text, i + 2))));
    if ((!opens && !isDigit(c)) || isAlnum(prev) || prev == 0x2b || ((prev == 0x2e || prev == 0x2c) && isDigit(at(text, i - 2)))) {
      i++;
      continue;
    }
    const end = readCandidate(text, i);
    if (cand.count < MIN_DIGITS) {
      i = end > i ? end : i + 1;
      continue;
    }
    // The longest run of whole groups that is a phone number (two numbers
    // side by side, or a number and a date after it, are read apart).
    let found = -1;
    for (let g = cand.groups; g > 0 && found < 0; g--) {
      const count = unchecked(groupDigits[g - 1]);
      if (count < MIN_DIGITS) break;
      if (isPhone(text, i, count, g)) found = g;
    }
    if (found < 0) {
      // Nothing of it is a phone number: no fragment of it may become one.
      i = end;
      continue;
    }
    const stop = withExtension(text, unchecked(groupEnds[found - 1]));
    out.push(new Span(i, stop));
    i = stop;
  }
}

/** Reads digits in groups from i (the + or ( included); returns the index after the last group. */
function readCandidate(text: string, i: i32): i32 {
  const n = text.length;
  cand.count = 0;
  cand.groups = 0;
  cand.parenAt = -1;
  cand.parenLen = 0;
  cand.separator = 0;
  cand.plus = false;
  let p = i;
  let open = -1;
  if (at(text, p) == 0x28) {
    open = 0;
    p++;
  }
  if (at(text, p) == 0x2b) {
    cand.plus = true;
    p++;
  }
  while (p < n) {
    const c = text.charCodeAt(p);
    if (isDigit(c)) {
      if (cand.count == MAX_DIGITS) return p;
      unchecked((digits[cand.count++] = <u8>(c - 0x30)));
      p++;
      continue;
    }
    // The group ends; a separator run of at most two units goes on to the next digit.
    unchecked((groupDigits[cand.groups] = cand.count));
    unchecked((groupEnds[cand.groups] = p));
    cand.groups++;
    let q = p;
    let sep = -1;
    while (q < p + 2 && isSeparator(at(text, q))) {
      const s = at(text, q);
      if (s == 0x28) {
        if (open >= 0) break;
        open = cand.count;
      } else if (s == 0x29) {
        if (open < 0) break;
        if (cand.parenAt < 0) {
          cand.parenAt = open;
          cand.parenLen = cand.count - open;
        }
        open = -2;
        unchecked((groupEnds[cand.groups - 1] = q + 1));
      } else if (s != 0x20 || sep < 0) {
        sep = s;
      }
      q++;
    }
    if (q == p || !isDigit(at(text, q))) return unchecked(groupEnds[cand.groups - 1]);
    if (sep < 0) sep = 0x20;
    cand.separator = cand.groups == 1 ? sep : cand.separator == sep ? sep : -1;
    p = q;
  }
  unchecked((groupDigits[cand.groups] = cand.count));
  unchecked((groupEnds[cand.groups] = p));
  cand.groups++;
  return p;
}

function isSeparator(c: i32): bool {
  return c == 0x20 || c == 0x2d || c == 0x2e || c == 0x2f || c == 0x28 || c == 0x29;
}

/** The first `count` digits of the candidate at `start` (its first `groups` groups) make a phone number. */
function isPhone(text: string, start: i32, count: i32, groups: i32): bool {
  if (cand.plus) return international(0, count, true);
  if (count > 2 && unchecked(digits[0]) == 0 && unchecked(digits[1]) == 0 && international(2, count, false)) return true;
  if (groups == 3 && looksLikeDate(count)) return false;
  if (groups == 4 && cand.separator == 0x2e && count <= 12) return false; // dotted quad: an address or a version
  // The label before a candidate is read once, not once per group count tried.
  if (start != labelStart) {
    labelStart = start;
    label = labelBefore(text, start, currentContext);
  }
  if (label == Label.NotPhone || label == Label.Version) return false;
  // Digits without any separator are ambiguous (amounts, timestamps, ids): they need a
  // phone label unless they start with a trunk prefix (0…) or are 11 digits long (mobiles).
  if (groups == 1 && label != Label.Phone && unchecked(digits[0]) != 0 && count != 11) return false;
  // A calling code written without its + ("234 809 315 6480"), in groups.
  if (groups > 1 && international(0, count, false)) return true;
  return national(count);
}

/** Country code at `from`, then a national number valid in that region ("(0)" after the code dropped). */
function international(from: i32, count: i32, plus: bool): bool {
  let anyCode = false;
  for (let k = 0; k < PHONE_REGIONS.length; k++) {
    const cc = unchecked(PHONE_REGIONS[k])[1];
    if (!digitsEqual(from, cc)) continue;
    anyCode = true;
    if (((enabledRegions >> <u64>k) & 1) == 0) continue;
    let rest = from + cc.length;
    const trunk = unchecked(PHONE_REGIONS[k])[2];
    if (validNational(k, rest, count)) return true;
    // A trunk prefix kept after the code: "+49 (0)30 …", "+82 010 …".
    if (trunk.length > 0 && digitsEqual(rest, trunk) && validNational(k, rest + trunk.length, count)) return true;
  }
  // A calling code not compiled in: E.164 by its length only, when written with +
  // (+1: the NANP countries beyond the US and Canada, by the NANP rules).
  if (!plus) return false;
  if (anyCode) return from == 0 && count == 11 && unchecked(digits[0]) == 1 && unchecked(digits[1]) >= 2 && unchecked(digits[4]) >= 2;
  const len = count - from;
  return len >= 8 && len <= 15 && unchecked(digits[from]) != 0;
}

/** A national number of an enabled region: with its trunk prefix, or valid as written. */
function national(count: i32): bool {
  for (let k = 0; k < PHONE_REGIONS.length; k++) {
    if (((enabledRegions >> <u64>k) & 1) == 0) continue;
    const trunk = unchecked(PHONE_REGIONS[k])[2];
    if (trunk.length > 0 && digitsEqual(0, trunk) && validNational(k, trunk.length, count)) return true;
    if (writtenBare(k) && validNational(k, 0, count)) return true;
  }
  return false;
}

/** Region k writes national numbers with these first two digits without its trunk prefix. */
function writtenBare(k: i32): bool {
  const p = <i32>unchecked(digits[0]) * 10 + <i32>unchecked(digits[1]);
  return ((<i32>load<u8>(PHONE_BARE + <usize>(k * 13 + (p >> 3))) >> (p & 7)) & 1) != 0;
}

const LEAF: i32 = 1 << 14;
const ANY: i32 = 1 << 15;

/** Digits [from, count) walk region k's trie (scripts/phone-tables.ts) to a node that allows their length. */
function validNational(k: i32, from: i32, count: i32): bool {
  const len = count - from;
  if (len < 4 || len > 17) return false;
  let node = <usize>unchecked(PHONE_ROOTS[k]);
  let depth = 0;
  let word = <i32>load<u16>(PHONE_TRIE + node);
  while (depth < len && (word & LEAF) == 0) {
    const d = <i32>unchecked(digits[from + depth]);
    if (word & ANY) {
      node = <usize>load<u16>(PHONE_TRIE + node + 2);
    } else {
      const bits = <i32>load<u16>(PHONE_TRIE + node + 2);
      if ((bits & (1 << d)) == 0) return false;
      const runs = <i32>load<u16>(PHONE_TRIE + node + 4);
      const run = popcnt<i32>(runs & ((2 << d) - 1)) - 1;
      node = <usize>load<u16>(PHONE_TRIE + node + 6 + (<usize>run << 1));
    }
    word = <i32>load<u16>(PHONE_TRIE + node);
    depth++;
  }
  return ((word >> (len - 4)) & 1) != 0;
}

function digitsEqual(from: i32, s: string): bool {
  if (from + s.length > cand.count) return false;
  for (let k = 0; k < s.length; k++) if (<i32>unchecked(digits[from + k]) != s.charCodeAt(k) - 0x30) return false;
  return true;
}

/** 2024-03-15, 15.03.2024, 03/15/2024: three groups shaped like a date. */
function looksLikeDate(count: i32): bool {
  if (cand.separator <= 0 || cand.separator == 0x20) return false;
  const a = unchecked(groupDigits[0]);
  const b = unchecked(groupDigits[1]) - a;
  const c = count - a - b;
  return (a == 4 && b <= 2 && c <= 2) || (a <= 2 && b <= 2 && c == 4);
}

// Extension words, lower case, then optional ". :" and 1-6 digits.
const EXTENSIONS: StaticArray<string> = ["x", "ext", "ext.", "extension", "ext:", "доб.", "доб", "内線", "分机", "分機", "转", "轉", "poste", "durchwahl", "#"];

/** End of the extension after a number ending at `end`, or `end`. */
function withExtension(text: string, end: i32): i32 {
  let p = end;
  while (at(text, p) == 0x20 || at(text, p) == 0x2c) p++;
  for (let k = 0; k < EXTENSIONS.length; k++) {
    const word = unchecked(EXTENSIONS[k]);
    if (p + word.length > text.length || text.substring(p, p + word.length).toLowerCase() != word) continue;
    let q = p + word.length;
    if (isAlnum(at(text, q)) && !isDigit(at(text, q))) continue;
    while (at(text, q) == 0x20 || at(text, q) == 0x2e || at(text, q) == 0x3a) q++;
    let digitsSeen = 0;
    while (digitsSeen < 6 && isDigit(at(text, q))) {
      q++;
      digitsSeen++;
    }
    if (digitsSeen > 0 && !isAlnum(at(text, q))) return q;
  }
  return end;
}

/** The text before the one being scanned (streams), read by the context rule. */
let currentContext: string = "";
let labelStart: i32 = -1;
let label: Label = Label.None;
