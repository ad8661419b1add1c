// One parse per body for the filters that run in one VM (the ai-gateway
// bundle runs a whole chain there): content-audit, semantic-router and
// token-ratelimit all read and parse the same request body, and two of them
// the same response.
//
// Entries are found by content, not by a request key: a filter reads the body
// with the host call it needs anyway and gets the parse kept for the same
// bytes. A parse is a function of the bytes alone, so two streams can share
// one only when their bodies are byte for byte the same, and then the facts
// are the same too; nothing can carry over from another request. A body that
// changed on the way (content-audit's masking, or a filter outside the
// bundle) differs in its bytes and gets its own parse: the next filter sees
// the masked body, never the parse of the original.
//
// The documents are read-only for everyone (no filter writes into doc.src or
// the tape). Each entry lists the stream contexts that used it; the runtime
// releases a context's entries when the host deletes it (every stream ends
// with proxy_on_delete, reset or local reply alike), and an entry goes when
// its last context does. Failed parses are not kept (each filter words its
// own error), and nor is anything past MAX_ENTRIES or MAX_BYTES (bodies and
// their tapes): that body is parsed by each filter, as without sharing.
import { JsonDocument } from "./value";
import { MAX_DEPTH_LIMIT, ParseOptions, ParseResult, parseJson } from "./parser";

/** Parses kept at once, and the bytes of their bodies and tapes. */
export const MAX_ENTRIES: i32 = 64;
export const MAX_BYTES: i32 = 8 << 20;

class Entry {
  holders: Array<u32> = new Array<u32>();
  constructor(public doc: JsonDocument) {}
}

const entries = new Array<Entry>();
let entryBytes: i32 = 0;

/**
 * parseJson(bytes, options) for stream context `holder`, shared with the
 * streams that parsed the same bytes. The document's `src` holds the same
 * bytes as `bytes` but may be another buffer.
 */
export function parseShared(holder: u32, bytes: ArrayBuffer, options: ParseOptions): ParseResult {
  const n = bytes.byteLength;
  if (n <= options.maxBytes) {
    const maxDepth = min(max(options.maxDepth, 1), MAX_DEPTH_LIMIT);
    for (let i = 0, k = entries.length; i < k; i++) {
      const e = unchecked(entries[i]);
      const doc = e.doc;
      const src = doc.src;
      if (src.byteLength != n || doc.tape.depth > maxDepth) continue;
      if (src !== bytes && memory.compare(changetype<usize>(src), changetype<usize>(bytes), <usize>n) != 0) continue;
      if (!e.holders.includes(holder)) e.holders.push(holder);
      return new ParseResult(doc, null);
    }
  }
  const parsed = parseJson(bytes, options);
  const doc = parsed.doc;
  if (doc !== null && entries.length < MAX_ENTRIES && keptSize(doc) <= MAX_BYTES - entryBytes) {
    const e = new Entry(doc);
    e.holders.push(holder);
    entries.push(e);
    entryBytes += keptSize(doc);
  }
  return parsed;
}

/** The host deleted stream context `holder`: drops it from its entries, and the entries nobody holds any more. */
export function releaseShared(holder: u32): void {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = unchecked(entries[i]);
    const at = e.holders.indexOf(holder);
    if (at < 0) continue;
    const last = e.holders.length - 1;
    if (at != last) unchecked((e.holders[at] = e.holders[last]));
    e.holders.pop();
    if (e.holders.length > 0) continue;
    entryBytes -= keptSize(e.doc);
    const end = entries.length - 1;
    if (i != end) unchecked((entries[i] = entries[end]));
    entries.pop();
  }
}

function keptSize(doc: JsonDocument): i32 {
  return doc.src.byteLength + doc.tape.buf.byteLength;
}

/** Parses kept now (for tests: back to 0 once every stream that parsed has been deleted). */
export function sharedEntryCount(): i32 {
  return entries.length;
}

/** Bytes of the bodies and tapes kept now. */
export function sharedEntryBytes(): i32 {
  return entryBytes;
}
