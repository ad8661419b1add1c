// Binds a session id to the subject that first used it (normally the one
// whose initialize created it), in shared data, so another caller presenting
// the same session id is refused. Streamable HTTP carries the id in the
// Mcp-Session-Id header; the legacy HTTP+SSE transport in the query of its
// POST endpoint (`sessionId` in the TypeScript SDK, `session_id` in Python's).
import { readShared, writeShared } from "./shared";
import { decimal } from "../common/text/decimal";
import { formDecode } from "./query";

const BIND_ATTEMPTS = 4;

/** Ids in keys are cut (their length kept) so a stranger's huge id cannot make a huge key. */
function keyOf(sessionId: string): string {
  const id = sessionId.length <= 200 ? sessionId : sessionId.substring(0, 200) + "#" + decimal(sessionId.length);
  return "mcp-auth/session/" + id;
}

/** The subject bound to the session, or null when unbound. */
export function sessionOwner(sessionId: string): string | null {
  return readShared(keyOf(sessionId)).text;
}

/**
 * Binds the session to `subject` unless another subject holds it; true when
 * it is `subject`'s after the call. The first bind is a create-only write,
 * so two workers binding one session at once cannot both win.
 */
export function claimSession(sessionId: string, subject: string): bool {
  const key = keyOf(sessionId);
  for (let i = 0; i < BIND_ATTEMPTS; i++) {
    const cur = readShared(key);
    const owner = cur.text;
    if (owner !== null) return owner == subject;
    if (writeShared(key, subject, cur.cas)) return true;
  }
  return false;
}

const LEGACY_PARAMS: Array<string> = ["sessionId", "session_id"];

/**
 * The legacy transport's session ids in a path or URL query, decoded as the
 * servers decode them (percent-escapes and `+` in names and values), every
 * occurrence: a server reading the first and a check reading the last would
 * otherwise see different sessions.
 */
export function legacySessionIds(url: string): Array<string> {
  const out = new Array<string>();
  const q = url.indexOf("?");
  if (q < 0) return out;
  const hash = url.indexOf("#", q);
  const parts = url.substring(q + 1, hash < 0 ? url.length : hash).split("&");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const eq = part.indexOf("=");
    const name = formDecode(eq < 0 ? part : part.substring(0, eq));
    if (!LEGACY_PARAMS.includes(name)) continue;
    out.push(eq < 0 ? "" : formDecode(part.substring(eq + 1)));
  }
  return out;
}
