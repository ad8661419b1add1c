// Where a filter allocates: runs the bench scenario's request through the
// host emulator with a build whose allocator entry (~lib/rt/tcms/__new) first
// calls an imported counter, and prints the allocations per exchange by call
// site (the Wasm functions on the stack), most frequent first. Each
// allocation costs its own time and a share of the next collection.
//
//   npx tsx scripts/alloc-sites.ts --scenario content-audit [--mode json|sse] [--bytes 1024] [--exchanges 20] [--top 40]
import binaryen from "binaryen";
import { readFileSync } from "node:fs";
import { flag, moduleScenario } from "./lib/module-scenario.ts";
import { benchRequest, benchUpstream as upstream, namedBuild, scenarioVm } from "./lib/emulator-exchange.ts";

const NEW = "~lib/rt/tcms/__new";

/** The named build with a call to env.__alloc_site(size, class id) at the start of __new. */
function instrumented(wasm: string): Uint8Array {
  const m = binaryen.readBinary(readFileSync(wasm));
  m.setFeatures(binaryen.Features.All);
  const fn = m.getFunction(NEW);
  if (!fn) throw new Error(`${NEW} not found: this counts allocations of the minimal runtime`);
  const info = binaryen.getFunctionInfo(fn);
  m.addFunctionImport("__alloc_site", "env", "__alloc_site", binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.none);
  const body = m.block(null, [m.call("__alloc_site", [m.local.get(0, binaryen.i32), m.local.get(1, binaryen.i32)], binaryen.none), info.body], info.results);
  m.removeFunction(NEW);
  m.addFunction(NEW, info.params, info.results, info.vars, body);
  binaryen.setDebugInfo(true);
  return m.emitBinary();
}

const scenario = moduleScenario();
const mode = flag("mode", "json") as "json" | "sse";
const exchanges = Number(flag("exchanges", "20"));
const top = Number(flag("top", "40"));
const sites = new Map<string, number>();
let counting = false;
const vm = scenarioVm(scenario, instrumented(namedBuild(scenario)), {
  toolImports: {
    __alloc_site: (size: number) => {
      if (!counting) return;
      // The Wasm frames above __new, innermost first.
      const frames = (new Error().stack ?? "").split("\n").map((l) => /at (\S+) \(wasm:/.exec(l)?.[1]).filter((f): f is string => f !== undefined && f !== NEW);
      const site = `${size} B  ${frames.slice(0, 3).join(" < ")}`;
      sites.set(site, (sites.get(site) ?? 0) + 1);
    },
  },
});
const request = benchRequest(scenario, Number(flag("bytes", "1024")), mode);
for (let i = 0; i < 20; i++) await vm.exchange(request, { upstream });
counting = true;
for (let i = 0; i < exchanges; i++) await vm.exchange(request, { upstream });
counting = false;
let total = 0;
for (const n of sites.values()) total += n;
console.log(`${scenario.name}, ${flag("bytes", "1024")} bytes ${mode}: ${(total / exchanges).toFixed(1)} allocations per exchange`);
for (const [site, n] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(n / exchanges).toFixed(1).padStart(6)}  ${site}`);
