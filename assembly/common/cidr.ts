// IPv4/IPv6 addresses and CIDR ranges, parsed without trapping: "10.0.0.0/8",
// "2001:db8::/32", "::1". Addresses are kept as 16 bytes (IPv4 as
// IPv4-mapped IPv6, ::ffff:a.b.c.d), so a v4 range matches v4 clients and
// their mapped form alike.

export class IpAddress {
  constructor(public bytes: Uint8Array, public isV4: bool) {}
}

export class CidrRange {
  constructor(public base: Uint8Array, public prefixBits: i32) {}

  contains(ip: IpAddress): bool {
    const full = this.prefixBits >> 3;
    for (let i = 0; i < full; i++) if (ip.bytes[i] != this.base[i]) return false;
    const rest = this.prefixBits & 7;
    if (rest == 0) return true;
    const shift: i32 = 8 - rest;
    const mask: i32 = (0xff << shift) & 0xff;
    return (<i32>ip.bytes[full] & mask) == (<i32>this.base[full] & mask);
  }
}

/** Parses "a.b.c.d" or an IPv6 literal (brackets and a zone are not accepted); null when invalid. */
export function parseIp(text: string): IpAddress | null {
  if (text.indexOf(":") < 0) {
    const v4 = parseV4(text);
    if (v4 === null) return null;
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    for (let i = 0; i < 4; i++) out[12 + i] = v4[i];
    return new IpAddress(out, true);
  }
  const v6 = parseV6(text);
  return v6 === null ? null : new IpAddress(v6, false);
}

/** Parses "addr/bits" (or a bare address: a single host); null when invalid. */
export function parseCidr(text: string): CidrRange | null {
  const slash = text.indexOf("/");
  const addr = parseIp(slash < 0 ? text : text.substring(0, slash));
  if (addr === null) return null;
  const maxBits = addr.isV4 ? 32 : 128;
  let bits = maxBits;
  if (slash >= 0) {
    bits = decimalPart(text.substring(slash + 1), 3);
    if (bits < 0 || bits > maxBits) return null;
  }
  return new CidrRange(addr.bytes, addr.isV4 ? bits + 96 : bits);
}

/**
 * The address part of an Envoy address string: "1.2.3.4:5678" -> "1.2.3.4",
 * "[::1]:80" -> "::1", a bare address unchanged.
 */
export function hostOfAddress(address: string): string {
  if (address.startsWith("[")) {
    const end = address.indexOf("]");
    return end < 0 ? address : address.substring(1, end);
  }
  const colon = address.indexOf(":");
  if (colon >= 0 && address.lastIndexOf(":") == colon) return address.substring(0, colon);
  return address;
}

/** A decimal of at most `maxDigits` digits, or -1. */
function decimalPart(s: string, maxDigits: i32): i32 {
  if (s.length == 0 || s.length > maxDigits) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

function parseV4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length != 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = decimalPart(parts[i], 3);
    if (n < 0 || n > 255) return null;
    out[i] = <u8>n;
  }
  return out;
}

function hexGroup(s: string): i32 {
  if (s.length == 0 || s.length > 4) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d = -1;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
    if (d < 0) return -1;
    n = (n << 4) | d;
  }
  return n;
}

/** Groups of one side of "::" (16-bit values; a trailing dotted quad gives two); null when invalid. */
function v6Groups(side: string, allowV4Tail: bool): Array<i32> | null {
  const out = new Array<i32>();
  if (side.length == 0) return out;
  const parts = side.split(":");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (allowV4Tail && i == parts.length - 1 && p.indexOf(".") >= 0) {
      const v4 = parseV4(p);
      if (v4 === null) return null;
      out.push((<i32>v4[0] << 8) | v4[1]);
      out.push((<i32>v4[2] << 8) | v4[3]);
      continue;
    }
    const g = hexGroup(p);
    if (g < 0) return null;
    out.push(g);
  }
  return out;
}

function parseV6(text: string): Uint8Array | null {
  const gap = text.indexOf("::");
  let groups: Array<i32>;
  if (gap < 0) {
    const all = v6Groups(text, true);
    if (all === null || all.length != 8) return null;
    groups = all;
  } else {
    if (text.indexOf("::", gap + 1) >= 0) return null;
    const head = v6Groups(text.substring(0, gap), false);
    const tail = v6Groups(text.substring(gap + 2), true);
    if (head === null || tail === null || head.length + tail.length > 7) return null;
    groups = head;
    for (let i = head.length + tail.length; i < 8; i++) groups.push(0);
    for (let i = 0; i < tail.length; i++) groups.push(tail[i]);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = <u8>(groups[i] >> 8);
    out[2 * i + 1] = <u8>(groups[i] & 0xff);
  }
  return out;
}
