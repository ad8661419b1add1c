// OpenAI streams with stream_options.include_usage write "usage":null into
// every chunk but the last. The meter counts those chunks without parsing
// them: what it counts must be what it counts for the same stream without
// the member, and the last chunk's usage must still be taken exactly,
// whatever white space the upstream puts around it, and never from a
// "usage" that is only text.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import type { UpstreamRequest, UpstreamResponse } from "../../host/exchange.ts";
import { buildFilter, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const config = { limits: [{ name: "k", by: "header", key: "x-api-key", windows: { minute: 1_000_000 } }] };
const WORDS = ['Counting', ' "usage": null', ' in', ' streamed', ' chunks', ' costs', ' nothing', ' extra', ' 😀', ' 用量'];

function request(key: string) {
  const body = { model: "gpt-4o", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Count this stream." }] };
  return { method: "POST", path: "/v1/chat/completions", headers: { host: "gw", "content-type": "application/json", "x-api-key": key }, body: JSON.stringify(body) };
}

/** `nullUsage`: how each text chunk writes its null usage ("" leaves the member out); `last`: the final usage chunk's text, or null for none. */
function streamUpstream(nullUsage: string, last: string | null) {
  return (_req: UpstreamRequest): UpstreamResponse => {
    const events = WORDS.map((w) => `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(w)}},"finish_reason":null}]${nullUsage}}\n\n`);
    if (last !== null) events.push(`data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":${last}}\n\n`);
    events.push("data: [DONE]\n\n");
    return { status: 200, headers: [["content-type", "text/event-stream"]], body: events };
  };
}

const NULLS = [',"usage":null', ', "usage" : null ', ',"usage":\tnull\n', ',\n"usage":null'];

describe('streamed chunks with "usage": null', () => {
  it("count the same text estimate as chunks without the member", async () => {
    const vm = startFilter(new Host(), config);
    const without = stateOf(await vm.exchange(request("none"), { upstream: streamUpstream("", null) })) as State;
    expect(without.source).toBe("estimate");
    for (const [i, nullUsage] of NULLS.entries()) {
      const s = stateOf(await vm.exchange(request(`null${i}`), { upstream: streamUpstream(nullUsage, null) })) as State;
      expect([JSON.stringify(nullUsage), s.source, s.prompt, s.completion]).toEqual([JSON.stringify(nullUsage), "estimate", without.prompt, without.completion]);
    }
    expect(vm.trapped).toBe(false);
  });

  it("take the last chunk's usage exactly, with any white space around it", async () => {
    const vm = startFilter(new Host(), config);
    for (const [i, nullUsage] of NULLS.entries()) {
      for (const last of ['{"prompt_tokens":31,"completion_tokens":17,"total_tokens":48}', ' {"prompt_tokens" : 31 , "completion_tokens" : 17}']) {
        const s = stateOf(await vm.exchange(request(`u${i}`), { upstream: streamUpstream(nullUsage, last) })) as State;
        expect([JSON.stringify(nullUsage), s.source, s.prompt, s.completion]).toEqual([JSON.stringify(nullUsage), "usage", 31, 17]);
      }
    }
  });

  it("a usage that is null in one member and real in another of the same chunk is read", async () => {
    const vm = startFilter(new Host(), config);
    const upstream = (_req: UpstreamRequest): UpstreamResponse => ({
      status: 200,
      headers: [["content-type", "text/event-stream"]],
      body: [`data: {"choices":[{"index":0,"delta":{"content":"hi"},"usage":null}],"usage":{"prompt_tokens":9,"completion_tokens":4}}\n\n`, "data: [DONE]\n\n"],
    });
    const s = stateOf(await vm.exchange(request("mixed"), { upstream })) as State;
    expect([s.source, s.prompt, s.completion]).toEqual(["usage", 9, 4]);
  });
});
