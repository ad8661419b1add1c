// Fleet mode: two Envoys count one budget through envoyproxy/ratelimit on
// Redis (built from its Go module, Redis from Debian), all started here.
// Envoy A fails closed, Envoy B fails open: killing the service mid-test
// shows both outcomes.
import OpenAI from "openai";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Service, startRatelimit, startRedis } from "../../../scripts/ratelimit-service/processes.ts";
import { serviceConfigYaml } from "../../../scripts/ratelimit-service/service-config.ts";
import type { Envoy } from "../../harness/envoy.ts";
import { settled } from "../../harness/eventually.ts";
import { countTokens, type LlmUpstream } from "../../upstreams/llm.ts";
import { buildFilter, counter, type Counted, startGateway, startLlmUpstream, waitCounted } from "./stack.ts";

const BUDGET = 600;
const USAGE_BUDGET = 10_000_000;
const limits = [
  { name: "fleet", by: "header", key: "x-api-key", windows: { hour: BUDGET } },
  // Never reached: the fleet's counter of what was used.
  { name: "usage", by: "header", key: "x-usage-key", windows: { day: USAGE_BUDGET } },
];
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
  // completion_reserve is not taken in fleet mode (the service could not give it back).
  a = await startGateway({ limits, completion_reserve: 256, ratelimit_service: service("deny") }, { llm, ratelimitPort: ratelimit.port, name: "token-ratelimit-fleet-a" });
  b = await startGateway({ limits, completion_reserve: 256, ratelimit_service: service("allow") }, { llm, ratelimitPort: ratelimit.port, name: "token-ratelimit-fleet-b", concurrency: 2 });
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
    let largest = 0;
    let admitted = 0;
    let denial: unknown = null;
    for (let i = 0; i < 60 && denial === null; i++) {
      try {
        const { data, response } = await ask(i % 2 === 0 ? a : b, key);
        used += data.usage!.total_tokens;
        largest = Math.max(largest, data.usage!.total_tokens);
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
    // The prompt estimate must fit what is left (the service's rule); the completion comes on top:
    // one request at a time overshoots by at most one request.
    expect(used).toBeLessThanOrEqual(BUDGET + largest);
    // Both Envoys now refuse this key; another key still has its own budget.
    await expect(ask(a, key)).rejects.toMatchObject({ status: 429 });
    await expect(ask(b, key)).rejects.toMatchObject({ status: 429 });
    const other = await ask(b, `${key}-other`);
    expect(other.response.status).toBe(200);
    expect((await counter(a, "admitted_requests", "fleet")) + (await counter(b, "admitted_requests", "fleet"))).toBe(admitted + 1);
  });

  it("the fleet's counter is what was used, within the estimator's error: admission takes the prompt estimate, settlement adds the rest", async () => {
    const key = `usage-${process.pid}`;
    let actual = 0;
    let tolerance = 0;
    let fromStates = 0;
    for (let i = 0; i < 24; i++) {
      const envoy = i % 2 === 0 ? a : b;
      const id = `${key}-${i}`;
      // Half the answers are 3 tokens, shorter than any completion allowance: a reservation that
      // included one would be over what was used, and the service could not give it back.
      const headers: Record<string, string> = { "x-usage-key": key, "x-test-id": id, ...(i % 2 === 1 ? { "x-mock-completion-tokens": "3" } : {}) };
      const ai = new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: headers });
      const content = `Question ${i}: ${"what did the fleet use? ".repeat(1 + (i % 3))}`;
      let usage: { prompt_tokens: number; completion_tokens: number };
      if (i % 3 === 2) {
        // A stream without include_usage: the filter asks for it.
        const stream = await ai.chat.completions.create({ model: "demo-base", stream: true, messages: [{ role: "user", content }] });
        let text = "";
        for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
        usage = { prompt_tokens: countTokens(content), completion_tokens: countTokens(text) };
      } else {
        const c = await ai.chat.completions.create({ model: i % 3 === 0 ? "demo-base" : "demo-reasoning", max_tokens: 400, messages: [{ role: "user", content }] });
        usage = c.usage!;
      }
      const used = usage.prompt_tokens + usage.completion_tokens;
      const counted = (await waitCounted(envoy, id)) as Counted;
      expect(counted).toMatchObject({ source: "usage", prompt: usage.prompt_tokens, completion: usage.completion_tokens });
      actual += used;
      // The estimator stays within 2.5x of this tokenizer, plus 6 for the message and reply framing.
      tolerance += Math.ceil(1.5 * usage.prompt_tokens) + 6;
      // What went in: the reservation (the prompt estimate) at admission, the usage beyond it at settlement.
      fromStates += Math.max(counted.reserved, used);
    }
    // Settlements are calls of their own: the last ones may land after the client's answer.
    const fromService = await settled(() => fleetCounter("usage_day", key), fromStates);
    expect(redisCounter(`usage_day_${key}_`)).toBe(fromService);
    expect(fromService).toBe(fromStates);
    if (process.env.BOUND_FIGURES) console.log({ fromService, actual, tolerance, fromStates });
    expect(fromService).toBeGreaterThanOrEqual(actual);
    expect(fromService - actual).toBeLessThanOrEqual(tolerance);
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

/** The service's count for one descriptor, asked without adding to it (per-descriptor hits_addend 0). */
async function fleetCounter(descriptorKey: string, value: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${ratelimit.port}/json`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ domain: "llm-tokens", descriptors: [{ entries: [{ key: descriptorKey, value }], hits_addend: 0 }] }),
  });
  const body = (await res.json()) as { statuses: { currentLimit: { requestsPerUnit: number }; limitRemaining?: number }[] };
  const s = body.statuses[0];
  return s.currentLimit.requestsPerUnit - (s.limitRemaining ?? 0);
}

/** The same count read from Redis: the key of the current window of `prefix` (domain_descriptor_value_windowstart). */
function redisCounter(prefix: string): number {
  const cli = (...args: string[]) => execFileSync("redis-cli", ["-p", String(redis.port), ...args], { encoding: "utf8" }).trim();
  const keys = cli("--scan", "--pattern", `llm-tokens_${prefix}*`).split("\n").filter(Boolean);
  expect(keys).toHaveLength(1);
  return Number(cli("GET", keys[0]));
}
