// token-ratelimit through a real Envoy where it cannot take the upstream's
// word: the prompt reservation for the shapes the old estimator missed
// against the count OpenAI's own encodings give (gpt-tokenizer), usage
// figures out of range (i64 overflow, negative, fractional, strings), and a
// JSON response cut by an upstream reset.
import { encodeChat as gpt4Chat } from "gpt-tokenizer/model/gpt-4";
import { encodeChat as gpt4oChat } from "gpt-tokenizer/model/gpt-4o";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envoy } from "../../harness/envoy.ts";
import type { LlmUpstream } from "../../upstreams/llm.ts";
import { buildFilter, counter, type Counted, openAiClient, startGateway, startLlmUpstream, waitCounted } from "./stack.ts";

let llm: LlmUpstream;
let envoy: Envoy;
let seq = 0;
const nextId = () => `e${process.pid}-${++seq}`;
const LIMIT = 10_000_000;

beforeAll(async () => {
  await buildFilter();
  llm = await startLlmUpstream({ name: "llm" });
  envoy = await startGateway({ limits: [{ name: "k", by: "header", key: "x-api-key", windows: { minute: LIMIT } }], completion_reserve: 0 }, { llm, name: "token-ratelimit-estimates" });
}, 300_000);

afterAll(async () => {
  envoy?.assertHealthy();
  await envoy?.stop();
  await llm?.close();
});

describe("the reservation covers what OpenAI's encodings count", () => {
  // Shapes the old estimator counted low: 4,000 newlines were 0 tokens to it and are 250 under o200k_base.
  const shapes: [string, string][] = [
    ["4000 newlines", "\n".repeat(4000)],
    ["space-separated numbers", Array.from({ length: 300 }, (_, i) => String((i * 7919) % 1000)).join(" ")],
    ["a markdown table", Array.from({ length: 40 }, (_, i) => `| ${i} | ${(i * 3.25).toFixed(2)} | ${i % 7} |`).join("\n")],
    ["base64", Buffer.from(Array.from({ length: 900 }, (_, i) => (i * 131 + 7) % 256)).toString("base64")],
    ["emoji with ZWJ sequences and flags", "👨‍👩‍👧‍👦 🏳️‍🌈 🇯🇵🇺🇦 👍🏽 ".repeat(25)],
    ["Chinese", "大型语言模型按令牌计费，而不是按请求计费。".repeat(20)],
    ["Russian", "Большие языковые модели считают токены, а не запросы. ".repeat(20)],
    ["Hindi", "भारत की राजधानी नई दिल्ली है और यह एक बड़ा शहर है। ".repeat(20)],
  ];
  for (const [model, encodeChat] of [["gpt-4o", gpt4oChat], ["gpt-4", gpt4Chat]] as const) {
    it(`${model}: the reservation is at least the prompt's tokens for each shape`, async () => {
      for (const [name, text] of shapes) {
        const id = nextId();
        const messages = [{ role: "user" as const, content: text }];
        const real = encodeChat(messages).length;
        const res = await openAiClient(envoy, "shapes", id).chat.completions.create({ model, messages, max_tokens: 4 });
        const counted = (await waitCounted(envoy, id)) as Counted;
        expect([name, counted.reserved >= real]).toEqual([name, true]);
        expect(res.usage).toBeDefined();
      }
    });
  }
});

async function postChat(id: string, headers: Record<string, string>, stream: boolean): Promise<Response> {
  const body = JSON.stringify({ model: "gpt-4o", stream, ...(stream ? { stream_options: { include_usage: true } } : {}), max_tokens: 50, messages: [{ role: "user", content: "How is usage checked?" }] });
  return fetch(envoy.url("/v1/chat/completions"), { method: "POST", headers: { "content-type": "application/json", "x-api-key": headers["x-api-key"] ?? "u", "x-test-id": id, ...headers }, body });
}

async function postMessages(id: string, headers: Record<string, string>, stream: boolean): Promise<Response> {
  const body = JSON.stringify({ model: "claude-sonnet-4-5", stream, max_tokens: 50, messages: [{ role: "user", content: "How is usage checked?" }] });
  return fetch(envoy.url("/v1/messages"), { method: "POST", headers: { "content-type": "application/json", "x-test-id": id, ...headers }, body });
}

describe("usage figures out of range count the estimate, marked, and never reset the window", () => {
  const bad: [string, string, string][] = [
    ["prompt i64 max + completion 1000", "9223372036854775807", "1000"],
    ["a negative completion", "12", "-4000"],
    ["a fractional prompt", "12.5", "3"],
    ["a string", '"12"', "3"],
    ["past 100 million", "100000001", "3"],
  ];
  const senders: [string, typeof postChat, boolean][] = [
    ["chat JSON", postChat, false],
    ["chat stream", postChat, true],
    ["Anthropic messages stream", postMessages, true],
  ];
  for (const [format, send, stream] of senders) {
    it(format, async () => {
      for (const [label, prompt, completion] of bad) {
        const key = `bad-${format}-${label}`.replace(/[^a-z0-9-]/gi, "_");
        const before = await counter(envoy, "estimated_requests", "k");
        const rejected = (await envoy.stat("wasmcustom.token_ratelimit_rejected_usage")) ?? 0;
        const id = nextId();
        const res = await send(id, { "x-api-key": key, "x-mock-usage-prompt": prompt, "x-mock-usage-completion": completion }, stream);
        expect(res.status).toBe(200);
        await res.text();
        const counted = (await waitCounted(envoy, id)) as Counted;
        expect([label, counted.source]).toEqual([label, "estimate"]);
        expect(counted.prompt).toBeGreaterThan(0);
        expect(counted.prompt).toBeLessThan(100);
        expect(counted.completion).toBeGreaterThanOrEqual(0);
        expect(counted.completion).toBeLessThan(200);
        expect(await counter(envoy, "estimated_requests", "k")).toBe(before + 1);
        expect((await envoy.stat("wasmcustom.token_ratelimit_rejected_usage")) ?? 0).toBe(rejected + 1);
        // The same key's next request sees the estimate in its window, not a fresh budget.
        const next = await send(nextId(), { "x-api-key": key }, stream);
        await next.text();
        expect([label, Number(next.headers.get("x-ratelimit-remaining-tokens")) <= LIMIT - counted.prompt - counted.completion]).toEqual([label, true]);
      }
      envoy.assertHealthy();
    });
  }
});

describe("a JSON response cut by an upstream reset", () => {
  it("counts the generated text that arrived, estimated and marked; nothing of the JSON around it", async () => {
    const reply = "Partial answers still cost tokens, but only the text that arrived is counted here.";
    const headers = { "x-mock-reply": encodeURIComponent(reply) };
    // The demo upstream answers the same request with the same bytes: find where the text starts.
    const direct = await fetch(`${llm.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ model: "gpt-4o", max_tokens: 50, messages: [{ role: "user", content: "How is usage checked?" }] }) });
    const full = await direct.text();
    const textStart = Buffer.byteLength(full.slice(0, full.indexOf(JSON.stringify(reply)) + 1));
    expect(textStart).toBeGreaterThan(20);

    const counts: Counted[] = [];
    for (const cut of [textStart - 3, textStart + 30]) {
      const before = await counter(envoy, "estimated_requests", "k");
      const id = nextId();
      const res = await postChat(id, { ...headers, "x-api-key": "cut", "x-mock-cut-after-chunks": String(cut) }, false);
      await res.text().catch(() => "");
      const counted = (await waitCounted(envoy, id)) as Counted;
      expect(counted.source).toBe("estimate");
      expect(counted.prompt).toBeGreaterThan(0);
      expect(await counter(envoy, "estimated_requests", "k")).toBe(before + 1);
      counts.push(counted);
    }
    const whole = (await waitCounted(envoy, await (async () => {
      const id = nextId();
      await (await postChat(id, { ...headers, "x-api-key": "cut", "x-mock-omit-usage": "true" }, false)).text();
      return id;
    })())) as Counted;
    // Cut before the text: nothing generated arrived (bytes / 4 of the JSON head would count its framing).
    expect(counts[0].completion).toBe(0);
    // Cut inside the text: some of it, less than all of it.
    expect(counts[1].completion).toBeGreaterThan(0);
    expect(counts[1].completion).toBeLessThan(whole.completion);
    envoy.assertHealthy();
  });
});
