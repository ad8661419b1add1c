// The budget's bound in the host emulator: reservations that cover the
// completion (max-tokens cap, completion_reserve, the budget's peak), fixed
// windows whose edge is not free (in-flight reservations carry over, a late
// settlement counts in the window of its end), and the token bucket's burst.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import type { UpstreamRequest } from "../../host/exchange.ts";
import { buildFilter, chatRequest, countedBefore, header, heldUpstream, llmUpstream, startFilter, stateOf, type State, total } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const perKey = (windows: Record<string, number>, extra: Record<string, unknown> = {}, limit: Record<string, unknown> = {}) => ({
  limits: [{ name: "per-key", by: "header", key: "x-api-key", windows, ...limit }],
  ...extra,
});


describe("concurrent requests overshoot by at most one request, with the default configuration", () => {
  it("two workers, 48 requests held in flight, completions not capped by the request", async () => {
    const host = new Host();
    const budget = 2000;
    const cfg = perKey({ day: budget });
    const workers = [startFilter(host, cfg), startFilter(host, cfg)];
    const held = heldUpstream(llmUpstream({ completion: 60 }));
    const pending = Array.from({ length: 48 }, (_, i) => workers[i % 2].exchange(chatRequest(`request ${i} about budgets`, { "x-api-key": "a" }), { upstream: held.upstream }));
    await new Promise((r) => setTimeout(r, 50));
    held.release();
    const results = await Promise.all(pending);
    const admitted = results.filter((r) => r.status === 200).map((r) => stateOf(r) as State);
    const used = admitted.reduce((n, s) => n + total(s), 0);
    const largest = Math.max(...admitted.map(total));
    expect(used).toBeLessThanOrEqual(budget + largest);
    const denied = results.filter((r) => r.status === 429);
    expect(denied.length).toBeGreaterThan(0);
    // Denied while the budget was held by reservations in flight, not by usage: retry in a second, not tomorrow.
    for (const r of denied) expect(header(r, "retry-after")).toBe("1");
    // Each reservation covered its request: the allowance is completion_reserve (512 by default).
    for (const s of admitted) expect(s.reserved).toBeGreaterThanOrEqual(total(s));
    for (const w of workers) expect(w.trapped).toBe(false);
  });

  it("reserves the request's own cap when it gives one, above or below completion_reserve", async () => {
    const host = new Host();
    const vm = startFilter(host, perKey({ day: 1_000_000 }, { completion_reserve: 100 }));
    const upstream = llmUpstream({ completion: 5 });
    const capped = (extra: Record<string, unknown>) => vm.exchange(chatRequest("cap me", { "x-api-key": "a" }, extra), { upstream });
    const base = (stateOf(await capped({ max_tokens: 0 })) as State).reserved;
    expect((stateOf(await capped({ max_tokens: 40 })) as State).reserved).toBe(base + 40);
    expect((stateOf(await capped({ max_completion_tokens: 3000 })) as State).reserved).toBe(base + 3000);
    expect((stateOf(await capped({})) as State).reserved).toBe(base + 100);
  });

  it("raises the allowance to the largest completion the budget settled in the last hour", async () => {
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 10, 0, 0) });
    const vm = startFilter(host, perKey({ day: 1_000_000 }, { completion_reserve: 10 }));
    const base = (stateOf(await vm.exchange(chatRequest("peak", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream() })) as State).reserved;
    const long = stateOf(await vm.exchange(chatRequest("peak", { "x-api-key": "a" }), { upstream: llmUpstream({ completion: 300 }) })) as State;
    expect(long.reserved).toBe(base + 10);
    const next = stateOf(await vm.exchange(chatRequest("peak", { "x-api-key": "a" }), { upstream: llmUpstream({ completion: 5 }) })) as State;
    expect(next.reserved).toBe(base + long.completion);
    // Another key has its own peak; after an hour the peak is forgotten.
    expect((stateOf(await vm.exchange(chatRequest("peak", { "x-api-key": "b" }), { upstream: llmUpstream() })) as State).reserved).toBe(base + 10);
    host.advance(61 * 60_000);
    expect((stateOf(await vm.exchange(chatRequest("peak", { "x-api-key": "a" }), { upstream: llmUpstream() })) as State).reserved).toBe(base + 10);
  });
});

describe("fixed windows: the edge is not free", () => {
  it("a stream admitted at :57.5 and settled at :01.6 is counted in the new minute", async () => {
    const budget = 100_000;
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 10, 0, 57, 500) });
    const vm = startFilter(host, perKey({ minute: budget }));
    const upstream = llmUpstream({ completion: 400 });
    // The upstream answers 4.1 s later, after the minute changed.
    const slow = async (req: UpstreamRequest) => {
      host.advance(4100);
      return upstream(req);
    };
    const stream = await vm.exchange(chatRequest("a long stream across the minute", { "x-api-key": "a" }, { stream: true }), { upstream: slow });
    expect(new Date(host.scheduler.epochMs + host.nowMs).getUTCSeconds()).toBe(1);
    const used = total(stateOf(stream) as State);
    expect(used).toBeGreaterThan(400);
    const probe = await vm.exchange(chatRequest("probe", { "x-api-key": "a" }), { upstream: llmUpstream() });
    expect(countedBefore(probe, budget)).toBe(used);
    expect(vm.trapped).toBe(false);
  });

  it("reservations in flight at the edge carry into the new window", async () => {
    const budget = 100_000;
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 10, 0, 59, 900) });
    const vm = startFilter(host, perKey({ minute: budget }));
    const held = heldUpstream(llmUpstream({ completion: 20 }));
    const inFlight = vm.exchange(chatRequest("in flight over the edge", { "x-api-key": "a" }), { upstream: held.upstream });
    await new Promise((r) => setTimeout(r, 20));
    host.advance(200);
    const probe = await vm.exchange(chatRequest("probe", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream() });
    held.release();
    const first = stateOf(await inFlight) as State;
    // The probe (in the new minute) saw the first request's whole reservation.
    expect(countedBefore(probe, budget)).toBe(first.reserved);
    // Once settled, the new minute holds what both used.
    const next = await vm.exchange(chatRequest("next", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream() });
    expect(countedBefore(next, budget)).toBe(total(first) + total(stateOf(probe) as State));
  });
});

describe("reservations in flight", () => {
  it("are carried while their request runs, and dropped after 10 minutes without any activity on the slot (a VM that died)", async () => {
    const budget = 100_000;
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 10, 0, 0) });
    const cfg = perKey({ minute: budget });
    const [a, b] = [startFilter(host, cfg), startFilter(host, cfg)];
    const held = heldUpstream(llmUpstream({ completion: 20 }));
    // Never answered while the test looks: as if its worker had died.
    const lost = a.exchange(chatRequest("a request that never ends", { "x-api-key": "k" }), { upstream: held.upstream });
    await new Promise((r) => setTimeout(r, 20));
    host.advance(5 * 60_000);
    const probe = await b.exchange(chatRequest("probe", { "x-api-key": "k" }, { max_tokens: 0 }), { upstream: llmUpstream() });
    const carried = countedBefore(probe, budget);
    expect(carried).toBeGreaterThan(512);
    host.advance(11 * 60_000);
    const later = await b.exchange(chatRequest("probe", { "x-api-key": "k" }, { max_tokens: 0 }), { upstream: llmUpstream() });
    expect(countedBefore(later, budget)).toBe(0);
    held.release();
    await lost;
    for (const vm of [a, b]) expect(vm.trapped).toBe(false);
  });
});

describe("token bucket", () => {
  /** Spends requests of `key` until one is denied; returns the tokens the admitted ones used. */
  async function spend(vm: ReturnType<typeof startFilter>, key: string, max = 60): Promise<{ used: number; largest: number; denied: boolean }> {
    let used = 0;
    let largest = 0;
    for (let i = 0; i < max; i++) {
      const res = await vm.exchange(chatRequest(`spend ${i} tokens of the budget`, { "x-api-key": key }, { max_tokens: 50 }), { upstream: llmUpstream({ completion: 40 }) });
      if (res.status === 429) return { used, largest, denied: true };
      const t = total(stateOf(res) as State);
      used += t;
      largest = Math.max(largest, t);
    }
    return { used, largest, denied: false };
  }

  it("no 2x burst at a minute's edge: within 2 s a client gets at most the budget + 2 s of refill + one request (fixed: twice the budget)", async () => {
    const budget = 1000;
    const results: Record<string, { before: number; after: number; largest: number }> = {};
    for (const algorithm of ["fixed_window", "token_bucket"]) {
      const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 10, 0, 59, 0) });
      const vm = startFilter(host, perKey({ minute: budget }, {}, { algorithm }));
      const before = await spend(vm, "a");
      expect(before.denied).toBe(true);
      host.advance(2000);
      const after = await spend(vm, "a");
      expect(after.denied).toBe(true);
      results[algorithm] = { before: before.used, after: after.used, largest: Math.max(before.largest, after.largest) };
      expect(vm.trapped).toBe(false);
    }
    const bucket = results.token_bucket;
    expect(bucket.before + bucket.after).toBeLessThanOrEqual(budget + Math.ceil((budget * 2) / 60) + 2 * bucket.largest);
    expect(bucket.after).toBeLessThanOrEqual(Math.ceil((budget * 2) / 60) + bucket.largest);
    // The same client against a fixed window spends about twice the budget in those 2 s.
    const fixed = results.fixed_window;
    expect(fixed.before + fixed.after).toBeGreaterThan(2 * budget - 2 * fixed.largest);
  });

  it("refills continuously: half the budget after half the period, the whole after the period; over-reservations are given back", async () => {
    const budget = 1000;
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 10, 0, 0) });
    const vm = startFilter(host, perKey({ minute: budget }, {}, { algorithm: "token_bucket" }));
    const first = await spend(vm, "a");
    expect(first.denied).toBe(true);
    host.advance(30_000);
    const half = await spend(vm, "a");
    expect(half.used).toBeGreaterThan(budget / 2 - 2 * first.largest);
    expect(half.used).toBeLessThanOrEqual(budget / 2 + first.largest);
    // Spending stops with the bucket over the budget by less than one request; a period and a bit drains it all.
    host.advance(90_000);
    const probe = await vm.exchange(chatRequest("probe", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream() });
    expect(countedBefore(probe, budget)).toBe(0);
    // Reserved prompt + 50, used prompt + 40 or so: the difference went back into the bucket.
    const s = stateOf(probe) as State;
    const after = await vm.exchange(chatRequest("probe", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream() });
    expect(countedBefore(after, budget)).toBe(total(s));
    expect(header(after, "x-ratelimit-reset-tokens")).toMatch(/^\d+(ms|s)$/);
  });

  it("a denial's retry-after is when the bucket has room again, not the end of a window", async () => {
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 10, 0, 0) });
    const vm = startFilter(host, perKey({ hour: 1800 }, {}, { algorithm: "token_bucket" }));
    const spent = await spend(vm, "a");
    expect(spent.denied).toBe(true);
    const denied = await vm.exchange(chatRequest("again", { "x-api-key": "a" }), { upstream: llmUpstream() });
    expect(denied.status).toBe(429);
    // Half a token a second refills, and the bucket is over the budget by less than one request:
    // room again within a minute or so, not at the hour's end.
    expect(Number(header(denied, "retry-after"))).toBeLessThanOrEqual(2 * (spent.largest + 1) + 1);
    host.advance(Number(header(denied, "retry-after")) * 1000);
    expect((await vm.exchange(chatRequest("again", { "x-api-key": "a" }), { upstream: llmUpstream() })).status).toBe(200);
  });

  it("is refused with the rate limit service (it counts fixed windows)", () => {
    const cfg = { ...perKey({ minute: 10 }, {}, { algorithm: "token_bucket" }), ratelimit_service: { cluster: "rl", domain: "d" } };
    expect(() => startFilter(new Host(), cfg)).toThrow(/limits\[0\]\.algorithm`: token_bucket needs local mode/);
    expect(() => startFilter(new Host(), perKey({ minute: 10 }, {}, { algorithm: "sliding" }))).toThrow(/algorithm`: must be one of fixed_window, token_bucket/);
  });
});
