// The authorization code flow with PKCE, as an MCP app on a user's machine
// runs it: the official MCP SDK client (its OAuthClientProvider / auth())
// meets the gateway's 401, finds oidc-provider through the protected
// resource metadata, sends the user to authorize with an S256 code challenge
// and the resource indicator, a scripted browser logs the user in and
// consents, the SDK exchanges the code, and the MCP session runs on the JWT
// through Envoy with mcp-auth. Tokens for another resource are refused.
import { describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { discoverAuthorizationServerMetadata, exchangeAuthorization, startAuthorization, UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { UserAgent } from "../../auth/user-agent.ts";
import { ALICE, DESKTOP, type Stack, useStack } from "./setup.ts";

let stack: Stack;
const clients: Client[] = [];
useStack((s) => (stack = s), clients);

/** A pre-registered public client that keeps everything in memory and records where the SDK sends the user. */
class DesktopApp implements OAuthClientProvider {
  authorizationUrl?: URL;
  issuedState?: string;
  private savedTokens?: OAuthTokens;
  private verifier = "";

  get redirectUrl(): string {
    return DESKTOP.redirectUri;
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: "mcp desktop (test)", redirect_uris: [DESKTOP.redirectUri], grant_types: ["authorization_code"], response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  state(): string {
    this.issuedState = crypto.randomUUID();
    return this.issuedState;
  }
  clientInformation(): OAuthClientInformationMixed {
    return { client_id: DESKTOP.clientId };
  }
  tokens(): OAuthTokens | undefined {
    return this.savedTokens;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.savedTokens = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string): void {
    this.verifier = v;
  }
  codeVerifier(): string {
    return this.verifier;
  }
}

/** fetch that notes every request the SDK makes (method and URL). */
function recordingFetch(log: string[]): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    log.push(`${init?.method ?? (input instanceof Request ? input.method : "GET")} ${url}`);
    return fetch(input, init);
  };
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
}

function post(token: string, body: unknown): Promise<Response> {
  return fetch(stack.resource, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: "Bearer " + token },
    body: JSON.stringify(body),
  });
}

const initialize = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } } };

describe("authorization code + PKCE with the MCP SDK's OAuth client", () => {
  it("discovers the server from the 401, authorizes with S256 and the resource, and runs an MCP session on the token", async () => {
    const app = new DesktopApp();
    const requests: string[] = [];
    const first = new StreamableHTTPClientTransport(new URL(stack.resource), { authProvider: app, fetch: recordingFetch(requests) });
    await expect(new Client({ name: "desktop", version: "1.0.0" }).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);

    // Discovery went 401 -> the metadata URL the challenge named -> the issuer's metadata.
    const challenge = (await post("", initialize)).headers.get("www-authenticate") ?? "";
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadataUrl).toBe(`${new URL(stack.resource).origin}/.well-known/oauth-protected-resource/mcp`);
    expect(requests[0]).toBe(`POST ${stack.resource}`);
    expect(requests).toContain(`GET ${metadataUrl}`);
    expect(requests.some((r) => r.startsWith(`GET ${stack.as.issuer}/.well-known/`))).toBe(true);

    // The authorization request the SDK built.
    const auth = app.authorizationUrl!;
    expect(auth.origin).toBe(stack.as.issuer);
    const q = auth.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(DESKTOP.clientId);
    expect(q.get("redirect_uri")).toBe(DESKTOP.redirectUri);
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toBe(Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(app.codeVerifier()))).toString("base64url"));
    expect(q.get("resource")).toBe(stack.resource);
    expect(q.get("state")).toBe(app.issuedState);
    expect(q.get("scope")?.split(" ")).toContain("mcp:tools");

    // The user logs in and consents; the browser comes back with the code.
    const back = await new UserAgent().authorize(auth, DESKTOP.redirectUri, ALICE);
    expect(back.searchParams.get("state")).toBe(app.issuedState);
    expect(back.searchParams.get("iss")).toBe(stack.as.issuer);
    await first.finishAuth(back.searchParams.get("code")!);

    // A JWT for this resource, for alice, with only the scope she may grant.
    const token = app.tokens()!.access_token;
    const claims = claimsOf(token);
    expect(claims).toMatchObject({ iss: stack.as.issuer, aud: stack.resource, sub: "alice", client_id: DESKTOP.clientId, scope: "mcp:tools" });

    stack.mcp.clearRequests();
    const transport = new StreamableHTTPClientTransport(new URL(stack.resource), { authProvider: app });
    const client = new Client({ name: "desktop", version: "1.0.0" });
    await client.connect(transport);
    clients.push(client);
    expect(transport.sessionId).toBeTruthy();
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(["echo", "get-sum", "get-tiny-image"]);
    const echoed = await client.callTool({ name: "echo", arguments: { message: "hello from alice" } });
    expect(JSON.stringify(echoed.content)).toContain("hello from alice");
    // get-env needs mcp:admin, which alice could not grant.
    await expect(client.callTool({ name: "get-env", arguments: {} })).rejects.toThrow(/forbidden|insufficient/);
    for (const r of stack.mcp.requests()) {
      expect(r.headers["x-mcp-subject"]).toBe("alice");
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it("refuses a token the same user and client got for another resource", async () => {
    const metadata = (await discoverAuthorizationServerMetadata(stack.as.issuer))!;
    const clientInformation = { client_id: DESKTOP.clientId };
    const { authorizationUrl, codeVerifier } = await startAuthorization(stack.as.issuer, {
      metadata,
      clientInformation,
      redirectUrl: DESKTOP.redirectUri,
      scope: "mcp:tools",
      resource: new URL(stack.otherResource),
    });
    const back = await new UserAgent().authorize(authorizationUrl, DESKTOP.redirectUri, ALICE);
    const code = back.searchParams.get("code")!;
    const tokens = await exchangeAuthorization(stack.as.issuer, { metadata, clientInformation, authorizationCode: code, codeVerifier, redirectUri: DESKTOP.redirectUri, resource: new URL(stack.otherResource) });
    const claims = claimsOf(tokens.access_token);
    expect(claims).toMatchObject({ aud: stack.otherResource, sub: "alice", scope: "mcp:tools" });

    // Valid signature, issuer, user and scope: only the audience is wrong.
    const res = await post(tokens.access_token, initialize);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    stack.mcp.clearRequests();
    expect((await post(tokens.access_token, { jsonrpc: "2.0", id: 1, method: "tools/list" })).status).toBe(401);
    expect(stack.mcp.requests()).toEqual([]);
  });

  it("gets no token for a code presented without its PKCE verifier", async () => {
    const metadata = (await discoverAuthorizationServerMetadata(stack.as.issuer))!;
    const clientInformation = { client_id: DESKTOP.clientId };
    const { authorizationUrl } = await startAuthorization(stack.as.issuer, { metadata, clientInformation, redirectUrl: DESKTOP.redirectUri, scope: "mcp:tools", resource: new URL(stack.resource) });
    const back = await new UserAgent().authorize(authorizationUrl, DESKTOP.redirectUri, ALICE);
    const stolen = back.searchParams.get("code")!;
    const attempt = exchangeAuthorization(stack.as.issuer, {
      metadata,
      clientInformation,
      authorizationCode: stolen,
      codeVerifier: "an-attacker-does-not-know-the-verifier-0123456789abcdef",
      redirectUri: DESKTOP.redirectUri,
      resource: new URL(stack.resource),
    });
    await expect(attempt).rejects.toThrow(/grant|PKCE|verif/i);
  });
});
