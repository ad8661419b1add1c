// Fleet mode in the host emulator: the rate limit service's JSON API through
// an HTTP call (descriptors, hits_addend), its decisions, settlement of usage
// above the reservation, and every way the service can fail.
import { beforeAll, describe, expect, it } from "vitest";
import type { CalloutRequest, ClusterBehavior } from "../../host/clusters.ts";
import { Host } from "../../host/index.ts";
import { buildFilter, chatRequest, header, llmUpstream, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const config = (failure_mode: string, extra: Record<string, unknown> = {}) => ({
  limits: [{ name: "per-key", by: "header", key: "x-api-key", windows: { minute: 1000, day: 50000 } }],
  ratelimit_service: { cluster: "ratelimit", domain: "llm-tokens", failure_mode },
  ...extra,
});

const ok = (remaining: number) => ({
  status: 200,
  headers: [["content-type", "application/json"]] as [string, string][],
  body: JSON.stringify({
    overallCode: "OK",
    statuses: [
      { code: "OK", currentLimit: { requestsPerUnit: 1000, unit: "MINUTE" }, limitRemaining: remaining, durationUntilReset: "42s" },
      { code: "OK", currentLimit: { requestsPerUnit: 50000, unit: "DAY" }, limitRemaining: 40000, durationUntilReset: "3600s" },
    ],
  }),
});

const overLimit = {
  status: 429,
  headers: [["content-type", "application/json"]] as [string, string][],
  body: JSON.stringify({ overallCode: "OVER_LIMIT", statuses: [{ code: "OVER_LIMIT", currentLimit: { requestsPerUnit: 1000, unit: "MINUTE" }, durationUntilReset: "12.5s" }, { code: "OK", currentLimit: { requestsPerUnit: 50000, unit: "DAY" }, limitRemaining: 100 }] }),
};

function recorded(host: Host): { descriptors: { entries: { key: string; value: string }[] }[]; hits_addend: number; domain: string }[] {
  return host.calls.map((c) => JSON.parse(Buffer.from(c.request.body).toString("utf8")));
}

describe("fleet mode (rate limit service JSON API)", () => {
  it("asks with one descriptor per limit and window, hits_addend = the prompt estimate (no completion allowance), and reports the tightest status", async () => {
    const host = new Host({ clusters: { ratelimit: ok(700) } });
    const vm = startFilter(host, config("deny", { completion_reserve: 10 }));
    const res = await vm.exchange(chatRequest("hello fleet", { "x-api-key": "k1" }, { max_tokens: 500 }), { upstream: llmUpstream({ completion: 3 }) });
    expect(res.status).toBe(200);
    const [ask] = recorded(host);
    expect(ask.domain).toBe("llm-tokens");
    expect(ask.descriptors).toEqual([{ entries: [{ key: "per-key_minute", value: "k1" }] }, { entries: [{ key: "per-key_day", value: "k1" }] }]);
    // The service cannot give tokens back: neither completion_reserve nor max_tokens is taken.
    const local = startFilter(new Host(), { limits: config("deny").limits });
    const estimate = (stateOf(await local.exchange(chatRequest("hello fleet", { "x-api-key": "k1" }, { max_tokens: 0 }), { upstream: llmUpstream() })) as State).reserved;
    expect(ask.hits_addend).toBe(estimate);
    expect((stateOf(res) as State).reserved).toBe(estimate);
    const call = host.calls[0].request;
    expect(call.headers).toEqual(expect.arrayContaining([[":method", "POST"], [":path", "/json"], [":authority", "ratelimit"]]));
    expect(header(res, "x-ratelimit-limit-tokens")).toBe("1000");
    expect(header(res, "x-ratelimit-remaining-tokens")).toBe("700");
    expect(header(res, "x-ratelimit-reset-tokens")).toBe("42s");
    expect(vm.trapped).toBe(false);
  });

  it("adds usage above the reservation with a second call that outlives the stream (unsigned hits)", async () => {
    const host = new Host({ clusters: { ratelimit: ok(900) } });
    const vm = startFilter(host, config("deny"));
    const res = await vm.exchange(chatRequest("short", { "x-api-key": "k1" }), { upstream: llmUpstream({ completion: 40 }) });
    host.advance(10);
    const s = stateOf(res) as State;
    const asks = recorded(host);
    expect(asks).toHaveLength(2);
    expect(asks[1].hits_addend).toBe(s.prompt + s.completion - s.reserved);
    // Together the service counted what the request used.
    expect(asks[0].hits_addend + asks[1].hits_addend).toBe(s.prompt + s.completion);
    // The stream is gone by now; the root context took the answer.
    expect(host.stats.counter("token_ratelimit_service_errors") ?? 0).toBe(0);
    expect(vm.trapped).toBe(false);
  });

  it("counts a settlement call the service could not take as a service error", async () => {
    let calls = 0;
    const host = new Host({ clusters: { ratelimit: () => (++calls === 1 ? ok(900) : { status: 503, body: "down" }) } });
    const vm = startFilter(host, config("deny"));
    await vm.exchange(chatRequest("short", { "x-api-key": "k1" }), { upstream: llmUpstream({ completion: 40 }) });
    host.advance(10);
    expect(calls).toBe(2);
    expect(host.stats.counter("token_ratelimit_service_errors")).toBe(1);
  });

  it("answers 429 with the service's limit and reset when it says OVER_LIMIT", async () => {
    const host = new Host({ clusters: { ratelimit: overLimit } });
    const vm = startFilter(host, config("allow"));
    const res = await vm.exchange(chatRequest("hello", { "x-api-key": "k1" }), { upstream: llmUpstream() });
    expect(res.status).toBe(429);
    expect(res.upstream).toBeNull();
    expect(header(res, "x-ratelimit-limit-tokens")).toBe("1000");
    expect(header(res, "x-ratelimit-remaining-tokens")).toBe("0");
    expect(header(res, "x-ratelimit-reset-tokens")).toBe("13s");
    expect(header(res, "retry-after")).toBe("13");
    expect(host.stats.counter("token_ratelimit_limited_requests.limit.per-key")).toBe(1);
  });

  const failures: [string, ClusterBehavior | null][] = [
    ["connection refused (503)", { fail: "connect-failure" }],
    ["no answer within timeout_ms (504)", { fail: "no-response" }],
    ["reset after the response started", { fail: "reset" }],
    ["a 500 from the service", { status: 500, body: "" }],
    ["a body that is not a RateLimitResponse", { status: 200, body: "<html>" }],
    ["an unknown cluster", null],
  ];
  for (const [what, behavior] of failures) {
    it(`service failure, ${what}: deny answers 503, allow forwards uncounted`, async () => {
      for (const mode of ["deny", "allow"]) {
        const host = new Host({ clusters: behavior === null ? {} : { ratelimit: behavior as ClusterBehavior } });
        const vm = startFilter(host, config(mode));
        const res = await vm.exchange(chatRequest("hello", { "x-api-key": "k1" }), { upstream: llmUpstream() });
        if (mode === "deny") {
          expect(res.status).toBe(503);
          expect(JSON.parse(res.body).error.code).toBe("rate_limit_service_unavailable");
        } else {
          expect(res.status).toBe(200);
          expect(res.upstream).not.toBeNull();
        }
        expect(host.stats.counter("token_ratelimit_service_errors")).toBe(1);
        expect(vm.trapped).toBe(false);
      }
    });
  }

  it("only counts requests a limit applies to", async () => {
    const seen: CalloutRequest[] = [];
    const host = new Host({ clusters: { ratelimit: (req) => (seen.push(req), ok(10)) } });
    const vm = startFilter(host, config("deny"));
    expect((await vm.exchange(chatRequest("no key"), { upstream: llmUpstream() })).status).toBe(200);
    expect(seen).toHaveLength(0);
  });
});
