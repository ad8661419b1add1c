// The one listing filter: every JSON-RPC payload that can reach a client on a
// path that may carry list results (a JSON body, the data of an SSE event; a
// message or a batch) goes through filterPayload. A response whose id is a
// list tag (list-ids.ts) gets its listing filtered and the client's id back;
// a result of any other response that holds a listing array anyway is
// filtered the same way. What cannot be filtered never passes: a tagged
// result without its listing becomes a JSON-RPC error, a message whose tag is
// unreadable is dropped, a payload with a tag anywhere but in a message's id
// is dropped (a list response in a shape this filter does not know).
import { applySplices, ByteBuf, JsonKind, JsonValue, ParseOptions, parseJson, Splice } from "../common/json";
import { jsonRpcErrorBody, RPC_INTERNAL_ERROR } from "../common/reply";
import { Caller } from "./caller";
import { McpAuthConfig } from "./config";
import { editResult, ListKind, listMethod } from "./listing";
import { readTag, TAG_PREFIX } from "./list-ids";

export enum PayloadAction {
  /** Forward the bytes as they are. */
  Keep = 0,
  /** Forward `body` instead. */
  Replace = 1,
  /** Forward nothing (drop the SSE event; a JSON body becomes `body`, an error). */
  Drop = 2,
}

export class PayloadResult {
  action: PayloadAction = PayloadAction.Keep;
  body: ArrayBuffer | null = null;
  /** Listing items removed (for the log). */
  removed: i32 = 0;
}

/** What one message became: its bytes unchanged (null), new bytes, or nothing. */
class MessageOutcome {
  bytes: ArrayBuffer | null = null;
  dropped: bool = false;
  /** Its id was a tag. */
  tagged: bool = false;
}

/** A tag as it starts in JSON text. */
const TAG_BYTES = String.UTF8.encode("\"" + TAG_PREFIX);

export function filterPayload(cfg: McpAuthConfig, caller: Caller, data: ArrayBuffer, out: PayloadResult = new PayloadResult()): PayloadResult {
  out.action = PayloadAction.Keep;
  out.body = null;
  out.removed = 0;
  if (data.byteLength == 0) return out;
  const doc = parseJson(data, new ParseOptions(64, <i32>cfg.maxResponseBytes)).doc;
  if (doc === null) {
    // Not JSON to this parser (nor, then, to a strict client); with a tag in it, it may be a listing.
    if (contains(data, TAG_BYTES)) dropped(out);
    return out;
  }
  const root = doc.root;
  // A tag anywhere but in the id of a message (a response to a list request in a shape
  // this filter does not know) means the payload cannot be trusted to be filtered.
  const tags = count(data, TAG_BYTES);
  if (root.kind == JsonKind.Object) {
    const m = filterMessage(cfg, caller, data, root, out);
    if (m.dropped || tags > (m.tagged ? 1 : 0)) dropped(out);
    else if (m.bytes !== null) {
      out.action = PayloadAction.Replace;
      out.body = m.bytes;
    }
    return out;
  }
  if (root.kind != JsonKind.Array) return out;
  // A batch: each message on its own; dropped ones leave the array.
  const buf = new ByteBuf(data.byteLength);
  buf.pushString("[");
  let changed = false, kept = 0, tagged = 0;
  let item = root.first();
  while (item !== null) {
    const m = item.kind == JsonKind.Object ? filterMessage(cfg, caller, data, item, out) : new MessageOutcome();
    if (m.tagged) tagged++;
    if (m.dropped) changed = true;
    else {
      if (kept++ > 0) buf.pushString(",");
      const bytes = m.bytes;
      if (bytes === null) buf.pushRange(data, item.start, item.end);
      else {
        buf.pushBuffer(bytes);
        changed = true;
      }
    }
    item = item.next();
  }
  buf.pushString("]");
  if (tags > tagged) {
    dropped(out);
    return out;
  }
  if (changed) {
    out.action = PayloadAction.Replace;
    out.body = buf.toArrayBuffer();
  }
  return out;
}

function dropped(out: PayloadResult): void {
  out.action = PayloadAction.Drop;
  out.body = jsonRpcErrorBody(null, RPC_INTERNAL_ERROR, "mcp-auth: a listing that could not be filtered was withheld");
}

function filterMessage(cfg: McpAuthConfig, caller: Caller, src: ArrayBuffer, msg: JsonValue, out: PayloadResult): MessageOutcome {
  const res = new MessageOutcome();
  const id = msg.get("id");
  let kind = ListKind.None;
  let rawId: string | null = null;
  if (id !== null && id.kind == JsonKind.String) {
    const text = id.text();
    if (text !== null && text.startsWith(TAG_PREFIX)) {
      const tag = readTag(text);
      if (tag === null) {
        res.dropped = true;
        return res;
      }
      kind = tag.kind;
      rawId = tag.rawId;
      res.tagged = true;
    }
  }
  const splices = new Array<Splice>();
  if (rawId !== null) splices.push(new Splice(id!.start, id!.end, String.UTF8.encode(rawId)));
  // Every member named result (a client may read the first or the last of repeated names).
  let sawResult = false;
  let m = msg.first();
  while (m !== null) {
    if (m.keyEquals("result")) {
      sawResult = true;
      const edits = editResult(cfg, caller, src, m, kind);
      if (edits.unfilterable) {
        res.bytes = unfilterable(kind, rawId);
        return res;
      }
      out.removed += edits.removed;
      for (let i = 0; i < edits.splices.length; i++) splices.push(edits.splices[i]);
    }
    m = m.next();
  }
  if (!sawResult && kind != ListKind.None && msg.get("error") === null) {
    res.bytes = unfilterable(kind, rawId);
    return res;
  }
  if (splices.length == 0) return res;
  splices.sort((a: Splice, b: Splice): i32 => a.start - b.start);
  const bytes = applySplices(src, splices, msg.start, msg.end);
  if (bytes === null) res.dropped = true;
  else res.bytes = bytes;
  return res;
}

function unfilterable(kind: ListKind, rawId: string | null): ArrayBuffer {
  return jsonRpcErrorBody(rawId, RPC_INTERNAL_ERROR, "mcp-auth: the " + listMethod(kind) + " result could not be filtered");
}

function contains(hay: ArrayBuffer, needle: ArrayBuffer): bool {
  return count(hay, needle) > 0;
}

function count(hay: ArrayBuffer, needle: ArrayBuffer): i32 {
  const n = hay.byteLength, m = needle.byteLength;
  const h = changetype<usize>(hay), p = changetype<usize>(needle);
  const first = load<u8>(p);
  let found = 0;
  for (let i = 0; i + m <= n; i++) {
    if (load<u8>(h + <usize>i) != first) continue;
    if (memory.compare(h + <usize>i, p, <usize>m) == 0) found++;
  }
  return found;
}
