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
// whose score is >= t, so one pass gives the whole threshold curve.
import type { CalloutRequest, ClusterBehavior } from "../../host/clusters.ts";
import { Host } from "../../host/host.ts";
import type { ProxyVm } from "../../host/vm.ts";
import { clincConfig, loadClinc, routeOf, type Setting } from "./clinc-config.ts";
import { chat, routerVm } from "./support.ts";

export type { Setting };

export interface Scored {
  expected: string;
  got: string;
  score: number;
}

/** Classifies each text through the VM (one request each); `expected` is "default" for out-of-scope. */
export async function classifyAll(vm: ProxyVm, items: { text: string; expected: string }[]): Promise<Scored[]> {
  const out: Scored[] = [];
  for (const { text, expected } of items) {
    const res = await chat(vm, text);
    if (res.status !== 200 || !res.upstream) throw new Error(`request failed: ${res.status} ${res.body}`);
    out.push({ expected, got: res.upstream.headers.get("x-semantic-route") ?? "", score: Number(res.upstream.headers.get("x-semantic-score")) });
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

export async function evaluate(setting: Setting, split: "test" | "val", extra: Record<string, unknown> = {}, embeddings: EmbeddingsEval | null = null) {
  const data = loadClinc();
  const route = routeOf(data, setting);
  let config = clincConfig(data, setting, extra);
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
  const vm = routerVm(config, host);
  const inScope = await classifyAll(vm, data[split].map(([text, intent]) => ({ text, expected: route.get(intent)! })));
  const oos = await classifyAll(vm, data[split === "test" ? "oos_test" : "oos_val"].map((text) => ({ text, expected: "default" })));
  return { vm, inScope, oos };
}

export const THRESHOLDS = [0, 0.1, 0.125, 0.145, 0.16, 0.175, 0.2, 0.25, 0.3];

/** The point of a fine threshold sweep with the best in-scope accuracy while at least `minOos` of out-of-scope goes to default. */
export function bestAt(inScope: Scored[], oos: Scored[], minOos: number): Point {
  const grid = Array.from({ length: 401 }, (_, i) => i * 0.0025);
  const ok = curve(inScope, oos, grid).filter((p) => p.oosToDefault >= minOos);
  return ok.reduce((a, b) => (b.inScopeAccuracy > a.inScopeAccuracy ? b : a));
}
