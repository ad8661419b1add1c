// Optional external moderation: after the rules passed a prompt (and, with
// scope response or both, a JSON completion), its text is sent to an OpenAI
// moderation-compatible endpoint (POST {model, input}, answer {results:
// [{flagged, categories}]}) through an Envoy cluster; the request (or the
// response) waits for the verdict. A timeout (Envoy answers 504), a refused
// connection (503), any other non-2xx answer or an unreadable body is a
// failure: fail_open lets the request go on, otherwise it is blocked.
import { ServiceTarget } from "../common/config";
import { JsonDocument, JsonKind, JsonValue, JsonWriter, parseJson } from "../common/json";
import { HttpCallHandler } from "../common/runtime/context";
import { BufferType, getBuffer, getHeader, HeaderPair, MapType } from "../common/runtime/host";

export class ModerationConfig extends ServiceTarget {
  model: string = "omni-moderation-latest";
  /** Sent as `authorization: Bearer <key>` when set. */
  apiKey: string | null = null;
  failOpen: bool = true;
  /** Longest input sent (characters); longer prompts are cut. */
  maxInput: i32 = 32768;
  /** Prompts are moderated (scope request or both). */
  requests: bool = true;
  /** Completions are moderated (scope response or both): JSON ones whole (needs the response headers held), streamed ones in windows. */
  responses: bool = false;
  /** Streamed completions: characters per moderated window. */
  streamWindow: i32 = 2000;

  constructor() {
    super("/v1/moderations", "moderation", 2000);
  }
}

export enum ModerationVerdict {
  Allowed = 0,
  Flagged = 1,
  /** No usable answer. */
  Failed = 2,
}

export class ModerationResult {
  verdict: ModerationVerdict = ModerationVerdict.Failed;
  /** Flagged categories, or the failure's reason. */
  detail: string = "";
}

export function moderationRequest(cfg: ModerationConfig, input: string): ArrayBuffer {
  const w = new JsonWriter(input.length + 64);
  w.beginObject().key("model").string(cfg.model).key("input").string(input.length > cfg.maxInput ? input.substring(0, cfg.maxInput) : input).endObject();
  return w.toBytes();
}

export function moderationHeaders(cfg: ModerationConfig): Array<HeaderPair> {
  const h: Array<HeaderPair> = [
    new HeaderPair(":method", "POST"),
    new HeaderPair(":path", cfg.path),
    new HeaderPair(":authority", cfg.authority),
    new HeaderPair("content-type", "application/json"),
  ];
  const key = cfg.apiKey;
  if (key !== null) h.push(new HeaderPair("authorization", "Bearer " + key));
  return h;
}

/** Reads the moderation answer of the current HTTP call response. */
export function readModeration(numHeaders: u32, bodySize: u32): ModerationResult {
  const r = new ModerationResult();
  if (numHeaders == 0) {
    r.detail = "no response";
    return r;
  }
  const status = getHeader(MapType.HttpCallResponseHeaders, ":status");
  if (status === null || !status.startsWith("2")) {
    r.detail = "status " + (status === null ? "none" : status);
    return r;
  }
  let doc: JsonDocument | null = null;
  const body = getBuffer(BufferType.HttpCallResponseBody, 0, bodySize);
  if (bodySize > 0 && body !== null) doc = parseJson(body).doc;
  if (doc === null) {
    r.detail = "unreadable body";
    return r;
  }
  const results = JsonValue.items(doc.root.get("results"));
  if (results.length == 0) {
    r.detail = "no results";
    return r;
  }
  r.verdict = ModerationVerdict.Allowed;
  const flagged = new Array<string>();
  for (let i = 0; i < results.length; i++) {
    const item = unchecked(results[i]);
    const f = item.get("flagged");
    if (f === null || f.kind != JsonKind.Bool) {
      r.verdict = ModerationVerdict.Failed;
      r.detail = "no flagged field";
      return r;
    }
    if (!f.isTrue) continue;
    r.verdict = ModerationVerdict.Flagged;
    const cats = item.get("categories");
    let c: JsonValue | null = null;
    if (cats !== null) c = cats.first();
    while (c !== null) {
      const name = c.key();
      if (c.isTrue && name !== null && !flagged.includes(name)) flagged.push(name);
      c = c.next();
    }
  }
  r.detail = flagged.join(",");
  return r;
}

/** One moderation call; the stream that made it receives the result. */
export abstract class ModerationCall extends HttpCallHandler {
  abstract onResult(result: ModerationResult): void;

  onResponse(numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    this.onResult(readModeration(numHeaders, bodySize));
  }
}
