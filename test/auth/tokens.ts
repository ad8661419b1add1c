// Signing keys and JWTs for the mcp-auth tests, made with Node's crypto:
// valid tokens, and the forgeries a resource server must refuse (alg=none,
// HS256 keyed with an RSA public key, tampered payloads, bad signatures).
import { createHmac, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

export type Alg = "RS256" | "ES256" | "HS256";

export interface TestKey {
  kid: string;
  alg: Alg;
  /** The public JWK (for HS256 the secret itself, kty oct). */
  jwk: Record<string, string>;
  /** Signs the JWS signing input (header.payload). */
  sign(input: string): Buffer;
  /** The private JWK (RSA/EC), e.g. for oidc-provider's jwks. */
  privateJwk?: Record<string, string>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export function rsaKey(kid: string, bits = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: 65537 });
  return fromPair(kid, "RS256", privateKey, publicKey);
}

export function ecKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return fromPair(kid, "ES256", privateKey, publicKey);
}

export function hsKey(kid: string, secret: Buffer = randomBytes(32)): TestKey {
  return {
    kid,
    alg: "HS256",
    jwk: { kty: "oct", kid, alg: "HS256", k: b64url(secret) },
    sign: (input) => createHmac("sha256", secret).update(input).digest(),
  };
}

function fromPair(kid: string, alg: Alg, privateKey: KeyObject, publicKey: KeyObject): TestKey {
  const pub = publicKey.export({ format: "jwk" }) as Record<string, string>;
  const priv = privateKey.export({ format: "jwk" }) as Record<string, string>;
  return {
    kid,
    alg,
    jwk: { ...pub, kid, alg, use: "sig" },
    privateJwk: { ...priv, kid, alg, use: "sig" },
    sign: (input) =>
      alg === "RS256"
        ? sign("sha256", Buffer.from(input), privateKey)
        : sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }),
  };
}

/** A private RSA/EC key from its JWK (oidc-provider style). */
export function keyFromPrivateJwk(jwk: Record<string, string>): KeyObject {
  return createPrivateKey({ key: jwk, format: "jwk" });
}

export function jws(header: Record<string, unknown>, payload: Record<string, unknown> | string, signer: ((input: string) => Buffer) | null): string {
  const input = b64url(JSON.stringify(header)) + "." + b64url(typeof payload === "string" ? payload : JSON.stringify(payload));
  return input + "." + (signer === null ? "" : b64url(signer(input)));
}

export function jwt(key: TestKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  return jws({ alg: key.alg, typ: "JWT", kid: key.kid, ...header }, claims, key.sign);
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims of a valid access token for `audience` issued by `issuer`. */
export function claims(issuer: string, audience: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  return { iss: issuer, aud: audience, sub: "alice", iat: now, nbf: now - 5, exp: now + 600, scope: "mcp:tools", ...extra };
}

/** alg=none: a header saying so and an empty signature. */
export function algNone(kid: string, c: Record<string, unknown>): string {
  return jws({ alg: "none", typ: "JWT", kid }, c, null);
}

/** HS256 "signed" with the RSA public key's bytes as the secret: the classic confusion attack. */
export function hsWithPublicKey(rsa: TestKey, c: Record<string, unknown>): string {
  const secret = Buffer.from(rsa.jwk.n, "base64url");
  return jws({ alg: "HS256", typ: "JWT", kid: rsa.kid }, c, (input) => createHmac("sha256", secret).update(input).digest());
}

/** Same header and signature, payload swapped: the signature no longer matches. */
export function tampered(token: string, c: Record<string, unknown>): string {
  const [h, , s] = token.split(".");
  return h + "." + b64url(JSON.stringify(c)) + "." + s;
}

/** Replaces the signature with raw bytes. */
export function withSignature(token: string, sig: Buffer): string {
  const [h, p] = token.split(".");
  return h + "." + p + "." + b64url(sig);
}
