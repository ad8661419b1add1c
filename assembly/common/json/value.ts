// Handles over a parsed document. A JsonValue is a small view of one tape
// record: its kind and its byte span [start, end) in the input, so a filter
// can splice a new value in place of an old one without re-serializing the
// rest of the body. Handles are made on access; reading a few fields of a
// large body allocates little.
import { FLAG, NAME_KIND, Tape } from "./tape";
import { decodeJsonString, decodeJsonUnits } from "./utf8";

export enum JsonKind {
  Null = 0,
  Bool = 1,
  Number = 2,
  String = 3,
  Array = 4,
  Object = 5,
}

const NO_INPUT = new ArrayBuffer(0);

/** A parsed input: the bytes it was parsed from and the tape of its values. */
export class JsonDocument {
  private rootHandle: JsonValue | null = null;

  constructor(public src: ArrayBuffer, public tape: Tape) {}

  /** A document for reparseJson(): it holds `null` until the first parse. */
  static reusable(): JsonDocument {
    const doc = new JsonDocument(NO_INPUT, new Tape(256));
    doc.release();
    return doc;
  }

  /** The tape now holds the parse of `src` (reparseJson): the root handle, if made, moves to the new root. */
  reload(src: ArrayBuffer): void {
    this.src = src;
    const r = this.rootHandle;
    if (r !== null) r.placeAt(this, 0, this.tape.count);
  }

  /** Lets go of the input (a reused document between parses): it holds `null` until the next parse. */
  release(): void {
    this.tape.holdNull();
    this.reload(NO_INPUT);
  }

  get root(): JsonValue {
    let r = this.rootHandle;
    if (r === null) {
      r = new JsonValue(this, 0, this.tape.count);
      this.rootHandle = r;
    }
    return r;
  }

  /** The text of `v` exactly as it appears in the input (e.g. a JSON-RPC id to echo). */
  raw(v: JsonValue): string {
    return String.UTF8.decodeUnsafe(changetype<usize>(this.src) + <usize>v.start, <usize>(v.end - v.start));
  }

  /** The bytes of `v` exactly as they appear in the input. */
  rawBytes(v: JsonValue): ArrayBuffer {
    return this.src.slice(v.start, v.end);
  }
}

/**
 * Compares JSON string contents (bytes [start, end), between the quotes) with
 * `s`; allocates only when the contents have escapes or non-ASCII bytes.
 */
function contentsEqual(src: ArrayBuffer, start: i32, end: i32, escaped: bool, s: string): bool {
  const base = changetype<usize>(src);
  if (escaped) return decodeJsonString(base, start, end, true) == s;
  const n = end - start;
  const m = s.length;
  // UTF-8 never takes fewer bytes than UTF-16 takes units.
  if (n < m) return false;
  for (let i = 0; i < m; i++) {
    const c = <u32>s.charCodeAt(i);
    const b = <u32>load<u8>(base + <usize>(start + i));
    // Past ASCII, bytes and units no longer line up: decode (rare for names).
    if (b >= 0x80 || c >= 0x80) return decodeJsonString(base, start, end, false) == s;
    if (c != b) return false;
  }
  // An equal ASCII prefix of m units: any byte left makes the text longer.
  return n == m;
}

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  /** Offset of the value's first byte in the input. */
  start: i32 = 0;
  /** Offset just past the value's last byte. */
  end: i32 = 0;

  constructor(
    public doc: JsonDocument,
    /** Record index in the document's tape. */
    public index: i32,
    // Index where the parent's subtree ends: siblings stop here.
    private limit: i32,
  ) {
    this.place(index, limit);
  }

  private get flag(): bool {
    return (this.doc.tape.word(this.index, 0) & FLAG) != 0;
  }

  private get isContainer(): bool {
    return this.kind == JsonKind.Array || this.kind == JsonKind.Object;
  }

  get isNull(): bool {
    return this.kind == JsonKind.Null;
  }

  /** Elements of an array or members of an object (repeated names counted); 0 for scalars. */
  get length(): i32 {
    return this.isContainer ? this.doc.tape.word(this.index, 0) >>> 4 : 0;
  }

  /** Index of the record after this value's subtree. */
  private get after(): i32 {
    return this.doc.tape.word(this.index, 3);
  }

  // ---- walking -------------------------------------------------------------

  /** First element or member value of a container; null when empty or a scalar. */
  first(): JsonValue | null {
    const child = this.firstIndex();
    return child < 0 ? null : new JsonValue(this.doc, child, this.after);
  }

  /** The next element or member value of the same container; null after the last. */
  next(): JsonValue | null {
    const n = this.nextIndex();
    return n < 0 ? null : new JsonValue(this.doc, n, this.limit);
  }

  // A walk that allocates nothing moves one cursor per level instead:
  // copy a value into it, then moveToFirst() and moveToNext(). Move only
  // values made for that: others may be shared (doc.root is).

  /** A new value on the same place (a cursor's position kept while it moves on). */
  clone(): JsonValue {
    return new JsonValue(this.doc, this.index, this.limit);
  }

  /** Makes this value a copy of `other` (both then point at the same value). */
  copyFrom(other: JsonValue): void {
    this.doc = other.doc;
    this.place(other.index, other.limit);
  }

  /** Moves this value to record `index` of `doc`, whose siblings stop at `limit`. */
  placeAt(doc: JsonDocument, index: i32, limit: i32): void {
    this.doc = doc;
    this.place(index, limit);
  }

  /** Moves to what first() returns; false, and not moved, when that is null. */
  moveToFirst(): bool {
    const child = this.firstIndex();
    if (child < 0) return false;
    this.place(child, this.after);
    return true;
  }

  /** Moves to what next() returns; false, and not moved, when that is null. */
  moveToNext(): bool {
    const n = this.nextIndex();
    if (n < 0) return false;
    this.place(n, this.limit);
    return true;
  }

  private firstIndex(): i32 {
    if (!this.isContainer || this.length == 0) return -1;
    return this.kind == JsonKind.Object ? this.index + 2 : this.index + 1;
  }

  private nextIndex(): i32 {
    let n = this.after;
    if (this.isMember) n++;
    return n < this.limit ? n : -1;
  }

  private place(index: i32, limit: i32): void {
    const t = this.doc.tape;
    this.index = index;
    this.limit = limit;
    this.kind = <JsonKind>(t.word(index, 0) & 7);
    this.start = t.word(index, 1);
    this.end = t.word(index, 2);
  }

  /** True when this value is an object member (it has a name). */
  get isMember(): bool {
    return this.index > 0 && (this.doc.tape.word(this.index - 1, 0) & 7) == NAME_KIND;
  }

  /** The member name of this value; null when it is not an object member. */
  key(): string | null {
    if (!this.isMember) return null;
    const t = this.doc.tape;
    const n = this.index - 1;
    return decodeJsonString(changetype<usize>(this.doc.src), t.word(n, 1) + 1, t.word(n, 2) - 1, (t.word(n, 0) & FLAG) != 0);
  }

  /** Length in bytes of the member name as written when it has no escapes; -1 when it has, or for a value that is not a member. */
  get keyByteLength(): i32 {
    if (!this.isMember) return -1;
    const t = this.doc.tape;
    const n = this.index - 1;
    return (t.word(n, 0) & FLAG) != 0 ? -1 : t.word(n, 2) - t.word(n, 1) - 2;
  }

  /** Compares the member name with `name` without decoding it when possible. */
  keyEquals(name: string): bool {
    if (!this.isMember) return false;
    return this.nameAt(this.index - 1, name);
  }

  private nameAt(n: i32, name: string): bool {
    const t = this.doc.tape;
    return contentsEqual(this.doc.src, t.word(n, 1) + 1, t.word(n, 2) - 1, (t.word(n, 0) & FLAG) != 0, name);
  }

  /** Member `key` of an object (the last one when the name repeats, as JSON.parse does); null otherwise. */
  get(key: string): JsonValue | null {
    const found = this.memberIndex(key);
    return found < 0 ? null : new JsonValue(this.doc, found, this.after);
  }

  /**
   * get() without a new handle: moves `into` to member `key` (the last one
   * when the name repeats) and returns true; false, `into` unmoved, when
   * there is none. `into` may be this value.
   */
  find(key: string, into: JsonValue): bool {
    const found = this.memberIndex(key);
    if (found < 0) return false;
    into.placeAt(this.doc, found, this.after);
    return true;
  }

  /** True when the object has a member `key`. */
  has(key: string): bool {
    return this.memberIndex(key) >= 0;
  }

  /** Tape index of member `key`'s value (the last one when the name repeats); -1 when absent or not an object. */
  private memberIndex(key: string): i32 {
    if (this.kind != JsonKind.Object) return -1;
    const t = this.doc.tape;
    const end = this.after;
    let found = -1;
    let n = this.index + 1;
    while (n < end) {
      if (this.nameAt(n, key)) found = n + 1;
      n = t.word(n + 1, 3);
    }
    return found;
  }

  /** Element `i` of an array; null when out of range or not an array. */
  at(i: i32): JsonValue | null {
    if (this.kind != JsonKind.Array || i < 0 || i >= this.length) return null;
    const t = this.doc.tape;
    let n = this.index + 1;
    for (let k = 0; k < i; k++) n = t.word(n, 3);
    return new JsonValue(this.doc, n, this.after);
  }

  /** Elements of an array (or member values of an object) in order; empty for scalars. */
  children(): Array<JsonValue> {
    const out = new Array<JsonValue>(0);
    let c = this.first();
    while (c !== null) {
      out.push(c);
      c = c.next();
    }
    return out;
  }

  /** The elements of `v` when it is an array; an empty list otherwise (also for null). */
  static items(v: JsonValue | null): Array<JsonValue> {
    if (v === null || v.kind != JsonKind.Array) return new Array<JsonValue>(0);
    return v.children();
  }

  // ---- scalars ---------------------------------------------------------------

  /** The decoded text of a string value; null for other kinds. */
  /** `maxUnits`: decode only that many UTF-16 units (a prefix of the text). */
  text(maxUnits: i32 = i32.MAX_VALUE): string | null {
    if (this.kind != JsonKind.String) return null;
    return decodeJsonString(changetype<usize>(this.doc.src), this.start + 1, this.end - 1, this.flag, maxUnits);
  }

  /**
   * Writes the decoded UTF-16 units of a string value to `out` (room for
   * `cap` units) and returns how many; -1 for other kinds, or when the text
   * may not fit (its encoded form is longer than `cap` bytes).
   */
  textUnits(out: usize, cap: i32): i32 {
    if (this.kind != JsonKind.String || this.end - this.start - 2 > cap) return -1;
    return decodeJsonUnits(changetype<usize>(this.doc.src), this.start + 1, this.end - 1, out, cap);
  }

  /** True when this is a string equal to `s`. */
  textEquals(s: string): bool {
    return this.kind == JsonKind.String && contentsEqual(this.doc.src, this.start + 1, this.end - 1, this.flag, s);
  }

  /** Decoded text of string member `key`; null when absent or not a string. */
  getText(key: string): string | null {
    const v = this.get(key);
    return v === null ? null : v.text();
  }

  /** True for `true`; false for `false` and every other kind. */
  get isTrue(): bool {
    return this.kind == JsonKind.Bool && load<u8>(changetype<usize>(this.doc.src) + <usize>this.start) == 0x74;
  }

  /** A number written without fraction or exponent. */
  get isInteger(): bool {
    return this.kind == JsonKind.Number && this.flag;
  }

  /** The value's text exactly as written (for numbers: the literal). */
  raw(): string {
    return this.doc.raw(this);
  }

  /** The nearest f64 of a number (huge exponents give +/-Infinity; edge cases may differ from JSON.parse by an ulp); NaN for other kinds. */
  toF64(): f64 {
    if (this.kind != JsonKind.Number) return NaN;
    return parseFloat(this.raw());
  }

  /** The value of an integer number that fits i64; `fallback` for anything else. */
  toI64(fallback: i64): i64 {
    if (!this.isInteger) return fallback;
    const base = changetype<usize>(this.doc.src);
    let p = this.start;
    const negative = load<u8>(base + <usize>p) == 0x2d;
    if (negative) p++;
    // Accumulate as a negative number: its range includes i64.MIN_VALUE.
    let acc: i64 = 0;
    while (p < this.end) {
      const d = <i64>(load<u8>(base + <usize>p) - 0x30);
      if (acc < (i64.MIN_VALUE + d) / 10) return fallback;
      acc = acc * 10 - d;
      p++;
    }
    if (negative) return acc;
    if (acc == i64.MIN_VALUE) return fallback;
    return -acc;
  }
}
