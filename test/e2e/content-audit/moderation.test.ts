// External moderation through a real Envoy: a moderation endpoint of the
// OpenAI /v1/moderations shape (flags prompts that mention "attack") behind
// an Envoy cluster; the official openai client sees flagged prompts blocked,
// others answered, and a moderation outage handled as configured.
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

beforeAll(async () => {
  const port = await startModeration();
  const withModeration = await startStack({ rules, moderation: { cluster: "moderation", timeout_ms: 1000 } }, "content-audit-moderation", { MODERATION_PORT: port });
  // Nothing listens on this one's moderation port: every call fails.
  const outage = await startStack({ rules, moderation: { cluster: "moderation", timeout_ms: 1000, on_failure: "block" } }, "content-audit-moderation-down");
  stacks = [withModeration, outage];
  open = new OpenAI({ baseURL: withModeration.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
  closed = new OpenAI({ baseURL: outage.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
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
});
