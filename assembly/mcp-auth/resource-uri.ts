// Resource URIs as policies compare them. A server may read
// `FILE:///%65tc/passwd` and `file://localhost//etc/passwd` as /etc/passwd,
// and `file:///public/../etc/passwd` (or `demo://static/../private/x`, joined
// to a directory) outside the prefix it starts with; text compared as written
// would miss the first two under a deny of `file:///etc/` and allow the
// others under `file:///public/`. So every URI is put in one form first
// (RFC 3986 §6.2.2): scheme and host in lower case, escapes of unreserved
// characters decoded (others upper-cased), repeated slashes in the path made
// one, `localhost` dropped from `file:`. A URI with a `.` or `..` segment,
// an escaped separator or NUL (`%2F`, `%5C`, `%00`) or a backslash has no
// such form (servers differ on what it names): it is refused whatever the
// policies say. Patterns are put in the same form when the configuration loads.

import { hexValue } from "./query";

function isUnreserved(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e;
}

function isSchemeChar(c: i32, first: bool): bool {
  const alpha = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  return first ? alpha : alpha || (c >= 0x30 && c <= 0x39) || c == 0x2b || c == 0x2d || c == 0x2e;
}

/** Decodes escapes of unreserved characters, upper-cases the others; null for an escaped separator or NUL, or a backslash. */
function normalizeEscapes(s: string): string | null {
  if (s.includes("\\")) return null;
  if (!s.includes("%")) return s;
  // One pass into a buffer of UTF-16 units (a URI may be as long as the body).
  const out = new Uint16Array(s.length);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const hi = c == 0x25 && i + 2 < s.length ? hexValue(s.charCodeAt(i + 1)) : -1;
    const lo = hi < 0 ? -1 : hexValue(s.charCodeAt(i + 2));
    if (lo < 0) {
      out[o++] = <u16>c;
      continue;
    }
    const v = (hi << 4) | lo;
    if (v == 0x2f || v == 0x5c || v == 0) return null;
    if (isUnreserved(v)) {
      out[o++] = <u16>v;
    } else {
      out[o++] = 0x25;
      out[o++] = <u16>upperHex(s.charCodeAt(i + 1));
      out[o++] = <u16>upperHex(s.charCodeAt(i + 2));
    }
    i += 2;
  }
  return String.UTF16.decodeUnsafe(changetype<usize>(out.buffer), <usize>o << 1);
}

function upperHex(c: i32): i32 {
  return c >= 0x61 && c <= 0x66 ? c - 32 : c;
}

/** The path with repeated slashes made one; null when it has a `.` or `..` segment. */
function normalizePath(path: string): string | null {
  if (path.length == 0) return path;
  const parts = path.split("/");
  const kept = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p == "." || p == "..") return null;
    if (p.length > 0 || (i == parts.length - 1 && i > 0)) kept.push(p);
  }
  const joined = kept.join("/");
  return path.charCodeAt(0) == 0x2f ? "/" + joined : joined;
}

/** The form a policy compares (see above); null when the URI has none. */
export function canonicalUri(uri: string): string | null {
  const s = normalizeEscapes(uri);
  if (s === null) return null;
  let colon = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x3a) {
      colon = i;
      break;
    }
    if (!isSchemeChar(c, i == 0)) break;
  }
  if (colon <= 0) return s; // no scheme: compared as written, escapes normalized
  const scheme = s.substring(0, colon).toLowerCase();
  let rest = s.substring(colon + 1);
  let authority = "";
  const hierarchical = rest.startsWith("//");
  if (hierarchical) {
    let end = 2;
    while (end < rest.length) {
      const c = rest.charCodeAt(end);
      if (c == 0x2f || c == 0x3f || c == 0x23) break;
      end++;
    }
    authority = rest.substring(2, end);
    rest = rest.substring(end);
    const at = authority.lastIndexOf("@");
    authority = authority.substring(0, at + 1) + authority.substring(at + 1).toLowerCase();
    if (scheme == "file" && authority == "localhost") authority = "";
  }
  let pathEnd = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c == 0x3f || c == 0x23) {
      pathEnd = i;
      break;
    }
  }
  const path = normalizePath(rest.substring(0, pathEnd));
  if (path === null) return null;
  return scheme + ":" + (hierarchical ? "//" + authority : "") + path + rest.substring(pathEnd);
}
