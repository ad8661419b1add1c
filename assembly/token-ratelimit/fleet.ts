// The Envoy rate limit service protocol over its HTTP JSON endpoint
// (envoyproxy/ratelimit, POST /json): one descriptor per limit and window,
// "<limit>_<window>" = the budget identity, hits_addend = tokens. The service
// counts in Redis for every Envoy of the fleet and answers 200 (OK) or 429
// (OVER_LIMIT) with a RateLimitResponse in protobuf JSON.
import { JsonKind, JsonValue, JsonWriter, parseJson } from "../common/json";
import { decimal } from "../common/text/decimal";

export class Descriptor {
  constructor(public key: string, public value: string) {}
}

export function serviceRequestBody(domain: string, descriptors: Array<Descriptor>, hits: i64): ArrayBuffer {
  const w = new JsonWriter(128 + descriptors.length * 64);
  w.beginObject().key("domain").string(domain).key("descriptors").beginArray();
  for (let i = 0; i < descriptors.length; i++) {
    w.beginObject().key("entries").beginArray();
    w.beginObject().key("key").string(descriptors[i].key).key("value").string(descriptors[i].value).endObject();
    w.endArray().endObject();
  }
  w.endArray().key("hits_addend").int(hits).endObject();
  return w.toBytes();
}

export class ServiceAnswer {
  /** The service answered with a readable decision. */
  ok: bool = false;
  overLimit: bool = false;
  /** The status that decided (over limit, or least remaining): its limit, remaining and reset; -1 when none. */
  limit: i64 = -1;
  remaining: i64 = -1;
  resetMs: i64 = -1;
  /** Why the answer was not usable. */
  problem: string = "";
}

/** Reads the service's answer: HTTP status and body of the call. */
export function readServiceAnswer(status: i32, body: ArrayBuffer | null): ServiceAnswer {
  const a = new ServiceAnswer();
  if (status != 200 && status != 429) {
    a.problem = "status " + decimal(status);
    return a;
  }
  const root: JsonValue | null = body === null ? null : parseJson(body).root;
  if (root === null || root.kind != JsonKind.Object) {
    a.problem = "unreadable body";
    return a;
  }
  const overall = root.getText("overallCode");
  if (overall === null) {
    a.problem = "no overallCode";
    return a;
  }
  if (overall != "OK" && overall != "OVER_LIMIT") {
    a.problem = "overallCode " + overall;
    return a;
  }
  a.ok = true;
  a.overLimit = overall == "OVER_LIMIT";
  const statuses = JsonValue.items(root.get("statuses"));
  for (let i = 0; i < statuses.length; i++) {
    const s = statuses[i];
    const current = s.get("currentLimit");
    if (current === null) continue; // no rule for this descriptor in the service's configuration
    const limit = numberOf(current.get("requestsPerUnit"));
    const remaining = numberOf(s.get("limitRemaining"));
    const over = s.getText("code") == "OVER_LIMIT";
    const better = a.limit < 0 || (a.overLimit ? over && a.remaining != 0 : remaining < a.remaining);
    if (better || (over && a.limit < 0)) {
      a.limit = limit;
      a.remaining = over ? 0 : remaining;
      a.resetMs = durationMillis(s.getText("durationUntilReset"));
    }
  }
  return a;
}

/** proto3 JSON omits zero values: absent is 0. uint64 may come as a string. */
function numberOf(v: JsonValue | null): i64 {
  if (v === null) return 0;
  if (v.kind == JsonKind.Number) return v.toI64(0);
  const s = v.text();
  if (s === null) return 0;
  const r = parseJson(String.UTF8.encode(s)).root;
  return r === null ? 0 : r.toI64(0);
}

/** A protobuf JSON Duration ("54s", "0.250s") in milliseconds; -1 when absent or malformed. */
export function durationMillis(s: string | null): i64 {
  if (s === null || !s.endsWith("s")) return -1;
  const body = s.substring(0, s.length - 1);
  const dot = body.indexOf(".");
  const whole = dot < 0 ? body : body.substring(0, dot);
  let ms: i64 = 0;
  for (let i = 0; i < whole.length; i++) {
    const c = whole.charCodeAt(i);
    if (c < 0x30 || c > 0x39 || i > 12) return -1;
    ms = ms * 10 + <i64>(c - 0x30);
  }
  ms *= 1000;
  if (dot >= 0) {
    const frac = body.substring(dot + 1);
    let scale: i64 = 100;
    for (let i = 0; i < frac.length && scale > 0; i++) {
      const c = frac.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return -1;
      ms += <i64>(c - 0x30) * scale;
      scale /= 10;
    }
  }
  return ms;
}
