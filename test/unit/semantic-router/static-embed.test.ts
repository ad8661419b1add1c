// The embed variant's tokenizer and static embeddings (assembly/semantic-
// router/static/, through the kit-static-embed fixture) against the model's
// own tokenizer (the `tokenizers` package with all-MiniLM-L6-v2's
// tokenizer.json) and the embedding numpy computes from the same table, on
// generated text of many scripts (static-corpus.ts) and on CLINC150 queries.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { ROOT, wasmPath } from "../../../scripts/lib/paths.ts";
import { ensureTable } from "../../../scripts/router/static/build-table.ts";
import { type Kit, loadKit } from "../../host/kit.ts";
import { loadClinc } from "./clinc-config.ts";
import { staticCorpus } from "./static-corpus.ts";
import { zhSet } from "./zh.ts";

let kit: Kit;
let table: string;

beforeAll(async () => {
  table = ensureTable();
  await build({ only: "kit-static-embed", quiet: true });
  kit = loadKit(wasmPath("kit-static-embed", { fixture: true }));
}, 1_800_000);

interface Oracle {
  ids: number[][];
  vectors: (number[] | null)[];
  separates?: boolean;
  similarities?: (number[] | null)[];
}

function oracle(texts: string[], maxTokens?: number, neighbours?: { labels: number[] }): Oracle {
  const out = execFileSync("python3", [join(ROOT, "test/unit/semantic-router/static_oracle.py")], {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: join(ROOT, ".tools/minilm/lib") },
    input: JSON.stringify({ table, texts, max_tokens: maxTokens, neighbours }),
    maxBuffer: 256 << 20,
  });
  return JSON.parse(out.toString());
}

const tokenize = (text: string) => kit.callText("static_tokenize", text).split(" ").filter(Boolean).map(Number);

describe("semantic-router static embeddings", () => {
  it("tokenizes generated text of many scripts exactly as the model's tokenizer", () => {
    const texts = staticCorpus(3000, 20);
    const expected = oracle(texts).ids;
    const wrong = texts.map((t, i) => ({ t, want: expected[i], got: tokenize(t) })).filter((x) => JSON.stringify(x.got) !== JSON.stringify(x.want));
    expect(wrong.slice(0, 3)).toEqual([]);
    // The corpus reaches the cases that matter: [UNK], CJK, continuation pieces.
    const all = expected.flat();
    expect(all.filter((id) => id === 100).length).toBeGreaterThan(100);
    expect(all.length).toBeGreaterThan(100_000);
  }, 300_000);

  it("tokenizes CLINC150 queries exactly as the model's tokenizer", () => {
    const data = loadClinc();
    const texts = data.test.map(([t]) => t).filter((_, i) => i % 3 === 0);
    const expected = oracle(texts).ids;
    expect(texts.map(tokenize)).toEqual(expected);
  }, 300_000);

  it("embeds a text as numpy does from the same table (mean of the rows of its first 128 tokens, unit length)", () => {
    const texts = [...staticCorpus(200, 21), "when does my plane take off", "我的银行卡余额是多少", "", "\u0000\u200b", "[UNK]"];
    const { vectors } = oracle(texts, 128);
    texts.forEach((t, i) => {
      const got = kit.callText("static_embed", t);
      const want = vectors[i];
      if (want === null) return expect(got).toBe("");
      const v = got.split(" ").map(Number);
      expect(v).toHaveLength(want.length);
      let dot = 0;
      for (let d = 0; d < v.length; d++) dot += v[d] * want[d];
      expect(dot).toBeGreaterThan(0.99999);
    });
  }, 300_000);

  it("embeds only the first 128 tokens of a long text", () => {
    const head = staticCorpus(40, 22).join(" ");
    const texts = [`${head} ${"tail words that must not count ".repeat(200)}`, "word ".repeat(128), "word ".repeat(127) + "banana ".repeat(50)];
    const { ids, vectors } = oracle(texts, 128);
    expect(ids[0].length).toBeGreaterThan(600);
    const full = oracle(texts).vectors;
    texts.forEach((t, i) => {
      const v = kit.callText("static_embed", t).split(" ").map(Number);
      const dot = (w: number[]) => v.reduce((s, x, d) => s + x * w[d], 0);
      expect(dot(vectors[i]!)).toBeGreaterThan(0.99999);
      if (i !== 1) expect(dot(full[i]!)).toBeLessThan(0.999);
    });
  }, 300_000);

  /** The kit's neighbours (RouteNeighbours, embeddingSeparatesRoutes) for routes of examples and queries, and numpy's. */
  function neighbours(routes: string[][], queries: string[]) {
    const examples = routes.flatMap((list, r) => list.map((t) => [r, t] as const));
    const input = [...examples.map(([r, t]) => `${r}\t${t}`), "--", ...queries].join("\n");
    const [separates, ...lines] = kit.callText("static_neighbours", input).split("\n");
    const got = lines.map((l) => (l === "" ? null : l.split(" ").map(Number)));
    const want = oracle([...examples.map(([, t]) => t), ...queries], 128, { labels: examples.map(([r]) => r) });
    return { separates, got, want };
  }

  it("neighbours: the similarity to each route in the whitened space is numpy's (Cholesky of the shrunk within-route covariance), and the held-out check agrees", () => {
    const data = loadClinc();
    const domains = Object.entries(data.domains).slice(0, 5);
    // Up to 32 examples per route: the prototypes are the examples themselves, so numpy needs no k-means.
    const routes = domains.map(([, intents]) => data.train.filter(([, i]) => intents.includes(i)).slice(0, 30).map(([t]) => t));
    const queries = [...data.test.filter((_, i) => i % 37 === 0).map(([t]) => t), ...data.oos_test.slice(0, 20), "😀", "when does my plane take off"];
    const { separates, got, want } = neighbours(routes, queries);
    expect(separates).toBe(want.separates ? "separates" : "alike");
    expect(separates).toBe("separates");
    expect(got.length).toBe(queries.length);
    got.forEach((sims, i) => {
      const expected = want.similarities![i];
      if (expected === null) return expect(sims).toBeNull();
      expect(sims).not.toBeNull();
      sims!.forEach((s, r) => expect(Math.abs(s - expected[r])).toBeLessThan(2e-4));
    });
  }, 300_000);

  it("neighbours: routes the table cannot tell apart (Chinese, few known characters) fail the held-out check, as numpy finds", () => {
    const zh = zhSet("test").config as { routes: { examples: string[] }[] };
    const { separates, want } = neighbours(zh.routes.map((r) => r.examples), ["我的银行卡余额是多少"]);
    expect(separates).toBe(want.separates ? "separates" : "alike");
    expect(separates).toBe("alike");
  }, 300_000);
});
