// Feature hash -> dense feature index, fixed once the examples are read:
// an open-addressing table at most half full, so a lookup is one or two probes.
import { mix } from "./counter";

export class Vocabulary {
  private keys: Uint32Array;
  private ids: Int32Array;
  private mask: i32;
  size: i32 = 0;

  constructor(expected: i32) {
    let cap = 16;
    while (cap < expected * 2) cap <<= 1;
    this.keys = new Uint32Array(cap);
    this.ids = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  /** The index of `hash`, adding it when new. */
  intern(hash: u32): i32 {
    let slot = <i32>(mix(hash) & <u32>this.mask);
    while (true) {
      const id = unchecked(this.ids[slot]);
      if (id < 0) break;
      if (unchecked(this.keys[slot]) == hash) return id;
      slot = (slot + 1) & this.mask;
    }
    unchecked((this.keys[slot] = hash));
    const id = this.size++;
    unchecked((this.ids[slot] = id));
    return id;
  }

  /** The index of `hash`, or -1. */
  find(hash: u32): i32 {
    let slot = <i32>(mix(hash) & <u32>this.mask);
    while (true) {
      const id = unchecked(this.ids[slot]);
      if (id < 0 || unchecked(this.keys[slot]) == hash) return id;
      slot = (slot + 1) & this.mask;
    }
  }
}
