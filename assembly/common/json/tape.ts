// The parsed form of a document: one flat record per value (and per object
// member name) in document order, 16 bytes each, in a single growable
// buffer. Parsing allocates nothing per value; handles (JsonValue) are made
// only for what a caller reads.
//
// Record words: [0] kind | flag << 3 | count << 4, [1] start, [2] end,
// [3] index of the record after this value's subtree (its next sibling).
// The flag means "has escapes" for strings and names, "integer" for numbers.

/** Record kind of an object member name; never a JsonKind. */
export const NAME_KIND: i32 = 6;
export const FLAG: i32 = 8;
/** A reused tape keeps at most this much memory between documents, and KEPT_RECORDS records' worth after trim(). */
const KEEP_BYTES: i32 = 64 << 10;
const KEPT_RECORDS: i32 = 256;

export class Tape {
  buf: ArrayBuffer;
  count: i32 = 0;
  /** The deepest nesting of containers (0 for a scalar): a parse with maxDepth below it fails. */
  depth: i32 = 0;

  constructor(capacity: i32) {
    this.buf = new ArrayBuffer(max(capacity, 8) << 4);
  }

  /** Records that fit before the next grow(). */
  get capacity(): i32 {
    return this.buf.byteLength >> 4;
  }

  /** Doubles the capacity, keeping the first `count` records. */
  grow(): void {
    const grown = new ArrayBuffer(this.buf.byteLength << 1);
    memory.copy(changetype<usize>(grown), changetype<usize>(this.buf), <usize>this.count << 4);
    this.buf = grown;
  }

  /** Lets go of memory past KEEP_BYTES (a reused tape after a rare large document), keeping room for small ones. */
  trim(): void {
    if (this.buf.byteLength > KEEP_BYTES) this.buf = new ArrayBuffer(KEPT_RECORDS << 4);
  }

  /** Makes the tape hold one value, `null` (a reused document between parses); trims it. */
  holdNull(): void {
    this.trim();
    const at = changetype<usize>(this.buf);
    store<i32>(at, 0); // kind Null, no flag, no count
    store<i32>(at, 0, 4);
    store<i32>(at, 0, 8);
    store<i32>(at, 1, 12);
    this.count = 1;
    this.depth = 0;
  }

  // @ts-ignore: decorator
  @inline
  word(i: i32, w: i32): i32 {
    return load<i32>(changetype<usize>(this.buf) + (<usize>i << 4) + (<usize>w << 2));
  }
}
