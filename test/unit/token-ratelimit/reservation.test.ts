// What a reservation must cover for the bound to hold: every completion a
// request asks for (OpenAI's `n`), its cap however the number is written,
// and every part of the body the provider turns into prompt tokens (tool
// and function definitions, output schemas), priced against OpenAI's own
// tokenizer.
import { encode as o200k } from "gpt-tokenizer/encoding/o200k_base";
import { beforeAll, describe, expect, it } from "vitest";
import type { UpstreamRequest, UpstreamResponse } from "../../host/exchange.ts";
import { Host } from "../../host/index.ts";
import { buildFilter, chatRequest, heldUpstream, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const perKey = (minute: number) => ({ limits: [{ name: "per-key", by: "header", key: "x-api-key", windows: { minute } }] });
const PROMPT_TOKENS = 5;

/** OpenAI chat with `n` choices, each as long as the request's cap allows. */
function choicesUpstream(req: UpstreamRequest): UpstreamResponse {
  const body = JSON.parse(req.bodyText);
  const n = Number(body.n ?? 1);
  const cap = Number(body.max_completion_tokens ?? body.max_tokens);
  const choices = Array.from({ length: n }, (_, i) => ({ index: i, message: { role: "assistant", content: "word ".repeat(cap) }, finish_reason: "length" }));
  const usage = { prompt_tokens: PROMPT_TOKENS, completion_tokens: n * cap, total_tokens: PROMPT_TOKENS + n * cap };
  return { status: 200, headers: [["content-type", "application/json"]], body: JSON.stringify({ object: "chat.completion", choices, usage }) };
}

describe("the completion allowance", () => {
  it("covers every choice of n > 1 (the cap is per choice)", async () => {
    const vm = startFilter(new Host(), perKey(1_000_000));
    const res = await vm.exchange(chatRequest("hi", { "x-api-key": "a" }, { n: 4, max_tokens: 100 }), { upstream: choicesUpstream });
    const s = stateOf(res) as State;
    expect(s.source).toBe("usage");
    expect(s.completion).toBe(400);
    expect(s.reserved).toBeGreaterThanOrEqual(s.prompt + s.completion);
    expect(vm.trapped).toBe(false);
  });

  it("only chat has n: a Responses or Anthropic request with an `n` member reserves one completion", async () => {
    const vm = startFilter(new Host(), perKey(1_000_000));
    for (const path of ["/v1/responses", "/v1/messages"]) {
      const body = JSON.stringify({ model: "m", n: 4, max_tokens: 100, max_output_tokens: 100, input: "hi", system: "s", messages: [{ role: "user", content: "hi" }] });
      const res = await vm.exchange({ method: "POST", path, headers: { host: "gw", "x-api-key": "a", "content-type": "application/json" }, body }, { upstream: () => ({ status: 200, headers: [["content-type", "application/json"]], body: '{"usage":{"input_tokens":1,"output_tokens":1}}' }) });
      expect((stateOf(res) as State).reserved, path).toBeLessThan(200);
    }
    expect(vm.trapped).toBe(false);
  });

  it("n > 1 requests in flight together overshoot by less than one request (the bound)", async () => {
    const budget = 1000;
    const host = new Host();
    const vm = startFilter(host, perKey(budget));
    const held = heldUpstream(choicesUpstream);
    const all = Array.from({ length: 10 }, () => vm.exchange(chatRequest("hi", { "x-api-key": "a" }, { n: 4, max_tokens: 100 }), { upstream: held.upstream }));
    await new Promise((r) => setTimeout(r, 20));
    held.release();
    const results = await Promise.all(all);
    const used = results.map((r) => stateOf(r)).filter((s): s is State => typeof s === "object" && s !== null).map((s) => s.prompt + s.completion);
    const oneRequest = PROMPT_TOKENS + 400;
    expect(used.reduce((a, b) => a + b, 0)).toBeLessThan(budget + oneRequest);
    expect(results.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(vm.trapped).toBe(false);
  });

  it("reads a cap written as 100.0 or 1e2, and takes the largest when several are given", async () => {
    const vm = startFilter(new Host(), perKey(1_000_000));
    for (const [raw, cap] of [['"max_tokens":100.0', 100], ['"max_tokens":1e2', 100], ['"max_tokens":50,"max_completion_tokens":700', 700], ['"max_completion_tokens":50,"max_tokens":700', 700]] as const) {
      const body = `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],${raw}}`;
      const res = await vm.exchange({ ...chatRequest("hi", { "x-api-key": "a" }), body }, { upstream: choicesUpstream });
      const s = stateOf(res) as State;
      expect(s.reserved, raw).toBeGreaterThanOrEqual(cap);
      expect(s.reserved, raw).toBeLessThan(cap + 20);
    }
    expect(vm.trapped).toBe(false);
  });
});

describe("the prompt estimate", () => {
  // An output schema and function definitions of 150 fields: thousands of prompt tokens outside `messages`.
  const schema = {
    type: "object",
    properties: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`field_${i}`, { type: "string", description: `The customer's answer to question ${i}, verbatim.` }])),
    required: Array.from({ length: 150 }, (_, i) => `field_${i}`),
  };
  const tokensOf = (v: unknown) => o200k(JSON.stringify(v)).length;
  const cases: [string, string, Record<string, unknown>, unknown][] = [
    ["chat response_format (json_schema)", "/v1/chat/completions", { response_format: { type: "json_schema", json_schema: { name: "answers", schema } } }, schema],
    ["chat functions (legacy)", "/v1/chat/completions", { functions: [{ name: "record", description: "Record the answers.", parameters: schema }] }, schema],
    ["chat tools", "/v1/chat/completions", { tools: [{ type: "function", function: { name: "record", description: "Record the answers.", parameters: schema } }] }, schema],
    ["responses text.format", "/v1/responses", { text: { format: { type: "json_schema", name: "answers", schema } } }, schema],
  ];
  for (const [name, path, extra, definition] of cases) {
    it(`counts ${name} (against o200k_base)`, async () => {
      const vm = startFilter(new Host(), perKey(1_000_000));
      const input = path.endsWith("/responses") ? { input: "Fill the form." } : { messages: [{ role: "user", content: "Fill the form." }] };
      const body = JSON.stringify({ model: "gpt-4o", max_tokens: 0, max_output_tokens: 0, ...input, ...extra });
      const res = await vm.exchange({ method: "POST", path, headers: { host: "gw", "x-api-key": "a", "content-type": "application/json" }, body }, { upstream: () => ({ status: 200, headers: [["content-type", "application/json"]], body: '{"usage":{"prompt_tokens":1,"completion_tokens":0}}' }) });
      expect((stateOf(res) as State).reserved).toBeGreaterThanOrEqual(tokensOf(definition));
      expect(vm.trapped).toBe(false);
    });
  }
});
