// An MCP server with a catalog given to it (many tools, prompts, resources and
// resource templates), for tests of what a gateway lets a client see. Lists
// come in pages; with `closeEarly` the server ends the POST stream of a list
// request before answering (the 2025-11 polling pattern), so the result
// reaches the client on the resumed GET stream; `tools/call` of `touch`
// announces notifications/tools/list_changed.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { McpServerInstance } from "../mcp.ts";

export interface Catalog {
  tools: string[];
  prompts: string[];
  resources: string[];
  templates: string[];
}

export interface CatalogOptions {
  pageSize: number;
  /** End the POST stream of list requests before the result (clients that can resume get it on a GET). */
  closeEarly?: boolean;
}

function page<T>(items: T[], cursor: string | undefined, size: number): { items: T[]; nextCursor?: string } {
  const from = cursor === undefined ? 0 : Number(cursor);
  const to = from + size;
  return to < items.length ? { items: items.slice(from, to), nextCursor: String(to) } : { items: items.slice(from) };
}

export function catalogServer(catalog: Catalog, opts: CatalogOptions): () => McpServerInstance {
  return () => {
    const server = new Server({ name: "catalog", version: "1.0.0" }, { capabilities: { tools: { listChanged: true }, prompts: {}, resources: {} } });
    const settle = async (extra: { closeSSEStream?: () => void }) => {
      if (!opts.closeEarly || !extra.closeSSEStream) return;
      extra.closeSSEStream();
      await new Promise((r) => setTimeout(r, 20));
    };
    server.setRequestHandler(ListToolsRequestSchema, async (req, extra) => {
      await settle(extra);
      const p = page(catalog.tools, req.params?.cursor, opts.pageSize);
      return { tools: p.items.map((name) => ({ name, description: "a tool of the catalog", inputSchema: { type: "object" as const } })), nextCursor: p.nextCursor };
    });
    server.setRequestHandler(ListPromptsRequestSchema, async (req, extra) => {
      await settle(extra);
      const p = page(catalog.prompts, req.params?.cursor, opts.pageSize);
      return { prompts: p.items.map((name) => ({ name, description: "a prompt of the catalog" })), nextCursor: p.nextCursor };
    });
    server.setRequestHandler(ListResourcesRequestSchema, async (req, extra) => {
      await settle(extra);
      const p = page(catalog.resources, req.params?.cursor, opts.pageSize);
      return { resources: p.items.map((uri, i) => ({ uri, name: `resource ${i}` })), nextCursor: p.nextCursor };
    });
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async (req, extra) => {
      await settle(extra);
      const p = page(catalog.templates, req.params?.cursor, opts.pageSize);
      return { resourceTemplates: p.items.map((uriTemplate, i) => ({ uriTemplate, name: `template ${i}` })), nextCursor: p.nextCursor };
    });
    server.setRequestHandler(CallToolRequestSchema, async (req) => {
      if (req.params.name === "touch") await server.sendToolListChanged();
      return { content: [{ type: "text", text: "done" }] };
    });
    return { server, cleanup: () => undefined };
  };
}
