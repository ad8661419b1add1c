// Runs the demo as containers from envoy/docker-compose.yaml through
// testcontainers' DockerComposeEnvironment, which runs the README's command
// `docker compose -f envoy/docker-compose.yaml up` (plus -p <project>, -d
// and --build) with the environment scripts/setup-compose.ts provides: the
// engine (podman where there is no Docker), the compose plugin and the local
// images where the official ones cannot be pulled. The host ports are free
// ones (GATEWAY_PORT, ADMIN_PORT), published on 127.0.0.1 only.
// Projects are named aigw-compose-<pid>-...: the next start takes down the
// projects of processes that died without doing so.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD, ENVOY_DIR } from "../../scripts/lib/paths.ts";
import { COMPOSE_CONFIG, CONTAINER_WASM_DIR } from "../../scripts/render-compose.ts";
import { composeEnvironment } from "../../scripts/setup-compose.ts";
import { processAlive } from "../../scripts/setup-podman.ts";
import { bundleUpstreams } from "../../scripts/upstreams-bundle.ts";
import { freePort } from "./ports.ts";

export const COMPOSE_FILE = join(ENVOY_DIR, "docker-compose.yaml");
const PROJECT_PREFIX = "aigw-compose-";
const PROJECT_LABEL = "com.docker.compose.project";

let counter = 0;

export interface ComposeRun {
  /** The docker CLI and the environment every `docker compose` call of this run gets. */
  docker: string;
  env: Record<string, string>;
  project: string;
}

export interface ComposeContainer {
  service: string;
  image: string;
  state: string;
  /** Published ports as "hostIp:hostPort->containerPort". */
  ports: string[];
}

export interface ComposeDemo extends ComposeRun {
  ports: { gateway: number; admin: number };
  url(path: string): string;
  adminUrl(path: string): string;
  /** Output of a service's container. */
  logs(service: string): string;
  /** `docker compose down`; idempotent. */
  down(): Promise<void>;
}

function docker(run: Pick<ComposeRun, "docker" | "env">, args: string[]): string {
  const r = spawnSync(run.docker, args, { encoding: "utf8", env: { ...process.env, ...run.env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`docker ${args.join(" ")} failed (exit ${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Containers (running or not) of a compose project. */
export function projectContainers(run: ComposeRun): ComposeContainer[] {
  const ids = docker(run, ["ps", "-aq", "--filter", `label=${PROJECT_LABEL}=${run.project}`]).split(/\s+/).filter(Boolean);
  if (!ids.length) return [];
  const inspected = JSON.parse(docker(run, ["inspect", ...ids])) as {
    Config: { Image: string; Labels: Record<string, string> };
    State: { Status: string };
    HostConfig: { PortBindings?: Record<string, { HostIp: string; HostPort: string }[] | null> };
  }[];
  return inspected.map((c) => ({
    service: c.Config.Labels["com.docker.compose.service"],
    image: c.Config.Image,
    state: c.State.Status,
    ports: Object.entries(c.HostConfig.PortBindings ?? {}).flatMap(([port, bindings]) =>
      (bindings ?? []).map((b) => `${b.HostIp}:${b.HostPort}->${port}`),
    ),
  }));
}

/** Takes down the aigw-compose-* projects whose process is gone. */
function downStaleProjects(run: Pick<ComposeRun, "docker" | "env">): void {
  const projects = new Set(docker(run, ["ps", "-a", "--filter", `label=${PROJECT_LABEL}`, "--format", `{{.Label "${PROJECT_LABEL}"}}`]).split("\n"));
  for (const project of projects) {
    const pid = new RegExp(`^${PROJECT_PREFIX}(\\d+)-`).exec(project.trim())?.[1];
    if (pid && !processAlive(Number(pid))) docker(run, ["compose", "-p", project.trim(), "down", "--volumes", "--timeout", "0"]);
  }
}

/** The environment for a compose run: engine, plugin, images, the upstreams' bundle, the built filters. */
export async function prepareCompose(): Promise<Omit<ComposeRun, "project">> {
  // the modules the compose config loads from build/ (mounted at CONTAINER_WASM_DIR)
  const loaded = [...readFileSync(COMPOSE_CONFIG, "utf8").matchAll(new RegExp(`${CONTAINER_WASM_DIR}/([\\w.-]+\\.wasm)`, "g"))].map((m) => m[1]);
  const missing = [...new Set(loaded)].filter((f) => !existsSync(join(BUILD, f)));
  if (missing.length) throw new Error(`build/ lacks ${missing.join(", ")}: run npm run build`);
  await bundleUpstreams();
  const run = await composeEnvironment();
  downStaleProjects(run);
  return run;
}

/** Brings the demo up with `docker compose up`; fails (leaving nothing behind) when a service does not come up. */
export async function startComposeDemo(
  prepared: Omit<ComposeRun, "project">,
  opts: { project?: string; ports?: { gateway?: number; admin?: number } } = {},
): Promise<ComposeDemo> {
  const { DockerComposeEnvironment, Wait } = await import("testcontainers");
  const project = opts.project ?? `${PROJECT_PREFIX}${process.pid}-${++counter}`;
  const ports = { gateway: opts.ports?.gateway ?? (await freePort()), admin: opts.ports?.admin ?? (await freePort()) };
  const run: ComposeRun = { ...prepared, project };
  const started = await new DockerComposeEnvironment(ENVOY_DIR, "docker-compose.yaml")
    .withProjectName(project)
    .withBuild()
    .withEnvironment({ ...prepared.env, GATEWAY_PORT: String(ports.gateway), ADMIN_PORT: String(ports.admin) })
    .withClientOptions({ executable: { executablePath: prepared.docker } })
    .withWaitStrategy("envoy-1", Wait.forHttp("/ready", 9901).forStatusCode(200))
    .withWaitStrategy("llm-1", Wait.forLogMessage(/listening on/))
    .withWaitStrategy("llm-alt-1", Wait.forLogMessage(/listening on/))
    .withWaitStrategy("mcp-1", Wait.forLogMessage(/listening on/))
    .withStartupTimeout(120_000)
    .up();
  let downed: Promise<void> | undefined;
  return {
    ...run,
    ports,
    url: (path) => `http://127.0.0.1:${ports.gateway}${path}`,
    adminUrl: (path) => `http://127.0.0.1:${ports.admin}${path}`,
    logs: (service) => {
      const r = spawnSync(run.docker, ["logs", `${project}-${service}-1`], { encoding: "utf8", env: { ...process.env, ...run.env }, maxBuffer: 64 << 20 });
      return r.stdout + r.stderr;
    },
    down: () => (downed ??= started.down({ timeout: 5000 }).then(() => undefined)),
  };
}
