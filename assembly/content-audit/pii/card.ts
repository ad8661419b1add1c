// Payment card numbers: 12-19 digits written whole or in the groups cards
// are printed in (4-4-4-4[-3], Amex 4-6-5, Diners 4-6-4), an issuer range
// that takes that length, and a valid Luhn checksum. What follows the
// number (an expiry "12/25", a CVV "123") is not part of it: the longest
// run of whole groups that is a card wins. A number after "+" is not a card.
//
// Issuers: Visa 4; Mastercard 51-55, 2221-2720; Amex 34, 37; Discover 6011,
// 644-649, 65; JCB 3528-3589 (16-19), 2131 and 1800 (15); Diners 300-305,
// 3095, 36, 38, 39; UnionPay 62, 8100-8171; Mir 2200-2204; Troy 9792; Maestro and other
// domestic schemes 50, 56-69 (12-19). UnionPay numbers that do not pass Luhn
// (some early 62 cards) are not found: without the checksum any 62… digit
// run would be a card.
import { Span } from "../../common/text/regex";
import { at, digitAt, isAlnum, isDigit, startsToken } from "./chars";

const MAX_GROUPS: i32 = 8;
const groupEnd = new StaticArray<i32>(MAX_GROUPS);
const groupLen = new StaticArray<i32>(MAX_GROUPS);

export function findCards(text: string, out: Array<Span>): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i)) || !startsToken(text, i) || at(text, i - 1) == 0x2b) {
      i++;
      continue;
    }
    // Groups separated by one space or hyphen.
    let groups = 0;
    let p = i;
    const digits = new Array<i32>();
    while (groups < MAX_GROUPS) {
      let len = 0;
      while (isDigit(at(text, p)) && len <= 19) {
        digits.push(text.charCodeAt(p));
        p++;
        len++;
      }
      unchecked((groupEnd[groups] = p));
      unchecked((groupLen[groups] = len));
      groups++;
      const s = at(text, p);
      if ((s == 0x20 || s == 0x2d) && isDigit(at(text, p + 1))) p++;
      else break;
    }
    // The longest valid run of whole groups, unless its last group is short (a CVV, a year)
    // and the groups before it are a card already.
    let found = -1;
    let total = digits.length;
    for (let g = groups; g > 0 && found < 0; g--) {
      if (g < groups) total -= unchecked(groupLen[g]);
      if (!isCard(text, digits, g, total)) continue;
      const shorter = total - unchecked(groupLen[g - 1]);
      found = g > 1 && unchecked(groupLen[g - 1]) < 4 && isCard(text, digits, g - 1, shorter) ? unchecked(groupEnd[g - 2]) : unchecked(groupEnd[g - 1]);
    }
    if (found > 0) {
      out.push(new Span(i, found));
      i = found;
    } else {
      // No part of a grouped number is a card on its own ("4175 6145 1392 7416" holds no 12-digit card).
      i = unchecked(groupEnd[groups - 1]);
    }
  }
}

function isCard(text: string, digits: Array<i32>, g: i32, total: i32): bool {
  if (total < 12 || total > 19 || !printedGroups(g, total)) return false;
  if (isAlnum(at(text, unchecked(groupEnd[g - 1])))) return false;
  const d = String.fromCharCodes(digits.slice(0, total));
  return knownIssuer(d) && luhn(d);
}

/** The first g groups (total digits) are one group, or grouped as cards are printed. */
function printedGroups(g: i32, total: i32): bool {
  if (g == 1) return true;
  const first = unchecked(groupLen[0]);
  if (g == 3 && first == 4 && unchecked(groupLen[1]) == 6) return total == 15 || total == 14;
  if (first != 4) return false;
  for (let k = 1; k < g - 1; k++) if (unchecked(groupLen[k]) != 4) return false;
  const last = unchecked(groupLen[g - 1]);
  return last >= 1 && last <= 4;
}

export function luhn(digits: string): bool {
  let sum = 0;
  let double = false;
  for (let k = digits.length - 1; k >= 0; k--) {
    let d = digitAt(digits, k);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 == 0;
}

function knownIssuer(d: string): bool {
  const p1 = digitAt(d, 0);
  const p2 = p1 * 10 + digitAt(d, 1);
  const p3 = p2 * 10 + digitAt(d, 2);
  const p4 = p3 * 10 + digitAt(d, 3);
  const len = d.length;
  if (p1 == 4) return len == 13 || len == 16 || len == 19;
  if (p2 >= 51 && p2 <= 55) return len == 16;
  if (p4 >= 2200 && p4 <= 2204) return len >= 16;
  if (p4 >= 2221 && p4 <= 2720) return len == 16;
  if (p2 == 34 || p2 == 37) return len == 15;
  if (p4 == 2131 || p4 == 1800) return len == 15;
  if (p4 >= 3528 && p4 <= 3589) return len >= 16;
  if ((p3 >= 300 && p3 <= 305) || p4 == 3095 || p2 == 38 || p2 == 39) return len >= 14;
  if (p2 == 36) return len >= 14;
  if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) return len >= 16;
  if (p2 == 62 || (p4 >= 8100 && p4 <= 8171)) return len >= 16;
  if (p4 == 9792) return len == 16;
  if (p2 == 50 || (p2 >= 56 && p2 <= 69)) return len >= 12;
  return false;
}
