// token-ratelimit through a real Envoy (two workers) with the request and
// response shapes a reservation or a settlement must not miss: n choices,
// output schemas outside the messages, an Anthropic stream that ends on an
// error event, a client that accepts gzip from a provider that compresses,
// and a client IP header sent as several lines.
import { request } from "node:http";
import { encode as o200k } from "gpt-tokenizer/encoding/o200k_base";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envoy } from "../../harness/envoy.ts";
import { settled } from "../../harness/eventually.ts";
import { countTokens, type LlmUpstream } from "../../upstreams/llm.ts";
import { buildFilter, type Counted, counter, startGateway, startLlmUpstream, waitCounted } from "./stack.ts";

let llm: LlmUpstream;
let envoy: Envoy;
let seq = 0;
const nextId = () => `shapes-${process.pid}-${++seq}`;
const CHOICES_BUDGET = 3000;

beforeAll(async () => {
  await buildFilter();
  llm = await startLlmUpstream({ name: "llm" });
  const config = {
    client_ip_header: "x-client-chain",
    limits: [
      { name: "choices", by: "header", key: "x-choices-key", windows: { day: CHOICES_BUDGET } },
      { name: "per-key", by: "header", key: "x-api-key", windows: { day: 100_000_000 } },
      // Applies only to requests that carry x-client-chain.
      { name: "per-client", by: "ip", windows: { day: 1 } },
    ],
    completion_reserve: 64,
  };
  envoy = await startGateway(config, { llm, concurrency: 2, name: "token-ratelimit-shapes" });
}, 120_000);

afterAll(async () => {
  envoy?.assertHealthy();
  await envoy?.stop();
  await llm?.close();
});

describe("n > 1: the cap is per choice", () => {
  it("24 concurrent requests for 4 choices each stay within the budget + one request (Envoy --concurrency 2)", async () => {
    // Each answer is held 300 ms: all 24 are in flight before any settles.
    const ai = new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: { "x-choices-key": `n-${process.pid}`, "x-mock-delay-ms": "300", "x-mock-completion-tokens": "40" } });
    const body = { model: "demo-base", n: 4, max_tokens: 40, messages: [{ role: "user" as const, content: "Give me four options." }] };
    const results = await Promise.allSettled(Array.from({ length: 24 }, () => ai.chat.completions.create(body)));
    const ok = results.filter((r): r is PromiseFulfilledResult<OpenAI.ChatCompletion> => r.status === "fulfilled").map((r) => r.value);
    const limited = results.filter((r) => r.status === "rejected" && (r.reason as { status?: number }).status === 429);
    expect(ok.length + limited.length).toBe(24);
    expect(ok[0].choices.length).toBe(4);
    expect(ok[0].usage!.completion_tokens).toBe(160);
    const used = ok.reduce((n, c) => n + c.usage!.total_tokens, 0);
    const oneRequest = Math.max(...ok.map((c) => c.usage!.total_tokens));
    expect(used).toBeLessThanOrEqual(CHOICES_BUDGET + oneRequest);
    const counted = await settled(async () => (await counter(envoy, "prompt_tokens", "choices")) + (await counter(envoy, "completion_tokens", "choices")), used);
    expect(counted).toBe(used);
  }, 60_000);
});

describe("prompt parts outside the messages", () => {
  it("an output schema (response_format) is reserved: at least its o200k_base tokens", async () => {
    const schema = {
      type: "object",
      properties: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`answer_${i}`, { type: "string", description: `The answer to question ${i}, in the customer's words.` }])),
    };
    const id = nextId();
    const ai = new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: { "x-api-key": `schema-${process.pid}`, "x-test-id": id } });
    await ai.chat.completions.create({ model: "gpt-4o", max_tokens: 10, response_format: { type: "json_schema", json_schema: { name: "answers", schema } }, messages: [{ role: "user", content: "Fill it in." }] });
    const counted = (await waitCounted(envoy, id)) as Counted;
    expect(counted.reserved).toBeGreaterThanOrEqual(o200k(JSON.stringify(schema)).length);
  });
});

describe("an Anthropic stream that ends on an error event (after message_start, before message_delta)", () => {
  it("counts the text that arrived, estimated and marked, not message_start's output count", async () => {
    const id = nextId();
    const res = await fetch(envoy.url("/v1/messages"), {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": `anthropic-${process.pid}`, "x-test-id": id, "x-mock-completion-tokens": "200", "x-mock-error-after-chunks": "120" },
      body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 1024, stream: true, messages: [{ role: "user", content: "Write at length." }] }),
    });
    const events = (await res.text()).split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
    expect(events.at(-1).type).toBe("error");
    const text = events.filter((e) => e.type === "content_block_delta").map((e) => e.delta.text).join("");
    const counted = (await waitCounted(envoy, id)) as Counted;
    expect(counted.source).toBe("estimate");
    expect(counted.prompt).toBe(events[0].message.usage.input_tokens);
    expect(counted.completion).toBeGreaterThanOrEqual(countTokens(text));
  });
});

describe("a client that accepts gzip, a provider that compresses when asked", () => {
  for (const stream of [false, true]) {
    it(`is counted exactly from the usage (${stream ? "stream" : "JSON"})`, async () => {
      const id = nextId();
      const res = await fetch(envoy.url("/v1/chat/completions"), {
        method: "POST",
        headers: { "content-type": "application/json", "accept-encoding": "gzip", "x-mock-gzip": "true", "x-api-key": `gzip-${process.pid}`, "x-test-id": id },
        body: JSON.stringify({ model: "demo-base", stream, stream_options: stream ? { include_usage: true } : undefined, messages: [{ role: "user", content: "Compress me." }] }),
      });
      const body = await res.text();
      const usage = stream ? body.split("\n").filter((l) => l.startsWith("data: {")).map((l) => JSON.parse(l.slice(6))).find((e) => e.usage)!.usage : JSON.parse(body).usage;
      expect((await waitCounted(envoy, id)) as Counted).toMatchObject({ source: "usage", prompt: usage.prompt_tokens, completion: usage.completion_tokens });
    });
  }
});

describe("client_ip_header sent as several lines", () => {
  it("keys on the last entry of the last line (the trusted proxy's), whatever the client writes first", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const body = JSON.stringify({ model: "demo-base", messages: [{ role: "user", content: "hi" }] });
          const url = new URL(envoy.url("/v1/chat/completions"));
          // Raw header lines: the client's own x-client-chain first, then the one a proxy appended.
          const headers = ["host", url.host, "content-type", "application/json", "content-length", String(Buffer.byteLength(body)), "x-client-chain", `198.51.100.${i}`, "x-client-chain", `10.9.8.7, 203.0.113.${process.pid % 250}`];
          const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          });
          req.on("error", reject);
          req.end(body);
        }),
      );
    }
    // One client, one budget of 1 token: the first is admitted, the next two are limited.
    expect(statuses).toEqual([200, 429, 429]);
  });
});
