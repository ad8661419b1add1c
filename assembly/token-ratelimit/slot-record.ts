// One slot of a limit's table in proxy-wasm shared data: whose budget it
// holds, the tokens of its requests still in flight, the largest completion
// it settled lately, and per window what is counted.
//
// Layout (little endian): u32 window count, u32 identity byte length, i64
// tokens reserved by requests in flight, i64 time of the last reservation or
// settlement (ms), i64 peak completion, i64 time of the peak (ms), then per
// window two i64 (fixed window: window id and tokens used; token bucket: time
// of the last update and the level as f64 bits), then the identity (UTF-8).
// An empty value is a slot never used. Anything that does not decode is
// treated as free, so a corrupt or foreign value never traps the VM.
import { WindowLimit } from "./config";
import { windowId } from "./windows";

const HEADER: i32 = 40;

/** A reservation older than this without any reservation or settlement of its slot is taken as lost (its VM died). */
export const STALE_INFLIGHT_MS: i64 = 10 * 60_000;
/** How long the largest completion of a budget keeps raising its reservations. */
export const PEAK_MEMORY_MS: i64 = 60 * 60_000;

export class SlotRecord {
  /** The value read from shared data (null for a fresh record), where the identity lies. */
  private src: ArrayBuffer | null = null;
  inflight: i64 = 0;
  lastMs: i64 = 0;
  peak: i64 = 0;
  peakMs: i64 = 0;
  /** Fixed window: the window id. Token bucket: when the level was last drained (ms). */
  stamp: Array<i64>;
  /** Fixed window: tokens counted in the window. Token bucket: the level (tokens not yet refilled). */
  used: Array<f64>;

  constructor(windows: i32) {
    this.stamp = new Array<i64>(windows);
    this.used = new Array<f64>(windows);
  }

  /**
   * Brings every window to `nowMs`. A fixed window that has passed starts
   * over with the reservations still in flight (they will settle into it);
   * a bucket drains at its refill rate. Reservations that have sat longer
   * than STALE_INFLIGHT_MS with no activity on the slot are dropped.
   */
  advance(windows: Array<WindowLimit>, bucket: bool, nowMs: i64): void {
    if (this.inflight > 0 && nowMs - this.lastMs > STALE_INFLIGHT_MS) this.inflight = 0;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i];
      if (bucket) {
        const elapsed = nowMs - this.stamp[i];
        if (elapsed > 0) {
          const drained = (<f64>elapsed / <f64>(w.seconds * 1000)) * <f64>w.tokens;
          const level = this.used[i] - drained;
          this.used[i] = level > 0 ? level : 0;
          this.stamp[i] = nowMs;
        }
      } else {
        const id = windowId(nowMs, w.seconds);
        if (this.stamp[i] != id) {
          this.stamp[i] = id;
          this.used[i] = <f64>this.inflight;
        }
      }
    }
  }

  /** Every window still has budget left (checked after advance). */
  admits(windows: Array<WindowLimit>): bool {
    for (let i = 0; i < windows.length; i++) if (this.used[i] >= <f64>windows[i].tokens) return false;
    return true;
  }

  /** Adds `delta` tokens (negative to give back) to every window, never below zero. */
  add(delta: i64): void {
    for (let i = 0; i < this.used.length; i++) {
      const next = this.used[i] + <f64>delta;
      this.used[i] = next > 0 ? next : 0;
    }
  }

  /**
   * Settles a reservation the slot dropped as stale (fixed windows): the
   * window it was admitted in still counts it (`delta`); a later one may
   * not, and gets the whole `actual` (at worst the reservation twice, when
   * that window began before the drop: never less than was used).
   */
  settleDropped(windows: Array<WindowLimit>, delta: i64, actual: i64, admittedMs: i64): void {
    for (let i = 0; i < this.used.length; i++) {
      const next = this.used[i] + <f64>(this.stamp[i] == windowId(admittedMs, windows[i].seconds) ? delta : actual);
      this.used[i] = next > 0 ? next : 0;
    }
  }

  /** The largest completion settled within PEAK_MEMORY_MS, else 0. */
  recentPeak(nowMs: i64): i64 {
    return nowMs - this.peakMs <= PEAK_MEMORY_MS ? this.peak : 0;
  }

  notePeak(completion: i64, nowMs: i64): void {
    if (completion >= this.recentPeak(nowMs)) {
      this.peak = completion;
      this.peakMs = nowMs;
    }
  }

  /** True while the slot counts anything (after advance): it must not be reclaimed. */
  isLive(): bool {
    if (this.inflight > 0) return true;
    for (let i = 0; i < this.used.length; i++) if (this.used[i] > 0) return true;
    return false;
  }

  /** True when the slot holds the budget of `identity` (UTF-8), compared where it lies. */
  holds(identity: ArrayBuffer): bool {
    const src = this.src;
    if (src === null) return false;
    const n = this.stamp.length;
    const offset = HEADER + n * 16;
    if (src.byteLength - offset != identity.byteLength) return false;
    return memory.compare(changetype<usize>(src) + <usize>offset, changetype<usize>(identity), <usize>identity.byteLength) == 0;
  }

  /** Tokens counted in window i, rounded up. */
  usedTokens(i: i32): i64 {
    return <i64>Math.ceil(this.used[i]);
  }

  /** The slot's value, for `id` (UTF-8): a slot is only ever written for the request's own identity. */
  encode(id: ArrayBuffer): ArrayBuffer {
    const n = this.stamp.length;
    const buf = new ArrayBuffer(HEADER + n * 16 + id.byteLength);
    const base = changetype<usize>(buf);
    store<u32>(base, n);
    store<u32>(base + 4, id.byteLength);
    store<i64>(base + 8, this.inflight);
    store<i64>(base + 16, this.lastMs);
    store<i64>(base + 24, this.peak);
    store<i64>(base + 32, this.peakMs);
    for (let i = 0; i < n; i++) {
      store<i64>(base + <usize>(HEADER + i * 16), this.stamp[i]);
      store<f64>(base + <usize>(HEADER + 8 + i * 16), this.used[i]);
    }
    memory.copy(base + <usize>(HEADER + n * 16), changetype<usize>(id), id.byteLength);
    return buf;
  }

  /** Decodes a slot of a limit with `windows` windows; null when empty or not of that shape. */
  static decode(buf: ArrayBuffer | null, windows: i32): SlotRecord | null {
    if (buf === null || buf.byteLength < HEADER) return null;
    const base = changetype<usize>(buf);
    const n = load<u32>(base);
    const idLen = load<u32>(base + 4);
    if (n != <u32>windows || <i64>buf.byteLength != <i64>HEADER + <i64>n * 16 + <i64>idLen) return null;
    const r = new SlotRecord(windows);
    r.inflight = load<i64>(base + 8);
    r.lastMs = load<i64>(base + 16);
    r.peak = load<i64>(base + 24);
    r.peakMs = load<i64>(base + 32);
    for (let i = 0; i < windows; i++) {
      r.stamp[i] = load<i64>(base + <usize>(HEADER + i * 16));
      const used = load<f64>(base + <usize>(HEADER + 8 + i * 16));
      // NaN or negative from a foreign value: nothing counted.
      r.used[i] = used > 0 ? used : 0;
    }
    r.src = buf;
    return r;
  }
}
