// A streamed mask that goes on into the next piece: a private key block
// whose header arrived (its body follows in later deltas), or a PII match
// cut at the hold bound (a JWT longer than the bound). The start of the next
// piece that continues the match is masked without being held back or
// scanned again, so a key that never ends costs one pass over its text.
import { indexOfAscii } from "./pii/chars";
import { isPemBody, MAX_PEM_LENGTH, MAX_PEM_LINE } from "./pii/secrets";
import { AuditRule, MaskStyle } from "./rules";
import { ScanResult } from "./scan";

const PEM_END = "-----END ";

export class Carry {
  /** The masking rule, or null: no match goes on. */
  rule: AuditRule | null = null;
  /** A private key block (its body and END line go on), else a token. */
  pem: bool = false;
  /** Units of the match so far. */
  length: i32 = 0;
  /** After continue(): the rest of the piece waits for more text (an END line may be starting). */
  waiting: bool = false;

  /** Takes over the carry a stream scan reported. */
  from(r: ScanResult): void {
    this.rule = r.carry;
    this.pem = r.carryPem;
    this.length = r.carryLength;
  }

  /**
   * How many units at the start of `text` continue the match (to be masked
   * with mask()). The carry ends (rule = null) when the match ends in
   * `text`, reaches its longest length, or the stream ends (`final`).
   */
  continue(text: string, final: bool): i32 {
    this.waiting = false;
    const n = text.length;
    let i = 0;
    let ended = false;
    if (this.pem) {
      const limit = MAX_PEM_LENGTH - this.length;
      while (i < n && i < limit) {
        const c = text.charCodeAt(i);
        if (c == 0x2d && !final && mayStartEnd(text, i)) {
          this.waiting = true;
          break;
        }
        if (c == 0x2d && text.startsWith(PEM_END, i)) {
          // The block ends with its END line ("-----END ... PRIVATE KEY-----").
          const close = indexOfAscii(text, "-----", i + PEM_END.length);
          i = close >= 0 && close - i < MAX_PEM_LINE ? close + 5 : i + PEM_END.length;
          ended = true;
          break;
        }
        if (!isPemBody(c)) {
          ended = true;
          break;
        }
        i++;
      }
      if (i >= limit) ended = true;
    } else {
      // As long as the token goes on (a whole text's detector takes all of it too).
      while (i < n && isTokenUnit(text.charCodeAt(i))) i++;
      if (i < n) ended = true;
    }
    this.length = this.length + i < 0x3fffffff ? this.length + i : 0x3fffffff;
    if (ended || final) this.rule = null;
    return i;
  }

  /** What goes on in place of the continued text `s`. */
  mask(s: string, rule: AuditRule): string {
    if (rule.maskStyle == MaskStyle.Placeholder) return "";
    // Partial: the visible end of the match went out already; mask every letter and digit.
    const codes = new Array<string>(s.length);
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      codes[k] = isTokenUnit(c) && c != 0x2d && c != 0x2e ? rule.maskChar : String.fromCharCode(c);
    }
    return codes.join("");
  }
}

/** True when an END line starts at `i` but `text` ends before its closing dashes (or inside "-----END "). */
function mayStartEnd(text: string, i: i32): bool {
  const rest = text.length - i;
  if (rest < PEM_END.length) return PEM_END.startsWith(text.substring(i));
  if (!text.startsWith(PEM_END, i)) return false;
  return rest < MAX_PEM_LINE && indexOfAscii(text, "-----", i + PEM_END.length) < 0;
}

/** Characters of the tokens a cut match may continue with (keys, JWTs, emails). */
function isTokenUnit(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x5f || c == 0x2e || c == 0x40 || c == 0x2b || c == 0x2f || c == 0x3d;
}
