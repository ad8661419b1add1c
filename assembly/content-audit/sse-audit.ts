// Inspecting a streamed response (text/event-stream) as it passes.
//
// Text deltas (OpenAI chat content and tool call arguments, Anthropic
// text/partial_json deltas, Responses *.delta events) are joined per channel
// (choice, tool call, content block), so a match split across events or
// chunks, down to one byte each, is still seen. Each delta event goes on with
// the part of its channel's text that is settled (masked where needed); the
// tail that could still grow into a match is held back and goes out with the
// next delta, or in an extra delta event (a copy of the channel's last one)
// before the event that ends the channel. Every other event is inspected as
// a whole JSON document. A block ends the stream with an error event the
// client libraries raise (and `data: [DONE]` on OpenAI chat; a JSON-RPC
// error message on MCP streams) and drops the rest of the upstream's bytes.
import { ByteBuf } from "../common/bytes";
import { JsonDocument, JsonKind, JsonValue, Splice, applySplices, reparseJson, writeJsonString, LlmApi, JsonWriter } from "../common/json";
import { isDone, SseEvent, SseParser, SseStatus, SseWriter } from "../common/sse";
import { lastNormalizedUnit } from "../common/text/normalize";
import { jsonInspector } from "./inspect-json";
import { AuditRecord } from "./record";
import { jsonRpcErrorBody, RPC_CONTENT_BLOCKED } from "../common/reply";
import { addGarbage } from "../common/runtime/collect";
import { Scanner } from "./scan";
import { contextAfter } from "./pii/context";
import { Carry } from "./stream-carry";
import { StreamModeration } from "./stream-moderation";
import { decimal } from "../common/text/decimal";

/**
 * The most text a channel holds back (UTF-16 units as received). Rules hold
 * at most MAX_MATCH_HOLD normalized units; only invisible characters (which
 * normalization drops) can make the received text longer. Past it, the held
 * text is judged as it stands and sent.
 */
const MAX_HELD_UNITS: i32 = 16384;
/** The most a stream holds back over all its channels (held text and the delta events kept to carry it), in bytes. */
const MAX_STREAM_HELD_BYTES: i32 = 2 << 20;
/** Channels tracked at once; past it, channels that hold nothing are forgotten. */
const MAX_CHANNELS: i32 = 1024;
const NO_BYTES = new ArrayBuffer(0);
/** Events without text withheld at most (then they go on). */
const MAX_TAIL_BYTES: i32 = 65536;

/** UTF-16 units handed to the scanner by every stream of this VM (a work measure for tests: content_audit_scanned_units). */
let scannedUnits: u64 = 0;

/** Units of streamed text scanned so far by this VM, modulo 2^32 (an export for tests). */
export function content_audit_scanned_units(): u32 {
  return <u32>scannedUnits;
}

class Channel {
  /** Text received but not yet sent on. */
  pending: string = "";
  /** A mask that goes on from the text sent into the next delta. */
  carry: Carry = new Carry();
  /** Nothing of the channel's text was sent on yet. */
  atStart: bool = true;
  /** The last character sent on, normalized (-1: none or unknown). */
  before: i32 = -1;
  /** The last characters sent on, normalized: the label rules read them (pii/context.ts). */
  context: string = "";
  /** The channel's last delta event: data, the delta value's span in it, the event name. */
  template: ArrayBuffer = new ArrayBuffer(0);
  start: i32 = 0;
  end: i32 = 0;
  event: string = "";

  constructor(public key: string) {}

  /** Bytes this channel keeps while it holds text back. */
  get heldBytes(): i32 {
    return (this.pending.length << 1) + this.template.byteLength;
  }

  /** Holds nothing back and masks nothing forward: can be forgotten. */
  get idle(): bool {
    return this.pending.length == 0 && this.carry.rule === null;
  }

  /** `text` (as received) went on: what the next piece starts after. */
  sent(text: string): void {
    this.atStart = false;
    // Its last characters are enough (zero-width ones normalize to nothing).
    const last = lastNormalizedUnit(text, 8);
    if (last >= 0) this.before = last;
    this.context = contextAfter(this.context, text);
  }
}

class Delta {
  constructor(
    public key: string,
    public value: JsonValue,
  ) {}
}

/** What handling one event leaves for the collector, as a power of two (bytes): objects, decoded text, copies. */
const GARBAGE_PER_EVENT_LOG2: i32 = 10;

/** Largest SSE event inspected; a larger one blocks the stream (it cannot be inspected). */
const MAX_EVENT_BYTES: i32 = 1 << 20;

export class SseAudit {
  private parser: SseParser = new SseParser(MAX_EVENT_BYTES, true);
  private writer: SseWriter = new SseWriter(1024);
  private channels: Array<Channel> = new Array<Channel>();
  private lastChannel: Channel | null = null;
  /** Bytes held over all channels (Channel.heldBytes). */
  private held: i32 = 0;
  blocked: bool = false;
  /** MCP (Streamable HTTP) streams end with a JSON-RPC error answering this id instead. */
  rpcId: string | null = null;
  mcp: bool = false;
  /** External moderation of the text sent on, in windows (moderation scope response or both). */
  private _moderation: StreamModeration | null = null;
  /** With moderation: events without text, withheld until text follows or the stream ends. */
  private tail: SseWriter | null = null;

  get moderation(): StreamModeration | null {
    return this._moderation;
  }

  set moderation(m: StreamModeration | null) {
    this._moderation = m;
    this.tail = m === null ? null : new SseWriter(256);
  }

  constructor(
    private scanner: Scanner,
    private record: AuditRecord,
    private api: LlmApi,
    private message: string,
  ) {}

  /**
   * Takes `chunk` (maybe empty; `end` at the end of the stream). Returns the
   * writer holding the bytes to send on in its place: read its start and
   * length, then call taken().
   */
  feed(chunk: ArrayBuffer, end: bool): SseWriter {
    if (this.blocked) return this.writer;
    if (chunk.byteLength > 0) {
      // The chunk, its events (their bytes twice: data and raw) and what each
      // event's handling leaves: about a kilobyte apiece for short events.
      const st = this.parser.feed(chunk);
      addGarbage((chunk.byteLength << 2) + (this.parser.events.length << GARBAGE_PER_EVENT_LOG2));
      this.handle(this.parser.events);
      if (st != SseStatus.Ok && !this.blocked) this.stopTooLarge();
    }
    if (end && !this.blocked) {
      this.parser.finish();
      this.handle(this.parser.events);
      if (!this.blocked) this.flushAll();
      if (!this.blocked) this.textOut();
    }
    return this.writer;
  }

  private handle(events: Array<SseEvent>): void {
    for (let i = 0; i < events.length && !this.blocked; i++) this.event(unchecked(events[i]));
  }

  private event(ev: SseEvent): void {
    if (!ev.hasData) {
      this.passRaw(ev, this.noText);
      return;
    }
    if (isDone(ev)) {
      this.flushAll();
      if (!this.blocked) this.passRaw(ev, this.noText);
      return;
    }
    // Events are handled one at a time, each parsed into the same document.
    const doc = eventDoc;
    if (!reparseJson(doc, ev.data)) {
      this.passRaw(ev, this.noText);
      return;
    }
    this.document(ev, doc);
    doc.release();
  }

  private document(ev: SseEvent, doc: JsonDocument): void {
    const found = findDeltas(doc.root);
    if (found.length > 0) {
      this.deltaEvent(ev, doc, found);
      found.length = 0;
      return;
    }
    const type = doc.root.kind == JsonKind.Object ? doc.root.getText("type") : null;
    if (type === null || type != "ping") this.flushAll();
    if (this.blocked) return;
    const r = jsonInspector(this.scanner, this.record, true).inspectDocument(doc);
    if (r.blockedBy !== null) {
      this.block();
      return;
    }
    const body = r.body;
    if (body === null) this.passRaw(ev, this.noText);
    else this.writeEvent(ev.event, ev.id, body, this.noText);
  }

  private deltaEvent(ev: SseEvent, doc: JsonDocument, deltas: Array<Delta>): void {
    let splices: Array<Splice> | null = null;
    for (let i = 0; i < deltas.length; i++) {
      const d = unchecked(deltas[i]);
      const ch = this.channel(d.key);
      const incoming = d.value.text();
      const text = ch.pending.length == 0 ? (incoming === null ? "" : incoming) : ch.pending + (incoming === null ? "" : incoming);
      this.held -= ch.heldBytes;
      const out = this.advance(ch, text, false);
      if (out === null) return;
      // The event is kept only while text is held: it carries that text out at the end.
      ch.template = ch.pending.length == 0 ? NO_BYTES : doc.src;
      ch.start = d.value.start;
      ch.end = d.value.end;
      ch.event = ev.event;
      this.held += ch.heldBytes;
      const moderation = this.moderation;
      if (moderation !== null) moderation.add(out);
      if (incoming !== null && out == incoming) continue;
      if (splices === null) splices = new Array<Splice>();
      splices.push(new Splice(d.value.start, d.value.end, jsonString(out)));
    }
    this.textOut();
    if (splices === null) {
      this.passRaw(ev);
      this.boundHeld();
      return;
    }
    splices.sort((a: Splice, b: Splice): i32 => a.start - b.start);
    const data = applySplices(doc.src, splices);
    if (data === null) this.passRaw(ev);
    else this.writeEvent(ev.event, ev.id, data);
    this.boundHeld();
  }

  /** Past the stream's hold bound, every channel's held text is judged as it stands and sent. */
  private boundHeld(): void {
    if (this.held > MAX_STREAM_HELD_BYTES) this.flushAll(false);
  }

  /**
   * Scans a channel's held text plus a new delta (`text`): returns what goes
   * on (masked where needed) and keeps the rest held. Null after a block.
   * `final`: the channel ends, nothing is held. `settleAll`: the hold bound
   * was reached: nothing is held, but the channel goes on.
   */
  private advance(ch: Channel, text: string, final: bool, settleAll: bool = false): string | null {
    scannedUnits += <u64>text.length;
    // The joined text, its normalized form, the pieces and the output: a few copies each scan.
    addGarbage(text.length << 3);
    let out = "";
    let from = 0;
    const carry = ch.carry;
    const carried = carry.rule;
    if (carried !== null) {
      from = carry.continue(text, final);
      if (from > 0) {
        const part = text.substring(0, from);
        out = carry.mask(part, carried);
        ch.sent(part);
      }
      if (carry.waiting && !settleAll) {
        ch.pending = text.substring(from);
        return out;
      }
    }
    const rest = from == 0 ? text : text.substring(from);
    let r = this.scanner.scanStream(rest, true, this.record, final, ch.atStart, ch.before, ch.context, settleAll);
    if (r.blockedBy !== null) {
      this.block();
      return null;
    }
    const settled = r.settled;
    const masked = r.text;
    const piece = masked !== null ? masked : rest.substring(0, settled);
    if (settled > 0) ch.sent(rest.substring(0, settled));
    if (r.carry !== null) carry.from(r);
    ch.pending = settled == rest.length ? "" : rest.substring(settled);
    if (ch.pending.length > MAX_HELD_UNITS && !final) {
      // Past the bound: the held text is judged as it stands.
      const held = ch.pending;
      ch.pending = "";
      const next = this.advance(ch, held, false, true);
      return next === null ? null : out + piece + next;
    }
    return from == 0 ? piece : out + piece;
  }

  /**
   * Sends every channel's held-back text in an extra delta event: the stream,
   * or the channel, is ending (`final`), or the stream holds too much
   * (`final` false: the text is judged as it stands, masks carry on).
   */
  private flushAll(final: bool = true): void {
    for (let i = 0; i < this.channels.length && !this.blocked; i++) {
      const ch = unchecked(this.channels[i]);
      if (ch.pending.length == 0) {
        if (final) ch.carry.rule = null;
        continue;
      }
      this.held -= ch.heldBytes;
      const out = this.advance(ch, ch.pending, final, !final);
      if (out === null) return;
      ch.pending = "";
      const moderation = this.moderation;
      if (moderation !== null) moderation.add(out);
      const data = applySplices(ch.template, [new Splice(ch.start, ch.end, jsonString(out))]);
      ch.template = NO_BYTES;
      this.textOut();
      if (data !== null) this.writeEvent(ch.event, null, data);
    }
    if (final) this.held = 0;
  }

  private channel(key: string): Channel {
    const last = this.lastChannel;
    if (last !== null && last.key == key) return last;
    for (let i = 0; i < this.channels.length; i++) {
      const ch = unchecked(this.channels[i]);
      if (ch.key == key) {
        this.lastChannel = ch;
        return ch;
      }
    }
    if (this.channels.length >= MAX_CHANNELS) this.forgetChannels();
    const ch = new Channel(key);
    this.channels.push(ch);
    this.lastChannel = ch;
    return ch;
  }

  /** Too many channels: settles what they hold and forgets the idle ones (all of them if none is). */
  private forgetChannels(): void {
    this.flushAll(false);
    const kept = new Array<Channel>();
    for (let i = 0; i < this.channels.length; i++) if (!unchecked(this.channels[i]).idle) kept.push(unchecked(this.channels[i]));
    this.channels = kept.length < MAX_CHANNELS ? kept : new Array<Channel>();
    this.lastChannel = null;
  }

  private passRaw(ev: SseEvent, w: SseWriter = this.writer): void {
    const raw = ev.raw;
    if (raw !== null) w.raw(raw);
    else w.write(ev);
  }

  private writeEvent(name: string, id: string | null, data: ArrayBuffer, w: SseWriter = this.writer): void {
    if (name.length > 0) w.event(name);
    if (id !== null) w.id(id);
    w.data(data);
    w.end();
  }

  /**
   * Where an event without text goes: with moderation, it waits (in order)
   * until text follows or the stream ends, so the events that end a stream
   * ([DONE], finish_reason, message_stop, response.completed) are still in
   * the filter when the last windows are judged.
   */
  private get noText(): SseWriter {
    const tail = this.tail;
    if (tail === null) return this.writer;
    if (tail.length > MAX_TAIL_BYTES) this.textOut();
    return tail;
  }

  /** Text goes out: the events withheld before it go first. */
  private textOut(): void {
    const tail = this.tail;
    if (tail === null || tail.length == 0) return;
    this.writer.rawPtr(tail.start, tail.length);
    tail.taken();
  }

  private stopTooLarge(): void {
    this.message = "a streamed event exceeds " + decimal(MAX_EVENT_BYTES) + " bytes and cannot be inspected";
    this.record.block("event_too_large", true);
    this.block();
  }

  /** Ends the stream now with the block error event (`by`: what blocked it, e.g. "moderation"); the rest of the upstream's bytes are dropped. */
  stop(by: string): SseWriter {
    if (!this.blocked) {
      this.record.block(by, true);
      this.block();
    }
    return this.writer;
  }

  /** Ends the stream with an error event the client raises. */
  private block(): void {
    this.blocked = true;
    // Withheld events (a finish, [DONE]) never go out after the error.
    const tail = this.tail;
    if (tail !== null) tail.taken();
    if (this.mcp) {
      this.writeEvent("message", null, jsonRpcErrorBody(this.rpcId, RPC_CONTENT_BLOCKED, this.message));
      return;
    }
    const error = new JsonWriter(128);
    if (this.api == LlmApi.AnthropicMessages) {
      error.beginObject().key("type").string("error").key("error").beginObject();
      error.key("type").string("invalid_request_error").key("message").string(this.message).endObject().endObject();
      this.writeEvent("error", null, error.toBytes());
      return;
    }
    if (this.api == LlmApi.OpenAIResponses) {
      error.beginObject().key("type").string("error").key("code").string("content_blocked");
      error.key("message").string(this.message).key("param").nullValue();
      openAiError(error.key("error"), this.message);
      error.endObject();
      this.writeEvent("error", null, error.toBytes());
      return;
    }
    error.beginObject();
    openAiError(error.key("error"), this.message);
    error.endObject();
    this.writeEvent("", null, error.toBytes());
    this.writer.done();
  }
}

function openAiError(w: JsonWriter, message: string): void {
  w.beginObject().key("message").string(message).key("type").string("invalid_request_error");
  w.key("param").nullValue().key("code").string("content_blocked").endObject();
}

function jsonString(s: string): ArrayBuffer {
  const sink = new ByteBuf(s.length + 8);
  writeJsonString(sink, s);
  return sink.toArrayBuffer();
}

/** The document of the event being handled (reparseJson), and handles findDeltas() moves over it. */
const eventDoc = JsonDocument.reusable();
const choiceCursor = eventDoc.root.clone();
const deltaValue = eventDoc.root.clone();
const memberValue = eventDoc.root.clone();

/** The text deltas an event carries, each with its channel key. */
function findDeltas(root: JsonValue): Array<Delta> {
  // One event is handled at a time: its deltas are read before the next one's are found.
  const out = deltas;
  out.length = 0;
  if (root.kind != JsonKind.Object) return out;
  const choice = choiceCursor;
  if (root.find("choices", choice) && choice.kind == JsonKind.Array && choice.moveToFirst()) {
    let i = 0;
    do {
      const delta = deltaValue;
      const key = choiceKey(choice.find("index", memberValue) ? memberValue : null, i);
      // Legacy completions (/v1/completions) stream a choice's `text`.
      if (choice.find("text", memberValue)) addString(out, key, memberValue);
      if (choice.find("delta", delta) && delta.kind == JsonKind.Object) {
        if (delta.find("content", memberValue)) addString(out, key, memberValue);
        if (delta.find("refusal", memberValue)) addString(out, key + "f", memberValue);
        // DeepSeek's and Qwen's reasoning text.
        if (delta.find("reasoning_content", memberValue)) addString(out, key + "r", memberValue);
        const toolCalls = delta.get("tool_calls");
        const calls = toolCalls === null ? NO_VALUES : JsonValue.items(toolCalls);
        for (let k = 0; k < calls.length; k++) {
          const call = unchecked(calls[k]);
          const fn = call.get("function");
          const callIndex = call.get("index");
          if (fn !== null) addString(out, "t" + key.substring(1) + "." + (callIndex === null ? decimal(k) : callIndex.raw()), fn.get("arguments"));
        }
      }
      i++;
    } while (choice.moveToNext());
  }
  const type = root.getText("type");
  if (type === null) return out;
  if (type == "content_block_delta") {
    const delta = root.get("delta");
    const index = root.get("index");
    const key = "a" + (index === null ? "0" : index.raw());
    if (delta !== null && delta.kind == JsonKind.Object) {
      addString(out, key, delta.get("text"));
      addString(out, key, delta.get("thinking"));
      addString(out, key + "j", delta.get("partial_json"));
    }
  } else if (type.startsWith("response.") && type.endsWith(".delta")) {
    const item = root.get("output_index");
    const part = root.get("content_index");
    const key = "r" + (item === null ? "" : item.raw()) + "." + (part === null ? "" : part.raw()) + type;
    addString(out, key, root.get("delta"));
  }
  return out;
}

const deltas = new Array<Delta>();
/** Delta objects reused event after event: deltas[i] is deltaPool[i]. */
const deltaPool = new Array<Delta>();
const NO_VALUES = new Array<JsonValue>();

/** Channel keys of the first choices, made once: most streams have one choice, index 0. */
const CHOICE_KEYS: StaticArray<string> = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"];

/** "c" and the choice's index as written (its position when it has none). */
function choiceKey(index: JsonValue | null, position: i32): string {
  if (index === null) return position < CHOICE_KEYS.length ? CHOICE_KEYS[position] : "c" + decimal(position);
  const v = index.toI64(-1);
  if (v >= 0 && v < CHOICE_KEYS.length && index.end - index.start == 1) return CHOICE_KEYS[<i32>v];
  return "c" + index.raw();
}

function addString(out: Array<Delta>, key: string, v: JsonValue | null): void {
  if (v === null || v.kind != JsonKind.String) return;
  const k = out.length;
  if (k < deltaPool.length) {
    const d = unchecked(deltaPool[k]);
    d.key = key;
    d.value.copyFrom(v);
    out.push(d);
    return;
  }
  const d = new Delta(key, v.clone());
  deltaPool.push(d);
  out.push(d);
}
