// A multinomial logistic regression over the classifier's TF-IDF unit
// vectors, trained when the configuration loads. Cosine similarity to the
// examples says how close a request is to any route (and so whether it is
// in scope at all); this model is better at telling which route, because it
// learns which features separate the routes instead of weighing every shared
// feature alike.
//
// Training: stochastic gradient descent on the softmax cross-entropy, a
// fixed number of epochs over the examples in a fixed pseudo-random order
// (deterministic: the same examples give the same weights). Weights are
// dense, feature-major (feature f's weights for all routes side by side), so
// scoring a request costs its known features times the number of routes.
import { f32At, f64At, setF64 } from "./cells";
import { TrainingSet } from "./training-set";
import { EpochOrder } from "./epoch-order";

const EPOCHS: i32 = 6;
const RATE: f64 = 2.0;
/** Gradient components below this are skipped (routes the example is already far from). */
const MIN_GRADIENT: f64 = 1e-3;

export class LinearModel {
  weights: Float32Array;
  readonly bias: Float64Array;
  /** Reused per-route logits, then probabilities. */
  readonly out: Float64Array;

  constructor(public readonly routes: i32, features: i32) {
    this.weights = new Float32Array(features * routes);
    this.bias = new Float64Array(routes);
    this.out = new Float64Array(routes);
  }

  /** Trains on the set's example vectors (each a unit vector), example e of route `label[e]`. */
  train(set: TrainingSet, label: Int32Array): void {
    const n = label.length;
    if (n == 0) return;
    const visits = new EpochOrder(n);
    const order = visits.order;
    const R = this.routes;
    const w = this.weights;
    const p = this.out;
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      visits.shuffle();
      const rate = RATE / (1 + <f64>epoch);
      for (let i = 0; i < n; i++) {
        const e = order[i];
        const from = set.from(e);
        const to = set.to(e);
        this.logits(set, from, to, 1);
        this.softmax();
        const y = label[e];
        for (let r = 0; r < R; r++) {
          const g = f64At(p, r) - (r == y ? 1 : 0);
          if (Math.abs(g) < MIN_GRADIENT) continue;
          const step = rate * g;
          this.bias[r] -= step;
          for (let k = from; k < to; k++) {
            const at = set.idAt(k) * R + r;
            unchecked((w[at] = <f32>(<f64>unchecked(w[at]) - step * set.valueAt(k))));
          }
        }
      }
    }
  }

  /** Logits of the set's entries [from, to) (a sparse vector) scaled by `scale` into `out` (features < 0 are skipped). */
  logits(set: TrainingSet, from: i32, to: i32, scale: f64): void {
    const R = this.routes;
    const out = this.out;
    const w = this.weights;
    for (let r = 0; r < R; r++) setF64(out, r, 0);
    for (let k = from; k < to; k++) {
      const f = set.idAt(k);
      if (f < 0) continue;
      const v = set.valueAt(k);
      const row = f * R;
      for (let r = 0; r < R; r++) setF64(out, r, f64At(out, r) + v * <f64>f32At(w, row + r));
    }
    for (let r = 0; r < R; r++) setF64(out, r, f64At(out, r) * scale + f64At(this.bias, r));
  }

  /** Logits into `out` from per-route sums of feature value times weight (what logits() adds up), scaled by `scale`. */
  finishLogits(sums: Float64Array, scale: f64): void {
    for (let r = 0; r < this.routes; r++) setF64(this.out, r, f64At(sums, r) * scale + f64At(this.bias, r));
  }

  /** Frees the training weights once a FeatureIndex holds them. */
  dropWeights(): void {
    this.weights = new Float32Array(0);
  }

  /** Turns `out` from logits into probabilities. */
  softmax(): void {
    const out = this.out;
    const R = this.routes;
    let top: f64 = -Infinity;
    for (let r = 0; r < R; r++) top = max(top, f64At(out, r));
    let sum: f64 = 0;
    for (let r = 0; r < R; r++) {
      const v = Math.exp(f64At(out, r) - top);
      setF64(out, r, v);
      sum += v;
    }
    for (let r = 0; r < R; r++) setF64(out, r, f64At(out, r) / sum);
  }
}
