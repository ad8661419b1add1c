// Runs Envoy in a container through testcontainers: Docker, or podman's
// Docker-compatible API (scripts/setup-podman.ts). The container shares the
// host network and sees the repository (read-only) and the run directory at
// the same paths, so the rendered config works unchanged.
// Containers are named aigw-envoy-<pid>-<n> and labelled with the owning
// pid; a detached watchdog removes them if this process dies without stop().
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { dirname } from "node:path";
import { PassThrough } from "node:stream";
import { resolveEnvoyImage } from "../../scripts/container-image.ts";
import { ROOT } from "../../scripts/lib/paths.ts";
import { applyEngineEnv, engineCli, ensurePodmanService, OWNER_LABEL, removeStaleContainers, socketAnswers, usesPodmanSocket } from "../../scripts/setup-podman.ts";
import type { Launch, RunningEnvoy } from "./envoy.ts";

export const CONTAINER_PREFIX = "aigw-envoy-";
const STOP_TIMEOUT_MS = 5000;
const OUTPUT_DRAIN_MS = 3000;

let counter = 0;
let prepared: Promise<{ image: string; cli: string }> | undefined;

/** Polls the owner pid; once it is gone, removes every container it labelled. */
const WATCHDOG = `
const { spawnSync } = require("node:child_process");
const { OWNER, CLI, LABEL } = process.env;
const alive = () => { try { process.kill(Number(OWNER), 0); return true; } catch (e) { return e.code === "EPERM"; } };
const timer = setInterval(() => {
  if (alive()) return;
  clearInterval(timer);
  const r = spawnSync(CLI, ["ps", "-aq", "--filter", "label=" + LABEL + "=" + OWNER], { encoding: "utf8" });
  const ids = (r.stdout || "").split(/\\s+/).filter(Boolean);
  if (ids.length) spawnSync(CLI, ["rm", "-f", ...ids], { stdio: "ignore" });
}, 1000);
`;

function startWatchdog(cli: string): void {
  const child = spawn(process.execPath, ["-e", WATCHDOG], {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, OWNER: String(process.pid), CLI: cli, LABEL: OWNER_LABEL },
  });
  child.unref();
}

async function prepare(): Promise<{ image: string; cli: string }> {
  applyEngineEnv();
  if (usesPodmanSocket()) await ensurePodmanService();
  const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
  if (host.startsWith("unix://") && !(await socketAnswers(host.slice("unix://".length)))) {
    throw new Error(`no container engine answers on ${host} (for podman: npx tsx scripts/setup-podman.ts)`);
  }
  const cli = engineCli();
  const image = await resolveEnvoyImage();
  removeStaleContainers(cli);
  startWatchdog(cli);
  return { image, cli };
}

/** The image and CLI the container runtime uses (prepares the engine once). */
export function containerEngine(): Promise<{ image: string; cli: string }> {
  if (!prepared) {
    prepared = prepare();
    prepared.catch(() => (prepared = undefined)); // let a later start retry
  }
  return prepared;
}

type Testcontainers = typeof import("testcontainers");
type RuntimeClient = Awaited<ReturnType<Testcontainers["getContainerRuntimeClient"]>>;

/**
 * Streams the container's stdout/stderr into onData from before it starts.
 * Attaching is live; the logs endpoint (withLogConsumer) lags ~250 ms behind
 * on podman, long enough for a test to assert health before a trap shows up.
 * `done` resolves when the stream ends (the container exited).
 */
async function attachOutput(client: RuntimeClient, id: string, onData: (s: string) => void): Promise<{ done: Promise<void> }> {
  const raw = (await client.container.getById(id).attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream & {
    socket?: { unref(): void };
  };
  raw.socket?.unref(); // an Envoy left running must not keep the test process alive
  const out = new PassThrough();
  client.container.dockerode.modem.demuxStream(raw, out, out);
  out.on("data", (b: Buffer) => onData(b.toString("utf8")));
  const done = new Promise<void>((resolve) => {
    raw.on("end", resolve);
    raw.on("close", resolve);
    raw.on("error", () => resolve());
  });
  return { done };
}

export async function startContainer(launch: Launch): Promise<RunningEnvoy> {
  const { image, cli } = await containerEngine();
  const { GenericContainer, getContainerRuntimeClient } = await import("testcontainers");
  const client = await getContainerRuntimeClient();
  const name = `${CONTAINER_PREFIX}${process.pid}-${++counter}`;
  const runDir = dirname(launch.configPath);
  const removeNow = () => spawnSync(cli, ["rm", "-f", name], { stdio: "ignore" });

  const log = createWriteStream(launch.logPath);
  const onData = (s: string) => {
    log.write(s);
    launch.onOutput(s);
    if (launch.echo) process.stderr.write(s);
  };
  let outputDone: Promise<void> = Promise.resolve();

  class EnvoyContainer extends GenericContainer {
    protected override async containerCreated(id: string): Promise<void> {
      outputDone = (await attachOutput(client, id, onData)).done;
    }
  }

  let started;
  try {
    started = await new EnvoyContainer(image)
      .withName(name)
      .withLabels({ [OWNER_LABEL]: String(process.pid) })
      .withNetworkMode("host")
      .withBindMounts([
        { source: ROOT, target: ROOT, mode: "ro" },
        { source: runDir, target: runDir, mode: "rw" },
      ])
      .withEntrypoint(["/usr/local/bin/envoy"])
      .withCommand(launch.args)
      .start();
  } catch (e) {
    removeNow();
    log.end();
    throw new Error(`could not start Envoy container ${name} from ${image}: ${(e as Error).message}`);
  }

  // Resolves once the output is drained too, so an Envoy refusing its config
  // is reported with its last words.
  const exited: Promise<number | null> = client.container
    .getById(started.getId())
    .wait()
    .then(
      (r: { StatusCode?: number }) => r.StatusCode ?? null,
      () => null,
    )
    .then(async (code) => {
      await Promise.race([outputDone, new Promise((r) => setTimeout(r, OUTPUT_DRAIN_MS))]);
      log.end();
      return code;
    });

  let stopped = false;
  return {
    exited,
    kill: () => {
      stopped = true;
      removeNow();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await started.stop({ timeout: STOP_TIMEOUT_MS, remove: true });
      } catch {
        removeNow();
      }
      await exited;
    },
  };
}
