// Usage from the upstream is not trusted as given: each API and format with
// figures that are negative, fractional, strings, huge or past i64. Such a
// response counts what the filter counts when there is no usage at all (the
// estimate, marked), the key's window keeps what it had. And a JSON response
// cut by an upstream reset counts the generated text that arrived.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import type { UpstreamRequest, UpstreamResponse } from "../../host/exchange.ts";
import { buildFilter, header, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const LIMIT = 1_000_000;
const config = { limits: [{ name: "k", by: "header", key: "x-api-key", windows: { minute: LIMIT } }] };
const TEXT = "Usage figures come from strangers; count them with care.";
const WORDS = TEXT.split(" ");

type Api = "chat" | "messages" | "responses";
const PATHS: Record<Api, string> = { chat: "/v1/chat/completions", messages: "/v1/messages", responses: "/v1/responses" };

function requestOf(api: Api, stream: boolean, key = "a") {
  const body =
    api === "responses"
      ? { model: "gpt-4o", stream, input: "How are usage figures checked?" }
      : { model: "gpt-4o", stream, max_tokens: 100, ...(api === "chat" && stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: "user", content: "How are usage figures checked?" }] };
  return { method: "POST", path: PATHS[api], headers: { host: "gw", "content-type": "application/json", "x-api-key": key }, body: JSON.stringify(body) };
}

/**
 * An upstream whose usage figures are raw JSON text (JSON.stringify cannot
 * write 9223372036854775807), or no usage at all when `usage` is null.
 */
function rawUsageUpstream(api: Api, usage: { prompt: string; completion: string } | null, opts: { cutAfterBytes?: number } = {}) {
  return (req: UpstreamRequest): UpstreamResponse => {
    const stream = JSON.parse(req.bodyText).stream === true;
    const chatUsage = usage && `{"prompt_tokens":${usage.prompt},"completion_tokens":${usage.completion}}`;
    const ioUsage = usage && `{"input_tokens":${usage.prompt},"output_tokens":${usage.completion}}`;
    const text = JSON.stringify(TEXT);
    if (!stream) {
      const withUsage = (u: string | null) => (u ? `,"usage":${u}` : "");
      let body =
        api === "chat"
          ? `{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":${text}}}]${withUsage(chatUsage)}}`
          : api === "messages"
            ? `{"id":"m1","type":"message","role":"assistant","content":[{"type":"text","text":${text}}]${withUsage(ioUsage)}}`
            : `{"id":"r1","object":"response","output":[{"type":"message","content":[{"type":"output_text","text":${text}}]}]${withUsage(ioUsage)}}`;
      const cut = opts.cutAfterBytes !== undefined;
      if (cut) body = body.slice(0, opts.cutAfterBytes);
      return { status: 200, headers: [["content-type", "application/json"]], body, resetAfterBody: cut };
    }
    const ev = (data: string, name?: string) => (name ? `event: ${name}\n` : "") + `data: ${data}\n\n`;
    const events: string[] = [];
    if (api === "chat") {
      for (const w of WORDS) events.push(ev(`{"choices":[{"index":0,"delta":{"content":${JSON.stringify(w + " ")}}}]}`));
      if (chatUsage) events.push(ev(`{"choices":[],"usage":${chatUsage}}`));
      events.push("data: [DONE]\n\n");
    } else if (api === "messages") {
      events.push(ev(`{"type":"message_start","message":{"id":"m1"${usage ? `,"usage":{"input_tokens":${usage.prompt},"output_tokens":0}` : ""}}}`, "message_start"));
      for (const w of WORDS) events.push(ev(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(w + " ")}}}`, "content_block_delta"));
      events.push(ev(`{"type":"message_delta","delta":{"stop_reason":"end_turn"}${usage ? `,"usage":{"output_tokens":${usage.completion}}` : ""}}`, "message_delta"));
      events.push(ev(`{"type":"message_stop"}`, "message_stop"));
    } else {
      for (const w of WORDS) events.push(ev(`{"type":"response.output_text.delta","delta":${JSON.stringify(w + " ")}}`, "response.output_text.delta"));
      events.push(ev(`{"type":"response.completed","response":{"id":"r1","usage":${ioUsage ?? "null"}}}`, "response.completed"));
    }
    return { status: 200, headers: [["content-type", "text/event-stream"]], body: events };
  };
}

const BAD: [string, { prompt: string; completion: string }][] = [
  ["prompt i64 max + completion 1000 (the sum overflows i64)", { prompt: "9223372036854775807", completion: "1000" }],
  ["a count past i64", { prompt: "9223372036854775808", completion: "3" }],
  ["a count past 100 million", { prompt: "100000001", completion: "3" }],
  ["1e30", { prompt: "12", completion: "1e30" }],
  ["an exponent past f64", { prompt: "1e400", completion: "3" }],
  ["a negative count", { prompt: "12", completion: "-5000" }],
  ["a fractional count", { prompt: "12.5", completion: "3" }],
  ["a string", { prompt: '"12"', completion: "3" }],
  ["a boolean", { prompt: "12", completion: "true" }],
];

const FORMATS: [Api, boolean][] = [
  ["chat", false],
  ["chat", true],
  ["messages", false],
  ["messages", true],
  ["responses", false],
  ["responses", true],
];

describe("usage figures out of range", () => {
  for (const [api, stream] of FORMATS) {
    it(`${api} ${stream ? "stream" : "JSON"}: counted as if there were no usage, marked, and the window keeps its count`, async () => {
      for (const [label, usage] of BAD) {
        const host = new Host();
        const vm = startFilter(host, config);
        // What the filter counts when the response has no usage at all.
        const baseline = stateOf(await vm.exchange(requestOf(api, stream, "base"), { upstream: rawUsageUpstream(api, null) })) as State;
        expect(baseline.source).toBe("estimate");
        const res = await vm.exchange(requestOf(api, stream), { upstream: rawUsageUpstream(api, usage) });
        expect(res.status).toBe(200);
        const s = stateOf(res) as State;
        expect([label, s.source, s.prompt, s.completion]).toEqual([label, "estimate", baseline.prompt, baseline.completion]);
        expect(host.stats.counter("token_ratelimit_rejected_usage")).toBe(1);
        expect(host.stats.counter("token_ratelimit_estimated_requests.limit.k")).toBe(2);
        expect(host.stats.counter("token_ratelimit_prompt_tokens.limit.k")).toBe(2 * baseline.prompt);
        // The next request of the same key sees the window with this one's tokens in it, not a fresh budget.
        const next = await vm.exchange(requestOf(api, stream), { upstream: rawUsageUpstream(api, { prompt: "10", completion: "5" }) });
        const remaining = Number(header(next, "x-ratelimit-remaining-tokens"));
        expect([label, remaining <= LIMIT - (s.prompt + s.completion)]).toEqual([label, true]);
        expect((stateOf(next) as State).source).toBe("usage");
        expect(vm.trapped).toBe(false);
      }
    });
  }

  it("figures in range are taken exactly, up to 100 million, integral floats included", async () => {
    const vm = startFilter(new Host(), config);
    for (const [prompt, completion, want] of [["100000000", "0", [100_000_000, 0]], ["12.0", "3e1", [12, 30]], ["0", "0", [0, 0]]] as const) {
      const s = stateOf(await vm.exchange(requestOf("chat", false, `k${prompt}`), { upstream: rawUsageUpstream("chat", { prompt, completion }) })) as State;
      expect([s.source, s.prompt, s.completion]).toEqual(["usage", ...want]);
    }
  });

  it("Anthropic: a bad message_delta discredits the good message_start before it", async () => {
    const host = new Host();
    const vm = startFilter(host, config);
    const baseline = stateOf(await vm.exchange(requestOf("messages", true, "base"), { upstream: rawUsageUpstream("messages", null) })) as State;
    const upstream = (req: UpstreamRequest) => {
      const good = rawUsageUpstream("messages", { prompt: "17", completion: "9" })(req);
      const events = (good.body as string[]).map((e) => e.replace('"usage":{"output_tokens":9}', '"usage":{"output_tokens":-9}'));
      return { ...good, body: events };
    };
    const s = stateOf(await vm.exchange(requestOf("messages", true), { upstream })) as State;
    expect([s.source, s.prompt, s.completion]).toEqual(["estimate", baseline.prompt, baseline.completion]);
    expect(host.stats.counter("token_ratelimit_rejected_usage")).toBe(1);
  });
});

describe("a JSON response cut by an upstream reset", () => {
  const full = (rawUsageUpstream("chat", { prompt: "7", completion: "12" })({ bodyText: '{"stream":false}' } as UpstreamRequest).body as string);
  const textStart = full.indexOf('"content":"') + '"content":"'.length;

  it("counts the generated text that arrived, estimated, not the size of the JSON around it", async () => {
    const host = new Host();
    const vm = startFilter(host, config);
    const cutBefore = stateOf(await vm.exchange(requestOf("chat", false), { upstream: rawUsageUpstream("chat", { prompt: "7", completion: "12" }, { cutAfterBytes: textStart - 5 }) })) as State;
    const cutInside = stateOf(await vm.exchange(requestOf("chat", false), { upstream: rawUsageUpstream("chat", { prompt: "7", completion: "12" }, { cutAfterBytes: textStart + 24 }) })) as State;
    const cutAfter = stateOf(await vm.exchange(requestOf("chat", false), { upstream: rawUsageUpstream("chat", { prompt: "7", completion: "12" }, { cutAfterBytes: full.indexOf('"usage"') }) })) as State;
    const whole = stateOf(await vm.exchange(requestOf("chat", false), { upstream: rawUsageUpstream("chat", null) })) as State;
    for (const s of [cutBefore, cutInside, cutAfter]) {
      expect(s.source).toBe("estimate");
      expect(s.prompt).toBe(whole.prompt);
    }
    // Nothing of the text arrived: no completion (bytes / 4 would count the JSON around it).
    expect(cutBefore.completion).toBe(0);
    // Part of the text: more than nothing, less than all of it.
    expect(cutInside.completion).toBeGreaterThan(0);
    expect(cutInside.completion).toBeLessThan(whole.completion);
    // All of the text but not the usage: the whole text's estimate.
    expect(cutAfter.completion).toBe(whole.completion);
    expect(host.stats.counter("token_ratelimit_estimated_requests.limit.k")).toBe(4);
    expect(vm.trapped).toBe(false);
  });

  it("a complete body that is not JSON counts as text", async () => {
    const vm = startFilter(new Host(), config);
    const upstream = () => ({ status: 200, headers: [["content-type", "application/json"]] as [string, string][], body: TEXT });
    const s = stateOf(await vm.exchange(requestOf("chat", false), { upstream })) as State;
    const whole = stateOf(await vm.exchange(requestOf("chat", false), { upstream: rawUsageUpstream("chat", null) })) as State;
    expect(s.source).toBe("estimate");
    expect(s.completion).toBe(whole.completion);
  });
});

describe("a JSON reply that arrives in chunks", () => {
  const usage = '"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}';
  const reply = `{"object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":${JSON.stringify(TEXT.repeat(30))}}}],${usage}}`;
  const inChunks = (size: number) => {
    const b = Buffer.from(reply);
    const chunks: Buffer[] = [];
    for (let i = 0; i < b.length; i += size) chunks.push(b.subarray(i, i + size));
    return () => ({ status: 200, headers: [["content-type", "application/json"]] as [string, string][], body: chunks });
  };

  it("counts the usage it reports, whatever the chunks cut (names, figures)", async () => {
    const vm = startFilter(new Host(), config);
    for (const size of [reply.length, 1000, 97, 7, 1]) {
      const res = await vm.exchange(requestOf("chat", false), { upstream: inChunks(size) });
      expect(Buffer.from(res.bodyBytes).toString()).toBe(reply);
      expect(stateOf(res)).toMatchObject({ source: "usage", prompt: 11, completion: 7 });
    }
    expect(vm.trapped).toBe(false);
  });

  it("past max_response_bytes, one chunk or several, is estimated from its size", async () => {
    expect(reply.length).toBeGreaterThan(1024);
    const vm = startFilter(new Host(), { ...config, max_response_bytes: 1024 });
    for (const size of [reply.length, 1000, 600, 1]) {
      const s = stateOf(await vm.exchange(requestOf("chat", false), { upstream: inChunks(size) })) as State;
      expect(s.source).toBe("estimate");
      expect(s.completion).toBe(Math.ceil(reply.length / 4));
    }
    expect(vm.trapped).toBe(false);
  });
});
