// Admission against the embedded store: every applying limit must admit
// (each of its windows still has budget); the reservation is counted in all of
// them, and rolled back from those already counted when a later one denies.
import { LimitConfig } from "./config";
import { reserve, ReserveStatus, settle } from "./local-store";
import { Quota } from "./rate-headers";

/** Tokens reserved in one limit's slot, to settle later. */
export class Charge {
  constructor(public limit: LimitConfig, public identity: ArrayBuffer, public slot: i32, public amount: i64, public admittedMs: i64) {}
}

export class Decision {
  admitted: bool = true;
  charges: Array<Charge> = new Array<Charge>();
  /** Limits whose table had no slot for the value (not enforced this time). */
  untracked: Array<LimitConfig> | null = null;
  denied: LimitConfig | null = null;
  quota: Quota = new Quota();
}

/** A budget identity as the store keeps it (UTF-8); a shared budget's is made once. */
function identityBytes(limit: LimitConfig, identity: string): ArrayBuffer {
  if (!limit.shared) return String.UTF8.encode(identity);
  let id = limit.sharedIdentity;
  if (id === null) {
    id = String.UTF8.encode(identity);
    limit.sharedIdentity = id;
  }
  return id;
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
    const id = identityBytes(limit, identities[i]);
    const denial = new Quota();
    const r = reserve(limit, id, prompt, completionCap, completionReserve, nowMs, d.quota, denial);
    if (r.status == ReserveStatus.Untracked) {
      let untracked = d.untracked;
      if (untracked === null) d.untracked = untracked = new Array<LimitConfig>();
      untracked.push(limit);
      continue;
    }
    if (r.status == ReserveStatus.Denied) {
      d.admitted = false;
      d.denied = limit;
      d.quota = denial;
      for (let c = 0; c < d.charges.length; c++) {
        const ch = d.charges[c];
        settle(ch.limit, ch.identity, ch.slot, ch.amount, 0, -1, nowMs, nowMs);
      }
      d.charges.length = 0;
      return d;
    }
    d.charges.push(new Charge(limit, id, r.slot, r.amount, nowMs));
  }
  return d;
}
