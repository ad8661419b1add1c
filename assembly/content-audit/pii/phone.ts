// Phone numbers: Chinese mobiles (1[3-9] + 9 digits, optional +86/0086),
// international E.164 (+ and 8-15 digits), and North American numbers
// (NANP: area and exchange codes 2-9 first, not N11) written with
// separators or +1. Numbers labelled as order, tracking or invoice numbers
// by the words just before them are not phone numbers.
import { Span } from "../../common/text/regex";
import { at, before, digitAt, digitRun, endsToken, isDigit, startsToken } from "./chars";

const NOT_PHONE_CONTEXT: StaticArray<string> = ["order", "tracking", "invoice", "ref", "id:", "#", "订单", "单号", "编号", "运单"];

export function findPhones(text: string, out: Array<Span>): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const plus = c == 0x2b && isDigit(at(text, i + 1));
    const paren = c == 0x28 && isDigit(at(text, i + 1));
    if ((!plus && !paren && !isDigit(c)) || !startsToken(text, i) || (isDigit(c) && at(text, i - 1) == 0x2b)) {
      i++;
      continue;
    }
    const end = matchPhone(text, i, plus, paren);
    if (end > i && !labelledOtherwise(text, i)) {
      out.push(new Span(i, end));
      i = end;
    } else {
      i = skipNumber(text, i);
    }
  }
}

/** End of a phone number starting at i, or -1. */
function matchPhone(text: string, i: i32, plus: bool, paren: bool): i32 {
  if (paren) return nanpAt(text, i);
  const run = digitRun(text, plus ? i + 1 : i, " -", 16);
  const d = run.digits;
  const ends = endsToken(text, run.end);
  if (plus) {
    if (!ends) return nanpAt(text, i);
    if (d.startsWith("86")) return cnMobile(d.substring(2)) ? run.end : -1;
    if (d.startsWith("1")) {
      const nanp = nanpAt(text, i);
      if (nanp > 0) return nanp;
      return d.length == 11 && nanpDigits(d.substring(1)) ? run.end : -1;
    }
    return d.length >= 8 && d.length <= 15 && digitAt(d, 0) != 0 ? run.end : -1;
  }
  if (ends) {
    if (d.startsWith("0086") && cnMobile(d.substring(4))) return run.end;
    if (cnMobile(d)) return run.end;
  }
  return nanpAt(text, i);
}

function cnMobile(d: string): bool {
  return d.length == 11 && digitAt(d, 0) == 1 && digitAt(d, 1) >= 3;
}

/** NANP written as [+1|1 ][(]NXX[)][ .-]NXX[ .-]XXXX with at least one separator; returns the end or -1. */
function nanpAt(text: string, start: i32): i32 {
  let i = start;
  if (at(text, i) == 0x2b) {
    if (at(text, i + 1) != 0x31) return -1;
    i += 2;
    if (isSep(at(text, i))) i++;
  } else if (at(text, i) == 0x31 && isSep(at(text, i + 1))) {
    i += 2;
  }
  let separators = 0;
  let area: string;
  if (at(text, i) == 0x28) {
    if (!digitsAt(text, i + 1, 3) || at(text, i + 4) != 0x29) return -1;
    area = text.substring(i + 1, i + 4);
    i += 5;
    separators++;
    if (isSep(at(text, i))) i++;
  } else {
    if (!digitsAt(text, i, 3)) return -1;
    area = text.substring(i, i + 3);
    i += 3;
    if (isSep(at(text, i))) {
      i++;
      separators++;
    }
  }
  if (!digitsAt(text, i, 3)) return -1;
  const exchange = text.substring(i, i + 3);
  i += 3;
  if (isSep(at(text, i))) {
    i++;
    separators++;
  }
  if (!digitsAt(text, i, 4)) return -1;
  i += 4;
  if (!endsToken(text, i)) return -1;
  if (separators == 0 && at(text, start) != 0x2b) return -1;
  return nanpDigits(area + exchange) ? i : -1;
}

/** Area code and exchange code (6 digits or more) follow the NANP rules. */
function nanpDigits(d: string): bool {
  if (d.length < 6) return false;
  const a = digitAt(d, 0);
  const e = digitAt(d, 3);
  if (a < 2 || e < 2) return false;
  if (digitAt(d, 1) == 1 && digitAt(d, 2) == 1) return false;
  if (digitAt(d, 4) == 1 && digitAt(d, 5) == 1) return false;
  return true;
}

function isSep(c: i32): bool {
  return c == 0x20 || c == 0x2d || c == 0x2e;
}

function digitsAt(text: string, i: i32, count: i32): bool {
  for (let k = 0; k < count; k++) if (!isDigit(at(text, i + k))) return false;
  return true;
}

function labelledOtherwise(text: string, i: i32): bool {
  const ctx = before(text, i, 12);
  for (let k = 0; k < NOT_PHONE_CONTEXT.length; k++) if (ctx.includes(NOT_PHONE_CONTEXT[k])) return true;
  return false;
}

function skipNumber(text: string, i: i32): i32 {
  let j = i + 1;
  while (j < text.length && isDigit(text.charCodeAt(j))) j++;
  return j;
}
