// x-ratelimit-reset-tokens names when the window resets (a fixed window's
// end, a bucket's time to drain empty), on admitted responses and on 429s
// alike; retry-after is when the budget has room again, which is sooner
// when only reservations in flight fill it.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import { buildFilter, chatRequest, header, heldUpstream, llmUpstream, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const limit = (windows: Record<string, number>, algorithm = "fixed_window") => ({ limits: [{ name: "k", by: "header", key: "x-api-key", windows, algorithm }], completion_reserve: 200 });
// 10:20:30.250 UTC: 29.75 s to the minute's end, 13 h 39 min 29.75 s to the day's.
const AT = Date.UTC(2026, 0, 1, 10, 20, 30, 250);

describe("fixed windows", () => {
  it("an admitted request whose own reservation fills the minute: reset = the minute's end, not a second", async () => {
    const vm = startFilter(new Host({ epochMs: AT }), limit({ minute: 100 }));
    const res = await vm.exchange(chatRequest("hello", { "x-api-key": "a" }), { upstream: llmUpstream({ completion: 5 }) });
    expect(res.status).toBe(200);
    expect(header(res, "x-ratelimit-remaining-tokens")).toBe("0");
    expect(header(res, "x-ratelimit-reset-tokens")).toBe("30s");
    expect(vm.trapped).toBe(false);
  });

  it("a denial by reservations in flight: retry-after 1, reset = the window's end (minute and day)", async () => {
    for (const [windows, reset] of [[{ minute: 100 }, "30s"], [{ day: 100 }, "13h39m30s"]] as const) {
      const host = new Host({ epochMs: AT });
      const vm = startFilter(host, limit(windows));
      const held = heldUpstream(llmUpstream({ completion: 5 }));
      const inFlight = vm.exchange(chatRequest("hello", { "x-api-key": "a" }), { upstream: held.upstream });
      await new Promise((r) => setTimeout(r, 20));
      const denied = await vm.exchange(chatRequest("hello", { "x-api-key": "a" }), { upstream: llmUpstream() });
      expect(denied.status).toBe(429);
      expect(header(denied, "retry-after")).toBe("1");
      expect(header(denied, "x-ratelimit-reset-tokens")).toBe(reset);
      held.release();
      await inFlight;
      expect(vm.trapped).toBe(false);
    }
  });

  it("a denial by settled usage: retry-after and reset both the window's end", async () => {
    const vm = startFilter(new Host({ epochMs: AT }), limit({ minute: 20 }));
    await vm.exchange(chatRequest("hello", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream({ completion: 30 }) });
    const denied = await vm.exchange(chatRequest("hello", { "x-api-key": "a" }), { upstream: llmUpstream() });
    expect(denied.status).toBe(429);
    expect(header(denied, "retry-after")).toBe("30");
    expect(header(denied, "x-ratelimit-reset-tokens")).toBe("30s");
  });
});

describe("token bucket", () => {
  it("reset = the time the bucket takes to drain empty; a denial's retry-after = until it has room", async () => {
    const budget = 60; // a minute bucket: 1 token a second
    const vm = startFilter(new Host({ epochMs: AT }), limit({ minute: budget }, "token_bucket"));
    const first = await vm.exchange(chatRequest("hello", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream({ completion: 90 }) });
    const s = stateOf(first) as State;
    const level = s.prompt + s.completion;
    expect(level).toBeGreaterThan(budget);
    const denied = await vm.exchange(chatRequest("hello", { "x-api-key": "a" }), { upstream: llmUpstream() });
    expect(denied.status).toBe(429);
    expect(header(denied, "x-ratelimit-reset-tokens")).toBe(`1m${level - 60}s`);
    expect(header(denied, "retry-after")).toBe(String(level - budget + 1));
    // While admitted: the level with the reservation in it, drained at 1 token a second.
    const ok = await vm.exchange(chatRequest("hello", { "x-api-key": "b" }, { max_tokens: 0 }), { upstream: llmUpstream({ completion: 5 }) });
    expect(header(ok, "x-ratelimit-reset-tokens")).toBe(`${(stateOf(ok) as State).reserved}s`);
  });
});
