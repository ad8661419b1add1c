// Builds gitleaks (the secret scanner whose public rule set the secret
// detector is checked against) from its Go module into
// .tools/gitleaks/<version>/, once.
//
//   npx tsx scripts/gitleaks/setup.ts     prints its path
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureGoProgram } from "../lib/go-install.ts";
import { ROOT } from "../lib/paths.ts";

export const GITLEAKS_VERSION = "v8.30.1";
const MODULE = "github.com/zricethezav/gitleaks/v8";

export const GITLEAKS_DIR = join(ROOT, ".tools", "gitleaks", GITLEAKS_VERSION);
export const GITLEAKS_BIN = join(GITLEAKS_DIR, "gitleaks");

/** Path of the gitleaks binary, built with `go install` on first use. */
export function ensureGitleaks(): string {
  if (process.env.GITLEAKS_BIN) return process.env.GITLEAKS_BIN;
  return ensureGoProgram({ name: "gitleaks", pkg: MODULE, version: GITLEAKS_VERSION, dir: GITLEAKS_DIR, bin: GITLEAKS_BIN });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(`gitleaks: ${ensureGitleaks()}`);
}
