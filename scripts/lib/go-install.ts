// Builds a Go program published as a module (`go install pkg@version`) into
// a folder of .tools/, once: the real peers some suites need (the rate limit
// service, gitleaks) come from their own modules through the Go module proxy.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TMP } from "./paths.ts";

/** The command's path on PATH, or null. */
export function which(cmd: string): string | null {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The Go toolchain: `go` on PATH, or the official tarball's place; null when neither. */
export function goBinary(): string | null {
  return which("go") ?? (existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : null);
}

export interface GoProgram {
  /** What the build is called in messages and its scratch folder, e.g. "gitleaks". */
  name: string;
  /** The main package, e.g. github.com/envoyproxy/ratelimit/src/service_cmd. */
  pkg: string;
  version: string;
  /** Where the binary goes (GOBIN). */
  dir: string;
  /** The binary's path inside `dir`. */
  bin: string;
}

/** The program's binary, built with `go install` when it is not there yet. */
export function ensureGoProgram(p: GoProgram): string {
  if (existsSync(p.bin)) return p.bin;
  const go = goBinary();
  if (!go) throw new Error(`the Go toolchain is needed to build ${p.name} (go install); none on PATH`);
  // go install needs a module to resolve the main package's dependencies from.
  const work = join(TMP, `${p.name}-build`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "go.mod"), `module ${p.name.replace(/[^a-z0-9]/g, "")}build\n\ngo 1.24\n`);
  mkdirSync(p.dir, { recursive: true });
  process.stderr.write(`building ${p.pkg}@${p.version} into ${p.dir} ...\n`);
  execFileSync(go, ["install", `${p.pkg}@${p.version}`], {
    cwd: work,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, GOBIN: p.dir, GOFLAGS: "-mod=mod" },
  });
  if (!existsSync(p.bin)) throw new Error(`go install finished but ${p.bin} is missing`);
  return p.bin;
}
