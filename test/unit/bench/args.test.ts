import { describe, expect, it } from "vitest";
import { DEFAULTS, parseArgs, QUICK } from "../../../scripts/bench/args.ts";

describe("bench command line", () => {
  it("defaults: 4 s, a request cap, connections 1,16,64, both sizes and modes, every scenario", () => {
    const o = parseArgs([]);
    expect(o).toEqual(DEFAULTS);
    expect(o.durationS).toBe(4);
    expect(o.connections).toEqual([1, 16, 64]);
    expect(o.payloads).toEqual(["1K", "32K"]);
    expect(o.modes).toEqual(["json", "sse"]);
    expect(o.scenarios).toEqual([]);
    expect(o.rounds).toBe(1);
  });

  it("reads every flag, in both --flag value and --flag=value forms", () => {
    const o = parseArgs([
      "--duration", "2", "--requests=500", "--connections", "2, 8", "--scenario", "a,b", "--scenario=c",
      "--payloads", "1k", "--modes", "sse", "--warmup", "0", "--out", "/tmp/x", "--rounds", "5",
    ]);
    expect(o.rounds).toBe(5);
    expect(o.durationS).toBe(2);
    expect(o.maxRequests).toBe(500);
    expect(o.connections).toEqual([2, 8]);
    expect(o.scenarios).toEqual(["a", "b", "c"]);
    expect(o.payloads).toEqual(["1K"]);
    expect(o.modes).toEqual(["sse"]);
    expect(o.warmupS).toBe(0);
    expect(o.outDir).toBe("/tmp/x");
  });

  it("--quick shortens the run and explicit flags still win, wherever they stand", () => {
    expect(parseArgs(["--quick"]).durationS).toBe(QUICK.durationS);
    expect(parseArgs(["--quick"]).connections).toEqual(QUICK.connections);
    expect(parseArgs(["--duration", "3", "--quick"]).durationS).toBe(3);
  });

  it("refuses bad values with a message naming the flag", () => {
    expect(() => parseArgs(["--duration", "1.5"])).toThrow(/--duration/);
    expect(() => parseArgs(["--duration"])).toThrow(/--duration/);
    expect(() => parseArgs(["--connections", "0"])).toThrow(/--connections/);
    expect(() => parseArgs(["--payloads", "2K"])).toThrow(/unknown payload 2K/);
    expect(() => parseArgs(["--modes", "grpc"])).toThrow(/unknown mode grpc/);
    expect(() => parseArgs(["--warmup", "-1"])).toThrow(/--warmup/);
    expect(() => parseArgs(["--rounds", "0"])).toThrow(/--rounds/);
    expect(() => parseArgs(["--bogus"])).toThrow(/unknown option --bogus/);
  });

  it("--list and --help are switches", () => {
    expect(parseArgs(["--list"]).list).toBe(true);
    expect(parseArgs(["-h"]).help).toBe(true);
  });
});
