// The x-mock-* test knobs of the mock LLM.
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countTokens, type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";
import { parseSse, post, rawPost } from "./http.ts";

let llm: LlmUpstream;
beforeAll(async () => {
  llm = await startLlmUpstream({ name: "unit-knobs" });
});
afterAll(() => llm.close());

const chat = { model: "demo-base", messages: [{ role: "user", content: "Tell me about knobs." }] };
const streamed = { ...chat, stream: true, stream_options: { include_usage: true } };

describe("x-mock knobs", () => {
  it("x-mock-status answers that status with the provider's error body", async () => {
    const r = await post(llm.url, "/v1/chat/completions", chat, { "x-mock-status": "503" });
    expect(r.status).toBe(503);
    expect(r.headers["x-upstream-name"]).toBe("unit-knobs");
    expect(JSON.parse(r.text).error).toMatchObject({ type: "server_error", message: expect.stringContaining("503") });
    const limited = await post(llm.url, "/v1/chat/completions", chat, { "x-mock-status": "429" });
    expect(limited.headers["retry-after"]).toBe("1");
    expect(JSON.parse(limited.text).error.type).toBe("rate_limit_error");
    const anthropic = await post(llm.url, "/v1/messages", {}, { "x-mock-status": "529" });
    expect(JSON.parse(anthropic.text)).toEqual({ type: "error", error: { type: "overloaded_error", message: "mock error 529 (x-mock-status)" } });
  });

  it("x-mock-delay-ms delays the response", async () => {
    const t0 = Date.now();
    expect((await post(llm.url, "/v1/chat/completions", chat, { "x-mock-delay-ms": "300" })).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it("x-mock-chunk-delay-ms spaces the SSE events", async () => {
    const t0 = Date.now();
    const r = await post(llm.url, "/v1/chat/completions", streamed, { "x-mock-completion-tokens": "5", "x-mock-chunk-delay-ms": "40" });
    // 5 tokens + role + finish + usage + [DONE] = 9 events, 8 gaps
    expect(parseSse(r.text)).toHaveLength(9);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(8 * 40 - 10);
  });

  it("x-mock-omit-usage leaves usage out everywhere", async () => {
    const h = { "x-mock-omit-usage": "true" };
    expect(JSON.parse((await post(llm.url, "/v1/chat/completions", chat, h)).text).usage).toBeUndefined();
    const chunks = parseSse((await post(llm.url, "/v1/chat/completions", streamed, h)).text).slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks.every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
    expect(JSON.parse((await post(llm.url, "/v1/responses", { model: "m", input: "x" }, h)).text).usage).toBeNull();
    const msg = JSON.parse((await post(llm.url, "/v1/messages", { model: "m", max_tokens: 9, messages: [{ role: "user", content: "x" }] }, h)).text);
    expect(msg.usage).toBeUndefined();
    const events = parseSse((await post(llm.url, "/v1/messages", { model: "m", max_tokens: 9, stream: true, messages: [{ role: "user", content: "x" }] }, h)).text);
    expect(events.some((e) => e.data.includes("usage"))).toBe(false);
    expect(JSON.parse((await post(llm.url, "/v1/embeddings", { model: "e", input: "x" }, h)).text).usage).toBeUndefined();
  });

  it("x-mock-completion-tokens sets the answer length, still capped by max_tokens", async () => {
    const big = JSON.parse((await post(llm.url, "/v1/chat/completions", chat, { "x-mock-completion-tokens": "500" })).text);
    expect(big.usage.completion_tokens).toBe(500);
    expect(countTokens(big.choices[0].message.content)).toBe(500);
    const none = JSON.parse((await post(llm.url, "/v1/chat/completions", chat, { "x-mock-completion-tokens": "0" })).text);
    expect(none.choices[0].message.content).toBe("");
    const capped = JSON.parse((await post(llm.url, "/v1/chat/completions", { ...chat, max_tokens: 7 }, { "x-mock-completion-tokens": "500" })).text);
    expect(capped.usage.completion_tokens).toBe(7);
  });

  it("x-mock-reply sets the answer text (percent-encoded)", async () => {
    const text = "Call me at 555-0100, 我的邮箱 a@b.example";
    const body = JSON.parse((await post(llm.url, "/v1/chat/completions", chat, { "x-mock-reply": encodeURIComponent(text) })).text);
    expect(body.choices[0].message.content).toBe(text);
    expect(body.usage.completion_tokens).toBe(countTokens(text));
  });

  it("x-mock-usage-prompt / -completion write the usage figures as raw JSON text, in every API and format", async () => {
    const h = { "x-mock-usage-prompt": "9223372036854775807", "x-mock-usage-completion": '"12"' };
    const chatText = (await post(llm.url, "/v1/chat/completions", chat, h)).text;
    expect(chatText).toContain('"prompt_tokens":9223372036854775807,"completion_tokens":"12"');
    const streamText = (await post(llm.url, "/v1/chat/completions", streamed, h)).text;
    expect(streamText).toContain('"prompt_tokens":9223372036854775807,"completion_tokens":"12"');
    const msg = { model: "m", max_tokens: 9, messages: [{ role: "user", content: "x" }] };
    expect((await post(llm.url, "/v1/messages", msg, h)).text).toContain('"input_tokens":9223372036854775807,"output_tokens":"12"');
    const events = (await post(llm.url, "/v1/messages", { ...msg, stream: true }, h)).text;
    expect(events).toContain('"input_tokens":9223372036854775807');
    expect(events).toContain('"output_tokens":"12"');
    const responses = (await post(llm.url, "/v1/responses", { model: "m", input: "x" }, h)).text;
    expect(responses).toContain('"input_tokens":9223372036854775807,');
    expect(responses).toContain('"output_tokens":"12",');
    expect((await post(llm.url, "/v1/chat/completions", chat, { "x-mock-usage-prompt": " " })).status).toBe(400);
  });

  it("x-mock-cut-after-chunks destroys the socket mid-stream", async () => {
    const full = await rawPost(llm.port, "/v1/chat/completions", streamed);
    expect(full.complete).toBe(true);
    const cut = await rawPost(llm.port, "/v1/chat/completions", streamed, { "x-mock-cut-after-chunks": "3" });
    expect(cut.status).toBe(200);
    expect(cut.complete).toBe(false);
    expect(parseSse(cut.body)).toHaveLength(3);
    expect(cut.body).not.toContain("[DONE]");
    expect(full.body.startsWith(cut.body)).toBe(true);
  });

  it("x-mock-cut-after-chunks on a JSON answer stops after that many bytes", async () => {
    const cut = await rawPost(llm.port, "/v1/chat/completions", chat, { "x-mock-cut-after-chunks": "20" });
    expect(cut.complete).toBe(false);
    expect(Buffer.byteLength(cut.body)).toBe(20);
  });

  it("x-mock-chunk-bytes splits the body into many small writes, same bytes", async () => {
    const whole = await rawPost(llm.port, "/v1/chat/completions", streamed);
    const split = await rawPost(llm.port, "/v1/chat/completions", streamed, { "x-mock-chunk-bytes": "7" });
    expect(split.body).toBe(whole.body);
    expect(split.complete).toBe(true);
    expect(split.reads).toBeGreaterThan(whole.reads * 10);
    const json = await rawPost(llm.port, "/v1/chat/completions", chat, { "x-mock-chunk-bytes": "5" });
    expect(JSON.parse(json.body).object).toBe("chat.completion");
  });

  it("x-mock-error-after-chunks: N events, the provider's error event, then a clean end", async () => {
    const h = { "x-mock-completion-tokens": "10", "x-mock-error-after-chunks": "4" };
    const anthropic = await rawPost(llm.port, "/v1/messages", { model: "m", max_tokens: 50, stream: true, messages: [{ role: "user", content: "x" }] }, h);
    expect(anthropic.complete).toBe(true);
    const events = parseSse(anthropic.body);
    expect(events.map((e) => e.event)).toEqual(["message_start", "content_block_start", "ping", "content_block_delta", "error"]);
    expect(JSON.parse(events[4].data).error.type).toBe("overloaded_error");
    const openai = parseSse((await post(llm.url, "/v1/chat/completions", streamed, h)).text);
    expect(openai).toHaveLength(5);
    expect(JSON.parse(openai[4].data).error.type).toBe("server_error");
  });

  it("x-mock-gzip compresses JSON and streams only when the request accepts gzip", async () => {
    const gz = await rawPost(llm.port, "/v1/chat/completions", chat, { "x-mock-gzip": "true", "accept-encoding": "gzip" });
    expect(gz.encoding).toBe("gzip");
    expect(JSON.parse(gunzipSync(gz.bytes).toString("utf8")).usage.completion_tokens).toBeGreaterThan(0);
    const stream = await rawPost(llm.port, "/v1/chat/completions", streamed, { "x-mock-gzip": "true", "accept-encoding": "br, gzip" });
    expect(parseSse(gunzipSync(stream.bytes).toString("utf8")).at(-1)!.data).toBe("[DONE]");
    const plain = await rawPost(llm.port, "/v1/chat/completions", chat, { "x-mock-gzip": "true", "accept-encoding": "identity" });
    expect(plain.encoding).toBeUndefined();
    expect(JSON.parse(plain.body).object).toBe("chat.completion");
  });

  it("refuses malformed knob values with a 400 that names the header", async () => {
    for (const [h, v] of [
      ["x-mock-delay-ms", "soon"],
      ["x-mock-status", "200"],
      ["x-mock-omit-usage", "maybe"],
      ["x-mock-chunk-bytes", "0"],
      ["x-mock-completion-tokens", "-1"],
      ["x-mock-reply", "%E0%A4%A"],
      ["x-mock-error-after-chunks", "x"],
      ["x-mock-gzip", "maybe"],
    ]) {
      const r = await post(llm.url, "/v1/chat/completions", chat, { [h]: v });
      expect(r.status, h).toBe(400);
      expect(JSON.parse(r.text).error.message).toContain(h);
    }
  });
});
