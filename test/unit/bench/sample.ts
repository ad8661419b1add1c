// A small, hand-made BenchResults for the rendering tests.
import type { Cell } from "../../../scripts/bench/cells.ts";
import { cellResult, type BenchResults, type RunResult } from "../../../scripts/bench/results.ts";

export function run(envoy: string, over: Partial<RunResult> = {}): RunResult {
  return {
    envoy,
    requests: 4000,
    durationS: 4,
    rps: 1000,
    errors: { connect: 0, read: 0, write: 0, status: 0, timeout: 0 },
    latencyMs: { mean: 1.1, p50: 1, p90: 1.5, p99: 2, max: 5 },
    ttfbMs: null,
    cpu: { percentOfCore: 50, microsPerRequest: 500 },
    memory: { rssMb: 40, hwmMb: 50 },
    upstreamCpuPercent: 60,
    hostBusyPercent: 90,
    ...over,
  };
}

export const CELL_JSON: Cell = { id: "1K-json-c1", payload: "1K", mode: "json", connections: 1 };
export const CELL_SSE: Cell = { id: "32K-sse-c16", payload: "32K", mode: "sse", connections: 16 };

export function sampleResults(): BenchResults {
  const ttfb = (p50: number) => ({ n: 40, min: p50 / 2, mean: p50, p50, p90: p50 * 1.5, p99: p50 * 2, max: p50 * 3 });
  return {
    meta: {
      startedAt: "2026-11-23T22:41:07.123Z",
      finishedAt: "2026-11-23T22:44:00.000Z",
      gitCommit: "abc1234",
      envoyVersion: "1.40.0",
      wrkVersion: "4.1.0",
      node: "v20.0.0",
      cpus: 2,
      cpuModel: "Test CPU",
      envoyConcurrency: 1,
      method: "Side by side.",
    },
    options: { durationS: 4, maxRequests: 40000, warmupS: 1 },
    scenarios: [
      { name: "bare", description: "baseline" },
      { name: "wasm-passthrough", description: "probe | no op" },
    ],
    cells: [
      cellResult(CELL_JSON, [run("wasm-passthrough", { rps: 800, latencyMs: { mean: 1.3, p50: 1.25, p90: 2, p99: 3, max: 6 } }), run("bare")], ["bare", "wasm-passthrough"]),
      cellResult(
        CELL_SSE,
        [
          run("bare", { ttfbMs: ttfb(2), rps: 2000 }),
          run("wasm-passthrough", { ttfbMs: ttfb(3), rps: 1500, errors: { connect: 0, read: 1, write: 0, status: 2, timeout: 0 } }),
        ],
        ["bare", "wasm-passthrough"],
      ),
    ],
  };
}
