// The modules use AssemblyScript's minimal runtime and collect garbage
// between host callbacks (assembly/common/runtime/collect.ts). Each filter,
// with its bench configuration, must keep its linear memory flat over many
// requests and over one long stream of small chunks.
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { chatBody } from "../../../scripts/bench/payloads.ts";
import { SCENARIOS } from "../../../scripts/bench/scenarios.ts";
import { Host } from "../../host/index.ts";
import type { UpstreamRequest, UpstreamResponse } from "../../host/exchange.ts";

const FILTERS = ["token-ratelimit", "content-audit", "semantic-router"];

beforeAll(async () => {
  for (const f of FILTERS) await build({ only: f, quiet: true });
}, 240_000);

function startFilter(name: string) {
  const scenario = SCENARIOS.find((s) => s.name === name)!;
  return new Host().startVm(wasmPath(name), {
    name,
    rootId: name,
    vmId: name,
    configuration: String(scenario.vars.PLUGIN_CONFIG),
    allowOnHeadersStopIteration: true,
  });
}

const USAGE = { prompt_tokens: 200, completion_tokens: 2000, total_tokens: 2200 };

function jsonAnswer(): UpstreamResponse {
  const body = { object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "Raise connect_timeout to 1s." } }], usage: USAGE };
  return { status: 200, headers: [["content-type", "application/json"]], body: JSON.stringify(body) };
}

/** A stream of `n` content deltas, one chunk each, then the usage chunk and [DONE]. */
function longStream(n: number) {
  return (_req: UpstreamRequest): UpstreamResponse => {
    const chunks: string[] = [];
    for (let i = 0; i < n; i++) chunks.push(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `word${i % 97} ` } }] })}\n\n`);
    chunks.push(`data: ${JSON.stringify({ choices: [], usage: USAGE })}\n\n`, "data: [DONE]\n\n");
    return { status: 200, headers: [["content-type", "text/event-stream"]], body: chunks };
  };
}

function request(mode: "json" | "sse") {
  return {
    method: "POST",
    path: "/v1/chat/completions",
    headers: [["host", "gw"], ["content-type", "application/json"]] as [string, string][],
    body: chatBody(1024, mode),
  };
}

describe("garbage collection between callbacks", () => {
  for (const name of FILTERS) {
    it(`${name}: linear memory stays flat over 3,000 requests`, async () => {
      const vm = startFilter(name);
      const req = request("json");
      for (let i = 0; i < 500; i++) expect((await vm.exchange(req, { upstream: jsonAnswer })).status).toBe(200);
      const settled = vm.mem.byteLength;
      for (let i = 0; i < 2500; i++) expect((await vm.exchange(req, { upstream: jsonAnswer })).status).toBe(200);
      expect(vm.mem.byteLength).toBe(settled);
    }, 120_000);

    it(`${name}: a stream of 20,000 chunks does not grow memory past a few collections' worth`, async () => {
      const vm = startFilter(name);
      for (let i = 0; i < 50; i++) await vm.exchange(request("sse"), { upstream: longStream(20) });
      const settled = vm.mem.byteLength;
      const res = await vm.exchange(request("sse"), { upstream: longStream(20_000) });
      expect(res.status).toBe(200);
      expect(res.body.endsWith("data: [DONE]\n\n")).toBe(true);
      expect(vm.mem.byteLength).toBeLessThanOrEqual(settled * 2);
    }, 120_000);
  }
});
