// token-ratelimit with hold_request_headers (Envoy's
// allow_on_headers_stop_iteration in envoy/token-ratelimit.yaml): the request
// headers wait for admission, so content-length survives unless the body
// changes, and a denied request never reaches the upstream.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envoy } from "../../harness/envoy.ts";
import type { LlmUpstream, RecordedRequest } from "../../upstreams/llm.ts";
import { buildFilter, type Counted, startGateway, startLlmUpstream, waitCounted } from "./stack.ts";

let llm: LlmUpstream;
let envoy: Envoy;
let seq = 0;
const nextId = () => `h${process.pid}-${++seq}`;

beforeAll(async () => {
  await buildFilter();
  llm = await startLlmUpstream({ name: "llm" });
  envoy = await startGateway(
    { limits: [{ name: "per-key", by: "header", key: "x-api-key", windows: { minute: 100 } }], hold_request_headers: true },
    { llm, name: "token-ratelimit-hold" },
  );
}, 120_000);

afterAll(async () => {
  envoy?.assertHealthy();
  await envoy?.stop();
  await llm?.close();
});

function client(key: string, id: string): OpenAI {
  return new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: { "x-api-key": key, "x-test-id": id } });
}

function received(id: string): RecordedRequest {
  const found = llm.requests().filter((r) => r.headers["x-test-id"] === id);
  expect(found).toHaveLength(1);
  return found[0];
}

describe("hold_request_headers", () => {
  it("keeps content-length on a request it does not change, and counts it exactly", async () => {
    const id = nextId();
    const chat = await client(`keep-${process.pid}`, id).chat.completions.create({ model: "demo-base", messages: [{ role: "user", content: "How do token limits work?" }] });
    const upstream = received(id);
    expect(upstream.headers["transfer-encoding"]).toBeUndefined();
    expect(Number(upstream.headers["content-length"])).toBe(Buffer.byteLength(upstream.body));
    expect(await waitCounted(envoy, id)).toMatchObject({ source: "usage", prompt: chat.usage!.prompt_tokens, completion: chat.usage!.completion_tokens });
  });

  it("adds stream_options to a stream that lacks it and sets content-length to the new body", async () => {
    const id = nextId();
    const stream = await client(`grow-${process.pid}`, id).chat.completions.create({ model: "demo-base", stream: true, messages: [{ role: "user", content: "Stream a short answer." }] });
    let text = "";
    let sawUsage = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) sawUsage = true;
    }
    expect(text.length).toBeGreaterThan(0);
    // The usage chunk the filter asked for is cut from the client's stream.
    expect(sawUsage).toBe(false);
    const upstream = received(id);
    expect(JSON.parse(upstream.body).stream_options).toEqual({ include_usage: true });
    expect(Number(upstream.headers["content-length"])).toBe(Buffer.byteLength(upstream.body));
    expect(((await waitCounted(envoy, id)) as Counted).source).toBe("usage");
  });

  it("denies over budget before the upstream sees anything", async () => {
    const key = `deny-${process.pid}`;
    const ask = (id: string) => client(key, id).chat.completions.create({ model: "demo-base", messages: [{ role: "user", content: "word ".repeat(300) }] });
    await ask(nextId());
    const id = nextId();
    const denied = await ask(id).then(
      () => null,
      (e: { status?: number }) => e,
    );
    expect(denied?.status).toBe(429);
    expect(llm.requests().filter((r) => r.headers["x-test-id"] === id)).toHaveLength(0);
    expect(await waitCounted(envoy, id)).toBe("limited:per-key");
  });
});
