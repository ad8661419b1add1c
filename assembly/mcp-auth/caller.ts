// The authenticated caller: who it is, its scopes, and its token's claims.
import { JsonKind, JsonValue } from "../common/json";
import { CallerMatch } from "./config";
import { anyGlob } from "./glob";
import { Token } from "./jwt";

/** Policy matches a caller remembers (a configuration rarely has more policies). */
const MAX_MATCHES_KEPT = 64;

export class Caller {
  /** The token's `sub` (or client_id), or the API-key consumer's name. */
  subject: string = "";
  /** "jwt" or "api_key". */
  via: string = "";
  scopes: Array<string> = new Array<string>();
  token: Token | null = null;
  private encodedSubject: ArrayBuffer | null = null;
  private matchedFor: Array<CallerMatch> = new Array<CallerMatch>();
  private matchedAs: Array<bool> = new Array<bool>();

  /** The subject as UTF-8 (for the forwarded header), encoded once per caller. */
  get subjectBytes(): ArrayBuffer {
    let b = this.encodedSubject;
    if (b === null) this.encodedSubject = b = String.UTF8.encode(this.subject);
    return b;
  }

  hasScope(s: string): bool {
    return this.scopes.includes(s);
  }

  /** A claim as text: strings as they are, numbers and booleans as JSON; null when absent or structured. */
  claimText(name: string): string | null {
    const t = this.token;
    if (t === null) return null;
    const v = t.claim(name);
    if (v === null) return null;
    if (v.kind == JsonKind.String) return v.text();
    if (v.kind == JsonKind.Number || v.kind == JsonKind.Bool) return v.raw();
    return null;
  }

  private claimHas(name: string, want: string): bool {
    const t = this.token;
    if (t === null) return false;
    const v = t.claim(name);
    if (v === null) return false;
    if (v.kind == JsonKind.Array) {
      const items = JsonValue.items(v);
      for (let i = 0; i < items.length; i++) if (unchecked(items[i]).textEquals(want)) return true;
      return false;
    }
    const s = this.claimText(name);
    return s !== null && s == want;
  }

  /**
   * Whether this caller is one `m` names. The caller never changes, and a
   * cached one meets the same policies on every request (and a listing asks
   * for each item), so each answer is worked out once.
   */
  matches(m: CallerMatch): bool {
    const known = this.matchedFor;
    for (let i = 0, n = known.length; i < n; i++) if (unchecked(known[i]) === m) return unchecked(this.matchedAs[i]);
    const r = this.computeMatch(m);
    if (known.length < MAX_MATCHES_KEPT) {
      known.push(m);
      this.matchedAs.push(r);
    }
    return r;
  }

  private computeMatch(m: CallerMatch): bool {
    if (m.subjects.length > 0 && !anyGlob(m.subjects, this.subject)) return false;
    if (m.scopes.length > 0) {
      let any = false;
      for (let i = 0; i < m.scopes.length && !any; i++) any = this.hasScope(m.scopes[i]);
      if (!any) return false;
    }
    for (let i = 0; i < m.claimNames.length; i++) if (!this.claimHas(m.claimNames[i], m.claimValues[i])) return false;
    return true;
  }
}
