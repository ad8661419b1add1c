// Which budget a request draws from, per limit: the value of the limit's key
// (consumer, header, query parameter, cookie, client IP, model, route) or
// null when the limit does not apply (key absent, value not listed, client
// outside the ranges). Shared limits map every applying value to one budget.
import { hostOfAddress, parseIp } from "../common/cidr";
import { FilterConfig, LimitConfig } from "./config";

/** What is known about a request when its headers arrive (they cannot be read later). */
export class RequestFacts {
  path: string = "";
  route: string = "";
  peerAddress: string = "";
  /** Header values by lower-case name, for the headers the limits need. */
  headerNames: Array<string> = new Array<string>();
  headerValues: Array<string | null> = new Array<string | null>();
  /** From the body, once read; null when the request has none. */
  model: string | null = null;

  header(name: string): string | null {
    const i = this.headerNames.indexOf(name);
    return i < 0 ? null : this.headerValues[i];
  }
}

/** Names of the request headers the configuration reads. */
export function neededHeaders(cfg: FilterConfig): Array<string> {
  const out = new Array<string>();
  for (let i = 0; i < cfg.limits.length; i++) {
    const l = cfg.limits[i];
    let name = "";
    if (l.by == "consumer") name = cfg.consumerHeader;
    else if (l.by == "header") name = l.key;
    else if (l.by == "cookie") name = "cookie";
    else if (l.by == "ip") {
      const h = cfg.clientIpHeader;
      if (h !== null) name = h;
    }
    if (name.length > 0 && !out.includes(name)) out.push(name);
  }
  return out;
}

/** The raw key value of `l` for this request, or null when the request has none. */
function rawValue(l: LimitConfig, cfg: FilterConfig, facts: RequestFacts): string | null {
  if (l.by == "all") return "all";
  if (l.by == "consumer") return nonEmpty(facts.header(cfg.consumerHeader));
  if (l.by == "header") return nonEmpty(facts.header(l.key));
  if (l.by == "query") return queryParam(facts.path, l.key);
  if (l.by == "cookie") return cookieValue(facts.header("cookie"), l.key);
  if (l.by == "model") return nonEmpty(facts.model);
  if (l.by == "route") return nonEmpty(facts.route);
  return clientIp(cfg, facts);
}

/** The budget identity for `l`: null when the limit does not apply to this request. */
export function identityFor(l: LimitConfig, cfg: FilterConfig, facts: RequestFacts): string | null {
  const value = rawValue(l, cfg, facts);
  if (value === null) return null;
  if (l.values.length > 0 && !l.values.includes(value)) return null;
  if (l.by == "ip" && l.cidrs.length > 0) {
    const ip = parseIp(value);
    if (ip === null) return null;
    let inside = false;
    for (let i = 0; i < l.cidrs.length && !inside; i++) inside = l.cidrs[i].contains(ip);
    if (!inside) return null;
  }
  return l.shared ? "shared" : value;
}

function nonEmpty(s: string | null): string | null {
  return s === null || s.length == 0 ? null : s;
}

function clientIp(cfg: FilterConfig, facts: RequestFacts): string | null {
  const h = cfg.clientIpHeader;
  if (h !== null) {
    const v = facts.header(h);
    if (v === null) return null;
    const comma = v.lastIndexOf(",");
    return nonEmpty(hostOfAddress((comma < 0 ? v : v.substring(comma + 1)).trim()));
  }
  return nonEmpty(hostOfAddress(facts.peerAddress));
}

/** A query parameter's value (percent-decoded, "+" as space), the first when repeated; null when absent. */
export function queryParam(path: string, name: string): string | null {
  const q = path.indexOf("?");
  if (q < 0) return null;
  const end = path.indexOf("#");
  const query = path.substring(q + 1, end < 0 ? path.length : end);
  const parts = query.split("&");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const eq = p.indexOf("=");
    const k = percentDecode(eq < 0 ? p : p.substring(0, eq));
    if (k == name) return nonEmpty(percentDecode(eq < 0 ? "" : p.substring(eq + 1)));
  }
  return null;
}

/** A cookie's value from a Cookie header; null when absent. */
export function cookieValue(header: string | null, name: string): string | null {
  if (header === null) return null;
  const parts = header.split(";");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i].trim();
    const eq = p.indexOf("=");
    if (eq > 0 && p.substring(0, eq) == name) return nonEmpty(p.substring(eq + 1));
  }
  return null;
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Decodes %XX (as UTF-8) and "+"; malformed escapes are kept as they are. */
function percentDecode(s: string): string {
  if (s.indexOf("%") < 0 && s.indexOf("+") < 0) return s;
  const src = String.UTF8.encode(s);
  const bytes = Uint8Array.wrap(src);
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = <i32>bytes[i];
    if (b == 0x2b) {
      out[n++] = 0x20;
    } else if (b == 0x25 && i + 2 < bytes.length && hexValue(bytes[i + 1]) >= 0 && hexValue(bytes[i + 2]) >= 0) {
      out[n++] = <u8>((hexValue(bytes[i + 1]) << 4) | hexValue(bytes[i + 2]));
      i += 2;
    } else {
      out[n++] = <u8>b;
    }
  }
  return String.UTF8.decode(out.buffer.slice(0, n));
}
