// Anthropic's usage comes in parts: message_start carries the prompt and a
// placeholder output count (0 or 1, written before any text), message_delta
// the completion's size; input_tokens leaves out the prompt read from or
// written to the prompt cache, which comes in cache_read_input_tokens and
// cache_creation_input_tokens.
import { encode as cl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { encode as o200k } from "gpt-tokenizer/encoding/o200k_base";
import { beforeAll, describe, expect, it } from "vitest";
import type { UpstreamResponse } from "../../host/exchange.ts";
import { Host } from "../../host/index.ts";
import { buildFilter, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const CONFIG = { limits: [{ name: "per-key", by: "header", key: "x-api-key", windows: { minute: 1_000_000 } }] };
const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
const TEXT = "The quarterly report shows revenue growth in every region except the north, where supply problems slowed deliveries. ".repeat(20);

async function send(upstream: UpstreamResponse, stream = true): Promise<State> {
  const vm = startFilter(new Host(), CONFIG);
  const body = JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 4096, stream, messages: [{ role: "user", content: "Summarize the report." }] });
  const res = await vm.exchange({ method: "POST", path: "/v1/messages", headers: { host: "gw", "x-api-key": "a", "content-type": "application/json" }, body }, { upstream: () => upstream });
  expect(vm.trapped).toBe(false);
  return stateOf(res) as State;
}

const sse = (events: string[]): UpstreamResponse => ({ status: 200, headers: [["content-type", "text/event-stream"]], body: events });
const start = (usage: Record<string, number>) => ev("message_start", { type: "message_start", message: { id: "m", type: "message", role: "assistant", content: [], usage } });
const delta = (text: string) => ev("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });

describe("Anthropic streams", () => {
  it("a stream that ends without message_delta (an error event, then a clean end) counts the text that arrived, not message_start's placeholder", async () => {
    const s = await send(sse([start({ input_tokens: 12, output_tokens: 1 }), delta(TEXT), ev("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } })]));
    expect(s.source).toBe("estimate");
    expect(s.prompt).toBe(12);
    expect(s.completion).toBeGreaterThanOrEqual(Math.max(o200k(TEXT).length, cl100k(TEXT).length));
  });

  it("message_delta's output_tokens settles exactly, after message_start's placeholder", async () => {
    const s = await send(sse([start({ input_tokens: 12, output_tokens: 1 }), delta(TEXT), ev("message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 431 } }), ev("message_stop", { type: "message_stop" })]));
    expect(s).toMatchObject({ source: "usage", prompt: 12, completion: 431 });
  });

  it("prompt-cache reads and writes count as prompt (stream and JSON)", async () => {
    const usage = { input_tokens: 12, cache_creation_input_tokens: 2048, cache_read_input_tokens: 30000 };
    const streamed = await send(sse([start({ ...usage, output_tokens: 1 }), delta("Done."), ev("message_delta", { type: "message_delta", usage: { output_tokens: 3 } }), ev("message_stop", { type: "message_stop" })]));
    expect(streamed).toMatchObject({ source: "usage", prompt: 12 + 2048 + 30000, completion: 3 });
    const json = await send({ status: 200, headers: [["content-type", "application/json"]], body: JSON.stringify({ type: "message", content: [{ type: "text", text: "Done." }], usage: { ...usage, output_tokens: 3 } }) }, false);
    expect(json).toMatchObject({ source: "usage", prompt: 12 + 2048 + 30000, completion: 3 });
  });
});
