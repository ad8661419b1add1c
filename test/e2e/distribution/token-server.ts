// A minimal token service for the registry's token auth (Bearer): checks
// Basic credentials and signs a JWT with an x5c chain the registry trusts.
import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { SignJWT } from "jose";
import { ensureCommands } from "./tools.ts";

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certPath: string;
  /** Scopes asked for, in order. */
  requests: string[];
  stop(): Promise<void>;
}

export async function startTokenServer(dir: string, user: { username: string; password: string }): Promise<TokenServer> {
  ensureCommands();
  const keyPath = join(dir, "token.key");
  const certPath = join(dir, "token.crt");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath, "-subj", "/CN=test-token-issuer", "-days", "2"], { stdio: "ignore" });
  const key = createPrivateKey(readFileSync(keyPath));
  const certDer = new X509Certificate(readFileSync(certPath)).raw.toString("base64");
  const service = "test-registry";
  const issuer = "test-token-issuer";
  const requests: string[] = [];
  const expected = "Basic " + Buffer.from(`${user.username}:${user.password}`).toString("base64");

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const scope = url.searchParams.get("scope") ?? "";
    requests.push(scope);
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"details":"bad credentials"}');
      return;
    }
    const [type, name, actions] = scope.split(":");
    const access = type === "repository" ? [{ type, name, actions: actions.split(",") }] : [];
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: "RS256", x5c: [certDer] })
      .setIssuer(issuer)
      .setAudience(url.searchParams.get("service") ?? "")
      .setSubject(user.username)
      .setIssuedAt()
      .setNotBefore("-10s")
      .setExpirationTime("5m")
      .setJti(String(requests.length))
      .sign(key);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    requests,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
