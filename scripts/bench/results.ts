// Shapes of the bench's results (also the JSON written to bench-results/)
// and the comparison of each run with bare Envoy on the same cell.
import type { Cell } from "./cells.ts";
import type { FilterTiming } from "./filter-histogram.ts";
import type { FloorPair } from "./floor-pairs.ts";
import { ratio, type Summary } from "./stats.ts";

export interface WrkErrors {
  connect: number;
  read: number;
  write: number;
  /** Responses with status > 399. */
  status: number;
  timeout: number;
}

export interface RunResult {
  /** Scenario name; "bare" is the baseline. */
  envoy: string;
  /** Completed requests (wrk). */
  requests: number;
  durationS: number;
  rps: number;
  errors: WrkErrors;
  /** Full-response latency (request written -> last byte read), wrk's histogram. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** Time to first byte from the side sampler; streaming cells only. */
  ttfbMs: Summary | null;
  /** Envoy process CPU (utime+stime, all threads) over the run. */
  cpu: { percentOfCore: number; microsPerRequest: number };
  /** Envoy memory at the end of the run: VmRSS and the VmHWM peak since start. */
  memory: { rssMb: number; hwmMb: number };
  /** The demo upstream's CPU over the run, % of one core (it shares the machine). */
  upstreamCpuPercent: number;
  /** Whole-machine CPU busy over the run, % of all cores. */
  hostBusyPercent: number;
  /** The scenario's filterHistogram over the run's requests (null: the scenario has none). */
  filterTiming?: FilterTiming | null;
}

/** A run divided by bare Envoy's run on the same cell; null where not comparable. */
export interface Ratios {
  rps: number | null;
  p50: number | null;
  p99: number | null;
  ttfbP50: number | null;
  cpuPercent: number | null;
  cpuPerRequest: number | null;
  rss: number | null;
  hwm: number | null;
}

export interface CellResult {
  cell: Cell;
  /** Bare first, then the scenarios in registry order (not the order they ran). */
  runs: Array<RunResult & { vsBare: Ratios | null }>;
  /** Chains whose floor ran too, compared round by round (see floor-pairs.ts). */
  floorPairs?: FloorPair[];
}

export interface BenchMeta {
  startedAt: string;
  finishedAt: string;
  gitCommit: string | null;
  envoyVersion: string | null;
  wrkVersion: string | null;
  node: string;
  cpus: number;
  cpuModel: string;
  envoyConcurrency: number;
  method: string;
}

export interface BenchResults {
  meta: BenchMeta;
  options: Record<string, unknown>;
  scenarios: Array<{ name: string; description: string }>;
  cells: CellResult[];
}

export function compare(run: RunResult, bare: RunResult): Ratios {
  return {
    rps: ratio(run.rps, bare.rps),
    p50: ratio(run.latencyMs.p50, bare.latencyMs.p50),
    p99: ratio(run.latencyMs.p99, bare.latencyMs.p99),
    ttfbP50: ratio(run.ttfbMs?.p50, bare.ttfbMs?.p50),
    cpuPercent: ratio(run.cpu.percentOfCore, bare.cpu.percentOfCore),
    cpuPerRequest: ratio(run.cpu.microsPerRequest, bare.cpu.microsPerRequest),
    rss: ratio(run.memory.rssMb, bare.memory.rssMb),
    hwm: ratio(run.memory.hwmMb, bare.memory.hwmMb),
  };
}

/**
 * Of several rounds of one cell, the run that stands for each chain: the
 * round whose RPS ratio to bare's run of the same round is the median (the
 * lower middle for an even count), with that round's bare run to compare
 * against, so a machine that speeds up or slows down between rounds moves
 * both sides of each ratio. Bare itself: its median-RPS run.
 */
export function pickRounds(rounds: ReadonlyMap<string, readonly RunResult[]>): { runs: RunResult[]; bareFor: Map<string, RunResult> } {
  const bare = rounds.get("bare") ?? [];
  const runs: RunResult[] = [];
  const bareFor = new Map<string, RunResult>();
  for (const [name, list] of rounds) {
    if (!list.length) throw new Error(`pickRounds: no runs of ${name}`);
    if (name === "bare" || bare.length !== list.length) {
      runs.push(lowerMiddle(list.map((r, i) => ({ r, i, key: r.rps }))).r);
      continue;
    }
    const m = lowerMiddle(list.map((r, i) => ({ r, i, key: bare[i].rps > 0 ? r.rps / bare[i].rps : 0 })));
    runs.push(m.r);
    bareFor.set(name, bare[m.i]);
  }
  return { runs, bareFor };
}

function lowerMiddle<T extends { key: number }>(items: T[]): T {
  const sorted = [...items].sort((a, b) => a.key - b.key);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Orders a cell's runs bare-first in `order` and attaches the ratios to bare (to `bareFor`'s run of the chain when given: see pickRounds). */
export function cellResult(cell: Cell, runs: readonly RunResult[], order: readonly string[], bareFor?: ReadonlyMap<string, RunResult>): CellResult {
  const byName = new Map(runs.map((r) => [r.envoy, r]));
  const bare = byName.get("bare");
  const sorted = order.map((n) => byName.get(n)).filter((r): r is RunResult => r !== undefined);
  return {
    cell,
    runs: sorted.map((r) => {
      const base = bareFor?.get(r.envoy) ?? bare;
      return { ...r, vsBare: r.envoy === "bare" || !base ? null : compare(r, base) };
    }),
  };
}
