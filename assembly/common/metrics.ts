// Counters, gauges and histograms over proxy-wasm metrics.
//
// Define metrics once (at configure time) and keep the objects: each
// proxy_define_metric call hands out a new id, so defining per request would
// grow the host's tables. When the host refuses a definition the metric stays
// inert; updates never trap.
//
// Naming scheme. Envoy stores a wasm metric as "wasmcustom.<name>" (so it is
// listed on /stats), and on /stats/prometheus strips that namespace, replaces
// every character outside [a-zA-Z0-9_] with "_" and adds no "envoy_" prefix.
// Tags are encoded in the name after the base, as name/value segments:
//
//   <base>.<tag1>.<value1>.<tag2>.<value2>      e.g. aigw_tokens_total.route.chat.model.gpt-4o
//
// Without tag extraction that shows as one flat series name
// (aigw_tokens_total_route_chat_model_gpt_4o). With one stats_tags entry per
// tag in the bootstrap's stats_config, Envoy turns the segments into labels
// (aigw_tokens_total{route="chat",model="gpt-4o"}); the first capture group is
// cut from the name, the second is the value:
//
//   stats_tags:
//   - tag_name: route
//     regex: '^wasmcustom\.[^.]+(?:\.[^.]+\.[^.]+)*?(\.route\.([^.]+))(?:\.[^.]+\.[^.]+)*$'
//
// (anchored and aligned on name/value pairs, so a value equal to a tag name
// cannot be mistaken for a tag; checked against Envoy 1.40's /stats/prometheus). Values are sanitized to [A-Za-z0-9_-] ("."
// and anything else become "_"), cut to 64 characters, and "unknown" when
// empty. Avoid base names ending in `_rq_<3 digits>` or `_rq_<digit>xx`:
// Envoy's default response-code extractors would match them.
//
// Dynamic labels (model names from request bodies ...) go through a MetricVec
// with a bounded number of series: past the bound, new label combinations are
// counted in one overflow series whose values are all "other".
import { defineMetric, getMetric, incrementMetric, MetricType, recordMetric } from "./runtime/host";

const NO_ID: u32 = u32.MAX_VALUE;
const MAX_VALUE_LENGTH = 64;
export const OVERFLOW_VALUE = "other";

export abstract class Metric {
  readonly id: u32;

  constructor(readonly type: MetricType, readonly name: string) {
    this.id = defineMetric(type, name);
  }

  /** False when the host refused the definition: updates are then ignored. */
  get defined(): bool {
    return this.id != NO_ID;
  }

  /** Current value (0 when undefined or unknown to the host). Envoy has none for histograms. */
  value(): u64 {
    return this.id == NO_ID ? 0 : getMetric(this.id);
  }
}

export class Counter extends Metric {
  constructor(name: string) {
    super(MetricType.Counter, name);
  }

  /** Adds `delta`; zero or negative deltas are skipped (Envoy answers BadArgument). */
  inc(delta: i64 = 1): void {
    if (delta <= 0 || this.id == NO_ID) return;
    incrementMetric(this.id, delta);
  }
}

export class Gauge extends Metric {
  constructor(name: string) {
    super(MetricType.Gauge, name);
  }

  set(v: u64): void {
    if (this.id == NO_ID) return;
    recordMetric(this.id, v);
  }

  /** Adds a positive or negative delta. */
  add(delta: i64): void {
    if (delta == 0 || this.id == NO_ID) return;
    incrementMetric(this.id, delta);
  }
}

export class Histogram extends Metric {
  constructor(name: string) {
    super(MetricType.Histogram, name);
  }

  record(v: u64): void {
    if (this.id == NO_ID) return;
    recordMetric(this.id, v);
  }
}

/** A tag value as it goes into a stat name. */
export function sanitizeTagValue(value: string): string {
  if (value.length == 0) return "unknown";
  const n = value.length < MAX_VALUE_LENGTH ? value.length : MAX_VALUE_LENGTH;
  let clean = true;
  for (let i = 0; i < n; i++) {
    if (!safeChar(value.charCodeAt(i))) {
      clean = false;
      break;
    }
  }
  if (clean) return n == value.length ? value : value.substring(0, n);
  const codes = new Array<i32>(n);
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    codes[i] = safeChar(c) ? c : 0x5f;
  }
  return String.fromCharCodes(codes);
}

function safeChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2d;
}

/** `<base>.<tag>.<value>...` (see the file comment); values are sanitized, missing ones are "unknown". */
export function metricName(base: string, tagNames: Array<string>, tagValues: Array<string>): string {
  let name = base;
  for (let i = 0; i < tagNames.length; i++) {
    name += "." + sanitizeTagValue(tagNames[i]) + "." + sanitizeTagValue(i < tagValues.length ? tagValues[i] : "");
  }
  return name;
}

/**
 * A family of metrics of one type sharing a base name and tag names, one
 * series per combination of tag values, at most `maxSeries` of them plus the
 * overflow series.
 */
export class MetricVec<T extends Metric> {
  private series: Map<string, T> = new Map<string, T>();
  private overflowSeries: T | null = null;

  constructor(readonly base: string, readonly tagNames: Array<string>, readonly maxSeries: i32 = 100) {}

  /** The series for these tag values (in tagNames order), defined on first use. */
  with(values: Array<string>): T {
    const name = metricName(this.base, this.tagNames, values);
    if (this.series.has(name)) return this.series.get(name);
    if (this.series.size >= this.maxSeries) return this.overflow();
    const m = instantiate<T>(name);
    this.series.set(name, m);
    return m;
  }

  /** Number of series defined, the overflow series not included. */
  get size(): i32 {
    return this.series.size;
  }

  private overflow(): T {
    const existing = this.overflowSeries;
    if (existing !== null) return existing;
    const values = new Array<string>(this.tagNames.length);
    for (let i = 0; i < values.length; i++) values[i] = OVERFLOW_VALUE;
    const m = instantiate<T>(metricName(this.base, this.tagNames, values));
    this.overflowSeries = m;
    return m;
  }
}

export class CounterVec extends MetricVec<Counter> {}
export class GaugeVec extends MetricVec<Gauge> {}
export class HistogramVec extends MetricVec<Histogram> {}
