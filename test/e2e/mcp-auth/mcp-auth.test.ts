// mcp-auth through a real Envoy with real parties: oidc-provider issuing JWT
// access tokens (client credentials, RFC 8707 resource), the official MCP
// SDK client discovering it from the 401 + protected resource metadata, and
// the reference MCP server behind. Forged tokens, key rotation, session
// hijack, per-tool limits and malformed input, with the VM kept alive.
import { describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { eventually } from "../../harness/eventually.ts";
import { algNone, claims, ecKey, hsWithPublicKey, jwt, nowSeconds, rsaKey, tampered } from "../../auth/tokens.ts";
import { ADMIN, API_KEY, LIMITED, NOSCOPE, READER, type Stack, useStack } from "./setup.ts";
import type { TestClient } from "../../auth/authorization-server.ts";

let stack: Stack;
const clients: Client[] = [];
useStack((s) => (stack = s), clients);

/** An SDK client that finds the authorization server through the gateway's 401 and metadata, and gets its own token. */
async function connect(client: TestClient): Promise<{ client: Client; transport: StreamableHTTPClientTransport; provider: ClientCredentialsProvider }> {
  const provider = new ClientCredentialsProvider({ clientId: client.clientId, clientSecret: client.clientSecret, scope: client.scope, expectedIssuer: stack.as.issuer });
  const transport = new StreamableHTTPClientTransport(new URL(stack.resource), { authProvider: provider });
  const c = new Client({ name: "mcp-auth-e2e", version: "1.0.0" });
  await c.connect(transport);
  clients.push(c);
  return { client: c, transport, provider };
}

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(stack.resource, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
const initialize = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } } };

describe("discovery", () => {
  it("answers an anonymous request with 401 and a challenge pointing at the metadata", async () => {
    const res = await post(initialize);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${new URL(stack.resource).origin}/.well-known/oauth-protected-resource/mcp"`);
    const meta = await (await fetch(new URL("/.well-known/oauth-protected-resource/mcp", stack.resource))).json();
    expect(meta).toMatchObject({ resource: stack.resource, authorization_servers: [stack.as.issuer], scopes_supported: ["mcp:tools", "mcp:admin"] });
  });
});

describe("the MCP SDK client with OAuth client credentials", () => {
  it("discovers the authorization server, gets a token, lists only its allowed tools and calls them", async () => {
    stack.mcp.clearRequests();
    const { client, provider } = await connect(READER);
    expect(provider.tokens()?.access_token).toBeTruthy();
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual(["echo", "get-sum", "get-tiny-image"]);
    const echoed = await client.callTool({ name: "echo", arguments: { message: "hello" } });
    expect(JSON.stringify(echoed.content)).toContain("hello");
    const sum = await client.callTool({ name: "get-sum", arguments: { a: 2, b: 3 } });
    expect(JSON.stringify(sum.content)).toContain("5");
    // The MCP server learns who called, never the caller's token.
    const seen = stack.mcp.requests();
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) {
      expect(r.headers["x-mcp-subject"]).toBe("reader");
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it("filters tools/list in the server's SSE response as sent on the wire", async () => {
    const auth = { "x-api-key": API_KEY };
    const init = await post(initialize, auth);
    const session = init.headers.get("mcp-session-id")!;
    await init.text();
    const headers = { ...auth, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" };
    await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, headers)).text();
    const res = await post({ jsonrpc: "2.0", id: 2, method: "tools/list" }, headers);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const data = (await res.text()).split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
    expect(data[0].result.tools.map((t: { name: string }) => t.name).sort()).toEqual(["echo", "get-sum", "get-tiny-image"]);
  });

  it("refuses a tool outside the policy with a JSON-RPC error, and the session keeps working", async () => {
    const { client } = await connect(READER);
    await expect(client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 1, steps: 1 } })).rejects.toThrow(/forbidden/);
    expect((await client.callTool({ name: "echo", arguments: { message: "still here" } })).isError).toBeFalsy();
  });

  it("gives the admin scope every tool, and get-env only to it (403 insufficient_scope for others)", async () => {
    const { client } = await connect(ADMIN);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain("get-env");
    expect(tools.length).toBeGreaterThan(5);
    const env = await client.callTool({ name: "get-env", arguments: {} });
    expect(env.isError).toBeFalsy();

    const token = await stack.as.clientCredentialsToken(READER);
    const res = await post({ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "get-env", arguments: {} } }, { authorization: "Bearer " + token });
    // Policy first: the reader's policy does not list get-env.
    expect(res.status).toBe(200);
    expect((await res.json()).error.code).toBe(-32003);
  });

  it("answers a token without the required scope with 403 insufficient_scope", async () => {
    const token = await stack.as.clientCredentialsToken(NOSCOPE);
    const res = await post(ping, { authorization: "Bearer " + token });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope", error_description="the token lacks a required scope", scope="mcp:tools"');
  });

  it("enforces the per-tool limit with a JSON-RPC error", async () => {
    const { client } = await connect(LIMITED);
    for (let i = 0; i < 3; i++) await client.callTool({ name: "echo", arguments: { message: String(i) } });
    await expect(client.callTool({ name: "echo", arguments: { message: "over" } })).rejects.toThrow(/rate limit exceeded/);
    expect((await client.callTool({ name: "get-sum", arguments: { a: 1, b: 1 } })).isError).toBeFalsy();
  });
});

describe("tokens the gateway must refuse", () => {
  it("rejects forged, expired, wrong-audience, wrong-issuer, alg=none and HS/RS confusion tokens", async () => {
    const key = stack.as.signingKey();
    const good = claims(stack.as.issuer, stack.resource, { sub: "reader", client_id: "reader" });
    const attacker = rsaKey(key.kid);
    const real = await stack.as.clientCredentialsToken(READER);
    const cases: Record<string, string> = {
      "signed by another key with the issuer's kid": jwt(attacker, good),
      "tampered payload": tampered(real, { ...JSON.parse(Buffer.from(real.split(".")[1], "base64url").toString()), sub: "admin", scope: "mcp:tools mcp:admin" }),
      expired: jwt(key, { ...good, exp: nowSeconds() - 3600 }),
      "wrong audience": jwt(key, { ...good, aud: "http://127.0.0.1:1/other" }),
      "wrong issuer": jwt(key, { ...good, iss: "http://evil.example" }),
      "alg=none": algNone(key.kid, good),
      "HS256 keyed with the RSA public key": hsWithPublicKey(key, good),
      garbage: "not.a.token",
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await post(ping, { authorization: "Bearer " + token });
      expect(res.status, name).toBe(401);
      expect(res.headers.get("www-authenticate"), name).toContain('error="invalid_token"');
    }
    // The real token works, signed with the key the filter fetched through Envoy.
    expect((await post(initialize, { authorization: "Bearer " + real })).status).toBe(200);
  });

  it("answers a repeated token from the verified-token cache, never a forgery of it, and never past its exp", async () => {
    const checks = async () => (await stack.envoy.stats("wasmcustom.mcp_auth_jwt_signature_checks"))["wasmcustom.mcp_auth_jwt_signature_checks"] ?? 0;
    const key = stack.as.signingKey();
    // Valid for eight more seconds with the default 60 s clock skew: room for a loaded machine.
    const exp = nowSeconds() - 60 + 8;
    const token = jwt(key, claims(stack.as.issuer, stack.resource, { sub: "short-lived", client_id: "short-lived", exp }));
    const before = await checks();
    for (let i = 0; i < 5; i++) {
      const res = await post(initialize, { authorization: "Bearer " + token });
      expect(res.status, `request ${i}`).toBe(200);
      await res.text();
    }
    // One Envoy worker, one cache: the signature was checked once.
    expect((await checks()) - before).toBe(1);
    // The same signature on another payload is not the cached token.
    const forged = tampered(token, { ...claims(stack.as.issuer, stack.resource, { sub: "admin", client_id: "admin", scope: "mcp:tools mcp:admin" }) });
    expect((await post(ping, { authorization: "Bearer " + forged })).status).toBe(401);
    expect((await checks()) - before).toBe(2);
    await new Promise((r) => setTimeout(r, Math.max(0, (exp + 60 + 1.2) * 1000 - Date.now())));
    const expired = await post(ping, { authorization: "Bearer " + token });
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("verifies ES256 tokens against the P-256 key in the fetched JWKS", async () => {
    const es = stack.as.esKey();
    const good = claims(stack.as.issuer, stack.resource, { sub: "es-client", client_id: "es-client", scope: "mcp:tools" });
    const token = jwt(es, good);
    expect(JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString()).alg).toBe("ES256");
    expect((await post(initialize, { authorization: "Bearer " + token })).status).toBe(200);
    for (const [name, bad] of Object.entries({
      "signed by another P-256 key with the same kid": jwt(ecKey(es.kid), good),
      "tampered payload": tampered(token, { ...good, scope: "mcp:tools mcp:admin" }),
    })) {
      const res = await post(ping, { authorization: "Bearer " + bad });
      expect(res.status, name).toBe(401);
      expect(res.headers.get("www-authenticate"), name).toContain("bad signature");
    }
  });

  it("picks up a rotated signing key on the unknown kid", async () => {
    const before = await stack.as.clientCredentialsToken(READER);
    expect((await post(initialize, { authorization: "Bearer " + before })).status).toBe(200);
    const newKey = stack.as.rotate();
    await new Promise((r) => setTimeout(r, 1100)); // past minRefreshSeconds since the last fetch
    const after = await stack.as.clientCredentialsToken(READER);
    expect(JSON.parse(Buffer.from(after.split(".")[0], "base64url").toString()).kid).toBe(newKey.kid);
    const res = await post(initialize, { authorization: "Bearer " + after });
    expect(res.status).toBe(200);
    expect((await post(initialize, { authorization: "Bearer " + before })).status).toBe(200);
  });
});

describe("sessions, API keys and bad input", () => {
  it("refuses a session id presented by another subject", async () => {
    const { transport } = await connect(READER);
    const session = transport.sessionId!;
    expect(session).toBeTruthy();
    const other = await stack.as.clientCredentialsToken(ADMIN);
    const res = await post(ping, { authorization: "Bearer " + other, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" });
    expect(res.status).toBe(403);
    const viaKey = await post(ping, { "x-api-key": API_KEY, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" });
    expect(viaKey.status).toBe(403);
  });

  it("lets an API-key consumer in, without OAuth", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(stack.resource), { requestInit: { headers: { "x-api-key": API_KEY } } });
    const c = new Client({ name: "api-key-client", version: "1.0.0" });
    await c.connect(transport);
    clients.push(c);
    expect((await c.listTools()).tools.map((t) => t.name).sort()).toEqual(["echo", "get-sum", "get-tiny-image"]);
  });

  it("answers malformed JSON-RPC and oversized bodies with errors, and the VM survives", async () => {
    const auth = { "x-api-key": API_KEY };
    const parse = await post("{nope", auth);
    expect(parse.status).toBe(400);
    expect((await parse.json()).error.code).toBe(-32700);
    const invalid = await post({ jsonrpc: "2.0", id: 1 }, auth);
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.code).toBe(-32600);
    const deep = await post("[".repeat(100_000), auth);
    expect(deep.status).toBe(400);
    const big = await post({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { message: "x".repeat(2 << 20) } } }, auth);
    expect(big.status).toBe(413);
    expect((await post(initialize, auth)).status).toBe(200);
  });

  it("refuses member names a Go server would read as another method, tool or id, before the server sees them", async () => {
    const auth = { "x-api-key": API_KEY };
    stack.mcp.clearRequests();
    for (const body of [
      '{"jsonrpc":"2.0","id":1,"method":"ping","METHOD":"tools/call","params":{"name":"get-env"}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","Name":"get-env"}}',
      '{"jsonrpc":"2.0","Id":1,"method":"tools/list"}',
    ]) {
      const res = await post(body, auth);
      expect(res.status, body).toBe(400);
      expect((await res.json()).error.code, body).toBe(-32600);
    }
    expect(stack.mcp.requests()).toEqual([]);
    // Other spellings inside what authorization does not read (clientInfo here) pass.
    const exact = await post({ ...initialize, params: { ...initialize.params, clientInfo: { name: "curl", version: "1", Name: "x" } } }, auth);
    expect(exact.status).toBe(200);
    await exact.text();
    expect(stack.mcp.requests().length).toBe(1);
  });
});

describe("audit and metrics", () => {
  it("logs one record per request through filter state and counts decisions on /stats", async () => {
    await post({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "get-env", arguments: {} } }, { "x-api-key": API_KEY });
    // Envoy flushes the access log file every 250 ms.
    const read = () => stack.accessLog().filter((l) => l.mcp_auth && l.mcp_auth !== "-").map((l) => JSON.parse(l.mcp_auth));
    const records = await eventually(() => {
      const r = read();
      return r.some((x) => x.decision === "deny" && x.subject === "ci-bot" && x.target === "get-env") ? r : undefined;
    }).catch(read);
    expect(records).toContainEqual(expect.objectContaining({ decision: "deny", subject: "ci-bot", via: "api_key", method: "tools/call", target: "get-env" }));
    expect(records).toContainEqual(expect.objectContaining({ decision: "unauthenticated" }));
    expect(records.some((r) => r.decision === "allow" && r.via === "jwt")).toBe(true);
    const stats = await stack.envoy.stats("wasmcustom.mcp_auth");
    expect(stats["wasmcustom.mcp_auth_allowed"]).toBeGreaterThan(0);
    expect(stats["wasmcustom.mcp_auth_denied"]).toBeGreaterThan(0);
    expect(stats["wasmcustom.mcp_auth_unauthenticated"]).toBeGreaterThan(0);
    expect(stats["wasmcustom.mcp_auth_rate_limited"]).toBeGreaterThan(0);
  });
});
