// The user-facing pages of the test authorization server, for the
// authorization code flow: oidc-provider sends the browser to
// /interaction/<uid>; GET there tells which prompt is open (login or
// consent, as JSON instead of an HTML form), and the browser answers with a
// form POST to /interaction/<uid>/login (username, password) or
// /interaction/<uid>/consent. Consent grants the requested scopes the user is
// entitled to and rejects the others, so the token carries only those.
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";

export interface TestUser {
  username: string;
  password: string;
  /** Scopes this user may grant to a client. */
  scopes: string[];
}

const ROUTE = /^\/interaction\/([\w-]+)(?:\/(login|consent))?$/;

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => resolve(new URLSearchParams(body)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) }).end(text);
}

/** Handles the interaction routes; returns false for any other request. */
export function handleInteraction(provider: Provider, users: TestUser[], req: IncomingMessage, res: ServerResponse): boolean {
  const m = ROUTE.exec((req.url ?? "").split("?")[0]);
  if (!m) return false;
  const action = m[2];
  (async () => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== m[1]) return send(res, 400, { error: "interaction does not match this browser's session" });
    if (req.method === "GET" && action === undefined) {
      return send(res, 200, { uid: details.uid, prompt: details.prompt.name, client_id: details.params.client_id, scope: details.params.scope });
    }
    if (req.method !== "POST" || action !== details.prompt.name) return send(res, 400, { error: `expected the ${details.prompt.name} prompt` });
    const form = await readForm(req);
    if (action === "login") {
      const user = users.find((u) => u.username === form.get("username"));
      if (!user || user.password !== form.get("password")) return send(res, 403, { error: "wrong username or password" });
      return provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
    }
    const accountId = details.session?.accountId;
    const user = users.find((u) => u.username === accountId);
    if (!user) return send(res, 400, { error: "no one is logged in" });
    const grant = new provider.Grant({ accountId: user.username, clientId: String(details.params.client_id) });
    const missing = (details.prompt.details.missingResourceScopes ?? {}) as Record<string, string[]>;
    for (const [resource, scopes] of Object.entries(missing)) {
      const granted = scopes.filter((s) => user.scopes.includes(s));
      const refused = scopes.filter((s) => !user.scopes.includes(s));
      if (granted.length) grant.addResourceScope(resource, granted.join(" "));
      if (refused.length) grant.rejectResourceScope(resource, refused.join(" "));
    }
    const oidcScopes = (details.prompt.details.missingOIDCScope ?? []) as string[];
    if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(" "));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  })().catch((e: Error) => {
    if (!res.headersSent) send(res, 400, { error: e.message });
  });
  return true;
}
