// Support for the SSE kit tests: input encoding for kit-sse exports, result
// decoding, a straightforward reference parser (one pass over the whole
// stream, written from the WHATWG rules) and the table of sample streams.
import type { Kit } from "../../host/kit.ts";

export interface ParsedEvent {
  chunk: number;
  event: string;
  data: string;
  hasData: boolean;
  id: string | null;
  retry: number;
  comments: number;
  rawLength: number;
  raw: string | null;
  complete: boolean;
}

export interface ParseResult {
  status: number;
  errorAt: number;
  pending: number;
  lastEventId: string;
  events: ParsedEvent[];
}

/** Byte strings in results are hex; these helpers turn them back. */
export const hexBytes = (h: string) => Buffer.from(h, "hex");
export const hexText = (h: string) => hexBytes(h).toString("utf8");

export interface ParseOptions {
  max?: number;
  keepRaw?: boolean;
  finish?: boolean;
}

export function parseInput(stream: Uint8Array, sizes: number[], opts: ParseOptions = {}): Uint8Array {
  const head = Buffer.alloc(12 + 4 * sizes.length);
  head.writeUInt32LE(opts.max ?? 1 << 20, 0);
  head.writeUInt32LE((opts.keepRaw ? 1 : 0) | (opts.finish ? 2 : 0), 4);
  head.writeUInt32LE(sizes.length, 8);
  sizes.forEach((s, i) => head.writeUInt32LE(s, 12 + 4 * i));
  return Buffer.concat([head, stream]);
}

export function kitParse(kit: Kit, stream: Uint8Array, sizes: number[], opts: ParseOptions = {}): ParseResult {
  return JSON.parse(kit.callText("sse_parse", parseInput(stream, sizes, opts))) as ParseResult;
}

/** Chunk sizes that cut `total` bytes at the given split offsets. */
export function sizesFromSplits(total: number, splits: number[]): number[] {
  const points = [...new Set(splits.filter((p) => p > 0 && p < total))].sort((a, b) => a - b);
  const sizes: number[] = [];
  let prev = 0;
  for (const p of [...points, total]) {
    sizes.push(p - prev);
    prev = p;
  }
  return sizes;
}

export function fixedSizes(total: number, size: number): number[] {
  const sizes: number[] = [];
  for (let done = 0; done < total; done += size) sizes.push(Math.min(size, total - done));
  return sizes;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- reference parser ----------------------------------------------------

export interface ModelEvent {
  event: Buffer;
  data: Buffer;
  hasData: boolean;
  id: Buffer | null;
  retry: number;
  comments: number;
  rawLength: number;
  complete: boolean;
}

/** Parses a whole stream in one pass; `finish` reports a trailing incomplete event. */
export function modelParse(bytes: Uint8Array, finish: boolean): { events: ModelEvent[]; lastEventId: Buffer } {
  const buf = Buffer.from(bytes);
  const events: ModelEvent[] = [];
  let lastEventId: Buffer = Buffer.alloc(0);
  let pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let emittedUpTo = 0;
  const fresh = () => ({ event: Buffer.alloc(0) as Buffer, data: [] as Buffer[], id: null as Buffer | null, retry: -1, comments: 0, sawLine: false });
  let cur = fresh();
  const emit = (end: number, complete: boolean) => {
    events.push({
      event: cur.event,
      data: Buffer.from(cur.data.map((d) => d.toString("latin1")).join("\n"), "latin1"),
      hasData: cur.data.length > 0,
      id: cur.id,
      retry: cur.retry,
      comments: cur.comments,
      rawLength: end - emittedUpTo,
      complete,
    });
    emittedUpTo = end;
    cur = fresh();
  };
  const processLine = (line: Buffer) => {
    cur.sawLine = true;
    if (line[0] === 0x3a) {
      cur.comments++;
      return;
    }
    const colon = line.indexOf(0x3a);
    const name = (colon < 0 ? line : line.subarray(0, colon)).toString("latin1");
    let value = colon < 0 ? Buffer.alloc(0) : line.subarray(colon + 1);
    if (value[0] === 0x20) value = value.subarray(1);
    if (name === "data") cur.data.push(value);
    else if (name === "event") cur.event = value;
    else if (name === "id") {
      if (!value.includes(0)) {
        cur.id = value;
        lastEventId = value;
      }
    } else if (name === "retry") {
      if (value.length > 0 && value.length <= 15 && /^[0-9]+$/.test(value.toString("latin1"))) cur.retry = Number(value.toString("latin1"));
    }
  };
  while (pos < buf.length) {
    let j = pos;
    while (j < buf.length && buf[j] !== 0x0a && buf[j] !== 0x0d) j++;
    if (j === buf.length) {
      if (finish) processLine(buf.subarray(pos));
      pos = buf.length;
      break;
    }
    const next = buf[j] === 0x0d && buf[j + 1] === 0x0a ? j + 2 : j + 1;
    if (j === pos) {
      if (cur.sawLine) emit(next, true);
    } else {
      processLine(buf.subarray(pos, j));
    }
    pos = next;
  }
  if (finish && buf.length > emittedUpTo) emit(buf.length, false);
  return { events, lastEventId };
}

// ---- sample streams ------------------------------------------------------

const openaiChunk = (delta: object, extra: object = {}) =>
  JSON.stringify({ id: "chatcmpl-9x", object: "chat.completion.chunk", created: 1718000000, model: "gpt-4o-mini", choices: [{ index: 0, delta, finish_reason: null }], ...extra });

export const OPENAI_CHAT =
  `data: ${openaiChunk({ role: "assistant", content: "" })}\n\n` +
  `data: ${openaiChunk({ content: "Héllo, 世界 " })}\n\n` +
  `data: ${openaiChunk({ content: "🎉 done" })}\n\n` +
  `data: ${JSON.stringify({ id: "chatcmpl-9x", object: "chat.completion.chunk", created: 1718000000, model: "gpt-4o-mini", choices: [], usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 } })}\n\n` +
  "data: [DONE]\n\n";

export const ANTHROPIC =
  `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { id: "msg_01", type: "message", role: "assistant", model: "claude-sonnet-4", content: [], usage: { input_tokens: 25, output_tokens: 1 } } })}\n\n` +
  `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n` +
  "event: ping\ndata: {\"type\": \"ping\"}\n\n" +
  `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Grüß dich"}}\n\n` +
  `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n` +
  `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}\n\n` +
  `event: message_stop\ndata: {"type":"message_stop"}\n\n`;

export const RESPONSES_API =
  `event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress"}}\n\n` +
  `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Bonjour à tous"}\n\n` +
  `event: response.completed\ndata: {"type":"response.completed","sequence_number":2,"response":{"id":"resp_1","status":"completed","usage":{"input_tokens":11,"output_tokens":4,"total_tokens":15}}}\n\n`;

export const COMMENTS_AND_FIELDS =
  ": this is a comment\n\n" +
  ": keep-alive\n: another\ndata: after comments\n\n" +
  "retry: 3000\nid: 42\nevent: update\ndata: {\"n\":1}\n\n" +
  "retry: 12x\nid: bad\u0000id\ndata: retry and id ignored\n\n" +
  "id\ndata\n\n" +
  "unknown: field\ndata:no-space\ndata:  two spaces\nevent:tight\n\n";

export const MULTILINE =
  "data: first line\ndata: second line\ndata:\ndata: fourth after empty\n\n" +
  "data: {\"a\":\ndata: 1}\n\n" +
  "\n\n\ndata: after blank lines\n\n";

export const STREAMS: Record<string, string> = {
  openai: OPENAI_CHAT,
  anthropic: ANTHROPIC,
  responses: RESPONSES_API,
  comments: COMMENTS_AND_FIELDS,
  multiline: MULTILINE,
  "anthropic-crlf": ANTHROPIC.replace(/\n/g, "\r\n"),
  "openai-cr": OPENAI_CHAT.replace(/\n/g, "\r"),
  "mixed-endings": "data: a\r\ndata: b\rdata: c\n\r\nevent: x\rdata: y\r\r" + "data: z\n\r",
  bom: "\ufeffdata: after bom\n\n" + "data: \ufeff not a bom here\n\n",
  "no-final-blank-line": "data: one\n\ndata: two\nevent: tail",
};

export function streamBytes(name: string): Buffer {
  return Buffer.from(STREAMS[name], "utf8");
}
