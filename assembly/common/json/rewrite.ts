// Byte-level edits of a parsed body: replace value spans, set top-level
// fields. Everything outside the edited spans is copied unchanged, so a
// rewrite never re-serializes (or normalizes) what the client sent.
import { ByteBuf } from "../bytes";
import { parseJson } from "./parser";
import { JsonDocument, JsonKind, JsonValue } from "./value";
import { writeJsonString } from "./writer";

/** Replace bytes [start, end) of the source with `bytes` (start == end inserts). */
export class Splice {
  constructor(public start: i32, public end: i32, public bytes: ArrayBuffer) {}
}

/**
 * Applies splices given in ascending, non-overlapping order (two inserts at
 * the same offset keep their order) to bytes [from, to) of the source (all of
 * it by default; the result is then that span, edited). Returns null when a
 * splice is outside the span or out of order.
 */
export function applySplices(src: ArrayBuffer, edits: Array<Splice>, from: i32 = 0, to: i32 = -1): ArrayBuffer | null {
  const n = to < 0 ? src.byteLength : to;
  if (from < 0 || n > src.byteLength || from > n) return null;
  let grow = 0;
  let prev = from;
  for (let i = 0; i < edits.length; i++) {
    const e = unchecked(edits[i]);
    if (e.start < prev || e.end < e.start || e.end > n) return null;
    prev = e.end;
    grow += e.bytes.byteLength - (e.end - e.start);
  }
  const sink = new ByteBuf(n - from + grow);
  let at = from;
  for (let i = 0; i < edits.length; i++) {
    const e = unchecked(edits[i]);
    sink.pushRange(src, at, e.start);
    sink.pushBuffer(e.bytes);
    at = e.end;
  }
  sink.pushRange(src, at, n);
  return sink.toArrayBuffer();
}

/** `src` with bytes [start, end) replaced by `replacement`; null when the span is outside `src`. */
export function replaceSpan(src: ArrayBuffer, start: i32, end: i32, replacement: ArrayBuffer): ArrayBuffer | null {
  if (start < 0) return null;
  return applySplices(src, [new Splice(start, end, replacement)]);
}

/** True when `raw` is exactly one JSON value. */
export function isJsonValue(raw: ArrayBuffer): bool {
  return parseJson(raw).ok;
}

/**
 * The document with member `key` of object `obj` (a value of `doc`) set to
 * the JSON value `rawValue`. Every occurrence of a repeated key is replaced,
 * so whichever one the upstream parser honours, it sees the new value. When
 * the key is absent it is inserted as the first member. Returns null when
 * `obj` is not an object or `rawValue` is not valid JSON.
 */
export function setField(doc: JsonDocument, obj: JsonValue, key: string, rawValue: ArrayBuffer): ArrayBuffer | null {
  if (obj.kind != JsonKind.Object || obj.doc !== doc || !isJsonValue(rawValue)) return null;
  return setFieldValue(doc, obj, key, rawValue);
}

/**
 * setField for a `rawValue` known to be one JSON value (the caller wrote
 * it, e.g. with quoteJson): the same edit without checking it again.
 */
export function setFieldValue(doc: JsonDocument, obj: JsonValue, key: string, rawValue: ArrayBuffer): ArrayBuffer | null {
  if (obj.kind != JsonKind.Object || obj.doc !== doc) return null;
  const edits = new Array<Splice>();
  // One cursor over the members (no handle made per member).
  const member = obj.clone();
  if (member.moveToFirst()) {
    do {
      if (member.keyEquals(key)) edits.push(new Splice(member.start, member.end, rawValue));
    } while (member.moveToNext());
  }
  if (edits.length == 0) edits.push(new Splice(obj.start + 1, obj.start + 1, memberBytes(key, rawValue, obj)));
  return applySplices(doc.src, edits);
}

/** setField on the root object, e.g. to rewrite `model` or add `stream_options`. */
export function setTopLevelField(doc: JsonDocument, key: string, rawValue: ArrayBuffer): ArrayBuffer | null {
  return setField(doc, doc.root, key, rawValue);
}

/** setTopLevelField with the value given as JSON text, e.g. `"\"gpt-4o-mini\""` or `{"include_usage":true}`. */
export function setTopLevelFieldText(doc: JsonDocument, key: string, rawValue: string): ArrayBuffer | null {
  return setTopLevelField(doc, key, String.UTF8.encode(rawValue));
}

function memberBytes(key: string, rawValue: ArrayBuffer, root: JsonValue): ArrayBuffer {
  const sink = new ByteBuf(key.length + rawValue.byteLength + 8);
  writeJsonString(sink, key);
  sink.pushByte(0x3a);
  sink.pushBuffer(rawValue);
  if (root.length > 0) sink.pushByte(0x2c);
  return sink.toArrayBuffer();
}
