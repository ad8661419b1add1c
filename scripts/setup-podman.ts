// Makes a container engine usable for the container test path, on machines
// without a Docker engine (Debian + podman as root):
//   1. installs podman and runc with apt-get when missing;
//   2. writes /etc/containers/containers.conf (runc, cgroupfs, lowered default
//      ulimits) unless it already says so;
//   3. starts `podman system service` on PODMAN_SOCKET unless it answers;
//   4. removes harness containers left behind by test processes that died.
// Idempotent: `npx tsx scripts/setup-podman.ts` is quiet and fast when done.
// Also the one place that decides which engine (socket, CLI) the harness uses.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { request } from "node:http";
import { dirname } from "node:path";

export const PODMAN_SOCKET = "/tmp/podman.sock";
const PODMAN_HOST = `unix://${PODMAN_SOCKET}`;
const DOCKER_SOCKET = "/var/run/docker.sock";
const CONTAINERS_CONF = "/etc/containers/containers.conf";
const SERVICE_LOG = "/tmp/podman-service.log";

/** Label every harness container carries; its value is the owning process id. */
export const OWNER_LABEL = "aigw.harness.owner";

const CONF_TEXT = `# Written by scripts/setup-podman.ts (podman as root on hosts without systemd).
# crun fails on this kernel's cgroups, and default ulimits above the hard
# limit are refused, so both are set explicitly.
[containers]
default_ulimits = ["nofile=10000:10000", "nproc=1000:1000"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
`;

type Log = (s: string) => void;
const stderrLog: Log = (s) => console.error(s);

/**
 * Fills the environment testcontainers reads, when not set: the podman
 * socket (unless a Docker socket exists), no Ryuk (nothing to pull it from),
 * and 127.0.0.1 as the host containers are reached on.
 */
export function applyEngineEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.DOCKER_HOST && !existsSync(DOCKER_SOCKET)) env.DOCKER_HOST = PODMAN_HOST;
  env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
}

export function usesPodmanSocket(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DOCKER_HOST === PODMAN_HOST;
}

function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/**
 * The CLI matching the engine the harness talks to: CONTAINER_CLI when set,
 * podman for a podman socket (or when there is no docker CLI), else docker.
 */
export function engineCli(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CONTAINER_CLI) return env.CONTAINER_CLI;
  if ((env.DOCKER_HOST ?? "").includes("podman") || !hasCommand("docker")) return "podman";
  return "docker";
}

/** True when a Docker-compatible API answers /_ping on the unix socket. */
export function socketAnswers(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: "/_ping", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

function ensurePackages(log: Log): void {
  const missing = ["podman", "runc"].filter((p) => spawnSync("dpkg", ["-s", p], { stdio: "ignore" }).status !== 0);
  if (!missing.length) return;
  if (process.getuid?.() !== 0) throw new Error(`${missing.join(", ")} not installed, and installing needs root`);
  log(`apt-get install ${missing.join(" ")} ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", ...missing], { stdio: "inherit", env });
}

function confIsGood(text: string): boolean {
  return (
    /^\s*runtime\s*=\s*"runc"/m.test(text) &&
    /^\s*cgroup_manager\s*=\s*"cgroupfs"/m.test(text) &&
    /^\s*default_ulimits\s*=.*nofile=10000:10000/m.test(text)
  );
}

function ensureConf(log: Log): void {
  const current = existsSync(CONTAINERS_CONF) ? readFileSync(CONTAINERS_CONF, "utf8") : null;
  if (current !== null && confIsGood(current)) return;
  if (current !== null) {
    const backup = `${CONTAINERS_CONF}.orig`;
    if (!existsSync(backup)) copyFileSync(CONTAINERS_CONF, backup);
    log(`replacing ${CONTAINERS_CONF} (previous one kept as ${backup})`);
  }
  mkdirSync(dirname(CONTAINERS_CONF), { recursive: true });
  writeFileSync(CONTAINERS_CONF, CONF_TEXT);
}

/** Starts the podman API service on PODMAN_SOCKET unless it already answers. */
export async function ensurePodmanService(log: Log = stderrLog): Promise<void> {
  if (await socketAnswers(PODMAN_SOCKET)) return;
  if (!hasCommand("podman")) throw new Error("podman is not installed: run `npx tsx scripts/setup-podman.ts`");
  rmSync(PODMAN_SOCKET, { force: true }); // a socket file nobody answers on
  log(`starting podman system service on ${PODMAN_HOST} (log: ${SERVICE_LOG})`);
  const out = openSync(SERVICE_LOG, "a");
  const child = spawn("podman", ["system", "service", "--time=0", PODMAN_HOST], {
    detached: true,
    // The service outlives this checkout: with the checkout as its working
    // directory, removing the checkout breaks every container it starts
    // (conmon: "Failed to get working directory").
    cwd: "/",
    stdio: ["ignore", out, out],
  });
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await socketAnswers(PODMAN_SOCKET, 1000)) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tail = existsSync(SERVICE_LOG) ? readFileSync(SERVICE_LOG, "utf8").split("\n").slice(-15).join("\n") : "";
  throw new Error(`podman system service did not answer on ${PODMAN_SOCKET}:\n${tail}`);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes harness containers whose owning test process is gone. */
export function removeStaleContainers(cli = engineCli(), log: Log = stderrLog): number {
  // podman's ps template has no .Label function, docker's .Labels is a string
  const owner = cli.endsWith("podman") ? `{{index .Labels "${OWNER_LABEL}"}}` : `{{.Label "${OWNER_LABEL}"}}`;
  const r = spawnSync(cli, ["ps", "-a", "--filter", `label=${OWNER_LABEL}`, "--format", `{{.ID}} ${owner}`], { encoding: "utf8" });
  if (r.status !== 0) return 0;
  const stale = r.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(([id, pid]) => id && !processAlive(Number(pid)))
    .map(([id]) => id);
  if (stale.length) {
    log(`removing ${stale.length} stale harness container(s)`);
    spawnSync(cli, ["rm", "-f", ...stale], { stdio: "ignore" });
  }
  return stale.length;
}

export async function setupPodman(log: Log = stderrLog): Promise<void> {
  ensurePackages(log);
  ensureConf(log);
  await ensurePodmanService(log);
  removeStaleContainers("podman", log);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  setupPodman()
    .then(() => console.log(PODMAN_HOST))
    .catch((e: Error) => {
      console.error(`setup-podman failed: ${e.message}`);
      process.exit(1);
    });
}
