// Runs Redis and the rate limit service as child processes on loopback
// ports, for the fleet e2e test and for trying fleet mode by hand.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, isListening } from "../../test/harness/ports.ts";
import { TMP } from "../lib/paths.ts";
import { ensureRatelimitService, ensureRedis } from "./setup.ts";

export interface Service {
  port: number;
  output(): string;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

async function waitListening(port: number, child: ChildProcess, output: () => string, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output()}`);
    if (await isListening(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${port}:\n${output()}`);
}

function supervise(child: ChildProcess, port: number): Service {
  let out = "";
  child.stdout?.on("data", (b: Buffer) => (out += b));
  child.stderr?.on("data", (b: Buffer) => (out += b));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  process.once("exit", () => child.exitCode === null && child.kill("SIGKILL"));
  return { port, output: () => out, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") };
}

export async function startRedis(): Promise<Service> {
  const port = await freePort();
  const child = spawn(ensureRedis(), ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  const s = supervise(child, port);
  await waitListening(port, child, s.output, "redis-server");
  return s;
}

/** Starts envoyproxy/ratelimit with one configuration file (YAML text), counting in the Redis at `redisPort`. */
export async function startRatelimit(opts: { redisPort: number; configYaml: string; name?: string }): Promise<Service> {
  const [port, grpcPort, debugPort] = [await freePort(), await freePort(), await freePort()];
  const root = join(TMP, "ratelimit", `${opts.name ?? "service"}-${process.pid}-${port}`);
  mkdirSync(join(root, "ratelimit", "config"), { recursive: true });
  writeFileSync(join(root, "ratelimit", "config", "tokens.yaml"), opts.configYaml);
  const env = {
    PATH: process.env.PATH ?? "",
    HOST: "127.0.0.1",
    PORT: String(port),
    GRPC_HOST: "127.0.0.1",
    GRPC_PORT: String(grpcPort),
    DEBUG_HOST: "127.0.0.1",
    DEBUG_PORT: String(debugPort),
    USE_STATSD: "false",
    LOG_LEVEL: "warn",
    BACKEND_TYPE: "redis",
    REDIS_SOCKET_TYPE: "tcp",
    REDIS_URL: `127.0.0.1:${opts.redisPort}`,
    RUNTIME_ROOT: root,
    RUNTIME_SUBDIRECTORY: "ratelimit",
    RUNTIME_WATCH_ROOT: "false",
    RUNTIME_IGNOREDOTFILES: "true",
  };
  const child = spawn(ensureRatelimitService(), [], { stdio: ["ignore", "pipe", "pipe"], env });
  const s = supervise(child, port);
  await waitListening(port, child, s.output, "ratelimit service");
  return s;
}
