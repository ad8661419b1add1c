// Counts feature hashes of one text: an open-addressing table that is reused
// from text to text (reset clears only the slots used). A slot's key and
// count sit side by side, so a probe touches one cache line.
import { i32At } from "./cells";

export class TermCounter {
  /** Slot s: key (the hash) at 2s, count at 2s + 1 (0: the slot is free). */
  cells: Int32Array;
  /** Slots in use, in insertion order: the unique features of the text. */
  used: Int32Array;
  size: i32 = 0;
  mask: i32;
  /** used.length: the table grows when size reaches it (half full). */
  private limit: i32;

  constructor(capacityPow2: i32 = 1024) {
    this.cells = new Int32Array(capacityPow2 * 2);
    this.used = new Int32Array(capacityPow2 >> 1);
    this.mask = capacityPow2 - 1;
    this.limit = capacityPow2 >> 1;
  }

  reset(): void {
    const cells = this.cellsAt;
    const used = this.usedAt;
    const n = this.size;
    for (let i = 0; i < n; i++) store<i32>(cellAt(cells, used, i), 0, 4);
    this.size = 0;
  }

  /** The slots' address (for cellAt; valid until the table grows). */
  get cellsAt(): usize {
    return this.cells.dataStart;
  }

  /** The used list's address (for cellAt; valid until the table grows). */
  get usedAt(): usize {
    return this.used.dataStart;
  }

  /** Counts the first `n` hashes of `hashes`, in order (add() for each, with the table in locals). */
  addAll(hashes: Uint32Array, n: i32): void {
    let cells = this.cells.dataStart;
    let used = this.used.dataStart;
    let mask = <u32>this.mask;
    let size = this.size;
    let limit = this.limit;
    const from = hashes.dataStart;
    for (let i = 0; i < n; i++) {
      const hash = load<u32>(from + (<usize>i << 2));
      let slot = mix(hash) & mask;
      while (true) {
        const cell = cells + (<usize>slot << 3);
        const c = load<i32>(cell, 4);
        if (c == 0) {
          store<u32>(cell, hash);
          store<i32>(cell, 1, 4);
          store<i32>(used + (<usize>size << 2), <i32>slot);
          size++;
          if (size >= limit) {
            this.size = size;
            this.grow();
            cells = this.cells.dataStart;
            used = this.used.dataStart;
            mask = <u32>this.mask;
            size = this.size;
            limit = this.limit;
          }
          break;
        }
        if (load<u32>(cell) == hash) {
          store<i32>(cell, c + 1, 4);
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    this.size = size;
  }

  /** True when the text had feature `hash`. */
  has(hash: u32): bool {
    const cells = this.cells.dataStart;
    const mask = <u32>this.mask;
    let slot = mix(hash) & mask;
    while (true) {
      const cell = cells + (<usize>slot << 3);
      if (load<i32>(cell, 4) == 0) return false;
      if (load<u32>(cell) == hash) return true;
      slot = (slot + 1) & mask;
    }
  }

  keyAt(i: i32): u32 {
    return <u32>i32At(this.cells, 2 * i32At(this.used, i));
  }

  countAt(i: i32): i32 {
    return i32At(this.cells, 2 * i32At(this.used, i) + 1);
  }

  private grow(): void {
    const old = this.cells;
    const oldUsed = this.used;
    const n = this.size;
    const cap = (this.mask + 1) << 1;
    this.cells = new Int32Array(cap * 2);
    this.used = new Int32Array(cap >> 1);
    this.mask = cap - 1;
    this.limit = cap >> 1;
    this.size = 0;
    for (let i = 0; i < n; i++) {
      const s = unchecked(oldUsed[i]);
      this.insert(<u32>unchecked(old[2 * s]), unchecked(old[2 * s + 1]));
    }
  }

  private insert(hash: u32, count: i32): void {
    const cells = this.cells;
    let slot = <i32>(mix(hash) & <u32>this.mask);
    while (unchecked(cells[2 * slot + 1]) != 0) slot = (slot + 1) & this.mask;
    unchecked((cells[2 * slot] = <i32>hash));
    unchecked((cells[2 * slot + 1] = count));
    unchecked((this.used[this.size++] = slot));
  }
}

/** Address of the slot of the text's i-th feature: its key (u32), then its count (i32) at +4. */
// @ts-ignore: decorator
@inline
export function cellAt(cells: usize, used: usize, i: i32): usize {
  return cells + (<usize>load<i32>(used + (<usize>i << 2)) << 3);
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
