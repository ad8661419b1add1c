// Inspecting a JSON body: every string value under the members that carry
// content (prompts, completions, tool call arguments and results) is
// scanned; masked strings are spliced back in place, so the rest of the body
// keeps its exact bytes and the result is valid JSON.
import { ByteBuf } from "../common/bytes";
import { JsonDocument, JsonKind, JsonValue, parseJson, Splice, applySplices, writeJsonString } from "../common/json";
import { normalizeUnits } from "../common/text/normalize";
import { AuditRecord } from "./record";
import { AuditRule } from "./rules";
import { UnitText } from "./text-shape";
import { Scanner } from "./scan";

/** Members that name, type or identify things rather than carry content: never inspected. */
const STRUCTURAL: Array<string> = [
  "role", "type", "id", "object", "model", "created", "index", "finish_reason", "stop_reason", "stop_sequence",
  "tool_call_id", "call_id", "tool_use_id", "status", "usage", "system_fingerprint", "logprobs", "cache_control",
  "item_id", "output_index", "content_index", "sequence_number", "service_tier", "jsonrpc", "method", "mimeType",
  "image_url", "source", "encoding_format", "stream", "stream_options", "event", "annotations", "signature",
];

export class JsonScan {
  /** The new body when something was masked, else null. */
  body: ArrayBuffer | null = null;
  blockedBy: AuditRule | null = null;
}

let reused: JsonInspector | null = null;

/**
 * The worker's inspector, set up for one document. Inspections never
 * overlap (each runs within one callback), so one inspector, its cursors
 * and its result serve them all.
 */
export function jsonInspector(scanner: Scanner, record: AuditRecord, response: bool): JsonInspector {
  let inspector = reused;
  if (inspector === null) {
    inspector = new JsonInspector(scanner, record, response);
    reused = inspector;
  } else {
    inspector.reset(scanner, record, response);
  }
  return inspector;
}

/** Where cursors rest between inspections, so they do not keep the last document alive. */
const PARKED: JsonValue = parseJson(String.UTF8.encode("null")).doc!.root;

export class JsonInspector {
  private splices: Array<Splice> | null = null;
  private blockedBy: AuditRule | null = null;
  /** One per nesting level, so a walk allocates no JsonValue per member. */
  private cursors: Array<JsonValue> = new Array<JsonValue>();
  private result: JsonScan = new JsonScan();
  private single: Array<JsonValue> = [PARKED];
  /** allClean() is gathering the texts: visit() joins them instead of scanning. */
  private joining: bool = false;
  /** Units joined so far, and whether the texts could not all be joined. */
  private joined: i32 = 0;
  private joinFailed: bool = false;
  /** Walking the JSON text of tool call arguments (arguments inside it are texts). */
  private inArguments: bool = false;
  /** When not null, every inspected text as it goes on (masked), for external moderation. */
  texts: Array<string> | null = null;

  constructor(
    private scanner: Scanner,
    private record: AuditRecord,
    private response: bool,
  ) {}

  reset(scanner: Scanner, record: AuditRecord, response: bool): void {
    this.scanner = scanner;
    this.record = record;
    this.response = response;
    this.texts = null;
  }

  /**
   * Inspects `roots` (subtrees of doc); returns the outcome for the whole
   * document, valid until the next inspection.
   */
  inspect(doc: JsonDocument, roots: Array<JsonValue>): JsonScan {
    this.splices = null;
    this.blockedBy = null;
    // Splices must be in document order: visit roots by position.
    if (roots.length > 1) roots.sort((a: JsonValue, b: JsonValue): i32 => a.start - b.start);
    if (this.texts !== null || !this.allClean(roots)) {
      for (let i = 0; i < roots.length && this.blockedBy === null; i++) this.visit(unchecked(roots[i]), 0);
    }
    const cursors = this.cursors;
    for (let i = 0; i < cursors.length; i++) unchecked(cursors[i]).copyFrom(PARKED);
    const out = this.result;
    out.blockedBy = this.blockedBy;
    out.body = null;
    const splices = this.splices;
    if (this.blockedBy === null && splices !== null) out.body = applySplices(doc.src, splices);
    this.splices = null;
    return out;
  }

  /** inspect() of the whole document. */
  inspectDocument(doc: JsonDocument): JsonScan {
    const roots = this.single;
    unchecked((roots[0] = doc.root));
    const out = this.inspect(doc, roots);
    unchecked((roots[0] = PARKED));
    return out;
  }

  /**
   * The clean check of every text of the document at once: one pass over
   * all of them, joined with NUL, instead of one short pass each. False
   * when something may match (each text is then checked alone: a match
   * across a NUL only costs that) or the texts are too long to join.
   */
  private allClean(roots: Array<JsonValue>): bool {
    this.joining = true;
    this.joined = 0;
    this.joinFailed = false;
    for (let i = 0; i < roots.length && !this.joinFailed; i++) this.visit(unchecked(roots[i]), 0);
    this.joining = false;
    if (this.joinFailed) {
      this.joinFailed = false;
      return false;
    }
    cleanText.reset(changetype<usize>(scratch), this.joined);
    return this.scanner.isClean(cleanText, this.response);
  }

  /** Appends a text, normalized, and a NUL to the joined texts in scratch memory. */
  private join(v: JsonValue): void {
    const at = this.joined;
    const m = decodeInto(v, at);
    if (m < 0) {
      this.joinFailed = true;
      return;
    }
    store<u16>(changetype<usize>(scratch) + (<usize>(at + m) << 1), 0);
    this.joined = at + m + 1;
  }

  private visit(v: JsonValue, depth: i32): void {
    // (The parser bounds the depth: every string is reached.)
    if (this.blockedBy !== null || this.joinFailed) return;
    if (v.kind == JsonKind.String) {
      if (!this.inArguments && v.isMember && v.keyEquals("arguments")) this.arguments(v, depth);
      else if (this.joining) this.join(v);
      else this.scanString(v);
      return;
    }
    if (v.kind == JsonKind.Number) {
      // Only a number of 11 digits or more can be PII alone (a mobile number, a card, an ID).
      if (v.end - v.start < 11) return;
      if (this.joining) this.joinFailed = true;
      else this.scanText(v, v.raw());
      return;
    }
    if (v.kind != JsonKind.Array && v.kind != JsonKind.Object) return;
    const child = this.cursor(depth, v);
    if (!child.moveToFirst()) return;
    do {
      if (!(v.kind == JsonKind.Object && isStructural(child)) || isTextSource(child)) this.visit(child, depth + 1);
    } while (this.blockedBy === null && child.moveToNext());
  }

  /** The cursor that walks the children of a container at `depth`, placed on `container`. */
  private cursor(depth: i32, container: JsonValue): JsonValue {
    const cursors = this.cursors;
    // (Made on the container, then placed on it like a reused one.)
    while (cursors.length <= depth) cursors.push(new JsonValue(container.doc, container.index, container.index + 1));
    const c = unchecked(cursors[depth]);
    c.copyFrom(container);
    return c;
  }

  /**
   * Tool call arguments: a JSON text in a string. Its own strings and
   * numbers are inspected, escapes decoded, and the masked JSON goes back
   * in the string, so it stays valid JSON; a text that is no JSON is a text.
   */
  private arguments(v: JsonValue, depth: i32): void {
    if (this.joining) {
      // Escapes in the JSON text could hide a match from the joined check: such arguments are checked alone.
      const at = this.joined;
      this.join(v);
      for (let i = at; i < this.joined; i++) if (load<u16>(changetype<usize>(scratch) + (<usize>i << 1)) == 0x5c) this.joinFailed = true;
      return;
    }
    const text = v.text();
    const inner: JsonDocument | null = text === null ? null : parseJson(String.UTF8.encode(text)).doc;
    if (inner === null) {
      this.scanString(v);
      return;
    }
    const outer = this.splices;
    this.splices = null;
    this.inArguments = true;
    this.visit(inner!.root, depth + 1);
    this.inArguments = false;
    const splices = this.splices;
    this.splices = outer;
    if (splices === null || this.blockedBy !== null) return;
    const masked = applySplices(inner!.src, splices);
    if (masked !== null) this.splice(v, String.UTF8.decode(masked));
  }

  private scanString(v: JsonValue): void {
    // Most texts hold nothing any rule looks for: they are checked in place
    // and never decoded into a string (moderation needs every text).
    if (this.texts === null && this.isClean(v)) return;
    const text = v.text();
    if (text !== null) this.scanText(v, text);
  }

  /** Scans the text of `v` (a string, or a number as written); a masked text replaces `v` as a JSON string. */
  private scanText(v: JsonValue, text: string): void {
    if (text.length == 0) return;
    const r = this.scanner.scan(text, this.response, this.record);
    if (r.blockedBy !== null) {
      this.blockedBy = r.blockedBy;
      return;
    }
    const masked = r.text;
    const texts = this.texts;
    if (texts !== null) texts.push(masked === null ? text : masked);
    if (masked !== null) this.splice(v, masked);
  }

  private splice(v: JsonValue, masked: string): void {
    const sink = new ByteBuf(masked.length + 8);
    writeJsonString(sink, masked);
    let splices = this.splices;
    if (splices === null) {
      splices = new Array<Splice>();
      this.splices = splices;
    }
    splices.push(new Splice(v.start, v.end, sink.toArrayBuffer()));
  }

  private isClean(v: JsonValue): bool {
    const n = decodeInto(v, 0);
    if (n < 0) return false;
    cleanText.reset(changetype<usize>(scratch), n);
    return this.scanner.isClean(cleanText, this.response);
  }
}

/**
 * The decoded units of the texts being checked. Kept and reused: it grows
 * to the longest check, up to CLEAN_CHECK_MAX_UNITS (512 KiB); a document
 * with more text is checked string by string, and longer strings are
 * scanned as strings.
 */
const CLEAN_CHECK_MAX_UNITS: i32 = 1 << 18;
let scratch = new StaticArray<u16>(4096);
const cleanText = new UnitText();

/**
 * Decodes string `v` into scratch memory at unit `at` (the units before it
 * kept, room left for one more after it) and normalizes it there; returns
 * its normalized length, or -1 when it does not fit.
 */
function decodeInto(v: JsonValue, at: i32): i32 {
  // A string's JSON bytes bound its UTF-16 units.
  const need = at + (v.end - v.start - 2) + 1;
  if (need > CLEAN_CHECK_MAX_UNITS) return -1;
  if (need > scratch.length) {
    const grown = new StaticArray<u16>(min(max(need, scratch.length << 1), CLEAN_CHECK_MAX_UNITS));
    memory.copy(changetype<usize>(grown), changetype<usize>(scratch), <usize>at << 1);
    scratch = grown;
  }
  const base = changetype<usize>(scratch) + (<usize>at << 1);
  const n = v.textUnits(base, scratch.length - at);
  return n < 0 ? -1 : normalizeUnits(base, n);
}

const STRUCTURAL_SET = new Set<string>();
/** STRUCTURAL by length: a name without escapes is compared with the names of its length, never decoded. */
const STRUCTURAL_BY_LENGTH = new Array<Array<string>>();
for (let i = 0; i < STRUCTURAL.length; i++) {
  const name = STRUCTURAL[i];
  STRUCTURAL_SET.add(name);
  while (STRUCTURAL_BY_LENGTH.length <= name.length) STRUCTURAL_BY_LENGTH.push(new Array<string>());
  STRUCTURAL_BY_LENGTH[name.length].push(name);
}

function isStructural(member: JsonValue): bool {
  const length = member.keyByteLength;
  if (length < 0) {
    const key = member.key();
    return key !== null && STRUCTURAL_SET.has(key);
  }
  if (length >= STRUCTURAL_BY_LENGTH.length) return false;
  const names = unchecked(STRUCTURAL_BY_LENGTH[length]);
  for (let i = 0; i < names.length; i++) if (member.keyEquals(unchecked(names[i]))) return true;
  return false;
}

/** An Anthropic document's `source` that is text (`type` "text" or "content"), not a file's bytes or address. */
function isTextSource(member: JsonValue): bool {
  if (member.kind != JsonKind.Object || !member.keyEquals("source")) return false;
  const type = member.get("type");
  return type !== null && (type.textEquals("text") || type.textEquals("content"));
}

/** The members of the root object named in `names` that exist. */
export function members(root: JsonValue, names: Array<string>): Array<JsonValue> {
  const out = new Array<JsonValue>();
  if (root.kind != JsonKind.Object) return out;
  const m = root.first();
  if (m === null) return out;
  do {
    for (let i = 0; i < names.length; i++) {
      if (m.keyEquals(unchecked(names[i]))) {
        out.push(m.clone());
        break;
      }
    }
  } while (m.moveToNext());
  return out;
}
