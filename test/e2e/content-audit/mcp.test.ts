// MCP tools/call through a real Envoy with the official MCP SDK client and
// the reference server (server-everything): arguments are inspected on the
// way in (a block is a JSON-RPC error the SDK raises), results on the way
// back (the echo tool's answer arrives masked, in Streamable HTTP's SSE).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type McpUpstream, startMcpUpstream } from "../../upstreams/mcp.ts";
import { startStack, type Stack } from "./config.ts";

let mcp: McpUpstream;
let stack: Stack;
let client: Client;
let transport: StreamableHTTPClientTransport;

beforeAll(async () => {
  mcp = await startMcpUpstream({ name: "mcp" });
  const config = {
    rules: [
      { id: "pii-out", type: "pii", detectors: ["email"], action: "mask", scope: "response" },
      { id: "banned", type: "keywords", keywords: ["drop table"], action: "block", scope: "request" },
    ],
  };
  stack = await startStack(config, "content-audit-mcp", { MCP_PORT: mcp.port });
  client = new Client({ name: "content-audit-e2e", version: "1.0.0" });
  transport = new StreamableHTTPClientTransport(new URL(stack.envoy.url("/mcp")));
  await client.connect(transport);
});

afterAll(async () => {
  await transport?.terminateSession().catch(() => undefined);
  await client?.close();
  stack?.envoy.assertHealthy();
  await stack?.stop();
  await mcp?.close();
});

describe("MCP through content-audit", () => {
  it("masks personal data in a tool result", async () => {
    const result = await client.callTool({ name: "echo", arguments: { message: "owner is dana@example.com" } });
    const text = (result.content as { type: string; text: string }[])[0].text;
    expect(text).toContain("owner is [EMAIL]");
    expect(text).not.toContain("dana@example.com");
  });

  it("blocks a tool call whose arguments hit a block rule with a JSON-RPC error", async () => {
    await expect(client.callTool({ name: "echo", arguments: { message: "please DROP TABLE users" } })).rejects.toThrow(/blocked by content policy/);
    // The session still works.
    const ok = await client.callTool({ name: "echo", arguments: { message: "fine" } });
    expect((ok.content as { text: string }[])[0].text).toContain("fine");
  });
});
