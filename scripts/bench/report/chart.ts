// SVG chart of bench results, drawn by hand (no chart library): absolute
// panels for throughput, median latency and CPU per request with every chain
// side by side, then one panel per scenario with its ratios to bare around a
// line at 1.0. (Absolute p99 would be dominated by the upstream's tail at
// high concurrency; p99 shows as a ratio.)
import type { BenchResults, CellResult } from "../results.ts";
import { cellLabel } from "./format.ts";

export interface Series {
  name: string;
  color: string;
  values: Array<number | null>;
}

export interface Panel {
  title: string;
  groups: string[];
  series: Series[];
  /** Draws a dashed horizontal line at this value (1.0 for ratios). */
  refLine?: number;
  /** Print each bar's value above it with this format. */
  barLabel?: (v: number) => string;
  /** Upper end of the axis: taller values are drawn cut at it (their label keeps the value, with a ↑). */
  clampAt?: number;
}

export const WIDTH = 1200;
const PANEL_HEIGHT = 300;
const MARGIN = { left: 70, right: 20, top: 46, bottom: 58 };
const BARE_COLOR = "#9e9e9e";
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** Axis ticks from 0 to at least `max` in steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, target = 5): number[] {
  if (!Number.isFinite(max) || max <= 0) return [0, 1];
  const raw = max / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    const t = Number((i * step).toPrecision(12));
    ticks.push(t);
    if (t >= max) break;
  }
  return ticks;
}

function fmtTick(v: number): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** One bar panel as an SVG <g> placed at (x, y). */
export function renderPanel(panel: Panel, x: number, y: number, width = WIDTH, height = PANEL_HEIGHT): string {
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const values = panel.series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const tallest = Math.max(panel.refLine ?? 0, ...values, 0);
  const max = (panel.clampAt !== undefined ? Math.min(tallest, panel.clampAt) : tallest) * (panel.barLabel ? 1.12 : 1);
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1];
  const yOf = (v: number) => MARGIN.top + plotH - (Math.min(Math.max(0, v), top) / top) * plotH;
  const out: string[] = [`<g transform="translate(${x},${y})">`];
  out.push(`<text x="${MARGIN.left}" y="20" class="title">${escapeXml(panel.title)}</text>`);

  for (const t of ticks) {
    const ty = yOf(t).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${ty}" y2="${ty}" class="grid"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${ty}" class="tick" text-anchor="end" dominant-baseline="middle">${fmtTick(t)}</text>`);
  }

  const groupW = plotW / Math.max(1, panel.groups.length);
  const barW = Math.min(40, Math.max(2, (groupW * 0.8) / Math.max(1, panel.series.length)));
  panel.groups.forEach((g, gi) => {
    const gx = MARGIN.left + gi * groupW + (groupW - barW * panel.series.length) / 2;
    panel.series.forEach((s, si) => {
      const v = s.values[gi];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const bx = gx + si * barW;
      const by = yOf(v);
      const bh = MARGIN.top + plotH - by;
      out.push(
        `<rect x="${bx.toFixed(1)}" y="${by.toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="${s.color}">` +
          `<title>${escapeXml(`${s.name} ${g}: ${v}`)}</title></rect>`,
      );
      if (panel.barLabel) {
        // Rotated labels read upwards from above the bar; a cut bar carries its label inside, from the top down.
        const cut = v > top;
        const lx = bx + barW / 2;
        const ly = cut ? by + 4 : by - 3;
        const label = panel.barLabel(v) + (cut ? " ↑" : "");
        out.push(
          `<text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" class="${cut ? "bar cut" : "bar"}"${cut ? ' text-anchor="end"' : ""} ` +
            `dominant-baseline="middle" transform="rotate(-90 ${lx.toFixed(1)} ${ly.toFixed(1)})">${escapeXml(label)}</text>`,
        );
      }
    });
    const [first, ...rest] = g.split(" ");
    const cx = (MARGIN.left + gi * groupW + groupW / 2).toFixed(1);
    const ly = MARGIN.top + plotH + 16;
    out.push(`<text x="${cx}" y="${ly}" class="group" text-anchor="middle">${escapeXml(first)}<tspan x="${cx}" dy="14">${escapeXml(rest.join(" "))}</tspan></text>`);
  });

  if (panel.refLine !== undefined) {
    const ry = yOf(panel.refLine).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${ry}" y2="${ry}" class="ref"/>`);
  }
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" class="axis"/>`);
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" class="axis"/>`);

  // Legend, right-aligned on the title line.
  let lx = width - MARGIN.right;
  for (const s of [...panel.series].reverse()) {
    const w = 18 + s.name.length * 7;
    lx -= w + 12;
    out.push(`<rect x="${lx}" y="10" width="12" height="12" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 16}" y="20" class="legend">${escapeXml(s.name)}</text>`);
  }
  out.push("</g>");
  return out.join("\n");
}

function chainNames(cells: readonly CellResult[]): string[] {
  const names: string[] = [];
  for (const c of cells) for (const r of c.runs) if (!names.includes(r.envoy)) names.push(r.envoy);
  return names;
}

function colorOf(name: string, names: readonly string[]): string {
  if (name === "bare") return BARE_COLOR;
  const i = names.filter((n) => n !== "bare").indexOf(name);
  return PALETTE[i % PALETTE.length];
}

/** The panels the bench chart shows, in order. */
export function chartPanels(results: BenchResults): Panel[] {
  const cells = results.cells;
  const groups = cells.map((c) => cellLabel(c.cell));
  const names = chainNames(cells);
  const pick = (name: string, f: (r: CellResult["runs"][number]) => number | null) =>
    cells.map((c) => {
      const run = c.runs.find((r) => r.envoy === name);
      return run ? f(run) : null;
    });
  const absolute = (title: string, f: (r: CellResult["runs"][number]) => number | null): Panel => ({
    title,
    groups,
    series: names.map((n) => ({ name: n, color: colorOf(n, names), values: pick(n, f) })),
  });
  const panels: Panel[] = [
    absolute("Requests per second", (r) => r.rps),
    absolute("p50 latency, ms (full response)", (r) => r.latencyMs.p50),
    absolute("Envoy CPU per request, µs", (r) => r.cpu.microsPerRequest),
  ];
  const metrics: Array<[string, (r: NonNullable<CellResult["runs"][number]["vsBare"]>) => number | null]> = [
    ["RPS", (v) => v.rps],
    ["p50", (v) => v.p50],
    ["p99", (v) => v.p99],
    ["CPU/req", (v) => v.cpuPerRequest],
    ["peak RSS", (v) => v.hwm],
  ];
  for (const name of names.filter((n) => n !== "bare")) {
    panels.push({
      title: `${name} ÷ bare (1.0 = same as bare; axis cut at 2)`,
      groups,
      refLine: 1,
      clampAt: 2,
      barLabel: (v) => v.toFixed(2),
      series: metrics.map(([label, f], i) => ({
        name: label,
        color: PALETTE[i % PALETTE.length],
        values: pick(name, (r) => (r.vsBare ? f(r.vsBare) : null)),
      })),
    });
  }
  return panels;
}

export function renderChart(results: BenchResults): string {
  const panels = chartPanels(results);
  const header = 40;
  const height = header + panels.length * PANEL_HEIGHT + 10;
  const m = results.meta;
  const subtitle = `Envoy ${m.envoyVersion ?? "?"}, ${m.cpus} cores, ${String(results.options.durationS)} s per run, ${m.startedAt}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    "<style>",
    ".title{font-size:15px;font-weight:bold;fill:#222}.tick,.group{font-size:11px;fill:#444}.legend{font-size:12px;fill:#222}",
    ".bar{font-size:9px;fill:#333}.cut{fill:#fff;font-weight:bold}.grid{stroke:#e4e4e4}.axis{stroke:#666}.ref{stroke:#c00;stroke-dasharray:5 3;stroke-width:1.5}",
    ".head{font-size:18px;font-weight:bold;fill:#111}.sub{font-size:12px;fill:#555}",
    "</style>",
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="22" class="head">AI-gateway filters: bench against bare Envoy</text>`,
    `<text x="${MARGIN.left}" y="38" class="sub">${escapeXml(subtitle)}</text>`,
    ...panels.map((p, i) => renderPanel(p, 0, header + i * PANEL_HEIGHT)),
    "</svg>",
    "",
  ].join("\n");
}
