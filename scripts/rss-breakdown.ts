// Where an Envoy's resident memory goes, per bench scenario: VmRSS split into
// anonymous and file-backed pages, tcmalloc's heap (Envoy's own objects),
// the Wasm linear memories (V8 reserves each in one mapping of 8 GiB or
// more, so their resident pages are the VMs' linear memory) and V8's
// executable code, read from /proc/PID/smaps. Readings are taken after start
// and again after some requests (1K JSON chat bodies, several connections so
// every worker gets some). No load is timed: this measures memory only.
//
//   npx tsx scripts/rss-breakdown.ts --scenario bare,wasm-passthrough,chain-bundle [--concurrency 2] [--requests 400]
//   npx tsx scripts/rss-breakdown.ts --scenario content-audit --bundle   (the filter alone, from ai-gateway.wasm)
//   npx tsx scripts/rss-breakdown.ts --scenario chain-bundle --no-build --wasm-dir DIR   (the chain from DIR's modules)
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startEnvoy, type Envoy } from "../test/harness/envoy.ts";
import { build } from "./build.ts";
import { payload } from "./bench/payloads.ts";
import { CHAT_PATH } from "./bench/runner.ts";
import { BARE, benchHeaders, SCENARIOS, type Scenario } from "./bench/scenarios.ts";
import { startUpstreamProcess } from "./bench/upstream.ts";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "bare,wasm-passthrough,chain-bundle" },
    concurrency: { type: "string", default: "1" },
    requests: { type: "string", default: "400" },
    connections: { type: "string", default: "8" },
    bundle: { type: "boolean", default: false },
    settle: { type: "string", default: "1500" },
    "no-build": { type: "boolean", default: false },
    /** Load the chain scenarios' modules from here (e.g. a copy of an earlier build, for before/after). */
    "wasm-dir": { type: "string" },
  },
});

const names = values.scenario!.split(",").filter(Boolean);
const scenarios: Scenario[] = names.map((n) => {
  const s = n === "bare" ? BARE : SCENARIOS.find((x) => x.name === n);
  if (!s) throw new Error(`unknown scenario ${n}`);
  return s;
});
const concurrency = Number(values.concurrency);
const requests = Number(values.requests);
const connections = Number(values.connections);
const settleMs = Number(values.settle);

export interface Reading {
  rss: number;
  anon: number;
  file: number;
  /** tcmalloc: bytes in use by Envoy's allocations (V8's compiler zones and Envoy's copies of code and configuration included). */
  allocated: number;
  /** tcmalloc's resident regions: its heap plus thread caches. */
  tcmalloc: number;
  /** Resident pages of each Wasm linear memory (the accessible part of a reservation of 4 GiB or more). */
  linear: number[];
  /** Resident executable anonymous pages outside V8's per-isolate code regions: the compiled Wasm. */
  code: number;
  /** V8 heap pages (256 KiB mappings): the isolates' JavaScript heaps. */
  v8heap: number;
  /** Other anonymous pages (thread stacks, Envoy's own data, ...). */
  otherAnon: number;
  vms: number;
}

const MiB = 1 << 20;
const GiB = 1 << 30;

interface Mapping {
  start: number;
  end: number;
  perms: string;
  path: string;
  rss: number;
  anon: number;
}

function mappings(pid: number): Mapping[] {
  const out: Mapping[] = [];
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      out.push({ start: parseInt(head[1], 16), end: parseInt(head[2], 16), perms: head[3], path: head[4].trim(), rss: 0, anon: 0 });
      continue;
    }
    const m = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (m && out.length) out[out.length - 1][m[1] === "Rss" ? "rss" : "anon"] = Number(m[2]) * 1024;
  }
  return out;
}

/**
 * Anonymous memory by owner. Contiguous anonymous mappings form a region:
 * V8 reserves each linear memory with its guard pages (≥ 4 GiB, the
 * accessible part first), tcmalloc works in 1 GiB regions, V8's heap in
 * 256 KiB pages, and the compiled Wasm sits in an executable region.
 */
function classify(pid: number): Pick<Reading, "linear" | "tcmalloc" | "code" | "v8heap"> & { anonTotal: number } {
  const maps = mappings(pid);
  const linear: number[] = [];
  let tcmalloc = 0;
  let code = 0;
  let v8heap = 0;
  let anonTotal = 0;
  for (let i = 0; i < maps.length; ) {
    if (maps[i].path !== "") {
      anonTotal += maps[i].anon;
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < maps.length && maps[j + 1].path === "" && maps[j + 1].start === maps[j].end) j++;
    const region = maps.slice(i, j + 1);
    const size = region[j - i].end - region[0].start;
    const anon = region.reduce((a, m) => a + m.anon, 0);
    anonTotal += anon;
    const exec = region.some((m) => m.perms.includes("x"));
    if (region.some((m) => m.end - m.start >= 4 * GiB)) {
      // Each ≥ 4 GiB reservation ends one memory; what is accessible before it belongs to it.
      let acc = 0;
      for (const m of region) {
        if (m.end - m.start >= 4 * GiB) {
          linear.push(acc + m.anon);
          acc = 0;
        } else acc += m.anon;
      }
      if (acc) linear.push(acc);
    } else if (size === GiB) tcmalloc += anon;
    else if (exec) code += anon;
    else if (size === 256 * 1024) v8heap += anon;
    i = j + 1;
  }
  return { linear: linear.sort((a, b) => b - a), tcmalloc, code, v8heap, anonTotal };
}

async function read(envoy: Envoy): Promise<Reading> {
  const pid = envoy.pid!;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(status)![1]) * 1024;
  const mem = (await (await fetch(envoy.adminUrl("/memory"))).json()) as Record<string, string>;
  const c = classify(pid);
  const vms = (await envoy.stat("wasm.envoy.wasm.runtime.v8.active")) ?? 0;
  const linearSum = c.linear.reduce((a, b) => a + b, 0);
  return {
    rss: kb("VmRSS"),
    anon: kb("RssAnon"),
    file: kb("RssFile") + kb("RssShmem"),
    allocated: Number(mem.allocated),
    tcmalloc: c.tcmalloc,
    linear: c.linear,
    code: c.code,
    v8heap: c.v8heap,
    otherAnon: c.anonTotal - linearSum - c.tcmalloc - c.code - c.v8heap,
    vms,
  };
}

const mb = (b: number) => (b / MiB).toFixed(1);

function row(name: string, when: string, r: Reading): string {
  const lin = r.linear.reduce((a, b) => a + b, 0);
  return `| ${name} | ${when} | ${r.vms} | ${mb(r.rss)} | ${mb(r.file)} | ${mb(r.anon)} | ${mb(r.tcmalloc)} (${mb(r.allocated)}) | ${mb(lin)} (${r.linear.map(mb).join(" + ")}) | ${mb(r.v8heap)} | ${mb(r.code)} | ${mb(r.otherAnon)} |`;
}

async function load(url: string, body: string, headers: Record<string, string>, n: number, conns: number): Promise<number> {
  let next = 0;
  let failed = 0;
  const one = async () => {
    while (next < n) {
      next++;
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
      await res.arrayBuffer();
      if (res.status !== 200) failed++;
    }
  };
  await Promise.all(Array.from({ length: conns }, one));
  return failed;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (!values["no-build"]) {
  const targets = new Set(scenarios.flatMap((s) => (values.bundle && s.build.length && !s.build.includes("probe") ? ["ai-gateway"] : s.build)));
  for (const t of targets) await build({ only: t, quiet: true });
}
const upstream = await startUpstreamProcess();
const headers = benchHeaders(scenarios);
const body = payload("1K", "json").body;
console.log(`concurrency ${concurrency}, ${requests} requests over ${connections} connections${values.bundle ? ", filters from the bundle" : ""}`);
console.log("| scenario | when | VMs | VmRSS | file | anon | tcmalloc (in use) | Wasm linear memory (each) | V8 heap | Wasm code | other anon |");
console.log("| --- | --- | --: | --: | --: | --: | --: | --- | --: | --: | --: |");
try {
  for (const s of scenarios) {
    const form = s.wasmForm ?? (values.bundle && !s.build.includes("probe") ? "bundle" : "modules");
    const label = s.wasmForm || form === "modules" || !s.build.length ? s.name : `${s.name} (bundle)`;
    const envoy = await startEnvoy({
      config: s.config,
      vars: { ...s.vars, UPSTREAM_PORT: upstream.port, ...(values["wasm-dir"] ? { WASM_DIR: values["wasm-dir"] } : {}) },
      concurrency,
      name: `rss-${s.name}`,
      wasmForm: form,
    });
    try {
      await sleep(settleMs);
      console.log(row(label, "started", await read(envoy)));
      const failed = await load(envoy.url(CHAT_PATH), body, headers, requests, connections);
      await sleep(settleMs);
      console.log(row(label, `after ${requests}${failed ? ` (${failed} not 200)` : ""}`, await read(envoy)));
      envoy.assertHealthy();
    } finally {
      await envoy.stop();
    }
  }
} finally {
  await upstream.stop();
}
