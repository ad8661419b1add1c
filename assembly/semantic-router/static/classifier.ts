// Routing on static embeddings (`classifier: "embeddings"`): every example
// is embedded when the configuration loads, and a multinomial logistic
// regression on the example embeddings learns which directions separate the
// routes (stochastic gradient descent in a fixed pseudo-random order over
// the examples, which the configuration has put in canonical order: the
// same examples give the same model). A request's embedding then yields the
// regression's probability per route.
import { StaticEmbedder } from "./embed";
import { EpochOrder } from "../epoch-order";
import { embeddingSeparatesRoutes, RouteNeighbours } from "./neighbours";

const EPOCHS: i32 = 10;
const RATE: f32 = 2.0;
/** Training work allowed (examples x routes x dimensions x epochs): fewer epochs beyond, none (the lexical model picks) past one epoch's worth. */
const MAX_WORK: i64 = 96 << 20;

export class EmbeddingClassifier {
  readonly routes: i32;
  readonly dims: i32;
  /** Route r's weights at r * dims. */
  private weights: Float32Array;
  private bias: Float32Array;
  private query: Float32Array;
  /** Per route, for the text last scored: the regression's probability. */
  readonly probability: Float64Array;
  /** Per route: the combined probability decide() computes (reused). */
  readonly combined: Float64Array;
  /** Examples that had no known token (left out). */
  unembedded: i32 = 0;
  /** The request's similarity to each route's examples (null when the embedding does not tell the routes apart, see embeddingSeparatesRoutes). */
  neighbours: RouteNeighbours | null = null;

  /** `examples[r]` are route r's utterances. */
  constructor(public embedder: StaticEmbedder, examples: Array<Array<string>>, public maxScanBytes: i32) {
    const R = examples.length;
    const D = embedder.dims;
    this.routes = R;
    this.dims = D;
    this.weights = new Float32Array(R * D);
    this.bias = new Float32Array(R);
    this.query = new Float32Array(D);
    this.probability = new Float64Array(R);
    this.combined = new Float64Array(R);
    const vectors = new Array<Float32Array>();
    const labels = new Array<i32>();
    for (let r = 0; r < R; r++) {
      const list = examples[r];
      for (let i = 0; i < list.length; i++) {
        const v = new Float32Array(D);
        if (!embedder.embed(list[i], maxScanBytes, v)) {
          this.unembedded++;
          continue;
        }
        vectors.push(v);
        labels.push(r);
      }
    }
    this.train(vectors, labels);
    if (this.trained && embeddingSeparatesRoutes(vectors, labels, R, D)) this.neighbours = new RouteNeighbours(vectors, labels, R, D);
  }

  /** False when the configuration was too large to train the regression on: the lexical model alone picks the route. */
  trained: bool = false;

  private train(vectors: Array<Float32Array>, labels: Array<i32>): void {
    const n = vectors.length;
    if (n == 0) return;
    const R = this.routes;
    const D = this.dims;
    const epochs = <i32>min(<i64>EPOCHS, MAX_WORK / max(1, <i64>n * <i64>R * <i64>D));
    if (epochs == 0) return;
    this.trained = true;
    const visits = new EpochOrder(n);
    const order = visits.order;
    const p = this.probability;
    for (let epoch = 0; epoch < epochs; epoch++) {
      visits.shuffle();
      const rate = RATE / <f32>(epoch + 1);
      for (let i = 0; i < n; i++) {
        const e = order[i];
        const x = vectors[e];
        this.logits(x);
        softmax(p, R);
        const y = labels[e];
        for (let r = 0; r < R; r++) {
          const g = <f32>(p[r] - (r == y ? 1 : 0));
          const step = rate * g;
          this.bias[r] -= step;
          const row = r * D;
          for (let d = 0; d < D; d++) unchecked((this.weights[row + d] -= step * unchecked(x[d])));
        }
      }
    }
  }

  /** Logits of unit vector `x` into `probability` (softmax() makes them probabilities). */
  private logits(x: Float32Array): void {
    const D = this.dims;
    for (let r = 0; r < this.routes; r++) {
      unchecked((this.probability[r] = <f64>(dot(this.weights, r * D, x, D) + unchecked(this.bias[r]))));
    }
  }

  /** Scores `text` into `probability`; false when it has no known token or no regression was trained. */
  score(text: string): bool {
    if (!this.trained || !this.embedder.embed(text, this.maxScanBytes, this.query)) return false;
    this.logits(this.query);
    softmax(this.probability, this.routes);
    const near = this.neighbours;
    if (near !== null) near.score(this.query);
    return true;
  }
}

function dot(m: Float32Array, from: i32, x: Float32Array, D: i32): f32 {
  let s: f32 = 0;
  for (let d = 0; d < D; d++) s += unchecked(m[from + d]) * unchecked(x[d]);
  return s;
}

function softmax(v: Float64Array, n: i32): void {
  let top: f64 = -Infinity;
  for (let i = 0; i < n; i++) top = max(top, unchecked(v[i]));
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(unchecked(v[i]) - top);
    unchecked((v[i] = e));
    sum += e;
  }
  for (let i = 0; i < n; i++) unchecked((v[i] /= sum));
}
