// What one request did, for the audit event, the metrics and the access log:
// matches per rule, the strongest action taken, and (only when configured)
// the matched text.
import { Action, AuditRule } from "./rules";

/** Verdict names by AuditRecord.verdict + 1: nothing matched, then by Action. */
export const VERDICT_NAMES: StaticArray<string> = ["pass", "log", "mask", "block"];

export class RuleCount {
  constructor(
    public rule: AuditRule,
    public request: i32,
    public response: i32,
  ) {}
}

// Shared by every record with nothing in it (most): never written to.
const NO_COUNTS: Array<RuleCount> = [];
const NO_SAMPLES: Array<string> = [];

export class AuditRecord {
  private ruleCounts: Array<RuleCount> | null = null;
  masked: i32 = 0;
  /** -1: nothing matched; else the strongest Action taken. */
  verdict: i32 = -1;
  blockedBy: string = "";
  /** "request" or "response" when blocked. */
  blockedIn: string = "";
  /** External moderation of the prompt: "" (not asked), "allowed", "flagged: <categories>" or "failed: <reason>". */
  moderation: string = "";
  /** The same for the completion. */
  completionModeration: string = "";
  /** Matched text, only collected when the configuration asks for it. */
  private matchedText: Array<string> | null = null;

  /** Matches per rule, in the order rules first matched (read only). */
  get counts(): Array<RuleCount> {
    const c = this.ruleCounts;
    return c === null ? NO_COUNTS : c;
  }

  /** Samples of matched text (read only). */
  get samples(): Array<string> {
    const s = this.matchedText;
    return s === null ? NO_SAMPLES : s;
  }

  addSample(text: string): void {
    let s = this.matchedText;
    if (s === null) {
      s = new Array<string>();
      this.matchedText = s;
    }
    s.push(text);
  }

  count(rule: AuditRule, response: bool): void {
    let counts = this.ruleCounts;
    if (counts === null) {
      counts = new Array<RuleCount>();
      this.ruleCounts = counts;
    }
    let entry: RuleCount | null = null;
    for (let i = 0; i < counts.length; i++) {
      if (unchecked(counts[i]).rule === rule) entry = unchecked(counts[i]);
    }
    if (entry === null) {
      entry = new RuleCount(rule, 0, 0);
      counts.push(entry);
    }
    if (response) entry.response++;
    else entry.request++;
    if (<i32>rule.action > this.verdict) this.verdict = <i32>rule.action;
  }

  /** `by`: the rule id, or the reason when no rule matched (e.g. event_too_large). */
  block(by: string, response: bool): void {
    this.verdict = <i32>Action.Block;
    this.blockedBy = by;
    this.blockedIn = response ? "response" : "request";
  }

  get blocked(): bool {
    return this.blockedIn.length > 0;
  }

  verdictName(): string {
    return VERDICT_NAMES[this.verdict + 1];
  }
}
