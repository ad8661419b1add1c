// Chinese resident identity numbers (GB 11643-1999): 17 digits and a check
// character, a province code, a real birth date, and the ISO 7064 MOD 11-2
// checksum. Residence permits for residents of Hong Kong, Macao and Taiwan
// (81…, 82…, 83…) have the same format and checksum.
import { Span } from "../../common/text/regex";
import { at, digitAt, endsToken, isDigit, startsToken } from "./chars";

const WEIGHTS: StaticArray<i32> = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";
const PROVINCES: StaticArray<i32> = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83];

export function findCnIds(text: string, out: Array<Span>): void {
  const n = text.length - 17;
  for (let i = 0; i < n; i++) {
    if (!isDigit(text.charCodeAt(i)) || !startsToken(text, i)) continue;
    let k = 0;
    while (k < 17 && isDigit(at(text, i + k))) k++;
    if (k < 17) {
      i += k;
      continue;
    }
    const last = at(text, i + 17);
    if (!isDigit(last) && last != 0x58 && last != 0x78) continue;
    if (!endsToken(text, i + 18)) continue;
    if (validCnId(text.substring(i, i + 18))) {
      out.push(new Span(i, i + 18));
      i += 17;
    }
  }
}

export function validCnId(id: string): bool {
  const province = digitAt(id, 0) * 10 + digitAt(id, 1);
  let known = false;
  for (let k = 0; k < PROVINCES.length; k++) if (PROVINCES[k] == province) known = true;
  if (!known) return false;
  const year = number(id, 6, 4);
  const month = number(id, 10, 2);
  const day = number(id, 12, 2);
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  let sum = 0;
  for (let k = 0; k < 17; k++) sum += digitAt(id, k) * WEIGHTS[k];
  const expected = CHECK.charCodeAt(sum % 11);
  let actual = id.charCodeAt(17);
  if (actual == 0x78) actual = 0x58;
  return actual == expected;
}

function number(s: string, from: i32, len: i32): i32 {
  let v = 0;
  for (let k = 0; k < len; k++) v = v * 10 + digitAt(s, from + k);
  return v;
}

function daysIn(year: i32, month: i32): i32 {
  if (month == 2) return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
  if (month == 4 || month == 6 || month == 9 || month == 11) return 30;
  return 31;
}
