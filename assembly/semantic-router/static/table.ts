// The static embedding table of the embed variant (semantic-router-embed.wasm):
// one int8 vector per vocabulary token of all-MiniLM-L6-v2, distilled by
// scripts/router/static/distill.py, plus what its WordPiece tokenizer needs
// (layout: scripts/router/static/tables.py). The build compiles this module
// with `--use SR_TABLE_BYTES=<size>`, which reserves that much static memory
// here, and then writes the file into it as a data segment at the address
// exported as `sr_static_table`. Without the constant (the lexical module)
// there is no table and nothing of this is compiled in.

// @ts-ignore: a compile-time constant set by --use in the embed build
export const TABLE_BYTES: i32 = isDefined(SR_TABLE_BYTES) ? SR_TABLE_BYTES : 0;
const AT: usize = memory.data(TABLE_BYTES > 0 ? TABLE_BYTES : 16, 16);
/** Where the build writes the table (it reads this export). */
export const sr_static_table: usize = AT;

const MAGIC: u32 = 0x32455253;
/** A hash slot: u32 token id + 1 (0 empty), u8 UTF-8 length, the token's bytes when they fit (INLINE). */
const SLOT_BYTES: usize = 16;
const INLINE: i32 = 11;

// @ts-ignore: decorator
@inline
function word(i: i32): u32 {
  return load<u32>(AT + (<usize>i << 2));
}

export class StaticTable {
  readonly vocab: i32 = <i32>word(1);
  readonly dims: i32 = <i32>word(2);
  /** Longest token in code points (without "##"): no longer piece is looked up. */
  readonly longestToken: i32 = <i32>word(3);
  readonly unk: i32 = <i32>word(4);
  readonly scales: usize = AT + word(5);
  readonly vectors: usize = AT + word(6);
  readonly tokenEnds: usize = AT + word(7);
  readonly tokenPool: usize = AT + word(8);
  readonly slotMask: u32 = word(9) - 1;
  readonly slots: usize = AT + word(10);
  readonly mapped: i32 = <i32>word(11);
  readonly mapKeys: usize = AT + word(12);
  readonly mapValues: usize = AT + word(13);
  readonly mapPool: usize = AT + word(14);
  readonly ranges: i32 = <i32>word(15);
  readonly rangeData: usize = AT + word(16);

  /** The id of the token spelled by `len` UTF-8 bytes at `at` (with the "##" prefix when `continued`), or -1. */
  find(at: usize, len: i32, continued: bool): i32 {
    let h: u32 = 0x811c9dc5;
    if (continued) h = (((h ^ 0x23) * 0x01000193) ^ 0x23) * 0x01000193;
    for (let i = 0; i < len; i++) h = (h ^ <u32>load<u8>(at + i)) * 0x01000193;
    const full = len + (continued ? 2 : 0);
    let slot = h & this.slotMask;
    while (true) {
      const e = this.slots + <usize>slot * SLOT_BYTES;
      const entry = load<u32>(e);
      if (entry == 0) return -1;
      if (<i32>load<u8>(e, 4) == full) {
        const id = <i32>entry - 1;
        // The token's bytes: in the slot when short, else in the pool.
        const token = full <= INLINE ? e + 5 : this.tokenPool + (id == 0 ? 0 : load<u32>(this.tokenEnds + (<usize>(id - 1) << 2)));
        if (this.spells(token, at, len, continued)) return id;
      }
      slot = (slot + 1) & this.slotMask;
    }
  }

  private spells(token: usize, at: usize, len: i32, continued: bool): bool {
    if (continued) {
      if (load<u16>(token) != 0x2323) return false;
      token += 2;
    }
    return memory.compare(token, at, len) == 0;
  }

  /** Index of the normalizer's mapping for code point `c` (see mapping()), or -1 when it keeps `c` as it is. */
  mapIndex(c: u32): i32 {
    let lo = 0;
    let hi = this.mapped - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = load<u32>(this.mapKeys + (<usize>mid << 2));
      if (k == c) return mid;
      if (k < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The code points mapping `index` gives: `count` u32 from the returned address. */
  mappingAt(index: i32): usize {
    return this.mapPool + ((<usize>load<u32>(this.mapValues + (<usize>index << 2)) >>> 8) << 2);
  }

  mappingCount(index: i32): i32 {
    return <i32>(load<u32>(this.mapValues + (<usize>index << 2)) & 0xff);
  }

  /** The pre-tokenizer's class of code point `c`: 0 part of a word, 1 whitespace, 2 punctuation, 3 a CJK character. */
  classOf(c: u32): i32 {
    let lo = 0;
    let hi = this.ranges - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.rangeData + <usize>mid * 12;
      if (c < load<u32>(r)) hi = mid - 1;
      else if (c > load<u32>(r + 4)) lo = mid + 1;
      else return <i32>load<u32>(r + 8);
    }
    return 0;
  }
}

let table: StaticTable | null = null;

/** The module's table, or null in the lexical module (or if the build did not write it). */
export function staticTable(): StaticTable | null {
  if (TABLE_BYTES == 0 || load<u32>(AT) != MAGIC || word(2) % 32 != 0) return null;
  if (table === null) table = new StaticTable();
  return table;
}
