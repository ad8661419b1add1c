import { describe, expect, it } from "vitest";
import { cpuMicrosPerRequest, cpuPercent, percentile, ratio, summarize } from "../../../scripts/bench/stats.ts";

describe("percentile (nearest rank)", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  it("picks the nearest-rank value", () => {
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 99.5)).toBe(100);
    expect(percentile([5, 7, 9], 50)).toBe(7);
    expect(percentile([5, 7, 9], 34)).toBe(7);
    expect(percentile([5, 7, 9], 33)).toBe(5);
  });
  it("clamps to the ends and is NaN when empty", () => {
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("summarize", () => {
  it("sorts its input and reports n, min, mean, percentiles and max", () => {
    const s = summarize([9, 1, 5, 3, 7]);
    expect(s).toEqual({ n: 5, min: 1, mean: 5, p50: 5, p90: 9, p99: 9, max: 9 });
  });
  it("does not reorder the caller's array", () => {
    const input = [3, 1, 2];
    summarize(input);
    expect(input).toEqual([3, 1, 2]);
  });
  it("is all NaN with n 0 for no samples", () => {
    const s = summarize([]);
    expect(s.n).toBe(0);
    expect(s.p50).toBeNaN();
    expect(s.mean).toBeNaN();
  });
});

describe("ratio", () => {
  it("divides by the baseline", () => {
    expect(ratio(90, 100)).toBeCloseTo(0.9);
    expect(ratio(0, 100)).toBe(0);
  });
  it("is null when it cannot compare", () => {
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(1, -2)).toBeNull();
    expect(ratio(null, 1)).toBeNull();
    expect(ratio(1, undefined)).toBeNull();
    expect(ratio(NaN, 1)).toBeNull();
    expect(ratio(1, Infinity)).toBeNull();
  });
});

describe("CPU arithmetic", () => {
  it("turns clock ticks over wall time into % of one core", () => {
    // 200 ticks at 100 Hz = 2 s of CPU over 4 s = half a core.
    expect(cpuPercent(200, 100, 4000)).toBeCloseTo(50);
    // Two busy cores over 1 s.
    expect(cpuPercent(200, 100, 1000)).toBeCloseTo(200);
    expect(cpuPercent(10, 100, 0)).toBeNaN();
  });
  it("turns ticks into microseconds per request", () => {
    // 1 s of CPU for 2000 requests = 500 µs each.
    expect(cpuMicrosPerRequest(100, 100, 2000)).toBeCloseTo(500);
    expect(cpuMicrosPerRequest(100, 100, 0)).toBeNaN();
  });
});
