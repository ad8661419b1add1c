// One answer per stretch of text across all detectors: where findings of
// two kinds overlap, the more specific validated kind wins, whichever rules
// asked for them. A valid Chinese ID that also passes Luhn is an ID, not a
// card; "+43 678 33611196" is a phone; "13812345678@qq.com" is an email.
import { Span } from "../../common/text/regex";
import { findPii, Pii } from "./index";
import { TextShape } from "../text-shape";

/** Most specific first: checksums and structure that chance rarely meets, down to the broad phone tables. */
const RANK: StaticArray<Pii> = [Pii.Secret, Pii.Email, Pii.Iban, Pii.CnResidentId, Pii.CreditCard, Pii.UsSsn, Pii.IpAddress, Pii.Phone];
const KINDS: i32 = 8;

/** Each kind's raw spans in the current text, found once (null: not looked for yet). */
const found = new StaticArray<Array<Span> | null>(KINDS);
let foundText: string | null = null;

/** Spans of `kind` in `text` that no more specific kind overlaps, appended to `out`. */
export function resolvedPii(kind: Pii, text: string, context: string, shape: TextShape, out: Array<Span>): void {
  if (foundText === null || changetype<usize>(foundText) != changetype<usize>(text)) {
    for (let k = 0; k < KINDS; k++) unchecked((found[k] = null));
    foundText = text;
  }
  const mine = spansOf(kind, text, context, shape);
  if (mine.length == 0) return;
  for (let i = 0; i < mine.length; i++) {
    const s = unchecked(mine[i]);
    let beaten = false;
    for (let r = 0; r < KINDS && !beaten; r++) {
      const other = unchecked(RANK[r]);
      if (other == kind) break;
      const theirs = spansOf(other, text, context, shape);
      for (let j = 0; j < theirs.length; j++) {
        const t = unchecked(theirs[j]);
        if (t.start < s.end && s.start < t.end) {
          beaten = true;
          break;
        }
      }
    }
    if (!beaten) out.push(s);
  }
}

function spansOf(kind: Pii, text: string, context: string, shape: TextShape): Array<Span> {
  let spans = unchecked(found[<i32>kind]);
  if (spans === null) {
    spans = new Array<Span>();
    if (shape.mayHold(kind)) findPii(kind, text, spans, context);
    unchecked((found[<i32>kind] = spans));
  }
  return spans;
}

/** Call when every rule has seen the text. */
export function forgetResolved(): void {
  foundText = null;
}
