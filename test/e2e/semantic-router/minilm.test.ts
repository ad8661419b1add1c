// semantic-router with a real embedding model behind its `embeddings`
// option: scripts/router/minilm/server.py (all-MiniLM-L6-v2) as the
// /v1/embeddings service on cluster `embeddings`, Envoy routing on the
// header the filter sets. The requests share no words with the route
// examples: only their meaning routes them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { Envoy } from "../../harness/envoy.ts";
import { type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";
import { type EmbeddingServer, startEmbeddingServer } from "../../upstreams/minilm.ts";

const CONFIG = {
  threshold: 0.9, // the local classifier routes nothing: every decision below is the model's
  default: { name: "base", model: "demo-base" },
  embeddings: { cluster: "embeddings", model: "all-MiniLM-L6-v2", timeout_ms: 5000, threshold: 0.25, neighbors: 2 },
  routes: [
    {
      name: "billing",
      model: "demo-billing",
      header: "alt",
      embeddings: true,
      examples: ["I want a refund for my order", "why was my credit card charged", "send me a copy of my invoice", "update the payment method on my account"],
    },
    {
      name: "travel",
      model: "demo-travel",
      embeddings: true,
      examples: ["book a flight to London", "find a hotel near the airport", "is my train delayed", "how much luggage can I bring on the plane"],
    },
  ],
};

let llm: LlmUpstream;
let alt: LlmUpstream;
let embeddings: EmbeddingServer;
let envoy: Envoy;

beforeAll(async () => {
  await build({ only: "semantic-router", quiet: true });
  embeddings = await startEmbeddingServer();
  llm = await startLlmUpstream({ name: "llm", models: ["demo-base", "demo-travel"] });
  alt = await startLlmUpstream({ name: "llm-alt", models: ["demo-billing"] });
  envoy = await Envoy.start({
    config: "envoy/semantic-router.yaml",
    name: "semantic-router-minilm",
    vars: { LLM_PORT: llm.port, LLM_ALT_PORT: alt.port, EMBEDDINGS_PORT: embeddings.port, ROUTER_CONFIG: JSON.stringify(CONFIG) },
  });
}, 240_000);

afterAll(async () => {
  await envoy?.stop();
  await llm?.close();
  await alt?.close();
  await embeddings?.stop();
});

async function ask(text: string): Promise<{ upstream: string; model: string; route: string | null }> {
  const res = await fetch(envoy.url("/v1/chat/completions"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: text }] }),
  });
  expect(res.status).toBe(200);
  return { upstream: res.headers.get("x-upstream-name") ?? "", model: (await res.json()).model, route: res.headers.get("x-semantic-route") };
}

describe("semantic-router with all-MiniLM-L6-v2 as the embedding service", () => {
  it.each([
    ["I was billed twice for the same purchase", "llm-alt", "demo-billing"],
    ["my subscription fee went up without notice", "llm-alt", "demo-billing"],
    ["reserve me a room in Paris for Friday", "llm", "demo-travel"],
    ["when does my plane take off", "llm", "demo-travel"],
    ["who painted the mona lisa", "llm", "demo-base"],
    ["what is the capital of australia", "llm", "demo-base"],
  ])("%s -> %s (%s)", async (text, upstream, model) => {
    const got = await ask(text);
    expect(got).toMatchObject({ upstream, model });
  });

  it("embedded the examples once and served every request from the service", async () => {
    const stats = await envoy.stats("semantic_router_embeddings");
    expect(stats["wasmcustom.semantic_router_embeddings.result.ok"]).toBe(6);
    expect(stats["wasmcustom.semantic_router_embeddings.result.failed"] ?? 0).toBe(0);
    envoy.assertHealthy();
  });

  it("decides a repeated request once, the same way, from the cached embedding", async () => {
    const decisions = () => envoy.stats("semantic_router_decisions");
    const before = await decisions();
    const first = await ask("I was charged for a subscription I cancelled");
    const second = await ask("I was charged for a subscription I cancelled");
    expect(first).toMatchObject({ upstream: "llm-alt", model: "demo-billing", route: "alt" });
    expect(second).toEqual(first);
    const after = await decisions();
    const grew = Object.keys(after).filter((k) => after[k] !== (before[k] ?? 0));
    expect(grew).toEqual(["wasmcustom.semantic_router_decisions.route.billing.outcome.embedding"]);
    expect(after[grew[0]] - (before[grew[0]] ?? 0)).toBe(2);
    expect(await envoy.stat("wasmcustom.semantic_router_embeddings.result.cached")).toBe(1);
    envoy.assertHealthy();
  });
});
