// Feature hash -> dense feature index, fixed once the examples are read:
// an open-addressing table at most half full, so a lookup is one or two
// probes. Each slot holds the hash and the index side by side (one cache
// line per probe: lookups of a long request are mostly cache misses).
import { i32At, setI32 } from "./cells";
import { mix } from "./counter";

export class Vocabulary {
  /** Slot s: hash at 2s (as i32), index at 2s + 1 (-1: empty). */
  private slots: Int32Array;
  private mask: i32;
  size: i32 = 0;

  constructor(expected: i32) {
    let cap = 16;
    while (cap < expected * 2) cap <<= 1;
    this.slots = new Int32Array(cap * 2).fill(-1);
    this.mask = cap - 1;
  }

  /** The index of `hash`, adding it when new. */
  intern(hash: u32): i32 {
    const slots = this.slots;
    let slot = <i32>(mix(hash) & <u32>this.mask);
    while (true) {
      const id = i32At(slots, 2 * slot + 1);
      if (id < 0) break;
      if (<u32>i32At(slots, 2 * slot) == hash) return id;
      slot = (slot + 1) & this.mask;
    }
    const id = this.size++;
    setI32(slots, 2 * slot, <i32>hash);
    setI32(slots, 2 * slot + 1, id);
    return id;
  }

  /** The index of `hash`, or -1. */
  find(hash: u32): i32 {
    const slots = this.slots;
    let slot = <i32>(mix(hash) & <u32>this.mask);
    while (true) {
      const id = i32At(slots, 2 * slot + 1);
      if (id < 0 || <u32>i32At(slots, 2 * slot) == hash) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The hash of every index, in index order. */
  hashes(): Uint32Array {
    const out = new Uint32Array(this.size);
    const slots = this.slots;
    for (let s = 0; s < slots.length; s += 2) {
      const id = slots[s + 1];
      if (id >= 0) out[id] = <u32>slots[s];
    }
    return out;
  }
}
