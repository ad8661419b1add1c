// The mcp-auth e2e stack: oidc-provider as the authorization server, the
// reference MCP server, and Envoy with mcp-auth (envoy/mcp-auth.yaml).
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { build } from "../../../scripts/build.ts";
import { Envoy } from "../../harness/envoy.ts";
import { freePort } from "../../harness/ports.ts";
import { startAuthorizationServer, type AuthorizationServer, type PublicClient, type TestClient, type TestUser } from "../../auth/authorization-server.ts";
import { startMcpUpstream, type McpUpstream } from "../../upstreams/mcp.ts";

export const READER: TestClient = { clientId: "reader", clientSecret: "reader-secret-0123456789", scope: "mcp:tools" };
export const ADMIN: TestClient = { clientId: "admin", clientSecret: "admin-secret-0123456789", scope: "mcp:tools mcp:admin" };
export const LIMITED: TestClient = { clientId: "limited", clientSecret: "limited-secret-0123456789", scope: "mcp:tools" };
/** Has a scope, but not the required mcp:tools. */
export const NOSCOPE: TestClient = { clientId: "noscope", clientSecret: "noscope-secret-0123456789", scope: "mcp:admin" };
export const API_KEY = "demo-api-key-0123456789";
/** A public client (an MCP app on the user's machine): authorization code + PKCE. */
export const DESKTOP: PublicClient = { clientId: "mcp-desktop", redirectUri: "http://127.0.0.1:1/callback", scope: "mcp:tools mcp:admin" };
/** A user who may grant mcp:tools only. */
export const ALICE: TestUser = { username: "alice", password: "alice-password-0123", scopes: ["mcp:tools"] };

export interface Stack {
  as: AuthorizationServer;
  mcp: McpUpstream;
  envoy: Envoy;
  /** http://127.0.0.1:<port>/mcp, the resource URI */
  resource: string;
  /** Another MCP server's resource URI on the same gateway, which the authorization server also issues tokens for. */
  otherResource: string;
  accessLog(): Record<string, string>[];
  stop(): Promise<void>;
}

export function pluginConfig(resource: string, issuer: string): unknown {
  return {
    resource,
    authorizationServers: [issuer],
    scopesSupported: ["mcp:tools", "mcp:admin"],
    resourceName: "everything (test)",
    requiredScopes: ["mcp:tools"],
    jwt: { issuer, jwksFetch: { cluster: "idp", path: "/jwks", authority: "idp", refreshSeconds: 300, minRefreshSeconds: 1 } },
    apiKeys: { header: "x-api-key", consumers: [{ name: "ci-bot", key: API_KEY, scopes: ["mcp:tools"] }] },
    policies: [
      { allow: { methods: ["*"], tools: ["echo", "get-sum", "get-tiny-image"], resources: ["demo://resource/static/"], prompts: ["simple-prompt"] } },
      { match: { scopes: ["mcp:admin"] }, allow: { tools: ["*"] } },
    ],
    toolScopes: [{ tools: ["get-env"], scopes: ["mcp:admin"] }],
    rateLimits: [{ tools: ["echo"], subjects: ["limited"], calls: 3, windowSeconds: 60 }],
  };
}

export async function startStack(): Promise<Stack> {
  await build({ only: "mcp-auth", quiet: true });
  const listenerPort = await freePort();
  const resource = `http://127.0.0.1:${listenerPort}/mcp`;
  const otherResource = `http://127.0.0.1:${listenerPort}/other-mcp`;
  const as = await startAuthorizationServer({
    resource,
    otherResources: [otherResource],
    scopes: ["mcp:tools", "mcp:admin"],
    clients: [READER, ADMIN, LIMITED, NOSCOPE],
    publicClients: [DESKTOP],
    users: [ALICE],
  });
  const mcp = await startMcpUpstream();
  const logDir = join(process.env.TMPDIR ?? "/tmp", `mcp-auth-e2e-${process.pid}-${listenerPort}`);
  const accessLogPath = logDir + ".log";
  const envoy = await Envoy.start({
    config: "envoy/mcp-auth.yaml",
    vars: { LISTENER_PORT: listenerPort, MCP_PORT: mcp.port, IDP_PORT: as.port, ACCESS_LOG: accessLogPath, PLUGIN_CONFIG: JSON.stringify(pluginConfig(resource, as.issuer)) },
    extraArgs: ["--file-flush-interval-msec", "100"],
  });
  return {
    as,
    mcp,
    envoy,
    resource,
    otherResource,
    accessLog: () => (existsSync(accessLogPath) ? readFileSync(accessLogPath, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []),
    async stop() {
      await envoy.stop();
      await mcp.close();
      await as.close();
    },
  };
}

/**
 * The hooks of an mcp-auth e2e file: starts the stack before its tests (handing
 * it to `onStart`), checks Envoy's health after each test, and closes
 * `clients` and stops the stack after all of them.
 */
export function useStack(onStart: (stack: Stack) => void, clients: { close(): Promise<void> }[] = []): void {
  let started: Stack | undefined;
  beforeAll(async () => {
    started = await startStack();
    onStart(started);
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await started?.stop();
  });
  afterEach(() => {
    started?.envoy.assertHealthy();
  });
}
