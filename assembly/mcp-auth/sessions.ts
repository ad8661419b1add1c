// Binds an Mcp-Session-Id to the subject that first used it (normally the
// one whose initialize created it), in shared data, so another caller
// presenting the same session id is refused.
import { readShared, writeShared } from "./shared";

function keyOf(sessionId: string): string {
  return "mcp-auth/session/" + sessionId;
}

/** The subject bound to the session, or null when unbound. */
export function sessionOwner(sessionId: string): string | null {
  return readShared(keyOf(sessionId)).text;
}

/** Binds the session to `subject` unless it is bound already; returns the owner after the call. */
export function bindSession(sessionId: string, subject: string): string {
  const cur = readShared(keyOf(sessionId));
  const owner = cur.text;
  if (owner !== null && owner.length > 0) return owner;
  if (writeShared(keyOf(sessionId), subject, cur.cas)) return subject;
  const now = sessionOwner(sessionId);
  return now === null ? subject : now;
}
