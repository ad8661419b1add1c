// token-ratelimit through a real Envoy, embedded (shared-data) mode: the
// official openai client, exact counts for every request, budgets under 64
// concurrent requests on one and two workers, and the outcomes of broken
// streams and bodies.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envoy } from "../../harness/envoy.ts";
import { settled } from "../../harness/eventually.ts";
import { countTokens, type LlmUpstream } from "../../upstreams/llm.ts";
import { buildFilter, counter, type Counted, startGateway, startLlmUpstream, waitCounted } from "./stack.ts";

let llm: LlmUpstream;
let envoy: Envoy;
let seq = 0;
const nextId = () => `t${process.pid}-${++seq}`;

const CONFIG = {
  limits: [
    { name: "per-key", by: "header", key: "x-api-key", windows: { minute: 1_000_000, day: 10_000_000 } },
    { name: "per-model", by: "model", windows: { hour: 100_000_000 } },
  ],
  completion_reserve: 64,
};

beforeAll(async () => {
  await buildFilter();
  llm = await startLlmUpstream({ name: "llm" });
  envoy = await startGateway(CONFIG, { llm });
}, 120_000);

afterAll(async () => {
  envoy?.assertHealthy();
  await envoy?.stop();
  await llm?.close();
});

function client(key: string, id: string, extra: Record<string, string> = {}): OpenAI {
  return new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: { "x-api-key": key, "x-test-id": id, ...extra } });
}

describe("counts exactly what the upstream reports, for every request", () => {
  it("chat, chat streamed (with and without include_usage), responses, responses streamed, anthropic messages", async () => {
    const key = `exact-${process.pid}`;
    const expected: [string, number, number][] = [];

    let id = nextId();
    const chat = await client(key, id).chat.completions.create({ model: "demo-base", messages: [{ role: "system", content: "Be terse." }, { role: "user", content: "How do token limits work?" }] });
    expected.push([id, chat.usage!.prompt_tokens, chat.usage!.completion_tokens]);

    id = nextId();
    const stream = await client(key, id).chat.completions.create({ model: "demo-reasoning", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "请解释令牌限流。" }] });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) if (c.usage) usage = c.usage;
    expected.push([id, usage!.prompt_tokens, usage!.completion_tokens]);

    // The client does not ask for usage: the filter does, counts it, and the client sees no usage chunk.
    id = nextId();
    const bare = await client(key, id).chat.completions.create({ model: "demo-base", stream: true, messages: [{ role: "user", content: "Count me without asking." }] });
    let text = "";
    let sawUsage = false;
    for await (const c of bare) {
      text += c.choices[0]?.delta?.content ?? "";
      if (c.usage) sawUsage = true;
    }
    expect(sawUsage).toBe(false);
    expected.push([id, countTokens("Count me without asking."), countTokens(text)]);

    id = nextId();
    const resp = await client(key, id).responses.create({ model: "demo-base", instructions: "Answer briefly.", input: "What is a window?" });
    expected.push([id, resp.usage!.input_tokens, resp.usage!.output_tokens]);

    id = nextId();
    const rstream = await client(key, id).responses.create({ model: "demo-base", input: "Stream a response.", stream: true });
    let completed: OpenAI.Responses.Response | undefined;
    for await (const ev of rstream) if (ev.type === "response.completed") completed = ev.response;
    expected.push([id, completed!.usage!.input_tokens, completed!.usage!.output_tokens]);

    for (const stream of [false, true]) {
      id = nextId();
      const res = await fetch(envoy.url("/v1/messages"), {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": key, "x-test-id": id, "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "demo-base", max_tokens: 200, stream, system: "Be kind.", messages: [{ role: "user", content: "Hello Claude, count this." }] }),
      });
      const body = await res.text();
      if (!stream) {
        const u = JSON.parse(body).usage;
        expected.push([id, u.input_tokens, u.output_tokens]);
      } else {
        const events = body.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
        const input = events.find((e) => e.type === "message_start").message.usage.input_tokens;
        const output = events.find((e) => e.type === "message_delta").usage.output_tokens;
        expected.push([id, input, output]);
      }
    }

    let prompt = 0;
    let completion = 0;
    for (const [tid, p, c] of expected) {
      const counted = (await waitCounted(envoy, tid)) as Counted;
      expect(counted, tid).toMatchObject({ source: "usage", prompt: p, completion: c });
      prompt += p;
      completion += c;
    }
    // Metrics per limit: this key's budget saw exactly these requests.
    expect(await counter(envoy, "prompt_tokens", "per-key")).toBeGreaterThanOrEqual(prompt);
    const prom = await envoy.prometheus();
    expect(prom).toMatch(/token_ratelimit_prompt_tokens\{limit="per-key"\} \d+/);
  });
});

describe("64 concurrent requests against one budget", () => {
  for (const concurrency of [1, 2]) {
    it(`admit at most budget + one request's tokens (Envoy --concurrency ${concurrency})`, async () => {
      const budget = 1500;
      const gw = await startGateway({ limits: [{ name: "burst", by: "header", key: "x-api-key", windows: { day: budget } }], completion_reserve: 64 }, { llm, concurrency, name: `token-ratelimit-c${concurrency}` });
      try {
        // The upstream holds each answer 300 ms: all 64 are in flight before any is settled.
        const ai = new OpenAI({ baseURL: gw.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: { "x-api-key": `burst-${process.pid}`, "x-mock-delay-ms": "300" } });
        const body = { model: "demo-base", messages: [{ role: "user" as const, content: "Tell me about concurrency and budgets." }] };
        const results = await Promise.allSettled(Array.from({ length: 64 }, () => ai.chat.completions.create(body)));
        const ok = results.filter((r): r is PromiseFulfilledResult<OpenAI.ChatCompletion> => r.status === "fulfilled").map((r) => r.value);
        const limited = results.filter((r) => r.status === "rejected" && (r.reason as { status?: number }).status === 429);
        expect(ok.length + limited.length).toBe(64);
        expect(ok.length).toBeGreaterThan(0);
        expect(limited.length).toBeGreaterThan(0);
        const used = ok.reduce((n, c) => n + c.usage!.total_tokens, 0);
        const oneRequest = Math.max(...ok.map((c) => c.usage!.total_tokens));
        expect(used).toBeLessThanOrEqual(budget + oneRequest);
        // Envoy's counters agree: exactly the admitted requests' usage, whichever worker served them.
        const counted = await settled(async () => (await counter(gw, "prompt_tokens", "burst")) + (await counter(gw, "completion_tokens", "burst")), used);
        expect(counted).toBe(used);
        expect(await settled(() => counter(gw, "limited_requests", "burst"), limited.length)).toBe(limited.length);
        gw.assertHealthy();
      } finally {
        await gw.stop();
      }
    }, 60_000);
  }
});
