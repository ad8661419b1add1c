// Command-line tools as the distribution suites run them: the project's own
// scripts in a child process (as CI does), skopeo, and temp directories.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { ROOT, TMP } from "../../../scripts/lib/paths.ts";

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
