// How close a request's static embedding is to each route's examples, in a
// space where the routes' own variation is evened out: the out-of-scope gate
// and one of the votes of `classifier: "embeddings"`.
//
// A static embedding is a bag of token vectors: a few directions carry most
// of the variance whether or not they tell routes apart, so plain cosine to
// the examples separates in-scope from out-of-scope requests poorly. Here
// the embeddings are centred on the examples' mean and whitened by the
// within-route covariance (its Cholesky factor; shrunk towards a multiple
// of the identity so that a handful of examples still gives a well-posed
// matrix), where each direction counts by how much it varies against how
// much a route's own examples vary along it. Each route's whitened examples
// are then summarized by up to PROTOTYPES_PER_ROUTE prototypes (spherical
// k-means from a farthest-point start, a fixed number of rounds), and a
// request's similarity to a route is the mean cosine of its NEAREST closest
// prototypes. Prototypes instead of the examples themselves: the same
// figures on CLINC150 at a fifth of the work per request (320 instead of
// 1,500 dot products for its 10 domains).
//
// Everything is computed from the examples in the canonical order the
// configuration gives them (routes by name, each route's examples sorted),
// with sums taken in a fixed order: the same examples give the same numbers.

/** Prototypes per route, at most (fewer when a route has fewer examples or the routes share PROTOTYPE_BUDGET). */
const PROTOTYPES_PER_ROUTE: i32 = 32;
/** Prototypes over all routes, at most (the work per request is this times the dimensions). */
const PROTOTYPE_BUDGET: i32 = 512;
/** A route's similarity: the mean over its this many nearest prototypes. */
const NEAREST: i32 = 2;
/** Share of the shrinkage target (the identity times the mean within-route variance) in the covariance. */
const SHRINK: f64 = 0.1;
/** Rounds of k-means after the farthest-point start (assignments were stable after two on CLINC150). */
const KMEANS_ROUNDS: i32 = 3;

export class RouteNeighbours {
  readonly routes: i32;
  readonly dims: i32;
  /** The inverse of the lower Cholesky factor L of the shrunk within-route covariance, row i at i * dims (its first i + 1 entries; the rest zero). */
  private inverse: Float32Array = new Float32Array(0);
  /** The inverse times the examples' mean embedding. */
  private shift: Float32Array;
  /** Unit prototypes in the whitened space, row p at p * dims; route r's are rows [first[r], first[r + 1]). */
  private prototypes: Float32Array = new Float32Array(0);
  private first: Int32Array;
  /** The whitened request (reused). */
  private z: Float32Array;
  /** Four dot products (reused). */
  private four: Float32Array = new Float32Array(4);
  /** Per route, for the request last scored: the mean cosine of its nearest prototypes (0 for a route without any). */
  readonly similarity: Float64Array;

  /** `vectors[i]` (unit embeddings) is an example of route `labels[i]`; labels ascend. */
  constructor(vectors: Array<Float32Array>, labels: Array<i32>, routes: i32, dims: i32) {
    this.routes = routes;
    this.dims = dims;
    const mean = new Float64Array(dims);
    this.z = new Float32Array(dims);
    this.similarity = new Float64Array(routes);
    this.first = new Int32Array(routes + 1);
    const inverse = invertLower(choleskyOfShrunk(withinCovariance(vectors, labels, routes, dims, mean), dims), dims);
    this.shift = new Float32Array(dims);
    for (let i = 0; i < dims; i++) {
      let s: f64 = 0;
      for (let j = 0; j <= i; j++) s += inverse[i * dims + j] * mean[j];
      this.shift[i] = <f32>s;
    }
    this.inverse = new Float32Array(dims * dims);
    for (let k = 0; k < dims * dims; k++) this.inverse[k] = <f32>inverse[k];
    const n = vectors.length;
    const whitened = new Array<Float32Array>(n);
    for (let i = 0; i < n; i++) {
      const w = new Float32Array(dims);
      this.whitenInto(vectors[i], w);
      whitened[i] = w;
    }
    const perRoute = max(1, min(PROTOTYPES_PER_ROUTE, PROTOTYPE_BUDGET / max(1, routes)));
    const rows = new Array<Float32Array>();
    let from = 0;
    for (let r = 0; r < routes; r++) {
      let to = from;
      while (to < n && labels[to] == r) to++;
      this.first[r] = rows.length;
      kmeans(whitened, from, to, perRoute, dims, rows);
      from = to;
    }
    this.first[routes] = rows.length;
    this.prototypes = new Float32Array(rows.length * dims);
    for (let p = 0; p < rows.length; p++) this.prototypes.set(rows[p], p * dims);
  }

  /** Fills `similarity` for unit embedding `q`. */
  score(q: Float32Array): void {
    const D = this.dims;
    this.whitenInto(q, this.z);
    const z = this.z.dataStart;
    const protos = this.prototypes.dataStart;
    for (let r = 0; r < this.routes; r++) {
      const from = unchecked(this.first[r]);
      const to = unchecked(this.first[r + 1]);
      if (from == to) {
        unchecked((this.similarity[r] = 0));
        continue;
      }
      let best: f64 = -2;
      let second: f64 = -2;
      let p = from;
      // Four prototypes a pass, so that each part of the request is loaded once for them.
      const four = this.four.dataStart;
      for (; p + 4 <= to; p += 4) {
        dotFourAt(protos + ((<usize>p * <usize>D) << 2), z, D, four);
        for (let j: usize = 0; j < 16; j += 4) {
          const s = <f64>load<f32>(four + j);
          if (s > best) {
            second = best;
            best = s;
          } else if (s > second) second = s;
        }
      }
      for (; p < to; p++) {
        const s = <f64>dotAt(protos + ((<usize>p * <usize>D) << 2), z, D);
        if (s > best) {
          second = best;
          best = s;
        } else if (s > second) second = s;
      }
      const k = min(NEAREST, to - from);
      unchecked((this.similarity[r] = k == 1 ? best : (best + second) / <f64>k));
    }
  }

  /** `out` = the unit vector along L^-1 (x - mean) = L^-1 x - shift; zero when x is the mean. */
  private whitenInto(x: Float32Array, out: Float32Array): void {
    const D = this.dims;
    const m = this.inverse.dataStart;
    const at = x.dataStart;
    let norm2: f64 = 0;
    for (let i = 0; i < D; i++) {
      // Row i has i + 1 entries, then zeros: the dot product runs to the next multiple of 8.
      const v = <f64>(dotAt(m + ((<usize>i * <usize>D) << 2), at, (i + 8) & ~7) - unchecked(this.shift[i]));
      unchecked((out[i] = <f32>v));
      norm2 += v * v;
    }
    const inv = norm2 > 0 ? <f32>(1 / Math.sqrt(norm2)) : 0;
    for (let i = 0; i < D; i++) unchecked((out[i] *= inv));
  }
}

/** The within-route covariance of the vectors (lower triangle, packed like the factor); writes their mean into `mean`. */
function withinCovariance(vectors: Array<Float32Array>, labels: Array<i32>, routes: i32, D: i32, mean: Float64Array): Float64Array {
  const n = vectors.length;
  const centroid = new Float64Array(routes * D);
  const count = new Int32Array(routes);
  for (let i = 0; i < n; i++) {
    const v = vectors[i];
    const r = labels[i];
    count[r]++;
    for (let d = 0; d < D; d++) {
      unchecked((centroid[r * D + d] += <f64>unchecked(v[d])));
      unchecked((mean[d] += <f64>unchecked(v[d])));
    }
  }
  for (let d = 0; d < D; d++) mean[d] /= <f64>max(1, n);
  for (let r = 0; r < routes; r++) for (let d = 0; d < D; d++) if (count[r] > 0) centroid[r * D + d] /= <f64>count[r];
  const cov = new Float64Array((D * (D + 1)) >> 1);
  const c = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    const v = vectors[i];
    const at = labels[i] * D;
    for (let d = 0; d < D; d++) unchecked((c[d] = <f64>unchecked(v[d]) - unchecked(centroid[at + d])));
    let row = 0;
    for (let a = 0; a < D; a++) {
      const ca = unchecked(c[a]);
      for (let b = 0; b <= a; b++) unchecked((cov[row + b] += ca * unchecked(c[b])));
      row += a + 1;
    }
  }
  for (let k = 0; k < cov.length; k++) cov[k] /= <f64>max(1, n);
  return cov;
}

/** Cholesky factor of (1 - SHRINK) * cov + SHRINK * mu * I, mu the mean variance (a floor keeps it positive definite when the examples do not vary). */
function choleskyOfShrunk(cov: Float64Array, D: i32): Float64Array {
  let trace: f64 = 0;
  let row = 0;
  for (let i = 0; i < D; i++) {
    trace += cov[row + i];
    row += i + 1;
  }
  const mu = max(trace / <f64>D, 1e-6);
  for (let k = 0; k < cov.length; k++) cov[k] *= 1 - SHRINK;
  row = 0;
  for (let i = 0; i < D; i++) {
    cov[row + i] += SHRINK * mu;
    row += i + 1;
  }
  // In place: row i of L from row i of the matrix and the rows above.
  let ri = 0;
  for (let i = 0; i < D; i++) {
    let rj = 0;
    for (let j = 0; j <= i; j++) {
      let s = unchecked(cov[ri + j]);
      for (let k = 0; k < j; k++) s -= unchecked(cov[ri + k]) * unchecked(cov[rj + k]);
      // The shrinkage keeps every pivot at least SHRINK * mu; the floor only guards rounding.
      if (j == i) unchecked((cov[ri + i] = Math.sqrt(max(s, SHRINK * mu * 1e-3))));
      else unchecked((cov[ri + j] = s / unchecked(cov[rj + j])));
      rj += j + 1;
    }
    ri += i + 1;
  }
  return cov;
}

/** The inverse of the packed lower-triangular `L`, as a full D x D row-major matrix (zero above the diagonal). */
function invertLower(L: Float64Array, D: i32): Float64Array {
  const out = new Float64Array(D * D);
  // Column c of the inverse solves L x = e_c by forward substitution.
  for (let c = 0; c < D; c++) {
    let ri = (c * (c + 1)) >> 1;
    for (let i = c; i < D; i++) {
      let s: f64 = i == c ? 1 : 0;
      for (let j = c; j < i; j++) s -= L[ri + j] * out[j * D + c];
      out[i * D + c] = s / L[ri + i];
      ri += i + 1;
    }
  }
  return out;
}

/**
 * Appends up to `k` unit prototypes of the unit vectors [from, to) to `out`:
 * the vectors themselves when there are at most `k`, else spherical k-means
 * started from the first vector and, one at a time, the vector least similar
 * to every prototype so far (the first such on ties).
 */
function kmeans(x: Array<Float32Array>, from: i32, to: i32, k: i32, D: i32, out: Array<Float32Array>): void {
  const n = to - from;
  if (n <= k) {
    for (let i = from; i < to; i++) out.push(x[i].slice(0));
    return;
  }
  const centres = new Array<Float32Array>(k);
  // Per vector, its similarity to the nearest centre so far.
  const nearest = new Float64Array(n).fill(-2);
  let pick = from;
  for (let c = 0; c < k; c++) {
    centres[c] = x[pick].slice(0);
    let far: f64 = 3;
    for (let i = 0; i < n; i++) {
      const s = <f64>dot(x[from + i], centres[c], D);
      if (s > nearest[i]) nearest[i] = s;
      if (nearest[i] < far) {
        far = nearest[i];
        pick = from + i;
      }
    }
  }
  const assigned = new Int32Array(n);
  const sums = new Float64Array(k * D);
  for (let round = 0; round < KMEANS_ROUNDS; round++) {
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestS: f64 = -3;
      for (let c = 0; c < k; c++) {
        const s = <f64>dot(x[from + i], centres[c], D);
        if (s > bestS) {
          bestS = s;
          best = c;
        }
      }
      assigned[i] = best;
    }
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const v = x[from + i];
      const at = assigned[i] * D;
      for (let d = 0; d < D; d++) unchecked((sums[at + d] += <f64>unchecked(v[d])));
    }
    for (let c = 0; c < k; c++) {
      let norm2: f64 = 0;
      for (let d = 0; d < D; d++) norm2 += unchecked(sums[c * D + d]) * unchecked(sums[c * D + d]);
      if (norm2 == 0) continue; // an empty cluster keeps its centre
      const inv = 1 / Math.sqrt(norm2);
      const centre = centres[c];
      for (let d = 0; d < D; d++) unchecked((centre[d] = <f32>(unchecked(sums[c * D + d]) * inv)));
    }
  }
  for (let c = 0; c < k; c++) out.push(centres[c]);
}

function dot(a: Float32Array, b: Float32Array, D: i32): f32 {
  return dotAt(a.dataStart, b.dataStart, D);
}

/** Dot product of D floats (D a multiple of 8) at `a` and `b`: eight partial sums (dimension d in sum d % 8), added up in a fixed order. */
function dotAt(from: usize, other: usize, D: i32): f32 {
  let a = from;
  let b = other;
  let low = f32x4.splat(0);
  let high = f32x4.splat(0);
  const stop = a + (<usize>D << 2);
  for (; a < stop; a += 32, b += 32) {
    low = f32x4.add(low, f32x4.mul(v128.load(a), v128.load(b)));
    high = f32x4.add(high, f32x4.mul(v128.load(a, 16), v128.load(b, 16)));
  }
  return sumLanes(low, high);
}

/** dotAt of the four consecutive rows of D floats at `rows` with `other`, written to `out`. */
function dotFourAt(rows: usize, other: usize, D: i32, out: usize): void {
  const stride = <usize>D << 2;
  let a = rows;
  let b = other;
  let l0 = f32x4.splat(0), h0 = f32x4.splat(0), l1 = f32x4.splat(0), h1 = f32x4.splat(0);
  let l2 = f32x4.splat(0), h2 = f32x4.splat(0), l3 = f32x4.splat(0), h3 = f32x4.splat(0);
  const stop = b + stride;
  for (; b < stop; a += 32, b += 32) {
    const zl = v128.load(b);
    const zh = v128.load(b, 16);
    l0 = f32x4.add(l0, f32x4.mul(v128.load(a), zl));
    h0 = f32x4.add(h0, f32x4.mul(v128.load(a, 16), zh));
    l1 = f32x4.add(l1, f32x4.mul(v128.load(a + stride), zl));
    h1 = f32x4.add(h1, f32x4.mul(v128.load(a + stride, 16), zh));
    l2 = f32x4.add(l2, f32x4.mul(v128.load(a + 2 * stride), zl));
    h2 = f32x4.add(h2, f32x4.mul(v128.load(a + 2 * stride, 16), zh));
    l3 = f32x4.add(l3, f32x4.mul(v128.load(a + 3 * stride), zl));
    h3 = f32x4.add(h3, f32x4.mul(v128.load(a + 3 * stride, 16), zh));
  }
  store<f32>(out, sumLanes(l0, h0));
  store<f32>(out, sumLanes(l1, h1), 4);
  store<f32>(out, sumLanes(l2, h2), 8);
  store<f32>(out, sumLanes(l3, h3), 12);
}

/** The eight partial sums of a dot product (dimension d % 8 in lane d % 4 of `low` (d % 8 < 4) or `high`), added in a fixed order. */
// @ts-ignore: decorator
@inline
function sumLanes(low: v128, high: v128): f32 {
  return (f32x4.extract_lane(low, 0) + f32x4.extract_lane(low, 1) + (f32x4.extract_lane(low, 2) + f32x4.extract_lane(low, 3))) +
    (f32x4.extract_lane(high, 0) + f32x4.extract_lane(high, 1) + (f32x4.extract_lane(high, 2) + f32x4.extract_lane(high, 3)));
}

/** Examples held out in the check below, at most (every n/HELD_OUT-th, in canonical order) ... */
const HELD_OUT: i32 = 64;
/** ... and fewer when held-out examples times examples would pass this. */
const HELD_OUT_PAIRS: i32 = 1 << 17;
/** Past this many examples there are no neighbours (the covariance, whitening and k-means would cost too much at configure time): the other votes pick and gate. */
export const MAX_NEIGHBOUR_EXAMPLES: i32 = 2048;
/** Share of held-out examples the embedding must route right for RouteNeighbours to take part. */
const MIN_HELD_OUT_ACCURACY: f64 = 0.5;

/**
 * Whether the embedding tells these routes apart: held-out examples (each
 * against all the others, by the mean cosine of each route's NEAREST most
 * similar examples) reach their own route at least MIN_HELD_OUT_ACCURACY of
 * the time. The table is an English model's: for Chinese examples, whose
 * characters carry little meaning in it, this is about 0.3 on the Chinese
 * set against 0.94 for CLINC150's domains, and their neighbours would only
 * add noise to the lexical model.
 */
export function embeddingSeparatesRoutes(vectors: Array<Float32Array>, labels: Array<i32>, routes: i32, D: i32): bool {
  const n = vectors.length;
  if (n == 0 || n > MAX_NEIGHBOUR_EXAMPLES) return false;
  const probesAtMost = min(HELD_OUT, max(1, HELD_OUT_PAIRS / n));
  const step = (n + probesAtMost - 1) / probesAtMost;
  const best = new Float64Array(routes);
  const second = new Float64Array(routes);
  let probes = 0;
  let right = 0;
  for (let i = 0; i < n; i += step) {
    best.fill(-2);
    second.fill(-2);
    const v = vectors[i];
    for (let j = 0; j < n; j++) {
      if (j == i) continue;
      const r = labels[j];
      const s = <f64>dot(v, vectors[j], D);
      if (s > best[r]) {
        second[r] = best[r];
        best[r] = s;
      } else if (s > second[r]) second[r] = s;
    }
    let pick = 0;
    let top: f64 = -3;
    for (let r = 0; r < routes; r++) {
      const score = second[r] > -2 ? (best[r] + second[r]) * 0.5 : best[r];
      if (score > top) {
        top = score;
        pick = r;
      }
    }
    probes++;
    if (pick == labels[i]) right++;
  }
  return <f64>right >= MIN_HELD_OUT_ACCURACY * <f64>probes;
}
