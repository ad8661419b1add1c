// One routing decision from the text of a request, in this order:
//   1. keyword rules: the matching route with the highest priority (score 1);
//   2. the classifier: the best-scoring route with examples at or above its
//      threshold;
//   3. complexity routes (no examples, no keywords): the one with the
//      highest priority whose complexity matches;
//   4. the default route, with the best classifier score seen.
// A route with a `complexity` condition is only eligible when the request's
// complexity matches it, in every step.
import { Complexity, complexityScore } from "./complexity";
import { Route, RouterConfig, Target } from "./config";
import { cosine, EmbeddingCache } from "./embeddings";
import { normalizedString } from "./features";
import { EmbeddingClassifier } from "./static/classifier";
import { TABLE_BYTES } from "./static/table";

export enum Outcome {
  Keyword = 0,
  Semantic = 1,
  ComplexityRoute = 2,
  BelowThreshold = 3,
  NoText = 4,
  Invalid = 5,
  TooLarge = 6,
  ClientModel = 7,
  Rejected = 8,
  Embedding = 9,
}

export const OUTCOME_NAMES: Array<string> = ["keyword", "semantic", "complexity", "below_threshold", "no_text", "invalid", "too_large", "client_model", "rejected", "embedding"];

export class Decision {
  constructor(
    public target: Target,
    public outcome: Outcome,
    public score: f64,
    public complexity: Complexity = Complexity.Any,
    public complexityScore: f64 = 0,
  ) {}

  get outcomeName(): string {
    return OUTCOME_NAMES[<i32>this.outcome];
  }

  /** True when the classifier or a rule picked a route (not the default). */
  get routed(): bool {
    return this.outcome <= Outcome.ComplexityRoute || this.outcome == Outcome.Embedding;
  }
}

function eligible(route: Route, c: Complexity): bool {
  return route.complexity == Complexity.Any || route.complexity == c;
}

function keywordMatch(route: Route, normalized: string): bool {
  for (let i = 0; i < route.keywords.length; i++) if (normalized.includes(unchecked(route.keywords[i]))) return true;
  return false;
}

export function decide(cfg: RouterConfig, text: string): Decision {
  if (text.length == 0) return new Decision(cfg.fallback, Outcome.NoText, 0);
  const model = cfg.model;
  if (model === null) return new Decision(cfg.fallback, Outcome.NoText, 0);
  const features = model.analyze(text);
  const cscore = complexityScore(text, features);
  const c = cscore >= cfg.complexityThreshold ? Complexity.Complex : Complexity.Simple;
  const routes = cfg.routes;

  let pick: Route | null = null;
  const normalized = cfg.hasKeywords ? normalizedString(text, cfg.input.maxScanBytes) : "";
  for (let i = 0; i < routes.length; i++) {
    const r = unchecked(routes[i]);
    if (r.keywords.length == 0 || !eligible(r, c) || !keywordMatch(r, normalized)) continue;
    if (pick === null || r.priority > pick.priority) pick = r;
  }
  if (pick !== null) return new Decision(pick, Outcome.Keyword, 1, c, cscore);

  let best: f64 = 0;
  if (model.examples > 0) {
    let scores = model.score().scores;
    if (TABLE_BYTES > 0) {
      const emb = cfg.embedder;
      if (emb !== null) scores = combine(emb, text, scores, model.probabilities, model.cosine);
    }
    let bestEligible: f64 = -1;
    for (let i = 0; i < routes.length; i++) {
      const r = unchecked(routes[i]);
      if (r.examples.length == 0) continue;
      const s = unchecked(scores[unchecked(cfg.modelRoute[i])]);
      if (s > best) best = s;
      if (s < r.threshold || !eligible(r, c)) continue;
      if (s > bestEligible || (s == bestEligible && pick !== null && r.priority > pick.priority)) {
        bestEligible = s;
        pick = r;
      }
    }
    if (pick !== null) return new Decision(pick, Outcome.Semantic, bestEligible, c, cscore);
  }

  for (let i = 0; i < routes.length; i++) {
    const r = unchecked(routes[i]);
    if (r.examples.length > 0 || r.keywords.length > 0 || r.complexity != c) continue;
    if (pick === null || r.priority > pick.priority) pick = r;
  }
  if (pick !== null) return new Decision(pick, Outcome.ComplexityRoute, cscore, c, cscore);
  return new Decision(cfg.fallback, Outcome.BelowThreshold, best, c, cscore);
}

/**
 * The best route using embeddings whose score (the mean cosine similarity of
 * its `neighbors` nearest examples) is at least the service's threshold,
 * eligible for the request's complexity; null when none.
 */
export function decideByEmbedding(cfg: RouterConfig, query: Float64Array, local: Decision, cache: EmbeddingCache): Decision | null {
  const emb = cfg.embeddings;
  if (emb === null) return null;
  let pick: Route | null = null;
  let best: f64 = -2;
  const k = emb.neighbors;
  const top = new Float64Array(k);
  for (let i = 0; i < cfg.routes.length; i++) {
    const r = cfg.routes[i];
    if (!r.embeddings || !eligible(r, local.complexity)) continue;
    // The route's k best cosine similarities, in descending order.
    top.fill(-2);
    let seen = 0;
    for (let j = 0; j < r.examples.length; j++) {
      const v = cache.get(r.examples[j]);
      if (v === null) continue;
      seen++;
      const s = cosine(query, v);
      let at = k - 1;
      if (s <= top[at]) continue;
      while (at > 0 && top[at - 1] < s) {
        top[at] = top[at - 1];
        at--;
      }
      top[at] = s;
    }
    const n = min(seen, k);
    if (n == 0) continue;
    let sum: f64 = 0;
    for (let j = 0; j < n; j++) sum += top[j];
    const score = sum / <f64>n;
    if (score > best) {
      best = score;
      pick = r;
    }
  }
  if (pick === null || best < emb.threshold) return null;
  return new Decision(pick, Outcome.Embedding, best, local.complexity, local.complexityScore);
}

/** Temperatures of the softmax votes of the lexical cosine and of the embedding neighbours (chosen on CLINC150's validation split). */
const COSINE_TEMPERATURE: f64 = 0.1;
const NEIGHBOUR_TEMPERATURE: f64 = 0.05;

/**
 * `classifier: "embeddings"`: four votes per route, multiplied, pick the
 * route: the embedding regression's probability (its square root: alone it
 * is the weakest), the lexical regression's, and softmaxes of the lexical
 * cosine scores and of the embedding neighbours' similarities (a route far
 * behind the best on either is unlikely). The score, the gate for
 * out-of-scope requests, is the geometric mean of the best lexical cosine,
 * the picked route's neighbour similarity and the square root of its
 * combined probability: a request close to no route's examples in either
 * space, or that the votes disagree on, is less likely in scope. A vote or
 * factor that is missing is left out: the neighbours' when the embedding
 * does not tell these routes apart, both embedding votes when the text has
 * no known token (or the configuration was too large for the regression),
 * the lexical regression's when it was too large for that. Every other
 * route gets the score times its probability.
 */
function combine(emb: EmbeddingClassifier, text: string, scores: Float64Array, lexicalProb: Float64Array | null, cosine: Float64Array): Float64Array {
  const embedded = emb.score(text);
  const R = emb.routes;
  const p = emb.combined;
  const near = embedded ? emb.neighbours : null;
  let top: f64 = 0;
  let nearTop: f64 = -Infinity;
  for (let r = 0; r < R; r++) {
    top = max(top, cosine[r]);
    if (near !== null) nearTop = max(nearTop, near.similarity[r]);
  }
  let total: f64 = 0;
  for (let r = 0; r < R; r++) {
    let v = Math.exp((cosine[r] - top) / COSINE_TEMPERATURE);
    if (lexicalProb !== null) v *= lexicalProb[r];
    if (embedded) v *= Math.sqrt(emb.probability[r]);
    if (near !== null) v *= Math.exp((near.similarity[r] - nearTop) / NEIGHBOUR_TEMPERATURE);
    p[r] = v;
    total += v;
  }
  let pick = 0;
  for (let r = 0; r < R; r++) {
    if (total > 0) p[r] /= total;
    if (p[r] > p[pick]) pick = r;
  }
  // The geometric mean: the ranking of the factors' product, on a scale like a similarity's.
  const gate = near === null ? Math.sqrt(top * Math.sqrt(p[pick])) : Math.cbrt(top * max(near.similarity[pick], 0) * Math.sqrt(p[pick]));
  for (let r = 0; r < R; r++) scores[r] = r == pick ? gate : gate * p[r];
  return scores;
}
