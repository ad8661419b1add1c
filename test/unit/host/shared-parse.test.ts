// The parses a bundle filter keeps for a stream (assembly/common/json/shared-parse.ts)
// go when the host deletes the stream's context, however the stream ends:
// answered, too large, malformed (a local reply), or reset by the upstream.
// Each filter that shares its parse runs from the bundle (the gateway-shared
// fixture: ai-gateway.wasm plus a count of kept parses).
import { beforeAll, describe, expect, it } from "vitest";
import { builtFixture } from "../../host/fixtures.ts";
import { Host } from "../../host/index.ts";
import type { ExchangeOptions, UpstreamRequest, UpstreamResponse } from "../../host/exchange.ts";
import type { ProxyVm } from "../../host/vm.ts";

let wasm: string;

beforeAll(async () => {
  wasm = await builtFixture("gateway-shared");
}, 300_000);

const PLUGINS: Record<string, unknown> = {
  "semantic-router": {
    routes: [{ name: "code", model: "code-model", examples: ["write a python function that sorts a list"] }],
    default: { name: "general", model: "base-model" },
    on_invalid: "reject",
    max_body_bytes: 4096,
  },
  "token-ratelimit": { limits: [{ name: "all", by: "all", windows: { minute: 1_000_000 } }], max_request_bytes: 4096 },
};

function start(rootId: string): ProxyVm {
  return new Host().startVm(wasm, { name: rootId, rootId, vmId: "ai-gateway", configuration: JSON.stringify(PLUGINS[rootId]), allowOnHeadersStopIteration: true });
}

function entries(vm: ProxyVm): number | undefined {
  return vm.invoke(0, "shared_parse_entries");
}

function chat(content: string): string {
  return JSON.stringify({ model: "m", messages: [{ role: "user", content }] });
}

const answer = (req: UpstreamRequest): UpstreamResponse => ({
  status: 200,
  headers: [["content-type", "application/json"]],
  body: JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: "ok" } }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 }, echo: req.bodyText.length }),
});

describe.each(Object.keys(PLUGINS))("%s in the bundle", (rootId) => {
  // [how the stream ends, request body, upstream options, whether the upstream must see a kept parse]
  const cases: [string, string, ExchangeOptions, boolean][] = [
    ["answered", chat("write a python function that sorts a list"), {}, true],
    ["too large", chat("x".repeat(8192)), {}, false],
    ["malformed (semantic-router answers it locally)", '{"model": "m", "messages": [', {}, false],
    ["reset by the upstream", chat("tell me a joke"), { upstream: (req) => ({ ...answer(req), resetAfterBody: true }) }, true],
  ];

  it.each(cases)("keeps a stream's parses while it lives and none once it is %s", async (_label, body, options, parsed) => {
    const vm = start(rootId);
    let during: number | undefined;
    const res = await vm.exchange(
      { method: "POST", path: "/v1/chat/completions", headers: [["host", "gw"], ["content-type", "application/json"]], body },
      {
        upstream: (req) => {
          during = entries(vm);
          return (options.upstream ?? answer)(req);
        },
      },
    );
    expect(vm.trapped).toBe(false);
    expect(res.status).toBeGreaterThan(0);
    // A body the filter parsed is kept until its stream ends.
    if (parsed) expect(during).toBeGreaterThanOrEqual(1);
    expect(entries(vm)).toBe(0);
  });
});
