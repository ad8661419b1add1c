// The build step of the modules that carry the static embedding table
// (semantic-router-embed and its test kit): distil the table from the
// installed all-MiniLM-L6-v2 when it is missing or older than its scripts,
// compile with its size reserved (--use SR_TABLE_BYTES=N), then write it into
// each output as a data segment. Without the model (scripts/router/minilm/
// setup.sh installs it) these modules are not built.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../lib/paths.ts";
import { addDataSegment } from "./inject.ts";

const TOOLS = join(ROOT, ".tools", "minilm");
export const TABLE_PATH = join(ROOT, "build", "static-embeddings.bin");
const SOURCES = ["scripts/router/static/distill.py", "scripts/router/static/tables.py", "scripts/router/minilm/embed.py"].map((p) => join(ROOT, p));

export function modelInstalled(): boolean {
  return existsSync(join(TOOLS, "model", "model.safetensors")) && existsSync(join(TOOLS, "lib", "numpy"));
}

/** The table's path, distilled first if stale; null when the model is not installed. */
export function ensureTable(): string | null {
  if (!modelInstalled()) return null;
  const fresh = existsSync(TABLE_PATH) && SOURCES.every((s) => statSync(s).mtimeMs <= statSync(TABLE_PATH).mtimeMs);
  if (!fresh) {
    execFileSync("python3", [join(ROOT, "scripts/router/static/distill.py"), "--out", TABLE_PATH], {
      cwd: ROOT,
      env: { ...process.env, PYTHONPATH: join(TOOLS, "lib") },
      stdio: ["ignore", "inherit", "inherit"],
    });
  }
  return TABLE_PATH;
}

export interface BuildHook {
  /** Compiler arguments, or null: the target cannot be built here. */
  prepare(): string[] | null;
  /** Input files beyond the sources (a newer one makes the outputs stale). */
  inputs(): string[];
  /** Runs on each compiled output. */
  finish(out: string): void;
}

export const staticTableHook: BuildHook = {
  prepare() {
    const path = ensureTable();
    // --initialMemory 0: the compiler sizes the memory to hold the reserved table (asconfig.json says 2 pages).
    return path === null ? null : ["--use", `SR_TABLE_BYTES=${statSync(path).size}`, "--enable", "simd", "--initialMemory", "0"];
  },
  inputs: () => [TABLE_PATH],
  finish(out: string) {
    writeFileSync(out, addDataSegment(readFileSync(out), "sr_static_table", readFileSync(TABLE_PATH)));
  },
};
