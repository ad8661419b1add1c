// Provides `docker compose` (v2) for envoy/docker-compose.yaml on machines
// without Docker, against podman's Docker-compatible socket
// (scripts/setup-podman.ts):
//   - the docker CLI: DOCKER_CLI when set, `docker` on PATH, else the one Debian's docker.io
//     package ships, taken out of the .deb into .tools/docker-cli/<version>/
//     (only the CLI: the package's engine is neither installed nor started);
//   - the compose plugin: the user's, when `docker compose version` already
//     works; else built once from its Go module (COMPOSE_MODULE at
//     COMPOSE_VERSION) into .tools/docker-compose/<version>/cli-plugins/,
//     which the CLI finds through DOCKER_CONFIG=.tools/docker-compose/<version>.
// Idempotent and quiet when done.
//   npx tsx scripts/setup-compose.ts         prints the docker CLI and how compose is found
//   npx tsx scripts/setup-compose.ts --env   also builds the local images and prints the
//                                            `export` lines to run the README's compose
//                                            command on this machine
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { goBinary, which } from "./lib/go-install.ts";
import { ROOT, TMP } from "./lib/paths.ts";
import { applyEngineEnv, ensurePodmanService, usesPodmanSocket } from "./setup-podman.ts";

export const COMPOSE_MODULE = "github.com/docker/compose/v2";
/** Pinned: the last v2 release (later releases moved to the module path /v5). */
export const COMPOSE_VERSION = "v2.40.3";
const COMPOSE_DIR = join(ROOT, ".tools", "docker-compose", COMPOSE_VERSION);
export const COMPOSE_PLUGIN = join(COMPOSE_DIR, "cli-plugins", "docker-compose");
const DOCKER_CLI_DIR = join(ROOT, ".tools", "docker-cli");

type Log = (s: string) => void;
const stderrLog: Log = (s) => console.error(s);

export interface Compose {
  /** The docker CLI to run `docker compose` with. */
  docker: string;
  /** Environment the CLI needs to find the plugin (DOCKER_CONFIG), empty when it finds it already. */
  env: Record<string, string>;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
}

/** The docker CLI from Debian's docker.io package, unpacked into .tools/docker-cli/<version>/. */
function debianDockerCli(log: Log): string {
  const installed = existsSync(DOCKER_CLI_DIR) ? readdirSync(DOCKER_CLI_DIR).map((v) => join(DOCKER_CLI_DIR, v, "docker")) : [];
  const found = installed.find((p) => existsSync(p));
  if (found) return found;
  const work = join(TMP, "docker-cli-deb");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  log("docker CLI missing: taking it from Debian's docker.io package (apt-get download) ...");
  if (spawnSync("apt-get", ["download", "docker.io"], { cwd: work, stdio: "ignore" }).status !== 0) {
    if (process.getuid?.() !== 0) throw new Error("no docker CLI, and apt-get download docker.io failed (apt-get update needs root)");
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["download", "docker.io"], { cwd: work });
  }
  const deb = readdirSync(work).find((f) => f.endsWith(".deb"));
  if (!deb) throw new Error("apt-get download docker.io left no .deb");
  const version = /^docker\.io_([^_]+)_/.exec(deb)?.[1] ?? "unknown";
  run("dpkg-deb", ["-x", deb, "root"], { cwd: work });
  const dest = join(DOCKER_CLI_DIR, decodeURIComponent(version), "docker");
  mkdirSync(join(dest, ".."), { recursive: true });
  copyFileSync(join(work, "root", "usr", "bin", "docker"), `${dest}.tmp`);
  chmodSync(`${dest}.tmp`, 0o755);
  renameSync(`${dest}.tmp`, dest);
  rmSync(work, { recursive: true, force: true });
  return dest;
}

/** The docker CLI: DOCKER_CLI, `docker` on PATH, else Debian's (see the top). */
export function ensureDockerCli(log: Log = stderrLog): string {
  const given = process.env.DOCKER_CLI;
  // absolute: compose runs from the compose file's directory
  if (given) return given.includes("/") ? resolve(given) : given;
  return which("docker") ?? debianDockerCli(log);
}

function goToolchain(): string {
  const go = goBinary();
  if (!go) throw new Error(`the Go toolchain is needed to build ${COMPOSE_MODULE} (go build); none on PATH`);
  return go;
}

/** Builds the compose plugin from its module source (go install refuses it: its go.mod has exclude directives). */
export function ensureComposePlugin(log: Log = stderrLog): string {
  if (existsSync(COMPOSE_PLUGIN)) return COMPOSE_PLUGIN;
  const go = goToolchain();
  const started = Date.now();
  log(`building ${COMPOSE_MODULE}@${COMPOSE_VERSION} into ${COMPOSE_DIR} (a few minutes on 2 cores) ...`);
  const env = { ...process.env, GOFLAGS: "-buildvcs=false" };
  mkdirSync(TMP, { recursive: true });
  const info = JSON.parse(execFileSync(go, ["mod", "download", "-json", `${COMPOSE_MODULE}@${COMPOSE_VERSION}`], { cwd: TMP, env, encoding: "utf8" }));
  if (!info.Dir) throw new Error(`go mod download ${COMPOSE_MODULE}@${COMPOSE_VERSION} gave no source directory: ${info.Error ?? ""}`);
  mkdirSync(join(COMPOSE_PLUGIN, ".."), { recursive: true });
  const partial = `${COMPOSE_PLUGIN}.${process.pid}.tmp`;
  const ldflags = `-s -w -X ${COMPOSE_MODULE}/internal.Version=${COMPOSE_VERSION}`;
  run(go, ["build", "-trimpath", "-ldflags", ldflags, "-o", partial, "./cmd"], { cwd: info.Dir, env });
  renameSync(partial, COMPOSE_PLUGIN);
  log(`built the compose plugin in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return COMPOSE_PLUGIN;
}

/** `docker compose version` works with this CLI and environment. */
function composeAnswers(docker: string, env: Record<string, string>): boolean {
  return spawnSync(docker, ["compose", "version"], { stdio: "ignore", env: { ...process.env, ...env } }).status === 0;
}

/** The docker CLI and the environment under which `docker compose` is v2 (see the top). */
export function ensureCompose(log: Log = stderrLog): Compose {
  const docker = ensureDockerCli(log);
  if (composeAnswers(docker, {})) return { docker, env: {} };
  ensureComposePlugin(log);
  const env = { DOCKER_CONFIG: COMPOSE_DIR };
  if (!composeAnswers(docker, env)) throw new Error(`${docker} does not find the compose plugin in ${COMPOSE_DIR}/cli-plugins`);
  return { docker, env };
}

/**
 * Everything `docker compose -f envoy/docker-compose.yaml` needs on this
 * machine besides the command: the engine (DOCKER_HOST; podman started when
 * it is the engine), the plugin, the images when the official ones are
 * missing, and the classic builder on podman (its API has no BuildKit).
 */
export async function composeEnvironment(log: Log = stderrLog): Promise<Compose> {
  applyEngineEnv();
  if (usesPodmanSocket()) await ensurePodmanService(log);
  const { resolveEnvoyImage, resolveNodeImage } = await import("./container-image.ts");
  const compose = ensureCompose(log);
  const env: Record<string, string> = { ...compose.env, ENVOY_IMAGE: await resolveEnvoyImage(log), NODE_IMAGE: await resolveNodeImage(log) };
  if (process.env.DOCKER_HOST) env.DOCKER_HOST = process.env.DOCKER_HOST;
  if (usesPodmanSocket()) env.DOCKER_BUILDKIT = "0";
  return { docker: compose.docker, env };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  (async () => {
    if (process.argv.includes("--env")) {
      const { docker, env } = await composeEnvironment();
      for (const [k, v] of Object.entries(env)) console.log(`export ${k}=${v}`);
      console.log(`# then: ${docker === which("docker") ? "docker" : docker} compose -f envoy/docker-compose.yaml up --build`);
    } else {
      const { docker, env } = ensureCompose();
      console.log(`docker CLI: ${docker}`);
      console.log(`compose: ${env.DOCKER_CONFIG ? `${COMPOSE_PLUGIN} (DOCKER_CONFIG=${env.DOCKER_CONFIG})` : "the CLI's own plugin"}`);
    }
  })().catch((e: Error) => {
    console.error(`setup-compose failed: ${e.message}`);
    process.exit(1);
  });
}
