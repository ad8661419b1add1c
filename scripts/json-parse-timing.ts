// Parse throughput of a realistic 32 KB Chat Completions body, measured
// inside the module (one kit call parses it N times) so the number is the
// parser's, not the kit's copying. A measurement, not a test: timings live
// here and in the bench, never in an assertion.
//
//   npx tsx scripts/json-parse-timing.ts [--rounds 5] [--per-round 2000]
import { build } from "./build.ts";
import { flag } from "./lib/module-scenario.ts";
import { loadJsonKit } from "../test/unit/common/corpus/json-kit.ts";
import { chatBodyOfSize } from "../test/unit/common/corpus/samples.ts";

await build();
const kit = await loadJsonKit();
const body = chatBodyOfSize(32 * 1024);
const rounds = Number(flag("rounds", "5"));
const perRound = Number(flag("per-round", "2000"));
kit.callText("json_loop", Buffer.concat([Buffer.from("500\n"), body])); // warm-up and tier-up
let best = Infinity;
for (let r = 0; r < rounds; r++) {
  const t0 = process.hrtime.bigint();
  const ok = kit.callText("json_loop", Buffer.concat([Buffer.from(`${perRound}\n`), body]));
  const ns = Number(process.hrtime.bigint() - t0);
  if (ok !== String(perRound)) throw new Error(`json_loop parsed ${ok} of ${perRound}`);
  best = Math.min(best, ns / perRound);
}
const mbps = body.length / (best / 1e9) / 1e6;
console.log(`json parse: ${body.length} B chat body in ${(best / 1000).toFixed(1)} us (${mbps.toFixed(0)} MB/s, best of ${rounds} x ${perRound})`);
