// A real OAuth 2.0 authorization server for the mcp-auth tests: oidc-provider
// on a free loopback port, issuing RS256 JWT access tokens for the MCP
// resource given as RFC 8707 resource indicator, by the client credentials
// grant (confidential clients) or the authorization code grant with PKCE
// (public clients, users logging in through ./interactions.ts), its keys
// served at /jwks. rotate() switches to a new signing key
// (the old one stays published), as an issuer rotating keys would. The JWKS
// also publishes a P-256 key (esKey()), for ES256 tokens a test signs itself.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { ecKey, rsaKey, type TestKey } from "./tokens.ts";
import { handleInteraction, type TestUser } from "./interactions.ts";

export type { TestUser };

/** A public client (no secret) that uses the authorization code grant with PKCE. */
export interface PublicClient {
  clientId: string;
  redirectUri: string;
  /** Scopes it may ask for. */
  scope: string;
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
  /** Scopes the client may request. */
  scope: string;
}

export interface AuthorizationServerOptions {
  /** The MCP resource URI tokens are issued for (their aud). */
  resource: string;
  clients: TestClient[];
  publicClients?: PublicClient[];
  users?: TestUser[];
  /** Other resource servers it issues tokens for (their aud), e.g. another MCP server. */
  otherResources?: string[];
  /** Scopes the server knows. */
  scopes: string[];
  accessTokenTtlSeconds?: number;
}

export interface AuthorizationServer {
  issuer: string;
  port: number;
  /** The key tokens are signed with now. */
  signingKey(): TestKey;
  /** The P-256 key the JWKS also publishes (tokens the server issues are RS256). */
  esKey(): TestKey;
  /** Signs with a new RSA key from now on; the previous keys stay in the JWKS. */
  rotate(): TestKey;
  /** A token for `client` by the client credentials grant (as any OAuth client would get it). */
  clientCredentialsToken(client: TestClient, scope?: string): Promise<string>;
  close(): Promise<void>;
}

function makeProvider(issuer: string, opts: AuthorizationServerOptions, keys: TestKey[], es: TestKey): Provider {
  const users = opts.users ?? [];
  const resources = [opts.resource, ...(opts.otherResources ?? [])];
  return new Provider(issuer, {
    clients: [
      ...opts.clients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        grant_types: ["client_credentials"],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: "client_secret_basic",
        scope: c.scope,
      })),
      ...(opts.publicClients ?? []).map((c) => ({
        client_id: c.clientId,
        grant_types: ["authorization_code"],
        redirect_uris: [c.redirectUri],
        response_types: ["code"],
        token_endpoint_auth_method: "none", // public: PKCE is required
        scope: c.scope,
      })),
    ],
    jwks: { keys: [...keys, es].map((k) => k.privateJwk!) },
    scopes: opts.scopes,
    findAccount: (_ctx: unknown, id: string) => (users.some((u) => u.username === id) ? { accountId: id, claims: () => ({ sub: id }) } : undefined),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    ttl: { Interaction: 300, Session: 600, Grant: 600, AuthorizationCode: 60, AccessToken: opts.accessTokenTtlSeconds ?? 600, ClientCredentials: opts.accessTokenTtlSeconds ?? 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => opts.resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => {
          if (!resources.includes(resourceIndicator)) throw new Error("unknown resource " + resourceIndicator);
          return {
            scope: opts.scopes.join(" "),
            audience: resourceIndicator,
            accessTokenTTL: opts.accessTokenTtlSeconds ?? 600,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
  });
}

export async function startAuthorizationServer(opts: AuthorizationServerOptions): Promise<AuthorizationServer> {
  let keys = [rsaKey("as-key-1")];
  const es = ecKey("as-es256");
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const install = () => {
    const provider = makeProvider(issuer, opts, keys, es);
    const callback = provider.callback();
    handler = (req, res) => {
      if (!handleInteraction(provider, opts.users ?? [], req, res)) callback(req, res);
    };
  };
  install();

  return {
    issuer,
    port,
    signingKey: () => keys[0],
    esKey: () => es,
    rotate() {
      keys = [rsaKey(`as-key-${keys.length + 1}`), ...keys];
      install();
      return keys[0];
    },
    async clientCredentialsToken(client, scope) {
      const body = new URLSearchParams({ grant_type: "client_credentials", resource: opts.resource, scope: scope ?? client.scope });
      const res = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic " + Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64") },
        body,
      });
      const json = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!json.access_token) throw new Error(`token request failed: ${res.status} ${json.error} ${json.error_description}`);
      return json.access_token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
