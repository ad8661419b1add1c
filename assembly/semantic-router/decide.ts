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
      if (emb !== null) scores = combine(emb, text, scores, model.probabilities);
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

/**
 * `classifier: "embeddings"`: per route, the product of the two models'
 * probabilities (the embedding regression's, softened to its square root
 * as the weaker model, and the lexical one's when there is one) picks the
 * route. The score, the gate for out-of-scope
 * requests, is the lexical one (its best route's) times the square root of
 * the picked route's combined probability: a request the two models do not
 * agree on is less likely in scope. On CLINC150 both square roots did
 * better than other powers, and the gate better than the embedding's
 * similarity to the routes (README, "Quality"). Every other route
 * gets that times its probability. Without a known token the lexical scores
 * stand.
 */
function combine(emb: EmbeddingClassifier, text: string, lexical: Float64Array, lexicalProb: Float64Array | null): Float64Array {
  if (!emb.score(text)) return lexical;
  const R = emb.routes;
  const p = emb.probability;
  let total: f64 = 0;
  let gate: f64 = 0;
  for (let r = 0; r < R; r++) {
    p[r] = Math.sqrt(p[r]);
    if (lexicalProb !== null) p[r] *= lexicalProb[r];
    total += p[r];
    gate = max(gate, lexical[r]);
  }
  let pick = 0;
  for (let r = 0; r < R; r++) {
    if (total > 0) p[r] /= total;
    if (p[r] > p[pick]) pick = r;
  }
  gate *= Math.sqrt(p[pick]);
  for (let r = 0; r < R; r++) lexical[r] = r == pick ? gate : gate * p[r];
  return lexical;
}
