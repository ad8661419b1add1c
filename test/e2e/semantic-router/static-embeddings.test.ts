// semantic-router-embed.wasm (the filter with the static embedding table
// distilled from all-MiniLM-L6-v2) in a real Envoy with `classifier:
// "embeddings"`, no embedding service: the module loads and configures, and
// the score it sends upstream for each request is the cosine similarity, in
// the embedding space, between the request and the route's centroid, as
// numpy computes it from the model's own tokenizer and the same table
// (test/unit/semantic-router/static_oracle.py). A wrong tokenizer, a wrong
// row or a wrong sum changes the score. The lexical module refuses the
// configuration.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { ROOT, TMP, wasmPath } from "../../../scripts/lib/paths.ts";
import { TABLE_PATH } from "../../../scripts/router/static/build-table.ts";
import { Envoy } from "../../harness/envoy.ts";
import { type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";
import { ensureInstalled } from "../../upstreams/minilm.ts";

const EXAMPLES = ["book a flight to London", "find a hotel near the airport", "is my train delayed", "how much luggage can I bring on the plane"];
// One route: it is always the pick, and its score is the request's similarity to its centroid.
const CONFIG = { classifier: "embeddings", threshold: 0, default: { name: "base", model: "demo-base" }, routes: [{ name: "travel", model: "demo-travel", header: "alt", examples: EXAMPLES }] };
const REQUESTS = ["when does the aircraft depart", "Réservez un hôtel près de l'aéroport!", "who painted the Mona Lisa", "我的航班延误了", "[CLS] LUGGAGE allowance?? 😀"];

let llm: LlmUpstream;
let alt: LlmUpstream;
const envoys: Envoy[] = [];

/** An Envoy running `module` as semantic-router.wasm (the shared config names that file). */
async function envoyWith(module: string, name: string): Promise<Envoy> {
  const dir = join(TMP, `static-embeddings-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(wasmPath(module), join(dir, "semantic-router.wasm"));
  const envoy = await Envoy.start({
    config: "envoy/semantic-router.yaml",
    name: `semantic-router-${name}`,
    vars: { WASM_DIR: dir, LLM_PORT: llm.port, LLM_ALT_PORT: alt.port, ROUTER_CONFIG: JSON.stringify(CONFIG) },
  });
  envoys.push(envoy);
  return envoy;
}

/** The unit embeddings numpy computes for `texts` from the table. */
function oracleVectors(texts: string[]): number[][] {
  const out = execFileSync("python3", [join(ROOT, "test/unit/semantic-router/static_oracle.py")], {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: join(ROOT, ".tools/minilm/lib") },
    input: JSON.stringify({ table: TABLE_PATH, texts }),
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out.toString()).vectors;
}

beforeAll(async () => {
  ensureInstalled();
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

describe("semantic-router-embed: static embeddings in Envoy", () => {
  it("scores each request by its embedding's similarity to the route's centroid, as numpy does from the model's tokenizer", async () => {
    const envoy = await envoyWith("semantic-router-embed", "embed");
    const vectors = oracleVectors([...EXAMPLES, ...REQUESTS]);
    const centroid = new Array(vectors[0].length).fill(0);
    for (const v of vectors.slice(0, EXAMPLES.length)) v.forEach((x, d) => (centroid[d] += x));
    const norm = Math.hypot(...centroid);
    REQUESTS.forEach((_, i) => expect(vectors[EXAMPLES.length + i]).not.toBeNull());
    for (const [i, text] of REQUESTS.entries()) {
      const q = vectors[EXAMPLES.length + i];
      const want = Math.max(0, q.reduce((s, x, d) => s + (x * centroid[d]) / norm, 0));
      const res = await fetch(envoy.url("/v1/chat/completions"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: text }] }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-upstream-name")).toBe("llm-alt");
      expect((await res.json()).model).toBe("demo-travel");
      expect(Math.abs(Number(res.headers.get("x-semantic-score")) - want)).toBeLessThanOrEqual(0.0015);
    }
    expect(await envoy.stat("wasmcustom.semantic_router_decisions.route.travel.outcome.semantic")).toBe(REQUESTS.length);
    envoy.assertHealthy();
  });

  it("the lexical module refuses the configuration: it has no table", async () => {
    await expect(envoyWith("semantic-router", "lexical")).rejects.toThrow();
  });
});
