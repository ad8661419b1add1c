// A client for the OCI distribution API: just what publishing needs (blob
// HEAD, monolithic upload, manifest PUT), with the 401 challenge answered
// once per repository and clear errors for what goes wrong.
import type { Blob } from "./blob.ts";
import { answerChallenge, AuthError, causeOf, type Credentials } from "./auth.ts";

export class RegistryError extends Error {}

export interface RegistryRef {
  /** scheme://host[:port] */
  base: string;
  namespace: string;
  /** host[:port]/namespace, as image references print it. */
  display: string;
}

/** `host[:port][/namespace]`, optionally with http:// or https:// (default https, or http with plainHttp). */
export function parseRegistry(spec: string, plainHttp = false): RegistryRef {
  const m = /^(?:(https?):\/\/)?([^/\s]+)(?:\/(.*))?$/.exec(spec.trim());
  if (!m) throw new RegistryError(`cannot read the registry "${spec}": expected host[:port][/namespace]`);
  const scheme = m[1] ?? (plainHttp ? "http" : "https");
  const namespace = (m[3] ?? "").replace(/\/+$/, "");
  if (namespace && !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(namespace)) {
    throw new RegistryError(`"${namespace}" is not a valid repository namespace (lowercase letters, digits, . _ - and /)`);
  }
  return { base: `${scheme}://${m[2]}`, namespace, display: namespace ? `${m[2]}/${namespace}` : m[2] };
}

function errorText(status: number, body: string): string {
  try {
    const errors = JSON.parse(body).errors as { code?: string; message?: string; detail?: unknown }[];
    if (Array.isArray(errors) && errors.length) {
      return errors.map((e) => `${e.code ?? "ERROR"}: ${e.message ?? ""}${e.detail ? ` (${JSON.stringify(e.detail)})` : ""}`).join("; ");
    }
  } catch {
    // not a distribution error body
  }
  return `HTTP ${status}${body ? ` ${body.slice(0, 200).trim()}` : ""}`;
}

export class RegistryClient {
  private readonly authorization = new Map<string, string>();

  constructor(
    readonly ref: RegistryRef,
    private readonly creds: Credentials,
  ) {}

  private async send(url: string, init: RequestInit, repo: string): Promise<Response> {
    const headers = new Headers(init.headers);
    const auth = this.authorization.get(repo);
    if (auth) headers.set("authorization", auth);
    try {
      return await fetch(url, { ...init, headers, redirect: "follow" });
    } catch (e) {
      throw new RegistryError(`cannot reach the registry ${this.ref.base}: ${causeOf(e)}`);
    }
  }

  /** One request; a 401 is answered with credentials and the request sent again once. */
  private async request(method: string, path: string, repo: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(path, this.ref.base).href;
    let res = await this.send(url, { ...init, method }, repo);
    if (res.status !== 401) return res;
    if (this.authorization.has(repo)) throw await this.refused(res);
    await res.arrayBuffer();
    try {
      this.authorization.set(repo, await answerChallenge(res.headers.get("www-authenticate"), this.creds, `repository:${repo}:pull,push`));
    } catch (e) {
      throw new RegistryError((e as AuthError).message);
    }
    res = await this.send(url, { ...init, method }, repo);
    if (res.status === 401 || res.status === 403) throw await this.refused(res);
    return res;
  }

  private async refused(res: Response): Promise<RegistryError> {
    const who = this.creds.token ? "the token in REGISTRY_TOKEN" : this.creds.username ? `user ${this.creds.username}` : "an anonymous client";
    const body = await res.text();
    const detail = body ? `: ${errorText(res.status, body)}` : " (wrong credentials, or no push access to this repository)";
    return new RegistryError(`the registry ${this.ref.base} refused ${who} (HTTP ${res.status})${detail}`);
  }

  private async expect(res: Response, ok: number[], what: string): Promise<Response> {
    if (ok.includes(res.status)) return res;
    throw new RegistryError(`${what} failed: ${errorText(res.status, await res.text())}`);
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.request("HEAD", `/v2/${repo}/blobs/${digest}`, repo);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new RegistryError(`checking blob ${digest} in ${repo} failed: HTTP ${res.status}`);
  }

  /** Monolithic upload: POST for an upload session, then PUT the bytes with ?digest=. */
  async pushBlob(repo: string, blob: Blob): Promise<void> {
    const start = await this.expect(await this.request("POST", `/v2/${repo}/blobs/uploads/`, repo), [202], `starting the upload of ${blob.digest} to ${repo}`);
    await start.arrayBuffer();
    const location = start.headers.get("location");
    if (!location) throw new RegistryError(`the registry started an upload to ${repo} without a Location header`);
    const url = new URL(location, this.ref.base);
    url.searchParams.set("digest", blob.digest);
    const put = await this.request("PUT", url.href, repo, {
      body: new Uint8Array(blob.data),
      headers: { "content-type": "application/octet-stream", "content-length": String(blob.size) },
    });
    await this.expect(put, [201], `uploading blob ${blob.digest} (${blob.size} bytes) to ${repo}`);
    this.checkDigest(put, blob.digest, `blob upload to ${repo}`);
  }

  /** PUT the manifest under a tag; the registry must report the digest we computed. */
  async pushManifest(repo: string, tag: string, manifest: Blob): Promise<void> {
    const res = await this.request("PUT", `/v2/${repo}/manifests/${tag}`, repo, {
      body: new Uint8Array(manifest.data),
      headers: { "content-type": manifest.mediaType },
    });
    await this.expect(res, [201], `pushing the manifest of ${repo}:${tag}`);
    this.checkDigest(res, manifest.digest, `manifest ${repo}:${tag}`);
  }

  private checkDigest(res: Response, expected: string, what: string): void {
    const reported = res.headers.get("docker-content-digest");
    if (reported && reported !== expected) {
      throw new RegistryError(`digest mismatch for ${what}: we sent ${expected}, the registry stored ${reported}`);
    }
  }
}
