// JSON Web Key Sets (RFC 7517): RSA (n, e), EC P-256 (x, y) and oct (k)
// verification keys, looked up by kid and algorithm.
import { JsonDocument, JsonKind, JsonValue, parseJson } from "../common/json";
import { base64UrlDecode, P256PublicKey, RsaPublicKey } from "../common/crypto";
import { decimal } from "../common/text/decimal";

export enum KeyType {
  Rsa = 0,
  Ec = 1,
  Oct = 2,
}

/** The JOSE algorithm a key type verifies. */
export function algorithmOf(t: KeyType): string {
  if (t == KeyType.Rsa) return "RS256";
  if (t == KeyType.Ec) return "ES256";
  return "HS256";
}

export class Jwk {
  rsa: RsaPublicKey | null = null;
  ec: P256PublicKey | null = null;
  secret: Uint8Array | null = null;
  constructor(public kid: string | null, public type: KeyType) {}
}

export class KeySet {
  keys: Array<Jwk> = new Array<Jwk>();
  /** Keys in the document that were skipped (unsupported type or curve, bad values), with why. */
  skipped: Array<string> = new Array<string>();

  /** Keys usable for `alg`, the one with `kid` when given. */
  candidates(alg: string, kid: string | null): Array<Jwk> {
    const out = new Array<Jwk>();
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i];
      if (algorithmOf(k.type) != alg) continue;
      if (kid !== null) {
        const own = k.kid;
        if (own === null || own != kid) continue;
      }
      out.push(k);
    }
    return out;
  }

  hasKid(kid: string): bool {
    for (let i = 0; i < this.keys.length; i++) {
      const own = this.keys[i].kid;
      if (own !== null && own == kid) return true;
    }
    return false;
  }
}

/** Parses a JWKS document; null with `error` set when it is not one. */
export class JwksResult {
  set: KeySet | null = null;
  error: string = "";
}

export function parseJwksBytes(bytes: ArrayBuffer): JwksResult {
  const res = new JwksResult();
  const parsed = parseJson(bytes);
  const doc = parsed.doc;
  if (doc === null) {
    res.error = "not JSON";
    return res;
  }
  return readJwks(doc.root);
}

export function readJwks(root: JsonValue): JwksResult {
  const res = new JwksResult();
  const keys = root.kind == JsonKind.Object ? root.get("keys") : null;
  if (keys === null || keys.kind != JsonKind.Array) {
    res.error = "a JWKS must be an object with a \"keys\" array";
    return res;
  }
  const set = new KeySet();
  const items = JsonValue.items(keys);
  for (let i = 0; i < items.length; i++) {
    const problem = readKey(unchecked(items[i]), set);
    if (problem.length > 0) set.skipped.push("keys[" + decimal(i) + "]: " + problem);
  }
  res.set = set;
  return res;
}

function bytesOf(key: JsonValue, name: string): Uint8Array | null {
  const text = key.getText(name);
  if (text === null) return null;
  return base64UrlDecode(text);
}

/** Adds the key to `set`; returns why it was skipped, or "". */
function readKey(key: JsonValue, set: KeySet): string {
  if (key.kind != JsonKind.Object) return "not an object";
  const use = key.getText("use");
  if (use !== null && use != "sig") return "use is not sig";
  const kty = key.getText("kty");
  const kid = key.getText("kid");
  const alg = key.getText("alg");
  if (kty === null) return "kty missing";
  if (kty == "RSA") {
    if (alg !== null && alg != "RS256") return "alg " + alg + " not supported";
    const n = bytesOf(key, "n"), e = bytesOf(key, "e");
    if (n === null || e === null) return "n or e missing or not base64url";
    const rsa = RsaPublicKey.create(n, e);
    if (rsa === null) return "unusable RSA key (2048..8192-bit odd modulus and odd exponent required)";
    const k = new Jwk(kid, KeyType.Rsa);
    k.rsa = rsa;
    set.keys.push(k);
    return "";
  }
  if (kty == "EC") {
    const crv = key.getText("crv");
    if (crv === null || crv != "P-256") return "curve not supported (P-256 only)";
    if (alg !== null && alg != "ES256") return "alg " + alg + " not supported";
    const x = bytesOf(key, "x"), y = bytesOf(key, "y");
    if (x === null || y === null) return "x or y missing or not base64url";
    const ec = P256PublicKey.create(x, y);
    if (ec === null) return "point not on P-256";
    const k = new Jwk(kid, KeyType.Ec);
    k.ec = ec;
    set.keys.push(k);
    return "";
  }
  if (kty == "oct") {
    if (alg !== null && alg != "HS256") return "alg " + alg + " not supported";
    const secret = bytesOf(key, "k");
    if (secret === null || secret.length < 32) return "k missing, not base64url, or shorter than 32 bytes";
    const k = new Jwk(kid, KeyType.Oct);
    k.secret = secret;
    set.keys.push(k);
    return "";
  }
  return "kty " + kty + " not supported";
}
