// Builds gitleaks (the secret scanner whose public rule set the secret
// detector is checked against) from its Go module into
// .tools/gitleaks/<version>/, once.
//
//   npx tsx scripts/gitleaks/setup.ts     prints its path
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, TMP } from "../lib/paths.ts";

export const GITLEAKS_VERSION = "v8.30.1";
const MODULE = "github.com/zricethezav/gitleaks/v8";

export const GITLEAKS_DIR = join(ROOT, ".tools", "gitleaks", GITLEAKS_VERSION);
export const GITLEAKS_BIN = join(GITLEAKS_DIR, "gitleaks");

function which(cmd: string): string | null {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Path of the gitleaks binary, built with `go install` on first use. */
export function ensureGitleaks(): string {
  if (process.env.GITLEAKS_BIN) return process.env.GITLEAKS_BIN;
  if (existsSync(GITLEAKS_BIN)) return GITLEAKS_BIN;
  const go = which("go") ?? (existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : null);
  if (!go) throw new Error("the Go toolchain is needed to build gitleaks (go install); none on PATH");
  const work = join(TMP, "gitleaks-build");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "go.mod"), "module gitleaksbuild\n\ngo 1.24\n");
  mkdirSync(GITLEAKS_DIR, { recursive: true });
  process.stderr.write(`building ${MODULE}@${GITLEAKS_VERSION} into ${GITLEAKS_DIR} ...\n`);
  execFileSync(go, ["install", `${MODULE}@${GITLEAKS_VERSION}`], {
    cwd: work,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, GOBIN: GITLEAKS_DIR, GOFLAGS: "-mod=mod" },
  });
  if (!existsSync(GITLEAKS_BIN)) throw new Error(`go install finished but ${GITLEAKS_BIN} is missing`);
  return GITLEAKS_BIN;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(`gitleaks: ${ensureGitleaks()}`);
}
