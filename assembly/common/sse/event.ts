// One server-sent event as the parser reports it.
import { bytesEqualAscii } from "../bytes";

/** The data of events that carry none (shared: nothing writes into an event's data). */
export const NO_DATA = new ArrayBuffer(0);

export class SseEvent {
  /** Value of the last `event:` field; "" when absent (clients treat that as "message"). */
  event: string = "";
  /** Values of all `data:` fields joined with "\n", as UTF-8 bytes. */
  data: ArrayBuffer = NO_DATA;
  /** At least one `data` field was present: per the SSE spec only such events are dispatched. */
  hasData: bool = false;
  /** Value of the last `id:` field in this event, or null when it had none (ids containing NUL are ignored). */
  id: string | null = null;
  /** Value of a valid `retry:` field (milliseconds), or -1. */
  retry: i64 = -1;
  /** Number of comment lines (":...") in this event. */
  comments: i32 = 0;
  /**
   * Bytes of the stream this event covers: any blank lines before it, a
   * leading BOM, its lines and the blank line that ended it. The rawLength of
   * all events plus the parser's pending bytes always add up to the bytes fed.
   */
  rawLength: i32 = 0;
  /** Those bytes, when the parser was created with keepRaw. */
  raw: ArrayBuffer | null = null;
  /** False for an event flushed at end of stream without its closing blank line. */
  complete: bool = true;

  /** The data as a string (decodes UTF-8; invalid bytes never trap). */
  dataText(): string {
    return String.UTF8.decode(this.data);
  }

  /** True when the data is exactly the ASCII string `s` (no allocation). */
  dataIs(s: string): bool {
    return bytesEqualAscii(changetype<usize>(this.data), this.data.byteLength, s);
  }

  /** The event type a browser would dispatch: the `event` field or "message". */
  type(): string {
    return this.event.length == 0 ? "message" : this.event;
  }
}
