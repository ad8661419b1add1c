// US Social Security numbers written AAA-GG-SSSS (or with spaces): area not
// 000, 666 or 900-999, group not 00, serial not 0000, and not one of the
// numbers known to be invalid because they were published as examples.
import { Span } from "../../common/text/regex";
import { at, digitAt, endsToken, isDigit, startsToken } from "./chars";

export function findSsns(text: string, out: Array<Span>): void {
  const n = text.length - 10;
  for (let i = 0; i < n; i++) {
    if (!isDigit(text.charCodeAt(i)) || !startsToken(text, i)) continue;
    const sep = at(text, i + 3);
    if (sep != 0x2d && sep != 0x20) continue;
    if (at(text, i + 6) != sep) continue;
    if (!digitsAt(text, i, 3) || !digitsAt(text, i + 4, 2) || !digitsAt(text, i + 7, 4)) continue;
    if (!endsToken(text, i + 11) || at(text, i + 11) == 0x2d) continue;
    const s = text.substring(i, i + 3) + text.substring(i + 4, i + 6) + text.substring(i + 7, i + 11);
    if (validSsn(s)) {
      out.push(new Span(i, i + 11));
      i += 10;
    }
  }
}

function digitsAt(text: string, i: i32, count: i32): bool {
  for (let k = 0; k < count; k++) if (!isDigit(text.charCodeAt(i + k))) return false;
  return true;
}

export function validSsn(d: string): bool {
  const area = digitAt(d, 0) * 100 + digitAt(d, 1) * 10 + digitAt(d, 2);
  const group = digitAt(d, 3) * 10 + digitAt(d, 4);
  const serial = d.substring(5);
  if (area == 0 || area == 666 || area >= 900) return false;
  if (group == 0 || serial == "0000") return false;
  // Published: the Woolworth wallet card, an SSA pamphlet, a public challenge,
  // the common placeholder, and the range the SSA reserved for advertising.
  if (d == "078051120" || d == "219099999" || d == "457555462" || d == "123456789") return false;
  if (d.startsWith("98765432")) return false;
  return true;
}
