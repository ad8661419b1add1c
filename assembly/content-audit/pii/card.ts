// Payment card numbers: 13-19 digits, optionally grouped by spaces or
// hyphens, a known issuer prefix, and a valid Luhn checksum.
import { Span } from "../../common/text/regex";
import { digitAt, digitRun, endsToken, isDigit, startsToken } from "./chars";

export function findCards(text: string, out: Array<Span>): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isDigit(text.charCodeAt(i)) || !startsToken(text, i)) {
      i++;
      continue;
    }
    const run = digitRun(text, i, " -", 19);
    const len = run.digits.length;
    if (len >= 13 && len <= 19 && endsToken(text, run.end) && knownIssuer(run.digits) && luhn(run.digits)) {
      out.push(new Span(i, run.end));
    }
    i = run.end > i ? run.end : i + 1;
  }
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

/** Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro prefixes. */
function knownIssuer(d: string): bool {
  const p1 = digitAt(d, 0);
  const p2 = p1 * 10 + digitAt(d, 1);
  const p4 = p2 * 100 + digitAt(d, 2) * 10 + digitAt(d, 3);
  const len = d.length;
  if (p1 == 4) return len == 13 || len == 16 || len == 19;
  if (p2 >= 51 && p2 <= 55) return len == 16;
  if (p4 >= 2221 && p4 <= 2720) return len == 16;
  if (p2 == 34 || p2 == 37) return len == 15;
  if (p4 == 6011 || p2 == 65 || (p4 >= 6440 && p4 <= 6499)) return len >= 16;
  if (p2 == 35) return len >= 16;
  if (p2 == 36 || p2 == 38 || p2 == 30) return len >= 14;
  if (p2 == 62) return len >= 16;
  if (p2 == 50 || (p2 >= 56 && p2 <= 69)) return len >= 12;
  return false;
}
