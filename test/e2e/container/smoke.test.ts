// Container smoke suite (CI): the harness's container runtime against a real
// engine. Nothing here skips: if podman (or Docker) is unusable, every test
// fails with the reason, because CI must prove this path works.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageExists } from "../../../scripts/container-image.ts";
import { ROOT } from "../../../scripts/lib/paths.ts";
import { ENVOY_VERSION } from "../../../scripts/setup-envoy.ts";
import { OWNER_LABEL } from "../../../scripts/setup-podman.ts";
import { containerEngine } from "../../harness/container.ts";
import { Envoy, startEnvoy } from "../../harness/envoy.ts";
import { isListening } from "../../harness/ports.ts";

process.env.ENVOY_RUNTIME = "container";

interface Listed {
  name: string;
  image: string;
  status: string;
}

/** Containers (running or not) labelled as owned by `pid`. */
function ownedContainers(cli: string, pid: number): Listed[] {
  const r = spawnSync(cli, ["ps", "-a", "--filter", `label=${OWNER_LABEL}=${pid}`, "--format", "{{.Names}}\t{{.Image}}\t{{.Status}}"], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`${cli} ps failed: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const [name, image, status] = l.split("\t");
      return { name, image, status };
    });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

describe("Envoy in a container", () => {
  let engine: { image: string; cli: string };
  let envoy: Envoy;
  // A failing beforeAll would report the tests as skipped; each test rethrows instead.
  let setupError: unknown;

  beforeAll(async () => {
    try {
      engine = await containerEngine();
      envoy = await startEnvoy({ config: "envoy/smoke.yaml", name: "container-smoke", runtime: "container" });
    } catch (e) {
      setupError = e;
    }
  });
  afterAll(async () => envoy?.stop());

  function ready(): void {
    if (setupError) throw setupError;
  }

  it("runs the pinned Envoy from the image, in a container this process owns", async () => {
    ready();
    expect(imageExists(engine.image, engine.cli)).toBe(true);
    const mine = ownedContainers(engine.cli, process.pid);
    expect(mine).toHaveLength(1);
    expect(mine[0].name).toMatch(/^aigw-envoy-/);
    expect(mine[0].status).toMatch(/^Up/);
    expect(envoy.pid).toBeUndefined();
    const info = await (await fetch(envoy.adminUrl("/server_info"))).json();
    expect(info.version).toContain(`/${ENVOY_VERSION}/`);
  });

  it("answers on the host network and serves admin stats", async () => {
    ready();
    const res = await fetch(envoy.url("/"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
    expect(await envoy.stat("http.smoke.downstream_rq_completed")).toBeGreaterThanOrEqual(1);
    expect(await envoy.prometheus()).toMatch(/^envoy_http_downstream_rq_completed\{envoy_http_conn_manager_prefix="smoke"\} [1-9]/m);
    expect(envoy.logs()).toContain("starting main dispatch loop");
    envoy.assertHealthy();
  });

  it("reports a config Envoy refuses with its exit code and log, and removes that container", async () => {
    ready();
    await expect(
      startEnvoy({ config: "envoy/smoke.yaml", vars: { LISTENER_PORT: "not-a-port" }, name: "container-bad", runtime: "container" }),
    ).rejects.toThrow(/exited with code 1[\s\S]*not-a-port/);
    expect(ownedContainers(engine.cli, process.pid)).toHaveLength(1);
  });

  it("stop() ends Envoy and removes its container", async () => {
    ready();
    const extra = await startEnvoy({ config: "envoy/smoke.yaml", name: "container-stop", runtime: "container" });
    const port = extra.port("LISTENER_PORT");
    expect(ownedContainers(engine.cli, process.pid)).toHaveLength(2);
    await extra.stop();
    expect(ownedContainers(engine.cli, process.pid)).toHaveLength(1);
    expect(await isListening(port)).toBe(false);
  });

  it("removes the container of a test process that dies without stopping it", async () => {
    ready();
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "test/e2e/container/orphan-child.ts")], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b));
    child.stderr.on("data", (b: Buffer) => (out += b));
    try {
      const ready = await until(() => /ready \d+/.test(out) || child.exitCode !== null, 60_000);
      expect(ready && child.exitCode === null, `orphan child did not start Envoy:\n${out}`).toBe(true);
      const port = Number(/ready (\d+)/.exec(out)![1]);
      expect(ownedContainers(engine.cli, child.pid!)).toHaveLength(1);
      expect(await isListening(port)).toBe(true);

      child.kill("SIGKILL");
      const gone = await until(() => ownedContainers(engine.cli, child.pid!).length === 0, 15_000);
      expect(gone, "the dead process's container is still there").toBe(true);
      expect(await isListening(port)).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
