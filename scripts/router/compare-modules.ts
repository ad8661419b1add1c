// Two builds of semantic-router side by side in the host emulator, on the
// decision the speed figures are taken on (the 1,500-example CLINC150
// configuration of scripts/router/envoy-decision.ts and its 2 KB prompt):
// the modules take turns, batch by batch, in one process, so a busy machine
// slows both alike. Prints per request
//   - CPU time (process.cpuUsage over each batch; the emulator's own
//     JavaScript is in it, the same for both, so the difference is theirs),
//   - the median time of the body callback that decides (parse, classify,
//     rewrite, headers: what Envoy's semantic_router_decision_us measures).
//
//   npx tsx scripts/router/compare-modules.ts OLD.wasm NEW.wasm [--batches 40] [--batch 100]
//   (e.g. keep a copy of build/semantic-router.wasm before a change)
//   SR_EMBED=1 ...   classifier: "embeddings" (pass semantic-router-embed.wasm builds)
import { PROMPT_2K } from "./prompt-2k.ts";
import { envFlag } from "../lib/env-flag.ts";
import { clincConfig, loadClinc } from "../../test/unit/semantic-router/clinc-config.ts";
import { chatBody, routerVm, send } from "../../test/unit/semantic-router/support.ts";
import { Host } from "../../test/host/host.ts";
import type { ProxyVm } from "../../test/host/vm.ts";

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const modules = process.argv.slice(2).filter((a) => a.endsWith(".wasm"));
if (modules.length < 2) throw new Error("usage: compare-modules.ts OLD.wasm NEW.wasm [--batches N] [--batch N]");
const BATCHES = flag("batches", 40);
const BATCH = flag("batch", 100);
const config = clincConfig(loadClinc(), "domains", { threshold: 0.2, input: { max_scan_bytes: 2048 }, ...(envFlag("SR_EMBED") ? { classifier: "embeddings" } : {}) });
const body = chatBody(PROMPT_2K, "auto");

interface Run {
  path: string;
  vm: ProxyVm;
  /** Microseconds of the body callbacks since the last take(). */
  bodyMicros: number;
  cpu: number[];
  body: number[];
}

const runs: Run[] = modules.map((path) => {
  const run: Run = { path, vm: routerVm(config, new Host(), path), bodyMicros: 0, cpu: [], body: [] };
  const invoke = run.vm.invoke.bind(run.vm);
  run.vm.invoke = (id, name, ...args) => {
    if (name !== "proxy_on_request_body") return invoke(id, name, ...args);
    const t = performance.now();
    const r = invoke(id, name, ...args);
    run.bodyMicros += (performance.now() - t) * 1000;
    return r;
  };
  return run;
});

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const r of runs) for (let i = 0; i < 300; i++) await send(r.vm, body);
for (let b = 0; b < BATCHES; b++) {
  for (const r of b % 2 ? [...runs].reverse() : runs) {
    const perRequest: number[] = [];
    const started = process.cpuUsage();
    for (let i = 0; i < BATCH; i++) {
      r.bodyMicros = 0;
      await send(r.vm, body);
      perRequest.push(r.bodyMicros);
    }
    const used = process.cpuUsage(started);
    r.cpu.push((used.user + used.system) / BATCH);
    r.body.push(median(perRequest));
  }
}
for (const r of runs) {
  if (r.vm.trapped) throw new Error(`${r.path}: the VM trapped`);
  const routed = (await send(r.vm, body)).upstream?.headers.get("x-semantic-route");
  console.log(`${r.path}: CPU per request ${median(r.cpu).toFixed(1)} us (median of ${BATCHES} batches of ${BATCH}); decision callback ${median(r.body).toFixed(1)} us (median); routed to ${routed}`);
}
