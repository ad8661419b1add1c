// Linear-time patterns for configurations written by many teams: no
// backtracking, so no pattern can make matching take more than
// O(text length x pattern size). A pattern compiles to a Thompson NFA
// (regex-program.ts) that a Pike VM runs over the text once, all threads in
// lock step.
//
// Syntax (a subset of ECMAScript/RE2; anything else is a compile error
// naming the position):
//   literals, `.` (any but \n), [abc] [a-z] [^...], \d \w \s \D \W \S,
//   \n \t \r \uXXXX, \ followed by punctuation for that character,
//   (...) and (?:...) groups, a|b, quantifiers * + ? {n} {n,} {n,m}
//   (n, m <= 1000; a trailing ? is accepted and changes nothing),
//   anchors ^ $ (start/end of the inspected text), \b \B (ASCII words).
//   A streamed text is inspected piece by piece: TextEdges says whether a
//   piece starts the text (else ^ cannot match there and \b looks at the
//   character before it) and ends it (else $, and \b at its end, are not
//   decided yet: a match that needs them is held, see openFrom).
//   Not supported: backreferences, lookaround, named groups, inline flags.
// Matches are leftmost-longest and non-overlapping, never empty, and at
// most `maxLength` units long (threads older than that are dropped, which
// also bounds what a stream must hold back).
import { Assertion, CharClass, isWordChar, Op, Program } from "./regex-program";
import { Node, NodeKind, ParseError, PatternParser } from "./regex-parse";
import { decimal } from "./decimal";

export { ParseError };

/** Compiled programs larger than this are refused (counted repetitions multiply). */
export const MAX_PROGRAM: i32 = 20000;
export const MAX_PATTERN_LENGTH: i32 = 4096;

export class Span {
  constructor(
    public start: i32,
    public end: i32,
  ) {}
}

/** Where an inspected piece lies in the whole text (a stream arrives in pieces). */
export class TextEdges {
  constructor(
    /** The piece is the start of the text. */
    public atStart: bool = true,
    /** The piece is the end of the text. */
    public atEnd: bool = true,
    /** The character just before the piece (when not atStart), or -1. */
    public before: i32 = -1,
    /** The last characters (normalized) before the piece, for rules that read context (content-audit's labels). */
    public context: string = "",
  ) {}
}

export const WHOLE_TEXT = new TextEdges();

export class CompileResult {
  regex: Regex | null = null;
  error: ParseError | null = null;
}

export function compileRegex(pattern: string, caseInsensitive: bool = false, maxLength: i32 = 256): CompileResult {
  const result = new CompileResult();
  if (pattern.length == 0) {
    result.error = new ParseError(0, "empty pattern");
    return result;
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    result.error = new ParseError(MAX_PATTERN_LENGTH, "pattern longer than " + decimal(MAX_PATTERN_LENGTH) + " characters");
    return result;
  }
  const parser = new PatternParser(pattern);
  const tree = parser.parse();
  if (tree === null) {
    result.error = parser.error;
    return result;
  }
  const c = new Compiler(caseInsensitive);
  c.node(tree);
  c.prog.emit(Op.Match);
  if (c.tooLarge) {
    result.error = new ParseError(0, "pattern compiles to more than " + decimal(MAX_PROGRAM) + " instructions (reduce counted repetitions)");
    return result;
  }
  result.regex = new Regex(c.prog, maxLength);
  return result;
}

class Compiler {
  prog: Program = new Program();
  tooLarge: bool = false;

  constructor(public caseInsensitive: bool) {}

  node(n: Node): void {
    if (this.tooLarge) return;
    if (this.prog.length > MAX_PROGRAM) {
      this.tooLarge = true;
      return;
    }
    switch (n.kind) {
      case NodeKind.Char: {
        const c = n.code;
        const lower = c >= 0x61 && c <= 0x7a;
        const upper = c >= 0x41 && c <= 0x5a;
        if (this.caseInsensitive && (lower || upper)) {
          const cls = new CharClass();
          cls.add(c, c);
          cls.foldCase();
          this.prog.emit(Op.Class, this.prog.addClass(cls));
        } else {
          this.prog.emit(Op.Char, c);
        }
        break;
      }
      case NodeKind.Class: {
        const cls = n.cls!;
        if (this.caseInsensitive) cls.foldCase();
        this.prog.emit(Op.Class, this.prog.addClass(cls));
        break;
      }
      case NodeKind.Any:
        this.prog.emit(Op.Any);
        break;
      case NodeKind.Assert:
        this.prog.emit(Op.Assert, n.code);
        break;
      case NodeKind.Concat:
        for (let i = 0; i < n.children.length; i++) this.node(unchecked(n.children[i]));
        break;
      case NodeKind.Alt:
        this.alternation(n.children);
        break;
      case NodeKind.Repeat:
        this.repeat(n.children[0], n.min, n.max);
        break;
      default:
        break;
    }
  }

  private alternation(items: Array<Node>): void {
    const jumps = new Array<i32>();
    for (let i = 0; i < items.length - 1; i++) {
      const split = this.prog.emit(Op.Split);
      this.prog.a[split] = this.prog.length;
      this.node(unchecked(items[i]));
      jumps.push(this.prog.emit(Op.Jump));
      this.prog.b[split] = this.prog.length;
    }
    this.node(items[items.length - 1]);
    for (let i = 0; i < jumps.length; i++) this.prog.a[unchecked(jumps[i])] = this.prog.length;
  }

  private repeat(body: Node, min: i32, max: i32): void {
    for (let i = 0; i < min; i++) this.node(body);
    if (max < 0) {
      const split = this.prog.emit(Op.Split);
      this.prog.a[split] = this.prog.length;
      this.node(body);
      const back = this.prog.emit(Op.Jump, split);
      this.prog.a[back] = split;
      this.prog.b[split] = this.prog.length;
      return;
    }
    const splits = new Array<i32>();
    for (let i = min; i < max && !this.tooLarge; i++) {
      const split = this.prog.emit(Op.Split);
      this.prog.a[split] = this.prog.length;
      splits.push(split);
      this.node(body);
    }
    for (let i = 0; i < splits.length; i++) this.prog.b[unchecked(splits[i])] = this.prog.length;
  }
}

/** A set of threads (program counters, each with the start of its match), in priority order. */
class ThreadList {
  pcs: Int32Array;
  starts: Int32Array;
  count: i32 = 0;
  /** Generation mark per pc: a pc is in the list when mark[pc] == gen. */
  mark: Int32Array;
  gen: i32 = 1;

  constructor(size: i32) {
    this.pcs = new Int32Array(size);
    this.starts = new Int32Array(size);
    this.mark = new Int32Array(size);
  }

  clear(): void {
    this.count = 0;
    this.gen++;
  }
}

export class Regex {
  private cur: ThreadList;
  private nxt: ThreadList;
  private stack: Int32Array;
  /** Best match not yet reported: its start, or -1. */
  private bestStart: i32 = -1;
  private bestEnd: i32 = -1;
  /** No new match may start before this (matches do not overlap). */
  private floor: i32 = 0;
  /** After findAll: where the earliest match that more text could still produce would start (text length when none). */
  openFrom: i32 = 0;
  private edges: TextEdges = WHOLE_TEXT;
  /** The earliest start of a thread stopped at an assertion the end of the piece leaves undecided. */
  private undecidedFrom: i32 = 0;

  constructor(
    private prog: Program,
    public maxLength: i32,
  ) {
    const n = prog.length;
    this.cur = new ThreadList(n);
    this.nxt = new ThreadList(n);
    this.stack = new Int32Array(n * 2 + 2);
  }

  /** Appends every match in `text` (a piece of a text as `edges` say) to `out`. */
  findAll(text: string, out: Array<Span>, edges: TextEdges = WHOLE_TEXT): void {
    const n = text.length;
    this.edges = edges;
    this.undecidedFrom = n;
    this.bestStart = -1;
    this.bestEnd = -1;
    this.cur.clear();
    this.floor = 0;
    for (let i = 0; i <= n; i++) {
      if (i >= this.floor) this.add(this.cur, 0, i, i, text);
      this.maybeCommit(this.cur, out);
      if (i == n) break;
      const floor = this.floor;
      const c = text.charCodeAt(i);
      const next = this.nxt;
      next.clear();
      const list = this.cur;
      const prog = this.prog;
      for (let k = 0; k < list.count; k++) {
        const pc = unchecked(list.pcs[k]);
        const start = unchecked(list.starts[k]);
        if (start < floor || i + 1 - start > this.maxLength) continue;
        const op = unchecked(prog.ops[pc]);
        let ok = false;
        if (op == Op.Char) ok = c == unchecked(prog.a[pc]);
        else if (op == Op.Class) ok = unchecked(prog.classes[unchecked(prog.a[pc])]).has(c);
        else if (op == Op.Any) ok = c != 0x0a;
        if (ok) this.add(next, pc + 1, i + 1, start, text);
      }
      this.nxt = this.cur;
      this.cur = next;
    }
    let open = n;
    if (this.bestStart >= 0) {
      open = this.bestStart;
      out.push(new Span(this.bestStart, this.bestEnd));
      this.bestStart = -1;
    }
    for (let k = 0; k < this.cur.count; k++) {
      const s = unchecked(this.cur.starts[k]);
      if (s < open && s >= this.floor) open = s;
    }
    if (this.undecidedFrom < open && this.undecidedFrom >= this.floor) open = this.undecidedFrom;
    this.openFrom = open;
  }

  /** Reports the best match once no live thread could still beat it. */
  private maybeCommit(list: ThreadList, out: Array<Span>): void {
    if (this.bestStart < 0) return;
    for (let k = 0; k < list.count; k++) {
      if (unchecked(list.starts[k]) <= this.bestStart) return;
    }
    out.push(new Span(this.bestStart, this.bestEnd));
    this.floor = this.bestEnd;
    this.bestStart = -1;
  }

  /** Adds pc and everything reachable from it without consuming, in priority order. */
  private add(list: ThreadList, pc0: i32, pos: i32, start: i32, text: string): void {
    const prog = this.prog;
    const stack = this.stack;
    let top = 0;
    stack[top++] = pc0;
    while (top > 0) {
      const pc = stack[--top];
      if (unchecked(list.mark[pc]) == list.gen) continue;
      unchecked((list.mark[pc] = list.gen));
      const op = unchecked(prog.ops[pc]);
      if (op == Op.Jump) {
        stack[top++] = unchecked(prog.a[pc]);
      } else if (op == Op.Split) {
        stack[top++] = unchecked(prog.b[pc]);
        stack[top++] = unchecked(prog.a[pc]);
      } else if (op == Op.Assert) {
        const a = <Assertion>unchecked(prog.a[pc]);
        const edges = this.edges;
        if (pos == text.length && !edges.atEnd && a != Assertion.TextStart) {
          // $, \b or \B at the end of a piece: the next piece decides.
          if (start < this.undecidedFrom) this.undecidedFrom = start;
        } else if (assertionHolds(a, text, pos, edges)) {
          stack[top++] = pc + 1;
        }
      } else if (op == Op.Match) {
        if (pos > start) this.candidate(start, pos);
      } else {
        const k = list.count++;
        unchecked((list.pcs[k] = pc));
        unchecked((list.starts[k] = start));
      }
    }
  }

  private candidate(start: i32, end: i32): void {
    if (this.bestStart < 0 || start < this.bestStart || (start == this.bestStart && end > this.bestEnd)) {
      this.bestStart = start;
      this.bestEnd = end;
    }
  }
}

function assertionHolds(a: Assertion, text: string, pos: i32, edges: TextEdges): bool {
  if (a == Assertion.TextStart) return pos == 0 && edges.atStart;
  if (a == Assertion.TextEnd) return pos == text.length;
  const before = pos > 0 ? isWordChar(text.charCodeAt(pos - 1)) : !edges.atStart && edges.before >= 0 && isWordChar(edges.before);
  const after = pos < text.length && isWordChar(text.charCodeAt(pos));
  return a == Assertion.WordBoundary ? before != after : before == after;
}
