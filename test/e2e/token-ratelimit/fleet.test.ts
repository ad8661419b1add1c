// Fleet mode: two Envoys count one budget through envoyproxy/ratelimit on
// Redis (built from its Go module, Redis from Debian), all started here.
// Envoy A fails closed, Envoy B fails open: killing the service mid-test
// shows both outcomes.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Service, startRatelimit, startRedis } from "../../../scripts/ratelimit-service/processes.ts";
import { serviceConfigYaml } from "../../../scripts/ratelimit-service/service-config.ts";
import type { Envoy } from "../../harness/envoy.ts";
import type { LlmUpstream } from "../../upstreams/llm.ts";
import { buildFilter, counter, startGateway, startLlmUpstream } from "./stack.ts";

const BUDGET = 600;
const limits = [{ name: "fleet", by: "header", key: "x-api-key", windows: { hour: BUDGET } }];
const service = (failure_mode: string) => ({ cluster: "ratelimit", domain: "llm-tokens", timeout_ms: 1000, failure_mode });

let llm: LlmUpstream;
let redis: Service;
let ratelimit: Service;
let a: Envoy;
let b: Envoy;

beforeAll(async () => {
  await buildFilter();
  llm = await startLlmUpstream({ name: "llm" });
  redis = await startRedis();
  ratelimit = await startRatelimit({ redisPort: redis.port, configYaml: serviceConfigYaml("llm-tokens", { limits }), name: "fleet" });
  a = await startGateway({ limits, completion_reserve: 32, ratelimit_service: service("deny") }, { llm, ratelimitPort: ratelimit.port, name: "token-ratelimit-fleet-a" });
  b = await startGateway({ limits, completion_reserve: 32, ratelimit_service: service("allow") }, { llm, ratelimitPort: ratelimit.port, name: "token-ratelimit-fleet-b", concurrency: 2 });
}, 180_000);

afterAll(async () => {
  a?.assertHealthy();
  b?.assertHealthy();
  await a?.stop();
  await b?.stop();
  await ratelimit?.stop();
  await redis?.stop();
  await llm?.close();
});

const ask = (envoy: Envoy, key: string) =>
  new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: { "x-api-key": key } })
    .chat.completions.create({ model: "demo-base", messages: [{ role: "user", content: "Share a budget across the fleet." }] })
    .withResponse();

describe("fleet mode: envoyproxy/ratelimit + Redis", () => {
  it("two Envoys draw from one budget; each reports the service's limit and remaining", async () => {
    const key = `fleet-${process.pid}`;
    let used = 0;
    let admitted = 0;
    let denial: unknown = null;
    for (let i = 0; i < 60 && denial === null; i++) {
      try {
        const { data, response } = await ask(i % 2 === 0 ? a : b, key);
        used += data.usage!.total_tokens;
        admitted++;
        expect(response.headers.get("x-ratelimit-limit-tokens")).toBe(String(BUDGET));
        expect(Number(response.headers.get("x-ratelimit-remaining-tokens"))).toBeLessThan(BUDGET);
      } catch (e) {
        denial = e;
      }
    }
    expect(admitted).toBeGreaterThan(2);
    const err = denial as { status: number; headers: Headers; error: { code: string } };
    expect(err.status).toBe(429);
    expect(err.error.code).toBe("rate_limited");
    expect(err.headers.get("x-ratelimit-remaining-tokens")).toBe("0");
    expect(Number(err.headers.get("retry-after"))).toBeGreaterThan(0);
    // The reservation must fit the remaining budget (the service's rule): no overshoot at all.
    expect(used).toBeLessThanOrEqual(BUDGET);
    // Both Envoys now refuse this key; another key still has its own budget.
    await expect(ask(a, key)).rejects.toMatchObject({ status: 429 });
    await expect(ask(b, key)).rejects.toMatchObject({ status: 429 });
    const other = await ask(b, `${key}-other`);
    expect(other.response.status).toBe(200);
    expect((await counter(a, "admitted_requests", "fleet")) + (await counter(b, "admitted_requests", "fleet"))).toBe(admitted + 1);
  });

  it("with the service gone: Envoy A (failure_mode deny) answers 503, Envoy B (allow) forwards", async () => {
    await ratelimit.kill();
    const closed = await ask(a, `down-${process.pid}`).catch((e) => e as { status: number; error: { code: string } });
    expect(closed).toMatchObject({ status: 503, error: { code: "rate_limit_service_unavailable" } });
    const open = await ask(b, `down-${process.pid}`);
    expect(open.response.status).toBe(200);
    expect(await a.stat("wasmcustom.token_ratelimit_service_errors")).toBeGreaterThan(0);
    expect(await b.stat("wasmcustom.token_ratelimit_service_errors")).toBeGreaterThan(0);
  });
});
