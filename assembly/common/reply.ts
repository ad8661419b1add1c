// Local replies with JSON bodies: OpenAI-format HTTP errors and JSON-RPC
// errors. Bodies are built by reply-body.ts; these wrappers only send them.
import { HeaderPair, sendLocalResponse, Status } from "./runtime/host";
import { errorBody, jsonRpcErrorBody, openAiErrorBody } from "./reply-body";
import { ErrorSpec } from "./reply-catalog";
import { decimal } from "./text/decimal";

export * from "./reply-catalog";
export * from "./reply-body";

function jsonHeaders(extra: Array<HeaderPair> | null): Array<HeaderPair> {
  const headers = new Array<HeaderPair>();
  headers.push(new HeaderPair("content-type", "application/json"));
  if (extra !== null) for (let i = 0; i < extra.length; i++) headers.push(extra[i]);
  return headers;
}

/**
 * Answers the request with a catalog error: its HTTP status, an OpenAI-format
 * body and content-type application/json, plus `extraHeaders` (e.g.
 * www-authenticate, retry-after). The code is also the response code details
 * Envoy logs (%RESPONSE_CODE_DETAILS%).
 */
export function sendError(spec: ErrorSpec, message: string, extraHeaders: Array<HeaderPair> | null = null, param: string | null = null): Status {
  return sendLocalResponse(spec.status, spec.code, errorBody(spec, message, param), jsonHeaders(extraHeaders));
}

/** Like sendError, with every part of the OpenAI error given (status, type, code). */
export function sendOpenAiError(status: u32, message: string, type: string, code: string, param: string | null = null, extraHeaders: Array<HeaderPair> | null = null): Status {
  return sendLocalResponse(status, code, openAiErrorBody(message, type, param, code), jsonHeaders(extraHeaders));
}

/**
 * Answers with a JSON-RPC error object echoing the request id (raw JSON text
 * from RpcMessage.idRaw, or null). HTTP 200 by default, as JSON-RPC over HTTP
 * reports errors in the body; pass another status when the transport needs it.
 */
export function sendJsonRpcError(
  idRaw: string | null,
  code: i32,
  message: string,
  dataRaw: string | null = null,
  status: u32 = 200,
  extraHeaders: Array<HeaderPair> | null = null,
): Status {
  return sendLocalResponse(status, "jsonrpc_error_" + decimal(code), jsonRpcErrorBody(idRaw, code, message, dataRaw), jsonHeaders(extraHeaders));
}
