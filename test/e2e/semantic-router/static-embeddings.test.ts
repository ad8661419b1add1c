// semantic-router-embed.wasm (the filter with the static embedding table
// distilled from all-MiniLM-L6-v2) in a real Envoy with `classifier:
// "embeddings"`, no embedding service. Three routes whose examples share no
// word with the requests: only meaning can route them. Each request must
// reach the route a human would pick, and numpy, from the model's own
// tokenizer and the same table, must pick it too (nearest route centroid):
// a wrong tokenizer, a wrong or shuffled table routes them elsewhere. The
// lexical module, same routes, misses some of them (so the table is what
// routes them), and refuses `classifier: "embeddings"`.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { ROOT, TMP, wasmPath } from "../../../scripts/lib/paths.ts";
import { ensureTable } from "../../../scripts/router/static/build-table.ts";
import { Envoy } from "../../harness/envoy.ts";
import { type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";
import { clincConfig, loadClinc, routeOf } from "../../unit/semantic-router/clinc-config.ts";

const ROUTES: Record<string, string[]> = {
  travel: ["book a flight to London", "find a hotel near the airport", "is my train delayed", "how much luggage can I bring on the plane"],
  cooking: ["give me a recipe for pancakes", "how long should I bake a chicken", "what spices go well with lamb", "can I substitute butter with oil"],
  banking: ["what is my account balance", "transfer money to my savings", "my credit card was declined", "how do I report a stolen card"],
};
const REQUESTS: [string, string][] = [
  ["when does the aircraft depart", "travel"],
  ["reserve accommodation downtown", "travel"],
  ["roast turkey temperature", "cooking"],
  ["vegetarian dinner ideas", "cooking"],
  ["loan interest rate", "banking"],
  ["overdraft fee dispute", "banking"],
];
const config = (classifier: string) => ({
  classifier,
  threshold: 0,
  default: { name: "base", model: "demo-base" },
  routes: Object.entries(ROUTES).map(([name, examples]) => ({ name, model: `demo-${name}`, examples })),
});

let llm: LlmUpstream;
let alt: LlmUpstream;
let table: string;
const envoys: Envoy[] = [];

/** An Envoy running `module` as semantic-router.wasm (the shared config names that file). */
async function envoyWith(module: string, name: string, classifier = "embeddings", routerConfig: unknown = config(classifier)): Promise<Envoy> {
  const dir = join(TMP, `static-embeddings-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(wasmPath(module), join(dir, "semantic-router.wasm"));
  const envoy = await Envoy.start({
    config: "envoy/semantic-router.yaml",
    name: `semantic-router-${name}`,
    vars: { WASM_DIR: dir, LLM_PORT: llm.port, LLM_ALT_PORT: alt.port, ROUTER_CONFIG: JSON.stringify(routerConfig) },
  });
  envoys.push(envoy);
  return envoy;
}

/** The unit embeddings numpy computes for `texts` from the table. */
function oracleVectors(texts: string[]): number[][] {
  const out = execFileSync("python3", [join(ROOT, "test/unit/semantic-router/static_oracle.py")], {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: join(ROOT, ".tools/minilm/lib") },
    input: JSON.stringify({ table, texts }),
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out.toString()).vectors;
}

beforeAll(async () => {
  table = ensureTable();
  await build({ only: "semantic-router-embed", quiet: true });
  await build({ only: "semantic-router", quiet: true });
  llm = await startLlmUpstream({ name: "llm" });
  alt = await startLlmUpstream({ name: "llm-alt", models: ["demo-travel"] });
}, 1_800_000);

afterAll(async () => {
  for (const e of envoys) await e.stop();
  await llm?.close();
  await alt?.close();
});

/** The route each request reaches through `envoy` (the model the upstream was asked for, less "demo-"). */
async function routesThrough(envoy: Envoy, texts: string[] = REQUESTS.map(([t]) => t)): Promise<string[]> {
  const out: string[] = [];
  for (const text of texts) {
    const res = await fetch(envoy.url("/v1/chat/completions"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: text }] }),
    });
    expect(res.status).toBe(200);
    out.push(((await res.json()).model as string).replace(/^demo-/, "").replace(/-model$/, ""));
  }
  return out;
}

describe("semantic-router-embed: static embeddings in Envoy", () => {
  it("routes requests that share no word with the examples by meaning, as numpy does from the model's tokenizer and the table", async () => {
    const names = Object.keys(ROUTES);
    const examples = names.flatMap((n) => ROUTES[n]);
    const vectors = oracleVectors([...examples, ...REQUESTS.map(([t]) => t)]);
    const centroids = names.map((n) => {
      const c = new Array(vectors[0].length).fill(0);
      ROUTES[n].forEach((e) => vectors[examples.indexOf(e)].forEach((x, d) => (c[d] += x)));
      return c;
    });
    const nearest = REQUESTS.map((_, i) => {
      const q = vectors[examples.length + i];
      const cos = centroids.map((c) => q.reduce((s, x, d) => s + x * c[d], 0) / Math.hypot(...c));
      return names[cos.indexOf(Math.max(...cos))];
    });
    const expected = REQUESTS.map(([, route]) => route);
    expect(nearest).toEqual(expected);
    const envoy = await envoyWith("semantic-router-embed", "embed");
    expect(await routesThrough(envoy)).toEqual(expected);
    for (const n of names) expect(await envoy.stat(`wasmcustom.semantic_router_decisions.route.${n}.outcome.semantic`)).toBe(2);
    envoy.assertHealthy();
    const lexical = await envoyWith("semantic-router", "lexical", "lexical");
    const byWords = await routesThrough(lexical);
    expect(byWords.filter((r, i) => r !== expected[i]).length).toBeGreaterThanOrEqual(2);
  });

  it("CLINC150's 10 domains at the default threshold: in-scope questions reach their domain and most out-of-scope ones the default route (the neighbours' gate), better than the lexical module at its own", async () => {
    const data = loadClinc();
    const route = routeOf(data, "domains");
    const inScope = data.test.filter((_, i) => i % 45 === 0);
    const oos = data.oos_test.filter((_, i) => i % 10 === 0);
    const texts = [...inScope.map(([t]) => t), ...oos];
    // The default threshold of each classifier (clincConfig sets 0).
    const clinc = (classifier: string) => ({ ...clincConfig(data, "domains", { classifier, default: { name: "base", model: "default-model" } }), threshold: undefined });
    const score = (got: string[]) => ({
      inScope: inScope.filter(([, intent], i) => got[i] === route.get(intent)).length / inScope.length,
      oos: oos.filter((_, i) => got[inScope.length + i] === "default").length / oos.length,
    });
    const embed = score(await routesThrough(await envoyWith("semantic-router-embed", "clinc-embed", "embeddings", clinc("embeddings")), texts));
    // The whole test split gives 89.4% in scope and 67.1% of out-of-scope to default (README, Quality).
    expect(embed.inScope).toBeGreaterThanOrEqual(0.88);
    expect(embed.oos).toBeGreaterThanOrEqual(0.7);
    const lexical = score(await routesThrough(await envoyWith("semantic-router", "clinc-lexical", "lexical", clinc("lexical")), texts));
    expect(embed.inScope + embed.oos).toBeGreaterThan(lexical.inScope + lexical.oos);
  }, 300_000);

  it("the lexical module refuses classifier: embeddings (it has no table)", async () => {
    await expect(envoyWith("semantic-router", "refused")).rejects.toThrow();
  });
});
