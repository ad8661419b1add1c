// Audit rules as configured: what a rule looks for (keywords, PII
// detectors, a pattern), where (request, response), and what it does with a
// match (block, mask, log). Each rule finds spans in normalized text and
// says how much of a streamed text it must hold back.
import { Counter } from "../common/metrics";
import { AhoCorasick, TermMatch } from "../common/text/aho";
import { NormalizedText } from "../common/text/normalize";
import { Regex, Span, TextEdges } from "../common/text/regex";
import { isWordChar } from "../common/text/regex-program";
import { findPii, Pii, PII_LABELS } from "./pii";
import { mayStartKey, openPrivateKey } from "./pii/secrets";

export enum Action {
  Log = 0,
  Mask = 1,
  Block = 2,
}

export const ACTION_NAMES: Array<string> = ["log", "mask", "block"];

export enum MaskStyle {
  Placeholder = 0,
  /** Keep the last N letters/digits, replace the others with the mask character. */
  Partial = 1,
}

/** The longest PII token a stream holds back while it may still grow (a JWT or long key fits). */
const MAX_PII_HOLD: i32 = 1024;

export class Finding {
  constructor(
    /** Span in the normalized text. */
    public start: i32,
    public end: i32,
    public rule: AuditRule,
    /** Mask placeholder for this match (the detector's label or the rule's placeholder). */
    public placeholder: string,
  ) {}
}

export abstract class AuditRule {
  id: string = "";
  action: Action = Action.Block;
  inRequest: bool = true;
  inResponse: bool = true;
  maskStyle: MaskStyle = MaskStyle.Placeholder;
  /** Empty: the detector's own label. */
  placeholder: string = "";
  keepLast: i32 = 4;
  maskChar: string = "*";
  /** Position of the rule in the configuration (metrics and audit events use the id). */
  index: i32 = 0;
  /** content_audit_matches{rule,action} of this rule, defined once (root.ts). */
  matches: Counter | null = null;

  /** Matches in `text`, a piece of the whole text as `edges` say (streams arrive in pieces). */
  abstract find(text: NormalizedText, out: Array<Finding>, edges: TextEdges): void;

  /**
   * Index in the normalized text from which a streamed text may still turn
   * into a match once more text arrives. Call after find() on the same text.
   */
  abstract openFrom(text: NormalizedText): i32;

  /**
   * False only when find() surely finds nothing in `text`, a whole text
   * already normalized: the clean check then skips the scan. True unless a
   * rule type knows better.
   */
  mayFind(text: UnitText): bool {
    return true;
  }

  protected push(out: Array<Finding>, start: i32, end: i32, label: string): void {
    out.push(new Finding(start, end, this, this.placeholder.length > 0 ? this.placeholder : label));
  }
}

// Scratch arrays, reused by every call (a VM runs one callback at a time).
const hits = new Array<TermMatch>();
const spans = new Array<Span>();

export class KeywordRule extends AuditRule {
  terms: AhoCorasick = new AhoCorasick();
  allow: AhoCorasick | null = null;
  wholeWords: bool = false;

  find(text: NormalizedText, out: Array<Finding>, edges: TextEdges): void {
    hits.length = 0;
    this.terms.findAll(text.text, hits, true);
    if (hits.length == 0) return;
    let allowed: Array<TermMatch> | null = null;
    const allow = this.allow;
    if (allow !== null) {
      allowed = new Array<TermMatch>();
      allow.findAll(text.text, allowed, true);
    }
    for (let i = 0; i < hits.length; i++) {
      const h = unchecked(hits[i]);
      // (A match at the end of a piece is held back whole by openFrom: the
      // automaton is still inside it, so the next piece decides its end.)
      if (this.wholeWords && !wordBounded(text.text, h.start, h.end, edges)) continue;
      if (allowed !== null && covered(allowed, h.start, h.end)) continue;
      this.push(out, h.start, h.end, "[REDACTED]");
    }
  }

  mayFind(text: UnitText): bool {
    // Word boundaries and allow terms only ever drop matches.
    return this.terms.matchesAny(text.base, text.length, true);
  }

  openFrom(text: NormalizedText): i32 {
    let open = text.length - this.terms.endDepth;
    // An allow term that may still complete must keep its start, or the
    // keyword inside it would be judged without it.
    const allow = this.allow;
    if (allow !== null) {
      const a = text.length - allow.openSuffix(text.text, true);
      if (a < open) open = a;
    }
    return open;
  }
}

function wordBounded(s: string, start: i32, end: i32, edges: TextEdges): bool {
  const before = start > 0 ? s.charCodeAt(start - 1) : edges.atStart ? -1 : edges.before;
  if (isWordChar(s.charCodeAt(start)) && before >= 0 && isWordChar(before)) return false;
  if (isWordChar(s.charCodeAt(end - 1)) && end < s.length && isWordChar(s.charCodeAt(end))) return false;
  return true;
}

function covered(spans: Array<TermMatch>, start: i32, end: i32): bool {
  for (let i = 0; i < spans.length; i++) {
    const a = unchecked(spans[i]);
    if (a.start <= start && a.end >= end) return true;
  }
  return false;
}

export class PiiRule extends AuditRule {
  detectors: Array<Pii> = new Array<Pii>();

  find(text: NormalizedText, out: Array<Finding>, edges: TextEdges): void {
    // Detectors see no edges: a stream holds back every trailing run of
    // token characters (openFrom), so a token is never judged in halves.
    const shape = shapeOf(text.text);
    for (let d = 0; d < this.detectors.length; d++) {
      const kind = unchecked(this.detectors[d]);
      if (!shape.mayHold(kind)) continue;
      spans.length = 0;
      findPii(kind, text.text, spans);
      for (let i = 0; i < spans.length; i++) this.push(out, unchecked(spans[i]).start, unchecked(spans[i]).end, PII_LABELS[<i32>kind]);
    }
  }

  mayFind(text: UnitText): bool {
    const shape = text.shape();
    for (let d = 0; d < this.detectors.length; d++) if (shape.mayHold(unchecked(this.detectors[d]))) return true;
    return false;
  }

  /** The trailing run of characters a PII token can contain, or an unfinished private key block. */
  openFrom(text: NormalizedText): i32 {
    const s = text.text;
    let i = s.length;
    const limit = s.length - MAX_PII_HOLD;
    while (i > 0 && i > limit) {
      const c = s.charCodeAt(i - 1);
      if (isTokenChar(c)) {
        i--;
        continue;
      }
      // A single space inside a grouped number or IBAN ("4111 1111", "DE89 3704", "+1 (212)").
      if (c == 0x20 && i >= 2 && isGroupChar(s.charCodeAt(i - 2)) && (i == s.length || isGroupChar(s.charCodeAt(i)) || s.charCodeAt(i) == 0x28)) {
        i--;
        continue;
      }
      break;
    }
    if (this.detectors.includes(Pii.Secret)) {
      const pem = openPrivateKey(s);
      if (pem >= 0 && pem < i) i = pem;
    }
    return i;
  }
}

// What TextShape.measure() does with an ASCII unit (anything else: other).
const SHAPE_OTHER: i32 = 0;
const SHAPE_DIGIT: i32 = 1;
/** Space - . ( ) +: may sit inside a number. */
const SHAPE_GAP: i32 = 2;
const SHAPE_AT: i32 = 3;
const SHAPE_COLON: i32 = 4;
/** The second character of a key prefix (mayStartKey), or the J of "eyJ" and the G of "BEG". */
const SHAPE_KEY: i32 = 5;
const SHAPE_CLASS = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  2, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 2, 0, 2, 2, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 0, 0, 0, 0, 0,
  3, 0, 0, 0, 0, 0, 0, 5, 0, 5, 5, 5, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 5, 5, 0, 5, 5, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/**
 * What one pass over a text shows about the PII it could hold: detectors
 * whose minimum shape is absent (no '@', no run of enough digits) are not
 * run at all. Most prose needs few of them.
 */
class TextShape {
  /** Most digits in one run where up to two separators ( -.()+) may sit between digits. */
  longestNumber: i32 = 0;
  at: bool = false;
  colons: i32 = 0;
  /** Two capital letters followed by two digits: how every IBAN starts. */
  ibanStart: bool = false;
  /** The start of a provider key prefix, "eyJ" (a JWT) or "BEG" (a PEM block). */
  secretStart: bool = false;

  measure(base: usize, n: i32): void {
    let longest = 0;
    let at = false;
    let colons = 0;
    let ibanStart = false;
    let secretStart = false;
    let run = 0;
    let gap = 0;
    let p1 = 0; // previous code units, most recent first
    let p2 = 0;
    let p3 = 0;
    for (let i = 0; i < n; i++) {
      const c = <i32>load<u16>(base + (<usize>i << 1));
      const k = c < 128 ? <i32>load<u8>(SHAPE_CLASS + <usize>c) : SHAPE_OTHER;
      // Most of any text: letters, and spaces between words. One
      // well-predicted branch for both (the bitwise | and & do not branch).
      if ((k == SHAPE_OTHER) | ((k == SHAPE_GAP) & (run == 0))) {
        run = 0;
        gap = 0;
      } else if (k == SHAPE_DIGIT) {
        run++;
        gap = 0;
        if (run > longest) longest = run;
        if (p1 >= 0x30 && p1 <= 0x39 && p2 >= 0x41 && p2 <= 0x5a && p3 >= 0x41 && p3 <= 0x5a) ibanStart = true;
      } else if (k == SHAPE_GAP && run > 0 && gap < 2) {
        gap++;
      } else {
        run = 0;
        gap = 0;
        if (k == SHAPE_AT) at = true;
        else if (k == SHAPE_COLON) colons++;
        else if (k == SHAPE_KEY && !secretStart)
          secretStart = mayStartKey(i >= 2 ? p2 : -1, p1, c) || (p2 == 0x65 && p1 == 0x79 && c == 0x4a) || (p2 == 0x42 && p1 == 0x45 && c == 0x47);
      }
      p3 = p2;
      p2 = p1;
      p1 = c;
    }
    this.longestNumber = longest;
    this.at = at;
    this.colons = colons;
    this.ibanStart = ibanStart;
    this.secretStart = secretStart;
  }

  mayHold(kind: Pii): bool {
    switch (kind) {
      case Pii.Email:
        return this.at;
      case Pii.Phone:
        return this.longestNumber >= 8;
      case Pii.CreditCard:
        return this.longestNumber >= 13;
      case Pii.CnResidentId:
        return this.longestNumber >= 17;
      case Pii.UsSsn:
        return this.longestNumber >= 9;
      case Pii.Iban:
        return this.ibanStart;
      case Pii.IpAddress:
        return this.longestNumber >= 4 || this.colons >= 2;
      case Pii.Secret:
        return this.secretStart;
      default:
        return true;
    }
  }
}

// Several PII rules see the same text in turn: it is measured once. Holding
// the string keeps it alive, so the identity test cannot mistake a new text
// at a reused address for it; forgetShape() lets it go after the scan.
const shape = new TextShape();
let shapeText: string | null = null;

function shapeOf(s: string): TextShape {
  if (shapeText === null || changetype<usize>(shapeText) != changetype<usize>(s)) {
    shape.measure(changetype<usize>(s), s.length);
    shapeText = s;
  }
  return shape;
}

/** Call when every rule has seen the text. */
export function forgetShape(): void {
  shapeText = null;
}

/** A whole text as normalized UTF-16 units in scratch memory, for mayFind(); its shape is measured on first use. */
export class UnitText {
  base: usize = 0;
  length: i32 = 0;
  private measured: bool = false;
  private textShape: TextShape = new TextShape();

  reset(base: usize, length: i32): void {
    this.base = base;
    this.length = length;
    this.measured = false;
  }

  shape(): TextShape {
    if (!this.measured) {
      this.textShape.measure(this.base, this.length);
      this.measured = true;
    }
    return this.textShape;
  }
}

function isTokenChar(c: i32): bool {
  return isWordChar(c) || c == 0x2e || c == 0x2d || c == 0x40 || c == 0x2b || c == 0x25 || c == 0x3a || c == 0x28 || c == 0x29 || c == 0x2f || c == 0x3d;
}

function isGroupChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c == 0x29;
}

export class PatternRule extends AuditRule {
  constructor(public regex: Regex) {
    super();
  }

  find(text: NormalizedText, out: Array<Finding>, edges: TextEdges): void {
    spans.length = 0;
    this.regex.findAll(text.text, spans, edges);
    for (let i = 0; i < spans.length; i++) this.push(out, unchecked(spans[i]).start, unchecked(spans[i]).end, "[REDACTED]");
  }

  openFrom(text: NormalizedText): i32 {
    return this.regex.openFrom;
  }
}
