// Routes scored through an OpenAI-compatible embedding service (the mock
// LLM's deterministic embeddings), its cache, and the fall back to the local
// classifier when the service fails, is slow or answers nonsense.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/host.ts";
import type { CalloutRequest, ClusterBehavior } from "../../host/clusters.ts";
import { embed } from "../../upstreams/llm.ts";
import { buildRouter, chat, decisionState, routerVm, upstreamModel } from "./support.ts";

beforeAll(buildRouter, 120_000);

const EXAMPLE = "my router keeps dropping the wifi connection";

const CONFIG = {
  threshold: 0.9, // the local classifier alone routes nothing here
  default: { name: "base", model: "demo-base" },
  embeddings: { cluster: "embed", model: "text-embedding-3-small", timeout_ms: 200, threshold: 0.8 },
  routes: [{ name: "support", model: "demo-support", embeddings: true, examples: [EXAMPLE, "the internet is down at home"] }],
};

/** The mock LLM's /v1/embeddings answer for the call's inputs. */
function embeddingService(req: CalloutRequest) {
  const inputs: string[] = JSON.parse(Buffer.from(req.body).toString()).input;
  const data = inputs.map((text, index) => ({ object: "embedding", index, embedding: [...embed(text)] }));
  return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ object: "list", data, model: "m" }) };
}

function hostWith(embedCluster: ClusterBehavior): Host {
  return new Host({ clusters: { embed: embedCluster } });
}

describe("semantic-router with an embedding service", () => {
  it("routes by embedding similarity, embedding the examples once and caching texts", async () => {
    const host = hostWith(embeddingService);
    const vm = routerVm(CONFIG, host);
    const first = await chat(vm, "My router keeps dropping the WiFi connection!");
    expect(upstreamModel(first)).toBe("demo-support");
    expect(decisionState(first)).toMatch(/route=support outcome=embedding score=0\.9\d\d/);
    expect(host.calls).toHaveLength(1);
    const sent = JSON.parse(Buffer.from(host.calls[0].request.body).toString());
    expect(sent).toMatchObject({ model: "text-embedding-3-small", encoding_format: "float" });
    expect(sent.input).toEqual(["My router keeps dropping the WiFi connection!", EXAMPLE, "the internet is down at home"]);
    expect(host.calls[0].request.headers).toContainEqual([":path", "/v1/embeddings"]);

    const other = await chat(vm, "what is the capital of France");
    expect(upstreamModel(other)).toBe("demo-base");
    expect(JSON.parse(Buffer.from(host.calls[1].request.body).toString()).input).toEqual(["what is the capital of France"]);

    await chat(vm, "My router keeps dropping the WiFi connection!");
    expect(host.calls).toHaveLength(2);
    expect(host.stats.counter("semantic_router_embeddings.result.cached")).toBe(1);
    expect(host.stats.counter("semantic_router_embeddings.result.ok")).toBe(2);
    expect(vm.trapped).toBe(false);
  });

  it("decides a request once, the same way whether its embedding is cached or not", async () => {
    // The local classifier alone picks cooking (the recipe words); the
    // embedding service, over the support route only, picks support.
    const host = hostWith(embeddingService);
    let cleared = 0;
    const clear = host.foreignFunctions.get("clear_route_cache")!;
    host.foreignFunctions.set("clear_route_cache", (...args) => {
      cleared++;
      return clear(...args);
    });
    const vm = routerVm(
      {
        threshold: 0.05,
        default: { name: "base", model: "demo-base" },
        embeddings: { cluster: "embed", threshold: 0.5 },
        routes: [
          { name: "support", model: "demo-support", embeddings: true, examples: [EXAMPLE] },
          { name: "cooking", model: "demo-chef", examples: ["how long should I bake a chicken", "give me a recipe for pancakes"] },
        ],
      },
      host,
    );
    const text = "give me a recipe for pancakes while my router keeps dropping the wifi";
    const local = await chat(routerVm({ threshold: 0.05, routes: [{ name: "support", examples: [EXAMPLE] }, { name: "cooking", examples: ["how long should I bake a chicken", "give me a recipe for pancakes"] }] }), text);
    expect(decisionState(local)).toContain("route=cooking outcome=semantic");
    const first = await chat(vm, text);
    const second = await chat(vm, text);
    for (const res of [first, second]) {
      expect(upstreamModel(res)).toBe("demo-support");
      expect(res.upstream?.headers.get("x-semantic-route")).toBe("support");
      expect(decisionState(res)).toMatch(/^route=support outcome=embedding /);
    }
    expect(host.stats.counter("semantic_router_embeddings.result.cached")).toBe(1);
    expect(host.stats.counter("semantic_router_decisions.route.support.outcome.embedding")).toBe(2);
    expect(host.stats.counter("semantic_router_decisions.route.cooking.outcome.semantic")).toBe(0);
    expect(host.stats.histogram("semantic_router_decision_us")).toHaveLength(2);
    expect(cleared).toBe(2);
    expect(vm.trapped).toBe(false);
  });

  it("lets the local classifier route a request no route reaches in the embedding space (README: both must miss for the default route)", async () => {
    const host = hostWith(embeddingService);
    const vm = routerVm({ ...CONFIG, threshold: 0.15, embeddings: { ...CONFIG.embeddings, threshold: 0.999 } }, host);
    const res = await chat(vm, "my router keeps dropping the wifi connection at night");
    expect(decisionState(res)).toMatch(/^route=support outcome=semantic /);
    expect(host.stats.counter("semantic_router_embeddings.result.ok")).toBe(1);
    const strict = routerVm({ ...CONFIG, threshold: 1, embeddings: { ...CONFIG.embeddings, threshold: 0.999 } }, hostWith(embeddingService));
    expect(decisionState(await chat(strict, "my router keeps dropping the wifi connection at night"))).toMatch(/^route=base outcome=below_threshold /);
  });

  it.each([
    ["down", { fail: "connect-failure" } as ClusterBehavior],
    ["slow", ((req: CalloutRequest) => ({ ...embeddingService(req), delayMs: 1000 })) as ClusterBehavior],
    ["an error status", { status: 500, body: "{}" } as ClusterBehavior],
    ["nonsense", { status: 200, body: '{"data":[{"embedding":"x"}]}' } as ClusterBehavior],
    ["a reset", { fail: "reset" } as ClusterBehavior],
  ])("falls back to the local classifier when the service is %s", async (_, behavior) => {
    const host = hostWith(behavior);
    const vm = routerVm({ ...CONFIG, threshold: 0.15 }, host);
    const res = await chat(vm, "my router keeps dropping the wifi connection");
    expect(res.status).toBe(200);
    expect(upstreamModel(res)).toBe("demo-support");
    expect(decisionState(res)).toContain("outcome=semantic");
    expect(host.stats.counter("semantic_router_embeddings.result.failed")).toBe(1);
    expect(vm.trapped).toBe(false);
  });

  it("scores a route by the mean of its `neighbors` nearest examples", async () => {
    // Unit vectors at chosen angles to the request ("q" = [1, 0]): route
    // "single" has one very close example and two far ones, route "steady"
    // three fairly close ones.
    const at = (cos: number) => [cos, Math.sqrt(1 - cos * cos)];
    const vectors: Record<string, number[]> = {
      q: at(1),
      "single one": at(0.95),
      "single two": at(0.1),
      "single three": at(0.1),
      "steady one": at(0.9),
      "steady two": at(0.88),
      "steady three": at(0.86),
    };
    const service = (req: CalloutRequest) => {
      const inputs: string[] = JSON.parse(Buffer.from(req.body).toString()).input;
      const data = inputs.map((text, index) => ({ object: "embedding", index, embedding: vectors[text] }));
      return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ object: "list", data }) };
    };
    const config = (neighbors: number) => ({
      threshold: 0.9,
      default: { name: "base", model: "demo-base" },
      embeddings: { cluster: "embed", threshold: 0.5, neighbors },
      routes: [
        { name: "single", model: "m-single", embeddings: true, examples: ["single one", "single two", "single three"] },
        { name: "steady", model: "m-steady", embeddings: true, examples: ["steady one", "steady two", "steady three"] },
      ],
    });
    const nearest = await chat(routerVm(config(1), hostWith(service)), "q");
    expect(decisionState(nearest)).toMatch(/route=single outcome=embedding score=0\.950/);
    const three = await chat(routerVm(config(3), hostWith(service)), "q");
    expect(decisionState(three)).toMatch(/route=steady outcome=embedding score=0\.880/);
    // More neighbors than examples: the mean of the ones there are.
    const many = await chat(routerVm(config(8), hostWith(service)), "q");
    expect(decisionState(many)).toMatch(/route=steady outcome=embedding score=0\.880/);
  });

  it("refuses a route using embeddings without a service", () => {
    expect(() => routerVm({ routes: [{ name: "a", examples: ["x"], embeddings: true }] })).toThrow(/field `embeddings`: is required when a route sets embeddings: true/);
  });
});
