// Local replies of the filter: the Bearer challenges (401/403/503) and the
// protected resource metadata document.
import { HeaderPair, sendLocalResponse, Status } from "../common/runtime/host";
import { errorBody, FORBIDDEN, UNAUTHORIZED, UPSTREAM_UNAVAILABLE } from "../common/reply";
import { bearerChallenge } from "./metadata";

function headers(challenge: string): Array<HeaderPair> {
  const h = new Array<HeaderPair>();
  h.push(new HeaderPair("content-type", "application/json"));
  h.push(new HeaderPair("www-authenticate", challenge));
  h.push(new HeaderPair("cache-control", "no-store"));
  return h;
}

/** 401; `error` empty when the request had no credentials (RFC 6750 3.1). */
export function sendUnauthorized(metadataUrl: string, error: string, description: string): Status {
  const message = description.length > 0 ? "unauthorized: " + description : "authentication required";
  return sendLocalResponse(401, "mcp_auth_unauthorized", errorBody(UNAUTHORIZED, message), headers(bearerChallenge(metadataUrl, error, description, "")));
}

/** 403 error="insufficient_scope" naming the scopes needed. */
export function sendInsufficientScope(metadataUrl: string, scope: string, description: string): Status {
  return sendLocalResponse(403, "mcp_auth_insufficient_scope", errorBody(FORBIDDEN, "insufficient scope: " + description + " (needs " + scope + ")"),
    headers(bearerChallenge(metadataUrl, "insufficient_scope", description, scope)));
}

/** 403 for a request refused before its body (session owned by another subject). */
export function sendForbidden(message: string): Status {
  const h = new Array<HeaderPair>();
  h.push(new HeaderPair("content-type", "application/json"));
  return sendLocalResponse(403, "mcp_auth_forbidden", errorBody(FORBIDDEN, message), h);
}

/** 503 while no signing keys are known and the configuration says so. */
export function sendKeysUnavailable(metadataUrl: string): Status {
  const h = headers(bearerChallenge(metadataUrl, "", "", ""));
  h.push(new HeaderPair("retry-after", "5"));
  return sendLocalResponse(503, "mcp_auth_no_keys", errorBody(UPSTREAM_UNAVAILABLE, "token signing keys are not available yet"), h);
}

export function sendJson(status: u32, details: string, body: ArrayBuffer): Status {
  const h = new Array<HeaderPair>();
  h.push(new HeaderPair("content-type", "application/json"));
  h.push(new HeaderPair("cache-control", "no-store"));
  return sendLocalResponse(status, details, body, h);
}
