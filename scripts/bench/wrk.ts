// Runs wrk (C, one thread, event loop) as the load generator and reads the
// JSON line its done() hook prints (see load.lua).
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { WrkErrors } from "./results.ts";

const LUA = join(dirname(fileURLToPath(import.meta.url)), "load.lua");

export interface WrkRun {
  url: string;
  bodyFile: string;
  connections: number;
  durationS: number;
  maxRequests: number;
  /** Request headers added to every request (see BenchHeaders in scenarios.ts). */
  headers?: Record<string, string>;
}

export interface WrkOutput {
  requests: number;
  durationUs: number;
  bytes: number;
  errors: WrkErrors;
  latencyUs: { min: number; mean: number; p50: number; p90: number; p99: number; max: number };
}

function onPath(bin: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0;
}

/** Path of wrk: $WRK_BIN, or wrk on PATH, installed from Debian's package when missing and running as root. */
export function ensureWrk(log: (s: string) => void): string {
  if (process.env.WRK_BIN) return process.env.WRK_BIN;
  if (onPath("wrk")) return "wrk";
  if (process.getuid?.() === 0 && onPath("apt-get")) {
    log("wrk not found: installing the Debian package wrk ...");
    const install = () => spawnSync("apt-get", ["install", "-y", "-qq", "wrk"], { stdio: "inherit" }).status === 0;
    if (!install()) {
      spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
      install();
    }
    if (onPath("wrk")) return "wrk";
  }
  throw new Error("the bench needs wrk: install it (Debian/Ubuntu: apt-get install wrk) or set WRK_BIN");
}

export function wrkVersion(bin: string): string | null {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  const m = /wrk\s+(\S+)/.exec(`${r.stdout}${r.stderr}`);
  return m ? m[1] : null;
}

/** Extracts the WRK_JSON line from wrk's stdout. */
export function parseWrkOutput(stdout: string): WrkOutput {
  const line = stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
  if (!line) throw new Error(`wrk printed no result line:\n${stdout.slice(-2000)}`);
  const out = JSON.parse(line.slice("WRK_JSON ".length)) as WrkOutput;
  if (!Number.isFinite(out.requests) || !Number.isFinite(out.durationUs) || !out.latencyUs || !out.errors) {
    throw new Error(`wrk result line is incomplete: ${line}`);
  }
  return out;
}

export function wrkArgs(run: WrkRun): string[] {
  return [
    "-t", "1",
    "-c", String(run.connections),
    "-d", `${run.durationS}s`,
    "--timeout", "10s",
    "-s", LUA,
    run.url,
    "--", run.bodyFile, String(run.maxRequests),
    ...Object.entries(run.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
}

/** Runs wrk to completion; rejects if it exits non-zero or prints no result. */
export function runWrk(bin: string, run: WrkRun): Promise<WrkOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, wrkArgs(run), { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let capped = false;
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
      if (!capped && stdout.includes("WRK_CAP\n")) {
        capped = true;
        child.kill("SIGINT");
      }
    });
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`wrk exited with ${code}:\n${stderr}${stdout}`));
      try {
        resolve(parseWrkOutput(stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}
