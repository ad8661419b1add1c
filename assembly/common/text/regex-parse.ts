// Parses the pattern subset of regex.ts into a syntax tree; errors carry the
// position (0-based, in UTF-16 units) where the pattern went wrong.
import { Assertion, CharClass } from "./regex-program";
import { decimal } from "./decimal";

export enum NodeKind {
  Empty = 0,
  Char = 1,
  Class = 2,
  Any = 3,
  Concat = 4,
  Alt = 5,
  Repeat = 6,
  Assert = 7,
}

export class Node {
  kind: NodeKind;
  code: i32 = 0;
  cls: CharClass | null = null;
  children: Array<Node> = new Array<Node>();
  min: i32 = 0;
  /** -1: unbounded. */
  max: i32 = 0;

  constructor(kind: NodeKind) {
    this.kind = kind;
  }
}

export const MAX_REPEAT: i32 = 1000;
const MAX_NESTING: i32 = 100;

export class ParseError {
  constructor(
    public position: i32,
    public message: string,
  ) {}
}

export class PatternParser {
  pos: i32 = 0;
  error: ParseError | null = null;
  private depth: i32 = 0;

  constructor(public src: string) {}

  parse(): Node | null {
    const node = this.alternation();
    if (this.error === null && this.pos < this.src.length) this.fail(this.pos, "unbalanced ')'");
    return this.error === null ? node : null;
  }

  private fail(at: i32, message: string): Node {
    if (this.error === null) this.error = new ParseError(at, message);
    this.pos = this.src.length;
    return new Node(NodeKind.Empty);
  }

  private peek(): i32 {
    return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1;
  }

  private alternation(): Node {
    const first = this.concatenation();
    if (this.peek() != 0x7c) return first;
    const alt = new Node(NodeKind.Alt);
    alt.children.push(first);
    while (this.error === null && this.peek() == 0x7c) {
      this.pos++;
      alt.children.push(this.concatenation());
    }
    return alt;
  }

  private concatenation(): Node {
    const cat = new Node(NodeKind.Concat);
    while (this.error === null) {
      const c = this.peek();
      if (c < 0 || c == 0x7c || c == 0x29) break;
      const atomStart = this.pos;
      const atom = this.atom();
      cat.children.push(this.quantified(atom, atomStart));
    }
    return cat.children.length == 1 ? cat.children[0] : cat;
  }

  private quantified(atom: Node, atomStart: i32): Node {
    let node = atom;
    while (this.error === null) {
      const c = this.peek();
      let min = 0;
      let max = 0;
      const at = this.pos;
      if (c == 0x2a) {
        min = 0;
        max = -1;
        this.pos++;
      } else if (c == 0x2b) {
        min = 1;
        max = -1;
        this.pos++;
      } else if (c == 0x3f) {
        min = 0;
        max = 1;
        this.pos++;
      } else if (c == 0x7b && this.isCounted()) {
        this.pos++;
        min = this.number();
        max = min;
        if (this.peek() == 0x2c) {
          this.pos++;
          max = this.peek() == 0x7d ? -1 : this.number();
        }
        this.pos++; // '}'
        if (min > MAX_REPEAT || max > MAX_REPEAT) return this.fail(at, "repetition count above " + decimal(MAX_REPEAT));
        if (max >= 0 && max < min) return this.fail(at, "repetition {n,m} with m < n");
      } else {
        break;
      }
      if (node.kind == NodeKind.Assert || node.kind == NodeKind.Empty) return this.fail(at, "nothing to repeat");
      if (node.kind == NodeKind.Repeat && at == this.lastQuantifierEnd) {
        // `a*?` / `a+?`: a lazy quantifier. Matches are leftmost-longest, so laziness changes nothing.
        if (c == 0x3f && max == 1 && min == 0) continue;
        return this.fail(at, "quantifier after a quantifier");
      }
      const rep = new Node(NodeKind.Repeat);
      rep.children.push(node);
      rep.min = min;
      rep.max = max;
      node = rep;
      this.lastQuantifierEnd = this.pos;
    }
    return node;
  }

  private lastQuantifierEnd: i32 = -1;

  /** `{` starts a counted repetition only as {n}, {n,} or {n,m}; otherwise it is a literal. */
  private isCounted(): bool {
    let i = this.pos + 1;
    const s = this.src;
    const digitsAt = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i == digitsAt || i >= s.length) return false;
    if (s.charCodeAt(i) == 0x2c) {
      i++;
      while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    }
    return i < s.length && s.charCodeAt(i) == 0x7d;
  }

  private number(): i32 {
    let n = 0;
    while (isDigit(this.peek())) {
      if (n <= MAX_REPEAT) n = n * 10 + (this.peek() - 0x30);
      this.pos++;
    }
    return n;
  }

  private atom(): Node {
    const at = this.pos;
    const c = this.src.charCodeAt(this.pos++);
    if (c == 0x28) return this.group(at);
    if (c == 0x5b) return this.charClass(at);
    if (c == 0x2e) return new Node(NodeKind.Any);
    if (c == 0x5e) return assertion(Assertion.TextStart);
    if (c == 0x24) return assertion(Assertion.TextEnd);
    if (c == 0x5c) return this.escape(at, false);
    if (c == 0x2a || c == 0x2b || c == 0x3f) return this.fail(at, "nothing to repeat");
    return charNode(c);
  }

  private group(at: i32): Node {
    if (this.peek() == 0x3f) {
      const next = this.pos + 1 < this.src.length ? this.src.charCodeAt(this.pos + 1) : -1;
      if (next != 0x3a) return this.fail(at, "unsupported group syntax (only (...) and (?:...); no lookaround, named groups or inline flags)");
      this.pos += 2;
    }
    if (++this.depth > MAX_NESTING) return this.fail(at, "groups nested deeper than " + decimal(MAX_NESTING));
    const inner = this.alternation();
    this.depth--;
    if (this.error !== null) return inner;
    if (this.peek() != 0x29) return this.fail(at, "unclosed '('");
    this.pos++;
    return inner;
  }

  private charClass(at: i32): Node {
    const cls = new CharClass();
    if (this.peek() == 0x5e) {
      cls.negated = true;
      this.pos++;
    }
    let first = true;
    while (true) {
      const c = this.peek();
      if (c < 0) return this.fail(at, "unclosed '['");
      if (c == 0x5d && !first) {
        this.pos++;
        break;
      }
      first = false;
      const itemAt = this.pos;
      let lo = this.classItem(cls);
      if (this.error !== null) return new Node(NodeKind.Empty);
      if (lo < 0) continue; // a class escape like \d was added
      if (this.peek() == 0x2d && this.pos + 1 < this.src.length && this.src.charCodeAt(this.pos + 1) != 0x5d) {
        this.pos++;
        const hi = this.classItem(cls);
        if (this.error !== null) return new Node(NodeKind.Empty);
        if (hi < 0) return this.fail(itemAt, "a range cannot end in a class escape");
        if (hi < lo) return this.fail(itemAt, "range out of order");
        cls.add(lo, hi);
      } else {
        cls.add(lo, lo);
      }
    }
    const node = new Node(NodeKind.Class);
    node.cls = cls;
    return node;
  }

  /** One class member: returns its code unit, or -1 after adding a class escape (\d ...) to `cls`. */
  private classItem(cls: CharClass): i32 {
    const at = this.pos;
    const c = this.src.charCodeAt(this.pos++);
    if (c != 0x5c) return c;
    const e = this.escape(at, true);
    if (e.kind == NodeKind.Char) return e.code;
    if (e.kind == NodeKind.Class) {
      cls.addClass(e.cls!);
      return -1;
    }
    this.fail(at, "escape not allowed in a class");
    return -1;
  }

  private escape(at: i32, inClass: bool): Node {
    if (this.pos >= this.src.length) return this.fail(at, "trailing backslash");
    const c = this.src.charCodeAt(this.pos++);
    if (c == 0x64 || c == 0x44) return classNode(digitClass(), c == 0x44); // \d \D
    if (c == 0x77 || c == 0x57) return classNode(wordClass(), c == 0x57); // \w \W
    if (c == 0x73 || c == 0x53) return classNode(spaceClass(), c == 0x53); // \s \S
    if (c == 0x6e) return charNode(0x0a);
    if (c == 0x74) return charNode(0x09);
    if (c == 0x72) return charNode(0x0d);
    if (c == 0x62 && !inClass) return assertion(Assertion.WordBoundary);
    if (c == 0x42 && !inClass) return assertion(Assertion.NotWordBoundary);
    if (c == 0x75) {
      if (this.pos + 4 > this.src.length) return this.fail(at, "\\u needs 4 hex digits");
      let v = 0;
      for (let i = 0; i < 4; i++) {
        const h = hexValue(this.src.charCodeAt(this.pos++));
        if (h < 0) return this.fail(at, "\\u needs 4 hex digits");
        v = v * 16 + h;
      }
      return charNode(v);
    }
    if (isDigit(c)) return this.fail(at, "backreferences are not supported");
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return this.fail(at, "unknown escape \\" + String.fromCharCode(c));
    return charNode(c);
  }
}

function assertion(a: Assertion): Node {
  const n = new Node(NodeKind.Assert);
  n.code = <i32>a;
  return n;
}

function charNode(c: i32): Node {
  const n = new Node(NodeKind.Char);
  n.code = c;
  return n;
}

function classNode(cls: CharClass, negated: bool): Node {
  cls.negated = negated;
  const n = new Node(NodeKind.Class);
  n.cls = cls;
  return n;
}

function digitClass(): CharClass {
  const c = new CharClass();
  c.add(0x30, 0x39);
  return c;
}

function wordClass(): CharClass {
  const c = new CharClass();
  c.add(0x30, 0x39);
  c.add(0x41, 0x5a);
  c.add(0x5f, 0x5f);
  c.add(0x61, 0x7a);
  return c;
}

function spaceClass(): CharClass {
  const c = new CharClass();
  c.add(0x09, 0x0d);
  c.add(0x20, 0x20);
  c.add(0xa0, 0xa0);
  c.add(0x3000, 0x3000);
  return c;
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
