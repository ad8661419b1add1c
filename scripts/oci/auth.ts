// Registry authentication: answers a 401 challenge (WWW-Authenticate) with
// Basic credentials or a Bearer token from the realm the registry names.
export interface Credentials {
  username?: string;
  password?: string;
  /** A registry token sent as `Authorization: Bearer` as it is (no exchange). */
  token?: string;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string): Challenge {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([A-Za-z_]+)="([^"]*)"|([A-Za-z_]+)=([^,\s]+)/g)) {
    params[(m[1] ?? m[3]).toLowerCase()] = m[2] ?? m[4];
  }
  return { scheme, params };
}

function basic(c: Credentials): string {
  return "Basic " + Buffer.from(`${c.username}:${c.password ?? ""}`).toString("base64");
}

export class AuthError extends Error {}

/** The Authorization header value that answers a challenge for `scope`. */
export async function answerChallenge(header: string | null, creds: Credentials, scope: string): Promise<string> {
  if (!header) throw new AuthError("the registry answered 401 without a WWW-Authenticate challenge");
  const ch = parseChallenge(header);
  if (ch.scheme === "basic") {
    if (!creds.username) throw new AuthError(`the registry requires a login (Basic realm "${ch.params.realm ?? ""}"): set REGISTRY_USERNAME and REGISTRY_PASSWORD`);
    return basic(creds);
  }
  if (ch.scheme !== "bearer") throw new AuthError(`unsupported authentication scheme in challenge: ${header}`);
  if (creds.token) return `Bearer ${creds.token}`;
  const realm = ch.params.realm;
  if (!realm) throw new AuthError(`Bearer challenge without a realm: ${header}`);
  const url = new URL(realm);
  if (ch.params.service) url.searchParams.set("service", ch.params.service);
  // Ask for push and pull at once: the challenge names only what the failed request needed.
  url.searchParams.set("scope", scope);
  let res: Response;
  try {
    res = await fetch(url, { headers: creds.username ? { authorization: basic(creds) } : {} });
  } catch (e) {
    throw new AuthError(`cannot reach the token service ${url.origin}: ${causeOf(e)}`);
  }
  const text = await res.text();
  if (!res.ok) {
    const who = creds.username ? `for user ${creds.username}` : "anonymously (set REGISTRY_USERNAME/REGISTRY_PASSWORD or REGISTRY_TOKEN)";
    throw new AuthError(`the token service ${url.origin} refused a token ${who}: HTTP ${res.status} ${text.slice(0, 200)}`);
  }
  let body: { token?: string; access_token?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new AuthError(`the token service ${url.origin} answered with something that is not JSON`);
  }
  const token = body.token ?? body.access_token;
  if (!token) throw new AuthError(`the token service ${url.origin} answered without a token`);
  return `Bearer ${token}`;
}

/** The most useful part of a fetch failure: ECONNREFUSED, ENOTFOUND, a TLS error ... */
export function causeOf(e: unknown): string {
  const err = e as { cause?: { code?: string; message?: string }; message?: string };
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}
