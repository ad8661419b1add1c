// External moderation in the host emulator: the prompt (after masking) goes
// to an OpenAI moderation-compatible endpoint; flagged prompts are blocked,
// allowed ones go on, and a failed call (timeout, refused connection, bad
// answer) lets the request go on or blocks it, as configured.
import { beforeAll, describe, expect, it } from "vitest";
import type { CalloutRequest } from "../../host/clusters.ts";
import { Host } from "../../host/index.ts";
import { auditEvent, auditVm, buildFilter, chatBody, header, post, upstreamBody } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const config = (onFailure = "allow") => ({
  rules: [{ id: "pii", type: "pii", detectors: ["email"], action: "mask" }],
  moderation: { cluster: "moderation", api_key: "mod-key", timeout_ms: 500, on_failure: onFailure },
});
const verdict = (flagged: boolean) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "m", model: "omni", results: [{ flagged, categories: { violence: flagged, harassment: false } }] }) });

describe("external moderation", () => {
  it("sends the masked prompt and lets an allowed one through", async () => {
    const host = new Host({ clusters: { moderation: verdict(false) } });
    const vm = auditVm(config(), host);
    const res = await post(vm, chatBody("hello from bob@example.com"));
    expect(res.status).toBe(200);
    expect(JSON.parse(upstreamBody(res)).messages[0].content).toBe("hello from [EMAIL]");
    const call = host.calls.at(-1)!;
    expect(call.request.cluster).toBe("moderation");
    expect(JSON.parse(Buffer.from(call.request.body).toString())).toEqual({ model: "omni-moderation-latest", input: "hello from [EMAIL]" });
    expect(call.request.headers).toContainEqual(["authorization", "Bearer mod-key"]);
    expect(auditEvent(res)).toMatchObject({ verdict: "mask", moderation: "allowed" });
    expect(vm.trapped).toBe(false);
  });

  it("blocks a flagged prompt with the block reply, naming the categories in the audit event", async () => {
    const vm = auditVm(config(), new Host({ clusters: { moderation: verdict(true) } }));
    const res = await post(vm, chatBody("something violent"));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe("content_blocked");
    expect(header(res, "x-content-audit")).toBe("block; rule=moderation");
    expect(res.upstream).toBeNull();
    expect(auditEvent(res)).toMatchObject({ verdict: "block", blocked_by: "moderation", moderation: "flagged: violence" });
  });

  for (const [name, behavior] of [
    ["a timeout", { status: 200, body: "{}", delayMs: 5000 }],
    ["a refused connection", { fail: "connect-failure" }],
    ["an error status", { status: 500, body: "oops" }],
    ["an unreadable answer", { status: 200, body: "not json" }],
  ] as const) {
    it(`fails open or closed on ${name}`, async () => {
      const open = await post(auditVm(config("allow"), new Host({ clusters: { moderation: behavior } })), chatBody("hi"));
      expect(open.status).toBe(200);
      expect(String(auditEvent(open).moderation)).toMatch(/^failed: /);
      const closed = await post(auditVm(config("block"), new Host({ clusters: { moderation: behavior } })), chatBody("hi"));
      expect(closed.status).toBe(400);
      expect(auditEvent(closed)).toMatchObject({ blocked_by: "moderation" });
    });
  }

  it("treats an unknown cluster as a failure", async () => {
    const res = await post(auditVm(config("block"), new Host()), chatBody("hi"));
    expect(res.status).toBe(400);
    expect(String(auditEvent(res).moderation)).toContain("call refused");
  });
});

describe("external moderation of completions", () => {
  const completion = (text: string) => () => ({
    status: 200,
    headers: [["content-type", "application/json"]] as [string, string][],
    body: JSON.stringify({ id: "c1", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }] }),
  });
  /** Flags any input that mentions "attack"; records what it was sent. */
  function flagsAttacks(seen: string[]) {
    return (req: CalloutRequest) => {
      const input = JSON.parse(Buffer.from(req.body).toString()).input as string;
      seen.push(input);
      return verdict(/attack/.test(input));
    };
  }
  const withScope = (scope: string, onFailure = "allow") => ({ ...config(onFailure), moderation: { ...config(onFailure).moderation, scope }, hold_response_headers: true });
  const held = { allowOnHeadersStopIteration: true };

  it("scope both: the prompt and the completion (masked first) are sent; an allowed completion passes", async () => {
    const seen: string[] = [];
    const vm = auditVm(withScope("both"), new Host({ clusters: { moderation: flagsAttacks(seen) } }), held);
    const res = await post(vm, chatBody("status?"), { upstream: completion("all green, ask bob@example.com") });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).choices[0].message.content).toBe("all green, ask [EMAIL]");
    expect(seen).toEqual(["status?", "all green, ask [EMAIL]"]);
    expect(auditEvent(res)).toMatchObject({ verdict: "mask", moderation: "allowed", completion_moderation: "allowed" });
    expect(vm.trapped).toBe(false);
  });

  it("a flagged completion is replaced by the block reply, status included", async () => {
    const seen: string[] = [];
    const vm = auditVm(withScope("both"), new Host({ clusters: { moderation: flagsAttacks(seen) } }), held);
    const res = await post(vm, chatBody("status?"), { upstream: completion("the attack plan is ready") });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe("content_blocked");
    expect(res.body).not.toContain("attack");
    expect(header(res, "x-content-audit")).toBe("block; rule=moderation");
    expect(auditEvent(res)).toMatchObject({ verdict: "block", blocked_by: "moderation", blocked_in: "response", completion_moderation: "flagged: violence" });
  });

  it("scope response sends only the completion; a failure blocks under on_failure block", async () => {
    const seen: string[] = [];
    const vm = auditVm(withScope("response"), new Host({ clusters: { moderation: flagsAttacks(seen) } }), held);
    const res = await post(vm, chatBody("plan an attack"), { upstream: completion("no") });
    expect(res.status).toBe(200);
    expect(seen).toEqual(["no"]);
    const closed = await post(auditVm(withScope("response", "block"), new Host(), held), chatBody("hi"), { upstream: completion("fine") });
    expect(closed.status).toBe(400);
    expect(auditEvent(closed)).toMatchObject({ blocked_by: "moderation", blocked_in: "response" });
    expect(String(auditEvent(closed).completion_moderation)).toMatch(/^failed: /);
  });

});
