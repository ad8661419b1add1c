// Starts the demo LLM upstream (test/upstreams/llm.ts) in a child Node
// process and hands back its port and pid.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "upstream-process.ts");

export interface UpstreamProcess {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export function startUpstreamProcess(timeoutMs = 30_000): Promise<UpstreamProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], { stdio: ["ignore", "pipe", "pipe"] });
    const kill = () => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL");
    process.once("exit", kill);
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`the LLM upstream did not start within ${timeoutMs} ms:\n${err}`));
    }, timeoutMs);
    child.stderr.on("data", (b: Buffer) => (err = (err + b.toString("utf8")).slice(-4000)));
    let started = false;
    child.stdout.on("data", (b: Buffer) => {
      if (started) return;
      out += b.toString("utf8");
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      started = true;
      clearTimeout(timer);
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      resolve({
        port: (JSON.parse(line) as { port: number }).port,
        pid: child.pid!,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill("SIGTERM");
          const force = setTimeout(kill, 3000);
          await exited;
          clearTimeout(force);
          process.removeListener("exit", kill);
        },
      });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the LLM upstream exited with ${code} before listening:\n${err}`));
    });
  });
}
