// Evaluation on CLINC150 (test/data/intents/clinc150, CC BY 3.0, see
// ATTRIBUTION.md) through the real semantic-router.wasm in the emulator.
//
// Route examples: the first 10 training utterances of each of the 150
// intents. Two settings:
//   - "domains": 10 routes, one per CLINC domain (banking, travel ...), each
//     with the 150 examples of its 15 intents: 1,500 examples in all, the
//     shape of "one fine-tuned model per domain";
//   - "intents": 150 routes, one per intent, 10 examples each.
// In-scope queries (test split, 30 per intent) must reach their route;
// out-of-scope queries (oos_test, 1,000) must reach the default route.
// Requests are classified once with threshold 0 (so the filter reports the
// best route and its score); a threshold t then routes exactly the requests
// whose score is >= t, so one pass gives the whole threshold curve. The
// score header has three decimals: a request whose rounded score is within
// half a thousandth of t could fall either side, so those few are sent
// again through a VM configured with t (exactPoint), and the figures are
// the filter's own decisions at t.
import type { CalloutRequest, ClusterBehavior } from "../../host/clusters.ts";
import { Host } from "../../host/host.ts";
import type { ProxyVm } from "../../host/vm.ts";
import { clincConfig, loadClinc, routeOf, type Setting } from "./clinc-config.ts";
import { chat, ROUTER_WASM, routerVm } from "./support.ts";

export type { Setting };

export interface Item {
  text: string;
  expected: string;
}

export interface Scored extends Item {
  got: string;
  score: number;
}

/** Classifies each text through the VM (one request each); `expected` is "default" for out-of-scope. */
export async function classifyAll(vm: ProxyVm, items: Item[]): Promise<Scored[]> {
  const out: Scored[] = [];
  for (const { text, expected } of items) {
    const res = await chat(vm, text);
    if (res.status !== 200 || !res.upstream) throw new Error(`request failed: ${res.status} ${res.body}`);
    out.push({ text, expected, got: res.upstream.headers.get("x-semantic-route") ?? "", score: Number(res.upstream.headers.get("x-semantic-score")) });
  }
  return out;
}

export interface Point {
  threshold: number;
  /** In-scope queries routed to their own route. */
  inScopeAccuracy: number;
  /** Out-of-scope queries sent to the default route. */
  oosToDefault: number;
}

/** The curve from the rounded scores (a request scored within 0.0005 of a threshold may be counted on the wrong side; see exactPoint). */
export function curve(inScope: Scored[], oos: Scored[], thresholds: number[]): Point[] {
  return thresholds.map((t) => ({
    threshold: t,
    inScopeAccuracy: inScope.filter((s) => s.score >= t && s.got === s.expected).length / inScope.length,
    oosToDefault: oos.filter((s) => s.score < t || s.got === "default").length / oos.length,
  }));
}

/**
 * Vectors to answer the filter's embedding calls with (text -> vector), and
 * how many nearest examples a route's score averages. Every route then opts
 * into embeddings, the service's threshold is -1 (it always decides, so the
 * score is the embedding score) and the local classifier never routes.
 */
export interface EmbeddingsEval {
  vectors: Map<string, number[]>;
  neighbors: number;
}

function embeddingCluster(vectors: Map<string, number[]>): ClusterBehavior {
  return (req: CalloutRequest) => {
    const inputs: string[] = JSON.parse(Buffer.from(req.body).toString()).input;
    const data = inputs.map((text, index) => {
      const embedding = vectors.get(text);
      if (!embedding) throw new Error(`no vector for ${JSON.stringify(text)}`);
      return { object: "embedding", index, embedding };
    });
    return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ object: "list", data }) };
  };
}

/** A routing evaluation set: the configuration (route examples), in-scope queries with their route, out-of-scope queries. */
export interface EvalSet {
  config: Record<string, unknown>;
  inScope: Item[];
  oos: Item[];
}

export function clincSet(setting: Setting, split: "test" | "val", extra: Record<string, unknown> = {}): EvalSet {
  const data = loadClinc();
  const route = routeOf(data, setting);
  return {
    config: clincConfig(data, setting, extra),
    inScope: data[split].map(([text, intent]) => ({ text, expected: route.get(intent)! })),
    oos: data[split === "test" ? "oos_test" : "oos_val"].map((text) => ({ text, expected: "default" })),
  };
}

export async function evaluate(setting: Setting, split: "test" | "val", extra: Record<string, unknown> = {}, embeddings: EmbeddingsEval | null = null, wasm = ROUTER_WASM) {
  return evaluateSet(clincSet(setting, split, extra), embeddings, wasm);
}

/** Runs a set through a VM of `wasm` (threshold 0: every request gets its best route and score). */
export async function evaluateSet(set: EvalSet, embeddings: EmbeddingsEval | null = null, wasm = ROUTER_WASM) {
  let config = set.config;
  let host = new Host();
  if (embeddings !== null) {
    config = {
      ...config,
      threshold: 1,
      routes: (config.routes as Record<string, unknown>[]).map((r) => ({ ...r, embeddings: true })),
      embeddings: { cluster: "embed", threshold: -1, neighbors: embeddings.neighbors, timeout_ms: 60_000, cache_entries: 100_000 },
    };
    host = new Host({ clusters: { embed: embeddingCluster(embeddings.vectors) } });
  }
  const vm = routerVm(config, host, wasm);
  const inScope = await classifyAll(vm, set.inScope);
  const oos = await classifyAll(vm, set.oos);
  const at = (t: number) => routerVm(embeddings === null ? { ...config, threshold: t } : { ...config, embeddings: { ...(config.embeddings as object), threshold: t } }, host, wasm);
  return { vm, inScope, oos, at };
}

/** A finished evaluation: scores at threshold 0, and a VM configured with a given threshold. */
export interface Evaluation {
  inScope: Scored[];
  oos: Scored[];
  at(threshold: number): ProxyVm;
}

const HALF_STEP = 0.0005 + 1e-9;

/** The filter's own figures at threshold t: the requests the rounded score leaves in doubt are decided by a VM configured with t. */
export async function exactPoint(ev: Evaluation, t: number): Promise<Point> {
  const doubtful = (s: Scored) => Math.abs(s.score - t) <= HALF_STEP;
  const again = [...ev.inScope, ...ev.oos].filter(doubtful);
  const settled = new Map<Scored, string>();
  if (again.length > 0) {
    const decided = await classifyAll(ev.at(t), again);
    again.forEach((s, i) => settled.set(s, decided[i].got));
  }
  const routedTo = (s: Scored) => (settled.has(s) ? settled.get(s)! : s.score >= t ? s.got : "default");
  return {
    threshold: t,
    inScopeAccuracy: ev.inScope.filter((s) => routedTo(s) === s.expected).length / ev.inScope.length,
    oosToDefault: ev.oos.filter((s) => routedTo(s) === "default").length / ev.oos.length,
  };
}

export const THRESHOLDS = [0, 0.1, 0.125, 0.145, 0.16, 0.175, 0.2, 0.25, 0.3];

/**
 * The point of a fine threshold sweep (0 to 1 by 0.0025) with the best
 * in-scope accuracy while at least `minOos` of out-of-scope goes to default,
 * in the filter's own decisions (exactPoint on the points that could win).
 */
export async function bestAt(ev: Evaluation, minOos: number): Promise<Point> {
  const grid = Array.from({ length: 401 }, (_, i) => i * 0.0025);
  // Bounds per point: doubtful requests counted against, then for.
  const bounds = grid.map((t) => {
    const sure = (s: Scored) => Math.abs(s.score - t) > HALF_STEP;
    const count = (xs: Scored[], ok: (s: Scored) => boolean, doubt: (s: Scored) => boolean) => xs.filter((s) => (sure(s) ? ok(s) : doubt(s))).length;
    const hit = (s: Scored) => s.score >= t && s.got === s.expected;
    const out = (s: Scored) => s.score < t || s.got === "default";
    return {
      t,
      inLow: count(ev.inScope, hit, () => false) / ev.inScope.length,
      inHigh: count(ev.inScope, hit, (s) => s.got === s.expected) / ev.inScope.length,
      oosLow: count(ev.oos, out, () => false) / ev.oos.length,
      oosHigh: count(ev.oos, out, () => true) / ev.oos.length,
    };
  });
  const floor = Math.max(...bounds.filter((b) => b.oosLow >= minOos).map((b) => b.inLow));
  let best: Point | null = null;
  for (const b of bounds.filter((b) => b.oosHigh >= minOos && b.inHigh >= floor)) {
    const p = await exactPoint(ev, b.t);
    if (p.oosToDefault >= minOos && (best === null || p.inScopeAccuracy > best.inScopeAccuracy)) best = p;
  }
  if (best === null) throw new Error(`no threshold sends ${minOos * 100}% of out-of-scope to default`);
  return best;
}