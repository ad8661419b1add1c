// token-ratelimit through a real Envoy when things go wrong: the client
// leaves mid-stream, the upstream cuts the stream, the body is not JSON or is
// huge, the provider omits usage. Each has a defined count, and the VM lives on.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envoy } from "../../harness/envoy.ts";
import type { LlmUpstream } from "../../upstreams/llm.ts";
import { buildFilter, counter, type Counted, startGateway, startLlmUpstream, waitCounted } from "./stack.ts";

let llm: LlmUpstream;
let envoy: Envoy;
let seq = 0;
const nextId = () => `b${process.pid}-${++seq}`;

beforeAll(async () => {
  await buildFilter();
  llm = await startLlmUpstream({ name: "llm" });
  envoy = await startGateway({ limits: [{ name: "k", by: "header", key: "x-api-key", windows: { minute: 10_000_000 } }] }, { llm, name: "token-ratelimit-broken" });
}, 120_000);

afterAll(async () => {
  await envoy?.stop();
  await llm?.close();
});

const chat = (content: string, stream: boolean) => JSON.stringify({ model: "demo-base", stream, stream_options: stream ? { include_usage: true } : undefined, messages: [{ role: "user", content }] });

async function post(id: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(envoy.url("/v1/chat/completions"), { method: "POST", headers: { "content-type": "application/json", "x-api-key": "a", "x-test-id": id, ...headers }, body });
}

/** The gateway still answers a normal request with exact usage. */
async function stillServes(): Promise<void> {
  const id = nextId();
  const res = await post(id, chat("Are you still there?", false));
  expect(res.status).toBe(200);
  const usage = (await res.json()).usage;
  expect(await waitCounted(envoy, id)).toMatchObject({ source: "usage", prompt: usage.prompt_tokens, completion: usage.completion_tokens });
  envoy.assertHealthy();
}

describe("outcomes of broken exchanges", () => {
  it("client abort mid-stream: counts the prompt estimate and the text streamed so far, marked estimated", async () => {
    const before = await counter(envoy, "estimated_requests", "k");
    const id = nextId();
    const ai = new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: { "x-api-key": "a", "x-test-id": id, "x-mock-chunk-delay-ms": "40" } });
    const controller = new AbortController();
    const stream = await ai.chat.completions.create({ model: "demo-base", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Write a long story please." }] }, { signal: controller.signal });
    let chunks = 0;
    try {
      for await (const _ of stream) if (++chunks === 4) controller.abort();
    } catch {
      // the SDK may end the iteration or throw an abort error
    }
    expect(chunks).toBe(4);
    const counted = (await waitCounted(envoy, id)) as Counted;
    expect(counted.source).toBe("estimate");
    expect(counted.prompt).toBeGreaterThanOrEqual(5);
    expect(counted.completion).toBeGreaterThan(0);
    expect(await counter(envoy, "estimated_requests", "k")).toBe(before + 1);
    await stillServes();
  });

  // A JSON body cut by a reset: estimates.test.ts.
  const cuts: [string, boolean, string][] = [["upstream reset mid-stream (after 4 events)", true, "4"]];
  for (const [name, stream, after] of cuts) {
    it(`${name}: counts an estimate from what arrived, never zero`, async () => {
      const id = nextId();
      const res = await post(id, chat("Cut me off.", stream), { "x-mock-cut-after-chunks": after });
      await res.text().catch(() => "");
      const counted = (await waitCounted(envoy, id)) as Counted;
      expect(counted.source).toBe("estimate");
      expect(counted.prompt).toBeGreaterThan(0);
      expect(counted.completion).toBeGreaterThan(0);
      await stillServes();
    });
  }

  it("provider omits usage (JSON and stream): an estimate at least the real count, marked", async () => {
    for (const stream of [false, true]) {
      const id = nextId();
      const res = await post(id, chat("No usage for you.", stream), { "x-mock-omit-usage": "true", "x-mock-completion-tokens": "20" });
      expect(res.status).toBe(200);
      await res.text();
      const counted = (await waitCounted(envoy, id)) as Counted;
      expect(counted.source).toBe("estimate");
      expect(counted.prompt).toBeGreaterThanOrEqual(5);
      expect(counted.completion).toBeGreaterThanOrEqual(20);
    }
    await stillServes();
  });

  it("a body that is not JSON goes on (estimated from its text); the upstream's 400 releases the reservation", async () => {
    const before = await counter(envoy, "unreadable_requests", "k").catch(() => 0);
    const id = nextId();
    const res = await post(id, "this is { not json", {});
    expect(res.status).toBe(400);
    expect(await waitCounted(envoy, id)).toMatchObject({ prompt: 0, completion: 0, source: "failed" });
    expect((await envoy.stat("wasmcustom.token_ratelimit_unreadable_requests")) ?? 0).toBeGreaterThan(before);
    await stillServes();
  });

  it("a huge body is refused with 413 in OpenAI format before anything is counted", async () => {
    const id = nextId();
    const res = await post(id, chat("x".repeat(3 << 20), false));
    expect(res.status).toBe(413);
    const body = await res.text();
    if (body.startsWith("{")) expect(JSON.parse(body).error.code).toBe("body_too_large");
    await stillServes();
  });
});
