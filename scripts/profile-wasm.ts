// Where a filter's Wasm time goes: runs the bench scenario's configuration
// and payload through the host emulator, under V8's CPU profiler, with a
// release build that keeps function names, and prints the Wasm share of the
// time and the Wasm functions that take the most of it (self time).
// Emulator time includes its JavaScript host; Envoy's own cost of host calls
// is in docs/bench.md ("Where a Wasm filter's time goes").
//
//   npx tsx scripts/profile-wasm.ts --scenario token-ratelimit [--requests 5000] [--mode json|sse] [--bytes 1024] [--cold] [--top 25]
// --cold evicts the caches before each exchange.
// The raw profile goes to .tmp/profile/<scenario>.cpuprofile (Chrome DevTools can open it).
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { flag, moduleScenario } from "./lib/module-scenario.ts";
import { benchRequest, benchUpstream as upstream, namedBuild, scenarioVm } from "./lib/emulator-exchange.ts";
import { ROOT } from "./lib/paths.ts";

const scenario = moduleScenario();
const name = scenario.name;
const requests = Number(flag("requests", "5000"));
const mode = flag("mode", "json") as "json" | "sse";
const top = Number(flag("top", "25"));
const outDir = join(ROOT, ".tmp", "profile");
const vm = scenarioVm(scenario, namedBuild(scenario));
const request = benchRequest(scenario, Number(flag("bytes", "1024")), mode);
for (let i = 0; i < 300; i++) await vm.exchange(request, { upstream });

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 50 });
await session.post("Profiler.start");
const started = performance.now();
// --cold: write over 16 MiB between exchanges, so each starts with the
// caches a busy machine leaves (as Envoy's worker finds them at one
// connection, with the client and upstream running in between).
const cold = process.argv.includes("--cold");
const flush = new Int32Array(cold ? (16 << 20) >> 2 : 0);
let flushTime = 0;
for (let i = 0; i < requests; i++) {
  if (cold) {
    const t = performance.now();
    for (let j = 0; j < flush.length; j += 16) flush[j]++;
    flushTime += performance.now() - t;
  }
  await vm.exchange(request, { upstream });
}
const wallUs = ((performance.now() - started) * 1000) / requests;
const elapsedUs = wallUs - (flushTime * 1000) / requests;
const { profile } = await session.post("Profiler.stop");
writeFileSync(join(outDir, `${name}.cpuprofile`), JSON.stringify(profile));

const self = new Map<string, number>();
const counts = new Map<number, number>();
for (const id of profile.samples ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
let total = 0;
let wasmSamples = 0;
for (const node of profile.nodes) {
  const n = counts.get(node.id) ?? 0;
  if (n === 0) continue;
  const fn = node.callFrame.functionName;
  if (fn === "(idle)") continue;
  total += n;
  // Functions of an AssemblyScript module are named after their source: ~lib/..., assembly/..., test/...
  if (/^(~lib|assembly|test)\//.test(fn)) {
    wasmSamples += n;
    self.set(fn, (self.get(fn) ?? 0) + n);
  }
}
const wasmUs = (wallUs * wasmSamples) / total;
console.log(`${name}, ${flag("bytes", "1024")} bytes ${mode}${cold ? ", cold caches" : ""}, ${requests} exchanges: ${elapsedUs.toFixed(1)} µs each in the emulator, ${wasmUs.toFixed(1)} µs of it in Wasm`);
console.log("share of Wasm time (self) | function");
for (const [fn, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((n / wasmSamples) * 100).toFixed(1).padStart(5)}% | ${fn}`);
