// `npm run bench`: bare Envoy and Envoy with each selected filter chain, in
// the same run, on the same upstream and payloads. See docs/bench.md.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { startEnvoy, type Envoy } from "../../test/harness/envoy.ts";
import { ensureEnvoy, envoyVersion } from "../setup-envoy.ts";
import { ROOT, TMP } from "../lib/paths.ts";
import { parseArgs, USAGE, type BenchOptions } from "./args.ts";
import { buildCells, runOrder } from "./cells.ts";
import { payload, type Payload } from "./payloads.ts";
import { checkChain, checkCompletion } from "./preflight.ts";
import { writeResults } from "./report/write.ts";
import { floorPairs } from "./floor-pairs.ts";
import { cellResult, pickRounds, type BenchResults, type CellResult, type RunResult } from "./results.ts";
import { readBuckets, timingBetween } from "./filter-histogram.ts";
import { CHAT_PATH, measureRun } from "./runner.ts";
import { BARE, benchHeaders, SCENARIOS, selectScenarios, type Scenario } from "./scenarios.ts";
import { startUpstreamProcess, type UpstreamProcess } from "./upstream.ts";
import { ensureWrk, runWrk, wrkVersion } from "./wrk.ts";
import { cellLabel, fmtInt, fmtMs, fmtOne } from "./report/format.ts";

const WARMUP_CONNECTIONS = 16;
const WARMUP_REQUESTS = 2000;
/** Untimed load of the cell's own kind right before each measured run (at most 1 s). */
const CELL_WARMUP_REQUESTS = 1000;
/** Pause between runs so closing connections and timers settle. */
const SETTLE_MS = 250;

const METHOD =
  "Bare and chain Envoys run side by side (all started and warmed up before any measurement) in front of one " +
  "upstream process; on every cell they take turns, one wrk run each, in reversed order on odd cells, each run " +
  "preceded by an unmeasured burst (<= 1 s) of the same load. With --rounds N each cell is run N times over, the order " +
  "alternating between rounds, and each chain's run from the round with the median ratio to bare's run of the same round is reported.";

const log = (s: string) => process.stderr.write(s + "\n");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Chain {
  scenario: Scenario;
  envoy: Envoy;
}

interface PayloadFile extends Payload {
  file: string;
}

function buildModules(scenarios: readonly Scenario[]): void {
  for (const name of new Set(scenarios.flatMap((s) => s.build))) {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "build.ts"), "--only", name], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0) throw new Error(`building ${name} failed`);
  }
}

function writePayloads(o: BenchOptions): Map<string, PayloadFile> {
  const dir = join(TMP, "bench");
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, PayloadFile>();
  for (const label of o.payloads) {
    for (const mode of o.modes) {
      const p = payload(label, mode);
      const file = join(dir, `${label}-${mode}.json`);
      writeFileSync(file, p.body);
      files.set(`${label}-${mode}`, { ...p, file });
    }
  }
  return files;
}

function gitCommit(): string | null {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return null;
  }
}

function progress(run: RunResult): string {
  const ttfb = run.ttfbMs ? ` ttfb50 ${fmtMs(run.ttfbMs.p50)}ms` : "";
  const errors = Object.values(run.errors).reduce((a, b) => a + b, 0);
  return `    ${run.envoy.padEnd(20)} ${fmtInt(run.rps).padStart(6)} rps  p50 ${fmtMs(run.latencyMs.p50)}ms  p99 ${fmtMs(run.latencyMs.p99)}ms${ttfb}` +
    `  cpu ${fmtOne(run.cpu.percentOfCore)}%  rss ${fmtOne(run.memory.rssMb)}MB  host ${fmtOne(run.hostBusyPercent)}%` +
    (errors ? `  ERRORS ${errors}` : "");
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) return void console.log(USAGE);
  if (o.list) {
    for (const s of [BARE, ...SCENARIOS]) console.log(`${s.name.padEnd(20)} ${s.config.padEnd(24)} ${s.description}`);
    return;
  }
  const scenarios = selectScenarios(o.scenarios);
  const chainsToRun = [BARE, ...scenarios];
  // Every chain (bare too) gets the same request headers, so each does the same I/O.
  const headers = benchHeaders(chainsToRun);
  const wrkBin = ensureWrk(log);
  const envoyBin = await ensureEnvoy();
  buildModules(scenarios);
  const payloads = writePayloads(o);
  const cells = buildCells(o.payloads, o.modes, o.connections);
  const runsTotal = cells.length * chainsToRun.length;
  log(`bench: ${chainsToRun.map((s) => s.name).join(" vs ")}; ${cells.length} cells, ${runsTotal} runs of <= ${o.durationS} s`);

  const startedAt = new Date().toISOString();
  let upstream: UpstreamProcess | undefined;
  const chains: Chain[] = [];
  const cleanup = async () => {
    await Promise.allSettled(chains.map((c) => c.envoy.stop()));
    await upstream?.stop();
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    upstream = await startUpstreamProcess();
    for (const scenario of chainsToRun) {
      const envoy = await startEnvoy({
        config: scenario.config,
        vars: { ...scenario.vars, UPSTREAM_PORT: upstream.port },
        concurrency: o.envoyConcurrency,
        runtime: "native",
        wasmForm: scenario.wasmForm ?? "modules",
        name: `bench-${scenario.name}`,
        logLevel: "warning",
      });
      chains.push({ scenario, envoy });
    }

    for (const { scenario, envoy } of chains) {
      for (const p of payloads.values()) await checkCompletion(scenario.name, envoy, p.mode, p.body, headers);
      if (scenario.check) await checkChain(scenario.name, envoy, [...payloads.values()][0].body, scenario.check, headers);
    }
    if (o.warmupS > 0) {
      // The upstream is a fresh Node process whose latency tail settles only
      // after many requests (JIT, heap sizing): warm it directly first, twice
      // as long as each Envoy, so the first measured cell is not its victim.
      log("  warm-up upstream");
      for (const p of payloads.values()) {
        await runWrk(wrkBin, {
          url: `http://127.0.0.1:${upstream.port}${CHAT_PATH}`,
          bodyFile: p.file,
          connections: WARMUP_CONNECTIONS,
          durationS: 2 * o.warmupS,
          maxRequests: 10 * WARMUP_REQUESTS,
          headers,
        });
      }
      for (const { scenario, envoy } of chains) {
        log(`  warm-up ${scenario.name}`);
        for (const p of payloads.values()) {
          await runWrk(wrkBin, {
            url: envoy.url(CHAT_PATH),
            bodyFile: p.file,
            connections: WARMUP_CONNECTIONS,
            durationS: o.warmupS,
            maxRequests: WARMUP_REQUESTS,
            headers,
          });
        }
        envoy.assertHealthy();
      }
      // One unmeasured full-length run of the first cell per Envoy: without it
      // the first measured run shows a latency tail the later ones do not.
      const first = cells[0];
      const p = payloads.get(`${first.payload}-${first.mode}`)!;
      for (const { envoy } of chains) {
        const load = { url: envoy.url(CHAT_PATH), bodyFile: p.file, connections: first.connections, headers };
        await runWrk(wrkBin, { ...load, durationS: o.durationS, maxRequests: o.maxRequests });
      }
    }

    const results: CellResult[] = [];
    for (const [i, cell] of cells.entries()) {
      log(`  [${i + 1}/${cells.length}] ${cellLabel(cell)}`);
      const p = payloads.get(`${cell.payload}-${cell.mode}`)!;
      const rounds = new Map<string, RunResult[]>(chains.map((c) => [c.scenario.name, []]));
      for (let round = 0; round < o.rounds; round++) {
        for (const { scenario, envoy } of runOrder(chains, i + round)) {
          if (o.warmupS > 0) {
            const load = { url: envoy.url(CHAT_PATH), bodyFile: p.file, connections: cell.connections, headers };
            await runWrk(wrkBin, { ...load, durationS: 1, maxRequests: CELL_WARMUP_REQUESTS });
          }
          await sleep(SETTLE_MS);
          const stat = scenario.filterHistogram;
          const before = stat ? await readBuckets(envoy, stat) : null;
          const run = await measureRun({
            name: scenario.name,
            envoy,
            cell,
            body: p.body,
            bodyFile: p.file,
            durationS: o.durationS,
            maxRequests: o.maxRequests,
            wrkBin,
            upstreamPid: upstream.pid,
            headers,
          });
          if (stat && before) run.filterTiming = timingBetween(before, await readBuckets(envoy, stat));
          envoy.assertHealthy();
          rounds.get(scenario.name)!.push(run);
          log(progress(run));
        }
      }
      const { runs, bareFor } = pickRounds(rounds);
      results.push({ ...cellResult(cell, runs, chainsToRun.map((s) => s.name), bareFor), floorPairs: floorPairs(rounds) });
    }

    const cpu = cpus();
    const out: BenchResults = {
      meta: {
        startedAt,
        finishedAt: new Date().toISOString(),
        gitCommit: gitCommit(),
        envoyVersion: envoyVersion(envoyBin),
        wrkVersion: wrkVersion(wrkBin),
        node: process.version,
        cpus: cpu.length,
        cpuModel: cpu[0]?.model.trim() ?? "?",
        envoyConcurrency: o.envoyConcurrency,
        method: METHOD,
      },
      options: {
        durationS: o.durationS,
        maxRequests: o.maxRequests,
        connections: o.connections,
        payloads: o.payloads,
        modes: o.modes,
        warmupS: o.warmupS,
        rounds: o.rounds,
      },
      scenarios: chainsToRun.map((s) => ({ name: s.name, description: s.description })),
      cells: results,
    };
    const written = await writeResults(out, resolve(ROOT, o.outDir));
    console.log(written.markdown);
    log(`wrote ${written.files.map((f) => f.replace(ROOT + "/", "")).join(", ")}`);
  } finally {
    await cleanup();
  }
}

main().catch((e: unknown) => {
  log(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
