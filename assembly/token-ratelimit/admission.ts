// Admission against the embedded store: every applying limit must admit
// (each of its windows still has budget); the reservation is counted in all of
// them, and rolled back from those already counted when a later one denies.
import { LimitConfig } from "./config";
import { reserve, ReserveStatus, settle } from "./local-store";

/** Tokens reserved in one limit's slot, to settle later. */
export class Charge {
  constructor(public limit: LimitConfig, public identity: string, public slot: i32, public amount: i64) {}
}

/** The window that the response headers describe: the one with least budget left (or the one that denied). */
export class Quota {
  limit: i64 = -1;
  remaining: i64 = -1;
  resetMs: i64 = -1;

  /** Keeps the tighter of the current quota and (limit, used, resetMs). */
  consider(limit: i64, used: i64, resetMs: i64): void {
    const remaining = used >= limit ? 0 : limit - used;
    if (this.limit < 0 || remaining < this.remaining || (remaining == this.remaining && resetMs > this.resetMs)) {
      this.limit = limit;
      this.remaining = remaining;
      this.resetMs = resetMs;
    }
  }
}

export class Decision {
  admitted: bool = true;
  charges: Array<Charge> = new Array<Charge>();
  /** Limits whose table had no slot for the value (not enforced this time). */
  untracked: Array<LimitConfig> = new Array<LimitConfig>();
  denied: LimitConfig | null = null;
  quota: Quota = new Quota();
}

/**
 * Reserves `prompt` plus the completion allowance (`completionCap` when the
 * request gives one, else the larger of `completionReserve` and the budget's
 * recent peak) in every limit.
 */
export function admitLocal(limits: Array<LimitConfig>, identities: Array<string>, prompt: i64, completionCap: i64, completionReserve: i64, nowMs: i64): Decision {
  const d = new Decision();
  for (let i = 0; i < limits.length; i++) {
    const limit = limits[i];
    const r = reserve(limit, identities[i], prompt, completionCap, completionReserve, nowMs);
    if (r.status == ReserveStatus.Untracked) {
      d.untracked.push(limit);
      continue;
    }
    if (r.status == ReserveStatus.Denied) {
      d.admitted = false;
      d.denied = limit;
      d.quota = new Quota();
      for (let w = 0; w < limit.windows.length; w++) {
        const win = limit.windows[w];
        if (r.used[w] >= win.tokens) d.quota.consider(win.tokens, r.used[w], r.resetMs[w]);
      }
      for (let c = 0; c < d.charges.length; c++) {
        const ch = d.charges[c];
        settle(ch.limit, ch.identity, ch.slot, ch.amount, 0, -1, nowMs);
      }
      d.charges.length = 0;
      return d;
    }
    d.charges.push(new Charge(limit, identities[i], r.slot, r.amount));
    for (let w = 0; w < limit.windows.length; w++) {
      const win = limit.windows[w];
      d.quota.consider(win.tokens, r.used[w], r.resetMs[w]);
    }
  }
  return d;
}
