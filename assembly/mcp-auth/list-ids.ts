// The id a list request carries upstream. A list result may reach the client
// on another HTTP exchange than its request (a resumed or standalone GET
// stream, the legacy transport's SSE stream, or the POST stream of another
// request when ids repeat), so the request's id is replaced by a tag that
// names the list method and keeps the client's id:
//   "mcp-auth:tools/list:<base64url of the id's raw JSON>"
// Any JSON-RPC response on any path then says itself what it answers, with no
// state between exchanges, and the client's own id is put back on the way
// out. Clients may not use ids starting with the prefix themselves.
import { base64UrlDecode, base64UrlEncode } from "../common/crypto";
import { JsonKind, parseJson, quoteJson } from "../common/json";
import { ListKind, listKindOf, listMethod } from "./listing";

export const TAG_PREFIX = "mcp-auth:";

/** The tag for a list request of `kind` whose id was `rawId` (raw JSON text), as a JSON string literal. */
export function tagId(kind: ListKind, rawId: string): string {
  return quoteJson(TAG_PREFIX + listMethod(kind) + ":" + base64UrlEncode(Uint8Array.wrap(String.UTF8.encode(rawId))));
}

export function isReservedId(idText: string): bool {
  return idText.startsWith(TAG_PREFIX);
}

export class Tag {
  constructor(public kind: ListKind, public rawId: string) {}
}

/** The tag in a response id (its decoded text); null when `idText` is not a well-formed tag. */
export function readTag(idText: string): Tag | null {
  if (!idText.startsWith(TAG_PREFIX)) return null;
  const colon = idText.lastIndexOf(":");
  if (colon <= TAG_PREFIX.length) return null;
  const kind = listKindOf(idText.substring(TAG_PREFIX.length, colon));
  if (kind == ListKind.None) return null;
  const bytes = base64UrlDecode(idText, colon + 1);
  if (bytes === null || bytes.length == 0) return null;
  const raw = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  // Only what a request id may be: one JSON string or number.
  const doc = parseJson(raw).doc;
  if (doc === null) return null;
  const k = doc.root.kind;
  if (k != JsonKind.String && k != JsonKind.Number) return null;
  return new Tag(kind, String.UTF8.decode(raw));
}
