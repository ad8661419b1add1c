// Authorization and the MCP side of mcp-auth (host emulator): API keys,
// policies on methods/tools/resources/prompts, JSON-RPC errors that keep the
// session usable, batches, tools/list filtering (JSON and SSE), session
// binding, per-tool limits, the metadata document and the audit record.
import { beforeAll, describe, expect, it } from "vitest";
import { Host, type ProxyVm } from "../../host/index.ts";
import { buildMcpAuth, call, header, RESOURCE, rpc, startVm, upstreamHeader } from "./support.ts";

let WASM: string;
const ALICE = "alice-key-0123456789";
const BOB = "bob-key-0123456789ab";
/** A key with characters a URL query must escape. */
const CAROL = "carol+key/0123=&%?#é";

const CONFIG = {
  resource: RESOURCE,
  publicBaseUrl: "https://gw.example.com",
  authorizationServers: ["https://idp.example.com"],
  scopesSupported: ["mcp:tools"],
  apiKeys: { header: "x-api-key", query: "api_key", consumers: [{ name: "alice", key: ALICE, scopes: ["mcp:tools"] }, { name: "bob", key: BOB }, { name: "carol", key: CAROL }] },
  policies: [
    { allow: { methods: ["tools/*", "resources/*", "prompts/*"], tools: ["echo", "get-*"], resources: ["demo://resource/static/"], prompts: ["simple-prompt"] }, deny: { tools: ["get-env"] } },
    { match: { subjects: ["alice"] }, allow: { tools: ["add"] } },
  ],
  rateLimits: [{ tools: ["echo"], calls: 2, windowSeconds: 60 }],
};

const TOOLS = { tools: ["echo", "add", "get-env", "get-sum", "long-op"].map((name) => ({ name, description: `the ${name} tool`, inputSchema: { type: "object" } })) };

let vm: ProxyVm;
beforeAll(async () => {
  WASM = await buildMcpAuth();
  vm = startVm(WASM, CONFIG);
}, 120_000);

const as = (key: string) => ({ headers: { "x-api-key": key } });
const rpcResult = (res: { body: string }) => JSON.parse(res.body);

describe("authentication", () => {
  it("answers 401 with a bare challenge pointing at the metadata when there are no credentials", async () => {
    const res = await rpc(vm, call(1, "echo"));
    expect(res.status).toBe(401);
    expect(header(res, "www-authenticate")).toBe('Bearer resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource/mcp"');
    expect(res.upstream).toBeNull();
  });

  it("serves the protected resource metadata at both well-known paths", async () => {
    for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
      const res = await vm.exchange({ method: "GET", path, headers: { host: "mcp.test" } }, {});
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({
        resource: RESOURCE,
        authorization_servers: ["https://idp.example.com"],
        scopes_supported: ["mcp:tools"],
        bearer_methods_supported: ["header"],
      });
    }
  });

  it("accepts API keys in the header or the query, strips the header, forwards the consumer", async () => {
    const res = await rpc(vm, call(1, "get-sum"), as(ALICE));
    expect(res.status).toBe(200);
    expect(upstreamHeader(res, "x-mcp-subject")).toBe("alice");
    expect(upstreamHeader(res, "x-api-key")).toBeUndefined();
    const q = await rpc(vm, call(2, "get-sum"), { path: "/mcp?x=1&api_key=" + BOB + "&y=2" });
    expect(upstreamHeader(q, "x-mcp-subject")).toBe("bob");
    expect(q.upstream?.path).toBe("/mcp?x=1&y=2");
    const only = await rpc(vm, call(3, "get-sum"), { path: "/mcp?api_key=" + BOB });
    expect(only.upstream?.path).toBe("/mcp");
  });

  it("reads the query key as servers decode queries (URLSearchParams), and strips it in any spelling", async () => {
    const encoded = await rpc(vm, call(1, "get-sum"), { path: "/mcp?" + new URLSearchParams({ x: "1", api_key: CAROL }) });
    expect(encoded.status).toBe(200);
    expect(upstreamHeader(encoded, "x-mcp-subject")).toBe("carol");
    expect(encoded.upstream?.path).toBe("/mcp?x=1");
    // A name spelled with escapes is the same parameter to the server: it must not reach it, whichever credential was used.
    const spelled = await rpc(vm, call(2, "get-sum"), { path: "/mcp?api%5Fkey=" + BOB + "&api_k%65y=" + BOB, headers: { "x-api-key": ALICE } });
    expect(spelled.status).toBe(200);
    expect(spelled.upstream?.path).toBe("/mcp");
    const viaEscapedName = await rpc(vm, call(3, "get-sum"), { path: "/mcp?api%5Fkey=" + encodeURIComponent(BOB) });
    expect(upstreamHeader(viaEscapedName, "x-mcp-subject")).toBe("bob");
    for (const r of [encoded, spelled, viaEscapedName]) expect(new URLSearchParams(r.upstream!.path.split("?")[1] ?? "").has("api_key")).toBe(false);
  });

  it("rejects an unknown key with invalid_token and drops a spoofed identity header", async () => {
    const bad = await rpc(vm, call(1, "echo"), as("not-a-key-0000000000"));
    expect(bad.status).toBe(401);
    expect(header(bad, "www-authenticate")).toContain('error="invalid_token"');
    const spoof = await rpc(vm, call(1, "get-sum"), { headers: { "x-api-key": BOB, "x-mcp-subject": "alice" } });
    expect(upstreamHeader(spoof, "x-mcp-subject")).toBe("bob");
  });
});

describe("authorization", () => {
  it("allows listed tools and refuses others with a JSON-RPC error carrying the id (HTTP 200)", async () => {
    expect((await rpc(vm, call(7, "get-sum"), as(BOB))).upstream).not.toBeNull();
    const denied = await rpc(vm, call("abc" as unknown as number, "get-env"), as(BOB));
    expect(denied.status).toBe(200);
    expect(denied.upstream).toBeNull();
    const body = rpcResult(denied);
    expect(body).toMatchObject({ jsonrpc: "2.0", id: "abc", error: { code: -32003 } });
    expect(body.error.message).toContain("get-env");
    const notListed = await rpc(vm, call(8, "long-op"), as(BOB));
    expect(rpcResult(notListed)).toMatchObject({ id: 8, error: { code: -32003 } });
  });

  it("applies subject policies: add is alice's only", async () => {
    expect((await rpc(vm, call(1, "add"), as(ALICE))).upstream).not.toBeNull();
    expect(rpcResult(await rpc(vm, call(2, "add"), as(BOB)))).toMatchObject({ id: 2, error: { code: -32003 } });
  });

  it("checks resources by URI prefix and prompts by name; protocol methods always pass", async () => {
    const read = (id: number, uri: string) => ({ jsonrpc: "2.0", id, method: "resources/read", params: { uri } });
    expect((await rpc(vm, read(1, "demo://resource/static/document/a.md"), as(BOB))).upstream).not.toBeNull();
    expect(rpcResult(await rpc(vm, read(2, "file:///etc/passwd"), as(BOB)))).toMatchObject({ id: 2, error: { code: -32003 } });
    const prompt = (id: number, name: string) => ({ jsonrpc: "2.0", id, method: "prompts/get", params: { name } });
    expect((await rpc(vm, prompt(3, "simple-prompt"), as(BOB))).upstream).not.toBeNull();
    expect(rpcResult(await rpc(vm, prompt(4, "other"), as(BOB)))).toMatchObject({ id: 4, error: { code: -32003 } });
    expect((await rpc(vm, { jsonrpc: "2.0", id: 5, method: "ping" }, as(BOB))).upstream).not.toBeNull();
    expect((await rpc(vm, { jsonrpc: "2.0", method: "notifications/initialized" }, as(BOB))).upstream).not.toBeNull();
    expect(rpcResult(await rpc(vm, { jsonrpc: "2.0", id: 6, method: "logging/setLevel", params: { level: "info" } }, as(BOB)))).toMatchObject({ id: 6, error: { code: -32003 } });
  });

  it("answers a batch with a denied call with one error per request, nothing forwarded", async () => {
    const res = await rpc(vm, [call(1, "get-sum"), call(2, "get-env"), { jsonrpc: "2.0", method: "notifications/initialized" }], as(BOB));
    expect(res.upstream).toBeNull();
    const body = rpcResult(res);
    expect(body.map((e: { id: number }) => e.id)).toEqual([1, 2]);
    expect(body[1].error.message).toContain("get-env");
    expect((await rpc(vm, [call(1, "get-sum"), { jsonrpc: "2.0", id: 2, method: "ping" }], as(BOB))).upstream).not.toBeNull();
  });

  it("answers malformed JSON-RPC with parse/invalid-request errors and keeps the VM alive", async () => {
    const cases: [string, number, number][] = [
      ["{", 400, -32700],
      ["[]", 400, -32600],
      ['"x"', 400, -32600],
      ['{"jsonrpc":"1.0","id":1,"method":"tools/call"}', 400, -32600],
      ["[".repeat(5000), 400, -32700],
      ['{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', 400, -32600],
    ];
    for (const [body, status, code] of cases) {
      const res = await rpc(vm, body, as(BOB));
      expect(res.status, body.slice(0, 40)).toBe(status);
      expect(rpcResult(res).error.code).toBe(code);
    }
    const big = await rpc(vm, JSON.stringify(call(1, "echo", { message: "x".repeat(2 << 20) })), as(BOB));
    expect(big.status).toBe(413);
    expect(vm.trapped).toBe(false);
    expect((await rpc(vm, call(9, "get-sum"), as(BOB))).status).toBe(200);
  });
});

describe("tools/list filtering", () => {
  const list = { jsonrpc: "2.0", id: 3, method: "tools/list" };
  const names = (r: { result: { tools: { name: string }[] } }) => r.result.tools.map((t) => t.name);

  it("removes tools the caller may not call from a JSON response", async () => {
    const upstream = () => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 3, result: TOOLS }) });
    const bob = await rpc(vm, list, { ...as(BOB), options: { upstream } });
    expect(names(rpcResult(bob))).toEqual(["echo", "get-sum"]);
    const alice = await rpc(vm, list, { ...as(ALICE), options: { upstream } });
    expect(names(rpcResult(alice))).toEqual(["echo", "add", "get-sum"]);
  });

  it("removes them from an SSE response split at awkward places, other events untouched", async () => {
    const event = `event: message\nid: 1\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: 3, result: TOOLS })}\n\n`;
    const stream = ": keep-alive\n\n" + event + 'data: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\n';
    const chunks = [stream.slice(0, 20), stream.slice(20, 90), stream.slice(90, 91), stream.slice(91)];
    const upstream = () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body: chunks });
    const res = await rpc(vm, list, { ...as(BOB), options: { upstream } });
    expect(res.body.startsWith(": keep-alive\n\n")).toBe(true);
    const data = res.body.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
    expect(names(data[0])).toEqual(["echo", "get-sum"]);
    expect(data[1].method).toBe("notifications/message");
    expect(res.body).toContain("id: 1\n");
    expect(vm.trapped).toBe(false);
  });
});

describe("sessions and limits", () => {
  it("binds a session to the subject that initialized it and refuses it to others", async () => {
    const init = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } };
    const upstream = () => ({ status: 200, headers: { "content-type": "application/json", "mcp-session-id": "s-123" }, body: "{}" });
    expect((await rpc(vm, init, { ...as(ALICE), options: { upstream } })).status).toBe(200);
    const own = await rpc(vm, call(1, "get-sum"), { headers: { "x-api-key": ALICE, "mcp-session-id": "s-123" } });
    expect(own.upstream).not.toBeNull();
    const hijack = await rpc(vm, call(1, "get-sum"), { headers: { "x-api-key": BOB, "mcp-session-id": "s-123" } });
    expect(hijack.status).toBe(403);
    expect(hijack.upstream).toBeNull();
    const del = await vm.exchange({ method: "DELETE", path: "/mcp", headers: { host: "mcp.test", "x-api-key": BOB, "mcp-session-id": "s-123" } }, {});
    expect(del.status).toBe(403);
  });

  it("limits echo to 2 calls per minute per caller, with a JSON-RPC error and retry data", async () => {
    const host = new Host();
    const own = startVm(WASM, CONFIG, host);
    for (let i = 0; i < 2; i++) expect((await rpc(own, call(i, "echo"), as(BOB))).upstream).not.toBeNull();
    const over = await rpc(own, call(5, "echo"), as(BOB));
    expect(over.status).toBe(200);
    const body = rpcResult(over);
    expect(body).toMatchObject({ id: 5, error: { code: -32029, data: { tool: "echo", limit: 2, windowSeconds: 60 } } });
    expect((await rpc(own, call(6, "echo"), as(ALICE))).upstream).not.toBeNull();
    expect((await rpc(own, call(7, "get-sum"), as(BOB))).upstream).not.toBeNull();
    host.advance(60_000);
    expect((await rpc(own, call(8, "echo"), as(BOB))).upstream).not.toBeNull();
  });
});

describe("audit", () => {
  it("writes one record per request to filter state wasm.mcp_auth and counts decisions", async () => {
    const host = new Host();
    const own = startVm(WASM, CONFIG, host);
    const denied = await rpc(own, call(1, "get-env"), as(BOB));
    const record = JSON.parse(Buffer.from(denied.filterState.get("wasm.mcp_auth")!).toString());
    expect(record).toMatchObject({ decision: "deny", subject: "bob", via: "api_key", method: "tools/call", target: "get-env" });
    await rpc(own, call(2, "echo"), as(BOB));
    await rpc(own, call(3, "echo"));
    expect(host.stats.counter("mcp_auth_allowed")).toBe(1);
    expect(host.stats.counter("mcp_auth_denied")).toBe(1);
    expect(host.stats.counter("mcp_auth_unauthenticated")).toBe(1);
  });
});
