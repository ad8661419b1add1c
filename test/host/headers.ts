// A header map with Envoy's HeaderMapImpl behaviour as proxy-wasm sees it:
// names are lower-cased, entries keep insertion order except that
// pseudo-headers (":name") stay in front of regular ones, `get` returns the
// first value, `replace` drops every entry of the name and appends one (what
// setCopy does in Envoy 1.40, checked by the probe suite), and the size is
// the sum of name and value lengths (byteSize()).
import type { Pair } from "./pairs.ts";

export type HeaderInit = readonly Pair[] | Record<string, string | readonly string[]>;

export class HeaderMap {
  private entries: Pair[] = [];

  constructor(init?: HeaderInit) {
    if (init) for (const [k, v] of toPairs(init)) this.add(k, v);
  }

  static from(init?: HeaderInit | HeaderMap): HeaderMap {
    return init instanceof HeaderMap ? init.clone() : new HeaderMap(init);
  }

  clone(): HeaderMap {
    const m = new HeaderMap();
    m.entries = this.entries.map(([k, v]) => [k, v]);
    return m;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Sum of name and value lengths, as Envoy's byteSize(). */
  byteSize(): number {
    let n = 0;
    for (const [k, v] of this.entries) n += Buffer.byteLength(k) + Buffer.byteLength(v);
    return n;
  }

  get(name: string): string | undefined {
    const key = name.toLowerCase();
    return this.entries.find(([k]) => k === key)?.[1];
  }

  getAll(name: string): string[] {
    const key = name.toLowerCase();
    return this.entries.filter(([k]) => k === key).map(([, v]) => v);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  add(name: string, value: string): void {
    const key = name.toLowerCase();
    if (key.startsWith(":")) {
      let at = 0;
      while (at < this.entries.length && this.entries[at][0].startsWith(":")) at++;
      this.entries.splice(at, 0, [key, value]);
    } else {
      this.entries.push([key, value]);
    }
  }

  replace(name: string, value: string): void {
    this.remove(name);
    this.add(name, value);
  }

  remove(name: string): void {
    const key = name.toLowerCase();
    this.entries = this.entries.filter(([k]) => k !== key);
  }

  setAll(pairs: readonly Pair[]): void {
    this.entries = [];
    for (const [k, v] of pairs) this.add(k, v);
  }

  pairs(): Pair[] {
    return this.entries.map(([k, v]) => [k, v]);
  }

  /** Regular (non-pseudo) headers in order. */
  regular(): Pair[] {
    return this.pairs().filter(([k]) => !k.startsWith(":"));
  }

  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.entries) out[k] = k in out ? `${out[k]}, ${v}` : v;
    return out;
  }
}

export function toPairs(init: HeaderInit): Pair[] {
  if (Array.isArray(init)) return (init as readonly Pair[]).map(([k, v]) => [k, v]);
  const out: Pair[] = [];
  for (const [k, v] of Object.entries(init as Record<string, string | readonly string[]>)) {
    if (Array.isArray(v)) for (const one of v) out.push([k, one]);
    else out.push([k, v as string]);
  }
  return out;
}
