// Keys fetched from the issuer's JWKS through a cluster (host emulator): the
// first request waits for the first fetch, an unknown kid triggers a refresh
// (at most once per minRefreshSeconds), the tick refreshes, and without keys
// the outcome is the configured one.
import { beforeAll, describe, expect, it } from "vitest";
import { Host, type ClusterBehavior } from "../../host/index.ts";
import { claims, jwt, rsaKey, ecKey, type TestKey } from "../../auth/tokens.ts";
import { buildMcpAuth, header, ISSUER, RESOURCE, rpc, startVm } from "./support.ts";

let WASM: string;
let keyA: TestKey, keyB: TestKey;
const ping = { jsonrpc: "2.0", id: 1, method: "ping" };

beforeAll(async () => {
  WASM = await buildMcpAuth();
  keyA = rsaKey("key-a");
  keyB = ecKey("key-b");
}, 120_000);

function config(whenNoKeys = "unauthorized") {
  return {
    resource: RESOURCE,
    jwt: { issuer: ISSUER, whenNoKeys, jwksFetch: { cluster: "idp", path: "/jwks", refreshSeconds: 300, minRefreshSeconds: 5 } },
    defaultAction: "allow",
  };
}

const jwksResponse = (keys: TestKey[]) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ keys: keys.map((k) => k.jwk) }) });

function issuer(keys: () => TestKey[]): ClusterBehavior {
  return () => jwksResponse(keys());
}

describe("remote JWKS", () => {
  it("fetches on the first request, picks up a rotated key on an unknown kid, refreshes on the tick", async () => {
    let served = [keyA];
    const host = new Host({ clusters: { idp: issuer(() => served) } });
    const vm = startVm(WASM, config(), host);
    const first = await rpc(vm, ping, { token: jwt(keyA, claims(ISSUER, RESOURCE)) });
    expect(first.status).toBe(200);
    expect(host.calls.length).toBe(1);
    expect(host.calls[0].request.headers).toContainEqual([":path", "/jwks"]);

    served = [keyB, keyA];
    host.advance(6000);
    const rotated = await rpc(vm, ping, { token: jwt(keyB, claims(ISSUER, RESOURCE)) });
    expect(rotated.status, rotated.body).toBe(200);
    const fetches = host.calls.length;

    // Another unknown kid right away: no new fetch (rate limit), refused.
    const unknown = await rpc(vm, ping, { token: jwt(rsaKey("key-c"), claims(ISSUER, RESOURCE)) });
    expect(unknown.status).toBe(401);
    expect(header(unknown, "www-authenticate")).toContain('error="invalid_token"');
    expect(host.calls.length).toBe(fetches);

    host.advance(301_000);
    expect(host.calls.length).toBeGreaterThan(fetches);
    expect(vm.trapped).toBe(false);
  });

  it("keeps the last good keys when a refresh fails", async () => {
    let up = true;
    const host = new Host({ clusters: { idp: () => (up ? jwksResponse([keyA]) : { status: 500, body: "down" }) } });
    const vm = startVm(WASM, config(), host);
    expect((await rpc(vm, ping, { token: jwt(keyA, claims(ISSUER, RESOURCE)) })).status).toBe(200);
    up = false;
    host.advance(301_000);
    expect((await rpc(vm, ping, { token: jwt(keyA, claims(ISSUER, RESOURCE)) })).status).toBe(200);
    expect(vm.visibleLogs().some((l) => /JWKS fetch from cluster idp\/jwks failed: status 500/.test(l.message))).toBe(true);
  });

  it("without any keys answers 401 invalid_token, or 503 when configured", async () => {
    for (const [mode, status] of [["unauthorized", 401], ["unavailable", 503]] as const) {
      const host = new Host({ clusters: { idp: { fail: "connect-failure" } } });
      const vm = startVm(WASM, config(mode), host);
      const res = await rpc(vm, ping, { token: jwt(keyA, claims(ISSUER, RESOURCE)) });
      expect(res.status).toBe(status);
      expect(header(res, "www-authenticate")).toContain("resource_metadata=");
      expect(vm.trapped).toBe(false);
    }
  });

  it("skips keys it cannot use and rejects a JWKS that is not one", async () => {
    const host = new Host({ clusters: { idp: { status: 200, body: '{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}' } } });
    const vm = startVm(WASM, config(), host);
    const res = await rpc(vm, ping, { token: jwt(keyA, claims(ISSUER, RESOURCE)) });
    expect(res.status).toBe(401);
    expect(vm.visibleLogs().some((l) => /no usable key/.test(l.message))).toBe(true);
    expect(vm.trapped).toBe(false);
  });
});
