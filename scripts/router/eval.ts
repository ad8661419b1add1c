// Prints the CLINC150 evaluation of semantic-router (in-scope accuracy and
// out-of-scope -> default vs threshold) for both settings, through the real
// .wasm in the host emulator. See test/unit/semantic-router/clinc.ts.
//
//   npx tsx scripts/router/eval.ts [--split val|test] [--scoring mixed|nearest|centroid] [--neighbors N] [--setting domains|intents]
import { build } from "../build.ts";
import { bestAt, curve, evaluate, THRESHOLDS, type Setting } from "../../test/unit/semantic-router/clinc.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const split = arg("split", "test") as "test" | "val";
const scoring = arg("scoring", "mixed");
const neighbors = Number(arg("neighbors", "1"));
await build({ only: "semantic-router", quiet: true });
const settings = (process.argv.includes("--setting") ? [arg("setting", "domains")] : ["domains", "intents"]) as Setting[];
for (const setting of settings) {
  const started = Date.now();
  const { inScope, oos } = await evaluate(setting, split, { scoring, neighbors });
  console.log(`\n${setting} (${split} split, scoring ${scoring}, ${neighbors} neighbors; ${inScope.length} in-scope, ${oos.length} out-of-scope; ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log("| threshold | in-scope accuracy | out-of-scope -> default |\n| --- | --- | --- |");
  for (const p of curve(inScope, oos, THRESHOLDS)) {
    console.log(`| ${p.threshold.toFixed(3)} | ${(p.inScopeAccuracy * 100).toFixed(1)}% | ${(p.oosToDefault * 100).toFixed(1)}% |`);
  }
  const b = bestAt(inScope, oos, 0.7);
  console.log(`best in-scope accuracy with >= 70% out-of-scope -> default: ${(b.inScopeAccuracy * 100).toFixed(1)}% at threshold ${b.threshold.toFixed(3)} (${(b.oosToDefault * 100).toFixed(1)}%)`);
}
