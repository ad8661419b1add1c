// `npm start`: the demo gateway. Builds the filters if needed, starts the mock
// LLM upstreams (clusters llm and llm-alt), the MCP upstream and Envoy with
// envoy/gateway.yaml, prints what to try, and stops everything on Ctrl-C.
//
// Ports (env): GATEWAY_PORT 10000, ADMIN_PORT 9901, LLM_PORT 10001,
// LLM_ALT_PORT 10002, MCP_PORT 10003.
//
// startDemo() is the same stack as a function, for test/e2e/demo.test.ts.
import { createServer } from "node:net";
import { pathToFileURL } from "node:url";
import { build } from "./build.ts";
import { ensureEnvoy } from "./setup-envoy.ts";
import { type Envoy, startEnvoy } from "../test/harness/envoy.ts";
import { freePort } from "../test/harness/ports.ts";
import { type LlmUpstream, startLlmUpstream } from "../test/upstreams/llm.ts";
import { type McpUpstream, startMcpUpstream } from "../test/upstreams/mcp.ts";

export const GATEWAY_CONFIG = "envoy/gateway.yaml";

export interface DemoPorts {
  gateway: number;
  admin: number;
  llm: number;
  llmAlt: number;
  mcp: number;
}

/** API key of the demo's MCP consumer "demo-user" (mcp-auth in envoy/gateway.yaml). */
export const DEMO_MCP_KEY = "demo-mcp-key-0123456789";

export const DEFAULT_PORTS: DemoPorts = { gateway: 10000, admin: 9901, llm: 10001, llmAlt: 10002, mcp: 10003 };

/** The environment variable that overrides each port. */
export const PORT_ENV: Record<keyof DemoPorts, string> = {
  gateway: "GATEWAY_PORT",
  admin: "ADMIN_PORT",
  llm: "LLM_PORT",
  llmAlt: "LLM_ALT_PORT",
  mcp: "MCP_PORT",
};

export interface DemoOptions {
  /** Ports to use; 0 means any free port. Default: DEFAULT_PORTS. */
  ports?: Partial<DemoPorts>;
  /** Print Envoy's output (access log included) to stderr. */
  echo?: boolean;
  /** Envoy log level; default "warn" (the access log is printed at any level). */
  logLevel?: string;
  /** Progress messages; default silent. */
  log?: (line: string) => void;
}

export interface DemoCommand {
  title: string;
  command: string;
}

export interface DemoStack {
  ports: DemoPorts;
  envoy: Envoy;
  llm: LlmUpstream;
  llmAlt: LlmUpstream;
  mcp: McpUpstream;
  /** The curl lines the start script prints. */
  commands: DemoCommand[];
  stop(): Promise<void>;
}

export class PortInUseError extends Error {}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

async function resolvePorts(wanted: DemoPorts): Promise<DemoPorts> {
  const out = { ...wanted };
  const busy: string[] = [];
  for (const key of Object.keys(out) as (keyof DemoPorts)[]) {
    if (out[key] === 0) out[key] = await freePort();
    else if (!(await portIsFree(out[key]))) busy.push(`${out[key]} (${PORT_ENV[key]})`);
  }
  if (busy.length) {
    throw new PortInUseError(
      `port${busy.length > 1 ? "s" : ""} already in use on 127.0.0.1: ${busy.join(", ")}. ` +
        `Stop what uses ${busy.length > 1 ? "them" : "it"}, or choose other ports through the variables named.`,
    );
  }
  return out;
}

/** Shell-quotes a JSON body for a curl -d argument. */
function q(body: unknown): string {
  return `'${JSON.stringify(body).replaceAll("'", "'\\''")}'`;
}

export function demoCommands(p: Pick<DemoPorts, "gateway" | "admin">): DemoCommand[] {
  const gw = `http://127.0.0.1:${p.gateway}`;
  const json = "-H 'content-type: application/json'";
  const chat = { model: "demo-base", messages: [{ role: "user", content: "What does an AI gateway do?" }] };
  return [
    { title: "Chat completion (OpenAI)", command: `curl -s ${gw}/v1/chat/completions ${json} -d ${q(chat)}` },
    {
      title: "Streaming chat completion with usage (SSE)",
      command: `curl -sN ${gw}/v1/chat/completions ${json} -d ${q({ ...chat, stream: true, stream_options: { include_usage: true } })}`,
    },
    {
      title: "Anthropic Messages",
      command:
        `curl -s ${gw}/v1/messages ${json} -H 'anthropic-version: 2023-06-01' -d ` +
        q({ model: "demo-reasoning", max_tokens: 64, messages: [{ role: "user", content: "Explain token rate limits." }] }),
    },
    {
      title: "Semantic routing: model auto, a banking question -> finance model on cluster llm-alt (x-semantic-route: alt)",
      command: `curl -si ${gw}/v1/chat/completions ${json} -d ${q({ model: "auto", messages: [{ role: "user", content: "How do I transfer money to my savings account?" }] })}`,
    },
    {
      title: "Semantic routing: model auto, a hard multi-step question -> reasoning model",
      command: `curl -si ${gw}/v1/chat/completions ${json} -d ${q({ model: "auto", messages: [{ role: "user", content: "Prove step by step that the integral of x^2 from 0 to 1 is 1/3, then compare it with the derivative approach." }] })}`,
    },
    {
      title: "Token budget of an API key (token-ratelimit: x-ratelimit-*-tokens headers)",
      command: `curl -si ${gw}/v1/chat/completions ${json} -H 'authorization: Bearer demo-key' -d ${q(chat)}`,
    },
    {
      title: "MCP without an API key (mcp-auth: 401 pointing at the resource metadata)",
      command: `curl -si ${gw}/mcp ${json} -d ${q({ jsonrpc: "2.0", id: 1, method: "ping" })}`,
    },
    {
      title: "MCP initialize (Streamable HTTP; note the mcp-session-id header)",
      command:
        `curl -si ${gw}/mcp ${json} -H 'accept: application/json, text/event-stream' -H 'x-api-key: ${DEMO_MCP_KEY}' -d ` +
        q({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1.0" } },
        }),
    },
    {
      title: "Personal data masked on the way in (content-audit: the upstream, and so the answer, sees [EMAIL])",
      command: `curl -s ${gw}/v1/chat/completions ${json} -d ${q({ model: "demo-base", messages: [{ role: "user", content: "My email is jane.doe@example.com, can you help?" }] })}`,
    },
    { title: "Envoy stats (requests per cluster)", command: `curl -s 'http://127.0.0.1:${p.admin}/stats?filter=upstream_rq_total'` },
  ];
}

/** Starts the whole demo stack; stop() tears it down (also on failure half-way). */
export async function startDemo(opts: DemoOptions = {}): Promise<DemoStack> {
  const log = opts.log ?? (() => undefined);
  const ports = await resolvePorts({ ...DEFAULT_PORTS, ...opts.ports });
  const started: { close(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
  };
  try {
    log("building filters (skips what is up to date) ...");
    await build({ quiet: true });
    await ensureEnvoy(log);
    const llm = await startLlmUpstream({ port: ports.llm, name: "llm" });
    started.push(llm);
    const llmAlt = await startLlmUpstream({ port: ports.llmAlt, name: "llm-alt" });
    started.push(llmAlt);
    const mcp = await startMcpUpstream({ port: ports.mcp, name: "mcp" });
    started.push(mcp);
    log("starting Envoy ...");
    const envoy = await startEnvoy({
      config: GATEWAY_CONFIG,
      vars: { LISTENER_PORT: ports.gateway, ADMIN_PORT: ports.admin, LLM_PORT: ports.llm, LLM_ALT_PORT: ports.llmAlt, MCP_PORT: ports.mcp },
      name: "demo",
      logLevel: opts.logLevel ?? "warn",
      echo: opts.echo ?? false,
      // The access log is the demo's output: flush it at once, not every 10 s.
      extraArgs: ["--file-flush-interval-msec", "250"],
    });
    started.push({ close: () => envoy.stop() });
    return { ports, envoy, llm, llmAlt, mcp, commands: demoCommands(ports), stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

function portsFromEnv(): DemoPorts {
  const out = { ...DEFAULT_PORTS };
  for (const key of Object.keys(out) as (keyof DemoPorts)[]) {
    const v = process.env[PORT_ENV[key]];
    if (v === undefined || v === "") continue;
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) {
      throw new PortInUseError(`${PORT_ENV[key]}=${v} is not a port number (1-65535)`);
    }
    out[key] = Number(v);
  }
  return out;
}

function banner(stack: DemoStack): string {
  const { ports } = stack;
  const lines = [
    "",
    `AI gateway demo: Envoy on http://127.0.0.1:${ports.gateway} (admin http://127.0.0.1:${ports.admin})`,
    `  /v1/*  -> LLM upstream "llm"      127.0.0.1:${ports.llm}  (header x-semantic-route: alt -> "llm-alt" 127.0.0.1:${ports.llmAlt})`,
    `  /mcp   -> MCP upstream "mcp"      127.0.0.1:${ports.mcp}  (the reference server-everything; x-api-key: ${DEMO_MCP_KEY})`,
    "  models: demo-base, demo-reasoning (mock; test knobs: test/upstreams/README.md)",
    "",
    "Try:",
  ];
  for (const c of stack.commands) lines.push(`  # ${c.title}`, `  ${c.command}`, "");
  lines.push("Access log (JSON) below. Ctrl-C stops everything.", "");
  return lines.join("\n");
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const stack = await startDemo({ ports: portsFromEnv(), echo: true, log: (s) => console.error(s) });
  console.log(banner(stack));
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.error("\nstopping the demo ...");
    await stack.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  const pid = stack.envoy.pid;
  if (pid !== undefined) {
    setInterval(() => {
      if (!stopping && !pidAlive(pid)) {
        console.error(`Envoy exited unexpectedly:\n${stack.envoy.tail()}`);
        void shutdown(1);
      }
    }, 1000).unref();
  }
  await new Promise(() => undefined);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: Error) => {
    console.error(e instanceof PortInUseError ? `npm start: ${e.message}` : `npm start failed: ${e.stack ?? e.message}`);
    process.exit(1);
  });
}
