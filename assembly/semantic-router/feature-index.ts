// What scoring needs of each known feature, packed so that a request's
// feature costs one cache line to look up: an open-addressing table whose
// slot holds the feature's hash, its dense id, its idf and where its example
// and route postings start and end; postings are (target, weight) pairs side
// by side. Built once at configure time from the training structures. A
// long request's lookups are mostly cache misses in Envoy (the worker's
// caches go cold between requests), and the separate arrays this replaces
// cost about nine lines per feature.
import { i32At } from "./cells";
import { mix } from "./counter";

/** i32 fields per slot: hash, id, idf (f32 bits), example start/end, route start/end, padding. */
const SLOT: i32 = 8;
const HASH: i32 = 0;
const ID: i32 = 1;
const IDF: i32 = 2;
const EX_START: i32 = 3;
const EX_END: i32 = 4;
const ROUTE_START: i32 = 5;
const ROUTE_END: i32 = 6;

/** Postings of one kind in compressed-row form: feature f's are [start[f], start[f+1]). */
export class PostingLists {
  constructor(public start: Int32Array, public target: Int32Array, public weight: Float32Array) {}
}

export class FeatureIndex {
  private slots: Int32Array;
  private mask: i32;
  /** Example postings: (example index, weight as f32 bits) pairs. */
  readonly exEntries: Int32Array;
  /** Route (centroid) postings: (route index, weight as f32 bits) pairs. */
  readonly routeEntries: Int32Array;

  /** @param hashes the feature hash of each dense id */
  constructor(hashes: Uint32Array, idf: Float32Array, byExample: PostingLists, byRoute: PostingLists) {
    const features = hashes.length;
    // At most 4/5 full: probes stay short, and the table stays within half
    // a MiB for 10,000 features.
    let cap = 16;
    while (cap * 4 < features * 5) cap <<= 1;
    const mask = cap - 1;
    const slots = new Int32Array(cap * SLOT);
    for (let s = 0; s < cap; s++) slots[s * SLOT + ID] = -1;
    for (let f = 0; f < features; f++) {
      const h = hashes[f];
      let s = <i32>(mix(h) & <u32>mask);
      while (slots[s * SLOT + ID] >= 0) s = (s + 1) & mask;
      const b = s * SLOT;
      slots[b + HASH] = <i32>h;
      slots[b + ID] = f;
      slots[b + IDF] = reinterpret<i32>(idf[f]);
      slots[b + EX_START] = byExample.start[f];
      slots[b + EX_END] = byExample.start[f + 1];
      slots[b + ROUTE_START] = byRoute.start[f];
      slots[b + ROUTE_END] = byRoute.start[f + 1];
    }
    this.slots = slots;
    this.mask = mask;
    this.exEntries = interleave(byExample);
    this.routeEntries = interleave(byRoute);
  }

  /** The slot of `hash` (pass it to the accessors below), or -1 for a feature no example had. */
  // @ts-ignore: decorator
  @inline
  find(hash: u32): i32 {
    const slots = this.slots;
    let s = <i32>(mix(hash) & <u32>this.mask);
    while (true) {
      const b = s * SLOT;
      const id = i32At(slots, b + ID);
      if (id < 0) return -1;
      if (<u32>i32At(slots, b + HASH) == hash) return b;
      s = (s + 1) & this.mask;
    }
  }

  // @ts-ignore: decorator
  @inline
  id(slot: i32): i32 {
    return i32At(this.slots, slot + ID);
  }

  // @ts-ignore: decorator
  @inline
  idf(slot: i32): f64 {
    return <f64>reinterpret<f32>(i32At(this.slots, slot + IDF));
  }

  /** Example postings of the slot's feature: pair indices [exStart, exEnd) into exEntries. */
  // @ts-ignore: decorator
  @inline
  exStart(slot: i32): i32 {
    return i32At(this.slots, slot + EX_START);
  }

  // @ts-ignore: decorator
  @inline
  exEnd(slot: i32): i32 {
    return i32At(this.slots, slot + EX_END);
  }

  // @ts-ignore: decorator
  @inline
  routeStart(slot: i32): i32 {
    return i32At(this.slots, slot + ROUTE_START);
  }

  // @ts-ignore: decorator
  @inline
  routeEnd(slot: i32): i32 {
    return i32At(this.slots, slot + ROUTE_END);
  }
}

function interleave(p: PostingLists): Int32Array {
  const n = p.target.length;
  const out = new Int32Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[2 * i] = p.target[i];
    out[2 * i + 1] = reinterpret<i32>(p.weight[i]);
  }
  return out;
}
