// The embedded budget store: per limit a fixed table of slots in proxy-wasm
// shared data, which every worker thread of the Envoy (same vm_id) sees.
//
// - Keys are "token-ratelimit/<scope>/<limit>/<slot>", created empty at
//   configure time: a set on a missing key ignores the CAS, so creating keys
//   while serving could lose a concurrent write. Every write while serving is
//   a get -> change -> set(cas) loop that starts over on CasMismatch.
// - A value's slot is found by hashing it and probing a few slots. A slot
//   that counts nothing (no tokens in a current window, nothing in flight)
//   is reclaimed by the next value that needs one, so the store never grows
//   past the table, however many distinct values pass. When every probed slot
//   is live the table is full and the limit is not enforced for that request
//   (counted in metrics).
// - A request costs one get + set when it is admitted and one when it settles.
import { getSharedData, getSharedDataBytes, setSharedData, setSharedDataBytes, Status } from "../common/runtime/host";
import { LimitConfig } from "./config";
import { Quota } from "./rate-headers";
import { SlotRecord } from "./slot-record";
import { resetMillis } from "./windows";
import { decimal } from "../common/text/decimal";

const PROBES: i32 = 8;
const MAX_ATTEMPTS: i32 = 32;
/** Largest reservation: a client's max_tokens of 9e18 must not overflow the sums. */
export const MAX_RESERVATION: i64 = 1 << 50;

export enum ReserveStatus {
  Admitted = 0,
  Denied = 1,
  /** No slot free for this value, or the store kept failing: not enforced. */
  Untracked = 2,
}

export class ReserveResult {
  status: ReserveStatus = ReserveStatus.Untracked;
  slot: i32 = -1;
  /** Tokens reserved (admitted). */
  amount: i64 = 0;
}

export function slotKey(limit: LimitConfig, slot: i32): string {
  return limit.storeKey + "/" + decimal(slot);
}

/** The slot's shared-data key as UTF-8, made once per slot. */
function slotKeyBytes(limit: LimitConfig, slot: i32): ArrayBuffer {
  let key = limit.slotKeys[slot];
  if (key === null) {
    key = String.UTF8.encode(slotKey(limit, slot));
    limit.slotKeys[slot] = key;
  }
  return key;
}

/** Creates the limit's slots that do not exist yet (call at configure time). */
export function createSlots(limit: LimitConfig): void {
  const empty = new ArrayBuffer(0);
  limit.slotKeys = new Array<ArrayBuffer | null>(limit.maxKeys);
  for (let i = 0; i < limit.maxKeys; i++) {
    const key = slotKey(limit, i);
    if (getSharedData(key).status == Status.NotFound) setSharedData(key, empty, 0);
  }
}

function fnv1a(s: ArrayBuffer): u32 {
  let h: u32 = 2166136261;
  const base = changetype<usize>(s);
  for (let i = 0; i < s.byteLength; i++) {
    h ^= <u32>load<u8>(base + <usize>i);
    h *= 16777619;
  }
  return h;
}

class Found {
  constructor(public slot: i32, public record: SlotRecord, public cas: u32, public claimed: bool = false) {}
}

/** The slot holding `identity` (advanced to now), or a free one to claim; null when the probed slots are all live. */
function findSlot(limit: LimitConfig, identity: ArrayBuffer, nowMs: i64): Found | null {
  const n = limit.windows.length;
  const start: u32 = limit.maxKeys == 1 ? 0 : fnv1a(identity);
  const probes = min(PROBES, limit.maxKeys);
  let free: Found | null = null;
  for (let p = 0; p < probes; p++) {
    const slot = <i32>((start + <u32>p) % <u32>limit.maxKeys);
    const got = getSharedDataBytes(slotKeyBytes(limit, slot));
    const record = SlotRecord.decode(got.value, n);
    if (record !== null) record.advance(limit.windows, limit.bucket, nowMs);
    if (record !== null && record.holds(identity)) return new Found(slot, record, got.cas);
    if (free === null && (record === null || !record.isLive())) {
      const fresh = new SlotRecord(n);
      fresh.advance(limit.windows, limit.bucket, nowMs);
      free = new Found(slot, fresh, got.cas, true);
    }
    // A never-used slot ends the probe sequence: the value was never placed past it.
    if (got.status == Status.NotFound || (got.value !== null && (<ArrayBuffer>got.value).byteLength == 0)) break;
  }
  return free;
}

/** The same slot when it still holds `identity` (the usual case: one get), else wherever the identity is now. */
function slotOf(limit: LimitConfig, identity: ArrayBuffer, slot: i32, nowMs: i64): Found | null {
  const got = getSharedDataBytes(slotKeyBytes(limit, slot));
  const record = SlotRecord.decode(got.value, limit.windows.length);
  if (record !== null && record.holds(identity)) {
    record.advance(limit.windows, limit.bucket, nowMs);
    return new Found(slot, record, got.cas);
  }
  return findSlot(limit, identity, nowMs);
}

/** The completion a request reserves: its own cap when it gives one, else the larger of the configured allowance and the budget's recent peak. */
export function completionAllowance(cap: i64, reserve: i64, peak: i64): i64 {
  if (cap >= 0) return cap;
  return reserve > peak ? reserve : peak;
}

function saturatingSum(a: i64, b: i64): i64 {
  const s = a + b;
  return s < 0 || s > MAX_RESERVATION ? MAX_RESERVATION : s;
}

/** A denial caused by reservations still in flight is short-lived: they settle (mostly below what they reserved) within seconds. */
const IN_FLIGHT_RETRY_MS: i64 = 1000;

function millisUntilRoom(limit: LimitConfig, r: SlotRecord, i: i32, nowMs: i64): i64 {
  const w = limit.windows[i];
  const settledOnly = r.used[i] - <f64>r.inflight < <f64>w.tokens;
  if (!limit.bucket) {
    const ms = resetMillis(nowMs, w.seconds);
    return settledOnly && r.used[i] >= <f64>w.tokens && ms > IN_FLIGHT_RETRY_MS ? IN_FLIGHT_RETRY_MS : ms;
  }
  // A bucket has room once its level drains below the budget; it is full again when the level reaches 0.
  const over = r.used[i] - <f64>w.tokens;
  const tokens = over >= 0 ? over + 1 : r.used[i];
  let ms = <i64>Math.ceil((tokens / <f64>w.tokens) * <f64>(w.seconds * 1000));
  if (over >= 0 && settledOnly && ms > IN_FLIGHT_RETRY_MS) ms = IN_FLIGHT_RETRY_MS;
  return ms > 0 ? ms : 1;
}

/** Until window i resets: a fixed window's end, or the time a bucket takes to drain empty. */
function millisUntilReset(limit: LimitConfig, r: SlotRecord, i: i32, nowMs: i64): i64 {
  const w = limit.windows[i];
  if (!limit.bucket) return resetMillis(nowMs, w.seconds);
  const ms = <i64>Math.ceil((r.used[i] / <f64>w.tokens) * <f64>(w.seconds * 1000));
  return ms > 0 ? ms : 1;
}

/** Adds the limit's windows to `quota` (only the full ones when `fullOnly`, for a denial). */
function describe(quota: Quota, limit: LimitConfig, r: SlotRecord, nowMs: i64, fullOnly: bool): void {
  for (let i = 0; i < limit.windows.length; i++) {
    const tokens = limit.windows[i].tokens;
    const used = r.usedTokens(i);
    if (!fullOnly || used >= tokens) quota.consider(tokens, used, millisUntilReset(limit, r, i, nowMs), millisUntilRoom(limit, r, i, nowMs));
  }
}

/**
 * Admits when every window of the limit still has budget left (used < limit),
 * and then counts the reservation (the prompt estimate and the completion
 * allowance) in each and as in flight; denies without counting otherwise.
 * Its windows go into `admitted` (after the reservation) or, when it denies,
 * its full windows into `denial`.
 */
export function reserve(limit: LimitConfig, identity: ArrayBuffer, prompt: i64, completionCap: i64, completionReserve: i64, nowMs: i64, admitted: Quota, denial: Quota): ReserveResult {
  const result = new ReserveResult();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const found = findSlot(limit, identity, nowMs);
    if (found === null) return result;
    const r = found.record;
    result.slot = found.slot;
    if (!r.admits(limit.windows)) {
      result.status = ReserveStatus.Denied;
      describe(denial, limit, r, nowMs, true);
      return result;
    }
    const amount = saturatingSum(prompt, completionAllowance(completionCap, completionReserve, r.recentPeak(nowMs)));
    r.add(amount);
    r.inflight = saturatingSum(r.inflight, amount);
    r.lastMs = nowMs;
    const st = setSharedDataBytes(slotKeyBytes(limit, found.slot), r.encode(identity), found.cas);
    if (st == Status.Ok) {
      result.status = ReserveStatus.Admitted;
      result.amount = amount;
      describe(admitted, limit, r, nowMs, false);
      return result;
    }
    if (st != Status.CasMismatch) {
      result.status = ReserveStatus.Untracked;
      return result;
    }
  }
  result.status = ReserveStatus.Untracked;
  return result;
}

/**
 * Replaces a reservation of `reserved` tokens with the `actual` tokens the
 * request used, in the windows that count now: the window it was admitted
 * in, or (when that has passed) the current one, which started with the
 * reservation in it, unless the slot had dropped it as stale first (a
 * request of more than 10 quiet minutes): such a window gets all of
 * `actual`. `completion` >= 0 is the request's completion, for the budget's
 * peak. False when the store could not be written.
 */
export function settle(limit: LimitConfig, identity: ArrayBuffer, slot: i32, reserved: i64, actual: i64, completion: i64, admittedMs: i64, nowMs: i64): bool {
  if (slot < 0) return true;
  // Figures from an upstream are clamped before they meet the sums (no wrap, no negative usage).
  if (actual < 0) actual = 0;
  if (actual > MAX_RESERVATION) actual = MAX_RESERVATION;
  if (completion > MAX_RESERVATION) completion = MAX_RESERVATION;
  const delta = actual - reserved;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const found = slotOf(limit, identity, slot, nowMs);
    if (found === null) return false;
    const r = found.record;
    // A slot claimed afresh holds nothing of this request (its reservation was dropped as stale).
    if (found.claimed) r.add(actual);
    // In flight less than this reservation: it was dropped as stale, and windows begun since may lack it.
    else if (r.inflight < reserved && !limit.bucket) r.settleDropped(limit.windows, delta, actual, admittedMs);
    else r.add(delta);
    const left = r.inflight - reserved;
    r.inflight = left > 0 ? left : 0;
    r.lastMs = nowMs;
    if (completion >= 0) r.notePeak(completion, nowMs);
    slot = found.slot;
    const st = setSharedDataBytes(slotKeyBytes(limit, slot), r.encode(identity), found.cas);
    if (st == Status.Ok) return true;
    if (st != Status.CasMismatch) return false;
  }
  return false;
}
