// Authentication of a request: a Bearer JWT, or an API key in a header or
// the query string. Pure: the stream supplies the credentials and the clock.
import { isSpace } from "~lib/util/string";
import { constantTimeEqual } from "../common/crypto";
import { Counter } from "../common/metrics";
import { AuthResult, AuthStatus, authenticated, authFailure as fail } from "./auth-result";
import { McpAuthConfig } from "./config";
import { Caller } from "./caller";
import { JwtFailure, verifyToken } from "./jwt";
import { KeySet } from "./jwks";
import { VerifiedToken } from "./verified-token";
import { formDecode } from "./query";

/** The token of an `Authorization: Bearer <token>` header; "" for other schemes, null when absent. */
export function bearerToken(authorization: string | null): string | null {
  if (authorization === null) return null;
  let start = 0, end = authorization.length;
  while (start < end && isSpace(authorization.charCodeAt(start))) start++;
  while (end > start && isSpace(authorization.charCodeAt(end - 1))) end--;
  if (end - start < 7 || !isBearerScheme(authorization, start)) return "";
  start += 7;
  while (start < end && isSpace(authorization.charCodeAt(start))) start++;
  return authorization.substring(start, end);
}

/** "Bearer " at `at`, the scheme in any case. */
function isBearerScheme(s: string, at: i32): bool {
  const scheme = "bearer";
  for (let i = 0; i < 6; i++) if ((s.charCodeAt(at + i) | 0x20) != scheme.charCodeAt(i)) return false;
  return s.charCodeAt(at + 6) == 0x20;
}

/** True when query part `part` (`name=value`) is parameter `name`, its name percent-decoded as servers decode it. */
function isParam(part: string, eq: i32, name: string): bool {
  return eq > 0 && formDecode(part.substring(0, eq)) == name;
}

/** Value of query parameter `name` in `path` (the first one), percent-decoded as servers decode it. */
export function queryParam(path: string, name: string): string | null {
  const q = path.indexOf("?");
  if (q < 0) return null;
  const parts = path.substring(q + 1).split("&");
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].indexOf("=");
    if (isParam(parts[i], eq, name)) return formDecode(parts[i].substring(eq + 1));
  }
  return null;
}

/** `path` without query parameter `name`, in any spelling (the API key must not reach the MCP server). */
export function withoutQueryParam(path: string, name: string): string {
  const q = path.indexOf("?");
  if (q < 0) return path;
  const kept = new Array<string>();
  const parts = path.substring(q + 1).split("&");
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].indexOf("=");
    if (!isParam(parts[i], eq, name)) kept.push(parts[i]);
  }
  return kept.length == 0 ? path.substring(0, q) : path.substring(0, q + 1) + kept.join("&");
}

export function authenticateApiKey(cfg: McpAuthConfig, key: string): AuthResult {
  const given = Uint8Array.wrap(String.UTF8.encode(key));
  for (let i = 0; i < cfg.consumers.length; i++) {
    const c = cfg.consumers[i];
    if (constantTimeEqual(given, c.keyBytes)) {
      let r = c.result;
      if (r === null) {
        const caller = new Caller();
        caller.subject = c.name;
        caller.via = "api_key";
        caller.scopes = c.scopes;
        c.result = r = authenticated(caller);
      }
      return r;
    }
  }
  return fail(AuthStatus.Invalid, "invalid_token", "unknown API key");
}

/** `signatureChecks` counts the tokens the cache could not answer. */
export function authenticateJwt(cfg: McpAuthConfig, raw: string, keys: KeySet | null, nowSeconds: i64, signatureChecks: Counter): AuthResult {
  const jwt = cfg.jwt;
  if (jwt === null) return fail(AuthStatus.Invalid, "invalid_token", "bearer tokens are not accepted here");
  if (keys === null) return fail(AuthStatus.UnknownKey, "invalid_token", "no signing keys known yet");
  const cache = jwt.cache;
  let v = cache.get(raw, keys);
  if (v === null) {
    signatureChecks.inc();
    const t = verifyToken(raw, keys, jwt.checks);
    if (t.failure == JwtFailure.UnknownKey) return fail(AuthStatus.UnknownKey, "invalid_token", t.reason);
    if (!t.ok) return fail(AuthStatus.Invalid, "invalid_token", t.reason);
    v = new VerifiedToken(t, jwt.checks);
    if (!v.window.expired(jwt.checks, nowSeconds)) cache.put(raw, keys, v);
  } else if (v.window.expired(jwt.checks, nowSeconds)) {
    cache.remove(raw);
  }
  return v.decide(jwt.checks, nowSeconds);
}

/** Required scopes the caller lacks. */
export function missingScopes(required: Array<string>, caller: Caller): Array<string> {
  const out = new Array<string>();
  for (let i = 0; i < required.length; i++) if (!caller.hasScope(required[i])) out.push(required[i]);
  return out;
}
