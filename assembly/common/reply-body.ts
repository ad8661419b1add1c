// Local reply bodies, as pure functions (unit-tested without a host).
import { JsonKind, JsonWriter, parseJsonText } from "./json";
import { ErrorSpec } from "./reply-catalog";

/** {"error":{"message","type","param","code"}}: the OpenAI error format. */
export function openAiErrorBody(message: string, type: string, param: string | null, code: string | null): ArrayBuffer {
  const w = new JsonWriter(96 + message.length);
  w.beginObject().key("error").beginObject();
  w.key("message").string(message);
  w.key("type").string(type);
  w.key("param").stringOrNull(param);
  w.key("code").stringOrNull(code);
  w.endObject().endObject();
  return w.toBytes();
}

/** The OpenAI-format body for a catalog error. */
export function errorBody(spec: ErrorSpec, message: string, param: string | null = null): ArrayBuffer {
  return openAiErrorBody(message, spec.type, param, spec.code);
}

/**
 * A JSON value safe to splice into a reply: `raw` itself when it is exactly
 * one JSON value of an allowed kind, else null. Ids and data come from
 * parsed requests, but a reply must stay valid JSON whatever it is given.
 */
function checkedRaw(raw: string | null, idOnly: bool): string | null {
  if (raw === null) return null;
  const root = parseJsonText(raw).root;
  if (root === null) return null;
  if (idOnly && root.kind != JsonKind.String && root.kind != JsonKind.Number && root.kind != JsonKind.Null) return null;
  return raw;
}

/**
 * {"jsonrpc":"2.0","id":<id>,"error":{"code","message","data"?}}. `idRaw` is
 * the request's id as raw JSON text (RpcMessage.idRaw), echoed byte for
 * byte; null, or anything that is not a JSON string/number/null, gives
 * `"id":null`. `dataRaw` is a JSON value or null for no data member.
 */
export function jsonRpcErrorBody(idRaw: string | null, code: i32, message: string, dataRaw: string | null = null): ArrayBuffer {
  const id = checkedRaw(idRaw, true);
  const data = checkedRaw(dataRaw, false);
  const w = new JsonWriter(96 + message.length);
  w.beginObject().key("jsonrpc").string("2.0").key("id");
  if (id === null) w.nullValue();
  else w.raw(id);
  w.key("error").beginObject().key("code").int(code).key("message").string(message);
  if (data !== null) w.key("data").raw(data);
  w.endObject().endObject();
  return w.toBytes();
}
