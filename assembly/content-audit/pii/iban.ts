// IBANs (ISO 13616): a country code with its fixed length, written compact or
// in groups of four, and the mod-97 check (ISO 7064) equal to 1.
import { Span } from "../../common/text/regex";
import { at, isAlnum, isDigit, isUpper, startsToken } from "./chars";

// Country code and IBAN length (SWIFT IBAN registry; Iran issues IR… IBANs outside it).
const COUNTRIES = "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BR29CH21CR22CY28CZ24DE22DK18DO28EE20ES24FI18FO18FR27GB22GE22GI23GL18GR27GT28HR21HU28IE22IL23IS26IT27JO30KW30KZ20LB28LI21LT20LU20LV21MC27MD24ME22MK19MR27MT31MU30NL18NO15PK24PL28PS29PT25QA29RO24RS22SA24SE24SI19SK24SM27TN24TR26UA29VG24XK20" +
  "BI27BY28DJ27EG29FK18IQ23IR26LC32LY25MN20NI28OM23RU33SC31SD18SO23ST25SV28TL23VA22YE30";

function expectedLength(a: i32, b: i32): i32 {
  for (let k = 0; k < COUNTRIES.length; k += 4) {
    if (COUNTRIES.charCodeAt(k) == a && COUNTRIES.charCodeAt(k + 1) == b) {
      return (COUNTRIES.charCodeAt(k + 2) - 0x30) * 10 + (COUNTRIES.charCodeAt(k + 3) - 0x30);
    }
  }
  return -1;
}

export function findIbans(text: string, out: Array<Span>): void {
  const n = text.length - 14;
  for (let i = 0; i < n; i++) {
    const a = text.charCodeAt(i);
    if (!isUpper(a) || !isUpper(at(text, i + 1)) || !isDigit(at(text, i + 2)) || !isDigit(at(text, i + 3))) continue;
    if (!startsToken(text, i)) continue;
    const len = expectedLength(a, text.charCodeAt(i + 1));
    if (len < 0) continue;
    const end = collect(text, i, len);
    if (end < 0) continue;
    out.push(new Span(i, end));
    i = end - 1;
  }
}

/** End of an IBAN of `len` characters at i (single spaces allowed between groups) that passes mod 97, or -1. */
function collect(text: string, i: i32, len: i32): i32 {
  const codes = new Array<i32>();
  let p = i;
  while (codes.length < len && p < text.length) {
    const c = text.charCodeAt(p);
    if (isDigit(c) || isUpper(c)) {
      codes.push(c);
      p++;
    } else if (c == 0x20 && codes.length % 4 == 0 && isAlnum(at(text, p + 1))) {
      p++;
    } else {
      break;
    }
  }
  if (codes.length != len || isAlnum(at(text, p))) return -1;
  return mod97(codes) == 1 ? p : -1;
}

/** The IBAN check: first four characters moved to the end, letters as 10..35, mod 97. */
function mod97(codes: Array<i32>): i32 {
  let r = 0;
  const n = codes.length;
  for (let k = 0; k < n; k++) {
    const c = codes[(k + 4) % n];
    if (isDigit(c)) r = (r * 10 + (c - 0x30)) % 97;
    else r = (r * 100 + (c - 0x41 + 10)) % 97;
  }
  return r;
}
