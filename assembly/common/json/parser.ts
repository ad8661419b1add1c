// A JSON parser (RFC 8259) for untrusted bytes. It never traps: every problem
// (bad syntax, truncation, too deep, too large, bad UTF-8 or escapes) comes
// back as a JsonError with a stable code and the byte offset. Nesting is
// tracked in a fixed array of maxDepth entries, not on the wasm stack, and
// values go to a flat tape (see tape.ts): one pass, no allocation per value.
import { ERR_DEPTH, ERR_ESCAPE, ERR_NUMBER, ERR_SYNTAX, ERR_TOO_LARGE, ERR_TRUNCATED, ERR_UTF8, JsonError } from "./errors";
import * as s from "./scan";
import { FLAG, NAME_KIND, Tape } from "./tape";
import { JsonDocument, JsonKind, JsonValue } from "./value";
import { decimal } from "../text/decimal";

export const DEFAULT_MAX_DEPTH: i32 = 64;
/** Deeper settings are clamped: code that walks a document recursively relies on this bound. */
export const MAX_DEPTH_LIMIT: i32 = 1024;
export const DEFAULT_MAX_BYTES: i32 = 8 << 20;

export class ParseOptions {
  constructor(
    /** Containers nested deeper than this are a `depth` error; clamped to 1..MAX_DEPTH_LIMIT. */
    public maxDepth: i32 = DEFAULT_MAX_DEPTH,
    /** Inputs longer than this are a `too_large` error. */
    public maxBytes: i32 = DEFAULT_MAX_BYTES,
  ) {}
}

export class ParseResult {
  constructor(public doc: JsonDocument | null, public error: JsonError | null) {}

  get ok(): bool {
    return this.doc !== null;
  }

  /** The root value, or null when parsing failed. */
  get root(): JsonValue | null {
    const d = this.doc;
    return d === null ? null : d.root;
  }
}

const DEFAULTS = new ParseOptions();

/** run()'s stack of open containers, kept between parses (one runs at a time): two i32 per level, grown to the deepest limit asked for. */
let containerStack = new StaticArray<i32>(DEFAULT_MAX_DEPTH << 1);

export function parseJson(src: ArrayBuffer, options: ParseOptions | null = null): ParseResult {
  const opts = options === null ? DEFAULTS : options;
  const n = src.byteLength;
  if (n > opts.maxBytes) {
    const limit = max(opts.maxBytes, 0);
    return new ParseResult(null, new JsonError(ERR_TOO_LARGE, limit, "input of " + decimal(n) + " bytes exceeds the limit of " + decimal(limit)));
  }
  const maxDepth = min(max(opts.maxDepth, 1), MAX_DEPTH_LIMIT);
  const tape = new Tape((n >> 4) + 16);
  if (!runOn(tape, src, maxDepth)) return new ParseResult(null, describe(s.scanError, s.scanErrorAt, src, maxDepth));
  return new ParseResult(new JsonDocument(src, tape), null);
}

/**
 * parseJson() into a document made for reuse (many small documents in turn,
 * e.g. a stream's events): its tape memory serves parse after parse, and
 * nothing is allocated (a tape grown past 64 KiB by a large document is let
 * go at release() or the next parse). True on success; on failure the
 * document holds `null` (parseJson() says why). Handles on its previous
 * content must not be used afterwards; release() lets go of the input when
 * done.
 */
export function reparseJson(doc: JsonDocument, src: ArrayBuffer, options: ParseOptions | null = null): bool {
  const opts = options === null ? DEFAULTS : options;
  const tape = doc.tape;
  tape.trim();
  tape.count = 0;
  tape.depth = 0;
  if (src.byteLength > opts.maxBytes || !runOn(tape, src, min(max(opts.maxDepth, 1), MAX_DEPTH_LIMIT))) {
    doc.release();
    return false;
  }
  doc.reload(src);
  return true;
}

function runOn(tape: Tape, src: ArrayBuffer, maxDepth: i32): bool {
  if (containerStack.length < maxDepth << 1) containerStack = new StaticArray<i32>(maxDepth << 1);
  return run(tape, changetype<usize>(src), src.byteLength, maxDepth, changetype<usize>(containerStack));
}

export function parseJsonText(text: string, options: ParseOptions | null = null): ParseResult {
  return parseJson(String.UTF8.encode(text), options);
}

// @ts-ignore: decorator
@inline
function record(tp: usize, i: i32, head: i32, start: i32, end: i32): void {
  const at = tp + (<usize>i << 4);
  store<i32>(at, head);
  store<i32>(at, start, 4);
  store<i32>(at, end, 8);
  store<i32>(at, i + 1, 12);
}

// @ts-ignore: decorator
@inline
function closeRecord(tp: usize, i: i32, end: i32, count: i32, after: i32): void {
  const at = tp + (<usize>i << 4);
  store<i32>(at, (load<i32>(at) & 15) | (count << 4));
  store<i32>(at, end, 8);
  store<i32>(at, after, 12);
}

/**
 * The parse loop. `stack` holds two i32 per open container: its tape index
 * and its element count. Returns false with scan.scanError set on failure.
 */
function run(tape: Tape, base: usize, n: i32, maxDepth: i32, stack: usize): bool {
  let tp = changetype<usize>(tape.buf);
  let cap = tape.capacity;
  let count = 0;
  let depth = 0;
  let deepest = 0;
  let p = s.skipWs(base, 0, n);
  if (p >= n) return s.failAt(s.R_EMPTY, p) == 0;
  while (true) {
    // A value starts at p.
    if (p >= n) return s.failAt(s.R_EOF_VALUE, p) == 0;
    if (count + 2 > cap) {
      tape.count = count;
      tape.grow();
      tp = changetype<usize>(tape.buf);
      cap = tape.capacity;
    }
    const b = s.byteAt(base, p);
    const start = p;
    if (b == 0x7b || b == 0x5b) {
      if (depth >= maxDepth) return s.failAt(s.R_DEPTH, p) == 0;
      if (depth >= deepest) deepest = depth + 1;
      const isObject = b == 0x7b;
      const at = count++;
      record(tp, at, isObject ? JsonKind.Object : JsonKind.Array, p, p);
      p = s.skipWs(base, p + 1, n);
      if (p < n && s.byteAt(base, p) == b + 2) {
        // Empty container: '{' + 2 is '}', '[' + 2 is ']'.
        p++;
        closeRecord(tp, at, p, 0, count);
      } else {
        const slot = stack + (<usize>depth << 3);
        store<i32>(slot, at);
        store<i32>(slot, 0, 4);
        depth++;
        if (isObject) {
          const nameStart = p;
          p = s.scanName(base, p, n);
          if (p < 0) return false;
          record(tp, count++, NAME_KIND | (s.scanEscaped ? FLAG : 0), nameStart, s.nameEnd);
        }
        continue;
      }
    } else if (b == 0x22) {
      p = s.scanString(base, p, n);
      if (p < 0) return false;
      record(tp, count++, JsonKind.String | (s.scanEscaped ? FLAG : 0), start, p);
    } else if (b == 0x2d || b - 0x30 <= 9) {
      p = s.scanNumber(base, p, n);
      if (p < 0) return false;
      record(tp, count++, JsonKind.Number | (s.scanInteger ? FLAG : 0), start, p);
    } else if (b == 0x74) {
      p = s.scanLiteral(base, p, n, 0x65757274, 4); // "true"
      if (p < 0) return false;
      record(tp, count++, JsonKind.Bool, start, p);
    } else if (b == 0x66) {
      p = s.scanLiteral(base, p, n, 0x65736c6166, 5); // "false"
      if (p < 0) return false;
      record(tp, count++, JsonKind.Bool, start, p);
    } else if (b == 0x6e) {
      p = s.scanLiteral(base, p, n, 0x6c6c756e, 4); // "null"
      if (p < 0) return false;
      record(tp, count++, JsonKind.Null, start, p);
    } else {
      return s.failAt(s.R_VALUE, p) == 0;
    }
    // A value ended: count it, then close every container that ends here.
    while (depth > 0) {
      const slot = stack + (<usize>(depth - 1) << 3);
      const top = load<i32>(slot);
      const elements = load<i32>(slot, 4) + 1;
      store<i32>(slot, elements, 4);
      const isObject = (load<i32>(tp + (<usize>top << 4)) & 7) == JsonKind.Object;
      p = s.skipWs(base, p, n);
      if (p >= n) return s.failAt(isObject ? s.R_EOF_OBJECT : s.R_EOF_ARRAY, p) == 0;
      const c = s.byteAt(base, p);
      if (c == 0x2c) {
        p = s.skipWs(base, p + 1, n);
        if (isObject) {
          const nameStart = p;
          p = s.scanName(base, p, n);
          if (p < 0) return false;
          if (count + 2 > cap) {
            tape.count = count;
            tape.grow();
            tp = changetype<usize>(tape.buf);
            cap = tape.capacity;
          }
          record(tp, count++, NAME_KIND | (s.scanEscaped ? FLAG : 0), nameStart, s.nameEnd);
        }
        break;
      }
      if (c != (isObject ? 0x7d : 0x5d)) return s.failAt(isObject ? s.R_OBJECT_SEPARATOR : s.R_ARRAY_SEPARATOR, p) == 0;
      p++;
      closeRecord(tp, top, p, elements, count);
      depth--;
    }
    if (depth > 0) continue;
    p = s.skipWs(base, p, n);
    if (p < n) return s.failAt(s.R_TRAILING, p) == 0;
    tape.count = count;
    tape.depth = deepest;
    return true;
  }
  return false;
}

function describeByte(b: u32): string {
  if (b >= 0x21 && b < 0x7f) return "'" + String.fromCharCode(b) + "'";
  // Two hex digits by hand: toString(16) brings a 1 KiB table into every module.
  const hex = "0123456789abcdef";
  return "byte 0x" + hex.charAt((b >> 4) & 15) + hex.charAt(b & 15);
}

/** Builds the error for a failed parse (only then are messages allocated). */
function describe(reason: i32, at: i32, src: ArrayBuffer, maxDepth: i32): JsonError {
  const got = at < src.byteLength ? ", got " + describeByte(<u32>load<u8>(changetype<usize>(src) + <usize>at)) : "";
  let code = ERR_TRUNCATED;
  let message = "";
  switch (reason) {
    case s.R_EMPTY: message = "empty input"; break;
    case s.R_EOF_VALUE: message = "input ends where a value should start"; break;
    case s.R_EOF_OBJECT: message = "input ends inside an object"; break;
    case s.R_EOF_ARRAY: message = "input ends inside an array"; break;
    case s.R_EOF_NAME: message = "input ends where a member name should start"; break;
    case s.R_EOF_COLON: message = "input ends before ':'"; break;
    case s.R_EOF_LITERAL: message = "input ends inside a literal"; break;
    case s.R_EOF_NUMBER: message = "input ends inside a number"; break;
    case s.R_EOF_STRING: message = "input ends inside a string"; break;
    case s.R_EOF_ESCAPE: message = "input ends inside an escape"; break;
    case s.R_EOF_UTF8: message = "input ends inside a UTF-8 sequence"; break;
    case s.R_DEPTH: code = ERR_DEPTH; message = "nesting deeper than " + decimal(maxDepth); break;
    case s.R_DIGIT: code = ERR_NUMBER; message = "expected a digit" + got; break;
    case s.R_LEADING_ZERO: code = ERR_NUMBER; message = "leading zeros are not allowed"; break;
    case s.R_HEX: code = ERR_ESCAPE; message = "\\u must be followed by 4 hex digits"; break;
    case s.R_ESCAPE: code = ERR_ESCAPE; message = "invalid escape character" + got.substring(1); break;
    case s.R_UTF8: code = ERR_UTF8; message = "invalid UTF-8 in a string"; break;
    case s.R_OBJECT_SEPARATOR: code = ERR_SYNTAX; message = "expected ',' or '}'" + got; break;
    case s.R_ARRAY_SEPARATOR: code = ERR_SYNTAX; message = "expected ',' or ']'" + got; break;
    case s.R_NAME: code = ERR_SYNTAX; message = "expected a member name in double quotes" + got; break;
    case s.R_COLON: code = ERR_SYNTAX; message = "expected ':' after a member name" + got; break;
    case s.R_VALUE: code = ERR_SYNTAX; message = "expected a value" + got; break;
    case s.R_LITERAL: code = ERR_SYNTAX; message = "invalid literal (true, false or null)" + got; break;
    case s.R_CONTROL: code = ERR_SYNTAX; message = "unescaped control character in a string" + got; break;
    case s.R_TRAILING: code = ERR_SYNTAX; message = "unexpected data after the document" + got; break;
    default: code = ERR_SYNTAX; message = "invalid JSON";
  }
  return new JsonError(code, at, message);
}
