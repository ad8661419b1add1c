// A streamed completion that prints a private key header and never its END
// line, through a real Envoy with the official openai client: the outcome
// (mask or block) reaches the client while the upstream is still streaming,
// and with a mask the events after it keep flowing.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI, { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_CONFIG, startStack, type Stack } from "./config.ts";

const HEADER = "Here is the key:\n-----BEGIN PRIVATE KEY-----\n";
const SENTENCE = "The rest of the answer goes on, sentence after sentence, as a model would write it. ";
const KB = SENTENCE.repeat(Math.ceil(1024 / SENTENCE.length)).slice(0, 1024);
const EVENTS_AFTER = 1000;

/**
 * An OpenAI chat stream upstream: the header, then 1,000 events of 1 KB. It
 * waits before the last 990 until `release` is called: a filter that held
 * the stream back would never let the client see anything before that.
 */
function keyUpstream() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let finished = false;
  const server: Server = createServer(async (req, res) => {
    for await (const _ of req);
    res.writeHead(200, { "content-type": "text/event-stream" });
    const send = (content: string) => res.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta: { content } }] })}\n\n`);
    send(HEADER);
    for (let i = 0; i < 10; i++) send(KB);
    await Promise.race([released, new Promise((r) => setTimeout(r, 10_000))]);
    for (let i = 10; i < EVENTS_AFTER && !res.destroyed; i++) send(KB);
    res.write(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`);
    res.end("data: [DONE]\n\n");
    finished = true;
  });
  return { server, release, finished: () => finished };
}

async function listen(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

for (const action of ["mask", "block"] as const) {
  describe(`an unterminated private key in a stream (secrets: ${action})`, () => {
    let stack: Stack;
    let upstream: ReturnType<typeof keyUpstream>;
    let openai: OpenAI;

    beforeAll(async () => {
      upstream = keyUpstream();
      const port = await listen(upstream.server);
      const config = { ...AUDIT_CONFIG, rules: AUDIT_CONFIG.rules.map((r) => (r.id == "secrets" ? { ...r, action } : r)) };
      stack = await startStack(config, `content-audit-key-${action}`, { LLM_PORT: port });
      openai = new OpenAI({ baseURL: stack.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
    });

    afterAll(async () => {
      stack?.envoy.assertHealthy();
      await stack?.stop();
      upstream?.server.closeAllConnections();
      upstream?.server.close();
    });

    it(action == "mask" ? "masks the key at its header and streams the rest" : "ends the stream at the header with an error event", async () => {
      const stream = await openai.chat.completions.create({ model: "m", stream: true, messages: [{ role: "user", content: "print a key" }] });
      let text = "";
      let seenBeforeRelease = "";
      let error: unknown = null;
      try {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? "";
          if (!seenBeforeRelease && text.includes(KB.slice(0, 40))) {
            // The outcome reached the client while the upstream still waits.
            seenBeforeRelease = text;
            expect(upstream.finished()).toBe(false);
            upstream.release();
          }
        }
      } catch (e) {
        error = e;
      }
      if (action == "mask") {
        expect(error).toBeNull();
        expect(seenBeforeRelease.startsWith("Here is the key:\n[SECRET]")).toBe(true);
        expect(text).not.toContain("BEGIN PRIVATE KEY");
        // Every event after the header arrived: the masked words up to the first period, then all the rest.
        expect(text.length).toBeGreaterThan(EVENTS_AFTER * 1024 - 200);
        expect(text.endsWith(KB.slice(-100))).toBe(true);
      } else {
        expect(error).toBeInstanceOf(APIError);
        expect((error as APIError).code).toBe("content_blocked");
        // The block ends the stream at the event that completes the header: nothing of it reaches the client.
        expect(text).toBe("");
        expect(upstream.finished()).toBe(false);
        upstream.release();
      }
    }, 60_000);
  });
}
