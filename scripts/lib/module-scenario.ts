// For the scripts that take one bench scenario and work on its module
// (profile-wasm, callback-timing): command-line flags, the scenario, and the
// module's entry file.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SCENARIOS, type Scenario } from "../bench/scenarios.ts";

/** The value after `--name` on the command line, or `fallback`. */
export function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** The scenario named by --scenario, if it runs one module; otherwise prints the choices and exits. */
export function moduleScenario(): Scenario {
  const name = flag("scenario", "");
  const scenario = SCENARIOS.find((s) => s.name === name && s.build.length === 1);
  if (!scenario) {
    console.error(`--scenario: one of ${SCENARIOS.filter((s) => s.build.length === 1).map((s) => s.name).join(", ")}`);
    process.exit(2);
  }
  return scenario;
}

/** The module's entry file, relative to `root`: a filter's, else a test fixture's. */
export function moduleEntry(root: string, target: string): string {
  const filterEntry = join("assembly", target, "index.ts");
  return existsSync(join(root, filterEntry)) ? filterEntry : join("test", "fixtures", target, "index.ts");
}
