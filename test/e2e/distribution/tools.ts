// Command-line tools as the distribution suites run them: the project's own
// scripts in a child process (as CI does), skopeo, and temp directories.
import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { ROOT, TMP } from "../../../scripts/lib/paths.ts";

/** The commands the registry suites run, and the Debian package of each. */
const COMMANDS: Record<string, string> = {
  "docker-registry": "docker-registry",
  skopeo: "skopeo",
  htpasswd: "apache2-utils",
  openssl: "openssl",
};

const onPath = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

/** Installs the missing ones with apt-get when running as root (as .ci/run does); else says what to install. */
export function ensureCommands(): void {
  const missing = Object.keys(COMMANDS).filter((c) => !onPath(c));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((c) => COMMANDS[c]))];
  if (process.getuid?.() === 0 && onPath("apt-get")) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    spawnSync("apt-get", ["install", "-y", "-qq", ...packages], { stdio: "inherit", env });
  }
  const still = missing.filter((c) => !onPath(c));
  if (still.length) throw new Error(`the registry suites need ${still.join(", ")}: apt-get install ${packages.join(" ")}`);
}

export function tempDir(prefix: string): string {
  mkdirSync(TMP, { recursive: true });
  return mkdtempSync(join(TMP, prefix));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the scripts/*.ts commands as CI would, in a child process. */
export function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const tsx = join(ROOT, "node_modules", ".bin", "tsx");
  const cleanEnv = { ...process.env };
  for (const k of ["REGISTRY", "REGISTRY_USERNAME", "REGISTRY_PASSWORD", "REGISTRY_TOKEN"]) delete cleanEnv[k];
  return new Promise((resolve) => {
    execFile(tsx, [join(ROOT, "scripts", script), ...args], { cwd: ROOT, env: { ...cleanEnv, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** skopeo against a plain-HTTP loopback registry. */
export function skopeo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("skopeo", args, { timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`skopeo ${args.join(" ")} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}
