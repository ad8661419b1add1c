// Starts scripts/router/minilm/server.py: a local OpenAI-compatible
// /v1/embeddings backed by all-MiniLM-L6-v2 (installed into .tools/minilm by
// its setup.sh on first use; .ci/run installs it up front).
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../scripts/lib/paths.ts";
import { freePort } from "../harness/ports.ts";

const DIR = join(ROOT, "scripts", "router", "minilm");
const TOOLS = join(ROOT, ".tools", "minilm");

export interface EmbeddingServer {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Installs the model and its Python packages into .tools/minilm when they are not there. */
export function ensureInstalled(): void {
  if (existsSync(join(TOOLS, "model", "model.safetensors")) && existsSync(join(TOOLS, "lib", "numpy"))) return;
  execFileSync("bash", [join(DIR, "setup.sh")], { stdio: "inherit" });
}

export async function startEmbeddingServer(): Promise<EmbeddingServer> {
  ensureInstalled();
  const port = await freePort();
  const child = spawn("python3", [join(DIR, "server.py"), "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, PYTHONPATH: join(TOOLS, "lib") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`embedding server not listening after 60 s:\n${output}`)), 60_000);
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`embedding server exited (${code}):\n${output}`));
    });
  });
  process.once("exit", () => child.exitCode === null && child.kill("SIGKILL"));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
