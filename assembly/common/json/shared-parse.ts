// One parse per body for the filters that run in one VM (the ai-gateway
// bundle runs a whole chain there): semantic-router and token-ratelimit
// read and parse the same request body.
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
// content-audit parses on its own: its module stays within its size budget.
//
// The documents are read-only for everyone (no filter writes into doc.src or
// the tape). Each entry counts the stream contexts holding it; the runtime
// releases a context's holds when the host deletes it (every stream ends
// with proxy_on_delete, reset or local reply alike), and an entry goes when
// its last holder does. Failed parses are not kept (each filter words its
// own error), and nor is anything past MAX_ENTRIES or MAX_BYTES (bodies and
// their tapes): that body is parsed by each filter, as without sharing. A
// stream that finds a parse when MAX_HOLDS are taken uses it without holding
// it (the document lives as long as the stream uses it, like any object).
import { JsonDocument } from "./value";
import { MAX_DEPTH_LIMIT, ParseOptions, ParseResult, parseJson } from "./parser";
import { onStreamDeleted } from "../runtime/context";

/** Parses kept at once, the bytes of their bodies and tapes, and stream-parse holds. */
export const MAX_ENTRIES: i32 = 64;
export const MAX_BYTES: i32 = 8 << 20;
const MAX_HOLDS: i32 = 256;

const docs = new StaticArray<JsonDocument | null>(MAX_ENTRIES);
const holders = new StaticArray<i32>(MAX_ENTRIES);
let entryCount: i32 = 0;
let entryBytes: i32 = 0;
// Holds, packed: stream context id and entry slot.
const holdStream = new StaticArray<u32>(MAX_HOLDS);
const holdSlot = new StaticArray<i32>(MAX_HOLDS);
let holdCount: i32 = 0;

onStreamDeleted(releaseShared);

/**
 * parseJson(bytes, options) for stream context `holder`, shared with the
 * streams that parsed the same bytes. The document's `src` holds the same
 * bytes as `bytes` but may be another buffer.
 */
export function parseShared(holder: u32, bytes: ArrayBuffer, options: ParseOptions): ParseResult {
  const n = bytes.byteLength;
  if (entryCount > 0 && n <= options.maxBytes) {
    const maxDepth = min(max(options.maxDepth, 1), MAX_DEPTH_LIMIT);
    for (let slot = 0; slot < MAX_ENTRIES; slot++) {
      const doc = unchecked(docs[slot]);
      if (doc === null) continue;
      const src = doc.src;
      if (src.byteLength != n || doc.tape.depth > maxDepth) continue;
      if (src !== bytes && !sameBytes(changetype<usize>(src), changetype<usize>(bytes), n)) continue;
      hold(holder, slot);
      return new ParseResult(doc, null);
    }
  }
  const parsed = parseJson(bytes, options);
  const doc = parsed.doc;
  if (doc !== null && entryCount < MAX_ENTRIES && holdCount < MAX_HOLDS && keptSize(doc) <= MAX_BYTES - entryBytes) {
    let slot = 0;
    while (unchecked(docs[slot]) !== null) slot++;
    unchecked((docs[slot] = doc));
    unchecked((holders[slot] = 0));
    entryCount++;
    entryBytes += keptSize(doc);
    hold(holder, slot);
  }
  return parsed;
}

function hold(holder: u32, slot: i32): void {
  for (let i = 0; i < holdCount; i++) if (unchecked(holdStream[i]) == holder && unchecked(holdSlot[i]) == slot) return;
  if (holdCount == MAX_HOLDS) return;
  unchecked((holdStream[holdCount] = holder));
  unchecked((holdSlot[holdCount] = slot));
  holdCount++;
  unchecked((holders[slot] += 1));
}

/** The host deleted stream context `holder`: drops its holds, and the entries nobody holds any more. */
export function releaseShared(holder: u32): void {
  for (let i = holdCount - 1; i >= 0; i--) {
    if (unchecked(holdStream[i]) != holder) continue;
    const slot = unchecked(holdSlot[i]);
    holdCount--;
    unchecked((holdStream[i] = holdStream[holdCount]));
    unchecked((holdSlot[i] = holdSlot[holdCount]));
    unchecked((holders[slot] -= 1));
    if (unchecked(holders[slot]) > 0) continue;
    entryBytes -= keptSize(unchecked(docs[slot])!);
    unchecked((docs[slot] = null));
    entryCount--;
  }
}

/** Equal n bytes at a and b (ArrayBuffer data: 8-byte aligned). */
function sameBytes(a: usize, b: usize, n: i32): bool {
  let i = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  for (; i < n; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

function keptSize(doc: JsonDocument): i32 {
  return doc.src.byteLength + doc.tape.buf.byteLength;
}

/** Parses kept now (for tests: back to 0 once every stream that parsed has been deleted). */
export function sharedEntryCount(): i32 {
  return entryCount;
}

/** Bytes of the bodies and tapes kept now. */
export function sharedEntryBytes(): i32 {
  return entryBytes;
}
