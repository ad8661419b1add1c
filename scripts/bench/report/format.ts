// Number formats shared by the markdown table and the chart.
import type { Cell } from "../cells.ts";

export const DASH = "–";

function missing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || !Number.isFinite(v);
}

/** Milliseconds with about three significant digits. */
export function fmtMs(v: number | null | undefined): string {
  if (missing(v)) return DASH;
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return v.toFixed(0);
}

export function fmtInt(v: number | null | undefined): string {
  return missing(v) ? DASH : Math.round(v).toString();
}

export function fmtOne(v: number | null | undefined): string {
  return missing(v) ? DASH : v.toFixed(1);
}

export function fmtRatio(r: number | null | undefined): string {
  return missing(r) ? DASH : `${r.toFixed(2)}×`;
}

/** "value (ratio×)", or the value alone when there is no ratio (bare). */
export function withRatio(value: string, r: number | null | undefined, hasRatio: boolean): string {
  return hasRatio && value !== DASH ? `${value} (${fmtRatio(r)})` : value;
}

export function modeLabel(mode: Cell["mode"]): string {
  return mode === "sse" ? "stream" : "json";
}

/** "1K stream c16" */
export function cellLabel(cell: Cell): string {
  return `${cell.payload} ${modeLabel(cell.mode)} c${cell.connections}`;
}
