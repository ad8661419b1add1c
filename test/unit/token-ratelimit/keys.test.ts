// Key sources, bounded local state, configuration errors and the prompt
// estimator, in the host emulator.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import { countTokens } from "../../upstreams/llm.ts";
import { buildFilter, chatRequest, header, llmUpstream, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const tiny = (limit: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ limits: [{ name: "l", windows: { minute: 1 }, ...limit }], ...extra });

/** Sends two requests with the same request options; true when the second was limited (the key applied and was shared). */
async function secondLimited(cfg: unknown, req: ReturnType<typeof chatRequest>, opts: { sourceAddress?: string } = {}): Promise<boolean> {
  const vm = startFilter(new Host(), cfg);
  await vm.exchange(req, { upstream: llmUpstream(), ...opts });
  const second = await vm.exchange(req, { upstream: llmUpstream(), ...opts });
  expect(vm.trapped).toBe(false);
  return second.status === 429;
}

describe("limit keys", () => {
  it("consumer (header set by an auth filter, name configurable)", async () => {
    expect(await secondLimited(tiny({ by: "consumer" }), chatRequest("hi", { "x-mse-consumer": "alice" }))).toBe(true);
    expect(await secondLimited(tiny({ by: "consumer" }, { consumer_header: "x-consumer" }), chatRequest("hi", { "x-consumer": "alice" }))).toBe(true);
    expect(await secondLimited(tiny({ by: "consumer" }), chatRequest("hi"))).toBe(false);
  });

  it("query parameter and cookie", async () => {
    const q = { ...chatRequest("hi"), path: "/v1/chat/completions?tenant=acme%20corp&x=1" };
    expect(await secondLimited(tiny({ by: "query", key: "tenant", values: ["acme corp"] }), q)).toBe(true);
    expect(await secondLimited(tiny({ by: "query", key: "tenant", values: ["other"] }), q)).toBe(false);
    expect(await secondLimited(tiny({ by: "cookie", key: "session" }), chatRequest("hi", { cookie: "a=1; session=s42" }))).toBe(true);
  });

  it("client IP from the peer address or a trusted header, inside CIDR ranges", async () => {
    const ip = (cidrs: string[], extra = {}) => tiny({ by: "ip", cidrs }, extra);
    expect(await secondLimited(ip(["10.0.0.0/8"]), chatRequest("hi"), { sourceAddress: "10.1.2.3:5555" })).toBe(true);
    expect(await secondLimited(ip(["10.0.0.0/8"]), chatRequest("hi"), { sourceAddress: "192.168.1.1:5555" })).toBe(false);
    expect(await secondLimited(ip(["2001:db8::/32"]), chatRequest("hi"), { sourceAddress: "[2001:db8::7]:443" })).toBe(true);
    const viaHeader = ip(["203.0.113.0/24"], { client_ip_header: "x-forwarded-for" });
    expect(await secondLimited(viaHeader, chatRequest("hi", { "x-forwarded-for": "1.1.1.1, 203.0.113.9" }))).toBe(true);
    expect(await secondLimited(viaHeader, chatRequest("hi", { "x-forwarded-for": "203.0.113.9, 1.1.1.1" }))).toBe(false);
  });

  it("client IP header sent as several lines: the last entry of the last line (what the trusted proxy appended), not the client's own first line", async () => {
    const vm = startFilter(new Host(), tiny({ by: "ip" }, { client_ip_header: "x-client-chain" }));
    const statuses: (number | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const req = chatRequest("hi");
      const headers: [string, string][] = [...Object.entries(req.headers), ["x-client-chain", `198.51.100.${i}`], ["x-client-chain", "10.9.8.7, 203.0.113.9"]];
      statuses.push((await vm.exchange({ ...req, headers }, { upstream: llmUpstream() })).status);
    }
    // One client behind the proxy, whatever it writes first: one budget of 1 token.
    expect(statuses).toEqual([200, 429, 429]);
    expect(vm.trapped).toBe(false);
  });

  it("model, route, and one shared budget for every value", async () => {
    expect(await secondLimited(tiny({ by: "model", values: ["demo-base"] }), chatRequest("hi"))).toBe(true);
    expect(await secondLimited(tiny({ by: "model", values: ["gpt-x"] }), chatRequest("hi"))).toBe(false);
    expect(await secondLimited(tiny({ by: "route" }), chatRequest("hi"))).toBe(true);
    const vm = startFilter(new Host(), tiny({ by: "header", key: "x-team", shared: true }));
    await vm.exchange(chatRequest("hi", { "x-team": "a" }), { upstream: llmUpstream() });
    expect((await vm.exchange(chatRequest("hi", { "x-team": "b" }), { upstream: llmUpstream() })).status).toBe(429);
  });

  it("Higress _rules_: per-route and per-domain budgets, global for the rest", async () => {
    const host = new Host();
    const vm = startFilter(host, {
      limits: [{ name: "global", by: "all", windows: { minute: 1_000_000 } }],
      _rules_: [{ _match_domain_: ["strict.example.com"], limits: [{ name: "strict", by: "all", windows: { minute: 1 } }] }],
    });
    const strict = (t: string) => ({ ...chatRequest(t), headers: { ...chatRequest(t).headers, host: "strict.example.com" } });
    await vm.exchange(strict("one"), { upstream: llmUpstream() });
    expect((await vm.exchange(strict("two"), { upstream: llmUpstream() })).status).toBe(429);
    expect((await vm.exchange(chatRequest("other domain"), { upstream: llmUpstream() })).status).toBe(200);
    expect(host.stats.counter("token_ratelimit_limited_requests.limit.strict")).toBe(1);
  });
});

describe("local state stays bounded", () => {
  it("keeps max_keys slots however many values pass, and reclaims them when their windows end", async () => {
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1) });
    const vm = startFilter(host, { limits: [{ name: "ip", by: "header", key: "x-user", max_keys: 16, windows: { second: 1_000_000 } }] });
    const keys = () => host.sharedData.keys("token-ratelimit").length;
    expect(keys()).toBe(16);
    let untracked = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 40; i++) {
        const res = await vm.exchange(chatRequest("hi", { "x-user": `u${round}-${i}` }), { upstream: llmUpstream() });
        expect(res.status).toBe(200);
      }
      untracked = host.stats.counter("token_ratelimit_untracked_requests.limit.ip") ?? 0;
      host.advance(1000);
    }
    expect(keys()).toBe(16);
    // Each second the table fills and the rest go untracked; after the window passes, slots are reused.
    expect(untracked).toBeGreaterThan(0);
    expect(host.stats.counter("token_ratelimit_admitted_requests.limit.ip")).toBeGreaterThanOrEqual(5 * 16);
  });
});

describe("configuration errors are refused with the field and the reason", () => {
  const cases: [unknown, RegExp][] = [
    [{}, /field `limits`: is required/],
    [{ limits: [{ name: "x", by: "header", windows: { minute: 10 } }] }, /field `limits\[0\]\.key`: is required/],
    [{ limits: [{ name: "x", by: "all", windows: { week: 10 } }] }, /field `limits\[0\]\.windows\.week`: unknown field/],
    [{ limits: [{ name: "x", by: "all", windows: { minute: 0 } }] }, /limits\[0\]\.windows\.minute`: must be an integer between 1 and 1000000000000000 \(got 0\)/],
    [{ limits: [{ name: "x", by: "ip", cidrs: ["10.0.0.0/33"], windows: { minute: 1 } }] }, /cidrs`: entry 0 is not an IPv4\/IPv6 address/],
    [{ limits: [{ name: "a b", by: "all", windows: { minute: 1 } }] }, /name`: must be 1-64 characters/],
    [{ limits: [{ name: "x", by: "all", windows: { minute: 1 } }, { name: "x", by: "all", windows: { hour: 1 } }] }, /duplicates/],
    [{ limits: [{ name: "x", by: "all", windows: { minute: 1 } }], ratelimit_service: { domain: "d" } }, /ratelimit_service\.cluster`: is required/],
    [{ limits: [{ name: "x", by: "all", windows: { minute: 1 } }], ratelimit_service: { cluster: "rl", domain: "d", path: "json" } }, /ratelimit_service\.path`: must start with \//],
  ];
  for (const [cfg, message] of cases) {
    it(JSON.stringify(cfg).slice(0, 80), () => {
      expect(() => startFilter(new Host(), cfg)).toThrow(message);
    });
  }
});

// max_tokens 0 leaves no completion allowance: the reservation is the prompt estimate alone.
describe("prompt estimator", () => {
  const english = [
    "The quick brown fox jumps over the lazy dog.",
    "Rate limiting by tokens, not requests, protects an LLM budget from a burst of concurrent calls.",
    "internationalization and localization are often abbreviated i18n and l10n; numbers like 1234567 split too.",
    "Hello, world! How are you today? I'm fine -- thanks for asking :)",
  ];
  const chinese = ["你好，世界！", "请用三句话解释一下什么是令牌限流，以及它为什么重要。", "大型语言模型按令牌计费，而不是按请求计费。"];
  const mixed = ["用 Python 写一个 rate limiter，支持 per-minute 和 per-day 窗口。", "emoji 😀🎉 and symbols → ≥ ©"];

  for (const text of [...english, ...chinese, ...mixed]) {
    it(`never below the upstream tokenizer, at most ~2.5x: ${text.slice(0, 30)}`, async () => {
      const vm = startFilter(new Host(), { limits: [{ name: "l", by: "all", windows: { minute: 1_000_000 } }] });
      const res = await vm.exchange(chatRequest(text, {}, { max_tokens: 0 }), { upstream: llmUpstream() });
      const estimate = (stateOf(res) as State).reserved - 6; // minus per-message and reply-priming overhead
      const real = countTokens(text);
      expect(estimate).toBeGreaterThanOrEqual(real);
      expect(estimate).toBeLessThanOrEqual(Math.ceil(real * 2.5) + 2);
    });
  }

  it("counts Chinese per character (chars/4 would undercount four times)", async () => {
    const text = "大型语言模型按令牌计费".repeat(20);
    const vm = startFilter(new Host(), { limits: [{ name: "l", by: "all", windows: { minute: 1_000_000 } }] });
    const res = await vm.exchange(chatRequest(text, {}, { max_tokens: 0 }), { upstream: llmUpstream() });
    const estimate = (stateOf(res) as State).reserved - 6;
    expect(estimate).toBeGreaterThanOrEqual([...text].length);
    expect(header(res, "x-ratelimit-remaining-tokens")).toBeDefined();
  });
});

describe("hostile responses never trap the VM", () => {
  it("random bytes, truncated JSON, huge events, as JSON or as SSE, with and without the injected usage request", async () => {
    const host = new Host();
    const vm = startFilter(host, { limits: [{ name: "l", by: "all", windows: { minute: 1_000_000_000 } }], max_response_bytes: 4096 });
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
    const bodies: (string | Buffer)[] = [
      noise(300),
      '{"usage":{"prompt_tokens":',
      'data: {"choices":[],"usage":{"prompt_tokens":"x"}}\n\n',
      "data: " + "\\".repeat(5000) + "\n\n",
      'data: {"delta":"' + "\\u".repeat(100) + '"}\n\ndata: {"usage":' + "[".repeat(500) + "\n\n",
      "data: " + "a".repeat(2_100_000) + "\n\n",
      '{"choices":[{"message":{"content":"' + "好".repeat(3000) + '"}}]}',
    ];
    for (const body of bodies) {
      for (const type of ["application/json", "text/event-stream"]) {
        for (const stream of [false, true]) {
          const chunks: Buffer[] = [];
          const b = Buffer.from(body);
          for (let i = 0; i < b.length; i += 997) chunks.push(b.subarray(i, i + 997));
          const res = await vm.exchange(chatRequest("hostile", {}, { stream }), { upstream: () => ({ status: 200, headers: [["content-type", type]], body: chunks }) });
          expect(res.status).toBe(200);
          // Nothing here is a usage chunk to cut: every byte reaches the client as sent.
          expect(Buffer.from(res.bodyBytes).equals(b)).toBe(true);
          expect(vm.trapped).toBe(false);
        }
      }
    }
    expect(host.stats.counter("token_ratelimit_estimated_requests.limit.l")).toBeGreaterThan(0);
  }, 120_000);
});
