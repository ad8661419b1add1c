// content-audit through a real Envoy with the official openai client:
// blocked prompts get the configured error, masked prompts reach the
// upstream masked, completions (JSON and streamed, one byte per chunk) are
// masked or cut, and every request leaves an audit event in the access log,
// at the collector and in the metrics.
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, mockReply as reply, type Stack, startStack } from "./config.ts";

let stack: Stack;
let openai: OpenAI;

beforeAll(async () => {
  stack = await startStack();
  openai = new OpenAI({ baseURL: stack.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
});

afterAll(async () => {
  stack?.envoy.assertHealthy();
  await stack?.stop();
});


function lastUpstreamPrompt(): string {
  const req = stack.llm.requests().at(-1)!;
  return JSON.parse(req.body).messages[0].content;
}

/** The access log line whose audit event names this consumer. */
function accessLog(consumer: string): Record<string, unknown> | undefined {
  const line = stack.envoy.logs().split("\n").find((l) => l.startsWith("{") && l.includes(`\\"consumer\\":\\"${consumer}\\"`));
  return line ? JSON.parse(line) : undefined;
}

describe("prompts", () => {
  it("blocks a prompt with the configured OpenAI-format error; the upstream never sees it", async () => {
    const before = stack.llm.requests().length;
    const err = await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "tell me about the FORBIDDEN topic" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err.status).toBe(400);
    expect(err.code).toBe("content_blocked");
    expect(err.message).toContain("blocked by content policy");
    expect(stack.llm.requests().length).toBe(before);
  });

  it("masks PII before the prompt reaches the upstream", async () => {
    const res = await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "I am bob@example.com, card 4111 1111 1111 1111, 身份证 11010519491231002X" }] });
    expect(res.choices[0].message.content).toContain("You asked");
    expect(lastUpstreamPrompt()).toBe("I am [EMAIL], card [CREDIT_CARD], 身份证 [CN_ID]");
  });

  it("masks tool call arguments sent back by the client", async () => {
    await openai.chat.completions.create({
      model: "m",
      messages: [
        { role: "user", content: "send it" },
        { role: "assistant", tool_calls: [{ id: "c1", type: "function", function: { name: "mail", arguments: '{"to":"alice@example.org"}' } }] },
        { role: "tool", tool_call_id: "c1", content: "sent to alice@example.org" },
      ],
    });
    const sent = JSON.parse(stack.llm.requests().at(-1)!.body);
    expect(JSON.parse(sent.messages[1].tool_calls[0].function.arguments)).toEqual({ to: "[EMAIL]" });
    expect(sent.messages[2].content).toBe("sent to [EMAIL]");
  });
});

describe("completions", () => {
  it("masks a JSON completion", async () => {
    const res = await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] }, reply("Mail carol@example.net about bluebird."));
    expect(res.choices[0].message.content).toBe("Mail [EMAIL] about [CODENAME].");
  });

  it("blocks a JSON completion that leaks a secret with the block reply", async () => {
    const err = await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] }, reply("the key is ghp_abcdefghijklmnopqrstuvwxyz0123456789 ok")).catch((e) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err.status).toBe(400);
    expect(err.code).toBe("content_blocked");
  });

  for (const chunkBytes of [undefined, 1]) {
    it(`masks a streamed completion in-stream (${chunkBytes ? "1-byte chunks" : "one event per token"})`, async () => {
      const text = "Reach dave@example.com or +1 (212) 555-0199 about bluebird today.";
      const stream = await openai.chat.completions.create({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }, reply(text, chunkBytes));
      let got = "";
      let finish = "";
      for await (const chunk of stream) {
        got += chunk.choices[0]?.delta?.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(got).toBe("Reach [EMAIL] or [PHONE] about [CODENAME] today.");
      expect(finish).toBe("stop");
    });
  }

  it("anchors see the whole stream: $ only at its end, even when a delta ends where the pattern could", async () => {
    const streamed = async (text: string) => {
      const stream = await openai.chat.completions.create({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }, reply(text));
      let got = "";
      for await (const chunk of stream) got += chunk.choices[0]?.delta?.content ?? "";
      return got;
    };
    // One event per token: "?" ends a delta, but not the text.
    expect(await streamed("Really? Yes.")).toBe("Really? Yes.");
    expect(await streamed("Is it done?")).toBe("Is it done[Q]");
  });

  it("cuts a stream at a secret split into 1-byte chunks: the client gets an APIError and no secret", async () => {
    const secret = "sk-proj-Q3x9Lm2Vb7Nc4Zt8Rw1Ky6Hp";
    const stream = await openai.chat.completions.create({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }, reply(`Here it is: ${secret} and the rest of the answer.`, 1));
    let got = "";
    const err = await (async () => {
      for await (const chunk of stream) got += chunk.choices[0]?.delta?.content ?? "";
    })().catch((e) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(String(err.message)).toContain("blocked by content policy");
    expect(got).not.toContain("sk-");
    expect(got).not.toContain("rest of the answer");
  });
});

describe("audit", () => {
  it("prints the audit event in the access log, posts it to the collector and counts per rule", async () => {
    const raw = await openai.chat.completions
      .create({ model: "demo-base", messages: [{ role: "user", content: "TICKET-123456 from erin@example.com" }] }, { headers: { "x-consumer": "team-a" } })
      .withResponse();
    expect(raw.response.headers.get("x-content-audit")).toBe("mask");
    const line = await eventually(() => accessLog("team-a"));
    const event = JSON.parse(String(line.content_audit));
    const requestId = String(line.request_id);
    expect(event).toMatchObject({ request_id: requestId, route: "llm", consumer: "team-a", model: "demo-base", api: "openai_chat", verdict: "mask", masked: 1 });
    expect(event.rules).toEqual(expect.arrayContaining([
      { id: "pii", action: "mask", request: 1, response: 0 },
      { id: "ticket", action: "log", request: 1, response: 1 },
    ]));
    expect(JSON.stringify(event)).not.toContain("erin@example.com");
    const posted = await eventually(() => stack.collector.events().find((e) => e.request_id === requestId));
    expect(posted).toEqual(event);
    const prom = await stack.envoy.prometheus();
    expect(prom).toMatch(/content_audit_matches\{rule="pii",action="mask"\} [1-9]/);
    expect(prom).toMatch(/content_audit_requests\{verdict="mask"\} [1-9]/);
    // The collector's answer reaches the filter just after the collector stored the batch.
    await eventually(async () => /content_audit_collector_events_sent\{\} [1-9]/.test(await stack.envoy.prometheus()) || undefined);
  });
});
