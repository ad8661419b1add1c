// Prints the CLINC150 evaluation of semantic-router (in-scope accuracy and
// out-of-scope -> default vs threshold) for both settings, through the real
// .wasm in the host emulator. See test/unit/semantic-router/clinc.ts.
//
//   npx tsx scripts/router/eval.ts [--split val|test] [--scoring mixed|nearest|centroid] [--neighbors N] [--setting domains|intents]
//                                  [--embeddings VECTORS.json [--embedding-neighbors K]] [--at THRESHOLD] [--choose-on-val]
//                                  [--classifier lexical|embeddings] [--data clinc|zh]
// --classifier embeddings runs build/semantic-router-embed.wasm (static
// embeddings in the filter); --data zh the Chinese set
// (test/data/intents/zh-routing, 8 routes) instead of CLINC150.
// With --embeddings, every route uses the embedding service, answered from
// a {text: vector} file (scripts/router/minilm writes one with
// all-MiniLM-L6-v2): the curve is then the embedding score's.
// --choose-on-val: the threshold is the best one on the validation split
// (>= 70% of out-of-scope to default there), then applied to the test split.
// Every figure printed is the filter's own decision at that threshold.
import { readFileSync } from "node:fs";
import { build } from "../build.ts";
import { ensureTable } from "./static/build-table.ts";
import { bestAt, clincSet, evaluateSet, exactPoint, THRESHOLDS, type EmbeddingsEval, type Evaluation, type Point, type Setting } from "../../test/unit/semantic-router/clinc.ts";
import { EMBED_WASM, ROUTER_WASM } from "../../test/unit/semantic-router/support.ts";
import { zhSet } from "../../test/unit/semantic-router/zh.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const describe = (p: Point) => `${pct(p.inScopeAccuracy)} in-scope, ${pct(p.oosToDefault)} out-of-scope -> default at threshold ${p.threshold.toFixed(4)}`;

const split = arg("split", "test") as "test" | "val";
const scoring = arg("scoring", "mixed");
const neighbors = Number(arg("neighbors", "1"));
const vectorsFile = arg("embeddings", "");
const embeddings: EmbeddingsEval | null = vectorsFile
  ? { vectors: new Map(Object.entries(JSON.parse(readFileSync(vectorsFile, "utf8")) as Record<string, number[]>)), neighbors: Number(arg("embedding-neighbors", "1")) }
  : null;
const thresholds = embeddings ? [0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6] : THRESHOLDS;
const chooseOnVal = process.argv.includes("--choose-on-val");
const classifier = arg("classifier", "lexical");
const zh = arg("data", "clinc") === "zh";
const wasm = classifier === "embeddings" ? EMBED_WASM : ROUTER_WASM;
if (classifier === "embeddings") ensureTable();
await build({ only: classifier === "embeddings" ? "semantic-router-embed" : "semantic-router", quiet: true });
const settings = (zh ? ["zh"] : process.argv.includes("--setting") ? [arg("setting", "domains")] : ["domains", "intents"]) as (Setting | "zh")[];
for (const setting of settings) {
  const started = Date.now();
  const extra = { scoring, neighbors, ...(classifier === "lexical" ? {} : { classifier }) };
  const run = (s: "test" | "val"): Promise<Evaluation> => evaluateSet(setting === "zh" ? zhSet(s, extra) : clincSet(setting, s, extra), embeddings, wasm);
  const ev = await run(chooseOnVal ? "test" : split);
  const how = embeddings ? `embeddings ${vectorsFile}, ${embeddings.neighbors} neighbors` : `${classifier} classifier, scoring ${scoring}, ${neighbors} neighbors`;
  console.log(`\n${setting} (${chooseOnVal ? "test" : split} split, ${how}; ${ev.inScope.length} in-scope, ${ev.oos.length} out-of-scope; ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log("| threshold | in-scope accuracy | out-of-scope -> default |\n| --- | --- | --- |");
  for (const t of thresholds) {
    const p = await exactPoint(ev, t);
    console.log(`| ${t.toFixed(3)} | ${pct(p.inScopeAccuracy)} | ${pct(p.oosToDefault)} |`);
  }
  const at = arg("at", "");
  if (at) console.log(`at threshold ${at}: ${describe(await exactPoint(ev, Number(at)))}`);
  if (chooseOnVal) {
    const chosen = await bestAt(await run("val"), 0.7);
    console.log(`threshold chosen on the validation split: ${describe(chosen)} (val)`);
    console.log(`  on the test split: ${describe(await exactPoint(ev, chosen.threshold))}`);
  }
  console.log(`best on this split with >= 70% out-of-scope -> default: ${describe(await bestAt(ev, 0.7))}`);
}
