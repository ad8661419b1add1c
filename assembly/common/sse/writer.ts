// Serializes server-sent events into one reusable buffer: build a chunk's
// worth of events (mixing re-serialized and raw pass-through events), then
// take() it once and hand it to setBuffer.
//
// Data containing line breaks becomes several `data:` lines; a reader joins
// them with "\n", so "\r\n" and "\r" inside data come back as "\n" (SSE cannot
// carry a CR in data). CR, LF and NUL are dropped from event names, ids and
// comments so a value can never break the framing.
import { ByteBuf } from "../bytes";
import { SseEvent } from "./event";
import { decimal } from "../text/decimal";

const LF: u8 = 0x0a;
const CR: u8 = 0x0d;

export class SseWriter {
  private out: ByteBuf;

  constructor(initialCapacity: i32 = 256) {
    this.out = new ByteBuf(initialCapacity);
  }

  get length(): i32 {
    return this.out.length;
  }

  event(type: string): SseWriter {
    this.out.pushString("event: ");
    this.pushSafe(type);
    this.out.pushByte(LF);
    return this;
  }

  id(id: string): SseWriter {
    this.out.pushString(id.length == 0 ? "id:" : "id: ");
    this.pushSafe(id);
    this.out.pushByte(LF);
    return this;
  }

  retry(millis: i64): SseWriter {
    if (millis < 0) return this;
    this.out.pushString("retry: ");
    this.out.pushString(decimal(millis));
    this.out.pushByte(LF);
    return this;
  }

  /** A comment line (":text"); line breaks in `text` start new comment lines. */
  comment(text: string): SseWriter {
    const bytes = String.UTF8.encode(text);
    this.splitLines(changetype<usize>(bytes), bytes.byteLength, ":");
    return this;
  }

  /** `data:` lines for UTF-8 bytes. */
  data(bytes: ArrayBuffer): SseWriter {
    return this.dataRaw(changetype<usize>(bytes), bytes.byteLength);
  }

  dataRaw(ptr: usize, len: i32): SseWriter {
    this.splitLines(ptr, len, "data:");
    return this;
  }

  dataText(text: string): SseWriter {
    return this.data(String.UTF8.encode(text));
  }

  /** The blank line that ends an event. */
  end(): SseWriter {
    this.out.pushByte(LF);
    return this;
  }

  /** A whole event: event, id, retry and data fields, then the blank line. */
  write(ev: SseEvent): SseWriter {
    if (ev.event.length > 0) this.event(ev.event);
    const id = ev.id;
    if (id !== null) this.id(id);
    if (ev.retry >= 0) this.retry(ev.retry);
    if (ev.hasData) this.data(ev.data);
    return this.end();
  }

  /** The OpenAI stream terminator `data: [DONE]` and its blank line. */
  done(): SseWriter {
    this.out.pushString("data: [DONE]\n\n");
    return this;
  }

  /** Bytes copied as they are (an unmodified event's raw bytes). */
  raw(bytes: ArrayBuffer): SseWriter {
    this.out.pushBuffer(bytes);
    return this;
  }

  rawPtr(ptr: usize, len: i32): SseWriter {
    this.out.pushRaw(ptr, len);
    return this;
  }

  /** Address of what was written since the last take() or taken() (`length` bytes); valid until the next write. */
  get start(): usize {
    return this.out.dataStart;
  }

  /** Starts empty again once the caller used start and length (take() without the copy). */
  taken(): void {
    this.out.clear();
    this.out.shrinkTo(64 * 1024);
  }

  /** Everything written since the last take(), as a new buffer; the writer starts empty again. */
  take(): ArrayBuffer {
    const buf = this.out.toArrayBuffer();
    this.taken();
    return buf;
  }

  clear(): void {
    this.out.clear();
  }

  /** One `<prefix> <line>` per line of the input; an empty input still gives one line. */
  private splitLines(ptr: usize, len: i32, prefix: string): void {
    let start = 0;
    let i = 0;
    while (true) {
      while (i < len) {
        const c = load<u8>(ptr + <usize>i);
        if (c == LF || c == CR) break;
        i++;
      }
      this.out.pushString(prefix);
      if (i > start) {
        this.out.pushByte(0x20);
        this.out.pushRaw(ptr + <usize>start, i - start);
      }
      this.out.pushByte(LF);
      if (i >= len) return;
      if (load<u8>(ptr + <usize>i) == CR && i + 1 < len && load<u8>(ptr + <usize>(i + 1)) == LF) i++;
      i++;
      start = i;
    }
  }

  /** Appends `s` as UTF-8 without CR, LF or NUL (single bytes that never occur inside a multi-byte sequence). */
  private pushSafe(s: string): void {
    let plain = true;
    for (let i = 0; i < s.length; i++) {
      const c = <u32>s.charCodeAt(i);
      if (c >= 0x80 || c == 0x0a || c == 0x0d || c == 0) {
        plain = false;
        break;
      }
    }
    if (plain) {
      this.out.pushString(s);
      return;
    }
    const bytes = String.UTF8.encode(s);
    const base = changetype<usize>(bytes);
    for (let i = 0; i < bytes.byteLength; i++) {
      const b = load<u8>(base + <usize>i);
      if (b != LF && b != CR && b != 0) this.out.pushByte(b);
    }
  }
}
