// HTTP calls: where responses go, the failure kinds, and timing in virtual time.
import { describe, expect, it } from "vitest";
import { WasmResult } from "../../host/abi.ts";
import { Host } from "../../host/host.ts";
import { encodePairs } from "../../host/pairs.ts";
import { header, hostCalls, probe, probeVm } from "./helpers.ts";

const call = (host: Host, extra: [string, string][] = []) => probe(probeVm(host), "call", extra);

describe("http_call", () => {
  it("belongs to the root context, numbers tokens like Envoy and records the request", async () => {
    const host = new Host({ clusters: { probe_upstream: { status: 200, body: "ok" } } });
    const vm = probeVm(host);
    const res = await probe(vm, "call", [["x-probe-call-body", "q=1"]]);
    expect(header(res, "x-probe-call-status")).toBe("200");
    await probe(vm, "call");
    expect(host.calls.map((c) => c.request.token)).toEqual([4, 8]);
    const first = host.calls[0];
    expect(first.rootId).toBe(vm.root!.id);
    expect(first.request.fromContextId).toBe(res.streamId);
    expect(first.request.headers).toContainEqual(["content-length", "3"]);
    expect(Buffer.from(first.request.body).toString()).toBe("q=1");
  });

  it("delivers a delayed response in virtual time while the request waits", async () => {
    const host = new Host({ clusters: { probe_upstream: { status: 200, body: "late", delayMs: 1500 } } });
    const res = await call(host);
    expect(header(res, "x-probe-call-body")).toBe("late");
    expect(host.nowMs).toBe(1500);
  });

  it("answers a timeout with Envoy's 504", async () => {
    const host = new Host({ clusters: { probe_upstream: { status: 200, body: "late", delayMs: 1500 } } });
    const res = await call(host, [["x-probe-call-timeout", "200"]]);
    expect(header(res, "x-probe-call-status")).toBe("504");
    expect(header(res, "x-probe-call-body")).toBe("upstream request timeout");
    expect(host.nowMs).toBe(200);
  });

  it("answers connect failures and resets before headers with Envoy's 503s", async () => {
    const refused = await call(new Host({ clusters: { probe_upstream: { fail: "connect-failure" } } }));
    expect(header(refused, "x-probe-call-status")).toBe("503");
    expect(header(refused, "x-probe-call-body")).toMatch(/reset reason: remote connection failure$/);
    const reset = await call(new Host({ clusters: { probe_upstream: { fail: "reset-before-headers" } } }));
    expect(header(reset, "x-probe-call-body")).toMatch(/reset reason: connection termination$/);
  });

  it("reports a reset after the response began as a failed call: 0 headers, status BrokenConnection \"reset\"", async () => {
    const res = await call(new Host({ clusters: { probe_upstream: { fail: "reset" } } }));
    expect(header(res, "x-probe-call-failed")).toBe("11 reset");
    expect(header(res, "x-probe-call-continue")).toBe("0");
  });

  it("schedules nothing for a call without timeout that is never answered", () => {
    const host = new Host({ clusters: { silent: { fail: "no-response" } } });
    const vm = probeVm(host);
    const c = hostCalls(vm);
    const [cp, cl] = c.str("silent");
    const h = encodePairs([[":method", "GET"], [":path", "/"], [":authority", "a"]]);
    expect(c.env.proxy_http_call(cp, cl, vm.mem.alloc(h), h.length, 0, 0, 0, 0, 0, c.out)).toBe(WasmResult.Ok);
    expect(host.calls[0].outcome.kind).toBe("none");
    expect(host.scheduler.pending().filter((e) => e.label.startsWith("http call"))).toEqual([]);
  });

  it("reports a stream that waits longer than maxWaitMs as stalled (and resets it)", async () => {
    const host = new Host({ clusters: { probe_upstream: { fail: "no-response" } } });
    const res = await probe(probeVm(host), "call", [["x-probe-call-timeout", "2000"]], {}, { maxWaitMs: 1000 });
    expect(res.stalled).toBe(true);
    expect(res.reset).toBe(true);
    expect(res.upstream).toBeNull();
  });

  it("refuses unknown clusters, missing pseudo-headers and negative timeouts with BadArgument", () => {
    const host = new Host({ clusters: { known: { status: 200 } } });
    const vm = probeVm(host);
    const c = hostCalls(vm);
    const send = (cluster: string, pairs: [string, string][], timeout = 1000) => {
      const [cp, cl] = c.str(cluster);
      const h = encodePairs(pairs);
      return c.env.proxy_http_call(cp, cl, vm.mem.alloc(h), h.length, 0, 0, 0, 0, timeout, c.out);
    };
    const full: [string, string][] = [[":method", "GET"], [":path", "/x"], [":authority", "a"]];
    expect(send("known", full)).toBe(WasmResult.Ok);
    expect(c.outU32()).toBe(4);
    expect(send("unknown", full)).toBe(WasmResult.BadArgument);
    expect(send("known", full.slice(1))).toBe(WasmResult.BadArgument);
    expect(send("known", [[":method", "GET"], [":path", "/x"], ["host", "a"]])).toBe(WasmResult.BadArgument);
    expect(send("known", full, -1)).toBe(WasmResult.BadArgument);
    expect(host.calls).toHaveLength(1);
  });

  it("delivers a response to the root context even when no stream asked for it", async () => {
    const host = new Host({ clusters: { probe_upstream: { status: 200, body: "x", delayMs: 100 } } });
    const vm = probeVm(host);
    const c = hostCalls(vm);
    const [cp, cl] = c.str("probe_upstream");
    const h = encodePairs([[":method", "GET"], [":path", "/x"], [":authority", "a"]]);
    expect(c.env.proxy_http_call(cp, cl, vm.mem.alloc(h), h.length, 0, 0, 0, 0, 1000, c.out)).toBe(WasmResult.Ok);
    host.advance(100);
    // The runtime's dispatcher drops responses it has no handler for: nothing trapped.
    expect(vm.trapped).toBe(false);
  });
});
