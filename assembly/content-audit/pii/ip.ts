// IP addresses: dotted IPv4 with octets 0-255 and no leading zeros (not part
// of a longer dotted number such as a version string), and IPv6 in any RFC
// 4291 text form (at most one "::", 1-4 hex digits per group, an optional
// IPv4 tail) with at least three groups or the loopback "::1". A dotted
// number that the nearest label calls a version, section or step
// ("Firmware 4.2.2.6", "section 2.9.8.4") is not an address.
import { Span } from "../../common/text/regex";
import { at, isAlnum, isDigit, isHex } from "./chars";
import { Label, labelBefore } from "./context";

export function findIps(text: string, out: Array<Span>, context: string = ""): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const prev = at(text, i - 1);
    if ((isHex(c) || c == 0x3a) && !isAlnum(prev) && prev != 0x3a && prev != 0x2e) {
      const v6 = ipv6At(text, i);
      if (v6 > i) {
        out.push(new Span(i, v6));
        i = v6;
        continue;
      }
      if (isDigit(c)) {
        const v4 = ipv4At(text, i);
        if (v4 > i && !isAlnum(at(text, v4)) && !(at(text, v4) == 0x2e && isDigit(at(text, v4 + 1)))) {
          if (labelBefore(text, i, context) != Label.Version) out.push(new Span(i, v4));
          i = v4;
          continue;
        }
      }
    }
    i++;
  }
}

/** End of a dotted IPv4 address at i, or -1 (no boundary check after it). */
export function ipv4At(text: string, i: i32): i32 {
  let p = i;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (at(text, p) != 0x2e) return -1;
      p++;
    }
    let v = 0;
    let digits = 0;
    while (digits < 4 && isDigit(at(text, p))) {
      v = v * 10 + (text.charCodeAt(p) - 0x30);
      digits++;
      p++;
    }
    if (digits == 0 || digits > 3 || v > 255) return -1;
    if (digits > 1 && text.charCodeAt(p - digits) == 0x30) return -1;
  }
  return p;
}

function ipv6At(text: string, i: i32): i32 {
  let p = i;
  let groups = 0;
  let doubleColon = false;
  let lastEnd = i;
  if (at(text, p) == 0x3a) {
    if (at(text, p + 1) != 0x3a) return -1;
    doubleColon = true;
    p += 2;
    lastEnd = p;
  }
  while (groups < 8) {
    // An IPv4 tail takes the place of two groups.
    const v4 = groups <= 6 && (doubleColon || groups == 6) ? ipv4At(text, p) : -1;
    if (v4 > 0 && !isAlnum(at(text, v4)) && at(text, v4) != 0x2e) {
      groups += 2;
      lastEnd = v4;
      break;
    }
    let len = 0;
    while (len < 5 && isHex(at(text, p + len))) len++;
    if (len == 0 || len > 4) break;
    groups++;
    p += len;
    lastEnd = p;
    if (at(text, p) != 0x3a) break;
    if (at(text, p + 1) == 0x3a) {
      if (doubleColon) break;
      doubleColon = true;
      p += 2;
      lastEnd = p;
      continue;
    }
    if (!isHex(at(text, p + 1))) break;
    p++;
  }
  const next = at(text, lastEnd);
  if (isAlnum(next) || next == 0x3a || next == 0x2e) return -1;
  if (doubleColon ? groups > 7 : groups != 8) return -1;
  if (groups < 3 && text.substring(i, lastEnd) != "::1") return -1;
  return lastEnd;
}
