// Test fixtures (test/fixtures/<name>) are built on demand by the suites
// that load them; `npm test` builds everything first, so this is a no-op there.
import { existsSync } from "node:fs";
import { build } from "../../scripts/build.ts";
import { wasmPath } from "../../scripts/lib/paths.ts";

/** Builds the fixture module if stale and returns its .wasm path. */
export async function builtFixture(name: string): Promise<string> {
  await build({ only: name, quiet: true });
  const path = wasmPath(name, { fixture: true });
  if (!existsSync(path)) throw new Error(`${path} missing after build`);
  return path;
}
