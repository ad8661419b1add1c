// Markdown rendering of bench results: one row per chain per cell; every
// chain other than bare shows its ratio to bare next to each value.
import type { BenchResults, CellResult } from "../results.ts";
import { DASH, cellLabel, fmtInt, fmtMs, fmtOne, fmtRatio, withRatio } from "./format.ts";

const HEADER = [
  "cell", "chain", "RPS", "p50 ms", "p99 ms", "TTFB p50 ms", "CPU % of core", "CPU µs/req", "filter p50 µs", "RSS MB", "peak RSS MB", "host busy %", "errors",
];
const ALIGN = [":--", ":--", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:"];

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
}

export function tableRows(cell: CellResult): string[][] {
  return cell.runs.map((run, i) => {
    const r = run.vsBare;
    const has = r !== null;
    const errors = run.errors.connect + run.errors.read + run.errors.write + run.errors.status + run.errors.timeout;
    return [
      i === 0 ? cellLabel(cell.cell) : "",
      run.envoy,
      withRatio(fmtInt(run.rps), r?.rps, has),
      withRatio(fmtMs(run.latencyMs.p50), r?.p50, has),
      withRatio(fmtMs(run.latencyMs.p99), r?.p99, has),
      run.ttfbMs ? withRatio(fmtMs(run.ttfbMs.p50), r?.ttfbP50, has) : DASH,
      withRatio(fmtOne(run.cpu.percentOfCore), r?.cpuPercent, has),
      withRatio(fmtInt(run.cpu.microsPerRequest), r?.cpuPerRequest, has),
      run.filterTiming ? fmtInt(run.filterTiming.p50) : DASH,
      withRatio(fmtOne(run.memory.rssMb), r?.rss, has),
      withRatio(fmtOne(run.memory.hwmMb), r?.hwm, has),
      fmtInt(run.hostBusyPercent),
      String(errors),
    ];
  });
}

export function renderTable(cells: readonly CellResult[]): string {
  const lines = [row(HEADER), row(ALIGN)];
  for (const cell of cells) for (const r of tableRows(cell)) lines.push(row(r));
  return lines.join("\n");
}

/** The chains against their floors, round by round (empty when no floor ran beside its chain). */
export function renderFloorPairs(cells: readonly CellResult[]): string[] {
  const lines: string[] = [];
  for (const cell of cells) {
    for (const p of cell.floorPairs ?? []) {
      lines.push(row([
        cellLabel(cell.cell),
        `${p.chain} ÷ ${p.floor}`,
        fmtRatio(p.rpsRatio),
        p.rpsRatios.map((r) => r.toFixed(2)).join(" "),
        signed(p.cpuAddedMedian),
        p.cpuAdded.map(signed).join(" "),
      ]));
    }
  }
  if (!lines.length) return [];
  return [
    "Against the floor: each round's RPS ratio and added Envoy CPU µs per request, chain to its floor in the same round; the median over rounds.",
    "",
    row(["cell", "chain ÷ floor", "RPS ratio (median)", "per round", "CPU µs/req added (median)", "per round"]),
    row([":--", ":--", "--:", "--:", "--:", "--:"]),
    ...lines,
    "",
  ];
}

function signed(v: number): string {
  return Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${Math.round(v)}` : DASH;
}

export function renderMarkdown(results: BenchResults): string {
  const m = results.meta;
  const o = results.options;
  const lines = [
    `# Bench ${m.startedAt}`,
    "",
    `Envoy ${m.envoyVersion ?? "?"} (--concurrency ${m.envoyConcurrency}), wrk ${m.wrkVersion ?? "?"}, Node ${m.node}, ` +
      `${m.cpus} × ${m.cpuModel}, commit ${m.gitCommit ?? "?"}.`,
    `${o.durationS} s or ${o.maxRequests} requests per run; warm-up ${o.warmupS} s per payload × mode per Envoy. ${m.method}`,
    "",
    "Chains:",
    ...results.scenarios.map((s) => `- \`${s.name}\`: ${s.description}`),
    "",
    "Values of a chain other than bare carry their ratio to bare on the same cell in parentheses. " +
      "Latency is full response (last byte); TTFB is the first body byte of streaming responses, from a side client. " +
      "CPU is Envoy's utime+stime over the run; peak RSS is VmHWM since Envoy started; " +
      "host busy is the whole machine's CPU over the run (100 = every core busy: the run measured a saturated box). " +
      "Filter p50 is the median of the filter's own timing histogram over the run's requests, for chains that have one " +
      "(semantic-router: its decision, parse to headers).",
    "",
    renderTable(results.cells),
    "",
    ...renderFloorPairs(results.cells),
  ];
  return lines.join("\n");
}
