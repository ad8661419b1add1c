// An OpenAI- and Anthropic-compatible mock LLM server for the demo, e2e tests
// and benchmarks. Deterministic: the same request gets the same bytes back.
// Endpoints, knobs (x-mock-* headers) and the tokenizer: test/upstreams/README.md.
//
//   npx tsx test/upstreams/llm.ts [--port 10001] [--host 127.0.0.1] [--name demo-base] [--models a,b] [--strict-models]
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";
import { chatCompletions } from "./llm/chat.ts";
import { embeddings } from "./llm/embeddings.ts";
import { errorBody, type ErrorStyle } from "./llm/errors.ts";
import type { Exchange, Json } from "./llm/exchange.ts";
import { CREATED } from "./llm/ids.ts";
import { parseKnobs } from "./llm/knobs.ts";
import { messages } from "./llm/messages.ts";
import { Recorder, type RecordedRequest } from "./llm/recorder.ts";
import { Responder } from "./llm/responder.ts";
import { responses } from "./llm/responses.ts";
import { argValue, baseUrl, closeServer, listen, standaloneOptions, stopOnSignal } from "./serve.ts";

export type { RecordedRequest } from "./llm/recorder.ts";
export { countTokens, tokenize } from "./llm/tokenizer.ts";
export { embed } from "./llm/embeddings.ts";

export const DEFAULT_MODELS = ["demo-base", "demo-reasoning"] as const;

export interface LlmUpstreamOptions {
  /** 0 or unset: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Sent back in x-upstream-name on every response. Default "llm". */
  name?: string;
  /** Listed by GET /v1/models. Default demo-base, demo-reasoning. */
  models?: readonly string[];
  /** Answer 404 model_not_found for a model not in `models` (default: any model is served). */
  strictModels?: boolean;
  /** How many recent requests /__mock/requests keeps. Default 1000. */
  maxRecorded?: number;
}

export interface LlmUpstream {
  name: string;
  port: number;
  /** http://127.0.0.1:<port> (no trailing slash). */
  url: string;
  /** Requests received so far (oldest first), /__mock/* excluded. */
  requests(): RecordedRequest[];
  clearRequests(): void;
  close(): Promise<void>;
}

type Handler = (x: Exchange) => Promise<void>;

const POST_ROUTES: Record<string, { handler: Handler; style: ErrorStyle }> = {
  "/v1/chat/completions": { handler: chatCompletions, style: "openai" },
  "/v1/responses": { handler: responses, style: "openai" },
  "/v1/messages": { handler: messages, style: "anthropic" },
  "/v1/embeddings": { handler: embeddings, style: "openai" },
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  res.writeHead(status, { "content-type": "application/json", "content-length": String(bytes.length) });
  res.end(bytes);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function modelObject(id: string) {
  return { id, object: "model", created: CREATED, owned_by: "mock" };
}

class LlmServer {
  readonly recorder: Recorder;
  readonly models: readonly string[];

  constructor(
    readonly name: string,
    private readonly opts: LlmUpstreamOptions,
  ) {
    this.recorder = new Recorder(opts.maxRecorded ?? 1000);
    this.models = opts.models ?? DEFAULT_MODELS;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader("x-upstream-name", this.name);
    const raw = await readBody(req);
    const url = req.url ?? "/";
    const path = url.split("?")[0];
    const method = req.method ?? "GET";
    if (path.startsWith("/__mock/")) return this.control(method, path, res);
    this.recorder.add({ method, path: url, headers: req.headers, body: raw.toString("utf8") });

    if (method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, { object: "list", data: this.models.map(modelObject) });
    }
    if (method === "GET" && path.startsWith("/v1/models/")) {
      const id = decodeURIComponent(path.slice("/v1/models/".length));
      if (this.models.includes(id)) return sendJson(res, 200, modelObject(id));
      return sendJson(res, 404, errorBody("openai", 404, { message: `The model \`${id}\` does not exist`, param: "model", code: "model_not_found" }));
    }
    const route = POST_ROUTES[path];
    if (!route) return sendJson(res, 404, errorBody("openai", 404, { message: `Unknown path ${path}` }));
    if (method !== "POST") return sendJson(res, 405, errorBody(route.style, 405, { message: `${method} is not allowed on ${path}` }));

    const parsed = parseKnobs(req.headers);
    if ("error" in parsed) return sendJson(res, 400, errorBody(route.style, 400, { message: parsed.error }));
    const out = new Responder(res, parsed.knobs);
    await out.delay();
    if (parsed.knobs.status !== undefined) {
      const status = parsed.knobs.status;
      const headers: Record<string, string> = status === 429 ? { "retry-after": "1" } : {};
      return out.json(status, errorBody(route.style, status, { message: `mock error ${status} (x-mock-status)` }), headers);
    }
    const text = raw.toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return out.json(400, errorBody(route.style, 400, { message: "the request body is not valid JSON" }));
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return out.json(400, errorBody(route.style, 400, { message: "the request body must be a JSON object" }));
    }
    return route.handler({
      path,
      raw: text,
      body: body as Json,
      knobs: parsed.knobs,
      out,
      models: this.models,
      strictModels: this.opts.strictModels ?? false,
    });
  }

  private control(method: string, path: string, res: ServerResponse): void {
    if (path === "/__mock/requests" && method === "GET") return sendJson(res, 200, this.recorder.list());
    if (path === "/__mock/requests" && method === "DELETE") {
      this.recorder.clear();
      res.writeHead(204).end();
      return;
    }
    if (path === "/__mock/health") return sendJson(res, 200, { status: "ok", name: this.name });
    sendJson(res, 404, errorBody("openai", 404, { message: `Unknown path ${path}` }));
  }
}

export async function startLlmUpstream(opts: LlmUpstreamOptions = {}): Promise<LlmUpstream> {
  const name = opts.name ?? "llm";
  const llm = new LlmServer(name, opts);
  const server = createServer((req, res) => {
    llm.handle(req, res).catch((e: Error) => {
      if (!res.headersSent) sendJson(res, 500, errorBody("openai", 500, { message: `mock upstream failed: ${e.message}` }));
      else res.destroy();
    });
  });
  const host = opts.host ?? "127.0.0.1";
  const port = await listen(server, opts.port ?? 0, host);
  return {
    name,
    port,
    url: baseUrl(host, port),
    requests: () => llm.recorder.list(),
    clearRequests: () => llm.recorder.clear(),
    close: () => closeServer(server),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const models = argValue(args, "--models");
  const upstream = await startLlmUpstream({
    ...standaloneOptions(args),
    models: models ? models.split(",").map((m) => m.trim()).filter(Boolean) : undefined,
    strictModels: args.includes("--strict-models"),
  });
  console.log(`LLM upstream "${upstream.name}" listening on ${upstream.url}`);
  stopOnSignal(upstream.close);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: Error) => {
    console.error(`LLM upstream failed to start: ${e.message}`);
    process.exit(1);
  });
}
