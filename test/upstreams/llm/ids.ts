// Response ids and timestamps. Both are derived from the request, never from
// a clock or a counter, so the same request always gets the same bytes back.
import { createHash } from "node:crypto";

/** The `created` time of every response: 2025-01-01T00:00:00Z. */
export const CREATED = 1735689600;

export function hashHex(...parts: string[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex");
}

/** e.g. responseId("chatcmpl-", path, body) -> "chatcmpl-3f2a..." (24 hex digits). */
export function responseId(prefix: string, ...parts: string[]): string {
  return prefix + hashHex(...parts).slice(0, 24);
}
