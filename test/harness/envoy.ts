// Starts a real Envoy with a config from envoy/, for e2e tests, the demo and
// benchmarks. Native process by default; ENVOY_RUNTIME=container (or
// `runtime: "container"`) runs the same config in a container instead.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TMP } from "../../scripts/lib/paths.ts";
import { asBundle, completeVars, readTemplate, render, type Vars, type WasmForm, wasmFormFromEnv } from "./template.ts";
import { startNative } from "./native.ts";

export type Runtime = "native" | "container";

export interface EnvoyOptions {
  /** Template path, relative to the repository root (e.g. "envoy/gateway.yaml"). */
  config: string;
  vars?: Vars;
  /** Worker threads (--concurrency); default 1. */
  concurrency?: number;
  /** Envoy log level; default info (wasm logs at debug need "debug"). */
  logLevel?: string;
  /** Extra component levels, e.g. "wasm:debug". */
  componentLogLevel?: string;
  /** Names the run directory under .tmp/envoy/. */
  name?: string;
  runtime?: Runtime;
  /** Milliseconds to wait for admin readiness; default 60 s. */
  readyTimeoutMs?: number;
  /** Print Envoy's output to this process's stderr as it comes. */
  echo?: boolean;
  /** More Envoy command-line arguments (e.g. ["--file-flush-interval-msec", "250"]). */
  extraArgs?: string[];
  /** The filters' own modules, or the one-VM bundle (default: AI_GATEWAY_WASM, else modules). */
  wasmForm?: WasmForm;
}

/** A started Envoy process (or container) as the runtime sees it. */
export interface RunningEnvoy {
  /** OS process id of Envoy itself (native runtime only). */
  pid?: number;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
  kill(): void;
}

export interface Launch {
  configPath: string;
  args: string[];
  logPath: string;
  onOutput: (chunk: string) => void;
  echo: boolean;
}

/** Log lines that mean a Wasm VM crashed or a filter trapped. */
export const CRASH_PATTERNS = [
  /Function: proxy_on_\w+ failed/,
  /filter abort:/,
  /Wasm VM failed/i,
  /wasm vm crashed/i,
  /Uncaught RuntimeError/,
  /Failed to load Wasm module/i,
];

const running = new Set<RunningEnvoy>();
process.on("exit", () => {
  for (const e of running) e.kill();
});

let runCounter = 0;

export class Envoy {
  private output = "";
  private constructor(
    readonly vars: Vars,
    readonly dir: string,
    private readonly proc: RunningEnvoy,
  ) {}

  static async start(opts: EnvoyOptions): Promise<Envoy> {
    const template = readTemplate(opts.config);
    const filled = await completeVars(template, opts.vars ?? {});
    const name = opts.name ?? opts.config.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
    const dir = join(TMP, "envoy", `${name}-${process.pid}-${++runCounter}`);
    mkdirSync(dir, { recursive: true });
    const configPath = join(dir, "envoy.yaml");
    const rendered = render(template, filled);
    writeFileSync(configPath, (opts.wasmForm ?? wasmFormFromEnv()) === "bundle" ? asBundle(rendered) : rendered);
    if (filled.ADMIN_PORT === undefined) throw new Error(`${opts.config} has no \${ADMIN_PORT}: the harness needs the admin endpoint`);

    const args = [
      "-c", configPath,
      "--concurrency", String(opts.concurrency ?? 1),
      "--log-level", opts.logLevel ?? "info",
      "--disable-hot-restart",
      "--drain-time-s", "1",
    ];
    if (opts.componentLogLevel) args.push("--component-log-level", opts.componentLogLevel);
    if (opts.extraArgs) args.push(...opts.extraArgs);

    const holder: { envoy?: Envoy } = {};
    const launch: Launch = {
      configPath,
      args,
      logPath: join(dir, "envoy.log"),
      echo: opts.echo ?? false,
      onOutput: (chunk) => {
        if (holder.envoy) holder.envoy.output += chunk;
        else early += chunk;
      },
    };
    let early = "";
    const runtime = opts.runtime ?? (process.env.ENVOY_RUNTIME as Runtime | undefined) ?? "native";
    const proc = runtime === "container"
      ? await (await import("./container.ts")).startContainer(launch)
      : await startNative(launch);
    running.add(proc);
    const envoy = new Envoy(filled, dir, proc);
    envoy.output = early;
    holder.envoy = envoy;
    try {
      await envoy.waitReady(opts.readyTimeoutMs ?? 60_000);
    } catch (e) {
      await envoy.stop();
      throw e;
    }
    return envoy;
  }

  /** OS process id of Envoy (native runtime); undefined in a container. */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  port(name: string): number {
    const v = this.vars[name];
    if (v === undefined) throw new Error(`no variable ${name} in this Envoy's config`);
    return Number(v);
  }

  url(path = "/", portVar = "LISTENER_PORT"): string {
    return `http://127.0.0.1:${this.port(portVar)}${path}`;
  }

  adminUrl(path = "/"): string {
    return `http://127.0.0.1:${this.port("ADMIN_PORT")}${path}`;
  }

  logs(): string {
    return this.output;
  }

  /** Log lines showing a VM crash or a filter trap. */
  crashes(): string[] {
    return this.output.split("\n").filter((l) => CRASH_PATTERNS.some((p) => p.test(l)));
  }

  /** Throws when a Wasm VM crashed or a filter trapped since start. */
  assertHealthy(): void {
    const lines = this.crashes();
    if (lines.length) throw new Error(`Envoy reported a Wasm crash/trap:\n${lines.slice(0, 10).join("\n")}`);
  }

  /** Counters and gauges whose names match `filter` (a regex, as /stats?filter= takes). */
  async stats(filter = ""): Promise<Record<string, number>> {
    const res = await fetch(this.adminUrl(`/stats?filter=${encodeURIComponent(filter)}`));
    const text = await res.text();
    const out: Record<string, number> = {};
    for (const line of text.split("\n")) {
      const m = /^(\S+): (-?\d+)$/.exec(line);
      if (m) out[m[1]] = Number(m[2]);
    }
    return out;
  }

  async stat(name: string): Promise<number | undefined> {
    const all = await this.stats(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
    return all[name];
  }

  async prometheus(): Promise<string> {
    return (await fetch(this.adminUrl("/stats/prometheus"))).text();
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    this.proc.exited.then((c) => (exitCode = c));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) {
        throw new Error(`Envoy exited with code ${exitCode} before it was ready:\n${this.tail()}`);
      }
      try {
        const res = await fetch(this.adminUrl("/ready"), { signal: AbortSignal.timeout(1000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Envoy was not ready after ${timeoutMs} ms:\n${this.tail()}`);
  }

  tail(lines = 40): string {
    return this.output.split("\n").slice(-lines).join("\n");
  }

  async stop(): Promise<void> {
    running.delete(this.proc);
    await this.proc.stop();
  }
}

export function startEnvoy(opts: EnvoyOptions): Promise<Envoy> {
  return Envoy.start(opts);
}
