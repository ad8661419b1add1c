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
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { chatBody } from "./bench/payloads.ts";
import { flag, moduleEntry, moduleScenario } from "./lib/module-scenario.ts";
import { Host } from "../test/host/index.ts";
import type { UpstreamRequest, UpstreamResponse } from "../test/host/exchange.ts";
import { ROOT } from "./lib/paths.ts";

const scenario = moduleScenario();
const name = scenario.name;
const requests = Number(flag("requests", "5000"));
const mode = flag("mode", "json") as "json" | "sse";
const top = Number(flag("top", "25"));
const target = scenario.build[0];
const entry = moduleEntry(ROOT, target);
const outDir = join(ROOT, ".tmp", "profile");
mkdirSync(outDir, { recursive: true });
const wasm = join(outDir, `${target}.named.wasm`);
const asc = spawnSync(process.execPath, [join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js"), entry, "--config", "asconfig.json", "--target", "release", "--debug", "--outFile", wasm], { cwd: ROOT, encoding: "utf8" });
if (asc.status !== 0) throw new Error(`asc failed:\n${asc.stdout}${asc.stderr}`);

const vm = new Host().startVm(wasm, { name: target, rootId: target, vmId: target, configuration: String(scenario.vars.PLUGIN_CONFIG), allowOnHeadersStopIteration: true });
const USAGE = { prompt_tokens: 200, completion_tokens: 20, total_tokens: 220 };
function upstream(req: UpstreamRequest): UpstreamResponse {
  if (!JSON.parse(req.bodyText).stream) {
    const body = { object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "Raise connect_timeout to 1s and cap retries." } }], usage: USAGE };
    return { status: 200, headers: [["content-type", "application/json"]], body: JSON.stringify(body) };
  }
  const words = "Raise connect_timeout to 1s and cap retries .".split(" ");
  const chunks = words.map((w) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `${w} ` } }] })}\n\n`);
  chunks.push(`data: ${JSON.stringify({ choices: [], usage: USAGE })}\n\n`, "data: [DONE]\n\n");
  return { status: 200, headers: [["content-type", "text/event-stream"]], body: chunks };
}
const headers: [string, string][] = [["host", "gw"], ["content-type", "application/json"], ...Object.entries(scenario.requestHeaders?.() ?? {})];
const request = { method: "POST", path: "/v1/chat/completions", headers, body: chatBody(Number(flag("bytes", "1024")), mode) };
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
