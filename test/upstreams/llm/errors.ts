// Error bodies in the two providers' formats, so clients and filters see the
// same shapes they would from the real services.

export type ErrorStyle = "openai" | "anthropic";

const OPENAI_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  409: "conflict_error",
  422: "invalid_request_error",
  429: "rate_limit_error",
};

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

export interface ErrorDetail {
  message: string;
  param?: string | null;
  code?: string | null;
}

export function errorBody(style: ErrorStyle, status: number, detail: ErrorDetail): unknown {
  if (style === "anthropic") {
    const type = ANTHROPIC_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
    return { type: "error", error: { type, message: detail.message } };
  }
  const type = OPENAI_TYPES[status] ?? (status >= 500 ? "server_error" : "invalid_request_error");
  return { error: { message: detail.message, type, param: detail.param ?? null, code: detail.code ?? null } };
}
