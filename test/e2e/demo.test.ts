// The demo stack exactly as `npm start` runs it (startDemo from
// scripts/start.ts), on free ports: every curl line the script prints, the
// official openai client, Anthropic Messages over fetch and the official MCP
// client, all through Envoy. Then the script itself: Ctrl-C and a taken port.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/paths.ts";
import { DEMO_MCP_KEY, type DemoStack, PortInUseError, startDemo } from "../../scripts/start.ts";
import { freePort } from "../harness/ports.ts";
import { countTokens } from "../upstreams/llm.ts";
import { DEMO_CHECKS, runDemoCommand, sseData } from "./demo-checks.ts";

let stack: DemoStack;
let openai: OpenAI;

beforeAll(async () => {
  stack = await startDemo({ ports: { gateway: 0, admin: 0, llm: 0, llmAlt: 0, mcp: 0 } });
  openai = new OpenAI({ baseURL: stack.envoy.url("/v1"), apiKey: "demo-key", maxRetries: 0 });
});

afterAll(async () => {
  await stack?.stop();
});

describe("demo: the printed curl lines", () => {
  it("prints a check-covered line for each thing to try, with this stack's ports", () => {
    expect(stack.commands.map((c) => c.title).sort()).toEqual(Object.keys(DEMO_CHECKS).sort());
    for (const c of stack.commands) expect(c.command).toContain(`127.0.0.1:${c.title.startsWith("Envoy stats") ? stack.ports.admin : stack.ports.gateway}`);
  });

  it("every line runs and answers as described", async () => {
    for (const c of stack.commands) {
      await runDemoCommand(c);
    }
  });
});

describe("demo: OpenAI client through the gateway", () => {
  const messages = [
    { role: "system" as const, content: "Answer in one line." },
    { role: "user" as const, content: "How does token rate limiting work?" },
  ];
  const promptTokens = countTokens("Answer in one line.") + countTokens("How does token rate limiting work?");

  it("chat completion: answer, consistent usage, served by cluster llm", async () => {
    const { data, response } = await openai.chat.completions.create({ model: "demo-base", messages }).withResponse();
    expect(response.headers.get("x-upstream-name")).toBe("llm");
    const content = data.choices[0].message.content ?? "";
    expect(content).toContain("How does token rate limiting work?");
    expect(data.usage).toMatchObject({
      prompt_tokens: promptTokens,
      completion_tokens: countTokens(content),
      total_tokens: promptTokens + countTokens(content),
    });
  });

  it("streaming chat completion: deltas add up to the usage in the last chunk", async () => {
    const stream = await openai.chat.completions.create({
      model: "demo-reasoning",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let deltas = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta?.content;
      if (piece) {
        text += piece;
        deltas++;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: countTokens(text) });
    // One token per delta from the upstream; content-audit holds back a word
    // that could still grow into an email or key, so a delta may carry more.
    expect(deltas).toBeGreaterThan(0);
    expect(deltas).toBeLessThanOrEqual(usage!.completion_tokens);
  });

  it("semantic-router sends model auto banking questions to cluster llm-alt; a client's x-semantic-route counts for nothing", async () => {
    const banking = [{ role: "user" as const, content: "What is the routing number of my bank?" }];
    const { data, response } = await openai.chat.completions.create({ model: "auto", messages: banking }).withResponse();
    expect(response.headers.get("x-upstream-name")).toBe("llm-alt");
    expect(response.headers.get("x-semantic-route")).toBe("alt");
    expect(data.model).toBe("demo-finance");
    expect(stack.llmAlt.requests().some((r) => r.path === "/v1/chat/completions")).toBe(true);
    const spoofed = await openai.chat.completions.create({ model: "demo-base", messages }, { headers: { "x-semantic-route": "alt" } }).withResponse();
    expect(spoofed.response.headers.get("x-upstream-name")).toBe("llm");
  });

  it("responses API, plain and streamed", async () => {
    const r = await openai.responses.create({ model: "demo-base", instructions: "Be brief.", input: "What is an AI gateway?" });
    expect(r.status).toBe("completed");
    expect(r.output_text.length).toBeGreaterThan(0);
    expect(r.usage).toMatchObject({
      input_tokens: countTokens("Be brief.") + countTokens("What is an AI gateway?"),
      output_tokens: countTokens(r.output_text),
    });
    const stream = await openai.responses.create({ model: "demo-base", instructions: "Be brief.", input: "What is an AI gateway?", stream: true });
    let text = "";
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") completed = event.response;
    }
    expect(text).toBe(r.output_text);
    expect(completed?.usage).toEqual(r.usage);
  });

  it("embeddings (the client asks for base64 and decodes it)", async () => {
    const e = await openai.embeddings.create({ model: "demo-embed", input: ["token budget", "token budgets"] });
    expect(e.data).toHaveLength(2);
    expect(e.data[0].embedding).toHaveLength(256);
    expect(Math.hypot(...e.data[0].embedding)).toBeCloseTo(1, 4);
  });

  it("an upstream error reaches the client as the provider's error", async () => {
    const err = await openai.chat.completions
      .create({ model: "demo-base", messages }, { headers: { "x-mock-status": "429" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("a stream cut mid-way fails the client instead of ending quietly", async () => {
    const stream = await openai.chat.completions.create(
      { model: "demo-base", messages, stream: true },
      { headers: { "x-mock-cut-after-chunks": "4" } },
    );
    const consume = async () => {
      for await (const _ of stream) {
        // drain
      }
    };
    await expect(consume()).rejects.toThrow();
  });

  it("a stream written a few bytes at a time arrives intact", async () => {
    const stream = await openai.chat.completions.create(
      { model: "demo-base", messages, stream: true, stream_options: { include_usage: true } },
      { headers: { "x-mock-chunk-bytes": "3" } },
    );
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(usage?.completion_tokens).toBe(countTokens(text));
  });
});

describe("demo: Anthropic Messages through the gateway", () => {
  const body = { model: "demo-reasoning", max_tokens: 200, system: "Be precise.", messages: [{ role: "user", content: "Explain token buckets." }] };
  const headers = { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": "demo-key" };
  const inputTokens = countTokens("Be precise.") + countTokens("Explain token buckets.");

  it("plain: message with usage", async () => {
    const res = await fetch(stack.envoy.url("/v1/messages"), { method: "POST", headers, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const msg = await res.json();
    expect(msg.usage).toEqual({ input_tokens: inputTokens, output_tokens: countTokens(msg.content[0].text) });
  });

  it("streamed: the events arrive in order and message_delta carries the output tokens", async () => {
    const res = await fetch(stack.envoy.url("/v1/messages"), { method: "POST", headers, body: JSON.stringify({ ...body, stream: true }) });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = sseData(await res.text()).map((d) => JSON.parse(d));
    expect(events[0].type).toBe("message_start");
    expect(events.at(-1).type).toBe("message_stop");
    const text = events.filter((e) => e.type === "content_block_delta").map((e) => e.delta.text).join("");
    const delta = events.find((e) => e.type === "message_delta");
    expect(delta.usage.output_tokens).toBe(countTokens(text));
    expect(events[0].message.usage.input_tokens).toBe(inputTokens);
  });
});

describe("demo: MCP client through the gateway", () => {
  it("initialize, tools/list, tools/call with the official SDK client", async () => {
    stack.mcp.clearRequests();
    const client = new Client({ name: "demo-e2e", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(stack.envoy.url("/mcp")), { requestInit: { headers: { "x-api-key": DEMO_MCP_KEY } } });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()?.name).toBe("mcp-servers/everything");
      expect(transport.sessionId).toBeTruthy();
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(["echo", "get-sum"]));
      expect(tools).not.toContain("get-env"); // mcp-auth: not for demo-user
      await expect(client.callTool({ name: "get-env", arguments: {} })).rejects.toThrow(/forbidden/);
      const result = await client.callTool({ name: "echo", arguments: { message: "through Envoy" } });
      expect(result.content).toEqual([{ type: "text", text: "Echo: through Envoy" }]);
      await transport.terminateSession();
    } finally {
      await client.close();
    }
    const seen = stack.mcp.requests();
    const methods = seen.filter((r) => r.method === "POST").map((r) => JSON.parse(r.body).method);
    expect(methods).toEqual(expect.arrayContaining(["initialize", "tools/list", "tools/call"]));
    // It went through Envoy: Envoy adds a request id to what it forwards.
    expect(seen.every((r) => typeof r.headers["x-request-id"] === "string")).toBe(true);
  });
});

describe("demo: what runs on /mcp", () => {
  const auth = { "x-api-key": DEMO_MCP_KEY, accept: "application/json, text/event-stream", "content-type": "application/json" };
  /** POSTs one JSON-RPC message; the answer's headers and its JSON-RPC messages (JSON or SSE). */
  async function rpc(body: unknown, session?: string): Promise<{ headers: Headers; messages: Record<string, any>[] }> {
    const res = await fetch(stack.envoy.url("/mcp"), { method: "POST", headers: { ...auth, ...(session ? { "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" } : {}) }, body: JSON.stringify(body) });
    const text = await res.text();
    const messages = res.headers.get("content-type")?.includes("text/event-stream") ? sseData(text).map((d) => JSON.parse(d)) : text ? [JSON.parse(text)] : [];
    return { headers: res.headers, messages };
  }
  const decisionHeaders = (h: Headers) => [...h.keys()].filter((k) => k.startsWith("x-semantic-") || k.startsWith("x-ratelimit-"));

  it("semantic-router and token-ratelimit stay off MCP; content-audit masks tools/call arguments and results, JSON-RPC intact", async () => {
    stack.mcp.clearRequests();
    const init = await rpc({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "demo-e2e", version: "1" } } });
    const session = init.headers.get("mcp-session-id")!;
    const answers = [init];
    answers.push(await rpc({ jsonrpc: "2.0", method: "notifications/initialized" }, session));
    // Arguments a router would classify as banking, with personal data content-audit masks.
    const list = await rpc({ jsonrpc: "2.0", id: 2, method: "tools/list" }, session);
    const call = await rpc({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "echo", arguments: { message: "transfer money to my savings account, mail jane.doe@example.com" } } }, session);
    const image = await rpc({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "get-tiny-image", arguments: {} } }, session);
    answers.push(list, call, image);
    for (const a of answers) expect(decisionHeaders(a.headers)).toEqual([]);

    expect(list.messages[0].result.tools.length).toBeGreaterThan(3);
    expect(call.messages).toHaveLength(1);
    expect(call.messages[0]).toMatchObject({ jsonrpc: "2.0", id: 3, result: { content: [{ type: "text", text: "Echo: transfer money to my savings account, mail [EMAIL]" }] } });
    // Masked before the MCP server saw it; the server saw no routing header either.
    const seen = stack.mcp.requests().filter((r) => r.method === "POST");
    const echoed = seen.map((r) => JSON.parse(r.body)).find((b) => b.id === 3);
    expect(echoed.params.arguments.message).toBe("transfer money to my savings account, mail [EMAIL]");
    for (const r of seen) expect(Object.keys(r.headers).filter((k) => k.startsWith("x-semantic-"))).toEqual([]);
    // A binary result (base64 PNG) comes back byte for byte.
    const direct = new Client({ name: "direct", version: "1" });
    await direct.connect(new StreamableHTTPClientTransport(new URL(stack.mcp.url)));
    try {
      const reference = await direct.callTool({ name: "get-tiny-image", arguments: {} });
      expect(image.messages[0].result.content).toEqual(reference.content);
    } finally {
      await direct.close();
    }

    // A blocked argument is a JSON-RPC error for that call and never reaches the server.
    stack.mcp.clearRequests();
    const blocked = await rpc({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "echo", arguments: { message: "tell me about the forbidden topic" } } }, session);
    expect(blocked.messages[0]).toMatchObject({ jsonrpc: "2.0", id: 5, error: { code: -32004 } });
    expect(stack.mcp.requests()).toEqual([]);
  });

  it("leaves LLM routes to semantic-router and token-ratelimit, without mcp-auth", async () => {
    const res = await fetch(stack.envoy.url("/v1/chat/completions"), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer demo-key" },
      body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "transfer money to my savings account" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-semantic-route")).toBe("alt");
    expect(res.headers.get("x-ratelimit-limit-tokens")).toBe("100000");
    await res.text();
  });
});

describe("demo: the gateway itself", () => {
  it("answers unknown paths with a JSON 404", async () => {
    const res = await fetch(stack.envoy.url("/nowhere"));
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toContain("/v1/");
  });

  it("writes one JSON access-log line per request, with route, cluster and upstream", async () => {
    const path = "/v1/models?access-log-check=1";
    await fetch(stack.envoy.url(path));
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      const found = stack.envoy
        .logs()
        .split("\n")
        .find((l) => l.includes(`"${path}"`));
      if (found) line = JSON.parse(found);
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(line).toMatchObject({
      method: "GET",
      path,
      status: 200,
      route: "llm",
      cluster: "llm",
      upstream: "llm",
      mcp_auth: null,
      semantic_router: null,
      token_ratelimit: null,
    });
  });

  it("stays healthy", () => {
    stack.envoy.assertHealthy();
  });
});

describe("npm start (the script)", () => {
  function startScript(env: Record<string, string>) {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b));
    child.stderr.on("data", (b: Buffer) => (output += b));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    return { child, exited, output: () => output };
  }

  async function freePorts(): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const name of ["GATEWAY_PORT", "ADMIN_PORT", "LLM_PORT", "LLM_ALT_PORT", "MCP_PORT"]) env[name] = String(await freePort());
    return env;
  }

  it("serves on the ports from the environment and exits 0 on Ctrl-C", async () => {
    const env = await freePorts();
    const s = startScript(env);
    try {
      const deadline = Date.now() + 90_000;
      while (!s.output().includes("Ctrl-C stops everything") && Date.now() < deadline && s.child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(s.output()).toContain(`curl -s http://127.0.0.1:${env.GATEWAY_PORT}/v1/chat/completions`);
      const res = await fetch(`http://127.0.0.1:${env.GATEWAY_PORT}/v1/models`);
      expect(res.headers.get("x-upstream-name")).toBe("llm");
      s.child.kill("SIGINT");
      expect(await s.exited).toBe(0);
      await expect(fetch(`http://127.0.0.1:${env.GATEWAY_PORT}/v1/models`)).rejects.toThrow();
    } finally {
      if (s.child.exitCode === null) s.child.kill("SIGKILL");
    }
  });

  it("exits 1 with a clear message when a port is taken", async () => {
    const env = await freePorts();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(Number(env.GATEWAY_PORT), "127.0.0.1", r));
    try {
      const s = startScript(env);
      expect(await s.exited).toBe(1);
      expect(s.output()).toContain(`${env.GATEWAY_PORT} (GATEWAY_PORT)`);
      expect(s.output()).toContain("already in use");
    } finally {
      blocker.close();
    }
  });

  it("startDemo reports a taken port as PortInUseError before starting anything", async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, "127.0.0.1", r));
    try {
      await expect(startDemo({ ports: { gateway: 0, admin: 0, llm: port, llmAlt: 0, mcp: 0 } })).rejects.toBeInstanceOf(PortInUseError);
    } finally {
      blocker.close();
    }
  });
});
