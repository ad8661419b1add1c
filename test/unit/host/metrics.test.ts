// Metric ids and Envoy's rules per metric type.
import { describe, expect, it } from "vitest";
import { MetricType, WasmResult } from "../../host/abi.ts";
import { Host } from "../../host/host.ts";
import { MetricRegistry, Stats } from "../../host/stats.ts";
import { hostCalls, probe, probeVm } from "./helpers.ts";

describe("metrics", () => {
  it("hands out Envoy's ids: the type in the low two bits, steps of four", () => {
    const m = new MetricRegistry(new Stats());
    expect(m.define(MetricType.Counter, "a").id).toBe(4);
    expect(m.define(MetricType.Gauge, "b").id).toBe(5);
    expect(m.define(MetricType.Histogram, "c").id).toBe(6);
    expect(m.define(MetricType.Counter, "d").id).toBe(8);
    expect(m.define(3, "e").status).toBe(WasmResult.BadArgument);
  });

  it("applies each type's rules", () => {
    const stats = new Stats();
    const m = new MetricRegistry(stats);
    const counter = m.define(MetricType.Counter, "c").id!;
    const gauge = m.define(MetricType.Gauge, "g").id!;
    const histogram = m.define(MetricType.Histogram, "h").id!;
    expect(m.increment(counter, 0n)).toBe(WasmResult.BadArgument);
    expect(m.increment(counter, -1n)).toBe(WasmResult.BadArgument);
    expect(m.increment(counter, 2n)).toBe(WasmResult.Ok);
    expect(m.record(counter, 3n)).toBe(WasmResult.Ok); // record adds to a counter
    expect(m.get(counter).value).toBe(5n);
    expect(m.record(gauge, 10n)).toBe(WasmResult.Ok);
    expect(m.increment(gauge, -4n)).toBe(WasmResult.Ok);
    expect(m.get(gauge).value).toBe(6n);
    expect(m.record(histogram, 42n)).toBe(WasmResult.Ok);
    expect(m.increment(histogram, 1n)).toBe(WasmResult.BadArgument);
    expect(m.get(histogram).status).toBe(WasmResult.BadArgument);
    expect(m.increment(counter + 400, 1n)).toBe(WasmResult.NotFound);
    expect(m.record(counter + 400, 1n)).toBe(WasmResult.NotFound);
    expect(stats.histogram("h")).toEqual([42]);
  });

  it("shares a stat between VMs that define the same name", async () => {
    const host = new Host();
    await probe(probeVm(host), "metrics", [["x-probe-inc", "2"]]);
    await probe(probeVm(host), "metrics", [["x-probe-inc", "3"]]);
    expect(host.stats.counter("probe.requests")).toBe(5);
  });

  it("passes 64-bit values through the i64 ABI", () => {
    const vm = probeVm(new Host());
    const c = hostCalls(vm);
    const [n, nl] = c.str("big");
    expect(c.env.proxy_define_metric(MetricType.Gauge, n, nl, c.out)).toBe(WasmResult.Ok);
    const id = c.outU32()!;
    expect(c.env.proxy_record_metric(id, 2n ** 40n)).toBe(WasmResult.Ok);
    expect(c.env.proxy_get_metric(id, c.out + 8)).toBe(WasmResult.Ok);
    expect(c.outU64()).toBe(2n ** 40n);
  });
});
