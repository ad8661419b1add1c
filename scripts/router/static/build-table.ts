// The static embedding table of semantic-router-embed (and its test kit):
// distilled once from the installed all-MiniLM-L6-v2 into .tools/minilm,
// under a name made of the hash of everything that shapes it (the
// distillation scripts, the pinned packages in setup.sh), so a table is
// never rebuilt for nothing and never stale.
//
// `npm run build` never distils (minutes of CPU): it compiles the embed
// modules when the table is there and otherwise skips them and says how to
// get it. .ci/run and the tests that need the table call this first.
//
//   npx tsx scripts/router/static/build-table.ts     distil unless cached (idempotent)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../lib/paths.ts";
import { ensureInstalled } from "../../../test/upstreams/minilm.ts";
import { addDataSegment } from "./inject.ts";

const TOOLS = join(ROOT, ".tools", "minilm");
const SOURCES = ["scripts/router/static/distill.py", "scripts/router/static/tables.py", "scripts/router/minilm/embed.py", "scripts/router/minilm/setup.sh"];

export const DISTIL_COMMAND = "npx tsx scripts/router/static/build-table.ts";

function hashOf(files: string[]): string {
  const h = createHash("sha256");
  for (const f of files) h.update(readFileSync(join(ROOT, f)));
  return h.digest("hex").slice(0, 16);
}

/** Where the table for the current scripts lives (it may not exist yet). */
export function tablePath(): string {
  return join(TOOLS, "static", `table-${hashOf(SOURCES)}.bin`);
}

/** The model's vector of every token (the slow part), kept for as long as the model and its code are the same. */
function vectorsPath(): string {
  return join(TOOLS, "static", `token-vectors-${hashOf(["scripts/router/minilm/embed.py", "scripts/router/minilm/setup.sh"])}.npy`);
}

/** The table's path when it has been distilled, else null. */
export function cachedTable(): string | null {
  const path = tablePath();
  return existsSync(path) ? path : null;
}

/** The table's path, installing the model and distilling first when needed. */
export function ensureTable(): string {
  const path = tablePath();
  if (existsSync(path)) return path;
  ensureInstalled();
  mkdirSync(join(TOOLS, "static"), { recursive: true });
  // Written aside, then renamed: two test files distilling at once never read half a table.
  const partial = `${path}.${process.pid}.partial`;
  execFileSync("python3", [join(ROOT, "scripts/router/static/distill.py"), "--out", partial, "--vectors", vectorsPath()], {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: join(TOOLS, "lib") },
    stdio: ["ignore", "inherit", "inherit"],
  });
  renameSync(partial, path);
  return path;
}

export interface BuildHook {
  /** Compiler arguments, or null: the target cannot be built here. */
  prepare(): string[] | null;
  /** Input files beyond the sources (a newer one makes the outputs stale). */
  inputs(): string[];
  /** Runs on each compiled output. */
  finish(out: string): void;
  /** Why prepare() said null, and what to do. */
  missing: string;
}

export const staticTableHook: BuildHook = {
  prepare() {
    const path = cachedTable();
    // --initialMemory 0: the compiler sizes the memory to hold the reserved table (asconfig.json says 2 pages).
    return path === null ? null : ["--use", `SR_TABLE_BYTES=${statSync(path).size}`, "--initialMemory", "0", "--enable", "simd"];
  },
  inputs: () => [tablePath()],
  finish(out: string) {
    writeFileSync(out, addDataSegment(readFileSync(out), "sr_static_table", readFileSync(tablePath())));
  },
  missing: `no static embedding table yet (${DISTIL_COMMAND} distils it once, a few minutes of CPU)`,
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const cached = cachedTable();
  const path = ensureTable();
  console.log(`static embedding table: ${path} (${statSync(path).size} bytes, ${cached ? "cached" : `distilled in ${((Date.now() - started) / 1000).toFixed(0)} s`})`);
}
