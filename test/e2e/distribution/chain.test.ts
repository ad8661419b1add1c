// envoy/recipes/chain.yaml as shipped: the four filters in one chain, in front
// of the demo LLM and MCP upstreams. Each request shows the filters that are
// on for its route doing their part, and the ones switched off staying out.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { BUILD } from "../../../scripts/lib/paths.ts";
import { Envoy } from "../../harness/envoy.ts";
import { type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";
import { type McpUpstream, startMcpUpstream } from "../../upstreams/mcp.ts";

const FILTERS = ["mcp-auth", "content-audit", "semantic-router", "token-ratelimit"];
const MCP_KEY = "replace-with-a-secret";

let envoy: Envoy;
let llm: LlmUpstream;
let mcp: McpUpstream;

beforeAll(async () => {
  for (const only of [...FILTERS, "ai-gateway"]) await build({ only, quiet: true });
  llm = await startLlmUpstream();
  mcp = await startMcpUpstream();
  envoy = await Envoy.start({
    config: "envoy/recipes/chain.yaml",
    name: "chain",
    vars: { WASM_DIR: BUILD, LLM_PORT: llm.port, MCP_PORT: mcp.port },
  });
});

afterAll(async () => {
  await envoy?.stop();
  await llm?.close();
  await mcp?.close();
});

function chat(content: string, apiKey = "team-a"): Promise<Response> {
  return fetch(envoy.url("/v1/chat/completions"), {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": apiKey },
    body: JSON.stringify({ model: "gpt-any", messages: [{ role: "user", content }] }),
  });
}

function lastUpstreamBody(): { model: string; messages: { content: string }[] } {
  return JSON.parse(llm.requests().at(-1)!.body);
}

describe("four-filter chain recipe", () => {
  it("an LLM request is audited (masked), routed (model rewritten) and counted (token headers)", async () => {
    llm.clearRequests();
    const res = await chat("write a python function that sorts a list and mail it to alice@example.com");
    expect(res.status).toBe(200);
    await res.json();
    expect(res.headers.get("x-semantic-route")).toBe("code");
    expect(res.headers.get("x-ratelimit-limit-tokens")).toBe("100000");
    const sent = lastUpstreamBody();
    expect(sent.model).toBe("code-model");
    expect(sent.messages[0].content).not.toContain("alice@example.com");
    expect(sent.messages[0].content).toContain("[EMAIL]");
  });

  it("a request below every route's threshold goes to the default model", async () => {
    llm.clearRequests();
    const res = await chat("zebra migration patterns across the serengeti");
    expect(res.status).toBe(200);
    await res.text();
    expect(res.headers.get("x-semantic-route")).toBe("general");
    expect(lastUpstreamBody().model).toBe("base-model");
  });

  it("a streamed completion through all four filters arrives whole, with usage", async () => {
    const openai = new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: { "x-api-key": "team-b" } });
    const stream = await openai.chat.completions.create({
      model: "gpt-any",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "tell me a short joke" }],
    });
    let text = "";
    let usage: { completion_tokens: number } | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("content-audit blocks a private key before it is routed or sent", async () => {
    llm.clearRequests();
    const res = await chat("here is my key: -----BEGIN RSA PRIVATE KEY----- abc");
    expect(res.status).toBeGreaterThanOrEqual(400);
    const body = await res.json();
    expect(body.error).toBeDefined();
    expect(llm.requests()).toHaveLength(0);
  });

  it("mcp-auth guards /mcp: 401 with resource metadata without a key, the MCP server answers with one", async () => {
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "chain-test", version: "1" } },
    };
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const denied = await fetch(envoy.url("/mcp"), { method: "POST", headers, body: JSON.stringify(init) });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toMatch(/^Bearer .*resource_metadata="/);
    await denied.text();
    const allowed = await fetch(envoy.url("/mcp"), { method: "POST", headers: { ...headers, "x-api-key": MCP_KEY }, body: JSON.stringify(init) });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('"serverInfo"');
  });

  it("the health route has every filter switched off", async () => {
    const res = await fetch(envoy.url("/healthz"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
  });

  it("no Wasm crash", () => envoy.assertHealthy());
});
