// Where a filter's time goes inside Envoy: builds an instrumented copy of a
// bench scenario's module (each proxy-wasm entry point timed with the host
// clock, assembly/common/runtime/callback-timing.ts), runs it in Envoy with
// the scenario's configuration under wrk, and prints the time spent in each
// entry point per request. Unlike the emulator's profile (scripts/profile-wasm.ts)
// this sees Envoy's real host calls and the cold caches of a lightly loaded
// proxy; unlike the bench it splits the cost by callback.
//
//   npx tsx scripts/callback-timing.ts --scenario token-ratelimit [--requests 20000] [--connections 1] [--payload 1K] [--mode json|sse] [--config FILE]
//
// --config replaces the scenario's plugin configuration with a JSON file's
// (e.g. one rule instead of all, to see what the rules cost).
//
// The clock reads add about 0.1 µs per entry point. Envoy's own cost of
// calling into the VM is not included: compare with the bench's CPU column.
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEnvoy } from "../test/harness/envoy.ts";
import { ensureEnvoy } from "./setup-envoy.ts";
import { ROOT, TMP } from "./lib/paths.ts";
import { payload, type PayloadMode } from "./bench/payloads.ts";
import { CHAT_PATH } from "./bench/runner.ts";
import { compileInTree } from "./lib/asc-tree.ts";
import { flag, moduleEntry, moduleScenario } from "./lib/module-scenario.ts";
import { startUpstreamProcess } from "./bench/upstream.ts";
import { ensureWrk, runWrk } from "./bench/wrk.ts";

/** Entry points in the order of callback-timing.ts's Entry enum. */
export const ENTRY_POINTS = [
  "proxy_on_context_create",
  "proxy_on_request_headers",
  "proxy_on_request_body",
  "proxy_on_request_trailers",
  "proxy_on_response_headers",
  "proxy_on_response_body",
  "proxy_on_response_trailers",
  "proxy_on_done",
  "proxy_on_log",
  "proxy_on_delete",
  "proxy_on_http_call_response",
];

/** exports.ts with each timed entry point wrapped in timingBegin() / timingEnd(entry). */
export function instrumentExports(source: string): string {
  let out = source.replace(
    'import { afterCallback, beginCallback } from "./collect";',
    'import { afterCallback, beginCallback } from "./collect";\nimport { timingBegin, timingEnd } from "./callback-timing";',
  );
  if (out === source) throw new Error("exports.ts: the collect import moved; update scripts/callback-timing.ts");
  ENTRY_POINTS.forEach((name, entry) => {
    const body = new RegExp(`(export function ${name}\\((\\w+)(?::\\s*\\w+,\\s*(rootContextId))?[^)]*\\)[^{]*\\{\\n)(\\s*)beginCallback\\(\\);([\\s\\S]*?)(\\n\\s*)(afterCallback\\([^)]*\\);)`);
    const next = out.replace(body, (_m, head, id, rootId, indent, middle, nl, after) => `${head}${indent}timingBegin(${rootId ? `${id}, ${rootId}` : id});\n${indent}beginCallback();${middle}${nl}${after}${nl}timingEnd(${entry});`);
    if (next === out) throw new Error(`exports.ts: ${name} has no beginCallback()/afterCallback() pair to time`);
    out = next;
  });
  return out;
}

export interface EntryTiming {
  entry: string;
  callsPerRequest: number;
  microsPerRequest: number;
}

/** Sums the module's log lines ("callback-timing streams=N i=ns/calls ...") into per-request figures. */
export function readTimingLines(lines: string[], contextsPerRequest = 1): { streams: number; entries: EntryTiming[] } {
  const nanos = new Array<number>(ENTRY_POINTS.length).fill(0);
  const calls = new Array<number>(ENTRY_POINTS.length).fill(0);
  let streams = 0;
  for (const line of lines) {
    const m = /callback-timing streams=(\d+)((?: \d+=\d+\/\d+)+)/.exec(line);
    if (!m) continue;
    streams += Number(m[1]) / contextsPerRequest;
    addPairs(m[2], nanos, calls);
  }
  return { streams, entries: perRequest(nanos, calls, streams) };
}

/** The "callback-timing-root R ..." lines summed per root context id, per request of `streams`. */
export function readRootLines(lines: string[], streams: number): Map<number, EntryTiming[]> {
  const sums = new Map<number, { nanos: number[]; calls: number[] }>();
  for (const line of lines) {
    const m = /callback-timing-root (\d+)((?: \d+=\d+\/\d+)+)/.exec(line);
    if (!m) continue;
    const root = Number(m[1]);
    if (!sums.has(root)) sums.set(root, { nanos: new Array<number>(ENTRY_POINTS.length).fill(0), calls: new Array<number>(ENTRY_POINTS.length).fill(0) });
    const s = sums.get(root)!;
    addPairs(m[2], s.nanos, s.calls);
  }
  const out = new Map<number, EntryTiming[]>();
  for (const [root, s] of [...sums].sort((a, b) => a[0] - b[0])) out.set(root, perRequest(s.nanos, s.calls, streams));
  return out;
}

function addPairs(text: string, nanos: number[], calls: number[]): void {
  for (const pair of text.trim().split(" ")) {
    const [i, rest] = pair.split("=");
    const [ns, n] = rest.split("/");
    nanos[Number(i)] += Number(ns);
    calls[Number(i)] += Number(n);
  }
}

function perRequest(nanos: number[], calls: number[], streams: number): EntryTiming[] {
  return ENTRY_POINTS.map((entry, i) => ({
    entry,
    callsPerRequest: streams ? calls[i] / streams : 0,
    microsPerRequest: streams ? nanos[i] / streams / 1000 : 0,
  }));
}

function printTable(entries: EntryTiming[]): void {
  console.log("entry point                   calls/request   µs/request");
  let total = 0;
  for (const e of entries) {
    if (!e.callsPerRequest) continue;
    total += e.microsPerRequest;
    console.log(`${e.entry.padEnd(30)}${e.callsPerRequest.toFixed(2).padStart(13)}${e.microsPerRequest.toFixed(2).padStart(13)}`);
  }
  console.log(`${"total".padEnd(30)}${"".padStart(13)}${total.toFixed(2).padStart(13)}`);
}

/** --config FILE: the plugin configuration to use instead of the scenario's (checked to be JSON). */
function pluginConfig(): { PLUGIN_CONFIG?: string } {
  const file = flag("config", "");
  if (file === "") return {};
  const text = readFileSync(file, "utf8");
  JSON.parse(text);
  return { PLUGIN_CONFIG: text };
}

async function main(): Promise<void> {
  const scenario = moduleScenario();
  const name = scenario.name;
  const requests = Number(flag("requests", "20000"));
  const connections = Number(flag("connections", "1"));
  const mode = flag("mode", "json") as PayloadMode;
  const body = payload(flag("payload", "1K"), mode);

  // An instrumented copy of the sources, so the tree itself is never touched.
  const work = join(TMP, "callback-timing");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(join(ROOT, "assembly"), join(work, "assembly"), { recursive: true });
  cpSync(join(ROOT, "test", "fixtures"), join(work, "test", "fixtures"), { recursive: true });
  cpSync(join(ROOT, "asconfig.json"), join(work, "asconfig.json"));
  symlinkSync(join(ROOT, "node_modules"), join(work, "node_modules"));
  const exportsPath = join(work, "assembly", "common", "runtime", "exports.ts");
  writeFileSync(exportsPath, instrumentExports(readFileSync(exportsPath, "utf8")));
  const target = scenario.build[0];
  const entry = moduleEntry(work, target);
  // A bundle scenario loads ai-gateway.wasm from WASM_DIR: the timed copy takes its place (floor-chain's host-floor module too).
  const bundle = scenario.wasmForm === "bundle";
  const wasm = bundle ? join(work, "ai-gateway.wasm") : join(work, `${target}.timed.wasm`);
  compileInTree(work, entry, wasm);

  const wrk = ensureWrk((s) => console.error(s));
  await ensureEnvoy();
  const bodyFile = join(work, "body.json");
  writeFileSync(bodyFile, body.body);
  const upstream = await startUpstreamProcess();
  const envoy = await startEnvoy({
    config: scenario.config,
    vars: { ...scenario.vars, ...pluginConfig(), ...(bundle ? { WASM_DIR: work } : { WASM_FILE: wasm }), UPSTREAM_PORT: upstream.port },
    wasmForm: scenario.wasmForm,
    concurrency: 1,
    runtime: "native",
    name: `callback-timing-${name}`,
    logLevel: "warning",
  });
  try {
    const headers = scenario.requestHeaders?.();
    const url = envoy.url(CHAT_PATH);
    await runWrk(wrk, { url, bodyFile, connections: 16, durationS: 10, maxRequests: 4096, headers });
    await new Promise((r) => setTimeout(r, 500));
    const skip = logLines(join(envoy.dir, "envoy.log")).length;
    const out = await runWrk(wrk, { url, bodyFile, connections, durationS: 120, maxRequests: requests, headers });
    await new Promise((r) => setTimeout(r, 500));
    // Every plugin of the module's VM has its own stream context per request.
    const rootIds = bundle ? [...readFileSync(join(ROOT, scenario.config), "utf8").matchAll(/^\s*root_id:\s*"?([\w-]+)/gm)].map((m) => m[1]) : [];
    const lines = logLines(join(envoy.dir, "envoy.log")).slice(skip);
    const { streams, entries } = readTimingLines(lines, Math.max(1, rootIds.length));
    if (!streams) throw new Error("the module logged no timing: too few requests (it logs every 2,048 streams)?");
    console.log(`${name}: ${body.label} ${mode}, ${connections} connection(s), ${streams} streams timed of ${out.requests} requests, ${(out.requests / (out.durationUs / 1e6)).toFixed(0)} rps`);
    printTable(entries);
    if (bundle) {
      // Root context ids follow the plugins' order in the configuration.
      [...readRootLines(lines, streams).values()].forEach((perRoot, i) => {
        console.log(`\n${rootIds[i] ?? `root ${i}`}:`);
        printTable(perRoot);
      });
    }
  } finally {
    await envoy.stop();
    await upstream.stop();
  }
}

function logLines(path: string): string[] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l.includes("callback-timing streams=") || l.includes("callback-timing-root "));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
