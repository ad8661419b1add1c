// The verified-token cache (host emulator): a cached token decides exactly
// what a freshly verified one would, is found only by the whole token, never
// outlives exp nor precedes nbf, is dropped when the key set or the
// configuration changes, and the cache stays bounded. The counter
// mcp_auth_jwt_signature_checks shows which requests the cache answered.
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { jwtVerify } from "jose";
import { Host, type ProxyVm } from "../../host/index.ts";
import { claims, hsKey, jwt, rsaKey, tampered, type TestKey } from "../../auth/tokens.ts";
import { Prng } from "../common/corpus/prng.ts";
import { buildMcpAuth, call, header, ISSUER, RESOURCE, rpc, startVm, upstreamHeader } from "./support.ts";

let WASM: string;
let rsa: TestKey, hs: TestKey;
const HS_SECRET = randomBytes(32);
/** Wall clock of the emulated hosts at start (fixed, so two hosts agree to the millisecond). */
const EPOCH_MS = 1_900_000_000_000;
const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
const CHECKS = "mcp_auth_jwt_signature_checks";

beforeAll(async () => {
  WASM = await buildMcpAuth();
  rsa = rsaKey("rsa-1");
  hs = hsKey("hs-1", HS_SECRET);
}, 120_000);

const nowOf = (host: Host) => Math.floor((EPOCH_MS + host.nowMs) / 1000);
const valid = (host: Host, extra: Record<string, unknown> = {}) => {
  const now = nowOf(host);
  return claims(ISSUER, RESOURCE, { iat: now, nbf: now - 5, exp: now + 600, ...extra });
};

function jwtConfig(extra: Record<string, unknown> = {}, keys: TestKey[] = [rsa, hs]) {
  return { issuer: ISSUER, algorithms: ["RS256", "HS256"], clockSkewSeconds: 0, jwks: { keys: keys.map((k) => k.jwk) }, ...extra };
}

function vmWith(config: Record<string, unknown>): { host: Host; vm: ProxyVm } {
  const host = new Host({ epochMs: EPOCH_MS });
  return { host, vm: startVm(WASM, { resource: RESOURCE, defaultAction: "allow", ...config }, host) };
}

describe("validity on a cache hit", () => {
  it("refuses a cached token once exp has passed, without checking its signature again", async () => {
    const { host, vm } = vmWith({ jwt: jwtConfig() });
    const token = jwt(rsa, valid(host, { exp: nowOf(host) + 10 }));
    for (let i = 0; i < 3; i++) expect((await rpc(vm, ping, { token })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBe(1);
    host.advance(10_000);
    const res = await rpc(vm, ping, { token });
    expect(res.status).toBe(401);
    expect(header(res, "www-authenticate")).toContain("token expired");
    expect(res.upstream).toBeNull();
  });

  it("refuses a cached token before nbf, every time, and accepts it from nbf on", async () => {
    const { host, vm } = vmWith({ jwt: jwtConfig() });
    const token = jwt(rsa, valid(host, { nbf: nowOf(host) + 60 }));
    for (let i = 0; i < 3; i++) {
      const early = await rpc(vm, ping, { token });
      expect(early.status).toBe(401);
      expect(header(early, "www-authenticate")).toContain("token not yet valid");
    }
    expect(host.stats.counter(CHECKS)).toBe(1);
    host.advance(60_000);
    expect((await rpc(vm, ping, { token })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBe(1);
  });
});

describe("cache key", () => {
  it("answers only the whole token: same signature with another payload, header or length is checked and refused", async () => {
    const { host, vm } = vmWith({ jwt: jwtConfig() });
    const token = jwt(rsa, valid(host));
    expect((await rpc(vm, ping, { token })).status).toBe(200);
    const [h, p, s] = token.split(".");
    const forged = [
      tampered(token, valid(host, { sub: "admin" })),
      // One character of the payload changed (the same length and signature).
      h + "." + (p[5] === "A" ? p.slice(0, 5) + "B" + p.slice(6) : p.slice(0, 5) + "A" + p.slice(6)) + "." + s,
      jwt(rsa, valid(host), { kid: "rsa-1", x: 1 }).split(".")[0] + "." + p + "." + s,
      token.slice(0, -1),
      token + "A",
      "." + p + "." + s,
    ];
    for (const f of forged) {
      const res = await rpc(vm, ping, { token: f });
      expect(res.status, f.slice(-20)).toBe(401);
      expect(res.upstream).toBeNull();
    }
    // Each forgery went to the signature check; the original still hits.
    expect(host.stats.counter(CHECKS)).toBe(1 + forged.length);
    expect((await rpc(vm, ping, { token })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBe(1 + forged.length);
  });
});

describe("invalidation", () => {
  it("drops cached tokens when a JWKS refresh removes their key", async () => {
    let served = [rsa, hs];
    const host = new Host({ epochMs: EPOCH_MS, clusters: { idp: () => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ keys: served.map((k) => k.jwk) }) }) } });
    const vm = startVm(WASM, { resource: RESOURCE, defaultAction: "allow", jwt: { issuer: ISSUER, algorithms: ["RS256", "HS256"], jwksFetch: { cluster: "idp", path: "/jwks", refreshSeconds: 60, minRefreshSeconds: 5 } } }, host);
    const token = jwt(rsa, valid(host));
    const other = jwt(hs, valid(host));
    expect((await rpc(vm, ping, { token })).status).toBe(200);
    expect((await rpc(vm, ping, { token: other })).status).toBe(200);
    expect((await rpc(vm, ping, { token })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBe(2);
    served = [hs];
    host.advance(61_000);
    const res = await rpc(vm, ping, { token });
    expect(res.status).toBe(401);
    expect(res.upstream).toBeNull();
    // The key still served verifies again under the new key set.
    expect((await rpc(vm, ping, { token: other })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBeGreaterThanOrEqual(4);
  });

  it("judges cached tokens by the new configuration: keys, issuer, audience and policies", async () => {
    const { host, vm } = vmWith({ jwt: jwtConfig() });
    const token = jwt(rsa, valid(host));
    const echo = call(1, "echo");
    expect((await rpc(vm, echo, { token })).upstream).not.toBeNull();
    expect((await rpc(vm, echo, { token })).upstream).not.toBeNull();
    const reconfigure = (c: Record<string, unknown>) => expect(vm.configure(JSON.stringify({ resource: RESOURCE, defaultAction: "allow", ...c }))).toBe(true);

    reconfigure({ jwt: jwtConfig({}, [hs]) });
    expect((await rpc(vm, echo, { token })).status).toBe(401);
    reconfigure({ jwt: jwtConfig({ issuer: "https://other-idp.test" }) });
    expect(header(await rpc(vm, echo, { token }), "www-authenticate")).toContain("wrong issuer");
    reconfigure({ jwt: jwtConfig({ audiences: ["https://elsewhere.test"] }) });
    expect(header(await rpc(vm, echo, { token }), "www-authenticate")).toContain("wrong audience");
    reconfigure({ jwt: jwtConfig(), policies: [{ allow: { methods: ["tools/*"] }, deny: { tools: ["echo"] } }] });
    const denied = await rpc(vm, echo, { token });
    expect(denied.upstream).toBeNull();
    expect(JSON.parse(denied.body).error.message).toContain("echo");
    reconfigure({ jwt: jwtConfig(), forward: { subjectHeader: "x-caller" } });
    expect(upstreamHeader(await rpc(vm, echo, { token }), "x-caller")).toBe("alice");
  });
});

describe("bounds", () => {
  it("keeps at most cacheSize tokens, the oldest making room", async () => {
    const { host, vm } = vmWith({ jwt: jwtConfig({ cacheSize: 2 }) });
    const [a, b, c] = ["a", "b", "c"].map((sub) => jwt(hs, valid(host, { sub })));
    for (const t of [a, b, c]) expect((await rpc(vm, ping, { token: t })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBe(3);
    // c and b are cached; a was evicted.
    expect((await rpc(vm, ping, { token: c })).status).toBe(200);
    expect((await rpc(vm, ping, { token: b })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBe(3);
    expect((await rpc(vm, ping, { token: a })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBe(4);
  });

  it("keeps at most 4 Mi characters of tokens, whatever cacheSize allows", async () => {
    const { host, vm } = vmWith({ jwt: jwtConfig({ cacheSize: 100_000 }) });
    // Tokens just under the 16 KiB limit: 4 Mi characters hold 256 of them.
    const padding = "x".repeat(11_500);
    const tokens = Array.from({ length: 300 }, (_, i) => jwt(hs, valid(host, { sub: "s" + i, pad: padding })));
    expect(tokens[0].length).toBeGreaterThan(15_000);
    expect(tokens[0].length).toBeLessThan(16_384);
    for (const t of tokens) expect((await rpc(vm, ping, { token: t })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBe(300);
    // The newest are still cached, the first were evicted.
    expect((await rpc(vm, ping, { token: tokens[299] })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBe(300);
    expect((await rpc(vm, ping, { token: tokens[0] })).status).toBe(200);
    expect(host.stats.counter(CHECKS)).toBe(301);
    expect(vm.trapped).toBe(false);
  });
});

describe("same decisions with and without the cache", () => {
  const TOOLS = ["read-a", "write-b", "blue-c", "drop-d", "other"];
  const POLICY = {
    resource: RESOURCE,
    requiredScopes: ["mcp"],
    forward: { claimHeaders: { tenant: "x-tenant" } },
    policies: [
      { allow: { methods: ["tools/*"], tools: ["read-*"] } },
      { match: { subjects: ["alice"] }, allow: { tools: ["write-*"] } },
      { match: { scopes: ["admin"] }, allow: { tools: ["*"] }, deny: { tools: ["drop-*"] } },
      { match: { claims: { tenant: "blue" } }, allow: { tools: ["blue-*"] } },
    ],
    toolScopes: [{ tools: ["write-*"], scopes: ["write"] }],
  };

  /** Random claims over the values each check tells apart, signed with the HS256 key. */
  function randomClaims(r: Prng, now: number): Record<string, unknown> {
    const c: Record<string, unknown> = { iat: now };
    const set = (name: string, v: unknown) => {
      if (v !== undefined) c[name] = v;
    };
    set("iss", r.pick([ISSUER, ISSUER, ISSUER, "https://evil.test", undefined, 5]));
    set("aud", r.pick([RESOURCE, RESOURCE, ["https://x.test", RESOURCE], "https://other.test", undefined, [1]]));
    set("sub", r.pick(["alice", "bob", "carol", "", undefined]));
    if (r.int(4) === 0) c.client_id = r.pick(["svc", ""]);
    if (r.int(2) === 0) set("scope", r.pick(["mcp", "mcp write", "mcp admin", "admin write", "", undefined]));
    else set("scp", r.pick([["mcp"], ["mcp", "write"], ["mcp", "admin"], "mcp", undefined]));
    set("tenant", r.pick(["blue", "red", undefined, 7]));
    set("exp", r.pick([now + r.int(240), now + r.int(240), now - r.int(60), undefined, "soon"]));
    set("nbf", r.pick([undefined, undefined, now - 10, now + r.int(120), "x"]));
    return c;
  }

  function request(r: Prng): { body: unknown; list: boolean } {
    if (r.int(3) === 0) return { body: { jsonrpc: "2.0", id: 7, method: "tools/list" }, list: true };
    return { body: call(7, r.pick(TOOLS)), list: false };
  }

  const listing = () => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 7, result: { tools: TOOLS.map((name) => ({ name, inputSchema: { type: "object" } })) } }) });

  /** What an independent JOSE implementation says of the token's claims at `now`, plus the subject rule. */
  async function joseAccepts(token: string, now: number): Promise<boolean> {
    try {
      const { payload } = await jwtVerify(token, HS_SECRET, { issuer: ISSUER, audience: RESOURCE, clockTolerance: 30, currentDate: new Date(now * 1000), requiredClaims: ["exp"], algorithms: ["HS256"] });
      const id = (v: unknown) => typeof v === "string" && v.length > 0;
      return id(payload.sub) || id(payload.client_id);
    } catch {
      return false;
    }
  }

  it("answers 600 requests with 60 random tokens alike, across exp and nbf, and as jose judges the claims", async () => {
    const r = new Prng(21);
    const cached = vmWith({ ...POLICY, jwt: jwtConfig({ clockSkewSeconds: 30 }) });
    const uncached = vmWith({ ...POLICY, jwt: jwtConfig({ clockSkewSeconds: 30, cacheSize: 0 }) });
    const now0 = nowOf(cached.host);
    const tokens = Array.from({ length: 60 }, () => jwt(hs, randomClaims(r, now0)));
    let hits = 0;
    for (let round = 0; round < 10; round++) {
      const now = nowOf(cached.host);
      expect(nowOf(uncached.host)).toBe(now);
      for (let i = 0; i < tokens.length; i++) {
        const token = tokens[(i * 7 + round * 13) % tokens.length];
        const { body, list } = request(r);
        const options = list ? { upstream: listing } : {};
        const [a, b] = [await rpc(cached.vm, body, { token, options }), await rpc(uncached.vm, body, { token, options })];
        const seen = (x: typeof a) => ({
          status: x.status,
          challenge: header(x, "www-authenticate"),
          body: x.body,
          forwarded: x.upstream === null ? null : [upstreamHeader(x, "x-mcp-subject"), upstreamHeader(x, "x-tenant"), upstreamHeader(x, "authorization")],
          audit: Buffer.from(x.filterState.get("wasm.mcp_auth") ?? []).toString(),
        });
        expect(seen(a), `round ${round}, token ${token.split(".")[1]}`).toEqual(seen(b));
        const authenticated = a.status !== 401;
        expect(authenticated, `jose on ${Buffer.from(token.split(".")[1], "base64url").toString()} at ${now}`).toBe(await joseAccepts(token, now));
      }
      cached.host.advance(r.int(40_000));
      uncached.host.advance(cached.host.nowMs - uncached.host.nowMs);
    }
    hits = 600 - cached.host.stats.counter(CHECKS);
    // Most requests were answered from the cache; every one was checked without it.
    expect(hits).toBeGreaterThan(200);
    expect(uncached.host.stats.counter(CHECKS)).toBe(600);
    expect(cached.vm.trapped || uncached.vm.trapped).toBe(false);
  });
});
