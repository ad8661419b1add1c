// The embedded budget store: per limit a fixed table of slots in proxy-wasm
// shared data, which every worker thread of the Envoy (same vm_id) sees.
//
// - Keys are "token-ratelimit/<scope>/<limit>/<slot>", created empty at
//   configure time: a set on a missing key ignores the CAS, so creating keys
//   while serving could lose a concurrent write. Every write while serving is
//   a get -> change -> set(cas) loop that starts over on CasMismatch.
// - A value's slot is found by hashing it and probing a few slots. A slot
//   whose windows have all passed (or hold nothing) is reclaimed by the next
//   value that needs one, so the store never grows past the table, however
//   many distinct values pass. When every probed slot is live the table is
//   full and the limit is not enforced for that request (counted in metrics).
import { getSharedData, setSharedData, Status } from "../common/runtime/host";
import { LimitConfig } from "./config";
import { SlotRecord } from "./slot-record";
import { windowId } from "./windows";

const PROBES: i32 = 8;
const MAX_ATTEMPTS: i32 = 32;

export enum ReserveStatus {
  Admitted = 0,
  Denied = 1,
  /** No slot free for this value, or the store kept failing: not enforced. */
  Untracked = 2,
}

export class ReserveResult {
  status: ReserveStatus = ReserveStatus.Untracked;
  slot: i32 = -1;
  /** The window ids the tokens were counted in (to settle into the same windows). */
  windowIds: Array<i64> = new Array<i64>();
  /** Tokens used per window after this reservation (before it when denied). */
  used: Array<i64> = new Array<i64>();
}

export function slotKey(limit: LimitConfig, slot: i32): string {
  return limit.storeKey + "/" + slot.toString();
}

/** Creates the limit's slots that do not exist yet (call at configure time). */
export function createSlots(limit: LimitConfig): void {
  const empty = new ArrayBuffer(0);
  for (let i = 0; i < limit.maxKeys; i++) {
    const key = slotKey(limit, i);
    if (getSharedData(key).status == Status.NotFound) setSharedData(key, empty, 0);
  }
}

export function currentWindows(limit: LimitConfig, nowMs: i64): Array<i64> {
  const ids = new Array<i64>(limit.windows.length);
  for (let i = 0; i < ids.length; i++) ids[i] = windowId(nowMs, limit.windows[i].seconds);
  return ids;
}

function fnv1a(s: string): u32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= <u32>s.charCodeAt(i);
    h *= 16777619;
  }
  return h;
}

class Found {
  constructor(public slot: i32, public record: SlotRecord, public cas: u32) {}
}

/** The slot holding `identity`, or a free one to claim; null when the probed slots are all live. */
function findSlot(limit: LimitConfig, identity: string, current: Array<i64>): Found | null {
  const n = limit.windows.length;
  const start = fnv1a(identity);
  const probes = min(PROBES, limit.maxKeys);
  let free: Found | null = null;
  for (let p = 0; p < probes; p++) {
    const slot = <i32>((start + <u32>p) % <u32>limit.maxKeys);
    const got = getSharedData(slotKey(limit, slot));
    const record = SlotRecord.decode(got.value, n);
    if (record !== null && record.identity == identity) return new Found(slot, record, got.cas);
    const reusable = record === null || !record.isLive(current);
    if (reusable && free === null) {
      const fresh = new SlotRecord(n);
      fresh.identity = identity;
      for (let i = 0; i < n; i++) fresh.windowIds[i] = current[i];
      free = new Found(slot, fresh, got.cas);
    }
    // A never-used slot ends the probe sequence: the value was never placed past it.
    if (got.status == Status.NotFound || (got.value !== null && (<ArrayBuffer>got.value).byteLength == 0)) break;
  }
  return free;
}

/**
 * Admits when every window of the limit still has budget left (used < limit),
 * and then counts `amount` tokens in each; denies without counting otherwise.
 */
export function reserve(limit: LimitConfig, identity: string, amount: i64, nowMs: i64): ReserveResult {
  const result = new ReserveResult();
  const current = currentWindows(limit, nowMs);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const found = findSlot(limit, identity, current);
    if (found === null) return result;
    const r = found.record;
    r.roll(current);
    let admit = true;
    for (let i = 0; i < current.length; i++) if (r.used[i] >= limit.windows[i].tokens) admit = false;
    if (!admit) {
      result.status = ReserveStatus.Denied;
      result.slot = found.slot;
      result.windowIds = r.windowIds;
      result.used = r.used;
      return result;
    }
    for (let i = 0; i < current.length; i++) r.used[i] += amount;
    const st = setSharedData(slotKey(limit, found.slot), r.encode(), found.cas);
    if (st == Status.Ok) {
      result.status = ReserveStatus.Admitted;
      result.slot = found.slot;
      result.windowIds = r.windowIds;
      result.used = r.used;
      return result;
    }
    if (st != Status.CasMismatch) return result;
  }
  return result;
}

/**
 * Adds `delta` tokens (negative to give back) to the windows a reservation
 * was counted in; windows that have passed since, or a slot reclaimed by
 * another value, are left alone. Counts never go below zero.
 */
export function adjust(limit: LimitConfig, identity: string, slot: i32, windowIds: Array<i64>, delta: i64): bool {
  if (delta == 0 || slot < 0) return true;
  const key = slotKey(limit, slot);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const got = getSharedData(key);
    const r = SlotRecord.decode(got.value, limit.windows.length);
    if (r === null || r.identity != identity) return false;
    let changed = false;
    for (let i = 0; i < windowIds.length; i++) {
      if (r.windowIds[i] != windowIds[i]) continue;
      const next = r.used[i] + delta;
      r.used[i] = next < 0 ? 0 : next;
      changed = true;
    }
    if (!changed) return false;
    const st = setSharedData(key, r.encode(), got.cas);
    if (st == Status.Ok) return true;
    if (st != Status.CasMismatch) return false;
  }
  return false;
}
