// Tokens whose signature was verified, per worker: a client presents the same
// access token on every request of a session, and the RSA/ECDSA check is the
// dearest part of authentication. An entry is found only by the whole token
// (the map compares the full string, not just its hash), counts only for the
// key set it was verified with (a JWKS refresh or a new configuration starts
// afresh), and is dropped once its exp has passed. Bounded by entry count and
// by the characters of the tokens it holds.
import { KeySet } from "./jwks";
import { VerifiedToken } from "./verified-token";

/** Characters of tokens one cache may hold (8 MB as UTF-16, plus their decoded claims). */
export const MAX_CACHED_CHARS: i32 = 4 << 20;

export class TokenCache {
  private entries: Map<string, VerifiedToken> = new Map<string, VerifiedToken>();
  /** Tokens in the order they were added, oldest at `head` (some may have been removed since). */
  private order: Array<string> = new Array<string>();
  private head: i32 = 0;
  /** The key set the entries were verified with. */
  private keys: KeySet | null = null;
  private chars: i32 = 0;

  constructor(public capacity: i32) {}

  get size(): i32 {
    return this.entries.size;
  }

  get(raw: string, keys: KeySet): VerifiedToken | null {
    if (this.keys !== keys || !this.entries.has(raw)) return null;
    return this.entries.get(raw);
  }

  /** Adds a verified token; the oldest entries make room. */
  put(raw: string, keys: KeySet, token: VerifiedToken): void {
    if (this.capacity == 0 || raw.length > MAX_CACHED_CHARS) return;
    if (this.keys !== keys) {
      this.entries.clear();
      this.order = new Array<string>();
      this.head = 0;
      this.chars = 0;
      this.keys = keys;
    }
    this.remove(raw);
    while (this.entries.size > 0 && (this.entries.size >= this.capacity || this.chars + raw.length > MAX_CACHED_CHARS)) this.evictOldest();
    this.entries.set(raw, token);
    this.chars += raw.length;
    this.order.push(raw);
    // Evicted and removed tokens stay in `order` (and alive) until it is rebuilt from the entries.
    if (this.order.length > 2 * this.capacity + 16) {
      this.order = this.entries.keys();
      this.head = 0;
    }
  }

  remove(raw: string): bool {
    if (!this.entries.delete(raw)) return false;
    this.chars -= raw.length;
    return true;
  }

  private evictOldest(): void {
    while (this.head < this.order.length) {
      const oldest = unchecked(this.order[this.head++]);
      if (this.remove(oldest)) return;
    }
  }
}
