// Runs the rules over one text (a prompt part, a completion, a tool call's
// arguments) and produces what goes on: the text with masks applied, or the
// rule that blocks it. For streamed text, also where to stop: the tail that
// could still become a match when the next chunk arrives is held back.
import { normalize, NormalizedText } from "../common/text/normalize";
import { TextEdges, WHOLE_TEXT } from "../common/text/regex";
import { AuditRecord } from "./record";
import { isOpenPrivateKey } from "./pii/secrets";
import { Action, AuditRule, Finding, MaskStyle, PiiRule } from "./rules";
import { forgetShape, UnitText } from "./text-shape";
import { forgetResolved } from "./pii/resolve";
import { setPhoneRegions } from "./pii/phone";

/**
 * Streams: the most a match may hold back (normalized units). A PII match
 * that would hold more (a JWT or an email longer than that) is judged when
 * it reaches this length, and its mask carries on over the token's rest.
 * Keyword and pattern holds are at most 4096 units (config limits), PII
 * token runs at most 1024.
 */
export const MAX_MATCH_HOLD: i32 = 8192;

export class ScanResult {
  /** The text to send on (masked), or null when nothing changed. */
  text: string | null = null;
  /** The first blocking match's rule, or null. */
  blockedBy: AuditRule | null = null;
  /** Streams: how many units of the input were settled and are in `text` (or unchanged). */
  settled: i32 = 0;
  /**
   * Streams: a masked PII match that reaches the end of the input and may go
   * on in the next piece (an unfinished private key block, a match cut at
   * MAX_MATCH_HOLD): its rule (null: none). The next piece's start that
   * continues it is masked too (stream-carry.ts).
   */
  carry: AuditRule | null = null;
  /** The carried match is a private key block (else a token). */
  carryPem: bool = false;
  /** Normalized units of the carried match so far. */
  carryLength: i32 = 0;
}

export class Scanner {
  /** The result of every scan: callers read it before the next one. */
  private result: ScanResult = new ScanResult();
  /** Scratch list, reused by every scan. */
  private findings: Array<Finding> = new Array<Finding>();
  /** Regions whose phone numbers the phone detector knows (bit k: PHONE_REGIONS[k]; configuration phone_regions). */
  phoneRegions: u64 = <u64>-1;
  /** Where a streamed piece lies, reused by every stream scan. */
  private streamEdges: TextEdges = new TextEdges();
  /** The normalized input of the running scan, reused by every scan. */
  private norm: NormalizedText = new NormalizedText();

  constructor(
    public rules: Array<AuditRule>,
    public collectSamples: bool,
  ) {}

  /**
   * True when no rule for this side can find anything in `text` (a whole
   * text, normalized): scanning it would change and record nothing.
   */
  isClean(text: UnitText, response: bool): bool {
    for (let r = 0; r < this.rules.length; r++) {
      const rule = unchecked(this.rules[r]);
      if (response ? !rule.inResponse : !rule.inRequest) continue;
      if (rule.mayFind(text)) return false;
    }
    return true;
  }

  /** A whole text. */
  scan(input: string, response: bool, record: AuditRecord): ScanResult {
    return this.run(input, response, record, WHOLE_TEXT);
  }

  /**
   * A streamed text from its held-back tail on, plus the new chunk. `final`
   * at the end of the stream: everything is settled. `atStart` while
   * nothing was sent on yet (^ can match); else `before` is the last
   * character sent on (normalized; -1 when unknown) and `context` the last
   * characters sent on (CONTEXT_WINDOW, normalized), read by the label rules.
   * `settleAll`: the stream goes on, but nothing may be held back (the hold
   * bound was reached): the input is judged as it stands.
   */
  scanStream(input: string, response: bool, record: AuditRecord, final: bool, atStart: bool = true, before: i32 = -1, context: string = "", settleAll: bool = false): ScanResult {
    const edges = this.streamEdges;
    edges.atStart = atStart;
    edges.atEnd = final;
    edges.before = before;
    edges.context = context;
    return this.run(input, response, record, edges, settleAll);
  }

  private run(input: string, response: bool, record: AuditRecord, edges: TextEdges, settleAll: bool = false): ScanResult {
    const final = edges.atEnd || settleAll;
    // More text may follow this piece (a stream that has not ended).
    const more = edges !== WHOLE_TEXT && !edges.atEnd;
    const result = this.result;
    result.text = null;
    result.blockedBy = null;
    result.settled = input.length;
    result.carry = null;
    if (input.length == 0) return result;
    const norm = normalize(input, this.norm);
    setPhoneRegions(this.phoneRegions);
    const findings = this.findings;
    findings.length = 0;
    let hold = norm.length;
    for (let r = 0; r < this.rules.length; r++) {
      const rule = unchecked(this.rules[r]);
      if (response ? !rule.inResponse : !rule.inRequest) continue;
      rule.find(norm, findings, edges);
      if (!final) {
        const open = rule.openFrom(norm);
        if (open < hold) hold = open;
      }
    }
    forgetShape();
    forgetResolved();
    if (findings.length == 0) {
      result.settled = norm.originalStart(hold);
      return result;
    }
    findings.sort((a: Finding, b: Finding): i32 => (a.start != b.start ? a.start - b.start : b.end - a.end));
    // Matches judged now although more text could extend them; nothing before their end is held.
    let floor = 0;
    if (more) {
      for (let i = 0; i < findings.length; i++) {
        const f = unchecked(findings[i]);
        if (f.end > floor && judgedNow(norm, f, hold)) floor = f.end;
      }
      if (floor > hold) hold = floor;
    }
    for (let i = 0; i < findings.length; i++) {
      const f = unchecked(findings[i]);
      // A match that more text could still change (a longer word, an allow
      // term around it) waits; it is held back meanwhile, so nothing leaks.
      if (f.rule.action == Action.Block && f.end <= hold) {
        record.count(f.rule, response);
        record.block(f.rule.id, response);
        this.sample(record, input, norm, f);
        result.blockedBy = f.rule;
        return result;
      }
    }
    // A settled text ends before any match that is still open.
    for (let i = 0; i < findings.length; i++) {
      const f = unchecked(findings[i]);
      if (f.start < hold && f.end > hold) hold = f.start > floor ? f.start : floor;
    }
    const out = new Array<string>();
    let copied = 0; // original index copied so far
    let maskedUpTo = 0; // normalized index: overlapping matches are masked once
    let changed = false;
    for (let i = 0; i < findings.length; i++) {
      const f = unchecked(findings[i]);
      if (f.end > hold) continue;
      record.count(f.rule, response);
      this.sample(record, input, norm, f);
      if (more && f.end == norm.length && f.rule.action == Action.Mask && f.rule instanceof PiiRule) {
        result.carry = f.rule;
        result.carryPem = isOpenPrivateKey(norm.text, f.start, f.end);
        result.carryLength = f.end - f.start;
      }
      if (f.rule.action != Action.Mask || f.start < maskedUpTo) continue;
      const s = norm.originalStart(f.start);
      const e = norm.originalEnd(f.end);
      out.push(input.substring(copied, s));
      out.push(maskOf(f, input.substring(s, e)));
      copied = e;
      maskedUpTo = f.end;
      record.masked++;
      changed = true;
    }
    const settled = norm.originalStart(hold);
    result.settled = settled;
    if (changed) {
      out.push(input.substring(copied, settled));
      result.text = out.join("");
    }
    return result;
  }

  private sample(record: AuditRecord, input: string, norm: NormalizedText, f: Finding): void {
    if (!this.collectSamples || record.samples.length >= 20) return;
    record.addSample(input.substring(norm.originalStart(f.start), norm.originalEnd(f.end)));
  }
}

/**
 * A streamed PII match that is judged before the text after it is known: a
 * private key block whose header is complete (more text only makes it
 * longer), or one that would hold back more than MAX_MATCH_HOLD units.
 */
function judgedNow(norm: NormalizedText, f: Finding, hold: i32): bool {
  if (!(f.rule instanceof PiiRule)) return false;
  if (f.end == norm.length && isOpenPrivateKey(norm.text, f.start, f.end)) return true;
  return f.end > hold && norm.length - f.start > MAX_MATCH_HOLD;
}

function maskOf(f: Finding, original: string): string {
  const rule = f.rule;
  if (rule.maskStyle == MaskStyle.Placeholder) return f.placeholder;
  // Partial: keep the last N characters other than spaces and ASCII punctuation, mask the others, keep separators.
  let keep = rule.keepLast;
  const codes = new Array<string>(original.length);
  for (let i = original.length - 1; i >= 0; i--) {
    const c = original.charCodeAt(i);
    if (isSeparator(c)) {
      codes[i] = String.fromCharCode(c);
    } else if (keep > 0) {
      codes[i] = String.fromCharCode(c);
      keep--;
    } else {
      codes[i] = rule.maskChar;
    }
  }
  return codes.join("");
}

function isSeparator(c: i32): bool {
  return c <= 0x2f || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}
