// The project's test command (`npm test`): builds, typechecks the TypeScript
// (scripts and tests), then runs the unit, e2e
// (native Envoy), e2e-bundle (the filters' e2e suites again on the one-VM
// bundle module) and container suites in that order (setting up podman for
// the last when no container engine is configured), and ends with one
// summary line "N passed, N failed".
//   npm test                    everything
//   npm test -- unit e2e        chosen suites
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "./build.ts";
import { ROOT, TMP } from "./lib/paths.ts";
import { setupPodman } from "./setup-podman.ts";

const SUITES = ["unit", "e2e", "e2e-bundle", "container"] as const;

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function runSuite(suite: string): Counts & { ok: boolean } {
  const out = join(TMP, "test-results", `${suite}.json`);
  rmSync(out, { force: true });
  console.log(`\n=== ${suite} tests ===`);
  const r = spawnSync(
    "npx",
    ["vitest", "run", "--project", suite, "--reporter=default", "--reporter=json", `--outputFile.json=${out}`],
    { cwd: ROOT, stdio: "inherit", env: process.env },
  );
  let counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  try {
    const j = JSON.parse(readFileSync(out, "utf8"));
    counts = { passed: j.numPassedTests, failed: j.numFailedTests, skipped: j.numPendingTests + j.numTodoTests };
  } catch {
    counts.failed = 1; // the runner died before writing results
  }
  return { ...counts, ok: r.status === 0 && counts.failed === 0 };
}

async function main() {
  const chosen = process.argv.slice(2).filter((a) => (SUITES as readonly string[]).includes(a));
  const suites = chosen.length ? chosen : [...SUITES];
  mkdirSync(join(TMP, "test-results"), { recursive: true });
  await build();
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  console.log("\n=== typecheck (tsc) ===");
  let ok = spawnSync("npx", ["tsc", "--noEmit", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "inherit" }).status === 0;
  if (!ok) total.failed += 1;
  for (const s of suites) {
    // The container suite needs a container engine: install/start podman
    // when there is none (idempotent; apt-get needs root).
    if (s === "container" && !process.env.DOCKER_HOST && !existsSync("/var/run/docker.sock")) await setupPodman();
    const r = runSuite(s);
    total.passed += r.passed;
    total.failed += r.failed;
    total.skipped += r.skipped;
    ok &&= r.ok;
  }
  console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exit(ok ? 0 : 1);
}

main().catch((e: Error) => {
  console.error(e.message);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
