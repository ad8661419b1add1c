// Parse throughput of realistic 1 KB and 32 KB Chat Completions bodies, and
// what a filter pays for a parse another filter of its VM kept. Measured
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
const rounds = Number(flag("rounds", "5"));
const perRound = Number(flag("per-round", "2000"));

/** Best time per iteration of a kit loop export ("<count>\n<body>" in, the count of good parses out), in ns. */
function best(loop: string, body: Buffer): number {
  kit.callText(loop, Buffer.concat([Buffer.from("500\n"), body])); // warm-up and tier-up
  let fastest = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    const ok = kit.callText(loop, Buffer.concat([Buffer.from(`${perRound}\n`), body]));
    const ns = Number(process.hrtime.bigint() - t0);
    if (ok !== String(perRound)) throw new Error(`${loop} parsed ${ok} of ${perRound}`);
    fastest = Math.min(fastest, ns / perRound);
  }
  return fastest;
}

for (const size of [1024, 32 * 1024]) {
  const body = chatBodyOfSize(size);
  const parse = best("json_loop", body);
  const mbps = body.length / (parse / 1e9) / 1e6;
  console.log(`json parse: ${body.length} B chat body in ${(parse / 1000).toFixed(2)} us (${mbps.toFixed(0)} MB/s, best of ${rounds} x ${perRound})`);
  // What a later filter of the bundle pays instead (common/json/shared-parse): its own copy of the body, compared with the kept one.
  const shared = best("json_loop_shared", body);
  console.log(`  shared parse found again: ${(shared / 1000).toFixed(2)} us, the body copy included`);
}
