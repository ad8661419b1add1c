// Admission against the embedded store: every applying limit must admit
// (each of its windows still has budget); the reservation is counted in all of
// them, and rolled back from those already counted when a later one denies.
import { LimitConfig } from "./config";
import { adjust, reserve, ReserveStatus } from "./local-store";
import { resetMillis } from "./windows";

/** Tokens reserved in one limit, to settle later into the same slot and windows. */
export class Charge {
  constructor(public limit: LimitConfig, public identity: string, public slot: i32, public windowIds: Array<i64>) {}
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

export function admitLocal(limits: Array<LimitConfig>, identities: Array<string>, amount: i64, nowMs: i64): Decision {
  const d = new Decision();
  for (let i = 0; i < limits.length; i++) {
    const limit = limits[i];
    const r = reserve(limit, identities[i], amount, nowMs);
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
        if (r.used[w] >= win.tokens) d.quota.consider(win.tokens, r.used[w], resetMillis(nowMs, win.seconds));
      }
      for (let c = 0; c < d.charges.length; c++) {
        const ch = d.charges[c];
        adjust(ch.limit, ch.identity, ch.slot, ch.windowIds, -amount);
      }
      d.charges.length = 0;
      return d;
    }
    d.charges.push(new Charge(limit, identities[i], r.slot, r.windowIds));
    for (let w = 0; w < limit.windows.length; w++) {
      const win = limit.windows[w];
      d.quota.consider(win.tokens, r.used[w], resetMillis(nowMs, win.seconds));
    }
  }
  return d;
}
