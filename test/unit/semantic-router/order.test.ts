// The classifier is trained at configure time; the order in which the
// configuration lists routes and examples must not change any decision
// (CLINC150 domains, routes and examples shuffled with fixed seeds).
import { beforeAll, describe, expect, it } from "vitest";
import { Prng } from "../common/corpus/prng.ts";
import { classifyAll } from "./clinc.ts";
import { clincConfig, loadClinc, routeOf } from "./clinc-config.ts";
import { build } from "../../../scripts/build.ts";
import { ensureTable } from "../../../scripts/router/static/build-table.ts";
import { Host } from "../../host/host.ts";
import { buildRouter, EMBED_WASM, ROUTER_WASM, routerVm } from "./support.ts";

beforeAll(async () => {
  await buildRouter();
  ensureTable();
  await build({ only: "semantic-router-embed", quiet: true });
}, 1_800_000);

function shuffled<T>(items: readonly T[], rng: Prng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe("semantic-router training order", () => {
  it.each([
    ["lexical", ROUTER_WASM, {}],
    ["static embeddings", EMBED_WASM, { classifier: "embeddings" }],
  ])("%s: gives the same decisions and scores whatever the order of routes and examples", async (_, wasm, extra) => {
    const data = loadClinc();
    const route = routeOf(data, "domains");
    const items = [
      ...data.test.filter((_, i) => i % 5 === 0).map(([text, intent]) => ({ text, expected: route.get(intent)! })),
      ...data.oos_test.filter((_, i) => i % 5 === 0).map((text) => ({ text, expected: "default" })),
    ];
    const config = clincConfig(data, "domains", { threshold: 0.145, ...extra });
    const reference = await classifyAll(routerVm(config, new Host(), wasm), items);
    for (const seed of [1, 2]) {
      const rng = new Prng(seed);
      const routes = shuffled(config.routes as { examples: string[] }[], rng).map((r) => ({ ...r, examples: shuffled(r.examples, rng) }));
      const got = await classifyAll(routerVm({ ...config, routes }, new Host(), wasm), items);
      expect(got).toEqual(reference);
    }
  }, 120_000);
});
