// Small statistics used by the bench: percentiles of latency samples and
// ratios against the bare-Envoy baseline.

export interface Summary {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..100); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  if (p <= 0) return sorted[0];
  if (p >= 100) return sorted[sorted.length - 1];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1];
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted.length ? sorted[0] : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/** value / base, or null when either is missing or the base is not a positive number. */
export function ratio(value: number | null | undefined, base: number | null | undefined): number | null {
  if (value === null || value === undefined || base === null || base === undefined) return null;
  if (!Number.isFinite(value) || !Number.isFinite(base) || base <= 0) return null;
  return value / base;
}

/** CPU time used over a wall-clock interval, as a percentage of one core. */
export function cpuPercent(cpuTicks: number, ticksPerSecond: number, elapsedMs: number): number {
  if (elapsedMs <= 0 || ticksPerSecond <= 0) return NaN;
  return (cpuTicks / ticksPerSecond / (elapsedMs / 1000)) * 100;
}

/** CPU microseconds spent per completed request; NaN without requests. */
export function cpuMicrosPerRequest(cpuTicks: number, ticksPerSecond: number, requests: number): number {
  if (requests <= 0 || ticksPerSecond <= 0) return NaN;
  return (cpuTicks / ticksPerSecond) * 1e6 / requests;
}
