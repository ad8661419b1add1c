// Compiles one entry of a copied source tree (its own assembly/ and
// asconfig.json) with the project's AssemblyScript compiler: for scripts
// that build an edited copy of the sources (instrumented, traced) without
// touching the tree itself.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./paths.ts";

/** Release build of `entry` (relative to `tree`, or absolute) into `outFile`; throws with the compiler's output on failure. */
export function compileInTree(tree: string, entry: string, outFile: string, extra: string[] = []): void {
  const asc = join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js");
  const r = spawnSync(process.execPath, [asc, entry, "--config", "asconfig.json", "--target", "release", "--outFile", outFile, ...extra], { cwd: tree, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`asc failed for ${entry} in ${tree}:\n${r.stdout}${r.stderr}`);
}
