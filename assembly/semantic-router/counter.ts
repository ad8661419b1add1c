// Counts feature hashes of one text: an open-addressing table that is reused
// from text to text (reset clears only the slots used).
import { i32At, setI32, setU32, u32At } from "./cells";

export class TermCounter {
  keys: Uint32Array;
  counts: Int32Array;
  /** Slots in use, in insertion order: the unique features of the text. */
  used: Int32Array;
  size: i32 = 0;
  mask: i32;
  /** used.length: the table grows when size reaches it (half full). */
  private limit: i32;

  constructor(capacityPow2: i32 = 1024) {
    this.keys = new Uint32Array(capacityPow2);
    this.counts = new Int32Array(capacityPow2);
    this.used = new Int32Array(capacityPow2 >> 1);
    this.mask = capacityPow2 - 1;
    this.limit = capacityPow2 >> 1;
  }

  reset(): void {
    for (let i = 0; i < this.size; i++) setI32(this.counts, i32At(this.used, i), 0);
    this.size = 0;
  }

  /** Counts one occurrence of feature `hash`. */
  @inline
  add(hash: u32): void {
    let slot = <i32>(mix(hash) & <u32>this.mask);
    const keys = this.keys;
    const counts = this.counts;
    while (true) {
      const c = i32At(counts, slot);
      if (c == 0) break;
      if (u32At(keys, slot) == hash) {
        setI32(counts, slot, c + 1);
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    setU32(keys, slot, hash);
    setI32(counts, slot, 1);
    setI32(this.used, this.size++, slot);
    if (this.size >= this.limit) this.grow();
  }

  /** True when the text had feature `hash`. */
  has(hash: u32): bool {
    let slot = <i32>(mix(hash) & <u32>this.mask);
    while (true) {
      if (i32At(this.counts, slot) == 0) return false;
      if (u32At(this.keys, slot) == hash) return true;
      slot = (slot + 1) & this.mask;
    }
  }

  keyAt(i: i32): u32 {
    return u32At(this.keys, i32At(this.used, i));
  }

  countAt(i: i32): i32 {
    return i32At(this.counts, i32At(this.used, i));
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const oldUsed = this.used;
    const n = this.size;
    const cap = oldKeys.length << 1;
    this.keys = new Uint32Array(cap);
    this.counts = new Int32Array(cap);
    this.used = new Int32Array(cap >> 1);
    this.mask = cap - 1;
    this.limit = cap >> 1;
    this.size = 0;
    for (let i = 0; i < n; i++) {
      const s = unchecked(oldUsed[i]);
      this.insert(unchecked(oldKeys[s]), unchecked(oldCounts[s]));
    }
  }

  private insert(hash: u32, count: i32): void {
    let slot = <i32>(mix(hash) & <u32>this.mask);
    while (unchecked(this.counts[slot]) != 0) slot = (slot + 1) & this.mask;
    unchecked((this.keys[slot] = hash));
    unchecked((this.counts[slot] = count));
    unchecked((this.used[this.size++] = slot));
  }
}

/** Spreads FNV hashes over the table (their low bits cluster for short inputs). */
// @ts-ignore: decorator
@inline
export function mix(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x7feb352d;
  h ^= h >> 15;
  return h;
}
