// What scoring needs of each known feature, laid out for a request whose
// lookups are mostly cache misses (in Envoy the worker's caches go cold
// between requests):
//   - a bit filter (16 bits per feature) that most features no example had
//     stop at, small enough to stay cached;
//   - an open-addressing table of (hash, record offset) pairs, 8 bytes a slot;
//   - one record per feature, everything contiguous, in the order scoring
//     reads it: idf (f32), route and example posting counts (u16 each), the
//     linear model's weights (one per route), route (centroid) postings,
//     example postings; a posting is a 16-bit target and a weight.
// Weights are bfloat16 (the upper half of an f32, rounded): a record is half
// the size, and the 8 significant bits change no decision on CLINC150.
// Against a line in each of four arrays of f32 and i32, this layout (then
// bfloat16) took the decision in Envoy from 138 to 114-119 (then 106-109) µs
// (P50, 2 KB prompt, 1,500 examples; scripts/router/envoy-decision.ts).
// Built once at configure time from the training structures.
import { mix } from "./counter";

const SLOT: i32 = 2;
/** Record layout, in bytes. */
const IDF: usize = 0;
const ROUTE_PAIRS: usize = 4;
const EX_PAIRS: usize = 6;
const HEADER: i32 = 8;

/** f32 to bfloat16, rounded to nearest even. */
export function toBf16(x: f32): u16 {
  const b = reinterpret<u32>(x);
  return <u16>((b + 0x7fff + ((b >> 16) & 1)) >> 16);
}

/** bfloat16 bits at `at` as f64. */
// @ts-ignore: decorator
@inline
export function bf16At(at: usize): f64 {
  return <f64>reinterpret<f32>(<u32>load<u16>(at) << 16);
}

/** The bfloat16 in the high half of a 32-bit word (a posting's weight) as f64. */
// @ts-ignore: decorator
@inline
export function pairWeight(pair: u32): f64 {
  return <f64>reinterpret<f32>(pair & 0xffff0000);
}

/** The bfloat16 in the low half of a 32-bit word as f64. */
// @ts-ignore: decorator
@inline
export function lowBf16(pair: u32): f64 {
  return <f64>reinterpret<f32>(pair << 16);
}

/** Postings of one kind in compressed-row form: feature f's are [start[f], start[f+1]). */
export class PostingLists {
  constructor(public start: Int32Array, public target: Int32Array, public weight: Float32Array) {}
}

export class FeatureIndex {
  private slots: Int32Array;
  private mask: i32;
  private known: Uint32Array;
  private knownShift: u32;
  private bytes: ArrayBuffer;
  /** Linear weights per record (the model's routes, or 0 without a linear model). */
  readonly linearWidth: i32;

  /**
   * @param hashes the feature hash of each dense id
   * @param linear feature-major weights (`linearWidth` per feature), or empty
   */
  constructor(hashes: Uint32Array, idf: Float32Array, byExample: PostingLists, byRoute: PostingLists, linear: Float32Array, linearWidth: i32) {
    const features = hashes.length;
    this.linearWidth = linearWidth;
    // Record offsets (bytes) in feature order.
    const offset = new Int32Array(features + 1);
    for (let f = 0; f < features; f++) {
      const pairs = byRoute.start[f + 1] - byRoute.start[f] + byExample.start[f + 1] - byExample.start[f];
      offset[f + 1] = offset[f] + HEADER + 2 * linearWidth + 4 * pairs;
    }
    const bytes = new ArrayBuffer(offset[features]);
    const base = changetype<usize>(bytes);
    for (let f = 0; f < features; f++) {
      const rec = base + <usize>offset[f];
      const routeFrom = byRoute.start[f];
      const routeTo = byRoute.start[f + 1];
      const exFrom = byExample.start[f];
      const exTo = byExample.start[f + 1];
      store<f32>(rec + IDF, idf[f]);
      store<u16>(rec + ROUTE_PAIRS, <u16>(routeTo - routeFrom));
      store<u16>(rec + EX_PAIRS, <u16>(exTo - exFrom));
      let at = rec + <usize>HEADER;
      for (let r = 0; r < linearWidth; r++, at += 2) store<u16>(at, toBf16(linear[f * linearWidth + r]));
      for (let p = routeFrom; p < routeTo; p++, at += 4) {
        store<u16>(at, <u16>byRoute.target[p]);
        store<u16>(at + 2, toBf16(byRoute.weight[p]));
      }
      for (let p = exFrom; p < exTo; p++, at += 4) {
        store<u16>(at, <u16>byExample.target[p]);
        store<u16>(at + 2, toBf16(byExample.weight[p]));
      }
    }
    this.bytes = bytes;

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

  // The tables as addresses, for findAt(): a loop that looks up many
  // features reads them into locals once (fields read inside a loop that
  // stores to memory are read again on every pass).

  get bitsAt(): usize {
    return this.known.dataStart;
  }

  get bitsShift(): u32 {
    return this.knownShift;
  }

  get slotsAt(): usize {
    return this.slots.dataStart;
  }

  get slotMask(): u32 {
    return <u32>this.mask;
  }

  /** Address of the record at offset 0 (add find's offset). */
  get recordsAt(): usize {
    return changetype<usize>(this.bytes);
  }
}

/**
 * The record offset of `hash` (add it to recordsAt for the accessors below),
 * or -1 for a feature no example had; the other arguments are the index's
 * bitsAt, bitsShift, slotsAt and slotMask.
 */
// @ts-ignore: decorator
@inline
export function findAt(bits: usize, shift: u32, slots: usize, mask: u32, hash: u32): i32 {
  const m = mix(hash);
  const b = m >>> shift;
  if ((load<u32>(bits + (<usize>(b >> 5) << 2)) & (1 << (b & 31))) == 0) return -1;
  let s = m & mask;
  while (true) {
    const slot = slots + (<usize>s << 3);
    const at = load<i32>(slot, 4);
    if (at < 0) return -1;
    if (load<u32>(slot) == hash) return at;
    s = (s + 1) & mask;
  }
}

/** Record accessors, by record address (FeatureIndex.recordAt). */
export namespace Rec {
  // @ts-ignore: decorator
  @inline
  export function idf(rec: usize): f64 {
    return <f64>load<f32>(rec + IDF);
  }

  // @ts-ignore: decorator
  @inline
  export function routePairs(rec: usize): i32 {
    return <i32>load<u16>(rec + ROUTE_PAIRS);
  }

  // @ts-ignore: decorator
  @inline
  export function exPairs(rec: usize): i32 {
    return <i32>load<u16>(rec + EX_PAIRS);
  }

  /** The first linear weight (bf16, 2 bytes each); the route pairs follow the last. */
  // @ts-ignore: decorator
  @inline
  export function linear(rec: usize): usize {
    return rec + <usize>HEADER;
  }
}
