// Aho-Corasick: many literal terms matched in one pass over UTF-16 text.
//
// Build once (at configure time), then scan any number of texts. Each
// state's transitions are one sorted run of (code unit, next state) in two
// shared arrays, so the alphabet can be all of Unicode (Chinese terms)
// without a 65536-wide row per state, in 6 bytes a state. Matching takes
// time linear in the text plus the matches reported. Terms are matched as given: normalize them and the text the same
// way first (normalize.ts) for case- and width-insensitive matching.

/** States with a dense ASCII row (256 bytes each): at most 1 MiB, and only as deep as prose mostly goes. */
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
  /** Per state: where its run of transitions starts in childUnit / childTarget (one more entry: the end). */
  private firstChild: StaticArray<i32> = new StaticArray<i32>(2);
  /** Transitions by state, each state's run sorted by code unit. */
  private childUnit: StaticArray<u16> = new StaticArray<u16>(0);
  private childTarget: StaticArray<i32> = new StaticArray<i32>(0);
  /** The terms add() received, until build() puts them in the tables. */
  private pending: Array<string> = new Array<string>();
  /** The root's transitions by code unit (0: stay at the root), so most steps skip the hash table. */
  private rootNext: StaticArray<i32> = new StaticArray<i32>(0);
  /**
   * The walk over ASCII text: one row of 128 entries for the root (row 0)
   * and for each of the shallowest states (where prose spends most steps:
   * depth 1 to 3), failure links already followed. An entry is the next
   * state's row number times two, with bit 0 set when a term ends there (or
   * on its failure chain); or -1 for a next state without a row, which the
   * general step then finds. One load per step tells both; 16 bits an entry
   * (rows are at most MAX_ASCII_ROWS) keep the table half the size.
   */
  private walk: StaticArray<i16> = new StaticArray<i16>(128);
  /** The state of each walk row. */
  private rowState: StaticArray<i32> = new StaticArray<i32>(1);
  /** Per state: its walk row times two, or -2 for none; bit 0: output, as in the walk. */
  private stateInfo: StaticArray<i32> = new StaticArray<i32>(1);
  // Per state: the term ending here (-1 none), the next state with a term on
  // the failure chain (-1 none), the failure link, the depth. Per term: its length.
  private termT: StaticArray<i32> = new StaticArray<i32>(1);
  private dictT: StaticArray<i32> = new StaticArray<i32>(1);
  private failT: StaticArray<i32> = new StaticArray<i32>(1);
  private depthT: StaticArray<i32> = new StaticArray<i32>(1);
  private lengthT: StaticArray<i32> = new StaticArray<i32>(0);
  private maxTermLength: i32 = 0;
  private built: bool = false;
  /** After findAll: openSuffix() of the same text, without a second pass. */
  endDepth: i32 = 0;

  /** Number of states (for memory estimates; after build()). */
  get states(): i32 {
    return this.termT.length;
  }

  get terms(): i32 {
    return this.pending.length + this.lengthT.length;
  }

  /** Adds a term; returns its index. Empty terms are recorded but never match. Call before build(). */
  add(s: string): i32 {
    const index = this.pending.length;
    this.pending.push(s);
    if (s.length > this.maxTermLength) this.maxTermLength = s.length;
    return index;
  }

  /**
   * Builds the trie, the failure links (shallow states first) and the walk
   * rows; the first search does it when no one did before. Every table is
   * allocated once at its final size (the states are counted first), and the
   * scratch is unmanaged memory freed at once: the build runs inside one
   * callback, where no garbage is collected, so whatever it allocates stays
   * in the VM's resident memory.
   */
  build(): void {
    if (this.built) return;
    this.built = true;
    const terms = this.pending;
    const count = terms.length;
    // Terms in code-unit order: each one's new states branch off the path of the one before.
    const sorted = sortedOrder(terms);
    const n = stateCount(terms, sorted);
    const lengths = new StaticArray<i32>(count);
    const term = new StaticArray<i32>(n);
    const dict = new StaticArray<i32>(n);
    const fail = new StaticArray<i32>(n);
    const depth = new StaticArray<i32>(n);
    for (let s = 0; s < n; s++) {
      unchecked((term[s] = -1));
      unchecked((dict[s] = -1));
    }
    this.rootNext = new StaticArray<i32>(0x10000);
    this.termT = term;
    this.dictT = dict;
    this.failT = fail;
    this.depthT = depth;
    // Scratch: each state's parent and the code unit that leads to it.
    const parent = heap.alloc(<usize>n << 2);
    const code = heap.alloc(<usize>n << 1);
    // The previous term's states by depth.
    const path = new StaticArray<i32>(this.maxTermLength + 1);
    let states = 1;
    let prev = "";
    for (let k = 0; k < count; k++) {
      const t = load<i32>(sorted + (<usize>k << 2));
      const s = unchecked(terms[t]);
      unchecked((lengths[t] = s.length));
      if (s.length == 0) continue;
      for (let i = commonPrefix(prev, s); i < s.length; i++) {
        const next = states++;
        unchecked((depth[next] = i + 1));
        store<i32>(parent + (<usize>next << 2), unchecked(path[i]));
        store<u16>(code + (<usize>next << 1), <u16>s.charCodeAt(i));
        unchecked((path[i + 1] = next));
      }
      // A repeated term keeps its first index (equal terms sort by index).
      const state = unchecked(path[s.length]);
      if (unchecked(term[state]) < 0) unchecked((term[state] = t));
      prev = s;
    }
    assert(states == n);
    heap.free(sorted);
    this.linkChildren(n, parent, code);
    this.lengthT = lengths;
    this.pending = new Array<string>();
    // States by depth (counting sort, by id within a depth): a failure link is shallower.
    const order = heap.alloc(<usize>n << 2);
    const starts = heap.alloc(<usize>(this.maxTermLength + 2) << 2);
    memory.fill(starts, 0, <usize>(this.maxTermLength + 2) << 2);
    for (let s = 1; s < n; s++) {
      const at = starts + (<usize>unchecked(depth[s]) << 2);
      store<i32>(at, load<i32>(at) + 1);
    }
    let sum = 0;
    for (let d = 0; d <= this.maxTermLength + 1; d++) {
      const at = starts + (<usize>d << 2);
      const k = load<i32>(at);
      store<i32>(at, sum);
      sum += k;
    }
    for (let s = 1; s < n; s++) {
      const at = starts + (<usize>unchecked(depth[s]) << 2);
      const k = load<i32>(at);
      store<i32>(at, k + 1);
      store<i32>(order + (<usize>k << 2), s);
    }
    heap.free(starts);
    for (let k = 0; k < n - 1; k++) {
      const t = load<i32>(order + (<usize>k << 2));
      const c = <i32>load<u16>(code + (<usize>t << 1));
      const s = load<i32>(parent + (<usize>t << 2));
      if (s == 0) {
        unchecked((this.rootNext[c] = t));
        continue;
      }
      let f = unchecked(fail[s]);
      let g = this.lookup(f, c);
      while (g < 0 && f != 0) {
        f = unchecked(fail[f]);
        g = this.lookup(f, c);
      }
      const ft = g >= 0 && g != t ? g : 0;
      unchecked((fail[t] = ft));
      unchecked((dict[t] = unchecked(term[ft]) >= 0 ? ft : unchecked(dict[ft])));
    }
    heap.free(code);
    // The parent table is done with: it becomes the row of each state.
    this.buildWalk(order, n - 1, parent);
    heap.free(parent);
    heap.free(order);
  }

  /**
   * Walk rows for the root and the first states in `order` (shallowest
   * first). A state's failure link is shallower, so it comes earlier in that
   * order and has its row (or is the root) by the time the state's row is
   * filled. `rowOf` is scratch for n states.
   */
  private buildWalk(order: usize, count: i32, rowOf: usize): void {
    const term = this.termT;
    const dict = this.dictT;
    let rows = 0;
    while (rows < count && rows < MAX_ASCII_ROWS && unchecked(this.depthT[load<i32>(order + (<usize>rows << 2))]) <= MAX_ROW_DEPTH) rows++;
    const states = term.length;
    store<i32>(rowOf, 0);
    for (let s = 1; s < states; s++) store<i32>(rowOf + (<usize>s << 2), -1);
    const rowState = new StaticArray<i32>(rows + 1);
    for (let r = 0; r < rows; r++) {
      const s = load<i32>(order + (<usize>r << 2));
      store<i32>(rowOf + (<usize>s << 2), r + 1);
      unchecked((rowState[r + 1] = s));
    }
    const info = new StaticArray<i32>(states);
    for (let s = 0; s < states; s++) {
      const output = unchecked(term[s]) >= 0 || unchecked(dict[s]) > 0 ? 1 : 0;
      const row = load<i32>(rowOf + (<usize>s << 2));
      unchecked((info[s] = (row >= 0 ? row << 1 : -2) | output));
    }
    // A row's misses copy its failure link's row, whose entries are final.
    const walk = new StaticArray<i16>((rows + 1) << 7);
    for (let c = 0; c < 128; c++) unchecked((walk[c] = walkEntry(info, unchecked(this.rootNext[c]))));
    for (let r = 1; r <= rows; r++) {
      const s = unchecked(rowState[r]);
      const fr = load<i32>(rowOf + (<usize>unchecked(this.failT[s]) << 2));
      for (let c = 0; c < 128; c++) {
        const t = this.lookup(s, c);
        unchecked((walk[(r << 7) | c] = t >= 0 ? walkEntry(info, t) : unchecked(walk[(fr << 7) | c])));
      }
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
    if (!this.built) this.build();
    const base = changetype<usize>(text);
    const walk = changetype<usize>(this.walk);
    let at = 0; // a place, as in matchesAny
    for (let i = 0, n = text.length; i < n; i++) {
      const c = foldUnit(base, i, foldAscii);
      let v = -1;
      if ((c < 128) & (at >= 0)) v = load<i16>(walk + (<usize>at << 7) + (<usize>c << 1));
      if (v < 0) v = this.place(at, c);
      // A row place drops the output bit; a complement keeps it (stateOf() shifts it out).
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
    if (!this.built) this.build();
    const overlap = this.maxTermLength - 1;
    const mid = n >> 1;
    if (mid <= overlap + INTERLEAVE_MIN) return this.walkFrom(base, 0, n, 0, foldAscii);
    const walk = changetype<usize>(this.walk);
    // Each walk's place: its row times two (>= 0), or ~(state << 1)
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
        const va = <i32>load<i16>(walk + (<usize>a << 7) + (<usize>ca << 1));
        const vb = <i32>load<i16>(walk + (<usize>b << 7) + (<usize>cb << 1));
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
      if ((c < 128) & (at >= 0)) v = load<i16>(walk + (<usize>at << 7) + (<usize>c << 1));
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
      const v = <i32>load<i16>(changetype<usize>(this.walk) + (<usize>at << 7) + (<usize>c << 1));
      if (v >= 0) return v;
    }
    const state = this.step(this.stateOf(at), c);
    const info = load<i32>(changetype<usize>(this.stateInfo) + (<usize>state << 2));
    return info >= 0 ? info : ~((state << 1) | (info & 1));
  }

  /** The state at a place. */
  @inline
  private stateOf(at: i32): i32 {
    return at >= 0 ? load<i32>(changetype<usize>(this.rowState) + (<usize>at << 1)) : ~at >> 1;
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
    if (!this.built) this.build();
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

  // ---- transitions -----------------------------------------------------------

  /**
   * Each state's transitions as one run, from the `parent` and `code` of
   * every state: states are numbered as created from the sorted terms, so
   * a state's children come in code-unit order.
   */
  private linkChildren(n: i32, parent: usize, code: usize): void {
    const first = new StaticArray<i32>(n + 1);
    for (let t = 1; t < n; t++) {
      const p = load<i32>(parent + (<usize>t << 2));
      unchecked((first[p + 1] += 1));
    }
    for (let s = 1; s <= n; s++) unchecked((first[s] += first[s - 1]));
    const units = new StaticArray<u16>(n - 1);
    const targets = new StaticArray<i32>(n - 1);
    // The next free place in each state's run.
    const cursor = heap.alloc(<usize>n << 2);
    memory.copy(cursor, changetype<usize>(first), <usize>n << 2);
    for (let t = 1; t < n; t++) {
      const at = cursor + (<usize>load<i32>(parent + (<usize>t << 2)) << 2);
      const slot = load<i32>(at);
      store<i32>(at, slot + 1);
      unchecked((units[slot] = load<u16>(code + (<usize>t << 1))));
      unchecked((targets[slot] = t));
    }
    heap.free(cursor);
    this.firstChild = first;
    this.childUnit = units;
    this.childTarget = targets;
  }

  /** The state after `c` from `state` along the trie, or -1. */
  private lookup(state: i32, c: i32): i32 {
    const first = changetype<usize>(this.firstChild) + (<usize>state << 2);
    let lo = load<i32>(first);
    const end = load<i32>(first, 4);
    const units = changetype<usize>(this.childUnit);
    const unit = c & 0xffff;
    // Deep states have one or two transitions; shallow ones (and CJK) can have
    // hundreds: halve the run while it is long (the unit, if there, stays at or after lo).
    let hi = end;
    while (hi - lo > 8) {
      const mid = (lo + hi) >>> 1;
      if (<i32>load<u16>(units + (<usize>mid << 1)) < unit) lo = mid + 1;
      else hi = mid;
    }
    for (; lo < end; lo++) {
      const u = <i32>load<u16>(units + (<usize>lo << 1));
      if (u == unit) return load<i32>(changetype<usize>(this.childTarget) + (<usize>lo << 2));
      if (u > unit) return -1;
    }
    return -1;
  }
}

/** The walk entry for moving to `state`: its place when it has a row, else -1. */
@inline
function walkEntry(info: StaticArray<i32>, state: i32): i16 {
  const ti = unchecked(info[state]);
  return <i16>(ti >= 0 ? ti : -1);
}

/** The unit at `i`, its ASCII capital lower-cased when `foldAscii`. */
@inline
function foldUnit(base: usize, i: i32, foldAscii: bool): i32 {
  const c = <i32>load<u16>(base + (<usize>i << 1));
  return foldAscii ? c + (<i32>(<u32>(c - 0x41) < 26) << 5) : c;
}

/** 1 + the distinct non-empty prefixes of `terms`: the trie's states. */
function stateCount(terms: Array<string>, sorted: usize): i32 {
  let n = 1;
  let prev = "";
  for (let k = 0; k < terms.length; k++) {
    const s = unchecked(terms[load<i32>(sorted + (<usize>k << 2))]);
    if (s.length == 0) continue;
    n += s.length - commonPrefix(prev, s);
    prev = s;
  }
  return n;
}

function commonPrefix(a: string, b: string): i32 {
  const m = min(a.length, b.length);
  let i = 0;
  while (i < m && a.charCodeAt(i) == b.charCodeAt(i)) i++;
  return i;
}

/**
 * Indices of `terms` in code-unit order, equal terms by index (a stable
 * merge sort), in unmanaged memory the caller frees: a term sorts right
 * after the terms sharing its longest prefix.
 */
function sortedOrder(terms: Array<string>): usize {
  const n = terms.length;
  let from = heap.alloc(<usize>max(n, 1) << 2);
  let to = heap.alloc(<usize>max(n, 1) << 2);
  for (let i = 0; i < n; i++) store<i32>(from + (<usize>i << 2), i);
  for (let width = 1; width < n; width <<= 1) {
    for (let lo = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(mid + width, n);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        const x = i < mid ? load<i32>(from + (<usize>i << 2)) : -1;
        const y = j < hi ? load<i32>(from + (<usize>j << 2)) : -1;
        const takeRight = x < 0 || (y >= 0 && unchecked(terms[y]) < unchecked(terms[x]));
        store<i32>(to + (<usize>k << 2), takeRight ? y : x);
        if (takeRight) j++;
        else i++;
      }
    }
    const t = from;
    from = to;
    to = t;
  }
  heap.free(to);
  return from;
}
