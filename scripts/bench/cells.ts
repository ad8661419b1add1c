// The measurement matrix: payload size x streaming mode x concurrency, and
// the order in which the Envoys under test take turns on each cell.
import type { PayloadMode } from "./payloads.ts";

export interface Cell {
  /** Stable id, e.g. "1K-sse-c16". */
  id: string;
  payload: string;
  mode: PayloadMode;
  connections: number;
}

export function cellId(payload: string, mode: PayloadMode, connections: number): string {
  return `${payload}-${mode}-c${connections}`;
}

/** Every combination, payload-major then mode then concurrency. */
export function buildCells(payloads: readonly string[], modes: readonly PayloadMode[], connections: readonly number[]): Cell[] {
  const cells: Cell[] = [];
  for (const payload of payloads) {
    for (const mode of modes) {
      for (const c of connections) cells.push({ id: cellId(payload, mode, c), payload, mode, connections: c });
    }
  }
  return cells;
}

/**
 * Order of the Envoys on cell number `index`: forward on even cells, reversed
 * on odd ones, so no Envoy is always the one measured first (or last) while
 * the machine warms, throttles or picks up a neighbour's load.
 */
export function runOrder<T>(envoys: readonly T[], index: number): T[] {
  return index % 2 === 0 ? [...envoys] : [...envoys].reverse();
}
