// A small MCP server for the emulator: answers list requests from a catalog
// with whatever id the request carried (as a server echoes it), keeps every
// response so a GET replays them as a resumed stream would, and can answer
// in JSON or SSE, in pages, or with a response the test shapes itself.
import type { UpstreamRequest, UpstreamResponse } from "../../host/index.ts";

export interface Catalog {
  tools: string[];
  prompts: string[];
  resources: string[];
  templates: string[];
}

export type Json = Record<string, any>;

const KEYS: Record<string, [string, (s: string) => Json]> = {
  "tools/list": ["tools", (name) => ({ name, description: "a tool", inputSchema: { type: "object" } })],
  "prompts/list": ["prompts", (name) => ({ name, description: "a prompt" })],
  "resources/list": ["resources", (uri) => ({ uri, name: uri.split("/").pop() })],
  "resources/templates/list": ["resourceTemplates", (uriTemplate) => ({ uriTemplate, name: "t" })],
};

export class FakeServer {
  /** Every response sent, in order (a GET replays them). */
  sent: Json[] = [];
  /** The request bodies the server received. */
  received: string[] = [];
  mode: "json" | "sse" = "json";
  pageSize = 0;
  /** Replaces the result of a list response (hostile shapes). */
  shape: ((msg: Json) => Json) | null = null;

  constructor(readonly catalog: Catalog) {}

  private answer(m: Json): Json | null {
    if (m.id === undefined || m.method === undefined) return null;
    const kind = KEYS[m.method];
    if (!kind) return { jsonrpc: "2.0", id: m.id, result: {} };
    const [key, item] = kind;
    const all = (key === "tools" ? this.catalog.tools : key === "prompts" ? this.catalog.prompts : key === "resources" ? this.catalog.resources : this.catalog.templates).map(item);
    const from = Number(m.params?.cursor ?? 0);
    const page = this.pageSize > 0 ? all.slice(from, from + this.pageSize) : all;
    const result: Json = { [key]: page };
    if (this.pageSize > 0 && from + this.pageSize < all.length) result.nextCursor = String(from + this.pageSize);
    const msg = { jsonrpc: "2.0", id: m.id, result };
    return this.shape ? this.shape(msg) : msg;
  }

  handle = (req: UpstreamRequest): UpstreamResponse => {
    if (req.method === "GET") {
      const body = this.sent.map((m, i) => `id: ${i}\ndata: ${JSON.stringify(m)}\n\n`).join("");
      return { status: 200, headers: { "content-type": "text/event-stream" }, body: [body.slice(0, 7), body.slice(7)] };
    }
    this.received.push(req.bodyText);
    const parsed = JSON.parse(req.bodyText);
    const answers = (Array.isArray(parsed) ? parsed : [parsed]).map((m) => this.answer(m)).filter((a): a is Json => a !== null);
    this.sent.push(...answers);
    if (answers.length === 0) return { status: 202 };
    const payload = Array.isArray(parsed) ? answers : answers[0];
    if (this.mode === "json") return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(payload) };
    return { status: 200, headers: { "content-type": "text/event-stream" }, body: `event: message\ndata: ${JSON.stringify(payload)}\n\n` };
  };
}

/** The JSON-RPC messages a client got in a JSON or SSE body. */
export function received(body: string, sse: boolean): Json[] {
  const payloads = sse
    ? body.split(/\n\n/).flatMap((b) => b.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim())).filter((d) => d !== "")
    : [body];
  return payloads.flatMap((p) => {
    const v = JSON.parse(p);
    return Array.isArray(v) ? v : [v];
  });
}
