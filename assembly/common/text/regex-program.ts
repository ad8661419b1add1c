// The instruction set of the linear-time pattern engine (regex.ts): a
// Thompson NFA as a flat program, run by a Pike VM.

export enum Op {
  /** Consume one code unit equal to `a`. */
  Char = 0,
  /** Consume one code unit in class `a`. */
  Class = 1,
  /** Consume any code unit except \n. */
  Any = 2,
  /** Try `a` first, then `b`. */
  Split = 3,
  Jump = 4,
  /** Zero-width test `a` (an Assertion). */
  Assert = 5,
  Match = 6,
}

export enum Assertion {
  TextStart = 0,
  TextEnd = 1,
  WordBoundary = 2,
  NotWordBoundary = 3,
}

/** A set of code units as sorted, non-overlapping inclusive ranges [lo0, hi0, lo1, hi1 ...]. */
export class CharClass {
  ranges: Array<i32> = new Array<i32>();
  negated: bool = false;

  add(lo: i32, hi: i32): void {
    this.ranges.push(lo);
    this.ranges.push(hi);
  }

  addClass(other: CharClass): void {
    if (!other.negated) {
      for (let i = 0; i < other.ranges.length; i++) this.ranges.push(unchecked(other.ranges[i]));
      return;
    }
    // Complement of `other` over the 16-bit range.
    const r = sortedRanges(other.ranges);
    let next = 0;
    for (let i = 0; i < r.length; i += 2) {
      if (unchecked(r[i]) > next) this.add(next, unchecked(r[i]) - 1);
      next = unchecked(r[i + 1]) + 1;
    }
    if (next <= 0xffff) this.add(next, 0xffff);
  }

  /** Adds the other ASCII case of every letter in the class. */
  foldCase(): void {
    const n = this.ranges.length;
    for (let i = 0; i < n; i += 2) {
      const lo = unchecked(this.ranges[i]);
      const hi = unchecked(this.ranges[i + 1]);
      const a = lo > 0x41 ? lo : 0x41;
      const b = hi < 0x5a ? hi : 0x5a;
      if (a <= b) this.add(a + 32, b + 32);
      const c = lo > 0x61 ? lo : 0x61;
      const d = hi < 0x7a ? hi : 0x7a;
      if (c <= d) this.add(c - 32, d - 32);
    }
  }

  /** Sorts and merges the ranges; call once when the class is complete. */
  seal(): void {
    this.ranges = sortedRanges(this.ranges);
  }

  has(c: i32): bool {
    const r = this.ranges;
    let inside = false;
    // Binary search over sorted ranges.
    let lo = 0;
    let hi = (r.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c < unchecked(r[mid * 2])) hi = mid - 1;
      else if (c > unchecked(r[mid * 2 + 1])) lo = mid + 1;
      else {
        inside = true;
        break;
      }
    }
    return inside != this.negated;
  }
}

function sortedRanges(src: Array<i32>): Array<i32> {
  const n = src.length >> 1;
  // Ranges packed as lo << 32 | hi sort by lo.
  const packed = new Array<u64>(n);
  for (let i = 0; i < n; i++) unchecked((packed[i] = (<u64>unchecked(src[i * 2]) << 32) | <u64>(<u32>unchecked(src[i * 2 + 1]))));
  packed.sort();
  const out = new Array<i32>();
  for (let k = 0; k < n; k++) {
    const lo = <i32>(unchecked(packed[k]) >> 32);
    const hi = <i32>(unchecked(packed[k]) & 0xffffffff);
    const m = out.length;
    if (m > 0 && lo <= unchecked(out[m - 1]) + 1) {
      if (hi > unchecked(out[m - 1])) unchecked((out[m - 1] = hi));
    } else {
      out.push(lo);
      out.push(hi);
    }
  }
  return out;
}

export class Program {
  ops: Array<Op> = new Array<Op>();
  a: Array<i32> = new Array<i32>();
  b: Array<i32> = new Array<i32>();
  classes: Array<CharClass> = new Array<CharClass>();

  get length(): i32 {
    return this.ops.length;
  }

  emit(op: Op, a: i32 = 0, b: i32 = 0): i32 {
    this.ops.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.ops.length - 1;
  }

  addClass(c: CharClass): i32 {
    c.seal();
    this.classes.push(c);
    return this.classes.length - 1;
  }
}

export function isWordChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
}
