// A filter against its host floor in the same run. The floor of chain X is
// the scenario "floor-X": the same host calls, none of the work. Each round
// runs both on the same machine within seconds, so the round's own ratio
// (X's RPS over the floor's) and difference (X's Envoy CPU per request minus
// the floor's) cancel what the machine did between rounds; the median over
// the rounds is the figure. (The main table picks each chain's median round
// against bare independently, so its X-to-floor quotient mixes two rounds.)
import type { RunResult } from "./results.ts";

export const FLOOR_PREFIX = "floor-";

export interface FloorPair {
  chain: string;
  floor: string;
  /** Per round: the chain's RPS ÷ the floor's. */
  rpsRatios: number[];
  /** Per round: the chain's Envoy CPU µs per request − the floor's. */
  cpuAdded: number[];
  rpsRatio: number;
  cpuAddedMedian: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Every chain of `rounds` whose floor also ran, paired round by round (rounds missing on either side are left out). */
export function floorPairs(rounds: ReadonlyMap<string, readonly RunResult[]>): FloorPair[] {
  const out: FloorPair[] = [];
  for (const [floor, floorRuns] of rounds) {
    if (!floor.startsWith(FLOOR_PREFIX)) continue;
    const chain = floor.slice(FLOOR_PREFIX.length);
    const chainRuns = rounds.get(chain);
    if (!chainRuns) continue;
    const n = Math.min(chainRuns.length, floorRuns.length);
    const rpsRatios: number[] = [];
    const cpuAdded: number[] = [];
    for (let i = 0; i < n; i++) {
      if (floorRuns[i].rps > 0) rpsRatios.push(chainRuns[i].rps / floorRuns[i].rps);
      const added = chainRuns[i].cpu.microsPerRequest - floorRuns[i].cpu.microsPerRequest;
      if (Number.isFinite(added)) cpuAdded.push(added);
    }
    if (!rpsRatios.length) continue;
    out.push({ chain, floor, rpsRatios, cpuAdded, rpsRatio: median(rpsRatios), cpuAddedMedian: median(cpuAdded) });
  }
  return out;
}
