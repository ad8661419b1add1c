// The mock LLM's OpenAI chat endpoint, models, recording and identity, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countTokens, type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";
import { parseSse, post } from "./http.ts";

let llm: LlmUpstream;
beforeAll(async () => {
  llm = await startLlmUpstream({ name: "unit-llm" });
});
afterAll(() => llm.close());

const messages = [
  { role: "system", content: "You are terse." },
  { role: "user", content: [{ type: "text", text: "Where do I start?" }, { type: "image_url", image_url: { url: "data:," } }] },
  { role: "assistant", content: "With the logs." },
  { role: "user", content: "Which logs, 具体一点?" },
];
const PROMPT_TOKENS = ["You are terse.", "Where do I start?", "With the logs.", "Which logs, 具体一点?"].reduce((n, t) => n + countTokens(t), 0);

describe("POST /v1/chat/completions", () => {
  it("answers in the OpenAI format with exact usage", async () => {
    const r = await post(llm.url, "/v1/chat/completions", { model: "demo-base", messages });
    expect(r.status).toBe(200);
    expect(r.headers["x-upstream-name"]).toBe("unit-llm");
    const body = JSON.parse(r.text);
    expect(body.object).toBe("chat.completion");
    expect(body.id).toMatch(/^chatcmpl-[0-9a-f]{24}$/);
    expect(body.model).toBe("demo-base");
    const content: string = body.choices[0].message.content;
    expect(content).toContain("Which logs");
    expect(body.choices[0].finish_reason).toBe("stop");
    expect(body.usage).toEqual({
      prompt_tokens: PROMPT_TOKENS,
      completion_tokens: countTokens(content),
      total_tokens: PROMPT_TOKENS + countTokens(content),
    });
  });

  it("gives the same bytes for the same request, different ones for another", async () => {
    const req = { model: "demo-base", messages };
    const a = await post(llm.url, "/v1/chat/completions", req);
    const b = await post(llm.url, "/v1/chat/completions", req);
    expect(b.text).toBe(a.text);
    const c = await post(llm.url, "/v1/chat/completions", { ...req, temperature: 0.5 });
    expect(JSON.parse(c.text).id).not.toBe(JSON.parse(a.text).id);
  });

  it("streams one token per chunk, a finish chunk, the usage chunk and [DONE]", async () => {
    const plain = JSON.parse((await post(llm.url, "/v1/chat/completions", { model: "demo-base", messages })).text);
    const r = await post(llm.url, "/v1/chat/completions", { model: "demo-base", messages, stream: true, stream_options: { include_usage: true } });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/event-stream/);
    const events = parseSse(r.text);
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
    const deltas = chunks.slice(1).filter((c) => c.choices[0]?.delta?.content !== undefined);
    const text = deltas.map((c) => c.choices[0].delta.content).join("");
    expect(text).toBe(plain.choices[0].message.content);
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish.choices[0].finish_reason).toBe("stop");
    const last = chunks.at(-1);
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(plain.usage);
    expect(deltas.length).toBe(last.usage.completion_tokens);
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it("sends no usage chunk unless stream_options.include_usage", async () => {
    const r = await post(llm.url, "/v1/chat/completions", { model: "demo-base", messages, stream: true });
    const chunks = parseSse(r.text).slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks.every((c) => !("usage" in c) && c.choices.length === 1)).toBe(true);
  });

  it("caps the answer at max_tokens / max_completion_tokens with finish_reason length", async () => {
    for (const field of ["max_tokens", "max_completion_tokens"]) {
      const body = JSON.parse((await post(llm.url, "/v1/chat/completions", { model: "demo-reasoning", messages, [field]: 5 })).text);
      expect(body.choices[0].finish_reason).toBe("length");
      expect(body.usage.completion_tokens).toBe(5);
      expect(countTokens(body.choices[0].message.content)).toBe(5);
    }
  });

  it("answers n choices, each the answer, completion_tokens their sum (JSON and stream)", async () => {
    const body = JSON.parse((await post(llm.url, "/v1/chat/completions", { model: "demo-base", messages, n: 3, max_tokens: 4 })).text);
    expect(body.choices.map((c: { index: number }) => c.index)).toEqual([0, 1, 2]);
    expect(body.usage.completion_tokens).toBe(12);
    const chunks = parseSse((await post(llm.url, "/v1/chat/completions", { model: "demo-base", messages, n: 3, max_tokens: 4, stream: true, stream_options: { include_usage: true } })).text)
      .slice(0, -1)
      .map((e) => JSON.parse(e.data));
    const text = [0, 1, 2].map((i) => chunks.flatMap((c) => c.choices).filter((c) => c.index === i).map((c) => c.delta.content ?? "").join(""));
    expect(text[1]).toBe(text[0]);
    expect(countTokens(text[2])).toBe(4);
    expect(chunks.at(-1).usage.completion_tokens).toBe(12);
    expect((await post(llm.url, "/v1/chat/completions", { model: "demo-base", messages, n: 0 })).status).toBe(400);
  });

  it("rejects bad requests with OpenAI error bodies", async () => {
    const cases: [unknown, string][] = [
      ["{not json", "not valid JSON"],
      ["[1,2]", "JSON object"],
      [{ messages }, "model"],
      [{ model: "demo-base" }, "messages"],
      [{ model: "demo-base", messages: [] }, "messages"],
      [{ model: "demo-base", messages: ["hi"] }, "messages[0]"],
      [{ model: "demo-base", messages: [{ role: "user", content: 42 }] }, "content"],
      [{ model: "demo-base", messages, max_tokens: 0 }, "max_tokens"],
      [{ model: "demo-base", messages, max_tokens: "5" }, "max_tokens"],
    ];
    for (const [body, mention] of cases) {
      const r = await post(llm.url, "/v1/chat/completions", body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      const err = JSON.parse(r.text).error;
      expect(err.type).toBe("invalid_request_error");
      expect(err.message).toContain(mention);
    }
  });
});

describe("models, routing, identity", () => {
  it("lists the configured models", async () => {
    const list = await (await fetch(`${llm.url}/v1/models`)).json();
    expect(list.data.map((m: { id: string }) => m.id)).toEqual(["demo-base", "demo-reasoning"]);
    expect((await fetch(`${llm.url}/v1/models/demo-reasoning`)).status).toBe(200);
    const missing = await fetch(`${llm.url}/v1/models/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("model_not_found");
  });

  it("serves any model by default, only listed ones with strictModels", async () => {
    expect((await post(llm.url, "/v1/chat/completions", { model: "gpt-4o-mini", messages })).status).toBe(200);
    const strict = await startLlmUpstream({ models: ["only-this"], strictModels: true });
    try {
      const r = await post(strict.url, "/v1/chat/completions", { model: "demo-base", messages });
      expect(r.status).toBe(404);
      expect(JSON.parse(r.text).error.code).toBe("model_not_found");
      expect((await post(strict.url, "/v1/chat/completions", { model: "only-this", messages })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it("answers unknown paths 404 and wrong methods 405, with x-upstream-name on everything", async () => {
    const unknown = await fetch(`${llm.url}/v2/whatever`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("x-upstream-name")).toBe("unit-llm");
    const wrong = await fetch(`${llm.url}/v1/chat/completions`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("x-upstream-name")).toBe("unit-llm");
    const health = await fetch(`${llm.url}/__mock/health`);
    expect(await health.json()).toEqual({ status: "ok", name: "unit-llm" });
  });
});

describe("request recording", () => {
  it("keeps method, path, headers and body; the control API lists and clears them", async () => {
    llm.clearRequests();
    await post(llm.url, "/v1/chat/completions?trace=1", { model: "demo-base", messages }, { "x-tenant": "acme" });
    const seen = llm.requests();
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe("POST");
    expect(seen[0].path).toBe("/v1/chat/completions?trace=1");
    expect(seen[0].headers["x-tenant"]).toBe("acme");
    expect(JSON.parse(seen[0].body).messages).toEqual(messages);
    const listed = await (await fetch(`${llm.url}/__mock/requests`)).json();
    expect(listed).toEqual(JSON.parse(JSON.stringify(seen)));
    expect((await fetch(`${llm.url}/__mock/requests`, { method: "DELETE" })).status).toBe(204);
    expect(llm.requests()).toEqual([]);
  });

  it("is bounded", async () => {
    const small = await startLlmUpstream({ maxRecorded: 3 });
    try {
      for (let i = 0; i < 5; i++) await post(small.url, "/v1/chat/completions", { model: `m${i}`, messages });
      expect(small.requests().map((r) => JSON.parse(r.body).model)).toEqual(["m2", "m3", "m4"]);
    } finally {
      await small.close();
    }
  });
});
