// Typed reads of a parsed configuration object. Each read records a readable
// error when the field is missing, of the wrong type or out of range, e.g.
//   field `_rules_[1].limits[0].window`: must be one of second, minute, hour, day (got "week")
// and returns a fallback so parsing goes on and every problem is reported.
// An explicit JSON null counts as absent (YAML's `key: ~` gives one).
import { JsonKind, JsonValue, quoteJson } from "../json";
import { ConfigErrors } from "./errors";
import { decimal } from "../text/decimal";

const SAFE_INTEGER: f64 = 9007199254740992;

/** A short description of a value for error messages: strings quoted (cut at 40 characters), containers by kind. */
export function describeValue(v: JsonValue): string {
  switch (v.kind) {
    case JsonKind.String: {
      const t = v.text();
      const s = t === null ? "" : t;
      return s.length > 40 ? quoteJson(s.substring(0, 40)) + "..." : quoteJson(s);
    }
    case JsonKind.Array:
      return "an array";
    case JsonKind.Object:
      return "an object";
    default: {
      const raw = v.raw();
      return raw.length > 40 ? raw.substring(0, 40) + "..." : raw;
    }
  }
}

// Bounds in messages are written with at most 6 decimals; f64.toString would
// link the shortest-digits printer (about 3.5 KB) into every module for them.
function numberText(x: f64): string {
  if (x == Math.floor(x) && Math.abs(x) < 9.2e18) return decimal(<i64>x);
  const scaled = <i64>Math.round(Math.abs(x) * 1e6);
  let frac = decimal(scaled % 1000000);
  while (frac.length < 6) frac = "0" + frac;
  let end = frac.length;
  while (end > 1 && frac.charCodeAt(end - 1) == 48) end--;
  return (x < 0 ? "-" : "") + decimal(scaled / 1000000) + "." + frac.substring(0, end);
}

/** "between lo and hi", ">= lo", "<= hi" or "" (a bound that is absent is not written). */
function boundsText(lo: string | null, hi: string | null): string {
  if (lo !== null && hi !== null) return " between " + lo + " and " + hi;
  if (lo !== null) return " >= " + lo;
  if (hi !== null) return " <= " + hi;
  return "";
}

function intRangeText(min: i64, max: i64): string {
  return "an integer" + boundsText(min == i64.MIN_VALUE ? null : decimal(min), max == i64.MAX_VALUE ? null : decimal(max));
}

function numberRangeText(min: f64, max: f64): string {
  return "a number" + boundsText(min > -Infinity ? numberText(min) : null, max < Infinity ? numberText(max) : null);
}

/**
 * The value of a JSON number literal with a fraction or exponent that is a
 * whole number below 2^53 (`1e3`, `10.0`, `2.5e1`), computed from its digits
 * (no float parser linked in for it); i64.MIN_VALUE when it is not one.
 */
function integralValue(raw: string): i64 {
  let i = 0;
  const negative = raw.charCodeAt(0) == 0x2d;
  if (negative) i++;
  let digits = "";
  let scale: i32 = 0; // power of ten to apply to `digits`
  let inFraction = false;
  for (; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c == 0x2e) inFraction = true;
    else if (c >= 0x30 && c <= 0x39) {
      if (digits.length > 0 || c != 0x30) digits += String.fromCharCode(c);
      if (inFraction) scale--;
    } else break;
  }
  if (i < raw.length) {
    // e or E, an optional sign, digits (the JSON grammar the parser checked)
    const minus = raw.charCodeAt(i + 1) == 0x2d;
    let e: i32 = 0;
    for (let j = i + 1; j < raw.length; j++) {
      const c = raw.charCodeAt(j);
      if (c < 0x30 || c > 0x39) continue;
      if (e > 10000) return i64.MIN_VALUE;
      e = e * 10 + (c - 0x30);
    }
    scale += minus ? -e : e;
  }
  if (digits.length == 0) return 0;
  let end = digits.length;
  while (scale < 0 && digits.charCodeAt(end - 1) == 0x30) {
    end--;
    scale++;
  }
  if (scale < 0 || end + scale > 16) return i64.MIN_VALUE;
  let n: i64 = 0;
  for (let k = 0; k < end; k++) n = n * 10 + <i64>(digits.charCodeAt(k) - 0x30);
  for (let k = 0; k < scale; k++) n *= 10;
  if (n >= <i64>SAFE_INTEGER) return i64.MIN_VALUE;
  return negative ? -n : n;
}

export class ConfigReader {
  // Member names read so far, for rejectUnknown().
  private seen: Array<string> = new Array<string>();

  constructor(
    /** The object being read (anything else is reported once, by the creator of the reader). */
    public value: JsonValue,
    /** Path of this object from the configuration root, "" at the root. */
    public path: string,
    public errors: ConfigErrors,
  ) {}

  /** Path of member `key` of this object. */
  fieldPath(key: string): string {
    return this.path.length == 0 ? key : this.path + "." + key;
  }

  /** Records a problem with member `key` (for checks the typed reads cannot express). */
  fail(key: string, reason: string): void {
    this.errors.add(this.fieldPath(key), reason);
  }

  /** Records a problem with this object as a whole. */
  failHere(reason: string): void {
    this.errors.add(this.path, reason);
  }

  /** Counts `key` as known, for rejectUnknown(). */
  markSeen(key: string): void {
    if (!this.seen.includes(key)) this.seen.push(key);
  }

  /** The member, or null when absent or JSON null. */
  member(key: string): JsonValue | null {
    this.markSeen(key);
    const v = this.value.get(key);
    if (v === null || v.kind == JsonKind.Null) return null;
    return v;
  }

  has(key: string): bool {
    return this.member(key) !== null;
  }

  private missing(key: string, required: bool): void {
    if (required) this.fail(key, "is required");
  }

  private wrongType(key: string, what: string, v: JsonValue): void {
    this.fail(key, "must be " + what + " (got " + describeValue(v) + ")");
  }

  // ---- strings ---------------------------------------------------------------

  private readString(key: string, required: bool): string | null {
    const v = this.member(key);
    if (v === null) {
      this.missing(key, required);
      return null;
    }
    const s = v.text();
    if (s === null) {
      this.wrongType(key, "a string", v);
      return null;
    }
    if (required && s.length == 0) {
      this.fail(key, "must not be empty");
      return null;
    }
    return s;
  }

  /** A non-empty string; "" (with an error recorded) when missing or invalid. */
  requiredString(key: string): string {
    const s = this.readString(key, true);
    return s === null ? "" : s;
  }

  /** A string, or `fallback` when absent (or invalid, with an error recorded). */
  optionalString(key: string, fallback: string): string {
    const s = this.readString(key, false);
    return s === null ? fallback : s;
  }

  /** A string, or null when absent (or invalid, with an error recorded). */
  stringOrNull(key: string): string | null {
    return this.readString(key, false);
  }

  private readEnum(key: string, allowed: Array<string>, required: bool): string | null {
    const v = this.member(key);
    if (v === null) {
      this.missing(key, required);
      return null;
    }
    const s = v.text();
    if (s !== null && allowed.includes(s)) return s;
    this.fail(key, "must be one of " + allowed.join(", ") + " (got " + describeValue(v) + ")");
    return null;
  }

  /** One of `allowed`; the first allowed value (with an error recorded) when missing or invalid. */
  requiredEnum(key: string, allowed: Array<string>): string {
    const s = this.readEnum(key, allowed, true);
    return s === null ? (allowed.length > 0 ? allowed[0] : "") : s;
  }

  /** One of `allowed`, or `fallback` when absent (or invalid, with an error recorded). */
  optionalEnum(key: string, allowed: Array<string>, fallback: string): string {
    const s = this.readEnum(key, allowed, false);
    return s === null ? fallback : s;
  }

  // ---- numbers and booleans --------------------------------------------------

  /** Reads an integer in [min, max]; integral numbers written as 1e3 or 10.0 count. Sets `lastOk`. */
  private readInt(key: string, min: i64, max: i64, required: bool): i64 {
    this.lastOk = false;
    const v = this.member(key);
    // The i64 extremes are the "no bound" defaults.
    const range = intRangeText(min, max);
    if (v === null) {
      this.missing(key, required);
      return 0;
    }
    if (v.kind != JsonKind.Number) {
      this.wrongType(key, range, v);
      return 0;
    }
    let n = v.toI64(i64.MIN_VALUE);
    let exact = n != i64.MIN_VALUE || v.raw() == "-9223372036854775808";
    if (!exact) {
      n = integralValue(v.raw());
      exact = n != i64.MIN_VALUE;
    }
    if (!exact || n < min || n > max) {
      this.wrongType(key, range, v);
      return 0;
    }
    this.lastOk = true;
    return n;
  }

  private lastOk: bool = false;

  /** An integer in [min, max]; `min` (with an error recorded) when missing or invalid. */
  requiredInt(key: string, min: i64 = i64.MIN_VALUE, max: i64 = i64.MAX_VALUE): i64 {
    const n = this.readInt(key, min, max, true);
    return this.lastOk ? n : min;
  }

  /** An integer in [min, max], or `fallback` when absent (or invalid, with an error recorded). */
  optionalInt(key: string, fallback: i64, min: i64 = i64.MIN_VALUE, max: i64 = i64.MAX_VALUE): i64 {
    const n = this.readInt(key, min, max, false);
    return this.lastOk ? n : fallback;
  }

  private readNumber(key: string, min: f64, max: f64, required: bool): f64 {
    this.lastOk = false;
    const v = this.member(key);
    if (v === null) {
      this.missing(key, required);
      return 0;
    }
    const f = v.toF64();
    if (v.kind != JsonKind.Number || !isFinite(f) || f < min || f > max) {
      this.wrongType(key, numberRangeText(min, max), v);
      return 0;
    }
    this.lastOk = true;
    return f;
  }

  /** A finite number in [min, max]; `min` (or 0 when unbounded, with an error recorded) when missing or invalid. */
  requiredNumber(key: string, min: f64 = -Infinity, max: f64 = Infinity): f64 {
    const f = this.readNumber(key, min, max, true);
    return this.lastOk ? f : isFinite(min) ? min : 0;
  }

  /** A finite number in [min, max], or `fallback` when absent (or invalid, with an error recorded). */
  optionalNumber(key: string, fallback: f64, min: f64 = -Infinity, max: f64 = Infinity): f64 {
    const f = this.readNumber(key, min, max, false);
    return this.lastOk ? f : fallback;
  }

  private readBool(key: string, required: bool, fallback: bool): bool {
    const v = this.member(key);
    if (v === null) {
      this.missing(key, required);
      return fallback;
    }
    if (v.kind != JsonKind.Bool) {
      this.wrongType(key, "true or false", v);
      return fallback;
    }
    return v.isTrue;
  }

  requiredBool(key: string): bool {
    return this.readBool(key, true, false);
  }

  optionalBool(key: string, fallback: bool): bool {
    return this.readBool(key, false, fallback);
  }

  // ---- containers ------------------------------------------------------------

  /** An array of strings (each non-empty), at least `minItems` long; empty when absent or invalid. */
  stringArray(key: string, required: bool = false, minItems: i32 = 0): Array<string> {
    const out = new Array<string>();
    const v = this.member(key);
    if (v === null) {
      this.missing(key, required);
      return out;
    }
    if (v.kind != JsonKind.Array) {
      this.wrongType(key, "an array of strings", v);
      return out;
    }
    const base = this.fieldPath(key);
    // One cursor walks the items: a value object per item would be 10k
    // objects of garbage for 10k keywords, and configure collects only when
    // it returns, so they would stay in the VM's resident memory.
    const item = v.clone();
    let i = 0;
    for (let more = item.moveToFirst(); more; more = item.moveToNext(), i++) {
      const s = item.text();
      // The item's path only on error: a list of 10k keywords would make 40k strings of garbage.
      if (s === null) this.errors.add(base + "[" + decimal(i) + "]", "must be a string (got " + describeValue(item) + ")");
      else if (s.length == 0) this.errors.add(base + "[" + decimal(i) + "]", "must not be empty");
      else out.push(s);
    }
    if (i < minItems) this.fail(key, "must have at least " + decimal(minItems) + (minItems == 1 ? " item" : " items"));
    return out;
  }

  /** A reader for object member `key`; null when absent (or not an object, with an error recorded). */
  object(key: string, required: bool = false): ConfigReader | null {
    const v = this.member(key);
    if (v === null) {
      this.missing(key, required);
      return null;
    }
    if (v.kind != JsonKind.Object) {
      this.wrongType(key, "an object", v);
      return null;
    }
    return new ConfigReader(v, this.fieldPath(key), this.errors);
  }

  /** Readers for the objects of array member `key` (at least `minItems`); non-objects are reported and skipped. */
  objectArray(key: string, required: bool = false, minItems: i32 = 0): Array<ConfigReader> {
    const out = new Array<ConfigReader>();
    const v = this.member(key);
    if (v === null) {
      this.missing(key, required);
      return out;
    }
    if (v.kind != JsonKind.Array) {
      this.wrongType(key, "an array of objects", v);
      return out;
    }
    const base = this.fieldPath(key);
    const items = v.children();
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const at = base + "[" + decimal(i) + "]";
      if (item.kind != JsonKind.Object) this.errors.add(at, "must be an object (got " + describeValue(item) + ")");
      else out.push(new ConfigReader(item, at, this.errors));
    }
    if (items.length < minItems) this.fail(key, "must have at least " + decimal(minItems) + (minItems == 1 ? " item" : " items"));
    return out;
  }

  /** Reports every member not read (or marked seen) so far: call it last, when typos must not pass silently. */
  rejectUnknown(): void {
    let m = this.value.first();
    while (m !== null) {
      const name = m.key();
      if (name !== null && !this.seen.includes(name)) this.fail(name, "unknown field");
      m = m.next();
    }
  }
}
