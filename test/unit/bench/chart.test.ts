import { describe, expect, it } from "vitest";
import { chartPanels, escapeXml, niceTicks, renderChart, renderPanel, WIDTH } from "../../../scripts/bench/report/chart.ts";
import { sampleResults } from "./sample.ts";

describe("niceTicks", () => {
  it("steps by 1, 2 or 5 times a power of ten and reaches the maximum", () => {
    expect(niceTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(9.3)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(1.3)).toEqual([0, 0.5, 1, 1.5]);
    expect(niceTicks(2600)).toEqual([0, 1000, 2000, 3000]);
    expect(niceTicks(0.07)).toEqual([0, 0.02, 0.04, 0.06, 0.08]);
  });
  it("copes with an empty or broken range", () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(NaN)).toEqual([0, 1]);
  });
});

describe("chart panels", () => {
  it("shows RPS, p99 and CPU per request for every chain, then ratios per scenario", () => {
    const panels = chartPanels(sampleResults());
    expect(panels.map((p) => p.title)).toEqual([
      "Requests per second",
      "p50 latency, ms (full response)",
      "Envoy CPU per request, µs",
      "wasm-passthrough ÷ bare (1.0 = same as bare; axis cut at 2)",
    ]);
    expect(panels[0].groups).toEqual(["1K json c1", "32K stream c16"]);
    expect(panels[0].series.map((s) => [s.name, s.values])).toEqual([
      ["bare", [1000, 2000]],
      ["wasm-passthrough", [800, 1500]],
    ]);
    const ratios = panels[3];
    expect(ratios.refLine).toBe(1);
    expect(ratios.series.map((s) => s.name)).toEqual(["RPS", "p50", "p99", "CPU/req", "peak RSS"]);
    expect(ratios.series[0].values[0]).toBeCloseTo(0.8);
    expect(ratios.series[0].values[1]).toBeCloseTo(0.75);
  });
});

describe("SVG rendering", () => {
  it("draws one bar per value, scaled to the tallest, with a legend and group labels", () => {
    const svg = renderPanel(
      { title: "T", groups: ["a b", "c d"], series: [{ name: "s1", color: "#111", values: [10, 5] }, { name: "s2", color: "#222", values: [null, 2.5] }] },
      0,
      0,
    );
    const bars = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="(#\d+)">/g)];
    expect(bars).toHaveLength(3); // the null value draws nothing
    const heights = bars.map((b) => Number(b[2]));
    expect(heights[1] / heights[0]).toBeCloseTo(0.5, 1);
    expect(heights[2] / heights[0]).toBeCloseTo(0.25, 1);
    expect(svg).toContain(">s1</text>");
    expect(svg).toContain(">s2</text>");
    expect(svg).toContain('>a<tspan');
    expect(svg).toContain(">T</text>");
  });

  it("draws the reference line at 1.0 and rotated value labels on ratio panels", () => {
    const svg = renderPanel({ title: "r", groups: ["g"], series: [{ name: "x", color: "#333", values: [0.5] }], refLine: 1, barLabel: (v) => v.toFixed(2) }, 0, 0);
    expect(svg).toContain('class="ref"');
    expect(svg).toMatch(/class="bar" dominant-baseline="middle" transform="rotate\(-90 [\d. ]+\)">0\.50<\/text>/);
  });

  it("cuts bars taller than clampAt at the top of the axis and marks their label", () => {
    const svg = renderPanel(
      {
        title: "r",
        groups: ["g"],
        series: [{ name: "x", color: "#333", values: [8.26] }, { name: "y", color: "#444", values: [1] }],
        refLine: 1,
        clampAt: 2,
        barLabel: (v) => v.toFixed(2),
      },
      0,
      0,
    );
    const ticks = [...svg.matchAll(/class="tick"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(ticks.at(-1)).toBe("2.5"); // 2 x 1.12 headroom for labels, not 8.26
    const bars = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="#/g)].map((m) => Number(m[2]));
    expect(bars[0] / bars[1]).toBeCloseTo(2.5, 1); // drawn at the axis top (2.5), not 8.26
    expect(svg).toMatch(/class="bar cut" text-anchor="end"[^>]*>8\.26 ↑<\/text>/);
    expect(svg).toContain(">1.00</text>");
  });

  it("renders a complete, parseable SVG document with escaped text", () => {
    const results = sampleResults();
    results.meta.startedAt = "<now & then>";
    const svg = renderChart(results);
    expect(svg.startsWith(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}"`)).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("&lt;now &amp; then&gt;");
    expect(svg).not.toContain("<now");
    expect((svg.match(/<g /g) ?? []).length).toBe(4);
    expect((svg.match(/<g /g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
    expect(escapeXml(`a<b>&"'`)).toBe("a&lt;b&gt;&amp;&quot;&apos;");
  });
});
