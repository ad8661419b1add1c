// External moderation through a real Envoy: a moderation endpoint of the
// OpenAI /v1/moderations shape (flags text that mentions "attack") behind
// an Envoy cluster; the official openai client sees flagged prompts (and,
// with scope both, flagged completions) blocked, others answered, and a
// moderation outage handled as configured.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./config.ts";

let moderation: Server;
const inputs: string[] = [];
let stacks: Stack[] = [];

function startModeration(): Promise<number> {
  moderation = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const { input } = JSON.parse(body);
      inputs.push(input);
      const flagged = /attack/i.test(input);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "modr-1", model: "omni-moderation-latest", results: [{ flagged, categories: { violence: flagged, hate: false } }] }));
    });
  });
  return new Promise((resolve) => moderation.listen(0, "127.0.0.1", () => resolve((moderation.address() as AddressInfo).port)));
}

const rules = [{ id: "pii", type: "pii", detectors: ["email"], action: "mask" }];
let open: OpenAI;
let closed: OpenAI;
let both: OpenAI;
let bothClosed: OpenAI;

beforeAll(async () => {
  const port = await startModeration();
  // Generous timeouts where the endpoint answers: a loaded machine must not turn an answer into a failure.
  const withModeration = await startStack({ rules, moderation: { cluster: "moderation", timeout_ms: 5000 } }, "content-audit-moderation", { MODERATION_PORT: port });
  // Nothing listens on this one's moderation port: every call fails.
  const outage = await startStack({ rules, moderation: { cluster: "moderation", timeout_ms: 1000, on_failure: "block" } }, "content-audit-moderation-down");
  const completions = await startStack(
    { rules, hold_response_headers: true, moderation: { cluster: "moderation", timeout_ms: 5000, scope: "both", stream_window_chars: 100 } },
    "content-audit-moderation-both",
    { MODERATION_PORT: port },
  );
  const completionsDown = await startStack(
    // Without hold_response_headers: the status leaves before the verdict.
    { rules, moderation: { cluster: "moderation", timeout_ms: 1000, scope: "response", on_failure: "block" } },
    "content-audit-moderation-both-down",
  );
  stacks = [withModeration, outage, completions, completionsDown];
  open = new OpenAI({ baseURL: withModeration.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
  closed = new OpenAI({ baseURL: outage.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
  both = new OpenAI({ baseURL: completions.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
  bothClosed = new OpenAI({ baseURL: completionsDown.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
});

afterAll(async () => {
  for (const s of stacks) {
    s.envoy.assertHealthy();
    await s.stop();
  }
  moderation?.close();
});

describe("external moderation", () => {
  it("answers an allowed prompt; the endpoint saw it masked", async () => {
    const res = await open.chat.completions.create({ model: "m", messages: [{ role: "user", content: "plan a picnic with ann@example.com" }] });
    expect(res.choices[0].message.content).toContain("You asked");
    expect(inputs.at(-1)).toBe("plan a picnic with [EMAIL]");
  });

  it("blocks a flagged prompt with the block reply", async () => {
    const err = await open.chat.completions.create({ model: "m", messages: [{ role: "user", content: "plan an attack" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err.status).toBe(400);
    expect(err.code).toBe("content_blocked");
    expect(stacks[0].llm.requests().some((r) => r.body.includes("attack"))).toBe(false);
  });

  it("fails closed when the endpoint is down and the configuration says block", async () => {
    const err = await closed.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hello" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err.status).toBe(400);
    expect(stacks[1].llm.requests()).toHaveLength(0);
  });

  it("scope request (the default) never sends completions", async () => {
    const before = inputs.length;
    const reply = { headers: { "x-mock-reply": encodeURIComponent("the attack plan is ready") } };
    const res = await open.chat.completions.create({ model: "m", messages: [{ role: "user", content: "status?" }] }, reply);
    expect(res.choices[0].message.content).toBe("the attack plan is ready");
    expect(inputs.slice(before)).toEqual(["status?"]);
  });

  it("scope both: an allowed completion passes (masked by the rules first), a flagged one gets the block reply", async () => {
    const before = inputs.length;
    const fine = await both.chat.completions.create(
      { model: "m", messages: [{ role: "user", content: "status?" }] },
      { headers: { "x-mock-reply": encodeURIComponent("all green, ask bob@example.com") } },
    );
    expect(fine.choices[0].message.content).toBe("all green, ask [EMAIL]");
    expect(inputs.slice(before)).toEqual(["status?", "all green, ask [EMAIL]"]);

    const { data, response } = await both.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "status?" }] }, { headers: { "x-mock-reply": encodeURIComponent("the attack plan is ready") } })
      .withResponse()
      .catch((e) => ({ data: e, response: null }));
    expect(response).toBeNull();
    expect(data).toBeInstanceOf(APIError);
    expect(data.status).toBe(400);
    expect(data.code).toBe("content_blocked");
    expect(data.headers?.["x-content-audit"] ?? data.headers?.get?.("x-content-audit")).toBe("block; rule=moderation");
    expect(JSON.stringify(data.error)).not.toContain("attack");
  });

  it("scope response, endpoint down, on_failure block, headers not held: the upstream's status went out, the body becomes the error", async () => {
    const res = await fetch(stacks[3].envoy.url("/v1/chat/completions"), {
      method: "POST",
      headers: { "content-type": "application/json", "x-mock-reply": "the secret plan" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hello" }] }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text).error.code).toBe("content_blocked");
    expect(text).not.toContain("secret plan");
    // The prompt itself was not sent to moderation (scope response): it reached the upstream.
    expect(stacks[3].llm.requests()).toHaveLength(1);
  });

  it("scope response, endpoint down, headers not held: a streamed completion ends with the error event", async () => {
    const stream = await bothClosed.chat.completions.create(
      { model: "m", stream: true, messages: [{ role: "user", content: "hello" }] },
      { headers: { "x-mock-reply": encodeURIComponent("the secret plan") } },
    );
    let text = "";
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    })().catch((e) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).code).toBe("content_blocked");
    // Windows are moderated as the text streams: what went before the verdict arrived; the end did not.
    expect(text).toBe("the secret plan");
  });

  describe("streamed completions (scope both, windows of 100 characters)", () => {
    const ask = (text: string, delayMs = 0) => ({ headers: { "x-mock-reply": encodeURIComponent(text), ...(delayMs ? { "x-mock-chunk-delay-ms": String(delayMs) } : {}) } });
    const read = async (stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) => {
      let text = "";
      let finish: string | null = null;
      try {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? "";
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
      } catch (e) {
        return { text, finish, error: e };
      }
      return { text, finish, error: null };
    };
    const SENTENCE = "All systems are green today, and the report went out to carol@example.net on time. ";

    it("an allowed stream flows and ends; the endpoint saw it masked, in windows", async () => {
      const before = inputs.length;
      const text = SENTENCE.repeat(4);
      // Chunks 10 ms apart: a stream that reached the filter in one piece would be one window.
      const got = await read(await both.chat.completions.create({ model: "m", stream: true, messages: [{ role: "user", content: "status?" }] }, ask(text, 10)));
      const masked = text.replaceAll("carol@example.net", "[EMAIL]");
      expect(got).toEqual({ text: masked.trimEnd(), finish: "stop", error: null });
      const windows = inputs.slice(before + 1);
      expect(windows.length).toBeGreaterThanOrEqual(2);
      // Every window but the last is a full one (stream_window_chars 100).
      for (const w of windows.slice(0, -1)) expect(w.length).toBeGreaterThanOrEqual(100);
      expect(windows.join("")).toBe(masked.trimEnd());
    });

    it("a flagged window ends the stream mid-way with an error event the client raises", async () => {
      const text = "Step one of the attack is simple. " + SENTENCE.repeat(20);
      const got = await read(await both.chat.completions.create({ model: "m", stream: true, messages: [{ role: "user", content: "status?" }] }, ask(text, 20)));
      expect(got.error).toBeInstanceOf(APIError);
      expect((got.error as APIError).code).toBe("content_blocked");
      expect(got.finish).toBeNull();
      // Cut while the upstream was still streaming: the client never got the end of the text.
      expect(got.text.length).toBeLessThan(text.length / 2);
    });

    it("the end of a short flagged stream waits for its verdict and becomes the error event", async () => {
      const got = await read(await both.chat.completions.create({ model: "m", stream: true, messages: [{ role: "user", content: "status?" }] }, ask("the attack plan is ready")));
      expect((got.error as APIError).code).toBe("content_blocked");
      expect(got.finish).toBeNull();
    });
  });
});
