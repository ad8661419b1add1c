// JWS compact tokens (RFC 7515/7519) as OAuth access tokens: decode, check the
// signature against a key set, then the registered claims.
import { JsonDocument, JsonKind, JsonValue, parseJson, ParseOptions } from "../common/json";
import { base64UrlDecode, constantTimeEqual, hmacSha256, sha256 } from "../common/crypto";
import { Jwk, KeySet, KeyType } from "./jwks";

/** Largest token accepted, in characters. */
export const MAX_TOKEN_LENGTH: i32 = 16 * 1024;

export enum JwtFailure {
  None = 0,
  /** Not a well-formed JWS, or a claim check failed: invalid_token. */
  Invalid = 1,
  /** No key for the token's kid/alg: the key set may be stale. */
  UnknownKey = 2,
}

export class JwtChecks {
  issuer: string | null = null;
  audiences: Array<string> = new Array<string>();
  algorithms: Array<string> = new Array<string>();
  skewSeconds: i64 = 60;
  requireExp: bool = true;
}

export class Token {
  failure: JwtFailure = JwtFailure.None;
  /** Why it failed, for logs and the error_description. */
  reason: string = "";
  alg: string = "";
  kid: string | null = null;
  claims: JsonDocument | null = null;

  fail(kind: JwtFailure, reason: string): Token {
    this.failure = kind;
    this.reason = reason;
    return this;
  }

  get ok(): bool {
    return this.failure == JwtFailure.None;
  }

  claim(name: string): JsonValue | null {
    const c = this.claims;
    return c === null ? null : c.root.get(name);
  }

  claimText(name: string): string | null {
    const c = this.claims;
    return c === null ? null : c.root.getText(name);
  }
}

function decodeJson(s: string, start: i32, end: i32): JsonDocument | null {
  const bytes = base64UrlDecode(s, start, end);
  if (bytes === null) return null;
  const parsed = parseJson(bytes.buffer, new ParseOptions(16, 64 * 1024));
  const doc = parsed.doc;
  if (doc === null || doc.root.kind != JsonKind.Object) return null;
  return doc;
}

/** Decodes `raw` and verifies its signature with `keys`; claims are not checked yet. */
export function verifyToken(raw: string, keys: KeySet, checks: JwtChecks): Token {
  const t = new Token();
  if (raw.length == 0 || raw.length > MAX_TOKEN_LENGTH) return t.fail(JwtFailure.Invalid, "token length out of range");
  const dot1 = raw.indexOf(".");
  const dot2 = dot1 < 0 ? -1 : raw.indexOf(".", dot1 + 1);
  if (dot1 <= 0 || dot2 < 0 || raw.indexOf(".", dot2 + 1) >= 0) return t.fail(JwtFailure.Invalid, "not a JWS compact token");
  const header = decodeJson(raw, 0, dot1);
  if (header === null) return t.fail(JwtFailure.Invalid, "header is not base64url JSON");
  const alg = header.root.getText("alg");
  if (alg === null) return t.fail(JwtFailure.Invalid, "alg missing");
  t.alg = alg;
  if (!checks.algorithms.includes(alg)) return t.fail(JwtFailure.Invalid, "alg " + alg + " not accepted");
  if (header.root.get("crit") !== null) return t.fail(JwtFailure.Invalid, "crit header not supported");
  t.kid = header.root.getText("kid");
  const claims = decodeJson(raw, dot1 + 1, dot2);
  if (claims === null) return t.fail(JwtFailure.Invalid, "payload is not base64url JSON");
  const sig = base64UrlDecode(raw, dot2 + 1, raw.length);
  if (sig === null || sig.length == 0) return t.fail(JwtFailure.Invalid, "signature is not base64url");

  const candidates = keys.candidates(alg, t.kid);
  if (candidates.length == 0) return t.fail(JwtFailure.UnknownKey, "no key for alg " + alg + (t.kid === null ? "" : " and kid " + t.kid!));
  const signingInput = Uint8Array.wrap(String.UTF8.encode(raw.substring(0, dot2)));
  let valid = false;
  for (let i = 0; i < candidates.length && !valid; i++) valid = verifyWith(candidates[i], signingInput, sig);
  if (!valid) return t.fail(JwtFailure.Invalid, "bad signature");
  t.claims = claims;
  return t;
}

function verifyWith(key: Jwk, input: Uint8Array, sig: Uint8Array): bool {
  if (key.type == KeyType.Oct) {
    const secret = key.secret;
    return secret !== null && constantTimeEqual(hmacSha256(secret, input), sig);
  }
  const hash = sha256(input);
  if (key.type == KeyType.Rsa) {
    const rsa = key.rsa;
    return rsa !== null && rsa.verifySha256(hash, sig);
  }
  const ec = key.ec;
  return ec !== null && ec.verifySha256(hash, sig);
}

/**
 * A token's exp and nbf, read once: they are the only claims whose verdict
 * changes with the clock, so a cached token checks just these per request.
 */
export class ValidityWindow {
  hasExp: bool = false;
  /** exp is present but not a number: the token counts as expired. */
  badExp: bool = false;
  exp: f64 = 0;
  hasNbf: bool = false;
  badNbf: bool = false;
  nbf: f64 = 0;

  static of(t: Token): ValidityWindow {
    const w = new ValidityWindow();
    const exp = t.claim("exp");
    if (exp !== null) {
      w.hasExp = true;
      if (exp.kind == JsonKind.Number) w.exp = exp.toF64();
      else w.badExp = true;
    }
    const nbf = t.claim("nbf");
    if (nbf !== null) {
      w.hasNbf = true;
      if (nbf.kind == JsonKind.Number) w.nbf = nbf.toF64();
      else w.badNbf = true;
    }
    return w;
  }

  /** Past exp (with the skew): the token will never be valid again. */
  expired(checks: JwtChecks, nowSeconds: i64): bool {
    return this.hasExp && (this.badExp || this.exp + <f64>checks.skewSeconds <= <f64>nowSeconds);
  }

  /** Why the token is not valid at `nowSeconds`, or "". */
  problem(checks: JwtChecks, nowSeconds: i64): string {
    if (!this.hasExp) {
      if (checks.requireExp) return "exp missing";
    } else if (this.expired(checks, nowSeconds)) {
      return "token expired";
    }
    if (this.hasNbf && (this.badNbf || this.nbf - <f64>checks.skewSeconds > <f64>nowSeconds)) return "token not yet valid";
    return "";
  }
}

/** iss and aud: the claim checks that do not depend on the clock. Returns why they fail, or "". */
export function identityProblem(t: Token, checks: JwtChecks): string {
  const issuer = checks.issuer;
  if (issuer !== null) {
    const iss = t.claimText("iss");
    if (iss === null || iss != issuer) return "wrong issuer";
  }
  if (checks.audiences.length > 0 && !audienceMatches(t.claim("aud"), checks.audiences)) return "wrong audience";
  return "";
}

function audienceMatches(aud: JsonValue | null, accepted: Array<string>): bool {
  if (aud === null) return false;
  if (aud.kind == JsonKind.String) return accepted.includes(aud.text()!);
  const items = JsonValue.items(aud);
  for (let i = 0; i < items.length; i++) {
    const s = unchecked(items[i]).text();
    if (s !== null && accepted.includes(s)) return true;
  }
  return false;
}

/** OAuth scopes from `scope` (space-separated, RFC 8693/9068) or `scp` (array or string). */
export function tokenScopes(t: Token): Array<string> {
  const out = new Array<string>();
  let v = t.claim("scope");
  if (v === null) v = t.claim("scp");
  if (v === null) return out;
  if (v.kind == JsonKind.String) {
    const parts = v.text()!.split(" ");
    for (let i = 0; i < parts.length; i++) if (parts[i].length > 0) out.push(parts[i]);
  } else {
    const items = JsonValue.items(v);
    for (let i = 0; i < items.length; i++) {
      const s = unchecked(items[i]).text();
      if (s !== null) out.push(s);
    }
  }
  return out;
}
