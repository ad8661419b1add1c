// The local classifier: TF-IDF over hashed character n-grams and words,
// trained from the routes' example utterances when the configuration loads.
//
// Each example becomes a unit vector (weights (1 + ln tf) * idf); each route
// also gets a centroid (the normalized sum of its examples). A request is
// scored per route by cosine similarity with
//   - the nearest example of the route          (Scoring.Nearest),
//   - the route's centroid                      (Scoring.Centroid),
//   - or the mean of both                       (Scoring.Mixed, default).
// Scores are in [0, 1]. Features the examples never had still count in the
// request's norm, so a request about something else scores low: that is what
// sends out-of-scope text to the default route.
//
// Which route, though, a logistic regression over the same vectors decides
// (linear.ts): the route it finds most probable gets the mean of the best
// cosine score and that route's own, the others less (see relabel()). Cosine
// says whether a request is in scope; the trained model, which weighs the
// features that separate routes, says where it belongs.
//
// Scoring walks inverted lists (feature -> examples, feature -> routes), so
// it costs the request's length plus the postings of the features it shares
// with the examples, not the number of examples.
import { cellAt, TermCounter } from "./counter";
import { extractFeatures, MAX_FEATURES_PER_UNIT, normalizeInto } from "./features";
import { f64At, i32At, setF64, setI32, setU32, u32At } from "./cells";
import { bf16At, FeatureIndex, findAt, lowBf16, pairWeight, PostingLists, Rec } from "./feature-index";
import { Vocabulary } from "./vocabulary";
import { TrainingSet } from "./training-set";
import { LinearModel } from "./linear";
import { Logger } from "../common/log";
import { nowNanos } from "../common/runtime/host";
import { decimal } from "../common/text/decimal";

const log = new Logger("semantic-router");

export enum Scoring {
  Mixed = 0,
  Nearest = 1,
  Centroid = 2,
}

const TF_TABLE_SIZE = 64;
/** Features in more than this share of the examples (and more than MIN_COMMON_DF) get no example postings. */
const COMMON_SHARE: f64 = 0.02;
const MIN_COMMON_DF: i32 = 16;
/** Largest linear model kept (features x routes, 4 bytes each: 16 MiB) ... */
const MAX_LINEAR_WEIGHTS: i64 = 4 << 20;
/** ... and trained (feature occurrences in the examples x routes, per epoch); beyond either, the cosine scores pick the route. */
const MAX_LINEAR_WORK: i64 = 32 << 20;

/** 1 + ln(tf), tabulated for small counts. */
class TfWeights {
  table: Float64Array = new Float64Array(TF_TABLE_SIZE);

  constructor() {
    for (let i = 1; i < TF_TABLE_SIZE; i++) this.table[i] = 1 + Math.log(<f64>i);
  }

  // @ts-ignore: decorator
  @inline
  of(tf: i32): f64 {
    return tfAt(this.table.dataStart, tf);
  }
}

/** TfWeights.of() with the table's address (in a loop, read once). */
// @ts-ignore: decorator
@inline
function tfAt(table: usize, tf: i32): f64 {
  return tf < TF_TABLE_SIZE ? load<f64>(table + (<usize>tf << 3)) : 1 + Math.log(<f64>tf);
}

export class RouteScores {
  /** Best score per route. */
  scores: Float64Array;
  /** Index of the route's nearest example (-1 when not computed). */
  nearest: Int32Array;

  constructor(routes: i32) {
    this.scores = new Float64Array(routes);
    this.nearest = new Int32Array(routes);
  }
}

export class Model {
  readonly routes: i32;
  examples: i32 = 0;
  features: i32 = 0;
  postings: i32 = 0;
  private idf: Float32Array = new Float32Array(0);
  private unseenIdf: f64 = 1;
  private exampleRoute: Int32Array = new Int32Array(0);
  private index: FeatureIndex = new FeatureIndex(new Uint32Array(0), new Float32Array(0), emptyPostings(), emptyPostings(), new Float32Array(0), 0);
  private tf: TfWeights = new TfWeights();
  private counter: TermCounter = new TermCounter(4096);
  /** Reused buffer of the text's feature hashes, in text order (grows like units). */
  private hashes: Uint32Array = new Uint32Array(4096);
  /** Reused normalization buffer (grows to the longest text seen). */
  private units: Uint16Array = new Uint16Array(1024);
  /** Per example, the request's dot product with it; only the examples marked in `touched` are non-zero (nearestMeans() zeroes them again). */
  private exampleScore: Float64Array = new Float64Array(0);
  /** One bit per example: it shares a feature with the request. */
  private touched: Uint32Array = new Uint32Array(0);
  private routeBuf: RouteScores = new RouteScores(0);
  private centroidScore: Float64Array = new Float64Array(0);
  /** Per route: the best `neighbors` example scores, best first (row r at r * neighbors). */
  private top: Float64Array = new Float64Array(0);
  private topSum: Float64Array = new Float64Array(0);
  private routeExamples: Int32Array = new Int32Array(0);
  private linear: LinearModel = new LinearModel(0, 0);
  /** The request's weights times the linear model's, summed per route (before scaling by the norm). */
  private linearSums: Float64Array = new Float64Array(0);
  /** The request's known features: the address of each one's record, and its weight. */
  private knownAt: Int32Array = new Int32Array(256);
  private knownWeight: Float64Array = new Float64Array(256);
  private linearScored: bool = false;
  /** Per route, the cosine score of the text last scored, before the linear model relabelled it (kept only when keepCosine: `classifier: "embeddings"` combines it). */
  readonly cosine: Float64Array;
  keepCosine: bool = false;

  /** Examples not trained on yet; null once trained. */
  private untrained: Array<Array<string>> | null = null;

  /**
   * `examples[r]` are the utterances of route r (a route may have none).
   * Training waits for the first use: Envoy configures every plugin in each
   * of its VMs (base, main thread, each worker) and only the workers' VMs
   * see requests, so a VM that never routes never holds the model.
   */
  constructor(examples: Array<Array<string>>, public scoring: Scoring, public neighbors: i32, public maxScanUnits: i32) {
    const routes = examples.length;
    this.routes = routes;
    this.routeBuf = new RouteScores(routes);
    this.centroidScore = new Float64Array(routes);
    this.top = new Float64Array(routes * neighbors);
    this.topSum = new Float64Array(routes);
    this.routeExamples = new Int32Array(routes);
    this.cosine = new Float64Array(routes);
    for (let r = 0; r < routes; r++) this.examples += examples[r].length;
    this.untrained = examples;
  }

  /** Trains the model now unless it was (the first analyze() does it otherwise); logs what it learned. */
  train(): void {
    const examples = this.untrained;
    if (examples === null) return;
    this.untrained = null;
    const started = nowNanos();
    this.learn(examples);
    const micros = (nowNanos() - started) / 1000;
    log.info("trained: " + decimal(this.examples) + " examples, " + decimal(this.features) + " features, " + decimal(this.postings) + " postings" + (this.hasLinear ? ", linear model" : "") + " in " + decimal(micros) + " us");
  }

  /** Extracts the features of `text` into the reused counter (for score() and the complexity cues). */
  analyze(text: string): TermCounter {
    if (this.untrained !== null) this.train();
    const c = this.counter;
    c.reset();
    const most = min(text.length, this.maxScanUnits) + 2;
    if (this.units.length < most) this.units = new Uint16Array(most * 2);
    const units = this.units.dataStart;
    const n = normalizeInto(text, this.maxScanUnits, units);
    const room = n * MAX_FEATURES_PER_UNIT;
    if (this.hashes.length < room) this.hashes = new Uint32Array(room * 2);
    c.addAll(this.hashes, extractFeatures(units, n, this.hashes));
    return c;
  }

  /** The linear model's route probabilities for the text last scored, or null (no linear model, or the text had no features). */
  get probabilities(): Float64Array | null {
    return this.linearScored ? this.linear.out : null;
  }

  /** True when the linear model picks the route (the configuration was within its size limits). */
  get hasLinear(): bool {
    return this.linear.routes > 0;
  }

  /** Per-route scores of the text last analyze()d (the returned object is reused by the next call). */
  score(): RouteScores {
    if (this.untrained !== null) this.train();
    const out = this.routeBuf;
    this.linearScored = false;
    out.scores.fill(0);
    out.nearest.fill(-1);
    if (this.keepCosine) this.cosine.fill(0);
    if (this.examples == 0) return out;
    const c = this.counter;
    const useNearest = this.scoring != Scoring.Centroid;
    const useCentroid = this.scoring != Scoring.Nearest;
    const ex = this.exampleScore;
    const touched = this.touched.dataStart;
    const centroid = this.centroidScore;
    centroid.fill(0);
    let norm2: f64 = 0;
    const index = this.index;
    const width = index.linearWidth;
    const sums = this.linearSums;
    if (width > 0) sums.fill(0);
    const unseen = this.unseenIdf;
    const tf = this.tf;
    if (this.knownAt.length < c.size) {
      this.knownAt = new Int32Array(c.size * 2);
      this.knownWeight = new Float64Array(c.size * 2);
    }
    const knownAt = this.knownAt;
    const knownWeight = this.knownWeight;
    // 1. Look every feature up, first: the lookups are independent, so
    // their cache misses overlap (the loop below branches too much for that).
    // Everything the loop reads but does not change is in locals.
    let known = 0;
    const size = c.size;
    const used = c.usedAt;
    const cells = c.cellsAt;
    const bits = index.bitsAt;
    const shift = index.bitsShift;
    const slots = index.slotsAt;
    const mask = index.slotMask;
    const records = index.recordsAt;
    const tfTable = tf.table.dataStart;
    const knownTo = knownAt.dataStart;
    const weightTo = knownWeight.dataStart;
    for (let i = 0; i < size; i++) {
      const cell = cellAt(cells, used, i);
      const hash = load<u32>(cell);
      const found = findAt(bits, shift, slots, mask, hash);
      const rec = records + <usize>found;
      const w = tfAt(tfTable, load<i32>(cell, 4)) * (found < 0 ? unseen : Rec.idf(rec));
      norm2 += w * w;
      if (found < 0) continue;
      store<i32>(knownTo + (<usize>known << 2), <i32>rec);
      store<f64>(weightTo + (<usize>known << 3), w);
      known++;
    }
    // 2. Each known feature's record once, front to back: its linear
    // weights, route postings, example postings. Every sum takes its terms
    // in the order of the features, whatever the loop order.
    // A posting is one 32-bit load: its target in the low half, its
    // bfloat16 weight in the high half (pairWeight); linear weights are
    // read two at a time the same way.
    const linearFrom = Rec.linear(0);
    const sumsAt = sums.dataStart;
    const linearBytes = <usize>width << 1;
    const centroidAt = centroid.dataStart;
    const exAt = ex.dataStart;
    for (let k = 0; k < known; k++) {
      const rec = <usize>load<i32>(knownTo + (<usize>k << 2));
      const w = load<f64>(weightTo + (<usize>k << 3));
      let p = rec + linearFrom;
      const linearEnd = p + linearBytes;
      let s = sumsAt;
      for (; p + 4 <= linearEnd; p += 4, s += 16) {
        const two = load<u32>(p);
        store<f64>(s, load<f64>(s) + w * lowBf16(two));
        store<f64>(s, load<f64>(s, 8) + w * pairWeight(two), 8);
      }
      if (p < linearEnd) {
        store<f64>(s, load<f64>(s) + w * bf16At(p));
        p += 2;
      }
      const routeEnd = p + (<usize>Rec.routePairs(rec) << 2);
      if (useCentroid) {
        for (; p < routeEnd; p += 4) {
          const pair = load<u32>(p);
          const at = centroidAt + (<usize>(pair & 0xffff) << 3);
          store<f64>(at, load<f64>(at) + w * pairWeight(pair));
        }
      }
      if (useNearest) {
        const exEnd = routeEnd + (<usize>Rec.exPairs(rec) << 2);
        for (p = routeEnd; p < exEnd; p += 4) {
          const pair = load<u32>(p);
          const e = <usize>(pair & 0xffff);
          const at = exAt + (e << 3);
          store<f64>(at, load<f64>(at) + w * pairWeight(pair));
          const word = touched + ((e >> 5) << 2);
          store<u32>(word, load<u32>(word) | (<u32>1 << <u32>(e & 31)));
        }
      }
    }
    if (norm2 == 0) return out;
    const inv = 1 / Math.sqrt(norm2);
    if (useNearest) this.nearestMeans(ex, out.nearest);
    for (let r = 0; r < this.routes; r++) {
      let s: f64;
      const best = unchecked(this.topSum[r]) / <f64>max(1, min(this.neighbors, unchecked(this.routeExamples[r])));
      if (this.scoring == Scoring.Nearest) s = best;
      else if (this.scoring == Scoring.Centroid) s = unchecked(centroid[r]);
      else s = (best + unchecked(centroid[r])) * 0.5;
      s *= inv;
      unchecked((out.scores[r] = s > 1 ? 1 : s < 0 ? 0 : s));
    }
    if (this.keepCosine) this.cosine.set(out.scores);
    this.relabel(out.scores, inv);
    return out;
  }

  /**
   * The linear model picks the route; cosine says how sure the request is in
   * scope. The most probable route gets the mean of the best cosine score
   * and its own (lower when the two disagree, so more of those go to the
   * default route; the scale stays that of cosine, so thresholds keep their
   * meaning); every other route that times its probability (below it: it
   * only wins when the first is not eligible).
   */
  private relabel(scores: Float64Array, inv: f64): void {
    const lin = this.linear;
    if (lin.routes == 0) return;
    lin.finishLogits(this.linearSums, inv);
    lin.softmax();
    this.linearScored = true;
    let top: f64 = 0;
    for (let r = 0; r < this.routes; r++) top = max(top, f64At(scores, r));
    let pick = 0;
    for (let r = 1; r < this.routes; r++) if (f64At(lin.out, r) > f64At(lin.out, pick)) pick = r;
    const own = (top + f64At(scores, pick)) * 0.5;
    for (let r = 0; r < this.routes; r++) setF64(scores, r, r == pick ? own : own * f64At(lin.out, r));
  }

  /**
   * Fills topSum with the sum of each route's `neighbors` best example
   * scores (unnormalized), nearest with the best example. Visits only the
   * touched examples, in example order, and zeroes them for the next text.
   */
  private nearestMeans(ex: Float64Array, nearest: Int32Array): void {
    const k = this.neighbors;
    const top = this.top;
    top.fill(-1);
    // In locals: the loop stores to memory, so fields would be read again on every pass.
    const topAt = top.dataStart;
    const exAt = ex.dataStart;
    const routeOf = this.exampleRoute.dataStart;
    const nearestAt = nearest.dataStart;
    const touched = this.touched.dataStart;
    const words = this.touched.length;
    for (let wi = 0; wi < words; wi++) {
      const word = touched + (<usize>wi << 2);
      let bits = load<u32>(word);
      if (bits == 0) continue;
      store<u32>(word, 0);
      do {
        const e = (wi << 5) + <i32>ctz(bits);
        bits &= bits - 1;
        const at = exAt + (<usize>e << 3);
        const s = load<f64>(at);
        store<f64>(at, 0);
        if (s <= 0) continue;
        const r = load<i32>(routeOf + (<usize>e << 2));
        const row = topAt + (<usize>(r * k) << 3);
        if (s <= load<f64>(row + (<usize>(k - 1) << 3))) continue;
        if (s > load<f64>(row)) store<i32>(nearestAt + (<usize>r << 2), e);
        // Insert into the route's sorted row.
        let j = k - 1;
        while (j > 0) {
          const above = load<f64>(row + (<usize>(j - 1) << 3));
          if (above >= s) break;
          store<f64>(row + (<usize>j << 3), above);
          j--;
        }
        store<f64>(row + (<usize>j << 3), s);
      } while (bits != 0);
    }
    for (let r = 0; r < this.routes; r++) {
      let sum: f64 = 0;
      for (let j = 0; j < k; j++) {
        const v = unchecked(top[r * k + j]);
        if (v > 0) sum += v;
      }
      unchecked((this.topSum[r] = sum));
    }
  }

  private learn(examples: Array<Array<string>>): void {
    // 1. Term counts per example, out of the shared counter, each feature by
    // its vocabulary index (in order of first occurrence).
    const vocab = new Vocabulary();
    const n = this.examples;
    const set = new TrainingSet(n);
    this.exampleRoute = new Int32Array(n);
    let e = 0;
    for (let r = 0; r < examples.length; r++) {
      const list = examples[r];
      for (let i = 0; i < list.length; i++) {
        const c = this.analyze(list[i]);
        for (let k = 0; k < c.size; k++) set.push(vocab.intern(c.keyAt(k)), <f64>c.countAt(k));
        set.endExample();
        this.exampleRoute[e++] = r;
        this.routeExamples[r]++;
      }
    }
    const occurrences = set.size;
    this.exampleScore = new Float64Array(n);
    this.touched = new Uint32Array((n + 31) >> 5);
    if (n == 0) {
      set.dispose();
      vocab.dispose();
      return;
    }

    // 2. Document frequencies.
    const features = vocab.size;
    const df = new Int32Array(features);
    for (let k = 0; k < occurrences; k++) df[set.idAt(k)]++;
    this.features = features;
    this.idf = new Float32Array(features);
    for (let f = 0; f < features; f++) this.idf[f] = <f32>(Math.log(<f64>(n + 1) / <f64>(df[f] + 1)) + 1);
    this.unseenIdf = Math.log(<f64>(n + 1)) + 1;

    // 3. Unit vectors per example, in place of the counts (the centroids are summed from them in step 5).
    for (let e = 0; e < n; e++) {
      const from = set.from(e);
      const to = set.to(e);
      let norm2: f64 = 0;
      for (let k = from; k < to; k++) {
        const x = this.tf.of(<i32>set.valueAt(k)) * <f64>this.idf[set.idAt(k)];
        set.setValue(k, x);
        norm2 += x * x;
      }
      const inv = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
      for (let k = from; k < to; k++) set.setValue(k, set.valueAt(k) * inv);
    }

    // 4. The linear model that picks among routes (unless too large to keep and train).
    if (<i64>features * <i64>this.routes <= MAX_LINEAR_WEIGHTS && <i64>occurrences * <i64>this.routes <= MAX_LINEAR_WORK) {
      this.linear = new LinearModel(this.routes, features);
      this.linear.train(set, this.exampleRoute);
    }

    // 5. Inverted lists.
    const byExample = invertExamples(set, features, df, max(MIN_COMMON_DF, <i32>(<f64>n * COMMON_SHARE)));
    const byRoute = invertCentroids(set, this.exampleRoute, this.routes, features);
    set.dispose();
    this.postings = byExample.target.length + byRoute.target.length;
    const lin = this.linear;
    this.index = new FeatureIndex(vocab.hashes(), this.idf, byExample, byRoute, lin.weights, lin.routes);
    vocab.dispose();
    // The index holds its own copy, next to each feature's postings.
    lin.dropWeights();
    this.linearSums = new Float64Array(lin.routes);
  }
}

/**
 * Example postings of every feature held by at most `maxDf` examples. The
 * common ones ("the", "ing", "what") would make most of the postings while
 * carrying the least weight; the centroids still count them.
 */
function invertExamples(set: TrainingSet, features: i32, df: Int32Array, maxDf: i32): PostingLists {
  const p = new PostingLists(new Int32Array(features + 1), new Int32Array(0), new Float32Array(0));
  let total = 0;
  for (let k = 0; k < set.size; k++) {
    const f = set.idAt(k);
    if (df[f] > maxDf) continue;
    p.start[f + 1]++;
    total++;
  }
  for (let f = 0; f < features; f++) p.start[f + 1] += p.start[f];
  p.target = new Int32Array(total);
  p.weight = new Float32Array(total);
  const fill = p.start.slice(0, features);
  const n = set.start.length - 1;
  for (let e = 0; e < n; e++) {
    const to = set.to(e);
    for (let k = set.from(e); k < to; k++) {
      const f = set.idAt(k);
      if (df[f] > maxDf) continue;
      const at = fill[f]++;
      p.target[at] = e;
      p.weight[at] = <f32>set.valueAt(k);
    }
  }
  return p;
}

/**
 * Route postings: each route's centroid (the sum of its examples' unit
 * vectors, normalized) by feature. One dense sum at a time, reused route
 * after route, with the route's features in the order first met; two
 * passes (count, then fill) recompute each sum rather than keep them all.
 */
function invertCentroids(set: TrainingSet, routeOf: Int32Array, routes: i32, features: i32): PostingLists {
  const p = new PostingLists(new Int32Array(features + 1), new Int32Array(0), new Float32Array(0));
  const sum = new CentroidSum(features);
  const invNorm = new Float64Array(routes);
  let total = 0;
  for (let r = 0; r < routes; r++) {
    const k = sum.of(set, routeOf, r);
    let norm2: f64 = 0;
    for (let j = 0; j < k; j++) {
      const f = sum.featureAt(j);
      const x = sum.valueOf(f);
      norm2 += x * x;
      p.start[f + 1]++;
    }
    invNorm[r] = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
    total += k;
  }
  for (let f = 0; f < features; f++) p.start[f + 1] += p.start[f];
  p.target = new Int32Array(total);
  p.weight = new Float32Array(total);
  const fill = p.start.slice(0, features);
  for (let r = 0; r < routes; r++) {
    const k = sum.of(set, routeOf, r);
    for (let j = 0; j < k; j++) {
      const f = sum.featureAt(j);
      const at = fill[f]++;
      p.target[at] = r;
      p.weight[at] = <f32>(sum.valueOf(f) * invNorm[r]);
    }
  }
  return p;
}

/** The unnormalized centroid of one route, summed over its examples in example order. */
class CentroidSum {
  private value: Float64Array;
  private met: Uint8Array;
  private order: Int32Array;
  private count: i32 = 0;

  constructor(features: i32) {
    this.value = new Float64Array(features);
    this.met = new Uint8Array(features);
    this.order = new Int32Array(features);
  }

  /** Sums route r's examples; returns how many features it has. */
  of(set: TrainingSet, routeOf: Int32Array, r: i32): i32 {
    for (let j = 0; j < this.count; j++) {
      const f = this.order[j];
      this.value[f] = 0;
      this.met[f] = 0;
    }
    this.count = 0;
    for (let e = 0; e < routeOf.length; e++) {
      if (routeOf[e] != r) continue;
      const to = set.to(e);
      for (let k = set.from(e); k < to; k++) {
        const f = set.idAt(k);
        if (this.met[f] == 0) {
          this.met[f] = 1;
          this.order[this.count++] = f;
        }
        this.value[f] += set.valueAt(k);
      }
    }
    return this.count;
  }

  featureAt(j: i32): i32 {
    return this.order[j];
  }

  valueOf(f: i32): f64 {
    return this.value[f];
  }
}

function emptyPostings(): PostingLists {
  return new PostingLists(new Int32Array(1), new Int32Array(0), new Float32Array(0));
}
