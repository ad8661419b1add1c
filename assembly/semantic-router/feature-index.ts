// What scoring needs of each known feature, laid out for a request whose
// lookups are mostly cache misses (in Envoy the worker's caches go cold
// between requests):
//   - a bit filter (16 bits per feature) that most features no example had
//     stop at, small enough to stay cached;
//   - an open-addressing table of (hash, record offset) pairs, 8 bytes a slot;
//   - one record per feature, everything contiguous, in the order scoring
//     reads it: idf, posting counts, the linear model's weights (one per
//     route), route (centroid) postings, example postings; postings are
//     (target, weight) pairs.
// A known feature costs a slot and one run of consecutive lines instead of
// a line in each of four arrays; the decision in Envoy went from
// about 71 to ? µs of scoring.
// Built once at configure time from the training structures.
import { i32At, u32At } from "./cells";
import { mix } from "./counter";

const SLOT: i32 = 2;
/** Record fields (i32 units), then the weights and pairs. */
const IDF: i32 = 0;
const ROUTE_PAIRS: i32 = 1;
const EX_PAIRS: i32 = 2;
const HEADER: i32 = 3;

/** Postings of one kind in compressed-row form: feature f's are [start[f], start[f+1]). */
export class PostingLists {
  constructor(public start: Int32Array, public target: Int32Array, public weight: Float32Array) {}
}

export class FeatureIndex {
  private slots: Int32Array;
  private mask: i32;
  private known: Uint32Array;
  private knownShift: u32;
  /** The records; weights are f32 bits. */
  readonly records: Int32Array;
  /** Linear weights per record (the model's routes, or 0 without a linear model). */
  readonly linearWidth: i32;

  /**
   * @param hashes the feature hash of each dense id
   * @param linear feature-major weights (`linearWidth` per feature), or empty
   */
  constructor(hashes: Uint32Array, idf: Float32Array, byExample: PostingLists, byRoute: PostingLists, linear: Float32Array, linearWidth: i32) {
    const features = hashes.length;
    this.linearWidth = linearWidth;
    // Record offsets in feature order.
    const offset = new Int32Array(features + 1);
    for (let f = 0; f < features; f++) {
      const pairs = byRoute.start[f + 1] - byRoute.start[f] + byExample.start[f + 1] - byExample.start[f];
      offset[f + 1] = offset[f] + HEADER + linearWidth + 2 * pairs;
    }
    const records = new Int32Array(offset[features]);
    for (let f = 0; f < features; f++) {
      let at = offset[f];
      const routeFrom = byRoute.start[f];
      const routeTo = byRoute.start[f + 1];
      const exFrom = byExample.start[f];
      const exTo = byExample.start[f + 1];
      records[at + IDF] = reinterpret<i32>(idf[f]);
      records[at + ROUTE_PAIRS] = routeTo - routeFrom;
      records[at + EX_PAIRS] = exTo - exFrom;
      at += HEADER;
      for (let r = 0; r < linearWidth; r++) records[at++] = reinterpret<i32>(linear[f * linearWidth + r]);
      for (let p = routeFrom; p < routeTo; p++) {
        records[at++] = byRoute.target[p];
        records[at++] = reinterpret<i32>(byRoute.weight[p]);
      }
      for (let p = exFrom; p < exTo; p++) {
        records[at++] = byExample.target[p];
        records[at++] = reinterpret<i32>(byExample.weight[p]);
      }
    }
    this.records = records;

    // At most 4/5 full: probes stay short.
    let cap = 16;
    while (cap * 4 < features * 5) cap <<= 1;
    const mask = cap - 1;
    const slots = new Int32Array(cap * SLOT);
    for (let s = 0; s < cap; s++) slots[s * SLOT + 1] = -1;
    for (let f = 0; f < features; f++) {
      const h = hashes[f];
      let s = <i32>(mix(h) & <u32>mask);
      while (slots[s * SLOT + 1] >= 0) s = (s + 1) & mask;
      slots[s * SLOT] = <i32>h;
      slots[s * SLOT + 1] = offset[f];
    }
    this.slots = slots;
    this.mask = mask;

    // About 16 bits per feature: a feature no example had gets past 1 time in 16.
    let bits = 1024;
    while (bits < features * 16) bits <<= 1;
    this.knownShift = <u32>(32 - ctz(bits));
    this.known = new Uint32Array(bits >> 5);
    for (let f = 0; f < features; f++) {
      const b = mix(hashes[f]) >>> this.knownShift;
      this.known[b >> 5] |= 1 << (b & 31);
    }
  }

  /** The record offset of `hash` (pass it to the accessors below), or -1 for a feature no example had. */
  // @ts-ignore: decorator
  @inline
  find(hash: u32): i32 {
    const m = mix(hash);
    const b = m >>> this.knownShift;
    if ((u32At(this.known, <i32>(b >> 5)) & (1 << (b & 31))) == 0) return -1;
    const slots = this.slots;
    let s = <i32>(m & <u32>this.mask);
    while (true) {
      const at = i32At(slots, s * SLOT + 1);
      if (at < 0) return -1;
      if (<u32>i32At(slots, s * SLOT) == hash) return at;
      s = (s + 1) & this.mask;
    }
  }

  // @ts-ignore: decorator
  @inline
  idf(record: i32): f64 {
    return <f64>reinterpret<f32>(i32At(this.records, record + IDF));
  }

  /** Where the record's linear weights start (linearWidth of them). */
  // @ts-ignore: decorator
  @inline
  linearAt(record: i32): i32 {
    return record + HEADER;
  }

  /** Where the record's route pairs start (then its example pairs). */
  // @ts-ignore: decorator
  @inline
  routePairsAt(record: i32): i32 {
    return record + HEADER + this.linearWidth;
  }

  // @ts-ignore: decorator
  @inline
  routePairs(record: i32): i32 {
    return i32At(this.records, record + ROUTE_PAIRS);
  }

  // @ts-ignore: decorator
  @inline
  exPairs(record: i32): i32 {
    return i32At(this.records, record + EX_PAIRS);
  }
}
