// Aho-Corasick: many literal terms matched in one pass over UTF-16 text.
//
// Build once (at configure time), then scan any number of texts. Transitions
// live in one open-addressing hash table keyed by (state, code unit), so the
// alphabet can be all of Unicode (Chinese terms) without a 65536-wide row
// per state. Matching takes time linear in the text plus the matches
// reported. Terms are matched as given: normalize them and the text the same
// way first (normalize.ts) for case- and width-insensitive matching.

const EMPTY: u64 = u64.MAX_VALUE;
/** States with a dense ASCII row (512 bytes each): at most 2 MiB, and only as deep as prose mostly goes. */
const MAX_ASCII_ROWS: i32 = 4096;
const MAX_ROW_DEPTH: i32 = 3;
/** matchesAny() splits a text in two only when each half is this much longer than the overlap. */
const INTERLEAVE_MIN: i32 = 32;

export class TermMatch {
  constructor(
    /** Index of the term in the order add() received them. */
    public term: i32,
    public start: i32,
    public end: i32,
  ) {}
}

export class AhoCorasick {
  private keys: StaticArray<u64> = new StaticArray<u64>(16);
  private targets: StaticArray<i32> = new StaticArray<i32>(16);
  private used: i32 = 0;
  /** Per state: the term ending here (-1 none), failure link, next state with a term on the failure chain, depth. */
  private term: Array<i32> = [-1];
  private fail: Array<i32> = [0];
  private dict: Array<i32> = [-1];
  private depth: Array<i32> = [0];
  private termLengths: Array<i32> = new Array<i32>();
  /** The root's transitions by code unit (0: stay at the root), so most steps skip the hash table. */
  private rootNext: StaticArray<i32> = new StaticArray<i32>(0x10000);
  /**
   * The walk over ASCII text: one row of 128 entries for the root (row 0)
   * and for each of the shallowest states (where prose spends most steps:
   * depth 1 to 3), failure links already followed. An entry is the next
   * state's row as a byte offset into this table, with bit 0 set when a term
   * ends there (or on its failure chain); or -1 for a next state without a
   * row, which the general step then finds. One load per step tells both.
   */
  private walk: StaticArray<i32> = new StaticArray<i32>(128);
  /** The state of each walk row. */
  private rowState: StaticArray<i32> = new StaticArray<i32>(1);
  /** Per state: its walk row's byte offset, or -2 for none; bit 0: output, as in the walk. */
  private stateInfo: StaticArray<i32> = new StaticArray<i32>(1);
  // Per-state tables frozen by build(), read with plain loads on the matching path.
  private termT: StaticArray<i32> = new StaticArray<i32>(0);
  private dictT: StaticArray<i32> = new StaticArray<i32>(0);
  private failT: StaticArray<i32> = new StaticArray<i32>(0);
  private depthT: StaticArray<i32> = new StaticArray<i32>(0);
  private lengthT: StaticArray<i32> = new StaticArray<i32>(0);
  private maxTermLength: i32 = 0;
  /** After findAll: openSuffix() of the same text, without a second pass. */
  endDepth: i32 = 0;

  /** Number of states (for memory estimates; after build()). */
  get states(): i32 {
    return this.termT.length;
  }

  get terms(): i32 {
    return this.termLengths.length;
  }

  /** Adds a term; returns its index. Empty terms are recorded but never match. Call before build(). */
  add(s: string): i32 {
    const index = this.termLengths.length;
    this.termLengths.push(s.length);
    if (s.length > this.maxTermLength) this.maxTermLength = s.length;
    if (s.length == 0) return index;
    let state = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      let next = this.lookup(state, c);
      if (next < 0) {
        next = this.term.length;
        this.term.push(-1);
        this.fail.push(0);
        this.dict.push(-1);
        this.depth.push(i + 1);
        this.insert(state, c, next);
      }
      state = next;
    }
    // A repeated term keeps its first index.
    if (unchecked(this.term[state]) < 0) unchecked((this.term[state] = index));
    return index;
  }

  /** Computes failure links (breadth first) and freezes the tables for matching. */
  build(): void {
    const n = this.term.length;
    const edges = new Children(this.keys, this.targets, n);
    const queue = new Int32Array(n);
    let head = 0;
    let tail = 0;
    for (let e = edges.first(0); e < edges.first(1); e++) {
      const t = edges.target(e);
      unchecked((this.rootNext[edges.code(e)] = t));
      queue[tail++] = t;
    }
    while (head < tail) {
      const s = queue[head++];
      for (let e = edges.first(s); e < edges.first(s + 1); e++) {
        const c = edges.code(e);
        const t = edges.target(e);
        let f = unchecked(this.fail[s]);
        let g = this.lookup(f, c);
        while (g < 0 && f != 0) {
          f = unchecked(this.fail[f]);
          g = this.lookup(f, c);
        }
        const ft = g >= 0 && g != t ? g : 0;
        unchecked((this.fail[t] = ft));
        unchecked((this.dict[t] = unchecked(this.term[ft]) >= 0 ? ft : unchecked(this.dict[ft])));
        queue[tail++] = t;
      }
    }
    this.buildWalk(queue, tail);
    this.termT = StaticArray.fromArray<i32>(this.term);
    this.dictT = StaticArray.fromArray<i32>(this.dict);
    this.failT = StaticArray.fromArray<i32>(this.fail);
    this.depthT = StaticArray.fromArray<i32>(this.depth);
    this.lengthT = StaticArray.fromArray<i32>(this.termLengths);
    // The growable copies are only needed while adding terms.
    this.term = [];
    this.dict = [];
    this.fail = [];
    this.depth = [];
  }

  /**
   * Walk rows for the root and the first states in breadth-first order. A
   * state's failure link is shallower, so it comes earlier in that order
   * and has its row (or is the root) by the time the state's row is filled.
   */
  private buildWalk(order: Int32Array, count: i32): void {
    let rows = 0;
    while (rows < count && rows < MAX_ASCII_ROWS && unchecked(this.depth[unchecked(order[rows])]) <= MAX_ROW_DEPTH) rows++;
    const states = this.term.length;
    const rowOf = new StaticArray<i32>(states);
    for (let s = 1; s < states; s++) unchecked((rowOf[s] = -1));
    const rowState = new StaticArray<i32>(rows + 1);
    for (let r = 0; r < rows; r++) {
      unchecked((rowOf[unchecked(order[r])] = r + 1));
      unchecked((rowState[r + 1] = unchecked(order[r])));
    }
    const info = new StaticArray<i32>(states);
    for (let s = 0; s < states; s++) {
      const output = unchecked(this.term[s]) >= 0 || unchecked(this.dict[s]) > 0 ? 1 : 0;
      const row = unchecked(rowOf[s]);
      unchecked((info[s] = (row >= 0 ? row << 9 : -2) | output));
    }
    // Next states first, then entries: a row's misses copy its failure link's row.
    const next = new StaticArray<i32>((rows + 1) << 7);
    for (let c = 0; c < 128; c++) unchecked((next[c] = unchecked(this.rootNext[c])));
    for (let r = 1; r <= rows; r++) {
      const s = unchecked(rowState[r]);
      const fr = unchecked(rowOf[unchecked(this.fail[s])]);
      for (let c = 0; c < 128; c++) {
        const t = this.lookup(s, c);
        unchecked((next[(r << 7) | c] = t >= 0 ? t : unchecked(next[(fr << 7) | c])));
      }
    }
    const walk = new StaticArray<i32>(next.length);
    for (let e = 0; e < next.length; e++) {
      const ti = unchecked(info[unchecked(next[e])]);
      unchecked((walk[e] = ti >= 0 ? ti : -1));
    }
    this.walk = walk;
    this.rowState = rowState;
    this.stateInfo = info;
  }

  /**
   * Every occurrence of every term in `text` (overlaps included), by end
   * position. `foldAscii` lower-cases ASCII letters of the text on the fly
   * (for terms added lower-cased).
   */
  findAll(text: string, out: Array<TermMatch>, foldAscii: bool = false): void {
    const base = changetype<usize>(text);
    const walk = changetype<usize>(this.walk);
    let at = 0; // a place, as in matchesAny
    for (let i = 0, n = text.length; i < n; i++) {
      const c = foldUnit(base, i, foldAscii);
      let v = -1;
      if ((c < 128) & (at >= 0)) v = load<i32>(walk + <usize>at + (<usize>c << 2));
      if (v < 0) v = this.place(at, c);
      // A row offset drops the output bit; a complement keeps it (stateOf() shifts it out).
      at = v >= 0 ? v & ~1 : v;
      if (((v ^ (v >> 31)) & 1) != 0) this.report(this.stateOf(at), i + 1, out);
    }
    this.endDepth = this.depthOf(this.stateOf(at));
  }

  /**
   * True when some term occurs in the `n` UTF-16 units at `base`: findAll's
   * walk, stopping at the first match, with nothing allocated.
   *
   * A step waits for the previous step's load, so one walk leaves the CPU
   * mostly idle. Two walks, over the first half and (from the root again)
   * over the second half widened by the longest term, run interleaved:
   * each step of one overlaps a step of the other. A term ending in the
   * second half starts at most maxTermLength - 1 units before it.
   */
  matchesAny(base: usize, n: i32, foldAscii: bool = false): bool {
    const overlap = this.maxTermLength - 1;
    const mid = n >> 1;
    if (mid <= overlap + INTERLEAVE_MIN) return this.walkFrom(base, 0, n, 0, foldAscii);
    const walk = changetype<usize>(this.walk);
    // Each walk's place: its row in the walk table (>= 0), or ~(state << 1)
    // for a state without one. Neither is ever at an output: that returns.
    let a = 0;
    let b = 0;
    let i = 0;
    let j = mid - overlap;
    while (i < mid) {
      // The hot loop: both walks in states with a row, ASCII units.
      while (i < mid) {
        const ca = foldUnit(base, i, foldAscii);
        const cb = foldUnit(base, j, foldAscii);
        if ((ca | cb) >= 128) break;
        const va = load<i32>(walk + <usize>a + (<usize>ca << 2));
        const vb = load<i32>(walk + <usize>b + (<usize>cb << 2));
        if ((va | vb) < 0) break;
        if (((va | vb) & 1) != 0) return true;
        a = va;
        b = vb;
        i++;
        j++;
      }
      // Otherwise both step through place() until both have a row again.
      while (i < mid) {
        const va = this.place(a, foldUnit(base, i, foldAscii));
        const vb = this.place(b, foldUnit(base, j, foldAscii));
        if (((va ^ (va >> 31)) | (vb ^ (vb >> 31))) & 1) return true;
        a = va;
        b = vb;
        i++;
        j++;
        if ((a | b) >= 0) break;
      }
    }
    return this.walkFrom(base, j, n, b, foldAscii);
  }

  /** matchesAny over units [from, to), starting at `at` (a place as in matchesAny). */
  private walkFrom(base: usize, from: i32, to: i32, at: i32, foldAscii: bool): bool {
    const walk = changetype<usize>(this.walk);
    for (let i = from; i < to; i++) {
      const c = foldUnit(base, i, foldAscii);
      let v = -1;
      if ((c < 128) & (at >= 0)) v = load<i32>(walk + <usize>at + (<usize>c << 2));
      if (v < 0) v = this.place(at, c);
      if (((v ^ (v >> 31)) & 1) != 0) return true;
      at = v;
    }
    return false;
  }

  /**
   * The place after unit `c` from place `at`, with the output bit (bit 0,
   * of the place or of its complement): the walk's entry, or the general
   * step.
   */
  private place(at: i32, c: i32): i32 {
    if (at >= 0 && c < 128) {
      const v = load<i32>(changetype<usize>(this.walk) + <usize>at + (<usize>c << 2));
      if (v >= 0) return v;
    }
    const state = this.step(this.stateOf(at), c);
    const info = load<i32>(changetype<usize>(this.stateInfo) + (<usize>state << 2));
    return info >= 0 ? info : ~((state << 1) | (info & 1));
  }

  /** The state at a place. */
  @inline
  private stateOf(at: i32): i32 {
    return at >= 0 ? load<i32>(changetype<usize>(this.rowState) + (<usize>at >> 7)) : ~at >> 1;
  }

  @inline
  private depthOf(state: i32): i32 {
    return load<i32>(changetype<usize>(this.depthT) + (<usize>state << 2));
  }

  /** Every term that ends in `state` (or on its failure chain), ending at `end`. */
  private report(state: i32, end: i32, out: Array<TermMatch>): void {
    const term = changetype<usize>(this.termT);
    const dict = changetype<usize>(this.dictT);
    let s = load<i32>(term + (<usize>state << 2)) >= 0 ? state : load<i32>(dict + (<usize>state << 2));
    while (s > 0) {
      const t = load<i32>(term + (<usize>s << 2));
      out.push(new TermMatch(t, end - load<i32>(changetype<usize>(this.lengthT) + (<usize>t << 2)), end));
      s = load<i32>(dict + (<usize>s << 2));
    }
  }

  /**
   * Length of the longest suffix of `text` that is a proper start of some
   * term: how much of a streamed text must wait for more before it can be
   * declared free of a term that may still complete.
   */
  openSuffix(text: string, foldAscii: bool = false): i32 {
    let state = 0;
    const base = changetype<usize>(text);
    for (let i = 0; i < text.length; i++) {
      let c = <i32>load<u16>(base + (<usize>i << 1));
      if (foldAscii && c >= 0x41 && c <= 0x5a) c += 32;
      state = this.step(state, c);
    }
    return load<i32>(changetype<usize>(this.depthT) + (<usize>state << 2));
  }

  /** The state after reading `c` in `state` (call after build()). */
  step(state: i32, c: i32): i32 {
    let s = state;
    const fail = changetype<usize>(this.failT);
    while (true) {
      if (s == 0) return load<i32>(changetype<usize>(this.rootNext) + (<usize>(c & 0xffff) << 2));
      const g = this.lookup(s, c);
      if (g >= 0) return g;
      s = load<i32>(fail + (<usize>s << 2));
    }
  }

  // ---- transition table ------------------------------------------------------

  private lookup(state: i32, c: i32): i32 {
    const key = (<u64>state << 16) | <u64>(c & 0xffff);
    const mask = this.keys.length - 1;
    const keys = changetype<usize>(this.keys);
    let h = hash(key) & mask;
    while (true) {
      const k = load<u64>(keys + (<usize>h << 3));
      if (k == key) return load<i32>(changetype<usize>(this.targets) + (<usize>h << 2));
      if (k == EMPTY) return -1;
      h = (h + 1) & mask;
    }
  }

  private insert(state: i32, c: i32, target: i32): void {
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const key = (<u64>state << 16) | <u64>(c & 0xffff);
    const mask = this.keys.length - 1;
    let h = hash(key) & mask;
    while (unchecked(this.keys[h]) != EMPTY) h = (h + 1) & mask;
    unchecked((this.keys[h] = key));
    unchecked((this.targets[h] = target));
    this.used++;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldTargets = this.targets;
    const size = oldKeys.length * 2;
    this.keys = new StaticArray<u64>(size);
    this.targets = new StaticArray<i32>(size);
    for (let i = 0; i < size; i++) unchecked((this.keys[i] = EMPTY));
    const mask = size - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = unchecked(oldKeys[i]);
      if (k == EMPTY) continue;
      let h = hash(k) & mask;
      while (unchecked(this.keys[h]) != EMPTY) h = (h + 1) & mask;
      unchecked((this.keys[h] = k));
      unchecked((this.targets[h] = unchecked(oldTargets[i])));
    }
  }

  constructor() {
    for (let i = 0; i < this.keys.length; i++) unchecked((this.keys[i] = EMPTY));
  }
}

/** The unit at `i`, its ASCII capital lower-cased when `foldAscii`. */
@inline
function foldUnit(base: usize, i: i32, foldAscii: bool): i32 {
  const c = <i32>load<u16>(base + (<usize>i << 1));
  return foldAscii ? c + (<i32>(<u32>(c - 0x41) < 26) << 5) : c;
}

function hash(key: u64): i32 {
  let h = key * 0x9e3779b97f4a7c15;
  h ^= h >> 29;
  return <i32>(h & 0x7fffffff);
}

/** The transitions grouped by source state (counting sort of the hash table's keys). */
class Children {
  private offsets: Int32Array;
  private codes: Int32Array;
  private targets: Int32Array;

  constructor(keys: StaticArray<u64>, targets: StaticArray<i32>, states: i32) {
    const offsets = new Int32Array(states + 1);
    let count = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = unchecked(keys[i]);
      if (k == EMPTY) continue;
      unchecked((offsets[<i32>(k >> 16) + 1] += 1));
      count++;
    }
    for (let s = 0; s < states; s++) unchecked((offsets[s + 1] += offsets[s]));
    this.offsets = offsets;
    const cursor = offsets.slice(0, states);
    this.codes = new Int32Array(count);
    this.targets = new Int32Array(count);
    for (let i = 0; i < keys.length; i++) {
      const k = unchecked(keys[i]);
      if (k == EMPTY) continue;
      const from = <i32>(k >> 16);
      const at = unchecked(cursor[from]);
      unchecked((cursor[from] = at + 1));
      unchecked((this.codes[at] = <i32>(k & 0xffff)));
      unchecked((this.targets[at] = unchecked(targets[i])));
    }
  }

  /** Index of state s's first edge; first(s + 1) ends them. */
  first(s: i32): i32 {
    return unchecked(this.offsets[s]);
  }

  code(e: i32): i32 {
    return unchecked(this.codes[e]);
  }

  target(e: i32): i32 {
    return unchecked(this.targets[e]);
  }
}
