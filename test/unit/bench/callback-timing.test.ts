// scripts/callback-timing.ts patches a copy of exports.ts and reads back what
// the instrumented module logs: both must follow the real sources.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENTRY_POINTS, instrumentExports, readRootLines, readTimingLines } from "../../../scripts/callback-timing.ts";
import { ROOT } from "../../../scripts/lib/paths.ts";

const EXPORTS = readFileSync(join(ROOT, "assembly", "common", "runtime", "exports.ts"), "utf8");
const TIMING = readFileSync(join(ROOT, "assembly", "common", "runtime", "callback-timing.ts"), "utf8");

describe("callback timing", () => {
  it("times every entry point of exports.ts, begin before beginCallback and end after afterCallback", () => {
    const out = instrumentExports(EXPORTS);
    ENTRY_POINTS.forEach((name, i) => {
      const fn = out.slice(out.indexOf(`export function ${name}(`));
      const body = fn.slice(0, fn.indexOf("\n}\n"));
      const begin = name === "proxy_on_context_create" ? "timingBegin(contextId, rootContextId);" : "timingBegin(id);";
      expect(body.indexOf(begin)).toBeGreaterThan(0);
      expect(body.indexOf(begin)).toBeLessThan(body.indexOf("beginCallback();"));
      expect(body.indexOf(`timingEnd(${i});`)).toBeGreaterThan(body.indexOf("afterCallback("));
    });
    expect(out.match(/timingEnd\(/g)?.length).toBe(ENTRY_POINTS.length);
  });

  it("lists the entry points in the order of the module's Entry enum", () => {
    const names = [...TIMING.matchAll(/^\s+(\w+) = (\d+),$/gm)].map((m) => [m[1], Number(m[2])] as const);
    expect(names.length).toBe(ENTRY_POINTS.length);
    const camel = (s: string) => s.replace(/^proxy_on_/, "").replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase());
    for (const [name, i] of names) expect(camel(ENTRY_POINTS[i])).toBe(name);
  });

  it("fails loudly when an entry point no longer has the pair it wraps", () => {
    expect(() => instrumentExports(EXPORTS.replace(/(export function proxy_on_log[\s\S]*?)beginCallback\(\);/, "$1"))).toThrow(/proxy_on_log/);
  });

  it("sums log lines into per-request figures", () => {
    const lines = [
      "[warning] callback-timing streams=2 0=4000/2 1=10000/2 2=0/0 3=0/0 4=0/0 5=0/0 6=0/0 7=0/0 8=0/0 9=1000/2 10=0/0",
      "unrelated",
      "[warning] callback-timing streams=2 0=2000/2 1=6000/4 2=0/0 3=0/0 4=0/0 5=0/0 6=0/0 7=0/0 8=0/0 9=1000/2 10=0/0",
    ];
    const { streams, entries } = readTimingLines(lines);
    expect(streams).toBe(4);
    expect(entries[0]).toEqual({ entry: "proxy_on_context_create", callsPerRequest: 1, microsPerRequest: 1.5 });
    expect(entries[1]).toEqual({ entry: "proxy_on_request_headers", callsPerRequest: 1.5, microsPerRequest: 4 });
    expect(entries[9].microsPerRequest).toBe(0.5);
  });

  it("splits the timing by root context, in root id order", () => {
    const lines = [
      "[warning] callback-timing-root 7 0=1000/1 1=3000/1 2=0/0 3=0/0 4=0/0 5=0/0 6=0/0 7=0/0 8=0/0 9=0/0 10=0/0",
      "[warning] callback-timing-root 3 0=2000/1 1=5000/1 2=0/0 3=0/0 4=0/0 5=0/0 6=0/0 7=0/0 8=0/0 9=0/0 10=0/0",
      "[warning] callback-timing-root 7 0=1000/1 1=1000/1 2=0/0 3=0/0 4=0/0 5=0/0 6=0/0 7=0/0 8=0/0 9=0/0 10=0/0",
    ];
    const roots = readRootLines(lines, 2);
    expect([...roots.keys()]).toEqual([3, 7]);
    expect(roots.get(7)![1]).toEqual({ entry: "proxy_on_request_headers", callsPerRequest: 1, microsPerRequest: 2 });
    expect(roots.get(3)![0].microsPerRequest).toBe(1);
  });
});
