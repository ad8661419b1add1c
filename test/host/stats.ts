// Custom metrics. The stat store is per host (Envoy process): VMs that define
// the same name share the stat. Each VM hands out its own ids the way
// Envoy's Wasm class does (type in the low 2 bits, steps of 4), and applies
// Envoy's rules: a counter only grows (increment <= 0 is BadArgument, record
// adds), a gauge can go down, a histogram only records.
import { MetricType, WasmResult } from "./abi.ts";

export interface Stat {
  type: MetricType;
  name: string;
  value: bigint;
  /** Histogram samples in recording order. */
  samples: bigint[];
}

/** Envoy lists a wasm-defined metric under this prefix in /stats. */
export const ENVOY_CUSTOM_STAT_PREFIX = "wasmcustom.";

export class Stats {
  private stats = new Map<string, Stat>();

  ensure(type: MetricType, name: string): Stat {
    const key = `${type}:${name}`;
    let s = this.stats.get(key);
    if (!s) this.stats.set(key, (s = { type, name, value: 0n, samples: [] }));
    return s;
  }

  find(name: string, type?: MetricType): Stat | undefined {
    for (const s of this.stats.values()) if (s.name === name && (type === undefined || s.type === type)) return s;
    return undefined;
  }

  counter(name: string): number {
    return Number(this.find(name, MetricType.Counter)?.value ?? 0n);
  }

  gauge(name: string): number {
    return Number(this.find(name, MetricType.Gauge)?.value ?? 0n);
  }

  histogram(name: string): number[] {
    return (this.find(name, MetricType.Histogram)?.samples ?? []).map(Number);
  }

  /** Counters and gauges by name (numbers), like a /stats listing without the prefix. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.stats.values()) if (s.type !== MetricType.Histogram) out[s.name] = Number(s.value);
    return out;
  }
}

const TYPE_MASK = 0x3;
const ID_STEP = 0x4;
const U64 = (v: bigint) => BigInt.asUintN(64, v);

/** One VM's metric ids over the shared Stats. */
export class MetricRegistry {
  private next: Record<MetricType, number> = {
    [MetricType.Counter]: MetricType.Counter,
    [MetricType.Gauge]: MetricType.Gauge,
    [MetricType.Histogram]: MetricType.Histogram,
  };
  private byId = new Map<number, Stat>();

  constructor(private readonly stats: Stats) {}

  define(type: number, name: string): { status: WasmResult; id?: number } {
    if (type > MetricType.Histogram || type < 0) return { status: WasmResult.BadArgument };
    const t = type as MetricType;
    this.next[t] = (this.next[t] + ID_STEP) >>> 0;
    const id = this.next[t];
    this.byId.set(id, this.stats.ensure(t, name));
    return { status: WasmResult.Ok, id };
  }

  increment(id: number, offset: bigint): WasmResult {
    const type = id & TYPE_MASK;
    const s = this.byId.get(id);
    if (type === MetricType.Counter) {
      if (!s) return WasmResult.NotFound;
      if (offset <= 0n) return WasmResult.BadArgument;
      s.value = U64(s.value + offset);
      return WasmResult.Ok;
    }
    if (type === MetricType.Gauge) {
      if (!s) return WasmResult.NotFound;
      s.value = U64(s.value + offset);
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }

  record(id: number, value: bigint): WasmResult {
    const s = this.byId.get(id);
    if (!s) return WasmResult.NotFound;
    if (s.type === MetricType.Counter) s.value = U64(s.value + value);
    else if (s.type === MetricType.Gauge) s.value = U64(value);
    else s.samples.push(U64(value));
    return WasmResult.Ok;
  }

  get(id: number): { status: WasmResult; value?: bigint } {
    const type = id & TYPE_MASK;
    if (type === MetricType.Histogram || type > MetricType.Histogram) return { status: WasmResult.BadArgument };
    const s = this.byId.get(id);
    if (!s) return { status: WasmResult.NotFound };
    return { status: WasmResult.Ok, value: s.value };
  }
}
