// Virtual time: the clock host functions read, ticks, and the event queue.
import { describe, expect, it } from "vitest";
import { WasmResult } from "../../host/abi.ts";
import { Scheduler } from "../../host/clock.ts";
import { Host } from "../../host/host.ts";
import { wasiImports } from "../../host/imports/wasi.ts";
import { header, hostCalls, probe, probeVm } from "./helpers.ts";

describe("time", () => {
  it("reads a controllable wall clock in nanoseconds", () => {
    const host = new Host({ epochMs: 1_700_000_000_000 });
    const c = hostCalls(probeVm(host));
    expect(c.env.proxy_get_current_time_nanoseconds(c.out + 8)).toBe(WasmResult.Ok);
    expect(c.outU64()).toBe(1_700_000_000_000_000_000n);
    host.advance(1500);
    c.env.proxy_get_current_time_nanoseconds(c.out + 8);
    expect(c.outU64()).toBe(1_700_000_001_500_000_000n);
  });

  it("serves WASI clocks from the same time", () => {
    const host = new Host({ epochMs: 1_000 });
    const vm = probeVm(host);
    const wasi = wasiImports(vm);
    const out = vm.mem.alloc(new Uint8Array(8));
    expect(wasi.clock_time_get(0, 0n, out)).toBe(0);
    expect(vm.mem.readU64(out)).toBe(1_000_000_000n);
    expect(wasi.clock_time_get(2, 0n, out)).toBe(58);
  });
});

describe("ticks", () => {
  it("fires on_tick once per period as virtual time passes", async () => {
    const host = new Host();
    const vm = probeVm(host, { tick_ms: 100 });
    expect(header(await probe(vm, "ticks"), "x-probe-ticked")).toBe("no");
    host.advance(99);
    expect(header(await probe(vm, "ticks"), "x-probe-ticked")).toBe("no");
    host.advance(1);
    expect(header(await probe(vm, "ticks"), "x-probe-ticked")).toBe("yes");
    const ticks = host.scheduler.pending().filter((e) => e.label.startsWith("tick"));
    expect(ticks).toHaveLength(1);
    expect(ticks[0].at).toBe(200);
  });

  it("stops when the period is set to 0 and when the VM dies", async () => {
    const host = new Host();
    const vm = probeVm(host, { tick_ms: 50 });
    const c = hostCalls(vm);
    expect(c.env.proxy_set_tick_period_milliseconds(0)).toBe(WasmResult.Ok);
    expect(host.scheduler.pending()).toEqual([]);
    c.env.proxy_set_tick_period_milliseconds(10);
    expect(host.scheduler.pending()).toHaveLength(1);
    await probe(vm, "trap");
    expect(vm.trapped).toBe(true);
    expect(host.scheduler.pending()).toEqual([]);
  });

  it("ticks every VM of a host on its own timer (one per worker)", () => {
    const host = new Host();
    probeVm(host, { tick_ms: 100 });
    probeVm(host, { tick_ms: 30 });
    host.advance(100);
    const due = host.scheduler.pending().map((e) => e.at);
    expect(due.sort((a, b) => a - b)).toEqual([120, 200]);
  });
});

describe("scheduler", () => {
  it("runs events in time order, then in posting order, and never on its own", () => {
    const s = new Scheduler(0);
    const order: string[] = [];
    s.schedule(20, "b", () => order.push("b"));
    s.schedule(10, "a", () => order.push("a"));
    s.post("now-1", () => order.push("now-1"));
    s.post("now-2", () => {
      order.push("now-2");
      s.post("posted-by-now-2", () => order.push("posted-by-now-2"));
    });
    const cancelled = s.schedule(15, "x", () => order.push("x"));
    s.cancel(cancelled);
    expect(order).toEqual([]);
    s.runDue();
    expect(order).toEqual(["now-1", "now-2", "posted-by-now-2"]);
    s.advance(30);
    expect(order).toEqual(["now-1", "now-2", "posted-by-now-2", "a", "b"]);
    expect(s.nowMs).toBe(30);
  });

  it("step() jumps to the next event, and reports when nothing is left", () => {
    const s = new Scheduler(0);
    let ran = 0;
    s.schedule(500, "later", () => ran++);
    expect(s.step((e) => e.at <= 100)).toBe(false);
    expect(s.step()).toBe(true);
    expect(ran).toBe(1);
    expect(s.nowMs).toBe(500);
    expect(s.step()).toBe(false);
  });
});
