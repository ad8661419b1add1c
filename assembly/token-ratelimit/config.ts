// The plugin configuration: limits (what is counted, per which key, over
// which windows), admission options, and the optional rate limit service
// for a fleet. See README.md for the reference and schema.json for the shape.
import { CidrRange, parseCidr } from "../common/cidr";
import { ConfigParser, ConfigReader, readServiceTarget, ServiceTarget } from "../common/config";
import { LimitCounters } from "./metrics";
import { WINDOW_NAMES, windowSeconds } from "./windows";
import { decimal } from "../common/text/decimal";

export const KEY_SOURCES: Array<string> = ["consumer", "header", "query", "cookie", "ip", "model", "route", "all"];
export const FAILURE_MODES: Array<string> = ["allow", "deny"];
export const ALGORITHMS: Array<string> = ["fixed_window", "token_bucket"];
/** Completion tokens reserved for a request that gives no max-tokens cap, unless its budget's recent peak is larger. */
export const DEFAULT_COMPLETION_RESERVE: i64 = 512;

export class WindowLimit {
  constructor(public name: string, public seconds: i64, public tokens: i64) {}
}

export class LimitConfig {
  name: string = "";
  /** One of KEY_SOURCES. */
  by: string = "all";
  /** Header, query parameter or cookie name. */
  key: string = "";
  /** Only these values are limited (empty: every value). */
  values: Array<string> = new Array<string>();
  /** Only clients in these ranges are limited (by: ip). */
  cidrs: Array<CidrRange> = new Array<CidrRange>();
  /** One budget for every matching value instead of one per value. */
  shared: bool = false;
  windows: Array<WindowLimit> = new Array<WindowLimit>();
  /** Token bucket (refilled continuously) instead of fixed windows. */
  bucket: bool = false;
  /** Distinct values tracked at once (slots of the local table). */
  maxKeys: i32 = 1024;
  /** Shared-data key prefix, unique per configuration scope and limit (set by the root). */
  storeKey: string = "";
  /** Each slot's shared-data key as UTF-8, made on first use. */
  slotKeys: Array<ArrayBuffer | null> = new Array<ArrayBuffer | null>();
  /** A shared budget's identity as UTF-8, made on first use. */
  sharedIdentity: ArrayBuffer | null = null;
  /** This limit's metrics (set by the root). */
  counters: LimitCounters | null = null;
}

export class ServiceConfig extends ServiceTarget {
  domain: string = "";
  /** What happens when the service cannot answer: "allow" (fail open) or "deny" (fail closed, 503). */
  failureMode: string = "allow";

  constructor() {
    super("/json", "", 500);
  }
}

export class FilterConfig {
  limits: Array<LimitConfig> = new Array<LimitConfig>();
  consumerHeader: string = "x-mse-consumer";
  /** When set, the client address is the last entry of this header instead of the peer address. */
  clientIpHeader: string | null = null;
  completionReserve: i64 = DEFAULT_COMPLETION_RESERVE;
  includeUsage: bool = true;
  responseHeaders: bool = true;
  holdRequestHeaders: bool = false;
  maxRequestBytes: u32 = 1000000;
  maxResponseBytes: u32 = 1 << 20;
  service: ServiceConfig | null = null;
  /** Request headers the limits read (filled by the root). */
  neededHeaders: Array<string> = new Array<string>();
  /** Some limit keys on the route name / the peer address (filled by the root). */
  needsRoute: bool = false;
  needsPeer: bool = false;
}

function validName(s: string): bool {
  if (s.length == 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2d;
    if (!ok) return false;
  }
  return true;
}

export class TokenLimitParser extends ConfigParser<FilterConfig> {
  parse(r: ConfigReader): FilterConfig | null {
    const c = new FilterConfig();
    const limits = r.objectArray("limits", true, 1);
    for (let i = 0; i < limits.length; i++) {
      const l = readLimit(limits[i]);
      for (let j = 0; j < c.limits.length; j++) {
        if (c.limits[j].name == l.name) limits[i].fail("name", "duplicates limits[" + decimal(j) + "].name \"" + l.name + "\"");
      }
      c.limits.push(l);
    }
    c.consumerHeader = r.optionalString("consumer_header", c.consumerHeader).toLowerCase();
    const ipHeader = r.stringOrNull("client_ip_header");
    if (ipHeader !== null) c.clientIpHeader = ipHeader.toLowerCase();
    c.completionReserve = r.optionalInt("completion_reserve", DEFAULT_COMPLETION_RESERVE, 0, 10_000_000);
    c.includeUsage = r.optionalBool("include_usage", true);
    c.responseHeaders = r.optionalBool("response_headers", true);
    c.holdRequestHeaders = r.optionalBool("hold_request_headers", false);
    c.maxRequestBytes = <u32>r.optionalInt("max_request_bytes", c.maxRequestBytes, 1024, 64 << 20);
    c.maxResponseBytes = <u32>r.optionalInt("max_response_bytes", c.maxResponseBytes, 1024, 64 << 20);
    const svc = r.object("ratelimit_service");
    if (svc !== null) {
      c.service = readService(svc);
      for (let i = 0; i < c.limits.length; i++) {
        if (c.limits[i].bucket) limits[i].fail("algorithm", "token_bucket needs local mode: the rate limit service counts fixed windows");
      }
    }
    r.rejectUnknown();
    return c;
  }
}

function readLimit(r: ConfigReader): LimitConfig {
  const l = new LimitConfig();
  l.name = r.requiredString("name");
  if (l.name.length > 0 && !validName(l.name)) r.fail("name", "must be 1-64 characters of A-Z a-z 0-9 _ - (got \"" + l.name + "\")");
  l.by = r.requiredEnum("by", KEY_SOURCES);
  if (l.by == "header" || l.by == "query" || l.by == "cookie") {
    l.key = r.requiredString("key");
    if (l.by == "header") l.key = l.key.toLowerCase();
  } else if (r.has("key")) {
    r.fail("key", "applies only to by: header, query or cookie");
  }
  l.values = r.stringArray("values");
  const cidrs = r.stringArray("cidrs");
  if (cidrs.length > 0 && l.by != "ip") r.fail("cidrs", "applies only to by: ip");
  for (let i = 0; i < cidrs.length; i++) {
    const range = parseCidr(cidrs[i]);
    if (range === null) r.fail("cidrs", "entry " + decimal(i) + " is not an IPv4/IPv6 address or CIDR range (got \"" + cidrs[i] + "\")");
    else l.cidrs.push(range);
  }
  l.shared = r.optionalBool("shared", l.by == "all");
  l.bucket = r.optionalEnum("algorithm", ALGORITHMS, "fixed_window") == "token_bucket";
  l.maxKeys = <i32>r.optionalInt("max_keys", l.maxKeys, 1, 65536);
  if (l.shared || l.by == "all") l.maxKeys = 1;
  const w = r.object("windows", true);
  if (w !== null) {
    for (let i = 0; i < WINDOW_NAMES.length; i++) {
      const name = WINDOW_NAMES[i];
      if (!w.has(name)) continue;
      l.windows.push(new WindowLimit(name, windowSeconds(name), w.optionalInt(name, 1, 1, 1_000_000_000_000_000)));
    }
    if (l.windows.length == 0) r.fail("windows", "needs at least one of " + WINDOW_NAMES.join(", ") + " (tokens per window)");
    w.rejectUnknown();
  }
  r.rejectUnknown();
  return l;
}

function readService(r: ConfigReader): ServiceConfig {
  const s = new ServiceConfig();
  readServiceTarget(r, s);
  s.domain = r.requiredString("domain");
  s.failureMode = r.optionalEnum("failure_mode", FAILURE_MODES, s.failureMode);
  r.rejectUnknown();
  return s;
}
