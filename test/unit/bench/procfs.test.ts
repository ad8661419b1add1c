import { describe, expect, it } from "vitest";
import { parseHostStat, parseProcStat, parseProcStatus, readProcCpu, readProcMemory, readHostCpu, clockTicks } from "../../../scripts/bench/procfs.ts";

// A real-shaped line; the command name holds spaces and parentheses on purpose.
const STAT =
  "4242 (envoy (main) x) S 1 4242 4242 0 -1 4194560 12000 0 0 0 1234 567 0 0 20 0 3 0 99999 123456789 4567 " +
  "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

describe("parseProcStat", () => {
  it("adds utime (field 14) and stime (field 15) after a command name with spaces and parentheses", () => {
    expect(parseProcStat(STAT)).toEqual({ ticks: 1234 + 567 });
  });
  it("rejects text without a command name or times", () => {
    expect(() => parseProcStat("4242 envoy S 1")).toThrow(/command name/);
    expect(() => parseProcStat("4242 (envoy) S 1 2")).toThrow(/utime/);
  });
});

describe("parseProcStatus", () => {
  it("reads VmRSS and VmHWM in KiB", () => {
    const text = "Name:\tenvoy\nVmPeak:\t 999999 kB\nVmHWM:\t   65536 kB\nVmRSS:\t   40960 kB\nThreads:\t12\n";
    expect(parseProcStatus(text)).toEqual({ rssKb: 40960, hwmKb: 65536 });
  });
  it("names the missing key", () => {
    expect(() => parseProcStatus("Name:\tx\nVmRSS:\t1 kB\n")).toThrow(/VmHWM/);
  });
});

describe("parseHostStat", () => {
  it("counts idle and iowait as not busy over the first eight columns", () => {
    const text = "cpu  100 5 50 800 20 3 2 0 7 0\ncpu0 50 2 25 400 10 1 1 0 0 0\nintr 1\n";
    expect(parseHostStat(text)).toEqual({ busyTicks: 100 + 5 + 50 + 3 + 2, totalTicks: 980 });
  });
  it("rejects text without the aggregate cpu line", () => {
    expect(() => parseHostStat("cpu0 1 2 3 4\n")).toThrow(/cpu line/);
  });
});

describe("live /proc readings of this process", () => {
  it("reads CPU ticks, memory and host counters that make sense", () => {
    const cpu = readProcCpu(process.pid);
    expect(cpu.ticks).toBeGreaterThanOrEqual(0);
    const mem = readProcMemory(process.pid);
    expect(mem.rssKb).toBeGreaterThan(1000);
    expect(mem.hwmKb).toBeGreaterThanOrEqual(mem.rssKb);
    const host = readHostCpu();
    expect(host.totalTicks).toBeGreaterThan(host.busyTicks);
    expect(clockTicks()).toBeGreaterThan(0);
  });
});
