// The filter in the host emulator: exact settlement for each API and format,
// reserve-then-settle across workers, windows, denial headers, key sources.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import { buildFilter, chatRequest, header, llmUpstream, promptOf, startFilter, stateOf, type State } from "./helpers.ts";
import { countTokens } from "../../upstreams/llm.ts";

beforeAll(buildFilter, 120_000);

const MINUTE = 60_000;
const perKey = (tokens: number, extra: Record<string, unknown> = {}) => ({
  limits: [{ name: "per-key", by: "header", key: "x-api-key", windows: { minute: tokens } }],
  ...extra,
});

describe("settles to the upstream's usage", () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ["chat json", "/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "How many tokens is this?" }] }],
    ["chat stream (include_usage)", "/v1/chat/completions", { model: "m", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Stream me." }] }],
    ["anthropic json", "/v1/messages", { model: "m", max_tokens: 100, system: "Be brief.", messages: [{ role: "user", content: "Hi there" }] }],
    ["anthropic stream", "/v1/messages", { model: "m", max_tokens: 100, stream: true, messages: [{ role: "user", content: "你好，世界" }] }],
    ["responses json", "/v1/responses", { model: "m", input: "Say something." }],
    ["responses stream", "/v1/responses", { model: "m", stream: true, input: "Say something streamed." }],
  ];
  for (const [name, path, body] of cases) {
    it(name, async () => {
      const host = new Host();
      const vm = startFilter(host, perKey(100_000));
      const upstream = llmUpstream({ completion: 9, chunkSplit: 7 });
      const res = await vm.exchange({ method: "POST", path, headers: { host: "gw", "x-api-key": "k1", "content-type": "application/json" }, body: JSON.stringify(body) }, { upstream });
      expect(res.status).toBe(200);
      const s = stateOf(res) as State;
      expect(s.source).toBe("usage");
      expect(s.prompt).toBe(promptOf(res.upstream!.bodyText));
      expect(s.completion).toBe(countTokens(Array.from({ length: 9 }, (_, i) => "Tokens are counted exactly, here and there.".split(" ")[i % 7]).join(" ")));
      expect(host.stats.counter("token_ratelimit_prompt_tokens.limit.per-key")).toBe(s.prompt);
      expect(host.stats.counter("token_ratelimit_completion_tokens.limit.per-key")).toBe(s.completion);
      expect(vm.trapped).toBe(false);
    });
  }
});

describe("admission", () => {
  it("denies with a 429 in OpenAI format once the window's budget is used, and admits again in the next window", async () => {
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 0, 0, 10) });
    const vm = startFilter(host, perKey(60));
    const upstream = llmUpstream({ completion: 20 });
    const first = await vm.exchange(chatRequest("one two three", { "x-api-key": "a" }), { upstream });
    expect(first.status).toBe(200);
    expect(header(first, "x-ratelimit-limit-tokens")).toBe("60");
    const used = (stateOf(first) as State).prompt + (stateOf(first) as State).completion;
    const second = await vm.exchange(chatRequest("one two three", { "x-api-key": "a" }), { upstream });
    expect(second.status).toBe(200);
    expect(Number(header(second, "x-ratelimit-remaining-tokens"))).toBeLessThan(60 - used);
    let denied = second;
    for (let i = 0; i < 5 && denied.status === 200; i++) denied = await vm.exchange(chatRequest("one two three", { "x-api-key": "a" }), { upstream });
    expect(denied.status).toBe(429);
    expect(JSON.parse(denied.body).error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" });
    expect(header(denied, "x-ratelimit-remaining-tokens")).toBe("0");
    expect(header(denied, "x-ratelimit-limit-tokens")).toBe("60");
    const retry = Number(header(denied, "retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(50);
    expect(header(denied, "x-ratelimit-reset-tokens")).toMatch(/^\d+s$/);
    expect(host.stats.counter("token_ratelimit_limited_requests.limit.per-key")).toBe(1);
    // Another key has its own budget.
    expect((await vm.exchange(chatRequest("one", { "x-api-key": "b" }), { upstream })).status).toBe(200);
    host.advance(MINUTE);
    expect((await vm.exchange(chatRequest("one two three", { "x-api-key": "a" }), { upstream })).status).toBe(200);
    expect(vm.trapped).toBe(false);
  });

  it("needs every window to admit (minute and day), and denies on the day window after the minute resets", async () => {
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 0, 0, 0) });
    const vm = startFilter(host, { limits: [{ name: "k", by: "header", key: "x-api-key", windows: { minute: 1000, day: 40 } }] });
    const upstream = llmUpstream({ completion: 30 });
    expect((await vm.exchange(chatRequest("hello", { "x-api-key": "a" }), { upstream })).status).toBe(200);
    expect((await vm.exchange(chatRequest("hello", { "x-api-key": "a" }), { upstream })).status).toBe(200);
    host.advance(MINUTE);
    const denied = await vm.exchange(chatRequest("hello", { "x-api-key": "a" }), { upstream });
    expect(denied.status).toBe(429);
    expect(header(denied, "x-ratelimit-limit-tokens")).toBe("40");
    expect(header(denied, "x-ratelimit-reset-tokens")).toBe("23h59m0s");
  });

  it("reserves before forwarding: requests in flight on two workers cannot overshoot", async () => {
    const host = new Host();
    const cfg = perKey(100, { completion_reserve: 40 });
    const workers = [startFilter(host, cfg), startFilter(host, cfg)];
    // Upstream answers are held until all requests were admitted or denied.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const upstream = llmUpstream({ completion: 30 });
    const held = async (req: Parameters<typeof upstream>[0]) => {
      await gate;
      return upstream(req);
    };
    const pending = Array.from({ length: 8 }, (_, i) => workers[i % 2].exchange(chatRequest("same prompt", { "x-api-key": "a" }), { upstream: held }));
    await new Promise((r) => setTimeout(r, 50));
    release();
    const results = await Promise.all(pending);
    const admitted = results.filter((r) => r.status === 200);
    // Each reservation is prompt estimate + 40; admitted while used < 100.
    const reserved = (stateOf(admitted[0]) as State).reserved;
    expect(admitted.length).toBe(Math.ceil(100 / reserved));
    const counted = admitted.reduce((n, r) => n + (stateOf(r) as State).prompt + (stateOf(r) as State).completion, 0);
    const maxOne = Math.max(...admitted.map((r) => (stateOf(r) as State).reserved));
    expect(counted).toBeLessThanOrEqual(100 + maxOne);
    for (const w of workers) expect(w.trapped).toBe(false);
  });

  it("releases the reservation of a failed upstream response", async () => {
    const host = new Host();
    const vm = startFilter(host, perKey(50, { completion_reserve: 45 }));
    for (let i = 0; i < 5; i++) {
      const res = await vm.exchange(chatRequest("hello", { "x-api-key": "a" }), { upstream: llmUpstream({ status: 503 }) });
      expect(res.status).toBe(503);
      expect(stateOf(res)).toMatchObject({ prompt: 0, completion: 0, source: "failed" });
    }
    const ok = await vm.exchange(chatRequest("hello", { "x-api-key": "a" }), { upstream: llmUpstream() });
    expect(ok.status).toBe(200);
  });

  it("counts an estimate, never zero, when the response has no usage, and marks it", async () => {
    const host = new Host();
    const vm = startFilter(host, perKey(100_000));
    for (const stream of [false, true]) {
      const res = await vm.exchange(chatRequest("estimate me please", { "x-api-key": "a" }, { stream }), { upstream: llmUpstream({ omitUsage: true, completion: 12 }) });
      const s = stateOf(res) as State;
      expect(s.source).toBe("estimate");
      expect(s.prompt).toBeGreaterThanOrEqual(countTokens("estimate me please"));
      expect(s.completion).toBeGreaterThanOrEqual(12);
    }
    expect(host.stats.counter("token_ratelimit_estimated_requests.limit.per-key")).toBe(2);
    expect(host.stats.counter("token_ratelimit_estimated_tokens.limit.per-key")).toBeGreaterThan(0);
  });

  it("adds stream_options.include_usage for the count and cuts the usage chunk the client did not ask for", async () => {
    const host = new Host();
    const vm = startFilter(host, perKey(100_000));
    const res = await vm.exchange(chatRequest("stream without usage", { "x-api-key": "a" }, { stream: true }), { upstream: llmUpstream({ completion: 6, chunkSplit: 5 }) });
    expect(JSON.parse(res.upstream!.bodyText).stream_options).toEqual({ include_usage: true });
    expect(stateOf(res)).toMatchObject({ source: "usage", prompt: countTokens("stream without usage") });
    expect(res.body).not.toContain('"usage"');
    expect(res.body.endsWith("data: [DONE]\n\n")).toBe(true);
    const asked = await vm.exchange(chatRequest("stream with usage", { "x-api-key": "a" }, { stream: true, stream_options: { include_usage: true } }), { upstream: llmUpstream({ completion: 6 }) });
    expect(asked.body).toContain('"usage"');
  });

  it("leaves requests without the key, or without a body, alone", async () => {
    const host = new Host();
    const vm = startFilter(host, perKey(1));
    const upstream = llmUpstream();
    for (let i = 0; i < 3; i++) {
      const res = await vm.exchange({ ...chatRequest("no key here"), headers: { ...chatRequest("").headers, "content-length": String(chatRequest("no key here").body.length) } }, { upstream });
      expect(res.status).toBe(200);
      // Not buffered, not rewritten: the upstream gets the request as sent.
      expect(res.upstream!.headers.get("content-length")).toBe(String(chatRequest("no key here").body.length));
    }
    const get = await vm.exchange({ method: "GET", path: "/v1/models", headers: { host: "gw", "x-api-key": "a" } });
    expect(get.status).toBe(200);
    expect(host.stats.counter("token_ratelimit_admitted_requests.limit.per-key")).toBe(0);
  });

  it("switches the quota headers off", async () => {
    const host = new Host();
    const vm = startFilter(host, perKey(1000, { response_headers: false }));
    const res = await vm.exchange(chatRequest("hi", { "x-api-key": "a" }), { upstream: llmUpstream() });
    expect(header(res, "x-ratelimit-limit-tokens")).toBeUndefined();
  });
});
