// Tokens whose signature was verified, per worker: a client presents the same
// access token on every request of a session, and the RSA/ECDSA check is the
// dearest part of authentication. An entry counts only for the key set it was
// verified with (a JWKS refresh starts afresh); claims (exp, nbf, iss, aud)
// are still checked on every request.
import { KeySet } from "./jwks";
import { Token } from "./jwt";

class Entry {
  constructor(public keys: KeySet, public token: Token) {}
}

export class TokenCache {
  private entries: Map<string, Entry> = new Map<string, Entry>();

  constructor(public capacity: i32) {}

  get(raw: string, keys: KeySet): Token | null {
    if (this.capacity == 0 || !this.entries.has(raw)) return null;
    const e = this.entries.get(raw);
    return e.keys === keys ? e.token : null;
  }

  /** Adds a verified token; the oldest entry makes room when full. */
  put(raw: string, keys: KeySet, token: Token): void {
    if (this.capacity == 0) return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys()[0];
      this.entries.delete(oldest);
    }
    this.entries.set(raw, new Entry(keys, token));
  }
}
