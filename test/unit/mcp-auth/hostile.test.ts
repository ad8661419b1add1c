// Hostile credentials and bodies never trap the VM (host emulator): random
// and mutated tokens for every key type, odd Authorization headers, and
// mutated JSON-RPC bodies; every answer is a clear 4xx or a pass.
import { beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { ProxyVm } from "../../host/index.ts";
import { claims, ecKey, hsKey, jws, jwt, rsaKey } from "../../auth/tokens.ts";
import { buildMcpAuth, call, ISSUER, RESOURCE, rpc, startVm } from "./support.ts";

let vm: ProxyVm;
let tokens: string[];
const API_KEY = "hostile-key-0123456789";

/** Deterministic pseudo-random numbers, so a failure replays. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

beforeAll(async () => {
  const wasm = await buildMcpAuth();
  const keys = [rsaKey("r"), ecKey("e"), hsKey("h")];
  vm = startVm(wasm, {
    resource: RESOURCE,
    jwt: { issuer: ISSUER, algorithms: ["RS256", "ES256", "HS256"], jwks: { keys: keys.map((k) => k.jwk) } },
    apiKeys: { consumers: [{ name: "h", key: API_KEY }] },
    policies: [{ allow: { methods: ["*"], tools: ["*"] } }],
  });
  tokens = keys.map((k) => jwt(k, claims(ISSUER, RESOURCE)));
}, 120_000);

function mutate(s: string, r: () => number): string {
  const chars = [...s];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * chars.length);
    const op = r();
    if (op < 0.4) chars[at] = String.fromCharCode(33 + Math.floor(r() * 94));
    else if (op < 0.7) chars.splice(at, 1);
    else chars.splice(at, 0, ".=/+-_".charAt(Math.floor(r() * 6)));
  }
  return chars.join("");
}

describe("hostile input", () => {
  it("answers 300 mutated and random tokens with 401, never trapping", async () => {
    const r = rng(7);
    for (let i = 0; i < 300; i++) {
      const base = tokens[i % tokens.length];
      const token =
        i % 5 === 0
          ? [0, 1, 2].map(() => randomBytes(Math.floor(r() * 400)).toString("base64url")).join(".")
          : i % 7 === 0
            ? jws({ alg: ["RS256", "ES256", "HS256"][i % 3], kid: ["r", "e", "h"][i % 3] }, "x".repeat(i), () => randomBytes(i % 300))
            : mutate(base, r);
      const res = await rpc(vm, { jsonrpc: "2.0", id: i, method: "ping" }, { token });
      expect([200, 401]).toContain(res.status);
      if (res.status === 200) expect(token).toBe(base); // only an unchanged token may pass
      expect(vm.trapped).toBe(false);
    }
  });

  it("copes with odd Authorization headers", async () => {
    for (const value of ["", "Bearer", "Bearer ", "bearer  x", "Basic dXNlcjpwYXNz", "Bearer " + "a".repeat(70_000), "Bearer \u00e9\u00e9.\u00e9.\u00e9"]) {
      const res = await rpc(vm, call(1, "echo"), { headers: { authorization: value } });
      expect(res.status).toBe(401);
      expect(vm.trapped).toBe(false);
    }
  });

  it("answers mutated JSON-RPC bodies with a JSON-RPC error or passes them, never trapping", async () => {
    const r = rng(11);
    const base = JSON.stringify([call(1, "echo", { message: "hi", nested: { a: [1, 2, { b: null }] } }), { jsonrpc: "2.0", method: "notifications/initialized" }]);
    for (let i = 0; i < 300; i++) {
      const res = await rpc(vm, mutate(base, r), { headers: { "x-api-key": API_KEY } });
      expect([200, 400]).toContain(res.status);
      if (res.upstream === null) expect(JSON.stringify(JSON.parse(res.body))).toContain("error");
      expect(vm.trapped).toBe(false);
    }
  });
});
