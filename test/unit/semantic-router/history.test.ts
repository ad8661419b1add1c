// The classifier reuses its buffers from request to request (feature
// counts, per-example and per-route sums, the tokenizer's word); a request
// must be scored as if it were the VM's first: the same texts in opposite
// orders get the same route and score, long prompts beside short ones,
// Chinese beside English, in every scoring mode and in the embed module.
import { beforeAll, describe, expect, it } from "vitest";
import { Prng } from "../common/corpus/prng.ts";
import { classifyAll, type Item } from "./clinc.ts";
import { clincConfig, loadClinc } from "./clinc-config.ts";
import { zhSet } from "./zh.ts";
import { build } from "../../../scripts/build.ts";
import { ensureTable } from "../../../scripts/router/static/build-table.ts";
import { PROMPT_2K } from "../../../scripts/router/prompt-2k.ts";
import { Host } from "../../host/host.ts";
import { buildRouter, EMBED_WASM, ROUTER_WASM, routerVm } from "./support.ts";

beforeAll(async () => {
  await buildRouter();
  ensureTable();
  await build({ only: "semantic-router-embed", quiet: true });
}, 1_800_000);

/** CLINC150 queries, Chinese questions and long prompts (2 KB, and word salads with repeats), in a seeded order. */
function mixedTexts(): Item[] {
  const data = loadClinc();
  const rng = new Prng(20261206);
  const words = data.train.flatMap(([t]) => t.split(" "));
  const texts = [
    ...data.test.filter((_, i) => i % 15 === 0).map(([t]) => t),
    ...data.oos_test.filter((_, i) => i % 15 === 0),
    ...zhSet("test").inScope.filter((_, i) => i % 8 === 0).map((i) => i.text),
    PROMPT_2K,
    PROMPT_2K.slice(700, 1900),
  ];
  for (let i = 0; i < 40; i++) {
    const n = 20 + rng.int(400);
    texts.push(Array.from({ length: n }, () => (rng.next() < 0.2 ? texts[rng.int(texts.length)] : words[rng.int(words.length)])).join(" "));
  }
  for (let i = texts.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [texts[i], texts[j]] = [texts[j], texts[i]];
  }
  return texts.map((text) => ({ text, expected: "" }));
}

describe("semantic-router: a decision does not depend on the requests before it", () => {
  it.each([
    ["lexical, mixed scoring", ROUTER_WASM, {}],
    ["lexical, nearest 3 examples", ROUTER_WASM, { scoring: "nearest", neighbors: 3 }],
    ["lexical, centroid", ROUTER_WASM, { scoring: "centroid" }],
    ["static embeddings", EMBED_WASM, { classifier: "embeddings" }],
  ])("%s: the same texts in opposite orders get the same routes and scores", async (_, wasm, extra) => {
    const items = mixedTexts();
    const config = clincConfig(loadClinc(), "domains", { input: { max_scan_bytes: 2048 }, ...extra });
    const forward = await classifyAll(routerVm(config, new Host(), wasm), items);
    const backward = (await classifyAll(routerVm(config, new Host(), wasm), [...items].reverse())).reverse();
    expect(backward.map((s) => `${s.got} ${s.score}`)).toEqual(forward.map((s) => `${s.got} ${s.score}`));
    // Not all alike: the texts reach several routes with scores spread out.
    expect(new Set(forward.map((s) => s.got)).size).toBeGreaterThan(4);
    expect(new Set(forward.map((s) => s.score)).size).toBeGreaterThan(items.length / 3);
  }, 120_000);
});
