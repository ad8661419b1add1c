// One audit record per request, written as filter state `wasm.mcp_auth` so
// access logs can print it (%FILTER_STATE(wasm.mcp_auth:PLAIN)%), and the
// decision counters on /stats.
import { JsonWriter } from "../common/json";
import { Counter } from "../common/metrics";
import { setPropertyFrom } from "../common/runtime/host";

export const FILTER_STATE = "mcp_auth";
const FILTER_STATE_NAME = String.UTF8.encode(FILTER_STATE);
/** One writer for every record (records are written one at a time, at log time). */
let writer = new JsonWriter(256);
/** A record larger than this (a long batch) does not keep its buffer for the next ones. */
const KEPT_WRITER_BYTES = 16 << 10;

export class AuditMetrics {
  allowed: Counter = new Counter("mcp_auth_allowed");
  denied: Counter = new Counter("mcp_auth_denied");
  unauthenticated: Counter = new Counter("mcp_auth_unauthenticated");
  rateLimited: Counter = new Counter("mcp_auth_rate_limited");
  /** Bearer tokens whose signature was checked: the ones the verified-token cache could not answer. */
  signatureChecks: Counter = new Counter("mcp_auth_jwt_signature_checks");
}

export class AuditCall {
  constructor(public method: string, public name: string, public allowed: bool, public reason: string) {}
}

/** What happened to one request; written once, at access-log time. */
export class AuditRecord {
  subject: string = "";
  via: string = "";
  /** allow, deny, unauthenticated, rate_limited, error */
  decision: string = "";
  reason: string = "";
  calls: Array<AuditCall> = new Array<AuditCall>();

  /** Writes the record into `w` (reset first). */
  writeTo(w: JsonWriter): void {
    w.reset();
    w.beginObject();
    w.key("decision").string(this.decision);
    if (this.subject.length > 0) w.key("subject").string(this.subject);
    if (this.via.length > 0) w.key("via").string(this.via);
    if (this.reason.length > 0) w.key("reason").string(this.reason);
    if (this.calls.length == 1) {
      const c = this.calls[0];
      w.key("method").string(c.method);
      if (c.name.length > 0) w.key("target").string(c.name);
    } else if (this.calls.length > 1) {
      w.key("calls").beginArray();
      for (let i = 0; i < this.calls.length; i++) {
        const c = this.calls[i];
        w.beginObject().key("method").string(c.method);
        if (c.name.length > 0) w.key("target").string(c.name);
        w.key("allowed").bool(c.allowed);
        if (!c.allowed) w.key("reason").string(c.reason);
        w.endObject();
      }
      w.endArray();
    }
    w.endObject();
  }

  write(): void {
    if (this.decision.length == 0) return;
    const w = writer;
    this.writeTo(w);
    setPropertyFrom(FILTER_STATE_NAME, w.sink.dataStart, w.sink.length);
    if (w.sink.length > KEPT_WRITER_BYTES) writer = new JsonWriter(256);
  }
}
