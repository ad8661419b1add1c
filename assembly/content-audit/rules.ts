// Audit rules as configured: what a rule looks for (keywords, PII
// detectors, a pattern), where (request, response), and what it does with a
// match (block, mask, log). Each rule finds spans in normalized text and
// says how much of a streamed text it must hold back.
import { Counter } from "../common/metrics";
import { AhoCorasick, TermMatch } from "../common/text/aho";
import { NormalizedText } from "../common/text/normalize";
import { Regex, Span, TextEdges } from "../common/text/regex";
import { isWordChar } from "../common/text/regex-program";
import { Pii, PII_LABELS } from "./pii";
import { resolvedPii } from "./pii/resolve";
import { openPrivateKey } from "./pii/secrets";
import { isWideLetter } from "./pii/email";
import { shapeOf, UnitText } from "./text-shape";

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
      resolvedPii(kind, text.text, edges.context, shape, spans);
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
    let wide = 0;
    let plain = 0;
    while (i > 0 && i > limit) {
      const c = s.charCodeAt(i - 1);
      // Digits, spaces and punctuation alone: no token holds more than 64 in a row (held text is scanned again with every delta).
      if (c >= 0x41) plain = 0;
      else if (++plain > 64) break;
      if (isTokenChar(c)) {
        i--;
        wide = 0;
        continue;
      }
      // Letters of other scripts (müller@, иван@пример.рф): an address part holds at most 64 in a row.
      if (isWideLetter(c) && ++wide <= 64) {
        i--;
        continue;
      }
      // A single space inside a grouped number or IBAN ("4111 1111", "DE89 3704", "+1 (212)"), before a
      // phone extension ("555-0100 x12", "… ext. 57406") or a card's expiry or CVV.
      if (c == 0x20 && i >= 2 && isGroupChar(s.charCodeAt(i - 2)) && (i == s.length || isGroupChar(s.charCodeAt(i)) || opensExtension(s.charCodeAt(i)))) {
        i--;
        continue;
      }
      if (c == 0x20 && i >= 2 && s.charCodeAt(i - 2) == 0x2e && (i == s.length || isDigit(s.charCodeAt(i)))) {
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

function isTokenChar(c: i32): bool {
  return isWordChar(c) || c == 0x2e || c == 0x2d || c == 0x40 || c == 0x2b || c == 0x25 || c == 0x3a || c == 0x28 || c == 0x29 || c == 0x2f || c == 0x3d;
}

function opensExtension(c: i32): bool {
  return c == 0x28 || c == 0x78 || c == 0x65 || c == 0x45 || c == 0x23;
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
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
