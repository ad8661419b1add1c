// The mock LLM's Responses, Anthropic Messages and embeddings endpoints.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countTokens, embed, type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";
import { parseSse, post } from "./http.ts";

let llm: LlmUpstream;
beforeAll(async () => {
  llm = await startLlmUpstream({ name: "unit-apis" });
});
afterAll(() => llm.close());

describe("POST /v1/responses", () => {
  const req = {
    model: "demo-base",
    instructions: "Be brief.",
    input: [{ role: "user", content: [{ type: "input_text", text: "Summarise the incident." }] }],
  };
  const inputTokens = countTokens("Be brief.") + countTokens("Summarise the incident.");

  it("answers a Responses API object with exact usage", async () => {
    const body = JSON.parse((await post(llm.url, "/v1/responses", req)).text);
    expect(body.object).toBe("response");
    expect(body.id).toMatch(/^resp_[0-9a-f]{24}$/);
    expect(body.status).toBe("completed");
    const text = body.output[0].content[0].text;
    expect(body.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(body.usage).toMatchObject({ input_tokens: inputTokens, output_tokens: countTokens(text), total_tokens: inputTokens + countTokens(text) });
    expect(body.instructions).toBe("Be brief.");
  });

  it("accepts a plain string input", async () => {
    const body = JSON.parse((await post(llm.url, "/v1/responses", { model: "demo-base", input: "Hi there" })).text);
    expect(body.usage.input_tokens).toBe(2);
  });

  it("streams the typed events in order, with numbered sequence and the final response", async () => {
    const plain = JSON.parse((await post(llm.url, "/v1/responses", req)).text);
    const events = parseSse((await post(llm.url, "/v1/responses", { ...req, stream: true })).text);
    const types = events.map((e) => e.event);
    const deltas = events.filter((e) => e.event === "response.output_text.delta");
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      ...deltas.map(() => "response.output_text.delta"),
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const data = events.map((e) => JSON.parse(e.data));
    data.forEach((d, i) => {
      expect(d.type).toBe(types[i]);
      expect(d.sequence_number).toBe(i);
    });
    expect(deltas.map((e) => JSON.parse(e.data).delta).join("")).toBe(plain.output[0].content[0].text);
    expect(deltas.length).toBe(plain.usage.output_tokens);
    expect(data.at(-1).response.usage).toEqual(plain.usage);
  });

  it("reports an incomplete response when max_output_tokens cuts it", async () => {
    const body = JSON.parse((await post(llm.url, "/v1/responses", { ...req, max_output_tokens: 3 })).text);
    expect(body.status).toBe("incomplete");
    expect(body.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(body.usage.output_tokens).toBe(3);
    const events = parseSse((await post(llm.url, "/v1/responses", { ...req, max_output_tokens: 3, stream: true })).text);
    expect(events.at(-1)!.event).toBe("response.incomplete");
  });
});

describe("POST /v1/messages (Anthropic)", () => {
  const req = {
    model: "demo-reasoning",
    max_tokens: 256,
    system: [{ type: "text", text: "You audit prompts." }],
    messages: [{ role: "user", content: [{ type: "text", text: "Is this safe?" }] }],
  };
  const inputTokens = countTokens("You audit prompts.") + countTokens("Is this safe?");

  it("answers an Anthropic message with exact usage", async () => {
    const body = JSON.parse((await post(llm.url, "/v1/messages", req)).text);
    expect(body).toMatchObject({ type: "message", role: "assistant", model: "demo-reasoning", stop_reason: "end_turn", stop_sequence: null });
    expect(body.id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(body.usage).toEqual({ input_tokens: inputTokens, output_tokens: countTokens(body.content[0].text) });
  });

  it("streams message_start ... message_stop with the output tokens in message_delta", async () => {
    const plain = JSON.parse((await post(llm.url, "/v1/messages", req)).text);
    const events = parseSse((await post(llm.url, "/v1/messages", { ...req, stream: true })).text);
    const types = events.map((e) => e.event);
    const deltas = events.filter((e) => e.event === "content_block_delta").map((e) => JSON.parse(e.data));
    expect(types).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      ...deltas.map(() => "content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of events) expect(JSON.parse(e.data).type).toBe(e.event);
    const start = JSON.parse(events[0].data);
    expect(start.message.usage).toEqual({ input_tokens: inputTokens, output_tokens: 0 });
    expect(deltas.map((d) => d.delta.text).join("")).toBe(plain.content[0].text);
    const md = JSON.parse(events.find((e) => e.event === "message_delta")!.data);
    expect(md.usage.output_tokens).toBe(deltas.length);
    expect(md.delta.stop_reason).toBe("end_turn");
  });

  it("says max_tokens when the cap cuts the answer, and requires max_tokens like the real API", async () => {
    const cut = JSON.parse((await post(llm.url, "/v1/messages", { ...req, max_tokens: 2 })).text);
    expect(cut.stop_reason).toBe("max_tokens");
    expect(cut.usage.output_tokens).toBe(2);
    const r = await post(llm.url, "/v1/messages", { model: "m", messages: req.messages });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ type: "error", error: { type: "invalid_request_error", message: "max_tokens: Field required" } });
  });
});

describe("POST /v1/embeddings", () => {
  it("returns unit vectors of the asked dimension, the same for the same text", async () => {
    const body = JSON.parse((await post(llm.url, "/v1/embeddings", { model: "demo-embed", input: ["rate limit by tokens", "rate limits per token"], dimensions: 64 })).text);
    expect(body.object).toBe("list");
    expect(body.data).toHaveLength(2);
    for (const d of body.data) {
      expect(d.embedding).toHaveLength(64);
      expect(Math.hypot(...d.embedding)).toBeCloseTo(1, 5);
    }
    expect(body.data[0].embedding).toEqual(Array.from(embed("rate limit by tokens", 64)));
    expect(body.usage).toEqual({ prompt_tokens: 8, total_tokens: 8 });
    const again = JSON.parse((await post(llm.url, "/v1/embeddings", { model: "demo-embed", input: "rate limit by tokens", dimensions: 64 })).text);
    expect(again.data[0].embedding).toEqual(body.data[0].embedding);
  });

  it("places similar texts closer than unrelated ones", () => {
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);
    const q = embed("How do I limit tokens per consumer?");
    expect(cos(q, embed("limit the tokens of each consumer"))).toBeGreaterThan(cos(q, embed("Der Kuchen ist im Ofen")));
  });

  it("encodes base64 float32 when asked (what the openai client requests)", async () => {
    const f = JSON.parse((await post(llm.url, "/v1/embeddings", { model: "e", input: "hello" })).text);
    const b = JSON.parse((await post(llm.url, "/v1/embeddings", { model: "e", input: "hello", encoding_format: "base64" })).text);
    expect(f.data[0].embedding).toHaveLength(256);
    const bytes = Buffer.from(b.data[0].embedding, "base64");
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    expect(decoded).toEqual(f.data[0].embedding);
  });

  it("counts token-array inputs by length and rejects bad inputs", async () => {
    const t = JSON.parse((await post(llm.url, "/v1/embeddings", { model: "e", input: [[1, 2, 3], [4]] })).text);
    expect(t.usage.prompt_tokens).toBe(4);
    for (const bad of [{ model: "e" }, { model: "e", input: [] }, { model: "e", input: [{}] }, { model: "e", input: "x", dimensions: 0 }, { model: "e", input: "x", encoding_format: "hex" }]) {
      expect((await post(llm.url, "/v1/embeddings", bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });
});
