// A scripted browser for the authorization code flow: opens the
// authorization URL, follows redirects with the authorization server's
// cookies, logs the user in and consents on the interaction pages
// (./interactions.ts), and stops at the client's redirect URI, whose URL
// (code, state, iss) it returns. Loopback only, like every test.
export interface Login {
  username: string;
  password: string;
}

export class UserAgent {
  private cookies = new Map<string, string>();

  /** Runs the user's part of an authorization request; resolves with the redirect back to the client. */
  async authorize(authorizationUrl: URL, redirectUri: string, login: Login): Promise<URL> {
    let url = authorizationUrl;
    for (let hops = 0; hops < 20; hops++) {
      if (url.href.startsWith(redirectUri)) return url;
      if (url.hostname !== "127.0.0.1") throw new Error(`refusing to leave loopback: ${url.href}`);
      const interaction = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
      let res: Response;
      if (interaction) {
        const page = (await (await this.request(url)).json()) as { prompt?: string; error?: string };
        if (page.prompt === undefined) throw new Error(`interaction page: ${page.error}`);
        const form = page.prompt === "login" ? new URLSearchParams({ username: login.username, password: login.password }) : new URLSearchParams({ confirm: "yes" });
        res = await this.request(new URL(`${url.pathname}/${page.prompt}`, url), form);
      } else {
        res = await this.request(url);
      }
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || location === null) throw new Error(`${url.pathname}: ${res.status} ${await res.text()}`);
      url = new URL(location, url);
    }
    throw new Error("too many redirects");
  }

  private async request(url: URL, form?: URLSearchParams): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (form) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(url, { method: form ? "POST" : "GET", headers, body: form?.toString(), redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}
