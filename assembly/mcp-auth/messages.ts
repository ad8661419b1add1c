// The verdict on a POSTed JSON-RPC body (one message or a batch): every
// request authorized, scope-checked and counted against tool limits, or the
// JSON-RPC errors to answer with instead.
import { applySplices, JsonKind, JsonValue, parseJson, quoteJson, ParseOptions, readJsonRpc, RpcKind, RpcMessage, Splice } from "../common/json";
import { jsonRpcErrorBody, RPC_FORBIDDEN, RPC_INVALID_REQUEST, RPC_PARSE_ERROR, RPC_RATE_LIMITED } from "../common/reply";
import { AuditCall } from "./audit";
import { Caller } from "./caller";
import { McpAuthConfig } from "./config";
import { countToolCall } from "./limits";
import { isReservedId, TAG_PREFIX, tagId } from "./list-ids";
import { ListKind, listKindOf } from "./listing";
import { authorize, missingToolScopes, MessageTarget, Target, targetOf } from "./policy";
import { decimal } from "../common/text/decimal";

export enum VerdictKind {
  Allow = 0,
  /** JSON-RPC error(s) in `body`, HTTP `status`. */
  Reject = 1,
  /** 403 with a Bearer insufficient_scope challenge naming `scope`. */
  InsufficientScope = 2,
}

export class Verdict {
  kind: VerdictKind = VerdictKind.Allow;
  status: u32 = 200;
  body: ArrayBuffer = new ArrayBuffer(0);
  scope: string = "";
  /** "deny", "rate_limited", "invalid". */
  decision: string = "allow";
  reason: string = "";
  calls: Array<AuditCall> = new Array<AuditCall>();
  /** The body has list requests (their ids tagged): filter the response. */
  lists: bool = false;
  /** The body to forward instead (list request ids tagged); null when unchanged. */
  rewritten: ArrayBuffer | null = null;
  initialize: bool = false;
}

class Refusal {
  constructor(public code: i32, public message: string, public dataRaw: string | null) {}
}

function reject(v: Verdict, status: u32, body: ArrayBuffer, decision: string, reason: string): Verdict {
  v.kind = VerdictKind.Reject;
  v.status = status;
  v.body = body;
  v.decision = decision;
  v.reason = reason;
  return v;
}


/** `filterLists`: tag list requests' ids so their results are filtered wherever they arrive. */
export function judgeBody(cfg: McpAuthConfig, caller: Caller, body: ArrayBuffer, nowMs: u64): Verdict {
  const v = new Verdict();
  const parsed = parseJson(body, new ParseOptions(64, <i32>cfg.maxBodyBytes));
  const doc = parsed.doc;
  if (doc === null) return reject(v, 400, jsonRpcErrorBody(null, RPC_PARSE_ERROR, "parse error: body is not valid JSON"), "invalid", "parse error");
  const batch = readJsonRpc(doc);
  if (batch.problem.length > 0) return reject(v, 400, jsonRpcErrorBody(null, RPC_INVALID_REQUEST, "invalid request: " + batch.problem), "invalid", batch.problem);

  const msgs = batch.messages;
  const refusals = new Array<Refusal | null>(msgs.length);
  const targets = new Array<MessageTarget | null>(msgs.length);
  let refused = 0;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    if (m.kind == RpcKind.Invalid) {
      refusals[i] = new Refusal(RPC_INVALID_REQUEST, "invalid request: " + m.problem, null);
      refused++;
      continue;
    }
    const repeated = repeatedMember(m);
    if (repeated !== null) {
      // Parsers differ on which of two same-named members counts: the server must see what was authorized
      // (a response to a server request too: `METHOD` would make it a request to a Go server).
      refusals[i] = new Refusal(RPC_INVALID_REQUEST, "invalid request: member " + repeated + " appears more than once or in another case", null);
      refused++;
      continue;
    }
    if (m.kind != RpcKind.Request && m.kind != RpcKind.Notification) continue; // responses to server requests
    if (hasReservedId(m)) {
      refusals[i] = new Refusal(RPC_INVALID_REQUEST, "invalid request: ids starting with " + TAG_PREFIX + " are reserved by the gateway", null);
      refused++;
      continue;
    }
    const t = targetOf(m);
    targets[i] = t;
    const d = authorize(cfg, caller, t);
    v.calls.push(new AuditCall(t.method, t.name, d.allowed, d.reason));
    if (!d.allowed) {
      refusals[i] = new Refusal(RPC_FORBIDDEN, "forbidden: " + d.reason + (t.name.length > 0 ? " (" + t.name + ")" : ""), null);
      refused++;
      continue;
    }
    if (t.kind == Target.Tool) {
      const missing = missingToolScopes(cfg, caller, t.name);
      if (missing.length > 0) {
        if (!batch.isBatch) {
          v.kind = VerdictKind.InsufficientScope;
          v.status = 403;
          v.scope = missing.join(" ");
          v.decision = "deny";
          v.reason = "insufficient scope for tool " + t.name;
          return v;
        }
        refusals[i] = new Refusal(RPC_FORBIDDEN, "forbidden: tool " + t.name + " needs scope " + missing.join(" "), null);
        refused++;
      }
    }
    if (t.method == "initialize") v.initialize = true;
  }

  let decision = "deny";
  if (refused == 0) {
    // Everything is authorized: now count tool calls against their limits.
    for (let i = 0; i < msgs.length; i++) {
      const t = targets[i];
      if (t === null || t.kind != Target.Tool) continue;
      const r = countToolCall(cfg, caller.subject, t.name, nowMs);
      if (!r.allowed) {
        const data = "{\"tool\":" + quoteJson(t.name) + ",\"limit\":" + decimal(r.limit) + ",\"windowSeconds\":" + decimal(r.windowSeconds) + ",\"retryAfterSeconds\":" + decimal(r.retryAfterSeconds) + "}";
        refusals[i] = new Refusal(RPC_RATE_LIMITED, "rate limit exceeded for tool " + t.name, data);
        refused++;
        decision = "rate_limited";
      }
    }
    if (refused == 0) {
      if (cfg.filterLists) tagListRequests(v, body, msgs);
      return v;
    }
  }

  if (!batch.isBatch) {
    const r = refusals[0]!;
    const m = msgs[0];
    const status: u32 = m.kind == RpcKind.Invalid || r.code == RPC_INVALID_REQUEST ? 400 : m.kind == RpcKind.Notification ? 403 : 200;
    const idRaw = m.kind == RpcKind.Request ? m.idRaw : null;
    return reject(v, status, jsonRpcErrorBody(idRaw, r.code, r.message, r.dataRaw), m.kind == RpcKind.Invalid ? "invalid" : decision, r.message);
  }
  return reject(v, 200, batchErrors(msgs, refusals), decision, decimal(refused) + " of " + decimal(msgs.length) + " messages refused");
}

const TOP_MEMBERS: Array<string> = ["jsonrpc", "id", "method", "params"];
const PARAM_MEMBERS: Array<string> = ["name", "uri", "ref"];
/** completion/complete's params.ref. */
const REF_MEMBERS: Array<string> = ["type", "name", "uri"];

/**
 * The first of the members authorization reads that the message (or its
 * params) repeats, or spells in another case; null when none. Parsers differ
 * on which copy counts, and Go's encoding/json (Go MCP servers) takes `Method`
 * or `NAME` for `method` or `name`: the server must read what was authorized.
 */
function repeatedMember(m: RpcMessage): string | null {
  const top = repeatedIn(m.node, TOP_MEMBERS);
  if (top !== null) return top;
  const params = m.params;
  if (params === null || params.kind != JsonKind.Object) return null;
  const inParams = repeatedIn(params, PARAM_MEMBERS);
  if (inParams !== null) return inParams;
  const ref = params.get("ref");
  return ref !== null && ref.kind == JsonKind.Object ? repeatedIn(ref, REF_MEMBERS) : null;
}

function repeatedIn(obj: JsonValue, names: Array<string>): string | null {
  let seen: u32 = 0;
  let v = obj.first();
  while (v !== null) {
    let exact = -1;
    for (let i = 0; i < names.length; i++) {
      if (v.keyEquals(unchecked(names[i]))) {
        exact = i;
        break;
      }
    }
    if (exact >= 0) {
      const bit: u32 = 1 << <u32>exact;
      if ((seen & bit) != 0) return names[exact];
      seen |= bit;
    } else {
      const folded = foldedKey(v);
      if (folded !== null && names.includes(folded)) return folded;
    }
    v = v.next();
  }
  return null;
}

/** Longest UTF-8 spelling of a member name of up to 7 letters that folds to it (the Kelvin sign takes 3 bytes). */
const MAX_FOLDED_KEY_BYTES: i32 = 21;

/**
 * The member's name as Go's encoding/json matches names to fields: ASCII
 * case folded, the Kelvin sign (U+212A) read as k and the long s (U+017F) as
 * s; null for a name too long to be one authorization reads.
 */
function foldedKey(v: JsonValue): string | null {
  if (v.keyByteLength > MAX_FOLDED_KEY_BYTES) return null;
  const key = v.key();
  if (key === null || key.length > 7) return null;
  let out = "";
  for (let i = 0; i < key.length; i++) {
    let c = key.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 32;
    else if (c == 0x212a) c = 0x6b;
    else if (c == 0x17f) c = 0x73;
    out += String.fromCharCode(c);
  }
  return out;
}

function hasReservedId(m: RpcMessage): bool {
  const id = m.node.get("id");
  if (id === null || id.kind != JsonKind.String) return false;
  const text = id.text();
  return text !== null && isReservedId(text);
}

/** Replaces the id of every list request with its tag (list-ids.ts). */
function tagListRequests(v: Verdict, body: ArrayBuffer, msgs: Array<RpcMessage>): void {
  const splices = new Array<Splice>();
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    const method = m.method;
    const raw = m.idRaw;
    if (m.kind != RpcKind.Request || method === null || raw === null) continue;
    const kind = listKindOf(method);
    if (kind == ListKind.None) continue;
    const id = m.node.get("id")!;
    splices.push(new Splice(id.start, id.end, String.UTF8.encode(tagId(kind, raw))));
  }
  if (splices.length == 0) return;
  v.lists = true;
  v.rewritten = applySplices(body, splices);
}

/** One error per request that has an id: its own refusal, or "not executed" for the others in the batch. */
function batchErrors(msgs: Array<RpcMessage>, refusals: Array<Refusal | null>): ArrayBuffer {
  let out = "[";
  let n = 0;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    const r = refusals[i];
    let body: ArrayBuffer;
    if (r !== null) body = jsonRpcErrorBody(m.kind == RpcKind.Request ? m.idRaw : null, r.code, r.message, r.dataRaw);
    else if (m.kind == RpcKind.Request) body = jsonRpcErrorBody(m.idRaw, RPC_FORBIDDEN, "not executed: another message in the batch was refused");
    else continue;
    if (n++ > 0) out += ",";
    out += String.UTF8.decode(body);
  }
  return String.UTF8.encode(out + "]");
}

