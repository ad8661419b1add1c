// semantic-router cost in the host emulator, per call: configure time and
// Wasm memory for the 1,500-example CLINC150 configuration, and the time of
// one request through the filter with
//   - a 2 KB prompt, classified and routed,
//   - a 4-word prompt, classified and routed (the same host calls and body
//     rewrite as above: the difference is what the 2 KB of text cost),
//   - the 2 KB prompt with an explicit client model under model_policy
//     "sentinel": buffered and parsed, no decision.
// Emulator times include its JavaScript host calls; Envoy's are in `npm run bench`.
//
//   npx tsx scripts/router/measure.ts [--requests N]
//   SR_EMBED=1 ...   semantic-router-embed.wasm with classifier: "embeddings"
import { performance } from "node:perf_hooks";
import { build } from "../build.ts";
import { ensureTable } from "./static/build-table.ts";
import { clincConfig, loadClinc } from "../../test/unit/semantic-router/clinc-config.ts";
import { chatBody, EMBED_WASM, ROUTER_WASM, routerVm, send } from "../../test/unit/semantic-router/support.ts";
import { Host } from "../../test/host/host.ts";
import type { ProxyVm } from "../../test/host/vm.ts";
import { envFlag } from "../lib/env-flag.ts";

const requestsArg = process.argv.indexOf("--requests");
const N = requestsArg > 0 ? Number(process.argv[requestsArg + 1]) : 2000;

/** A 2,048-byte English prompt about travel plans (ASCII, so bytes = characters). */
function prompt2k(): string {
  const sentence = "I need to book a flight to Paris next week, find a hotel near the station, and check whether my passport is still valid for the trip. ";
  return sentence.repeat(Math.ceil(2048 / sentence.length)).slice(0, 2048);
}

/** Size of the VM's linear memory (the largest in-bounds 64 KiB page, found by bisection). */
function memoryMiB(vm: ProxyVm): number {
  const PAGE = 65536;
  let lo = 1;
  let hi = 65536;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (vm.mem.inBounds(mid * PAGE - 1, 1)) lo = mid;
    else hi = mid - 1;
  }
  return (lo * PAGE) / (1 << 20);
}

const BATCHES = 10;

/** Mean microseconds per request of one batch of N / BATCHES requests. */
async function batch(vm: ProxyVm, body: string): Promise<number> {
  const n = Math.max(1, Math.floor(N / BATCHES));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await send(vm, body);
  return ((performance.now() - t0) * 1000) / n;
}

/** Batches of the bodies taken in turns; the fastest batch of each (the machine may be shared and busy). */
async function compare(vm: ProxyVm, bodies: string[]): Promise<number[]> {
  for (let i = 0; i < 300; i++) await send(vm, bodies[i % bodies.length]);
  const best = bodies.map(() => Infinity);
  for (let i = 0; i < BATCHES; i++) {
    for (let j = 0; j < bodies.length; j++) best[j] = Math.min(best[j], await batch(vm, bodies[j]));
  }
  return best;
}

const embed = envFlag("SR_EMBED");
if (embed) ensureTable();
await build({ only: embed ? "semantic-router-embed" : "semantic-router", quiet: true });
const config = clincConfig(loadClinc(), "domains", { threshold: 0.2, model_policy: "sentinel", ...(embed ? { classifier: "embeddings" } : {}), ...JSON.parse(process.env.ROUTER_EXTRA ?? "{}") });
const t0 = performance.now();
const vm = routerVm(config, new Host(), embed ? EMBED_WASM : ROUTER_WASM);
const configureMs = performance.now() - t0;
const logged = vm.logs.map((l) => l.message).find((m) => m.includes("configured:"));
const memoryAfterConfigure = memoryMiB(vm);

const text = prompt2k();
const [routed, short, skipped] = await compare(vm, [chatBody(text, "auto"), chatBody("book a flight tomorrow", "auto"), chatBody(text, "client-model")]);
console.log(`configuration: ${JSON.stringify(config).length} bytes of JSON; ${logged}`);
console.log(`configure (start + on_configure, wall): ${configureMs.toFixed(1)} ms`);
console.log(`Wasm memory after configure: ${memoryAfterConfigure.toFixed(1)} MiB; after ${3 * N + 300} requests: ${memoryMiB(vm).toFixed(1)} MiB`);
console.log(`per request (fastest of ${BATCHES} batches of ${Math.floor(N / BATCHES)}): 2 KB prompt classified ${routed.toFixed(1)} us; 4-word prompt classified ${short.toFixed(1)} us; 2 KB prompt not classified ${skipped.toFixed(1)} us`);
console.log(`2 KB prompt vs 4 words: +${(routed - short).toFixed(1)} us; classified vs not: +${(routed - skipped).toFixed(1)} us`);
if (vm.trapped) throw new Error("the VM trapped");
