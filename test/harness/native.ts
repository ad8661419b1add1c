// Runs Envoy as a native child process.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { ensureEnvoy } from "../../scripts/setup-envoy.ts";
import type { Launch, RunningEnvoy } from "./envoy.ts";

export async function startNative(launch: Launch): Promise<RunningEnvoy> {
  const bin = await ensureEnvoy();
  const child = spawn(bin, launch.args, { stdio: ["ignore", "pipe", "pipe"] });
  const log = createWriteStream(launch.logPath);
  const onData = (b: Buffer) => {
    const s = b.toString("utf8");
    log.write(s);
    launch.onOutput(s);
    if (launch.echo) process.stderr.write(s);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      log.end();
      resolve(code);
    });
    child.once("error", (e) => {
      launch.onOutput(`failed to start ${bin}: ${e.message}\n`);
      resolve(-1);
    });
  });
  return {
    pid: child.pid,
    exited,
    kill: () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
