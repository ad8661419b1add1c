// Feature hash -> dense feature index, fixed once the examples are read:
// an open-addressing table at most half full, so a lookup is one or two
// probes. Each slot holds the hash and the index side by side (one cache
// line per probe: lookups of a long request are mostly cache misses).
//
// Training scratch: the table lives in unmanaged memory, grows with the
// distinct features (not the occurrences: most repeat) and is freed by
// dispose() as soon as the index is built. Training runs in the configure
// callback, where no garbage is collected, so every byte it allocates stays
// in the VM's resident memory; freed memory is reused at once.
import { mix } from "./counter";

export class Vocabulary {
  /** Slot s: hash at 8s, index at 8s + 4 (-1: empty). */
  private slots: usize = 0;
  private mask: i32 = 0;
  size: i32 = 0;

  constructor() {
    this.slots = emptySlots(1024);
    this.mask = 1023;
  }

  /** The index of `hash`, adding it when new. */
  intern(hash: u32): i32 {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const slot = this.slotOf(hash);
    const id = load<i32>(slot, 4);
    if (id >= 0) return id;
    const added = this.size++;
    store<u32>(slot, hash);
    store<i32>(slot, added, 4);
    return added;
  }

  /** The hash of every index, in index order. */
  hashes(): Uint32Array {
    const out = new Uint32Array(this.size);
    for (let s = 0; s <= this.mask; s++) {
      const at = this.slots + (<usize>s << 3);
      const id = load<i32>(at, 4);
      if (id >= 0) out[id] = load<u32>(at);
    }
    return out;
  }

  /** Frees the table; the vocabulary is empty afterwards. */
  dispose(): void {
    heap.free(this.slots);
    this.slots = emptySlots(16);
    this.mask = 15;
    this.size = 0;
  }

  /** The slot holding `hash`, or the empty slot where it goes. */
  private slotOf(hash: u32): usize {
    let slot = <i32>(mix(hash) & <u32>this.mask);
    while (true) {
      const at = this.slots + (<usize>slot << 3);
      if (load<i32>(at, 4) < 0 || load<u32>(at) == hash) return at;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const oldCap = this.mask + 1;
    const cap = oldCap << 1;
    this.slots = emptySlots(cap);
    this.mask = cap - 1;
    for (let s = 0; s < oldCap; s++) {
      const from = old + (<usize>s << 3);
      if (load<i32>(from, 4) < 0) continue;
      const to = this.slotOf(load<u32>(from));
      store<u64>(to, load<u64>(from));
    }
    heap.free(old);
  }
}

function emptySlots(cap: i32): usize {
  const bytes = <usize>cap << 3;
  const p = heap.alloc(bytes);
  memory.fill(p, 0xff, bytes);
  return p;
}
