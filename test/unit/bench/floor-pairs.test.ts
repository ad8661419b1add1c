import { describe, expect, it } from "vitest";
import { floorPairs, median } from "../../../scripts/bench/floor-pairs.ts";
import { renderFloorPairs } from "../../../scripts/bench/report/table.ts";
import { CELL_JSON, run } from "./sample.ts";

const cpu = (microsPerRequest: number) => ({ percentOfCore: 50, microsPerRequest });

describe("chains against their floors, round by round", () => {
  it("pairs X with floor-X per round and takes the median of the rounds", () => {
    // The machine slows down in round 2: both sides drop, the round's own ratio holds.
    const floor = [run("floor-x", { rps: 1000, cpu: cpu(100) }), run("floor-x", { rps: 500, cpu: cpu(200) }), run("floor-x", { rps: 900, cpu: cpu(110) })];
    const x = [run("x", { rps: 900, cpu: cpu(130) }), run("x", { rps: 460, cpu: cpu(225) }), run("x", { rps: 810, cpu: cpu(150) })];
    const rounds = new Map([["bare", [run("bare"), run("bare"), run("bare")]], ["floor-x", floor], ["x", x], ["y", x]]);
    const [p, ...rest] = floorPairs(rounds);
    expect(rest).toEqual([]);
    expect(p.chain).toBe("x");
    expect(p.floor).toBe("floor-x");
    expect(p.rpsRatios.map((r) => +r.toFixed(3))).toEqual([0.9, 0.92, 0.9]);
    expect(p.rpsRatio).toBeCloseTo(0.9, 10);
    expect(p.cpuAdded).toEqual([30, 25, 40]);
    expect(p.cpuAddedMedian).toBe(30);
  });

  it("leaves out a floor without its chain and a chain without its floor", () => {
    expect(floorPairs(new Map([["floor-x", [run("floor-x")]], ["y", [run("y")]]]))).toEqual([]);
  });

  it("median: the middle, or the mean of the two middles", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("renders a table only when some cell has a pair", () => {
    const pairs = floorPairs(new Map([["floor-x", [run("floor-x", { cpu: cpu(100) })]], ["x", [run("x", { rps: 950, cpu: cpu(120) })]]]));
    const md = renderFloorPairs([{ cell: CELL_JSON, runs: [], floorPairs: pairs }]).join("\n");
    expect(md).toContain("| 1K json c1 | x ÷ floor-x | 0.95× | 0.95 | +20 | +20 |");
    expect(renderFloorPairs([{ cell: CELL_JSON, runs: [] }])).toEqual([]);
  });
});
