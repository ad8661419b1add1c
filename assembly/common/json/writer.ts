// JSON writer: builds UTF-8 JSON with the escaping JSON.stringify uses
// (short escapes for \b \f \n \r \t, \u00XX for other control characters,
// \uXXXX for lone surrogates, everything else as UTF-8), so the output is
// valid JSON for any AssemblyScript string, including non-BMP text.
import { ByteBuf } from "../bytes";

const HEX = "0123456789abcdef";

function escapeUnit(sink: ByteBuf, u: u32): void {
  sink.pushByte(0x5c);
  sink.pushByte(0x75);
  sink.pushByte(<u32>HEX.charCodeAt((u >> 12) & 0xf));
  sink.pushByte(<u32>HEX.charCodeAt((u >> 8) & 0xf));
  sink.pushByte(<u32>HEX.charCodeAt((u >> 4) & 0xf));
  sink.pushByte(<u32>HEX.charCodeAt(u & 0xf));
}

/** Appends `s` as a quoted JSON string. */
export function writeJsonString(sink: ByteBuf, s: string): void {
  const n = s.length;
  // Printable ASCII up to the first unit that needs escaping or encoding is
  // copied without a capacity check per byte: most strings are all of it.
  const out = sink.claim(n + 2);
  store<u8>(out, 0x22);
  const src = changetype<usize>(s);
  let i = 0;
  while (i < n) {
    const c = <u32>load<u16>(src + (<usize>i << 1));
    if (c < 0x20 || c >= 0x80 || c == 0x22 || c == 0x5c) break;
    store<u8>(out + 1 + <usize>i, <u8>c);
    i++;
  }
  sink.commit(i + 1);
  for (; i < n; i++) {
    const c = <u32>s.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20 && c != 0x22 && c != 0x5c) {
        sink.pushByte(c);
      } else if (c == 0x22 || c == 0x5c) {
        sink.pushByte(0x5c);
        sink.pushByte(c);
      } else if (c == 0x08) {
        sink.pushByte(0x5c);
        sink.pushByte(0x62);
      } else if (c == 0x0c) {
        sink.pushByte(0x5c);
        sink.pushByte(0x66);
      } else if (c == 0x0a) {
        sink.pushByte(0x5c);
        sink.pushByte(0x6e);
      } else if (c == 0x0d) {
        sink.pushByte(0x5c);
        sink.pushByte(0x72);
      } else if (c == 0x09) {
        sink.pushByte(0x5c);
        sink.pushByte(0x74);
      } else {
        escapeUnit(sink, c);
      }
    } else if (c < 0x800) {
      sink.pushByte(0xc0 | (c >> 6));
      sink.pushByte(0x80 | (c & 0x3f));
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? <u32>s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        sink.pushByte(0xf0 | (cp >> 18));
        sink.pushByte(0x80 | ((cp >> 12) & 0x3f));
        sink.pushByte(0x80 | ((cp >> 6) & 0x3f));
        sink.pushByte(0x80 | (cp & 0x3f));
        i++;
      } else {
        escapeUnit(sink, c);
      }
    } else {
      sink.pushByte(0xe0 | (c >> 12));
      sink.pushByte(0x80 | ((c >> 6) & 0x3f));
      sink.pushByte(0x80 | (c & 0x3f));
    }
  }
  sink.pushByte(0x22);
}

/** `s` as a quoted JSON string literal. */
export function quoteJson(s: string): string {
  const sink = new ByteBuf(s.length + 16);
  writeJsonString(sink, s);
  return sink.toText();
}

/**
 * Streaming writer with automatic commas:
 *   w.beginObject().key("a").int(1).key("b").beginArray().string("x").endArray().endObject()
 * Misuse (a value where a key is due, unbalanced ends) is not checked: the
 * writer is driven by our own code, never by input.
 */
export class JsonWriter {
  sink: ByteBuf;
  // One entry per open container: true until its first element is written.
  private firsts: Array<bool> = new Array<bool>();
  private afterKey: bool = false;

  constructor(capacity: i32 = 256) {
    this.sink = new ByteBuf(capacity);
  }

  private separate(): void {
    if (this.afterKey) {
      this.afterKey = false;
      return;
    }
    const depth = this.firsts.length;
    if (depth == 0) return;
    if (unchecked(this.firsts[depth - 1])) unchecked((this.firsts[depth - 1] = false));
    else this.sink.pushByte(0x2c);
  }

  private close(b: u32): JsonWriter {
    if (this.firsts.length > 0) this.firsts.pop();
    this.sink.pushByte(b);
    return this;
  }

  beginObject(): JsonWriter {
    this.separate();
    this.sink.pushByte(0x7b);
    this.firsts.push(true);
    return this;
  }

  endObject(): JsonWriter {
    return this.close(0x7d);
  }

  beginArray(): JsonWriter {
    this.separate();
    this.sink.pushByte(0x5b);
    this.firsts.push(true);
    return this;
  }

  endArray(): JsonWriter {
    return this.close(0x5d);
  }

  key(name: string): JsonWriter {
    this.separate();
    writeJsonString(this.sink, name);
    this.sink.pushByte(0x3a);
    this.afterKey = true;
    return this;
  }

  string(s: string): JsonWriter {
    this.separate();
    writeJsonString(this.sink, s);
    return this;
  }

  /** A string, or null when `s` is null. */
  stringOrNull(s: string | null): JsonWriter {
    if (s === null) return this.nullValue();
    return this.string(s);
  }

  int(v: i64): JsonWriter {
    this.separate();
    this.sink.pushInt(v);
    return this;
  }

  /** A finite number; NaN and infinities have no JSON form and are written as null. */
  float(v: f64): JsonWriter {
    if (!isFinite(v)) return this.nullValue();
    this.separate();
    if (v == Math.floor(v) && Math.abs(v) < 9007199254740992) this.sink.pushInt(<i64>v);
    else this.sink.pushAscii(v.toString());
    return this;
  }

  bool(v: bool): JsonWriter {
    this.separate();
    this.sink.pushAscii(v ? "true" : "false");
    return this;
  }

  nullValue(): JsonWriter {
    this.separate();
    this.sink.pushAscii("null");
    return this;
  }

  /** Inserts JSON text as one value, unchanged; it must be valid JSON (e.g. a span of a parsed document). */
  raw(json: string): JsonWriter {
    this.separate();
    const b = String.UTF8.encode(json);
    this.sink.pushBuffer(b);
    return this;
  }

  /** Like raw(), from bytes [start, end) of `src`. */
  rawRange(src: ArrayBuffer, start: i32, end: i32): JsonWriter {
    this.separate();
    this.sink.pushRange(src, start, end);
    return this;
  }

  /** Empties the writer for another document, keeping its buffer. */
  reset(): void {
    this.sink.clear();
    this.firsts.length = 0;
    this.afterKey = false;
  }

  toBytes(): ArrayBuffer {
    return this.sink.toArrayBuffer();
  }

  toString(): string {
    return this.sink.toText();
  }
}
