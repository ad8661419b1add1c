// The signing key and bearer token of the JWT scenarios: made once per bench
// run (RS256, 2048-bit, exp a year ahead), so mcp-auth and Envoy's jwt_authn
// check the same token against the same JWKS.
import { claims, jwt, rsaKey, type TestKey } from "../../test/auth/tokens.ts";

export const BENCH_ISSUER = "https://issuer.bench.local";
export const BENCH_AUDIENCE = "https://gateway.bench.local/v1";

let made: { key: TestKey; token: string } | null = null;

function material(): { key: TestKey; token: string } {
  if (!made) {
    const key = rsaKey("bench-rs256");
    const token = jwt(key, claims(BENCH_ISSUER, BENCH_AUDIENCE, { sub: "bench-client", exp: Math.floor(Date.now() / 1000) + 365 * 86400 }));
    made = { key, token };
  }
  return made;
}

/** The public JWKS (JSON text). */
export const benchJwks = (): string => JSON.stringify({ keys: [material().key.jwk] });

export const benchAuthorization = (): Record<string, string> => ({ authorization: "Bearer " + material().token });
