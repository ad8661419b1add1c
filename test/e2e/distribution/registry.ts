// Debian's docker-registry (distribution v2) on a loopback port, with a temp
// config: anonymous, htpasswd (Basic) or token (Bearer) authentication.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TMP } from "../../../scripts/lib/paths.ts";
import { freePort } from "../../harness/ports.ts";
import { ensureCommands } from "./tools.ts";

export type RegistryAuth =
  | { kind: "none" }
  | { kind: "basic"; username: string; password: string }
  | { kind: "token"; realm: string; service: string; issuer: string; certPath: string };

export interface Registry {
  port: number;
  /** host:port, as image references and skopeo want it. */
  host: string;
  url: string;
  dir: string;
  stop(): Promise<void>;
  logs(): string;
}

function authSection(auth: RegistryAuth, dir: string): string {
  if (auth.kind === "basic") {
    const line = execFileSync("htpasswd", ["-Bbn", auth.username, auth.password], { encoding: "utf8" }).trim();
    writeFileSync(join(dir, "htpasswd"), line + "\n");
    return `auth:\n  htpasswd:\n    realm: test-registry\n    path: ${join(dir, "htpasswd")}\n`;
  }
  if (auth.kind === "token") {
    return `auth:\n  token:\n    realm: ${auth.realm}\n    service: ${auth.service}\n    issuer: ${auth.issuer}\n    rootcertbundle: ${auth.certPath}\n`;
  }
  return "";
}

export async function startRegistry(auth: RegistryAuth = { kind: "none" }): Promise<Registry> {
  ensureCommands();
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(join(TMP, "registry-"));
  const port = await freePort();
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    `version: 0.1
log:
  level: warn
  accesslog: {disabled: true}
storage:
  filesystem: {rootdirectory: ${join(dir, "data")}}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:${port}
  secret: test-only-secret
${authSection(auth, dir)}`,
  );
  let output = "";
  const child: ChildProcess = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (b: Buffer) => (output += b));
  child.stderr?.on("data", (b: Buffer) => (output += b));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const spawnError = new Promise<never>((_, reject) =>
    child.on("error", (e) => reject(new Error(`cannot start docker-registry (apt-get install docker-registry): ${e.message}`))),
  );
  const stop = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${output}`);
      try {
        const res = await fetch(`${url}/v2/`);
        if (res.status === 200 || res.status === 401) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`docker-registry not ready on ${port}:\n${output}`);
  })();
  try {
    await Promise.race([ready, spawnError]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, host: `127.0.0.1:${port}`, url, dir, stop, logs: () => output };
}
