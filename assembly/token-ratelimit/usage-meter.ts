// Follows a response on its way to the client and finds out what it cost:
// the usage it reports (JSON body, or stream events: the OpenAI usage chunk,
// Anthropic message_start/message_delta, Responses response.completed), and
// an estimate of the generated text for when it reports none (client gone,
// upstream cut, provider omitted it). Bytes pass through untouched, except
// the usage chunk of an OpenAI stream whose usage the filter asked for on the
// client's behalf: the client did not ask for it, so it is cut out.
import { bytesEqualAscii } from "../common/bytes";
import { ByteBuf, JsonKind, parseJson, readUsage, Usage } from "../common/json";
import { isDone, SseEvent, SseParser, SseStatus } from "../common/sse";
import { bodyTextTokens, eventTextTokens, scanTextTokens } from "./completion-text";

/** Largest stream event the meter parses; larger ones pass uncounted (their text is estimated from size). */
const MAX_EVENT_BYTES: i32 = 1 << 20;

const USAGE_KEY = "\"usage\"";

/** True when the bytes contain `"usage"` (a cheap test before parsing an event). */
function mentionsUsage(data: ArrayBuffer): bool {
  const base = changetype<usize>(data);
  const n = data.byteLength - USAGE_KEY.length;
  for (let i = 0; i <= n; i++) {
    if (load<u8>(base + <usize>i) == 0x22 && bytesEqualAscii(base + <usize>i, USAGE_KEY.length, USAGE_KEY)) return true;
  }
  return false;
}

export class UsageMeter {
  /** Counts reported by the response; -1 until seen. */
  inputTokens: i64 = -1;
  outputTokens: i64 = -1;
  /** Estimated tokens of the generated text seen so far. */
  textEstimate: i64 = 0;
  /** Bytes of body seen. */
  bytes: i64 = 0;
  /** The JSON body was larger than the limit, or was not JSON. */
  unreadable: bool = false;

  private sse: SseParser | null = null;
  private json: ByteBuf | null = null;
  /** Stripping: bytes of the unfinished event, held back until it is complete. */
  private held: ByteBuf = new ByteBuf(0);
  private finished: bool = false;

  constructor(streaming: bool, public maxJsonBytes: i32, public stripUsageChunk: bool) {
    if (streaming) this.sse = new SseParser(MAX_EVENT_BYTES);
    else this.json = new ByteBuf(1024);
  }

  get hasUsage(): bool {
    return this.inputTokens >= 0 && this.outputTokens >= 0;
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
        sse.feed(chunk);
        for (let i = 0; i < sse.events.length; i++) this.onEvent(sse.events[i]);
        if (endOfStream) this.finish();
        return null;
      }
      return this.feedStripping(sse, chunk, endOfStream);
    }
    const json = this.json;
    if (json !== null && !this.unreadable) {
      if (json.length + chunk.byteLength > this.maxJsonBytes) {
        this.unreadable = true;
        json.clear();
      } else {
        json.pushBuffer(chunk);
      }
    }
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
    const json = this.json;
    if (json === null || this.unreadable) return;
    const parsed = parseJson(json.toArrayBuffer());
    const root = parsed.root;
    if (root === null || root.kind != JsonKind.Object) {
      this.unreadable = true;
      return;
    }
    this.takeUsage(readUsage(root));
    if (!this.hasUsage) this.textEstimate = bodyTextTokens(root);
  }

  /** Forwards complete events only, without usage-only chunks; the unfinished tail waits for the next chunk. */
  private feedStripping(sse: SseParser, chunk: ArrayBuffer, endOfStream: bool): ArrayBuffer {
    const input = this.held;
    input.pushBuffer(chunk);
    const out = new ByteBuf(input.length);
    sse.feed(chunk);
    if (sse.status != SseStatus.Ok) {
      // An event too large to parse: stop cutting and let everything through.
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
      this.textEstimate += scanTextTokens(ev.data);
      return false;
    }
    const root = parseJson(ev.data).root;
    if (root === null || root.kind != JsonKind.Object) return false;
    const usage = readUsage(root);
    this.takeUsage(usage);
    this.textEstimate += eventTextTokens(root);
    if (!this.stripUsageChunk || usage === null) return false;
    const choices = root.get("choices");
    return choices !== null && choices.kind == JsonKind.Array && choices.length == 0;
  }

  private takeUsage(u: Usage | null): void {
    if (u === null) return;
    if (u.inputTokens >= 0) this.inputTokens = u.inputTokens;
    if (u.outputTokens >= 0) this.outputTokens = u.outputTokens;
    else if (u.inputTokens >= 0 && u.totalTokens >= u.inputTokens) this.outputTokens = u.totalTokens - u.inputTokens; // embeddings: prompt and total only
    if (u.inputTokens < 0 && u.outputTokens < 0 && u.totalTokens >= 0) {
      this.inputTokens = 0;
      this.outputTokens = u.totalTokens;
    }
  }
}
