// The stable error codes of local replies. A code string never changes once
// released: clients, dashboards and alerts key on it. HTTP errors use the
// OpenAI error format (code, type, status); JSON-RPC errors use the JSON-RPC
// 2.0 codes, with application codes in the spec's server-error range
// -32000..-32099.

export class ErrorSpec {
  constructor(
    /** Stable machine-readable code, the `error.code` of the body. */
    public code: string,
    public status: u32,
    /** OpenAI-style `error.type`. */
    public type: string,
  ) {}
}

export const INVALID_REQUEST = new ErrorSpec("invalid_request", 400, "invalid_request_error");
export const INVALID_JSON = new ErrorSpec("invalid_json", 400, "invalid_request_error");
export const CONTENT_BLOCKED = new ErrorSpec("content_blocked", 400, "invalid_request_error");
export const UNAUTHORIZED = new ErrorSpec("unauthorized", 401, "authentication_error");
export const FORBIDDEN = new ErrorSpec("forbidden", 403, "permission_error");
export const NOT_FOUND = new ErrorSpec("not_found", 404, "invalid_request_error");
export const BODY_TOO_LARGE = new ErrorSpec("body_too_large", 413, "invalid_request_error");
export const RESPONSE_TOO_LARGE = new ErrorSpec("response_too_large", 502, "server_error");
export const RATE_LIMITED = new ErrorSpec("rate_limited", 429, "rate_limit_error");
export const INTERNAL = new ErrorSpec("internal", 500, "server_error");
export const UPSTREAM_UNAVAILABLE = new ErrorSpec("upstream_unavailable", 503, "server_error");
export const UPSTREAM_TIMEOUT = new ErrorSpec("upstream_timeout", 504, "server_error");

/** Every ErrorSpec, for docs and lookups by code. */
export const ERROR_CATALOG: Array<ErrorSpec> = [
  INVALID_REQUEST,
  INVALID_JSON,
  CONTENT_BLOCKED,
  UNAUTHORIZED,
  FORBIDDEN,
  NOT_FOUND,
  BODY_TOO_LARGE,
  RESPONSE_TOO_LARGE,
  RATE_LIMITED,
  INTERNAL,
  UPSTREAM_UNAVAILABLE,
  UPSTREAM_TIMEOUT,
];

/** The ErrorSpec with this code, or null. */
export function errorSpec(code: string): ErrorSpec | null {
  for (let i = 0; i < ERROR_CATALOG.length; i++) if (ERROR_CATALOG[i].code == code) return ERROR_CATALOG[i];
  return null;
}

// JSON-RPC 2.0 (https://www.jsonrpc.org/specification#error_object).
export const RPC_PARSE_ERROR: i32 = -32700;
export const RPC_INVALID_REQUEST: i32 = -32600;
export const RPC_METHOD_NOT_FOUND: i32 = -32601;
export const RPC_INVALID_PARAMS: i32 = -32602;
export const RPC_INTERNAL_ERROR: i32 = -32603;

// Application errors, in the range the spec reserves for implementation-defined server errors.
export const RPC_SERVER_ERROR_MAX: i32 = -32000;
export const RPC_SERVER_ERROR_MIN: i32 = -32099;
export const RPC_UNAUTHORIZED: i32 = -32001;
export const RPC_FORBIDDEN: i32 = -32003;
export const RPC_CONTENT_BLOCKED: i32 = -32004;
export const RPC_RATE_LIMITED: i32 = -32029;
export const RPC_UPSTREAM_UNAVAILABLE: i32 = -32053;

export function isRpcServerErrorCode(code: i32): bool {
  return code >= RPC_SERVER_ERROR_MIN && code <= RPC_SERVER_ERROR_MAX;
}
