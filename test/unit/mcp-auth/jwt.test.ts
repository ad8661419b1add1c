// Token validation in the mcp-auth module (host emulator): RS256, ES256 and
// HS256 signatures made by Node's crypto, the registered claims, and every
// forgery the filter must refuse without trapping.
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Host, type ProxyVm } from "../../host/index.ts";
import { algNone, claims, ecKey, hsKey, hsWithPublicKey, jws, jwt, nowSeconds, rsaKey, tampered, withSignature, type TestKey } from "../../auth/tokens.ts";
import { buildMcpAuth, header, ISSUER, RESOURCE, rpc, startVm, upstreamHeader } from "./support.ts";

let WASM: string;
let rsa: TestKey, rsa4096: TestKey, ec: TestKey, hs: TestKey, other: TestKey;
let vm: ProxyVm;

const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
const valid = (extra: Record<string, unknown> = {}) => claims(ISSUER, RESOURCE, extra);

beforeAll(async () => {
  WASM = await buildMcpAuth();
  rsa = rsaKey("rsa-1");
  rsa4096 = rsaKey("rsa-4096", 4096);
  ec = ecKey("ec-1");
  hs = hsKey("hs-1");
  other = rsaKey("rsa-1"); // same kid, different key
  vm = startVm(WASM, {
    resource: RESOURCE,
    authorizationServers: [ISSUER],
    jwt: { issuer: ISSUER, algorithms: ["RS256", "ES256", "HS256"], clockSkewSeconds: 30, jwks: { keys: [rsa.jwk, rsa4096.jwk, ec.jwk, hs.jwk] } },
    defaultAction: "allow",
  });
}, 120_000);

async function expectAccepted(token: string) {
  const res = await rpc(vm, ping, { token });
  expect(res.status, res.body).toBe(200);
  expect(res.upstream).not.toBeNull();
  expect(vm.trapped).toBe(false);
  return res;
}

async function expectRejected(token: string, description?: RegExp) {
  const res = await rpc(vm, ping, { token });
  expect(res.status).toBe(401);
  expect(res.upstream).toBeNull();
  const challenge = header(res, "www-authenticate") ?? "";
  expect(challenge).toContain('error="invalid_token"');
  expect(challenge).toContain('resource_metadata="http://mcp.test/.well-known/oauth-protected-resource/mcp"');
  if (description) expect(challenge).toMatch(description);
  expect(vm.trapped).toBe(false);
  return res;
}

describe("signatures", () => {
  it("accepts RS256 (2048 and 4096 bit), ES256 and HS256 tokens", async () => {
    await expectAccepted(jwt(rsa, valid()));
    await expectAccepted(jwt(rsa4096, valid()));
    await expectAccepted(jwt(ec, valid()));
    await expectAccepted(jwt(hs, valid()));
  });

  it("accepts many ES256 signatures (random k each time)", async () => {
    for (let i = 0; i < 20; i++) await expectAccepted(jwt(ec, valid({ jti: String(i) })));
  });

  it("forwards the subject, never the token", async () => {
    const res = await expectAccepted(jwt(rsa, valid({ sub: "bob" })));
    expect(upstreamHeader(res, "x-mcp-subject")).toBe("bob");
    expect(upstreamHeader(res, "authorization")).toBeUndefined();
  });

  it("rejects a signature by another key with the same kid", async () => {
    await expectRejected(jwt(other, valid()), /bad signature/);
  });

  it("rejects tampered payloads", async () => {
    await expectRejected(tampered(jwt(rsa, valid()), valid({ sub: "admin" })), /bad signature/);
    await expectRejected(tampered(jwt(ec, valid()), valid({ sub: "admin" })), /bad signature/);
    await expectRejected(tampered(jwt(hs, valid()), valid({ sub: "admin" })), /bad signature/);
  });

  it("rejects alg=none and HS256 keyed with the RSA public key (alg confusion)", async () => {
    await expectRejected(algNone("rsa-1", valid()), /alg none not accepted/);
    await expectRejected(hsWithPublicKey(rsa, valid()), /no key for alg HS256/);
  });

  it("rejects ES256 signatures with r = 0, s = 0, s >= n, and wrong lengths", async () => {
    const token = jwt(ec, valid());
    const n = Buffer.from("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", "hex");
    const sig = Buffer.from(token.split(".")[2], "base64url");
    const r = sig.subarray(0, 32), s = sig.subarray(32);
    await expectRejected(withSignature(token, Buffer.concat([Buffer.alloc(32), s])));
    await expectRejected(withSignature(token, Buffer.concat([r, Buffer.alloc(32)])));
    await expectRejected(withSignature(token, Buffer.concat([r, n])));
    await expectRejected(withSignature(token, Buffer.concat([r, Buffer.alloc(32, 0xff)])));
    await expectRejected(withSignature(token, sig.subarray(0, 63)));
    await expectRejected(withSignature(token, Buffer.concat([sig, Buffer.from([0])])));
  });

  it("rejects RS256 signatures of the wrong length, >= n, all zero or all ones", async () => {
    const token = jwt(rsa, valid());
    const sig = Buffer.from(token.split(".")[2], "base64url");
    const n = Buffer.from(rsa.jwk.n, "base64url");
    await expectRejected(withSignature(token, sig.subarray(1)));
    await expectRejected(withSignature(token, Buffer.concat([Buffer.from([0]), sig])));
    await expectRejected(withSignature(token, n));
    await expectRejected(withSignature(token, Buffer.alloc(256)));
    await expectRejected(withSignature(token, Buffer.alloc(256, 0xff)));
    await expectRejected(withSignature(token, randomBytes(256)));
  });

  it("rejects malformed tokens", async () => {
    const good = jwt(rsa, valid());
    const [h, p, s] = good.split(".");
    for (const bad of ["x", "a.b", "a.b.c.d", `${h}.${p}`, `${h}..${s}`, `.${p}.${s}`, `${h}.${p}.${s}!`, `${h}*.${p}.${s}`, "e30.e30.e30", "W10.W10.AA",
      jws({ alg: "RS256", kid: "rsa-1", crit: ["exp"] }, valid(), rsa.sign), "a".repeat(20000)]) {
      await expectRejected(bad);
    }
  });
});

describe("claims", () => {
  it("rejects expired tokens (beyond the skew) and accepts within it", async () => {
    await expectRejected(jwt(rsa, valid({ exp: nowSeconds() - 31 })), /token expired/);
    await expectAccepted(jwt(rsa, valid({ exp: nowSeconds() - 10 })));
  });

  it("rejects tokens not valid yet", async () => {
    await expectRejected(jwt(rsa, valid({ nbf: nowSeconds() + 120 })), /not yet valid/);
  });

  it("rejects a missing exp, a wrong issuer and a wrong audience", async () => {
    const c = valid();
    delete c.exp;
    await expectRejected(jwt(rsa, c), /exp missing/);
    await expectRejected(jwt(rsa, valid({ iss: "https://evil.test" })), /wrong issuer/);
    await expectRejected(jwt(rsa, valid({ aud: "https://other.test/mcp" })), /wrong audience/);
    await expectAccepted(jwt(rsa, valid({ aud: ["https://other.test", RESOURCE] })));
  });

  it("re-checks the claims of a cached token: it expires like any other", async () => {
    const host = new Host();
    const own = startVm(WASM, { resource: RESOURCE, jwt: { issuer: ISSUER, clockSkewSeconds: 0, jwks: { keys: [rsa.jwk] } }, defaultAction: "allow" }, host);
    const token = jwt(rsa, valid({ exp: nowSeconds() + 10 }));
    for (let i = 0; i < 2; i++) {
      const ok = await rpc(own, ping, { token });
      expect(ok.status, header(ok, "www-authenticate")).toBe(200);
    }
    host.advance(11_000);
    const res = await rpc(own, ping, { token });
    expect(res.status).toBe(401);
    expect(header(res, "www-authenticate")).toContain("token expired");
  });

  it("requires a subject", async () => {
    const c = valid();
    delete c.sub;
    await expectRejected(jwt(rsa, c), /no sub/);
    await expectAccepted(jwt(rsa, { ...c, client_id: "svc" }));
  });
});
