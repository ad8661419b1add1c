// Authentication of a request: a Bearer JWT, or an API key in a header or
// the query string. Pure: the stream supplies the credentials and the clock.
import { constantTimeEqual } from "../common/crypto";
import { McpAuthConfig } from "./config";
import { Caller } from "./caller";
import { claimsProblem, JwtFailure, tokenScopes, verifyToken } from "./jwt";
import { KeySet } from "./jwks";

export enum AuthStatus {
  Ok = 0,
  /** No credentials at all: 401 with a bare challenge. */
  Missing = 1,
  /** Credentials present but not valid: 401 error="invalid_token" (or invalid_request). */
  Invalid = 2,
  /** The token names a key we do not have: refresh the JWKS, then try again. */
  UnknownKey = 3,
}

export class AuthResult {
  status: AuthStatus = AuthStatus.Ok;
  /** RFC 6750 error code for the challenge ("invalid_token", "invalid_request"). */
  error: string = "";
  reason: string = "";
  caller: Caller | null = null;
}

function fail(status: AuthStatus, error: string, reason: string): AuthResult {
  const r = new AuthResult();
  r.status = status;
  r.error = error;
  r.reason = reason;
  return r;
}

/** The token of an `Authorization: Bearer <token>` header; "" for other schemes, null when absent. */
export function bearerToken(authorization: string | null): string | null {
  if (authorization === null) return null;
  const a = authorization.trim();
  if (a.length < 7 || a.substring(0, 7).toLowerCase() != "bearer ") return "";
  return a.substring(7).trim();
}

/** Value of query parameter `name` in `path` (no percent-decoding: keys are plain tokens). */
export function queryParam(path: string, name: string): string | null {
  const q = path.indexOf("?");
  if (q < 0) return null;
  const parts = path.substring(q + 1).split("&");
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].indexOf("=");
    if (eq > 0 && parts[i].substring(0, eq) == name) return parts[i].substring(eq + 1);
  }
  return null;
}

/** `path` without query parameter `name` (the API key must not reach the MCP server). */
export function withoutQueryParam(path: string, name: string): string {
  const q = path.indexOf("?");
  if (q < 0) return path;
  const kept = new Array<string>();
  const parts = path.substring(q + 1).split("&");
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].indexOf("=");
    if (!(eq > 0 && parts[i].substring(0, eq) == name)) kept.push(parts[i]);
  }
  return kept.length == 0 ? path.substring(0, q) : path.substring(0, q + 1) + kept.join("&");
}

export function authenticateApiKey(cfg: McpAuthConfig, key: string): AuthResult {
  const given = Uint8Array.wrap(String.UTF8.encode(key));
  for (let i = 0; i < cfg.consumers.length; i++) {
    const c = cfg.consumers[i];
    if (constantTimeEqual(given, Uint8Array.wrap(String.UTF8.encode(c.key)))) {
      const r = new AuthResult();
      const caller = new Caller();
      caller.subject = c.name;
      caller.via = "api_key";
      caller.scopes = c.scopes;
      r.caller = caller;
      return r;
    }
  }
  return fail(AuthStatus.Invalid, "invalid_token", "unknown API key");
}

export function authenticateJwt(cfg: McpAuthConfig, raw: string, keys: KeySet | null, nowSeconds: i64): AuthResult {
  const jwt = cfg.jwt;
  if (jwt === null) return fail(AuthStatus.Invalid, "invalid_token", "bearer tokens are not accepted here");
  if (keys === null) return fail(AuthStatus.UnknownKey, "invalid_token", "no signing keys known yet");
  let t = jwt.cache.get(raw, keys);
  if (t === null) {
    t = verifyToken(raw, keys, jwt.checks);
    if (t.failure == JwtFailure.UnknownKey) return fail(AuthStatus.UnknownKey, "invalid_token", t.reason);
    if (!t.ok) return fail(AuthStatus.Invalid, "invalid_token", t.reason);
    jwt.cache.put(raw, keys, t);
  }
  const problem = claimsProblem(t, jwt.checks, nowSeconds);
  if (problem.length > 0) return fail(AuthStatus.Invalid, "invalid_token", problem);
  const caller = new Caller();
  let sub = t.claimText("sub");
  if (sub === null || sub.length == 0) sub = t.claimText("client_id");
  if (sub === null || sub.length == 0) return fail(AuthStatus.Invalid, "invalid_token", "token has no sub or client_id");
  caller.subject = sub;
  caller.via = "jwt";
  caller.scopes = tokenScopes(t);
  caller.token = t;
  const r = new AuthResult();
  r.caller = caller;
  return r;
}

/** Required scopes the caller lacks. */
export function missingScopes(required: Array<string>, caller: Caller): Array<string> {
  const out = new Array<string>();
  for (let i = 0; i < required.length; i++) if (!caller.hasScope(required[i])) out.push(required[i]);
  return out;
}
