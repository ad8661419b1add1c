// OAuth 2.0 Protected Resource Metadata (RFC 9728) and the Bearer challenge
// (RFC 6750) that points clients at it.
import { JsonWriter } from "../common/json";
import { McpAuthConfig } from "./config";

export const WELL_KNOWN = "/.well-known/oauth-protected-resource";

/** True for the metadata path, bare or suffixed with a resource path (RFC 9728 3.1). */
export function isMetadataPath(path: string): bool {
  return path.startsWith(WELL_KNOWN) && (path.length == WELL_KNOWN.length || path.charCodeAt(WELL_KNOWN.length) == 0x2f);
}

/** Base URL the client sees: publicBaseUrl, else the request's scheme and authority. */
export function publicBase(cfg: McpAuthConfig, scheme: string, authority: string): string {
  const base = cfg.publicBaseUrl;
  if (base !== null) return base;
  return (scheme.length > 0 ? scheme : "http") + "://" + authority;
}

export function metadataUrl(cfg: McpAuthConfig, base: string): string {
  return base + WELL_KNOWN + cfg.resourcePath();
}

export function metadataDocument(cfg: McpAuthConfig): ArrayBuffer {
  const w = new JsonWriter();
  w.beginObject();
  w.key("resource").string(cfg.resource);
  if (cfg.authorizationServers.length > 0) {
    w.key("authorization_servers").beginArray();
    for (let i = 0; i < cfg.authorizationServers.length; i++) w.string(cfg.authorizationServers[i]);
    w.endArray();
  }
  if (cfg.scopesSupported.length > 0) {
    w.key("scopes_supported").beginArray();
    for (let i = 0; i < cfg.scopesSupported.length; i++) w.string(cfg.scopesSupported[i]);
    w.endArray();
  }
  w.key("bearer_methods_supported").beginArray().string("header").endArray();
  const jwt = cfg.jwt;
  if (jwt !== null) {
    w.key("resource_signing_alg_values_supported").beginArray();
    for (let i = 0; i < jwt.checks.algorithms.length; i++) w.string(jwt.checks.algorithms[i]);
    w.endArray();
  }
  const name = cfg.resourceName;
  if (name !== null) w.key("resource_name").string(name);
  w.endObject();
  return w.toBytes();
}

function quoted(s: string): string {
  // Header quoted-string: no quotes, backslashes or control characters inside.
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 34 || c == 92 || c < 32 || c == 127) continue;
    out += String.fromCharCode(c);
  }
  return "\"" + out + "\"";
}

/** `Bearer resource_metadata="...", error="...", error_description="...", scope="..."`; empty parts are left out. */
export function bearerChallenge(metadata: string, error: string, description: string, scope: string): string {
  let s = "Bearer resource_metadata=" + quoted(metadata);
  if (error.length > 0) s += ", error=" + quoted(error);
  if (description.length > 0) s += ", error_description=" + quoted(description);
  if (scope.length > 0) s += ", scope=" + quoted(scope);
  return s;
}
