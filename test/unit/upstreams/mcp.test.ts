// The MCP upstream: the reference server over Streamable HTTP, with the official client.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type McpUpstream, startMcpUpstream } from "../../upstreams/mcp.ts";

let mcp: McpUpstream;
beforeAll(async () => {
  mcp = await startMcpUpstream({ name: "unit-mcp" });
});
afterAll(() => mcp.close());

async function connect(): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: "unit", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(mcp.url));
  await client.connect(transport);
  return { client, transport };
}

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};
const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

describe("MCP upstream", () => {
  it("serves the reference server's tools, resources and prompts to the official client", async () => {
    const { client } = await connect();
    try {
      expect(client.getServerVersion()?.name).toBe("mcp-servers/everything");
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(["echo", "get-sum", "get-env"]));
      expect(await client.callTool({ name: "echo", arguments: { message: "hi" } })).toEqual({ content: [{ type: "text", text: "Echo: hi" }] });
      const sum = await client.callTool({ name: "get-sum", arguments: { a: 2, b: 40 } });
      expect(JSON.stringify(sum)).toContain("42");
      expect((await client.listResources()).resources.length).toBeGreaterThan(0);
      expect((await client.listPrompts()).prompts.map((p) => p.name)).toContain("simple-prompt");
    } finally {
      await client.close();
    }
  });

  it("keeps one session per client and ends it on DELETE", async () => {
    const { client, transport } = await connect();
    const id = transport.sessionId!;
    expect(mcp.sessions()).toContain(id);
    await transport.terminateSession();
    await client.close();
    expect(mcp.sessions()).not.toContain(id);
  });

  it("answers 404 for an unknown session and 400 for a non-initialize request without one", async () => {
    const unknown = await fetch(mcp.url, {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-session-id": "no-such-session" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("x-upstream-name")).toBe("unit-mcp");
    const fresh = await fetch(mcp.url, { method: "POST", headers: MCP_HEADERS, body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }) });
    expect(fresh.status).toBe(400);
    const bad = await fetch(mcp.url, { method: "POST", headers: MCP_HEADERS, body: "{oops" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe(-32700);
  });

  it("records what reached it, headers included", async () => {
    mcp.clearRequests();
    const r = await fetch(mcp.url, { method: "POST", headers: { ...MCP_HEADERS, authorization: "Bearer t0k3n" }, body: JSON.stringify(INIT) });
    expect(r.status).toBe(200);
    expect(r.headers.get("mcp-session-id")).toBeTruthy();
    await r.text();
    const seen = mcp.requests();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "POST", path: "/mcp" });
    expect(seen[0].headers.authorization).toBe("Bearer t0k3n");
    expect(JSON.parse(seen[0].body).method).toBe("initialize");
    const listed = await (await fetch(mcp.url.replace(/\/mcp$/, "/__mock/requests"))).json();
    expect(listed).toHaveLength(1);
  });

  it("closes with sessions open", async () => {
    const other = await startMcpUpstream();
    const c = new Client({ name: "unit", version: "1.0.0" });
    await c.connect(new StreamableHTTPClientTransport(new URL(other.url)));
    expect(other.sessions()).toHaveLength(1);
    await other.close();
    expect(other.sessions()).toHaveLength(0);
    await c.close().catch(() => undefined);
  });
});
