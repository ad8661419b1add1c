// Compiles every filter folder with an entry (assembly/<filter>/index.ts) and
// every test fixture (test/fixtures/<name>/index.ts) into build/, release and
// debug, then checks each module against what Envoy can load.
//
// `npm run build` also bundles the demo upstreams (scripts/upstreams-bundle.ts).
//
//   npm run build                 build what is stale
//   npm run build -- --force      rebuild everything
//   npm run build -- --only NAME  one filter or fixture
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { checkModule, formatSize } from "./lib/wasm-check.ts";
import { ROOT } from "./lib/paths.ts";
import { bundleUpstreams } from "./upstreams-bundle.ts";
import { writePhoneTables } from "./phone-tables.ts";
import { type BuildHook, staticTableHook } from "./router/static/build-table.ts";

/** Targets that need more than the compiler (scripts/router/static/build-table.ts). */
const HOOKS: Record<string, BuildHook> = { "semantic-router-embed": staticTableHook, "kit-static-embed": staticTableHook };

export interface Target {
  name: string;
  entry: string;
  outDir: string;
  fixture: boolean;
}

export function discoverTargets(): Target[] {
  const targets: Target[] = [];
  const scan = (dir: string, outDir: string, fixture: boolean) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      if (name === "common") continue;
      const entry = join(dir, name, "index.ts");
      if (existsSync(entry)) targets.push({ name, entry, outDir, fixture });
    }
  };
  scan(join(ROOT, "assembly"), join(ROOT, "build"), false);
  scan(join(ROOT, "test", "fixtures"), join(ROOT, "build", "test"), true);
  return targets;
}

function newestInput(): number {
  let newest = 0;
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const n of readdirSync(p)) walk(join(p, n));
    } else if (p.endsWith(".ts") || p.endsWith(".json")) {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  walk(join(ROOT, "assembly"));
  walk(join(ROOT, "test", "fixtures"));
  walk(join(ROOT, "asconfig.json"));
  walk(join(ROOT, "package-lock.json"));
  return newest;
}

function outputsOf(t: Target): string[] {
  return [join(t.outDir, `${t.name}.wasm`), join(t.outDir, `${t.name}.debug.wasm`)];
}

const ASC = join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js");

/** Runs the AssemblyScript compiler in a child process (builds run in parallel). */
function compile(t: Target, variant: "release" | "debug", extra: string[]): Promise<string> {
  const out = variant === "release" ? join(t.outDir, `${t.name}.wasm`) : join(t.outDir, `${t.name}.debug.wasm`);
  const args = [ASC, relative(ROOT, t.entry), "--config", "asconfig.json", "--target", variant, "--outFile", relative(ROOT, out), ...extra];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b));
    child.stderr.on("data", (b: Buffer) => (output += b));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0 && existsSync(out)) {
        HOOKS[t.name]?.finish(out);
        resolve(out);
      }
      else reject(new Error(`asc failed for ${t.name} (${variant}), exit ${code}:\n${output}`));
    });
  });
}

async function inParallel<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  return results;
}

export async function build(opts: { force?: boolean; only?: string; quiet?: boolean } = {}): Promise<Target[]> {
  process.chdir(ROOT);
  writePhoneTables();
  const named = discoverTargets().filter((t) => !opts.only || t.name === opts.only);
  if (opts.only && named.length === 0) throw new Error(`no filter or fixture named ${opts.only}`);
  // A hooked target that cannot be built yet (no embedding table) is left out.
  const extra = new Map<Target, string[]>();
  const targets = named.filter((t) => {
    const args = HOOKS[t.name] ? HOOKS[t.name].prepare() : [];
    if (args !== null) extra.set(t, args);
    else if (!opts.quiet) console.log(`${t.name}: skipped, ${HOOKS[t.name].missing}`);
    return args !== null;
  });
  if (opts.only && targets.length === 0) throw new Error(`${opts.only}: ${HOOKS[opts.only].missing}`);
  const newest = newestInput();
  const newestFor = (t: Target) => Math.max(newest, ...(HOOKS[t.name]?.inputs() ?? []).map((p) => statSync(p).mtimeMs));
  const stale = targets.filter(
    (t) => opts.force || outputsOf(t).some((o) => !existsSync(o) || statSync(o).mtimeMs < newestFor(t)),
  );
  const jobs = stale.flatMap((t) => {
    mkdirSync(t.outDir, { recursive: true });
    return (["release", "debug"] as const).map((variant) => () => compile(t, variant, extra.get(t)!));
  });
  await inParallel(jobs, Math.max(1, availableParallelism()));
  // Check every module, fresh or not, and delete the ones Envoy would refuse
  // so that a later build cannot mistake them for up to date.
  const failures: string[] = [];
  for (const out of targets.flatMap(outputsOf)) {
    const problems = checkModule(out);
    if (problems.length) {
      failures.push(`${relative(ROOT, out)}:\n  - ${problems.join("\n  - ")}`);
      rmSync(out, { force: true });
    }
  }
  if (failures.length) {
    throw new Error(`modules Envoy could not load:\n${failures.join("\n")}`);
  }
  if (!opts.quiet) {
    for (const t of targets) {
      const [rel, dbg] = outputsOf(t);
      const tag = t.fixture ? " (test fixture)" : "";
      const fresh = stale.includes(t) ? "built" : "up to date";
      console.log(
        `${relative(ROOT, rel).padEnd(36)} ${formatSize(statSync(rel).size).padStart(9)}   debug ${formatSize(statSync(dbg).size).padStart(9)}   ${fresh}${tag}`,
      );
    }
  }
  return targets;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;
  build({ force: argv.includes("--force"), only })
    .then(async () => {
      if (!only) console.log(`${relative(ROOT, await bundleUpstreams())}/   demo upstreams bundled (envoy/docker-compose.yaml)`);
    })
    .catch((e: Error) => {
      console.error(`build failed: ${e.message}`);
      process.exit(1);
    });
}
