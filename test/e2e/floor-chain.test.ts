// The bench's floor-chain scenario through a real Envoy: four host-floor
// plugins in one VM must make the chain's host calls there, or the floor it
// measures would flatter the filters. The upstream sees what the floors
// changed (headers set and removed, the body written back whole), the
// client gets each floor's response headers, and Envoy logs no error.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../scripts/build.ts";
import { chatBody } from "../../scripts/bench/payloads.ts";
import { benchAuthorization } from "../../scripts/bench/jwt.ts";
import { SCENARIOS } from "../../scripts/bench/scenarios.ts";
import { type Envoy, startEnvoy } from "../harness/envoy.ts";

let upstream: Server;
let envoy: Envoy;
let received: { headers: IncomingHttpHeaders; body: string } | null = null;

beforeAll(async () => {
  await build({ only: "host-floor", quiet: true });
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      res.setHeader("content-type", "application/json");
      res.end('{"usage":{"prompt_tokens":1,"completion_tokens":1}}');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const scenario = SCENARIOS.find((s) => s.name === "floor-chain")!;
  envoy = await startEnvoy({
    config: scenario.config,
    vars: { ...scenario.vars, UPSTREAM_PORT: (upstream.address() as AddressInfo).port },
    wasmForm: scenario.wasmForm,
    concurrency: 1,
    name: "floor-chain",
  });
}, 180_000);

afterAll(async () => {
  await envoy?.stop();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

describe("floor-chain in Envoy", () => {
  it("makes the chain's host calls: headers set and removed, the body written back, each floor's response headers", async () => {
    const body = chatBody(1024, "json");
    const res = await fetch(envoy.url("/v1/chat/completions"), {
      method: "POST",
      headers: { ...benchAuthorization(), "content-type": "application/json", "x-semantic-route": "forged" },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"usage":{"prompt_tokens":1,"completion_tokens":1}}');
    const got = received!;
    expect(got.body).toBe(body);
    expect(got.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    expect(got.headers.authorization).toBeUndefined();
    expect(got.headers["x-mcp-subject"]).toBe("floor");
    expect(got.headers["x-semantic-route"]).toBe("floor");
    expect(got.headers["x-semantic-score"]).toBe("floor");
    // token-ratelimit's floor adds three, semantic-router's two, content-audit's one.
    expect(res.headers.get("x-floor-0")).toBe("1000000000, 1000000000, 1000000000");
    expect(res.headers.get("x-floor-1")).toBe("1000000000, 1000000000");
    expect(res.headers.get("x-floor-2")).toBe("1000000000");
    envoy.assertHealthy();
  });
});
