// Incremental text/event-stream parser over UTF-8 bytes.
//
// Feed response chunks as they come; each feed reports the events it
// completed in `events`. Events may be split across chunks at any byte: in a
// line, between CR and LF, inside a multi-byte UTF-8 character, inside the
// BOM. Line endings \n, \r\n and \r are all accepted. Field handling follows
// the WHATWG SSE parsing rules: comments (":..."), data/event/id/retry, a
// field without a colon has an empty value, one space after the colon is
// stripped, data lines are joined with "\n", unknown fields are ignored.
//
// Unlike a browser, the parser also reports blocks without data (comments
// only, or only `event:`/`id:`): `hasData` tells whether a browser would
// dispatch it. Every byte fed belongs to exactly one event (`rawLength`) or
// to the pending tail, so a filter can forward unmodified events byte for byte,
// and the events (raw lengths included) do not depend on how the stream was
// chunked. For that, an event whose closing blank line ends with a CR that is
// the last byte of a chunk is held until the next byte shows whether an LF
// belongs to it (or until finish()); only CR-terminated streams meet this.
//
// End of stream: call finish(). A last event without its closing blank line
// is reported with complete = false (fields parsed as if the line had ended),
// and so are trailing bytes without any field. Browsers drop such an event;
// a filter decides: count its usage, forward its raw bytes, or drop it.
//
// Bounded: an event (or the pending tail) larger than maxEventBytes sets
// status to EventTooLarge. The error is sticky: the parser ignores further
// input until reset(); events completed before the error in the same feed
// stay in `events`. Untrusted bytes never trap.
import { ByteBuf } from "../bytes";
import { NO_DATA, SseEvent } from "./event";

export enum SseStatus {
  Ok = 0,
  /** An event or the pending incomplete event exceeded maxEventBytes. */
  EventTooLarge = 1,
}

const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const COLON: u8 = 0x3a;
const SPACE: u8 = 0x20;
/** Capacity kept by internal buffers after an unusually large event. */
const KEEP_CAPACITY: i32 = 16 * 1024;
/** Event objects kept for reuse; a chunk with more events makes new ones past it. */
const MAX_POOLED_EVENTS: i32 = 64;
/** retry values with more digits than this are ignored (they would overflow). */
const MAX_RETRY_DIGITS: i32 = 15;

export class SseParser {
  /** Events completed by the last feed() or finish(); cleared at the next call, which reuses the objects: read them before. */
  readonly events: Array<SseEvent> = new Array<SseEvent>();
  /** Event objects, reused call after call (events[i] is pool[i]). */
  private pool: Array<SseEvent> = new Array<SseEvent>();
  status: SseStatus = SseStatus.Ok;
  /** The SSE "last event ID": the last id seen, kept across events. */
  lastEventId: string = "";

  private line: ByteBuf = new ByteBuf(256);
  private data: ByteBuf = new ByteBuf(256);
  private raw: ByteBuf | null;
  private eventType: string = "";
  private id: string | null = null;
  private retry: i64 = -1;
  private hasData: bool = false;
  private comments: i32 = 0;
  private sawLine: bool = false;
  /** Bytes of the pending event already consumed from earlier chunks. */
  private rawLen: i32 = 0;
  private afterCR: bool = false;
  /** The pending event is complete but its closing CR ended the last chunk. */
  private heldCR: bool = false;
  /** BOM bytes matched at stream start (0..2), or 3 once the check is over. */
  private bomState: i32 = 0;

  /**
   * @param maxEventBytes largest event (raw bytes, including its blank lines) accepted
   * @param keepRaw also copy each event's raw bytes into `event.raw`
   */
  constructor(public maxEventBytes: i32 = 1 << 20, keepRaw: bool = false) {
    this.raw = keepRaw ? new ByteBuf(256) : null;
  }

  /** Bytes fed but not yet part of a reported event. */
  get pendingBytes(): i32 {
    return this.rawLen;
  }

  feed(chunk: ArrayBuffer): SseStatus {
    return this.feedRaw(changetype<usize>(chunk), chunk.byteLength);
  }

  /** Parses `len` bytes at `ptr` (e.g. straight from a host buffer). */
  feedRaw(ptr: usize, len: i32): SseStatus {
    this.clearEvents();
    if (this.status != SseStatus.Ok || len <= 0) return this.status;
    let i = 0;
    if (this.bomState < 3) i = this.skipBom(ptr, len);
    let segStart = 0;
    if (this.heldCR) {
      this.heldCR = false;
      const n = load<u8>(ptr) == LF ? 1 : 0;
      if (this.rawLen + n > this.maxEventBytes) return this.fail();
      this.dispatch(ptr, n);
      segStart = n;
      i = n;
    }
    while (i < len) {
      if (this.afterCR) {
        this.afterCR = false;
        if (load<u8>(ptr + <usize>i) == LF) {
          i++;
          continue;
        }
      }
      let j = i;
      while (j < len) {
        const c = load<u8>(ptr + <usize>j);
        if (c == LF || c == CR) break;
        j++;
      }
      if (j == len) break; // an unfinished line: kept below
      if (this.rawLen + (j + 1 - segStart) > this.maxEventBytes) return this.fail();
      const isCR = load<u8>(ptr + <usize>j) == CR;
      let next = j + 1;
      if (this.line.length > 0) {
        this.line.pushRaw(ptr + <usize>i, j - i);
        this.processLine(this.line.dataStart, this.line.length);
        this.line.clear();
      } else if (j > i) {
        this.processLine(ptr + <usize>i, j - i);
      } else if (this.sawLine) {
        // A blank line ends the event, with the LF of a CRLF ending.
        if (isCR && next == len) {
          this.heldCR = true;
          i = next;
          break;
        }
        if (isCR && load<u8>(ptr + <usize>next) == LF) next++;
        if (this.rawLen + (next - segStart) > this.maxEventBytes) return this.fail();
        this.dispatch(ptr + <usize>segStart, next - segStart);
        segStart = next;
        i = next;
        continue;
      }
      if (isCR) this.afterCR = true;
      i = next;
    }
    const tail = len - segStart;
    if (this.rawLen + tail > this.maxEventBytes) return this.fail();
    if (i < len) this.line.pushRaw(ptr + <usize>i, len - i);
    this.account(ptr + <usize>segStart, tail);
    return this.status;
  }

  /**
   * Ends the stream: reports what is pending as an incomplete event (see the
   * file comment) and makes the parser ready for a new stream.
   */
  finish(): SseStatus {
    this.clearEvents();
    if (this.status != SseStatus.Ok) return this.status;
    this.replayPartialBom();
    if (this.heldCR) {
      this.heldCR = false;
      this.dispatch(0, 0);
    }
    if (this.line.length > 0) {
      this.processLine(this.line.dataStart, this.line.length);
      this.line.clear();
    }
    if (this.rawLen > 0) {
      this.dispatch(0, 0);
      this.events[this.events.length - 1].complete = false;
    }
    this.afterCR = false;
    this.heldCR = false;
    this.bomState = 0;
    return this.status;
  }

  /** Forgets all state, including an error and the last event id. */
  reset(): void {
    this.clearEvents();
    this.status = SseStatus.Ok;
    this.lastEventId = "";
    this.line.clear();
    this.startEvent();
    this.rawLen = 0;
    this.afterCR = false;
    this.heldCR = false;
    this.bomState = 0;
  }

  private fail(): SseStatus {
    this.status = SseStatus.EventTooLarge;
    this.heldCR = false;
    this.line.clear();
    this.startEvent();
    this.rawLen = 0;
    return this.status;
  }

  /** Counts bytes toward the pending event. */
  private account(ptr: usize, n: i32): void {
    if (n <= 0) return;
    this.rawLen += n;
    const raw = this.raw;
    if (raw !== null) raw.pushRaw(ptr, n);
  }

  private skipBom(ptr: usize, len: i32): i32 {
    let i = 0;
    while (this.bomState < 3 && i < len) {
      const b = load<u8>(ptr + <usize>i);
      const want: u8 = this.bomState == 0 ? 0xef : this.bomState == 1 ? 0xbb : 0xbf;
      if (b != want) {
        this.replayPartialBom();
        this.bomState = 3;
        return i;
      }
      this.bomState++;
      i++;
    }
    return i;
  }

  /** A stream that began like a BOM but was not one: those bytes are content. */
  private replayPartialBom(): void {
    if (this.bomState >= 1 && this.bomState <= 2) {
      this.line.pushByte(0xef);
      if (this.bomState == 2) this.line.pushByte(0xbb);
    }
    this.bomState = 3;
  }

  private processLine(ptr: usize, n: i32): void {
    this.sawLine = true;
    if (load<u8>(ptr) == COLON) {
      this.comments++;
      return;
    }
    let colon = 0;
    while (colon < n && load<u8>(ptr + <usize>colon) != COLON) colon++;
    let valueStart = colon + 1;
    if (valueStart < n && load<u8>(ptr + <usize>valueStart) == SPACE) valueStart++;
    if (valueStart > n) valueStart = n;
    const value = ptr + <usize>valueStart;
    const valueLen = n - valueStart;
    if (fieldIs(ptr, colon, "data")) {
      if (this.hasData) this.data.pushByte(LF);
      this.data.pushRaw(value, valueLen);
      this.hasData = true;
    } else if (fieldIs(ptr, colon, "event")) {
      this.eventType = String.UTF8.decodeUnsafe(value, <usize>valueLen);
    } else if (fieldIs(ptr, colon, "id")) {
      if (!hasNul(value, valueLen)) {
        const id = String.UTF8.decodeUnsafe(value, <usize>valueLen);
        this.id = id;
        this.lastEventId = id;
      }
    } else if (fieldIs(ptr, colon, "retry")) {
      const r = parseDigits(value, valueLen);
      if (r >= 0) this.retry = r;
    }
  }

  /** Empties `events`; the objects go back to the pool without their bytes (kept past it, they would hold memory). */
  private clearEvents(): void {
    const events = this.events;
    for (let i = 0; i < events.length; i++) {
      const ev = unchecked(events[i]);
      ev.data = NO_DATA;
      ev.raw = null;
    }
    events.length = 0;
  }

  /** Reports the pending event, whose last `n` bytes are at `ptr` in the current chunk. */
  private dispatch(ptr: usize, n: i32): void {
    this.account(ptr, n);
    const k = this.events.length;
    let ev: SseEvent;
    if (k < this.pool.length) {
      ev = unchecked(this.pool[k]);
      ev.complete = true;
    } else {
      ev = new SseEvent();
      if (k < MAX_POOLED_EVENTS) this.pool.push(ev);
    }
    ev.event = this.eventType;
    ev.data = this.data.toArrayBuffer();
    ev.hasData = this.hasData;
    ev.id = this.id;
    ev.retry = this.retry;
    ev.comments = this.comments;
    ev.rawLength = this.rawLen;
    const raw = this.raw;
    if (raw !== null) {
      ev.raw = raw.toArrayBuffer();
      raw.clear();
      raw.shrinkTo(KEEP_CAPACITY);
    }
    this.events.push(ev);
    this.rawLen = 0;
    this.startEvent();
  }

  private startEvent(): void {
    this.data.clear();
    this.data.shrinkTo(KEEP_CAPACITY);
    this.line.shrinkTo(KEEP_CAPACITY);
    const raw = this.raw;
    if (raw !== null) raw.clear();
    this.eventType = "";
    this.id = null;
    this.retry = -1;
    this.hasData = false;
    this.comments = 0;
    this.sawLine = false;
  }
}

function fieldIs(ptr: usize, n: i32, name: string): bool {
  if (n != name.length) return false;
  for (let i = 0; i < n; i++) {
    if (<u32>load<u8>(ptr + <usize>i) != <u32>name.charCodeAt(i)) return false;
  }
  return true;
}

function hasNul(ptr: usize, n: i32): bool {
  for (let i = 0; i < n; i++) if (load<u8>(ptr + <usize>i) == 0) return true;
  return false;
}

/** The value of an all-ASCII-digit field, or -1 when it is empty, not digits, or too long. */
function parseDigits(ptr: usize, n: i32): i64 {
  if (n == 0 || n > MAX_RETRY_DIGITS) return -1;
  let v: i64 = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(ptr + <usize>i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + <i64>c;
  }
  return v;
}
