import { describe, expect, it } from "vitest";
import { cellResult, compare, pickRounds } from "../../../scripts/bench/results.ts";
import { cellLabel, fmtMs, fmtRatio, withRatio } from "../../../scripts/bench/report/format.ts";
import { renderMarkdown, renderTable, tableRows } from "../../../scripts/bench/report/table.ts";
import { stamp } from "../../../scripts/bench/report/write.ts";
import { CELL_JSON, CELL_SSE, run, sampleResults } from "./sample.ts";

describe("ratios to bare", () => {
  it("divides each metric by bare's on the same cell", () => {
    const r = compare(
      run("x", { rps: 900, cpu: { percentOfCore: 60, microsPerRequest: 600 }, memory: { rssMb: 44, hwmMb: 60 } }),
      run("bare"),
    );
    expect(r.rps).toBeCloseTo(0.9);
    expect(r.cpuPercent).toBeCloseTo(1.2);
    expect(r.cpuPerRequest).toBeCloseTo(1.2);
    expect(r.rss).toBeCloseTo(1.1);
    expect(r.hwm).toBeCloseTo(1.2);
    expect(r.ttfbP50).toBeNull(); // non-streaming cell: no TTFB on either side
  });

  it("orders runs bare first and leaves bare without ratios", () => {
    const cells = sampleResults().cells;
    expect(cells[0].runs.map((r) => r.envoy)).toEqual(["bare", "wasm-passthrough"]);
    expect(cells[0].runs[0].vsBare).toBeNull();
    expect(cells[0].runs[1].vsBare?.rps).toBeCloseTo(0.8);
    expect(cells[0].runs[1].vsBare?.p50).toBeCloseTo(1.25);
    expect(cells[1].runs[1].vsBare?.ttfbP50).toBeCloseTo(1.5);
  });
});

describe("formats", () => {
  it("prints milliseconds with about three significant digits", () => {
    expect(fmtMs(0.4251)).toBe("0.43");
    expect(fmtMs(4.256)).toBe("4.26");
    expect(fmtMs(42.56)).toBe("42.6");
    expect(fmtMs(425.6)).toBe("426");
    expect(fmtMs(NaN)).toBe("–");
    expect(fmtMs(null)).toBe("–");
  });
  it("prints ratios and attaches them only where there is a baseline", () => {
    expect(fmtRatio(0.9712)).toBe("0.97×");
    expect(withRatio("812", 0.97, true)).toBe("812 (0.97×)");
    expect(withRatio("812", null, true)).toBe("812 (–)");
    expect(withRatio("812", 0.5, false)).toBe("812");
    expect(withRatio("–", 0.5, true)).toBe("–");
  });
  it("labels cells by size, mode and connections", () => {
    expect(cellLabel(CELL_JSON)).toBe("1K json c1");
    expect(cellLabel(CELL_SSE)).toBe("32K stream c16");
  });
});

describe("markdown table", () => {
  it("has one row per chain per cell, values with ratios for non-bare chains", () => {
    const cells = sampleResults().cells;
    cells[0].runs[1].filterTiming = { n: 10, p50: 93.4 };
    const rows = tableRows(cells[0]);
    expect(rows).toEqual([
      ["1K json c1", "bare", "1000", "1.00", "2.00", "–", "50.0", "500", "–", "40.0", "50.0", "90", "0"],
      ["", "wasm-passthrough", "800 (0.80×)", "1.25 (1.25×)", "3.00 (1.50×)", "–", "50.0 (1.00×)", "500 (1.00×)", "93", "40.0 (1.00×)", "50.0 (1.00×)", "90", "0"],
    ]);
    const sse = tableRows(cells[1]);
    expect(sse[0][5]).toBe("2.00");
    expect(sse[1][5]).toBe("3.00 (1.50×)");
    expect(sse[1][12]).toBe("3"); // read + status errors
  });

  it("renders a well-formed GitHub table", () => {
    const lines = renderTable(sampleResults().cells).split("\n");
    expect(lines).toHaveLength(2 + 4);
    const columns = (l: string) => l.split(/(?<!\\)\|/).length;
    for (const l of lines) expect(columns(l)).toBe(columns(lines[0]));
    expect(lines[1]).toMatch(/^\| :-- \| :-- \| --: /);
  });

  it("the document names the setup, the chains and the method, and escapes pipes", () => {
    const md = renderMarkdown(sampleResults());
    expect(md).toContain("# Bench 2026-11-23T22:41:07.123Z");
    expect(md).toContain("Envoy 1.40.0 (--concurrency 1), wrk 4.1.0");
    expect(md).toContain("- `wasm-passthrough`: probe | no op");
    expect(md).toContain("Side by side.");
    expect(md).toContain("| 32K stream c16 | bare |");
  });

  it("stamps file names without colons or fractions", () => {
    expect(stamp("2026-11-23T22:41:07.123Z")).toBe("2026-11-23T22-41-07Z");
  });
});

describe("rounds", () => {
  it("each chain stands by the round with its median ratio to bare's run of the same round", () => {
    const bare = [run("bare", { rps: 1000 }), run("bare", { rps: 2000 }), run("bare", { rps: 1500 })];
    // Ratios 0.9, 0.7, 0.8: the median is round 2 (1200 / 1500), though 1400 is the median RPS.
    const x = [run("x", { rps: 900 }), run("x", { rps: 1400 }), run("x", { rps: 1200 })];
    const { runs, bareFor } = pickRounds(new Map([["bare", bare], ["x", x]]));
    expect(runs).toEqual([bare[2], x[2]]);
    expect(bareFor.get("x")).toBe(bare[2]);
    const cell = cellResult(CELL_JSON, runs, ["bare", "x"], bareFor);
    expect(cell.runs[1].vsBare?.rps).toBeCloseTo(0.8, 10);
  });

  it("the lower middle for an even count; one round is that round", () => {
    const bare = [1, 2, 3, 4].map((i) => run("bare", { rps: 100 * i }));
    const x = [50, 160, 240, 200].map((rps) => run("x", { rps }));
    // Ratios 0.5, 0.8, 0.8, 0.5: sorted (stable) rounds 1, 4, 2, 3; the lower middle is round 4.
    const even = pickRounds(new Map([["bare", bare], ["x", x]]));
    expect(even.runs[1]).toBe(x[3]);
    expect(even.bareFor.get("x")).toBe(bare[3]);
    expect(even.runs[0]).toBe(bare[1]);
    const one = pickRounds(new Map([["bare", [bare[1]]], ["x", [x[1]]]]));
    expect(one.runs).toEqual([bare[1], x[1]]);
    expect(() => pickRounds(new Map([["bare", []]]))).toThrow(/no runs of bare/);
  });
});
