// Email addresses: a local part and a domain with a real TLD, checked label
// by label (RFC 5321 lengths), not just "something@something".
import { Span } from "../../common/text/regex";
import { indexOfAscii, isAlnum, isAlpha, isDigit } from "./chars";

function isLocalChar(c: i32): bool {
  return isAlnum(c) || c == 0x2e || c == 0x5f || c == 0x25 || c == 0x2b || c == 0x2d;
}

function isDomainChar(c: i32): bool {
  return isAlnum(c) || c == 0x2e || c == 0x2d;
}

export function findEmails(text: string, out: Array<Span>): void {
  const n = text.length;
  let from = 0;
  let i = indexOfAscii(text, "@");
  while (i >= 0) {
    let l = i;
    while (l > from && isLocalChar(text.charCodeAt(l - 1))) l--;
    while (l < i && text.charCodeAt(l) == 0x2e) l++;
    let r = i + 1;
    while (r < n && isDomainChar(text.charCodeAt(r))) r++;
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
      // The TLD: letters only, at least two.
      if (len < 2) return false;
      for (let t = labelStart; t < k; t++) if (!isAlpha(text.charCodeAt(t))) return false;
    }
    labelStart = k + 1;
  }
  return labels >= 2 && !isDigit(text.charCodeAt(e - 1));
}
