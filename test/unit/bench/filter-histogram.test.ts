// The median of what a filter's histogram recorded during one bench run,
// from two cumulative reads of Envoy's detailed buckets.
import { describe, expect, it } from "vitest";
import { type Buckets, timingBetween } from "../../../scripts/bench/filter-histogram.ts";

function buckets(entries: [number, number, number][]): Buckets {
  return new Map(entries.map(([lower, width, count]) => [lower, { width, count }]));
}

describe("bench filter histogram", () => {
  it("takes the median of the difference, interpolated in its bucket", () => {
    const before = buckets([[10, 1, 100]]);
    // The run added 4 requests in [10, 11), 4 in [90, 92), 2 in [120, 125).
    const after = buckets([[10, 1, 104], [90, 2, 4], [120, 5, 2]]);
    // 10 requests: the 5th falls in [90, 92), first of its 4: 90 + 2 * (1 / 4).
    expect(timingBetween(before, after)).toEqual({ n: 10, p50: 90.5 });
  });

  it("ignores what was there before the run", () => {
    const before = buckets([[10, 1, 1000], [500, 10, 1000]]);
    const after = buckets([[10, 1, 1000], [500, 10, 1000], [95, 1, 3]]);
    expect(timingBetween(before, after)).toEqual({ n: 3, p50: 95.5 });
  });

  it("is null when the run recorded nothing", () => {
    const same = buckets([[10, 1, 5]]);
    expect(timingBetween(same, same)).toBeNull();
    expect(timingBetween(new Map(), new Map())).toBeNull();
  });
});
