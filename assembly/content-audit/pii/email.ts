// Email addresses: a local part and a domain with a real TLD, checked label
// by label (RFC 5321 lengths), not just "something@something". Internationalized
// addresses (RFC 6531: müller@beispiel.de, иван@пример.рф, 用户@例子.中国) count:
// letters of other scripts are letters, and a TLD is letters of one script or
// an A-label (xn--p1ai).
import { Span } from "../../common/text/regex";
import { indexOfAscii, isAlnum, isAlpha, isDigit } from "./chars";

/** A letter of a script other than Latin-ASCII (Latin-1 to Cyrillic, Hebrew to Thai, Vietnamese, kana, CJK, Hangul); no punctuation, spaces or symbols. */
export function isWideLetter(c: i32): bool {
  if (c < 0xc0) return false;
  if (c <= 0x52f) return c != 0xd7 && c != 0xf7;
  return (c >= 0x5d0 && c <= 0xe7f) || (c >= 0x1e00 && c <= 0x1eff) || (c >= 0x3041 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7a3);
}

/**
 * Letters of scripts written without spaces between words (Thai, kana, CJK,
 * Hangul's attached particles) are class 2, other letters 1, digits and
 * punctuation 0. An address part holds letters of one class: in
 * "请发邮件到zhang@example.com谢谢" the address is zhang@example.com, the
 * words around it are not.
 */
function letterClass(c: i32): i32 {
  if (!isAlpha(c) && !isWideLetter(c)) return 0;
  return c >= 0xe00 && (c <= 0xe7f || c >= 0x3041) ? 2 : 1;
}

function isLetterOrDigit(c: i32): bool {
  return isAlnum(c) || isWideLetter(c);
}

function isLocalChar(c: i32): bool {
  return isLetterOrDigit(c) || c == 0x2e || c == 0x5f || c == 0x25 || c == 0x2b || c == 0x2d;
}

function isDomainChar(c: i32): bool {
  return isLetterOrDigit(c) || c == 0x2e || c == 0x2d;
}

export function findEmails(text: string, out: Array<Span>): void {
  const n = text.length;
  let from = 0;
  let i = indexOfAscii(text, "@");
  while (i >= 0) {
    let l = i;
    let run = 0; // the letter class of the part so far
    while (l > from) {
      const c = text.charCodeAt(l - 1);
      const k = letterClass(c);
      if (!isLocalChar(c) || (k != 0 && run != 0 && k != run)) break;
      if (k != 0) run = k;
      l--;
    }
    while (l < i && text.charCodeAt(l) == 0x2e) l++;
    let r = i + 1;
    run = 0;
    while (r < n) {
      const c = text.charCodeAt(r);
      const k = letterClass(c);
      if (!isDomainChar(c) || (k != 0 && run != 0 && k != run)) break;
      // Each label is a run of its own (例子.com).
      run = c == 0x2e ? 0 : k != 0 ? k : run;
      r++;
    }
    while (r > i + 1 && (text.charCodeAt(r - 1) == 0x2e || text.charCodeAt(r - 1) == 0x2d)) r--;
    if (validLocal(text, l, i) && validDomain(text, i + 1, r)) {
      out.push(new Span(l, r));
      from = r;
    }
    i = indexOfAscii(text, "@", i + 1);
  }
}

function validLocal(text: string, s: i32, e: i32): bool {
  if (e - s < 1 || e - s > 64) return false;
  if (text.charCodeAt(e - 1) == 0x2e) return false;
  for (let k = s + 1; k < e; k++) if (text.charCodeAt(k) == 0x2e && text.charCodeAt(k - 1) == 0x2e) return false;
  return true;
}

function validDomain(text: string, s: i32, e: i32): bool {
  if (e - s < 4 || e - s > 253) return false;
  let labels = 0;
  let labelStart = s;
  for (let k = s; k <= e; k++) {
    if (k < e && text.charCodeAt(k) != 0x2e) continue;
    const len = k - labelStart;
    if (len < 1 || len > 63) return false;
    if (text.charCodeAt(labelStart) == 0x2d || text.charCodeAt(k - 1) == 0x2d) return false;
    labels++;
    if (k == e) {
      // The TLD: letters only, at least two, or an A-label (xn--...).
      if (len < 2) return false;
      const aLabel = len > 4 && (text.charCodeAt(labelStart) | 0x20) == 0x78 && (text.charCodeAt(labelStart + 1) | 0x20) == 0x6e && text.charCodeAt(labelStart + 2) == 0x2d;
      for (let t = labelStart; t < k; t++) {
        const c = text.charCodeAt(t);
        if (!isAlpha(c) && !isWideLetter(c) && !(aLabel && (isDigit(c) || c == 0x2d))) return false;
      }
    }
    labelStart = k + 1;
  }
  return labels >= 2 && !isDigit(text.charCodeAt(e - 1));
}
