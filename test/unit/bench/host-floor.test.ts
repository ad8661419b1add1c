// The bench's host-floor module (test/fixtures/host-floor) must make exactly
// the host calls its configuration lists: a floor that silently skipped a
// call would flatter every filter measured against it.
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { chatBody } from "../../../scripts/bench/payloads.ts";
import { SCENARIOS } from "../../../scripts/bench/scenarios.ts";
import { Host } from "../../host/index.ts";
import type { UpstreamRequest, UpstreamResponse } from "../../host/exchange.ts";

beforeAll(async () => {
  await build({ only: "host-floor", quiet: true });
}, 120_000);

const COUNTER = "host-floor:tokens";

function start(config: unknown, host = new Host()) {
  const vm = host.startVm(wasmPath("host-floor", { fixture: true }), {
    name: "host-floor",
    rootId: "host-floor",
    vmId: "host-floor",
    configuration: typeof config === "string" ? config : JSON.stringify(config),
    allowOnHeadersStopIteration: true,
  });
  return { vm, host };
}

const request = { method: "POST", path: "/v1/chat/completions", headers: [["host", "gw"], ["content-type", "application/json"]] as [string, string][], body: chatBody(1024, "json") };

function answer(_req: UpstreamRequest): UpstreamResponse {
  return { status: 200, headers: [["content-type", "application/json"]], body: '{"usage":{"prompt_tokens":1,"completion_tokens":1}}' };
}

function counter(host: Host): bigint | undefined {
  const v = host.sharedData.get("host-floor", COUNTER);
  return v ? Buffer.from(v.value).readBigUInt64LE(0) : undefined;
}

describe("host-floor bench module", () => {
  it("token-ratelimit's floor: reserves and settles in shared data, adds three headers, writes filter state, passes the body on", async () => {
    const scenario = SCENARIOS.find((s) => s.name === "floor-token-ratelimit")!;
    const { vm, host } = start(String(scenario.vars.PLUGIN_CONFIG));
    const res = await vm.exchange(request, { upstream: answer });
    expect(res.status).toBe(200);
    expect(res.upstream?.bodyText).toBe(request.body);
    expect(["x-floor-0", "x-floor-1", "x-floor-2"].map((h) => res.headers.find(([n]) => n === h)?.[1])).toEqual(["1000000000", "1000000000", "1000000000"]);
    expect(res.headers.some(([n]) => n === "x-floor-3")).toBe(false);
    expect(counter(host)).toBe(2n);
    expect(res.filterState.get("wasm.host_floor")?.byteLength).toBe(64);
    await vm.exchange(request, { upstream: answer });
    expect(counter(host)).toBe(4n);
  });

  it("the required floor touches no headers and writes no filter state, but still reserves and settles", async () => {
    const scenario = SCENARIOS.find((s) => s.name === "floor-token-ratelimit-required")!;
    const { vm, host } = start(String(scenario.vars.PLUGIN_CONFIG));
    const res = await vm.exchange(request, { upstream: answer });
    expect(res.status).toBe(200);
    expect(res.headers.some(([n]) => n.startsWith("x-floor-"))).toBe(false);
    expect(res.filterState.size).toBe(0);
    expect(counter(host)).toBe(2n);
  });

  it("content-audit's floor holds the response and writes the audit-event-sized filter state", async () => {
    const scenario = SCENARIOS.find((s) => s.name === "floor-content-audit")!;
    const { vm, host } = start(String(scenario.vars.PLUGIN_CONFIG));
    const res = await vm.exchange(request, { upstream: answer });
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"usage":{"prompt_tokens":1,"completion_tokens":1}}');
    expect(res.headers.find(([n]) => n === "x-floor-0")?.[1]).toBe("1000000000");
    expect(res.filterState.get("wasm.host_floor")?.byteLength).toBe(200);
    expect(counter(host)).toBeUndefined();
  });

  it("semantic-router's floor: drops the client's route headers, sets two after the body, rewrites the body to itself, clears the route cache", async () => {
    const scenario = SCENARIOS.find((s) => s.name === "floor-chain")!;
    const { vm } = start(String(scenario.vars.SEMANTIC_ROUTER_CONFIG));
    const sent = { ...request, headers: [...request.headers, ["x-semantic-route", "forged"], ["x-semantic-complexity", "simple"], ["content-length", String(Buffer.byteLength(request.body))]] as [string, string][] };
    const res = await vm.exchange(sent, { upstream: answer });
    expect(res.status).toBe(200);
    const up = res.upstream!;
    expect(up.bodyText).toBe(request.body);
    const header = (n: string) => up.headers.getAll(n);
    expect(header("x-semantic-route")).toEqual(["floor"]);
    expect(header("x-semantic-score")).toEqual(["floor"]);
    expect(header("x-semantic-complexity")).toEqual([]);
    expect(header("content-length")).toEqual([String(Buffer.byteLength(request.body))]);
    expect(res.clearRouteCacheCalls).toBe(1);
    expect(res.headers.filter(([n]) => n.startsWith("x-floor-")).length).toBe(2);
    expect(res.filterState.get("wasm.semantic_router")?.byteLength).toBe(80);
  });

  it("mcp-auth's floor: sets the subject header, removes the token, leaves the body alone", async () => {
    const scenario = SCENARIOS.find((s) => s.name === "floor-chain")!;
    const { vm } = start(String(scenario.vars.MCP_AUTH_CONFIG));
    const sent = { ...request, headers: [...request.headers, ["authorization", "Bearer abc"]] as [string, string][] };
    const res = await vm.exchange(sent, { upstream: answer });
    const up = res.upstream!;
    expect(up.headers.has("authorization")).toBe(false);
    expect(up.headers.getAll("x-mcp-subject")).toEqual(["floor"]);
    expect(up.bodyText).toBe(request.body);
    expect(res.clearRouteCacheCalls).toBe(0);
    expect(res.filterState.get("wasm.mcp_auth")?.byteLength).toBe(120);
  });

  it("refuses an unknown step, naming it", () => {
    expect(() => start({ steps: ["request_body", "reserv"] })).toThrow(/unknown step reserv/);
    expect(() => start("not json")).toThrow(/not a JSON object/);
  });
});
