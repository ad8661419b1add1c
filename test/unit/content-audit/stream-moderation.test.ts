// External moderation of streamed completions in the host emulator: the
// text sent on (masked) goes to the moderation endpoint in windows while
// the events flow; the end of the stream waits for the verdicts; a flagged
// window (or a failure under on_failure: block) ends the stream with the
// block error event instead of its end.
import { beforeAll, describe, expect, it } from "vitest";
import type { CalloutRequest } from "../../host/clusters.ts";
import { Host } from "../../host/index.ts";
import { auditEvent, auditVm, buildFilter, chatBody, chatStream, post, streamText } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const config = (onFailure = "allow", window = 200) => ({
  rules: [{ id: "pii", type: "pii", detectors: ["email"], action: "mask" }],
  moderation: { cluster: "moderation", timeout_ms: 500, on_failure: onFailure, scope: "response", stream_window_chars: window },
  hold_response_headers: true,
});
const held = { allowOnHeadersStopIteration: true };
const verdict = (flagged: boolean) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ results: [{ flagged, categories: { violence: flagged } }] }) });
/** A moderation endpoint that flags inputs mentioning an attack, and records every input. */
const flagsAttacks = (seen: string[]) => (req: CalloutRequest) => {
  const input = JSON.parse(Buffer.from(req.body).toString()).input as string;
  seen.push(input);
  return verdict(/attack/.test(input));
};
const sse = (body: string[]) => () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body });

const SENTENCE = "The weather is fine and the report is done; write to bob@example.com for more. ";
const words = (text: string) => text.split(/(?<= )/);

describe("streamed completions to external moderation", () => {
  it("sends the masked text in windows and lets an allowed stream end", async () => {
    const seen: string[] = [];
    const vm = auditVm(config(), new Host({ clusters: { moderation: flagsAttacks(seen) } }), held);
    const text = SENTENCE.repeat(12);
    const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(words(text), 7)) });
    const got = streamText(res.body);
    const masked = text.replaceAll("bob@example.com", "[EMAIL]");
    expect(got).toEqual({ text: masked, error: null, done: true });
    // Windows of at least 200 characters (the last one: what was left), which together are the text the client got.
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const w of seen.slice(0, -1)) expect(w.length).toBeGreaterThanOrEqual(200);
    expect(seen.join("")).toBe(masked);
    expect(auditEvent(res)).toMatchObject({ verdict: "mask", completion_moderation: "allowed" });
    expect(vm.trapped).toBe(false);
  });

  it("a flagged window ends the stream with the block error event instead of its end", async () => {
    const seen: string[] = [];
    const vm = auditVm(config(), new Host({ clusters: { moderation: flagsAttacks(seen) } }), held);
    const text = SENTENCE.repeat(3) + "Now the attack plan. " + SENTENCE.repeat(3);
    const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(words(text))) });
    const got = streamText(res.body);
    expect((got.error as { code: string }).code).toBe("content_blocked");
    expect(got.done).toBe(true);
    expect(res.body).not.toContain('"finish_reason":"stop"');
    expect(auditEvent(res)).toMatchObject({ verdict: "block", blocked_by: "moderation", blocked_in: "response", completion_moderation: "flagged: violence" });
    expect(vm.trapped).toBe(false);
  });

  it("a failed call: the stream ends normally under on_failure allow, with the error event under block", async () => {
    const text = SENTENCE.repeat(4);
    const open = await post(auditVm(config("allow"), new Host(), held), chatBody("hi", { stream: true }), { upstream: sse(chatStream(words(text))) });
    expect(streamText(open.body)).toMatchObject({ error: null, done: true });
    expect(String(auditEvent(open).completion_moderation)).toMatch(/^failed: /);
    const slow = { moderation: { ...verdict(false), delayMs: 5000 } };
    const closed = await post(auditVm(config("block"), new Host({ clusters: slow }), held), chatBody("hi", { stream: true }), { upstream: sse(chatStream(words(text))) });
    expect((streamText(closed.body).error as { code: string }).code).toBe("content_blocked");
    expect(auditEvent(closed)).toMatchObject({ blocked_by: "moderation", blocked_in: "response" });
    expect(String(auditEvent(closed).completion_moderation)).toMatch(/^failed: status 504/);
  });

  it("refuses a window smaller than 100 characters or larger than max_input_chars", () => {
    expect(() => auditVm(config("allow", 50), new Host(), held)).toThrow(/stream_window_chars/);
    expect(() => auditVm({ ...config(), moderation: { ...config().moderation, max_input_chars: 1000, stream_window_chars: 2000 } }, new Host(), held)).toThrow(/stream_window_chars/);
  });
});
