// Every path a listing can take to the client, through a real Envoy with
// mcp-auth in front of the reference MCP server: a batch, a resumed GET
// stream (Last-Event-ID), prompts, resources and resource templates, and the
// legacy HTTP+SSE transport. What the server offers is read straight from it
// (the oracle); through the gateway, exactly the items the caller's policy
// allows arrive, and no byte the client receives names a denied one.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { API_KEY, startStack, type Stack } from "./setup.ts";
import { messagesOf, openStream, openStreamWithBody, parseSse, type SseStream } from "./wire.ts";

let stack: Stack;
/** Everything the server offers, read from it directly. */
const offered = { tools: [] as string[], prompts: [] as string[], resources: [] as string[], templates: [] as string[] };
const streams: SseStream[] = [];
const AUTH = { "x-api-key": API_KEY };
const VERSION = "2025-11-25";

// The policy of the API-key consumer (setup.ts pluginConfig, resources narrowed here).
const RESOURCES = ["demo://resource/static/document/architecture.md", "demo://resource/static/document/features", "demo://resource/dynamic/text/"];
const allowed = {
  tools: (n: string) => ["echo", "get-sum", "get-tiny-image"].includes(n),
  prompts: (n: string) => n === "simple-prompt",
  resources: (uri: string) => RESOURCES.some((p) => uri.startsWith(p)),
};

beforeAll(async () => {
  stack = await startStack((c) => {
    c.policies[0].allow.resources = RESOURCES;
    return c;
  });
  const direct = new Client({ name: "oracle", version: "1" });
  await direct.connect(new StreamableHTTPClientTransport(new URL(stack.mcp.url)));
  offered.tools = (await direct.listTools()).tools.map((t) => t.name);
  offered.prompts = (await direct.listPrompts()).prompts.map((p) => p.name);
  offered.resources = (await direct.listResources()).resources.map((r) => r.uri);
  offered.templates = (await direct.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
  await direct.close();
  // The tests below mean something only if the server offers denied items of every kind.
  expect(offered.tools.filter((n) => !allowed.tools(n)).length).toBeGreaterThan(3);
  expect(offered.prompts.filter((n) => !allowed.prompts(n)).length).toBeGreaterThan(0);
  expect(offered.resources.filter((u) => !allowed.resources(u)).length).toBeGreaterThan(0);
  expect(offered.templates.filter((u) => !allowed.resources(u)).length).toBeGreaterThan(0);
}, 120_000);

afterAll(async () => {
  for (const s of streams) s.close();
  await stack?.stop();
});

afterEach(() => stack.envoy.assertHealthy());

/** Names a denied item of any kind: none of them may appear in what the client got. */
function deniedNames(): string[] {
  return [
    ...offered.tools.filter((n) => !allowed.tools(n)).map((n) => `"${n}"`),
    ...offered.prompts.filter((n) => !allowed.prompts(n)).map((n) => `"${n}"`),
    ...offered.resources.filter((u) => !allowed.resources(u)).map((u) => `"${u}"`),
    ...offered.templates.filter((u) => !allowed.resources(u)).map((u) => `"${u}"`),
  ];
}

function expectNoDenied(bytes: string): void {
  for (const name of deniedNames()) expect(bytes, `denied ${name} leaked`).not.toContain(name);
}

function post(path: string, body: unknown, headers: Record<string, string>) {
  return fetch(new URL(path, stack.resource), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
}

/** A Streamable HTTP session of the API-key consumer at the newest protocol version (resumable streams). */
async function session(): Promise<Record<string, string>> {
  const init = await post("/mcp", { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: VERSION, capabilities: {}, clientInfo: { name: "wire", version: "1" } } }, AUTH);
  expect(init.status).toBe(200);
  await init.text();
  const headers = { ...AUTH, "mcp-session-id": init.headers.get("mcp-session-id")!, "mcp-protocol-version": VERSION };
  await (await post("/mcp", { jsonrpc: "2.0", method: "notifications/initialized" }, headers)).text();
  return headers;
}

const names = {
  tools: (r: any) => r.tools.map((t: any) => t.name),
  prompts: (r: any) => r.prompts.map((p: any) => p.name),
  resources: (r: any) => r.resources.map((x: any) => x.uri),
  resourceTemplates: (r: any) => r.resourceTemplates.map((x: any) => x.uriTemplate),
};
const expected = {
  tools: () => offered.tools.filter(allowed.tools).sort(),
  prompts: () => offered.prompts.filter(allowed.prompts).sort(),
  resources: () => offered.resources.filter(allowed.resources).sort(),
  resourceTemplates: () => offered.templates.filter(allowed.resources).sort(),
};

describe("compression", () => {
  it("asks the server for plain bytes, so a client that accepts gzip still gets its listing filtered", async () => {
    const headers = await session();
    stack.mcp.clearRequests();
    const res = await post("/mcp", { jsonrpc: "2.0", id: 1, method: "tools/list" }, { ...headers, "accept-encoding": "gzip, deflate, br" });
    const text = await res.text();
    expect(stack.mcp.requests().map((r) => r.headers["accept-encoding"])).toEqual([undefined]);
    expectNoDenied(text);
    expect(names.tools(messagesOf(res.headers.get("content-type"), text)[0].result).sort()).toEqual(expected.tools());
  });
});

describe("listings in a JSON-RPC batch", () => {
  it("filters a tools/list sent alone in a batch", async () => {
    const headers = await session();
    const res = await post("/mcp", [{ jsonrpc: "2.0", id: 1, method: "tools/list" }], headers);
    const text = await res.text();
    expectNoDenied(text);
    const [msg] = messagesOf(res.headers.get("content-type"), text);
    expect(msg.id).toBe(1);
    expect(names.tools(msg.result).sort()).toEqual(expected.tools());
  });

  it("filters every listing of a batch that mixes methods and id types, ids given back as sent", async () => {
    const headers = await session();
    const batch = [
      { jsonrpc: "2.0", id: "1", method: "tools/list" },
      { jsonrpc: "2.0", id: 1, method: "prompts/list" },
      { jsonrpc: "2.0", id: 2, method: "ping" },
      { jsonrpc: "2.0", id: "r", method: "resources/list" },
      { jsonrpc: "2.0", id: 3.5, method: "resources/templates/list" },
      { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "echo", arguments: { message: "get-env" } } },
    ];
    const res = await post("/mcp", batch, headers);
    const text = await res.text();
    const msgs = messagesOf(res.headers.get("content-type"), text);
    const byId = new Map(msgs.map((m) => [JSON.stringify(m.id), m]));
    expect(names.tools(byId.get('"1"')!.result).sort()).toEqual(expected.tools());
    expect(names.prompts(byId.get("1")!.result).sort()).toEqual(expected.prompts());
    expect(names.resources(byId.get('"r"')!.result).sort()).toEqual(expected.resources());
    expect(names.resourceTemplates(byId.get("3.5")!.result).sort()).toEqual(expected.resourceTemplates());
    expect(byId.get("2")!.result).toEqual({});
    expect(JSON.stringify(byId.get("4")!.result)).toContain("get-env"); // a tool's own output is not a listing
    expectNoDenied(text.replace(/Echo: get-env/g, ""));
  });
});

describe("listings replayed on a resumed GET stream", () => {
  it("filters a tools/list result replayed after Last-Event-ID, with the client's id", async () => {
    const headers = await session();
    const res = await post("/mcp", { jsonrpc: "2.0", id: 7, method: "tools/list" }, headers);
    const first = await res.text();
    const events = parseSse(first);
    const priming = events.find((e) => e.id !== undefined && e.data.trim() === "");
    expect(priming, "the server primes its POST stream with an event id").toBeTruthy();
    const replay = await openStream(stack.resource, { ...headers, "last-event-id": priming!.id! });
    streams.push(replay);
    const ev = await replay.waitFor((e) => e.data.includes('"result"'));
    replay.close();
    expectNoDenied(replay.text);
    const msg = JSON.parse(ev.data);
    expect(msg.id).toBe(7);
    expect(names.tools(msg.result).sort()).toEqual(expected.tools());
    expectNoDenied(first);
  });

  it("filters a replay on a GET that carries a body", async () => {
    const headers = await session();
    const res = await post("/mcp", { jsonrpc: "2.0", id: 8, method: "tools/list" }, headers);
    const priming = parseSse(await res.text()).find((e) => e.id !== undefined && e.data.trim() === "")!;
    const replay = await openStreamWithBody(stack.resource, { ...headers, "last-event-id": priming.id! }, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }));
    streams.push(replay);
    const ev = await replay.waitFor((e) => e.data.includes('"result"'));
    replay.close();
    expectNoDenied(replay.text);
    const msg = JSON.parse(ev.data);
    expect(msg.id).toBe(8);
    expect(names.tools(msg.result).sort()).toEqual(expected.tools());
  });

  it("filters prompts, resources and templates replayed the same way", async () => {
    const headers = await session();
    for (const [method, key] of [["prompts/list", "prompts"], ["resources/list", "resources"], ["resources/templates/list", "resourceTemplates"]] as const) {
      const res = await post("/mcp", { jsonrpc: "2.0", id: method, method }, headers);
      const priming = parseSse(await res.text()).find((e) => e.id !== undefined && e.data.trim() === "")!;
      const replay = await openStream(stack.resource, { ...headers, "last-event-id": priming.id! });
      streams.push(replay);
      const ev = await replay.waitFor((e) => e.data.includes('"result"'));
      replay.close();
      expectNoDenied(replay.text);
      const msg = JSON.parse(ev.data);
      expect(msg.id).toBe(method);
      expect(names[key](msg.result).sort()).toEqual(expected[key]());
    }
  });
});

describe("prompts, resources and resource templates through the SDK client", () => {
  it("lists only what the policy allows", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(stack.resource), { requestInit: { headers: AUTH } });
    const client = new Client({ name: "sdk", version: "1" });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(expected.tools());
      expect((await client.listPrompts()).prompts.map((p) => p.name).sort()).toEqual(expected.prompts());
      expect((await client.listResources()).resources.map((r) => r.uri).sort()).toEqual(expected.resources());
      expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(expected.resourceTemplates());
    } finally {
      await client.close();
    }
  });
});

describe("resource URIs in other spellings", () => {
  it("refuses reads that leave an allowed prefix or spell a path another way, before the server sees them", async () => {
    const headers = await session();
    const allowedUri = offered.resources.find(allowed.resources)!;
    stack.mcp.clearRequests();
    for (const uri of ["demo://resource/dynamic/text/../blob/1", "demo://resource/dynamic/text/%2e%2e/blob/1", "demo://resource/dynamic/text/1%2F..%2F..%2Fblob/1", "demo://resource/dynamic/text/\\..\\blob/1"]) {
      const res = await post("/mcp", { jsonrpc: "2.0", id: 3, method: "resources/read", params: { uri } }, headers);
      expect(res.status, uri).toBe(200);
      expect((await res.json()).error.code, uri).toBe(-32003);
    }
    expect(stack.mcp.requests().filter((r) => r.body.includes("resources/read"))).toEqual([]);
    // The same resource with its scheme and host in capitals is still the allowed one.
    const res = await post("/mcp", { jsonrpc: "2.0", id: 4, method: "resources/read", params: { uri: allowedUri.replace("demo://resource", "DEMO://Resource") } }, headers);
    expect(stack.mcp.requests().filter((r) => r.body.includes("resources/read")).length).toBe(1);
    await res.text();
  });
});

describe("completions", () => {
  it("completes arguments only of prompts and templates the caller may use", async () => {
    const headers = await session();
    const deniedPrompt = offered.prompts.find((n) => !allowed.prompts(n))!;
    const deniedTemplate = offered.templates.find((u) => !allowed.resources(u))!;
    const complete = (ref: Record<string, string>) => post("/mcp", { jsonrpc: "2.0", id: 5, method: "completion/complete", params: { ref, argument: { name: "a", value: "" } } }, headers);
    stack.mcp.clearRequests();
    for (const ref of [{ type: "ref/prompt", name: deniedPrompt }, { type: "ref/resource", uri: deniedTemplate }] as Record<string, string>[]) {
      const res = await complete(ref);
      expect((await res.json()).error.code, JSON.stringify(ref)).toBe(-32003);
    }
    expect(stack.mcp.requests()).toEqual([]);
    await (await complete({ type: "ref/prompt", name: "simple-prompt" })).text();
    expect(stack.mcp.requests().length).toBe(1);
  });
});

describe("the legacy HTTP+SSE transport", () => {
  async function legacySession(): Promise<{ stream: SseStream; endpoint: string }> {
    const stream = await openStream(new URL("/sse", stack.resource).href, AUTH);
    streams.push(stream);
    const ev = await stream.waitFor((e) => e.event === "endpoint");
    return { stream, endpoint: ev.data };
  }

  it("filters every listing that arrives on the SSE stream", async () => {
    const { stream, endpoint } = await legacySession();
    await expectLegacyListingsFiltered(stream, endpoint);
  });

  it("filters the stream of a GET that carries a body: the body does not decide what is read", async () => {
    const stream = await openStreamWithBody(new URL("/sse", stack.resource).href, AUTH, JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    streams.push(stream);
    const endpoint = (await stream.waitFor((e) => e.event === "endpoint")).data;
    await expectLegacyListingsFiltered(stream, endpoint);
  });

  async function expectLegacyListingsFiltered(stream: SseStream, endpoint: string): Promise<void> {
    const send = async (body: unknown) => expect((await post(endpoint, body, AUTH)).status).toBe(202);
    await send({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2024-11-05", capabilities: {}, clientInfo: { name: "legacy", version: "1" } } });
    await stream.waitFor((e) => e.data.includes('"id":0'));
    await send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await send({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    await send({ jsonrpc: "2.0", id: 2, method: "prompts/list" });
    await send({ jsonrpc: "2.0", id: 3, method: "resources/list" });
    await send({ jsonrpc: "2.0", id: 4, method: "resources/templates/list" });
    const got = async (id: number) => JSON.parse((await stream.waitFor((e) => e.event === "message" && JSON.parse(e.data).id === id)).data).result;
    expect(names.tools(await got(1)).sort()).toEqual(expected.tools());
    expect(names.prompts(await got(2)).sort()).toEqual(expected.prompts());
    expect(names.resources(await got(3)).sort()).toEqual(expected.resources());
    expect(names.resourceTemplates(await got(4)).sort()).toEqual(expected.resourceTemplates());
    stream.close();
    expectNoDenied(stream.text);
  }

  it("binds the legacy session to its subject: another caller posting to it gets 403", async () => {
    const { stream, endpoint } = await legacySession();
    const token = await stack.as.clientCredentialsToken({ clientId: "reader", clientSecret: "reader-secret-0123456789", scope: "mcp:tools" });
    const hijack = await post(endpoint, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { authorization: "Bearer " + token });
    expect(hijack.status).toBe(403);
    expect((await hijack.json()).error.message).toContain("another caller");
    const session = new URL(endpoint, stack.resource).searchParams.get("sessionId")!;
    // The same session id percent-encoded, or in the name the Python SDK uses, is the same session.
    const encoded = await post(`/messages?sessionId=${[...session].map((c) => "%" + c.charCodeAt(0).toString(16)).join("")}`, { jsonrpc: "2.0", id: 1, method: "ping" }, { authorization: "Bearer " + token });
    expect(encoded.status).toBe(403);
    const python = await post(`/messages?session_id=${session}`, { jsonrpc: "2.0", id: 1, method: "ping" }, { authorization: "Bearer " + token });
    expect(python.status).toBe(403);
    stream.close();
  });
});
