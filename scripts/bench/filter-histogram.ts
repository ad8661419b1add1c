// A filter's own per-request timing, read from Envoy: a proxy-wasm histogram
// (e.g. semantic-router's decision time) whose detailed buckets are read
// before and after a run; the difference is that run's requests only.
// Envoy merges worker histograms into what /stats shows once per stats
// flush, so each read first waits for one (the bench configurations flush
// every second).
import type { Envoy } from "../../test/harness/envoy.ts";

/** Longer than the bench configurations' stats_flush_interval (1 s). */
const FLUSH_WAIT_MS = 1300;

/** Bucket lower bound -> requests in [lower, lower + width). */
export type Buckets = Map<number, { width: number; count: number }>;

export interface FilterTiming {
  /** Requests the histogram saw during the run. */
  n: number;
  /** Median, interpolated within its bucket, µs. */
  p50: number;
}

interface DetailedStats {
  stats: { histograms?: { details?: { name: string; totals: { lower_bound: number; width: number; count: number }[] }[] } }[];
}

/** The histogram's cumulative buckets after the next stats flush. */
export async function readBuckets(envoy: Envoy, stat: string): Promise<Buckets> {
  await new Promise((r) => setTimeout(r, FLUSH_WAIT_MS));
  const filter = encodeURIComponent(`^${stat.replaceAll(".", "\\.")}$`);
  const res = await fetch(envoy.adminUrl(`/stats?format=json&histogram_buckets=detailed&filter=${filter}`));
  if (!res.ok) throw new Error(`reading ${stat}: admin answered ${res.status}`);
  const body = (await res.json()) as DetailedStats;
  const out: Buckets = new Map();
  for (const s of body.stats) {
    for (const d of s.histograms?.details ?? []) {
      if (d.name !== stat) continue;
      for (const b of d.totals) out.set(b.lower_bound, { width: b.width, count: b.count });
    }
  }
  return out;
}

/** Median of what was recorded between two reads; null when nothing was. */
export function timingBetween(before: Buckets, after: Buckets): FilterTiming | null {
  const delta = [...after]
    .map(([lower, b]) => ({ lower, width: b.width, count: b.count - (before.get(lower)?.count ?? 0) }))
    .filter((b) => b.count > 0)
    .sort((a, b) => a.lower - b.lower);
  const n = delta.reduce((s, b) => s + b.count, 0);
  if (n === 0) return null;
  const half = n / 2;
  let seen = 0;
  for (const b of delta) {
    if (seen + b.count >= half) return { n, p50: b.lower + b.width * ((half - seen) / b.count) };
    seen += b.count;
  }
  const last = delta[delta.length - 1];
  return { n, p50: last.lower + last.width };
}
