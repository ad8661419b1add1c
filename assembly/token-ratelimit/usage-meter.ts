// Follows a response on its way to the client and finds out what it cost:
// the usage it reports (JSON body, or stream events: the OpenAI usage chunk,
// Anthropic message_start/message_delta, Responses response.completed), and
// an estimate of the generated text that arrived, for when it reports none
// or none worth believing (client gone, upstream cut, provider omitted it,
// figures out of range). Bytes pass through untouched, except the usage
// chunk of an OpenAI stream whose usage the filter asked for on the client's
// behalf: the client did not ask for it, so it is cut out.
//
// The generated text that arrived, estimated:
//   stream                  the text members of every event (the last one may be cut)
//   JSON body               its text members; when it does not parse (cut by an
//                           upstream reset, or malformed), the text members
//                           found by a scan of the bytes that arrived
//   a body that is not JSON the whole body, as text
//   JSON over maxJsonBytes, or a stream event over the parser's limit: not
//                           read, estimated from its size (bytes / 4)
import { bytesEqualAscii } from "../common/bytes";
import { ByteBuf, JsonKind, parseJson, readUsage, Usage } from "../common/json";
import { skipWs } from "../common/json/scan";
import { addSaturating } from "../common/saturating";
import { isDone, SseEvent, SseParser, SseStatus } from "../common/sse";
import { estimateTokensUtf8, Tokenizer } from "../common/token-estimate";
import { bodyTextTokens, eventTextTokens, scanTextTokens } from "./completion-text";

/** Largest stream event the meter parses; larger ones pass uncounted (their text is estimated from size). */
const MAX_EVENT_BYTES: i32 = 1 << 20;

const USAGE_KEY = "\"usage\"";

/**
 * True when the bytes contain `"usage"` other than as `"usage": null` (a
 * cheap test before parsing an event). With `stream_options.include_usage`
 * OpenAI writes `"usage":null` into every chunk but the last: those chunks
 * carry no usage and are counted like any other, without a parse.
 */
function mentionsUsage(data: ArrayBuffer): bool {
  const base = changetype<usize>(data);
  const end = data.byteLength;
  const n = end - USAGE_KEY.length;
  for (let i = 0; i <= n; i++) {
    if (load<u8>(base + <usize>i) == 0x22 && bytesEqualAscii(base + <usize>i, USAGE_KEY.length, USAGE_KEY) && !nullAfterKey(base, i + USAGE_KEY.length, end)) return true;
  }
  return false;
}

/** The bytes from `at` are white space, a colon, white space and `null` followed by a delimiter. */
function nullAfterKey(base: usize, at: i32, end: i32): bool {
  let i = skipWs(base, at, end);
  if (i >= end || load<u8>(base + <usize>i) != 0x3a) return false;
  i = skipWs(base, i + 1, end);
  if (i + 4 > end || !bytesEqualAscii(base + <usize>i, 4, "null")) return false;
  i = skipWs(base, i + 4, end);
  if (i >= end) return true;
  const c = load<u8>(base + <usize>i);
  return c == 0x2c || c == 0x7d || c == 0x5d;
}

export class UsageMeter {
  /** Counts reported by the response; -1 until seen. */
  inputTokens: i64 = -1;
  outputTokens: i64 = -1;
  /** Estimated tokens of the generated text seen so far. */
  textEstimate: i64 = 0;
  /** Bytes of body seen. */
  bytes: i64 = 0;
  /** The body could not be read (JSON over the limit, a stream event over the parser's): estimate it from its size. */
  unreadable: bool = false;
  /** A usage figure out of range was seen: the response's usage is ignored, all of it. */
  rejectedUsage: bool = false;

  private sse: SseParser | null = null;
  /** JSON body so far: the one chunk it came in (most replies), or `parts` once a second one came. */
  private whole: ArrayBuffer | null = null;
  private parts: ByteBuf | null = null;
  /** Stripping: bytes of the unfinished event, held back until it is complete. */
  private held: ByteBuf = new ByteBuf(0);
  private finished: bool = false;

  constructor(streaming: bool, public maxJsonBytes: i32, public stripUsageChunk: bool, public tokenizer: Tokenizer) {
    if (streaming) this.sse = new SseParser(MAX_EVENT_BYTES);
  }

  /**
   * The output figure came from an Anthropic message_start, which is written
   * before any text (0 or 1): only a message_delta after it gives the
   * completion's size.
   */
  private outputProvisional: bool = false;
  /** Anthropic prompt-cache reads and writes reported so far (part of the prompt). */
  private cacheReadTokens: i64 = 0;
  private cacheWriteTokens: i64 = 0;

  get hasUsage(): bool {
    return this.inputTokens >= 0 && this.outputTokens >= 0 && !this.outputProvisional;
  }

  /**
   * Takes one body chunk. Returns what to forward instead of it, or null to
   * forward it unchanged (always null unless stripping the usage chunk).
   */
  feed(chunk: ArrayBuffer, endOfStream: bool): ArrayBuffer | null {
    this.bytes += chunk.byteLength;
    const sse = this.sse;
    if (sse !== null) {
      if (!this.stripUsageChunk) {
        if (sse.feed(chunk) != SseStatus.Ok) this.unreadable = true;
        for (let i = 0; i < sse.events.length; i++) this.onEvent(sse.events[i]);
        if (endOfStream) this.finish();
        return null;
      }
      return this.feedStripping(sse, chunk, endOfStream);
    }
    if (this.unreadable || chunk.byteLength == 0) return null;
    if (this.bytes > <i64>this.maxJsonBytes) {
      this.unreadable = true;
      this.whole = null;
      this.parts = null;
      return null;
    }
    const whole = this.whole;
    if (whole === null) {
      this.whole = chunk;
      return null;
    }
    let parts = this.parts;
    if (parts === null) {
      parts = new ByteBuf(<i32>this.bytes);
      parts.pushBuffer(whole);
      this.parts = parts;
    }
    parts.pushBuffer(chunk);
    return null;
  }

  /** End of the response body (or of what arrived of it). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const sse = this.sse;
    if (sse !== null) {
      sse.finish();
      for (let i = 0; i < sse.events.length; i++) this.onEvent(sse.events[i]);
      return;
    }
    if (this.unreadable) return;
    const parts = this.parts;
    const whole = this.whole;
    const body = parts !== null ? parts.toArrayBuffer() : whole !== null ? whole : new ArrayBuffer(0);
    const root = parseJson(body).root;
    if (root === null || root.kind != JsonKind.Object) {
      this.textEstimate = looksLikeJson(body) ? scanTextTokens(body, this.tokenizer) : estimateTokensUtf8(body, this.tokenizer);
      return;
    }
    this.takeUsage(readUsage(root));
    if (!this.hasUsage || this.rejectedUsage) this.textEstimate = bodyTextTokens(root, this.tokenizer);
  }

  /** Forwards complete events only, without usage-only chunks; the unfinished tail waits for the next chunk. */
  private feedStripping(sse: SseParser, chunk: ArrayBuffer, endOfStream: bool): ArrayBuffer {
    const input = this.held;
    input.pushBuffer(chunk);
    const out = new ByteBuf(input.length);
    sse.feed(chunk);
    if (sse.status != SseStatus.Ok) {
      // An event too large to parse: stop cutting and let everything through.
      this.unreadable = true;
      this.stripUsageChunk = false;
      out.pushRaw(input.dataStart, input.length);
      input.clear();
      return out.toArrayBuffer();
    }
    let cursor = 0;
    for (let i = 0; i < sse.events.length; i++) {
      const ev = sse.events[i];
      if (!this.onEvent(ev)) out.pushRaw(input.dataStart + <usize>cursor, ev.rawLength);
      cursor += ev.rawLength;
    }
    input.shift(cursor);
    if (endOfStream) {
      this.finished = true;
      sse.finish();
      for (let i = 0; i < sse.events.length; i++) if (this.onEvent(sse.events[i])) input.clear();
      out.pushRaw(input.dataStart, input.length);
      input.clear();
    }
    return out.toArrayBuffer();
  }

  /**
   * Reads one event; true when it is an OpenAI usage-only chunk that should
   * be cut. Only events that mention usage are parsed; the text of the others
   * is estimated by a scan.
   */
  private onEvent(ev: SseEvent): bool {
    if (!ev.hasData || isDone(ev)) return false;
    if (!mentionsUsage(ev.data)) {
      this.textEstimate = addSaturating(this.textEstimate, scanTextTokens(ev.data, this.tokenizer));
      return false;
    }
    const root = parseJson(ev.data).root;
    if (root === null || root.kind != JsonKind.Object) return false;
    const usage = readUsage(root);
    const type = root.get("type");
    this.takeUsage(usage, type !== null && type.textEquals("message_start"));
    this.textEstimate = addSaturating(this.textEstimate, eventTextTokens(root, this.tokenizer));
    if (!this.stripUsageChunk || usage === null || usage.rejected) return false;
    const choices = root.get("choices");
    return choices !== null && choices.kind == JsonKind.Array && choices.length == 0;
  }

  private takeUsage(u: Usage | null, provisional: bool = false): void {
    // One figure out of range and none of the response's usage is believed.
    if (u === null || this.rejectedUsage) return;
    if (u.outputTokens >= 0 || u.totalTokens >= 0) this.outputProvisional = provisional;
    if (u.rejected) {
      this.rejectedUsage = true;
      this.inputTokens = -1;
      this.outputTokens = -1;
      return;
    }
    // Anthropic's input_tokens leaves out the prompt it read from or wrote to its cache.
    if (u.cacheReadTokens >= 0) this.cacheReadTokens = u.cacheReadTokens;
    if (u.cacheWriteTokens >= 0) this.cacheWriteTokens = u.cacheWriteTokens;
    if (u.inputTokens >= 0) this.inputTokens = addSaturating(u.inputTokens, addSaturating(this.cacheReadTokens, this.cacheWriteTokens));
    if (u.outputTokens >= 0) this.outputTokens = u.outputTokens;
    else if (u.inputTokens >= 0 && u.totalTokens >= u.inputTokens) this.outputTokens = u.totalTokens - u.inputTokens; // embeddings: prompt and total only
    if (u.inputTokens < 0 && u.outputTokens < 0 && u.totalTokens >= 0) {
      this.inputTokens = 0;
      this.outputTokens = u.totalTokens;
    }
  }
}

/** True when the first byte that is not white space opens a JSON object or array. */
function looksLikeJson(body: ArrayBuffer): bool {
  const base = changetype<usize>(body);
  for (let i = 0; i < body.byteLength; i++) {
    const c = load<u8>(base + <usize>i);
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) continue;
    return c == 0x7b || c == 0x5b;
  }
  return false;
}
