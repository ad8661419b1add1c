// semantic-router-embed.wasm (the filter with the static embedding table
// distilled from all-MiniLM-L6-v2) in a real Envoy with `classifier:
// "embeddings"`: requests that share no word with any route example reach
// their route on meaning alone, with no embedding service; the lexical
// module, given the same configuration, cannot route them. A wrong table or
// tokenizer gives wrong vectors, and these requests go elsewhere.
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { TMP, wasmPath } from "../../../scripts/lib/paths.ts";
import { Envoy } from "../../harness/envoy.ts";
import { type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";
import { ensureInstalled } from "../../upstreams/minilm.ts";

const ROUTES = [
  {
    name: "billing",
    model: "demo-billing",
    header: "alt",
    examples: ["I want a refund for my order", "why was my credit card charged", "send me a copy of my invoice", "update the payment method on my account"],
  },
  {
    name: "travel",
    model: "demo-travel",
    examples: ["book a flight to London", "find a hotel near the airport", "is my train delayed", "how much luggage can I bring on the plane"],
  },
];
const CONFIG = { classifier: "embeddings", threshold: 0.5, default: { name: "base", model: "demo-base" }, routes: ROUTES };
// What only meaning connects to the examples (no shared word but stop words).
const CASES: [string, string, string][] = [
  ["reimburse the amount you debited twice", "llm-alt", "demo-billing"],
  ["reserve accommodation in Paris", "llm", "demo-travel"],
  ["when does the aircraft depart", "llm", "demo-travel"],
  ["who painted the mona lisa", "llm", "demo-base"],
];

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

beforeAll(async () => {
  ensureInstalled();
  await build({ only: "semantic-router-embed", quiet: true });
  await build({ only: "semantic-router", quiet: true });
  llm = await startLlmUpstream({ name: "llm", models: ["demo-base", "demo-travel"] });
  alt = await startLlmUpstream({ name: "llm-alt", models: ["demo-billing"] });
}, 1_800_000);

afterAll(async () => {
  for (const e of envoys) await e.stop();
  await llm?.close();
  await alt?.close();
});

async function ask(envoy: Envoy, text: string) {
  const res = await fetch(envoy.url("/v1/chat/completions"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: text }] }),
  });
  expect(res.status).toBe(200);
  return { upstream: res.headers.get("x-upstream-name") ?? "", model: (await res.json()).model as string };
}

describe("semantic-router-embed: static embeddings in Envoy", () => {
  it("routes on meaning with the table in the module", async () => {
    const envoy = await envoyWith("semantic-router-embed", "embed");
    for (const [text, upstream, model] of CASES) expect({ text, ...(await ask(envoy, text)) }).toEqual({ text, upstream, model });
    const stats = await envoy.stats("semantic_router_decisions");
    expect(stats["wasmcustom.semantic_router_decisions.route.travel.outcome.semantic"]).toBe(2);
    envoy.assertHealthy();
  });

  it("the lexical module refuses the configuration: it has no table", async () => {
    await expect(envoyWith("semantic-router", "lexical")).rejects.toThrow();
  });
});
