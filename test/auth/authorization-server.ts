// A real OAuth 2.0 authorization server for the mcp-auth tests: oidc-provider
// on a free loopback port, issuing RS256 JWT access tokens (client
// credentials grant) for the MCP resource given as RFC 8707 resource
// indicator, its keys served at /jwks. rotate() switches to a new signing key
// (the old one stays published), as an issuer rotating keys would. The JWKS
// also publishes a P-256 key (esKey()), for ES256 tokens a test signs itself.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { ecKey, rsaKey, type TestKey } from "./tokens.ts";

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
  return new Provider(issuer, {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      grant_types: ["client_credentials"],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: "client_secret_basic",
      scope: c.scope,
    })),
    jwks: { keys: [...keys, es].map((k) => k.privateJwk!) },
    scopes: opts.scopes,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => opts.resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => {
          if (resourceIndicator !== opts.resource) throw new Error("unknown resource " + resourceIndicator);
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
    handler = makeProvider(issuer, opts, keys, es).callback();
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
