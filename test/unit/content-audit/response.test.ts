// content-audit on responses, in the host emulator: JSON completions masked
// or blocked, and event streams masked or cut in-stream, also when a secret
// arrives one byte per chunk.
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvent, auditVm, buildFilter, chatBody, chatStream, post, streamText } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const CONFIG = {
  rules: [
    { id: "secrets", type: "pii", detectors: ["secret"], action: "block", scope: "response" },
    { id: "pii", type: "pii", detectors: ["email", "phone", "credit_card"], action: "mask" },
    { id: "codename", type: "keywords", keywords: ["bluebird"], action: "mask", mask: { placeholder: "[CODENAME]" } },
  ],
};

const sse = (body: string[]) => () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body });
const json = (obj: unknown) => () => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(obj) });
const completion = (content: string) => ({ id: "c1", object: "chat.completion", model: "m", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] });

describe("JSON responses", () => {
  it("masks a completion and keeps valid JSON", async () => {
    const vm = auditVm(CONFIG);
    const res = await post(vm, chatBody("hi"), { upstream: json(completion("write to bob@example.com about bluebird")) });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).choices[0].message.content).toBe("write to [EMAIL] about [CODENAME]");
    expect(auditEvent(res)).toMatchObject({ verdict: "mask", masked: 2 });
  });

  it("blocks a completion with the configured reply when response headers may be held", async () => {
    const vm = auditVm({ ...CONFIG, hold_response_headers: true }, undefined, { allowOnHeadersStopIteration: true });
    const res = await post(vm, chatBody("hi"), { upstream: json(completion("here: AKIA2E0A8F3B244C9986")) });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe("content_blocked");
    expect(auditEvent(res)).toMatchObject({ verdict: "block", blocked_in: "response", blocked_by: "secrets" });
  });

  it("replaces a blocked completion's body with the error when the headers went on", async () => {
    const vm = auditVm(CONFIG);
    const res = await post(vm, chatBody("hi"), { upstream: json(completion("here: AKIA2E0A8F3B244C9986")) });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).error.code).toBe("content_blocked");
    expect(res.body).not.toContain("AKIA");
  });
});

describe("streamed responses", () => {
  const text = "contact bob@example.com or 4111 1111 1111 1111, codename bluebird.";
  const words = text.split(/(?<= )/);

  for (const chunkBytes of [0, 1, 7]) {
    it(`masks matches split across events (chunks of ${chunkBytes || "whole"} bytes)`, async () => {
      const vm = auditVm(CONFIG);
      // Deltas of 3 characters: every match straddles several events.
      const pieces = text.match(/.{1,3}/g)!;
      const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(pieces, chunkBytes)) });
      const got = streamText(res.body);
      expect(got.text).toBe("contact [EMAIL] or [CREDIT_CARD], codename [CODENAME].");
      expect(got.done).toBe(true);
      expect(got.error).toBeNull();
      expect(vm.trapped).toBe(false);
    });
  }

  it("holds back only a short tail", async () => {
    const vm = auditVm(CONFIG);
    const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(words)) });
    const deltas = res.body.split("\n\n").filter((b) => b.startsWith("data: {")).map((b) => JSON.parse(b.slice(6)).choices[0]?.delta?.content ?? "");
    // A word followed by a space is settled at once: nothing is delayed.
    expect(deltas.slice(1, 5)).toEqual(["contact ", "[EMAIL] ", "or ", ""]); // a card number may follow "4111 "
  });

  it("keeps the texts of several choices apart (indexes 0, 1 and 12)", async () => {
    const vm = auditVm(CONFIG);
    const event = (index: number, content: string) => `data: ${JSON.stringify({ choices: [{ index, delta: { content } }] })}\n\n`;
    const body = [
      event(0, "write bob@"),
      event(1, "example.com now"),
      event(12, "mail ali"),
      event(0, " later"),
      event(12, "ce@example.org done"),
      "data: [DONE]\n\n",
    ];
    const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(body) });
    const texts = new Map<number, string>();
    for (const block of res.body.split("\n\n").filter((b) => b.startsWith("data: {"))) {
      for (const c of JSON.parse(block.slice(6)).choices) texts.set(c.index, (texts.get(c.index) ?? "") + (c.delta?.content ?? ""));
    }
    expect(Object.fromEntries(texts)).toEqual({ 0: "write bob@ later", 1: "example.com now", 12: "mail [EMAIL] done" });
    expect(vm.trapped).toBe(false);
  });

  it("cuts the stream at a secret split one byte per chunk, with an error event and [DONE]", async () => {
    const vm = auditVm(CONFIG);
    const pieces = ["the key is ", "sk-pr", "oj-abc123DEF", "456ghi789JKL012", " and more text after it"];
    const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(pieces, 1)) });
    const got = streamText(res.body);
    expect(got.error).toMatchObject({ code: "content_blocked" });
    expect(got.done).toBe(true);
    expect(got.text).not.toContain("sk-");
    expect(got.text).not.toContain("more text");
    expect(auditEvent(res)).toMatchObject({ verdict: "block", blocked_in: "response" });
  });

  it("masks Anthropic text deltas and Responses output_text deltas", async () => {
    const vm = auditVm(CONFIG);
    const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    const anthropic = [
      ev("message_start", { type: "message_start", message: { id: "m", content: [] } }),
      ev("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
      ...["mail b", "ob@exam", "ple.com now"].map((t) => ev("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: t } })),
      ev("content_block_stop", { type: "content_block_stop", index: 0 }),
      ev("message_stop", { type: "message_stop" }),
    ];
    const res = await post(vm, JSON.stringify({ model: "m", max_tokens: 5, stream: true, messages: [{ role: "user", content: "x" }] }), { path: "/v1/messages", upstream: sse(anthropic) });
    const text = res.body.split("\n\n").filter((b) => b.includes("content_block_delta")).map((b) => JSON.parse(b.split("data: ")[1]).delta.text).join("");
    expect(text).toBe("mail [EMAIL] now");

    const responses = [
      ...["call 212-", "555-0199", " ok"].map((d) => ev("response.output_text.delta", { type: "response.output_text.delta", output_index: 0, content_index: 0, delta: d })),
      ev("response.output_text.done", { type: "response.output_text.done", output_index: 0, content_index: 0, text: "call 212-555-0199 ok" }),
    ];
    const res2 = await post(vm, JSON.stringify({ model: "m", input: "x", stream: true }), { path: "/v1/responses", upstream: sse(responses) });
    const blocks = res2.body.split("\n\n").filter(Boolean).map((b) => JSON.parse(b.split("data: ")[1]));
    expect(blocks.filter((b) => b.type.endsWith(".delta")).map((b) => b.delta).join("")).toBe("call [PHONE] ok");
    expect(blocks.at(-1).text).toBe("call [PHONE] ok");
  });

  it("ends an Anthropic stream with an error event", async () => {
    const vm = auditVm(CONFIG);
    const ev = (data: unknown) => `event: content_block_delta\ndata: ${JSON.stringify(data)}\n\n`;
    const body = ["ghp_", "abcdefghijklmnopqrstuvwxyz0123456789"].map((t) => ev({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: t } }));
    const res = await post(vm, JSON.stringify({ model: "m", max_tokens: 5, stream: true, messages: [] }), { path: "/v1/messages", upstream: sse([...body, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"]) });
    expect(res.body).toContain("event: error\n");
    expect(res.body).not.toContain("ghp_");
    expect(res.body).not.toContain("message_stop");
  });
});

describe("streamed decisions that need more text", () => {
  const rules = [{ id: "kw", type: "keywords", keywords: ["forbidden topic"], allow: ["not a forbidden topic"], action: "block" }, { id: "ass", type: "keywords", keywords: ["ass"], whole_words: true, action: "mask" }];
  const sse = (body: string[]) => () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body });

  it("keeps an allow term that arrives split from being judged without its start", async () => {
    const vm = auditVm({ rules });
    const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(["this is not a forb", "idden topic", " at all"], 3)) });
    const got = streamText(res.body);
    expect(got.error).toBeNull();
    expect(got.text).toBe("this is not a forbidden topic at all");
  });

  it("waits for the end of a word before a whole-word match", async () => {
    const vm = auditVm({ rules });
    const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(["the ass", "embly line, the ass", " is tired"])) });
    expect(streamText(res.body).text).toBe("the assembly line, the [REDACTED] is tired");
  });
});

describe("streamed responses: anchors and word edges see the whole stream", () => {
  const masked = async (rules: unknown[], pieces: string[]) => {
    const vm = auditVm({ rules });
    const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(pieces)) });
    expect(vm.trapped).toBe(false);
    return streamText(res.body).text;
  };
  const rule = (pattern: string) => [{ id: "p", type: "pattern", pattern, action: "mask", mask: { placeholder: "[X]" } }];

  it("$ matches at the end of the stream only, not at the end of a delta", async () => {
    expect(await masked(rule("\\d{3}$"), ["order 123", " shipped, ref 456"])).toBe("order 123 shipped, ref [X]");
    expect(await masked(rule("\\d{3}$"), ["order 123", " shipped"])).toBe("order 123 shipped");
    // Every delta ends in digits: only the last three of the stream are the match.
    expect(await masked(rule("\\d{3}$"), ["1", "2", "3", "4"])).toBe("1[X]");
  });

  it("^ matches at the start of the stream only, not at the start of a delta", async () => {
    expect(await masked(rule("^ab"), ["ab", "c ab"])).toBe("[X]c ab");
    expect(await masked(rule("^ab"), ["x ", "ab"])).toBe("x ab");
  });

  it("\\b looks at the character before a delta and waits for the one after it", async () => {
    expect(await masked(rule("\\bcat\\b"), ["con", "cat", "enate the cat"])).toBe("concatenate the [X]");
    expect(await masked(rule("\\bcat\\b"), ["the ", "cat", "s and a cat", "."])).toBe("the cats and a [X].");
    expect(await masked(rule("\\bcat\\b"), ["a ", "cat"])).toBe("a [X]");
    expect(await masked(rule("\\bcat\\b"), ["con", "cat is"])).toBe("concat is");
  });

  it("whole-word keywords do the same", async () => {
    const words = [{ id: "k", type: "keywords", keywords: ["cat"], whole_words: true, action: "mask", mask: { placeholder: "[X]" } }];
    expect(await masked(words, ["con", "cat", "enate the cat"])).toBe("concatenate the [X]");
    expect(await masked(words, ["the ", "cat", "s and a ", "cat"])).toBe("the cats and a [X]");
    expect(await masked(words, ["con", "cat is"])).toBe("concat is");
  });
});
