// Prints the CLINC150 evaluation of semantic-router (in-scope accuracy and
// out-of-scope -> default vs threshold) for both settings, through the real
// .wasm in the host emulator. See test/unit/semantic-router/clinc.ts.
//
//   npx tsx scripts/router/eval.ts [--split val|test] [--scoring mixed|nearest|centroid] [--neighbors N] [--setting domains|intents]
//                                  [--embeddings VECTORS.json [--embedding-neighbors K]] [--at THRESHOLD]
// With --embeddings, every route uses the embedding service, answered from
// a {text: vector} file (scripts/router/minilm writes one with
// all-MiniLM-L6-v2): the curve is then the embedding score's.
import { readFileSync } from "node:fs";
import { build } from "../build.ts";
import { bestAt, curve, evaluate, THRESHOLDS, type EmbeddingsEval, type Setting } from "../../test/unit/semantic-router/clinc.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const split = arg("split", "test") as "test" | "val";
const scoring = arg("scoring", "mixed");
const neighbors = Number(arg("neighbors", "1"));
const vectorsFile = arg("embeddings", "");
const embeddings: EmbeddingsEval | null = vectorsFile
  ? { vectors: new Map(Object.entries(JSON.parse(readFileSync(vectorsFile, "utf8")) as Record<string, number[]>)), neighbors: Number(arg("embedding-neighbors", "1")) }
  : null;
const thresholds = embeddings ? [0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6] : THRESHOLDS;
await build({ only: "semantic-router", quiet: true });
const settings = (process.argv.includes("--setting") ? [arg("setting", "domains")] : ["domains", "intents"]) as Setting[];
for (const setting of settings) {
  const started = Date.now();
  const { inScope, oos } = await evaluate(setting, split, { scoring, neighbors }, embeddings);
  const how = embeddings ? `embeddings ${vectorsFile}, ${embeddings.neighbors} neighbors` : `scoring ${scoring}, ${neighbors} neighbors`;
  console.log(`\n${setting} (${split} split, ${how}; ${inScope.length} in-scope, ${oos.length} out-of-scope; ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log("| threshold | in-scope accuracy | out-of-scope -> default |\n| --- | --- | --- |");
  for (const p of curve(inScope, oos, thresholds)) {
    console.log(`| ${p.threshold.toFixed(3)} | ${(p.inScopeAccuracy * 100).toFixed(1)}% | ${(p.oosToDefault * 100).toFixed(1)}% |`);
  }
  const at = arg("at", "");
  if (at) {
    const [p] = curve(inScope, oos, [Number(at)]);
    console.log(`at threshold ${at}: ${(p.inScopeAccuracy * 100).toFixed(1)}% in-scope, ${(p.oosToDefault * 100).toFixed(1)}% out-of-scope -> default`);
  }
  const b = bestAt(inScope, oos, 0.7);
  console.log(`best in-scope accuracy with >= 70% out-of-scope -> default: ${(b.inScopeAccuracy * 100).toFixed(1)}% at threshold ${b.threshold.toFixed(3)} (${(b.oosToDefault * 100).toFixed(1)}%)`);
}
