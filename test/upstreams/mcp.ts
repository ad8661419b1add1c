// The MCP upstream for the demo and e2e tests: the official reference server
// (@modelcontextprotocol/server-everything: tools, resources, prompts,
// completions, logging, tasks) served in-process over Streamable HTTP at /mcp
// on 127.0.0.1, one server instance per session like the package's own
// launcher. Served here instead of through the package's launcher because
// that one listens on every interface, takes its port only from $PORT and
// logs every request to stdout. The same host serves other servers too
// (`server` option), e.g. the conformance suite's fixtures
// (./conformance-server.ts).
//
//   npx tsx test/upstreams/mcp.ts [--port 10003] [--host 127.0.0.1] [--name mcp] [--server everything|conformance]
import { randomUUID } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";
import { StreamableHTTPServerTransport, type StreamableHTTPServerTransportOptions } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { createServer as createEverythingServer } from "@modelcontextprotocol/server-everything/dist/server/index.js";
import { Recorder, type RecordedRequest } from "./llm/recorder.ts";
import { argValue, baseUrl, closeServer, listen, standaloneOptions, stopOnSignal } from "./serve.ts";

/** What an upstream serves: a new server per session, and how its transport is set up. */
export interface McpServerKind {
  create(): { server: { connect(transport: Transport): Promise<void> }; cleanup: (sessionId?: string) => void };
  /** Extra options for each session's transport (e.g. an event store for resumable streams). */
  transportOptions?: () => Partial<StreamableHTTPServerTransportOptions>;
  /** Refuse (403) a Host or Origin that is not localhost, 127.0.0.1 or [::1] (DNS rebinding protection). */
  localhostOnly?: boolean;
}

/** The reference server, @modelcontextprotocol/server-everything. */
export const everythingServer: McpServerKind = { create: createEverythingServer };

export interface McpUpstreamOptions {
  /** Default: everythingServer. */
  server?: McpServerKind;
  /** 0 or unset: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Sent back in x-upstream-name on every response. Default "mcp". */
  name?: string;
  /** How many recent requests /__mock/requests keeps. Default 1000. */
  maxRecorded?: number;
}

export interface McpUpstream {
  name: string;
  port: number;
  /** The MCP endpoint: http://127.0.0.1:<port>/mcp */
  url: string;
  /** Requests received on /mcp so far (oldest first). */
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** Ids of the sessions open now. */
  sessions(): string[];
  close(): Promise<void>;
}

export const MCP_PATH = "/mcp";

interface Session {
  transport: StreamableHTTPServerTransport;
  cleanup: (sessionId?: string) => void;
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null });
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

const LOCAL_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** A Host header naming this machine, with or without a port. */
function isLocalHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  return LOCAL_HOSTNAMES.has(host.replace(/:\d+$/, "").toLowerCase());
}

/** No Origin (not a browser), or a localhost one. */
function isLocalOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return LOCAL_HOSTNAMES.has(new URL(origin).hostname.toLowerCase());
  } catch {
    return false;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

class McpHost {
  readonly sessions = new Map<string, Session>();
  readonly recorder: Recorder;

  constructor(
    readonly name: string,
    maxRecorded: number,
    readonly kind: McpServerKind,
  ) {
    this.recorder = new Recorder(maxRecorded);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader("x-upstream-name", this.name);
    const url = req.url ?? "/";
    const path = url.split("?")[0];
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    if (path === "/__mock/requests") return this.control(method, res);
    if (path === "/__mock/health") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", name: this.name }));
      return;
    }
    if (path !== MCP_PATH) return jsonRpcError(res, 404, -32601, `Unknown path ${path}`);
    if (this.kind.localhostOnly && !(isLocalHost(req.headers.host) && isLocalOrigin(req.headers.origin))) {
      return jsonRpcError(res, 403, -32000, "Forbidden: Host or Origin is not localhost");
    }
    this.recorder.add({ method, path: url, headers: req.headers, body: raw.toString("utf8") });

    let parsed: unknown;
    if (method === "POST") {
      try {
        parsed = JSON.parse(raw.toString("utf8"));
      } catch {
        return jsonRpcError(res, 400, -32700, "Parse error: the body is not JSON");
      }
    }
    const header = req.headers["mcp-session-id"];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId !== undefined) {
      const session = this.sessions.get(sessionId);
      // The spec's answer to an unknown or ended session: 404, so the client starts a new one.
      if (!session) return jsonRpcError(res, 404, -32001, "Session not found");
      return session.transport.handleRequest(req, res, parsed);
    }
    if (method !== "POST") return jsonRpcError(res, 400, -32000, "Bad Request: No valid session ID provided");
    return this.startSession(req, res, parsed);
  }

  /** A request without a session id: a new server instance; its transport refuses anything but initialize. */
  private async startSession(req: IncomingMessage, res: ServerResponse, parsed: unknown): Promise<void> {
    const { server, cleanup } = this.kind.create();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      ...this.kind.transportOptions?.(),
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, cleanup });
      },
      onsessionclosed: (id) => this.end(id),
    });
    transport.onclose = () => {
      if (transport.sessionId) this.end(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, parsed);
  }

  private end(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    s.cleanup(id);
  }

  async closeAll(): Promise<void> {
    for (const [id, s] of [...this.sessions]) {
      this.end(id);
      await s.transport.close().catch(() => undefined);
    }
  }

  private control(method: string, res: ServerResponse): void {
    if (method === "DELETE") {
      this.recorder.clear();
      res.writeHead(204).end();
      return;
    }
    const body = JSON.stringify(this.recorder.list());
    res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }).end(body);
  }
}

export async function startMcpUpstream(opts: McpUpstreamOptions = {}): Promise<McpUpstream> {
  const name = opts.name ?? "mcp";
  const host = new McpHost(name, opts.maxRecorded ?? 1000, opts.server ?? everythingServer);
  const server = createHttpServer((req, res) => {
    host.handle(req, res).catch((e: Error) => {
      if (!res.headersSent) jsonRpcError(res, 500, -32603, `MCP upstream failed: ${e.message}`);
      else res.destroy();
    });
  });
  const address = opts.host ?? "127.0.0.1";
  const port = await listen(server, opts.port ?? 0, address);
  return {
    name,
    port,
    url: `${baseUrl(address, port)}${MCP_PATH}`,
    requests: () => host.recorder.list(),
    clearRequests: () => host.recorder.clear(),
    sessions: () => [...host.sessions.keys()],
    close: async () => {
      await host.closeAll();
      await closeServer(server);
    },
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const kind = argValue(args, "--server") ?? "everything";
  if (kind !== "everything" && kind !== "conformance") throw new Error(`--server ${kind}: expected everything or conformance`);
  const server = kind === "conformance" ? (await import("./conformance-server.ts")).conformanceServer : everythingServer;
  const upstream = await startMcpUpstream({ ...standaloneOptions(args), server });
  console.log(`MCP upstream "${upstream.name}" listening on ${upstream.url}`);
  stopOnSignal(upstream.close);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: Error) => {
    console.error(`MCP upstream failed to start: ${e.message}`);
    process.exit(1);
  });
}
