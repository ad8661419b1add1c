// Runs the official MCP conformance suite (@modelcontextprotocol/conformance,
// its CLI as published) against a server URL and reads its verdicts back, one
// per scenario, from the checks.json files it writes.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const CLI = join(dirname(require.resolve("@modelcontextprotocol/conformance/package.json")), "dist", "index.js");
const SHIM = join(dirname(fileURLToPath(import.meta.url)), "node20-fs-globsync.mjs");

export type CheckStatus = "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";

export interface Check {
  id: string;
  status: CheckStatus;
  description?: string;
  errorMessage?: string;
}

/** pass: no failure or warning; warn: warnings only; fail: a failed check (or none ran). */
export type Verdict = "pass" | "warn" | "fail";

export interface ScenarioResult {
  verdict: Verdict;
  checks: Check[];
}

const RANK: Record<Verdict, number> = { fail: 0, warn: 1, pass: 2 };

export function verdictOf(checks: Check[]): Verdict {
  if (checks.length === 0 || checks.some((c) => c.status === "FAILURE")) return "fail";
  return checks.some((c) => c.status === "WARNING") ? "warn" : "pass";
}

/** Scenario names whose verdict is worse in `other` than in `base`, each with what went wrong there. */
export function regressions(base: Map<string, ScenarioResult>, other: Map<string, ScenarioResult>): string[] {
  const out: string[] = [];
  for (const [name, b] of base) {
    const o = other.get(name);
    if (o !== undefined && RANK[o.verdict] >= RANK[b.verdict]) continue;
    const problems = (o?.checks ?? []).filter((c) => c.status === "FAILURE" || c.status === "WARNING").map((c) => `${c.id}: ${c.errorMessage ?? c.status}`);
    out.push(`${name}: ${b.verdict} -> ${o?.verdict ?? "missing"}${problems.length ? ` (${problems.join("; ")})` : ""}`);
  }
  return out;
}

/** Directory names are `server-<scenario>-<ISO time with dashes>`. */
const RESULT_DIR = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

/**
 * Every server scenario of the suite (`--suite all`) against `url`, in the
 * suite's own order, one after another. Rejects when the CLI produced no
 * results at all or ran past `timeoutMs`.
 */
export async function runServerScenarios(url: string, timeoutMs = 60_000): Promise<Map<string, ScenarioResult>> {
  const out = mkdtempSync(join(tmpdir(), "mcp-conformance-"));
  try {
    const { code, output } = await runCli(["server", "--url", url, "--suite", "all", "--output-dir", out], timeoutMs);
    const results = new Map<string, ScenarioResult>();
    for (const dir of readdirSync(out)) {
      const m = RESULT_DIR.exec(dir);
      if (!m) continue;
      const checks = JSON.parse(readFileSync(join(out, dir, "checks.json"), "utf8")) as Check[];
      results.set(m[1], { verdict: verdictOf(checks), checks });
    }
    if (results.size === 0) throw new Error(`the conformance suite wrote no results (exit ${code}):\n${output.slice(-4000)}`);
    return results;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", SHIM, CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the conformance suite ran past ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
