// Clients ask for compressed responses (`accept-encoding: gzip, br`, what
// fetch and the openai clients send), and providers compress when asked: the
// filter must still read the usage, so the upstream is asked for the
// response as it is.
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import type { UpstreamRequest, UpstreamResponse } from "../../host/exchange.ts";
import { Host } from "../../host/index.ts";
import { buildFilter, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const USAGE = { prompt_tokens: 8, completion_tokens: 50, total_tokens: 58 };

/** Compresses JSON and SSE bodies whenever the request accepts gzip, as providers behind a CDN do. */
function compressingUpstream(req: UpstreamRequest): UpstreamResponse {
  const stream = JSON.parse(req.bodyText).stream === true;
  const text = stream
    ? `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "hello ".repeat(50) } }] })}\n\ndata: ${JSON.stringify({ choices: [], usage: USAGE })}\n\ndata: [DONE]\n\n`
    : JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: "hello ".repeat(50) } }], usage: USAGE });
  const headers: [string, string][] = [["content-type", stream ? "text/event-stream" : "application/json"]];
  if (!(req.headers.get("accept-encoding") ?? "").includes("gzip")) return { status: 200, headers, body: text };
  return { status: 200, headers: [...headers, ["content-encoding", "gzip"]], body: gzipSync(text) };
}

describe("a client that accepts compressed responses", () => {
  for (const stream of [false, true]) {
    it(`is still counted exactly (${stream ? "stream" : "JSON"})`, async () => {
      const vm = startFilter(new Host(), { limits: [{ name: "all", by: "all", windows: { minute: 1_000_000 } }] });
      const body = JSON.stringify({ model: "gpt-4o", stream, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] });
      const res = await vm.exchange({ method: "POST", path: "/v1/chat/completions", headers: { host: "gw", "content-type": "application/json", "accept-encoding": "gzip, deflate, br" }, body }, { upstream: compressingUpstream });
      expect(res.status).toBe(200);
      expect(stateOf(res) as State).toMatchObject({ source: "usage", prompt: 8, completion: 50 });
      expect(vm.trapped).toBe(false);
    });
  }
});
