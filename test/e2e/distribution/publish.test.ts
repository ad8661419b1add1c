// `npm run publish` against Debian's docker-registry on loopback, checked
// with skopeo (an independent OCI client): manifests, media types, tags and
// byte-identical blobs; then auth (Basic, Bearer token) and failures.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { moduleLayer, type Image } from "../../../scripts/oci/images.ts";
import * as MT from "../../../scripts/oci/media-types.ts";
import { freePort } from "../../harness/ports.ts";
import { packagedProbe } from "./fixture-image.ts";
import { runScript, skopeo, tempDir } from "./tools.ts";
import { startRegistry, type Registry } from "./registry.ts";
import { startTokenServer, type TokenServer } from "./token-server.ts";

let probe: Awaited<ReturnType<typeof packagedProbe>>;
let higress: Image;
let wasm: Image;
const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;

beforeAll(async () => {
  probe = await packagedProbe();
  [higress, wasm] = probe.images;
});

afterAll(() => rmSync(probe.outDir, { recursive: true, force: true }));

/** The config and layer digests, each once (the Wasm image's config is also its first layer). */
function uniqueBlobs(image: Image): number {
  return new Set([image.config, ...image.layers].map((b) => b.digest)).size;
}

function publish(registry: string, extra: string[] = [], env: Record<string, string> = {}, from = probe.outDir) {
  return runScript("publish.ts", ["--from", from, "--registry", registry, "--plain-http", ...extra], env);
}

async function manifestStatus(r: Registry, repo: string, tag: string): Promise<number> {
  const res = await fetch(`${r.url}/v2/${repo}/manifests/${tag}`, { method: "HEAD", headers: { accept: MT.OCI_MANIFEST } });
  return res.status;
}

describe("publish to an anonymous registry", () => {
  let registry: Registry;
  let first: Awaited<ReturnType<typeof runScript>>;

  beforeAll(async () => {
    registry = await startRegistry();
    first = await publish(`${registry.host}/plugins`);
  });
  afterAll(() => registry?.stop());

  it("pushes both images under the version and latest, printing each blob", () => {
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`push probe (higress) -> ${registry.host}/plugins/probe:${version},latest`);
    expect(first.stdout).toContain(`push probe (wasm) -> ${registry.host}/plugins/probe-wasm:${version},latest`);
    expect(first.stdout.match(/ uploaded$/gm)).toHaveLength(uniqueBlobs(higress) + uniqueBlobs(wasm));
    expect(first.stdout).toContain(`${registry.host}/plugins/probe:latest@${higress.manifest.digest}`);
  });

  it("skopeo reads the Higress plugin image: spec, README, then plugin.tar.gz", async () => {
    for (const tag of [version, "latest"]) {
      const raw = await skopeo(["inspect", "--raw", "--tls-verify=false", `docker://${registry.host}/plugins/probe:${tag}`]);
      expect(Buffer.from(raw)).toEqual(higress.manifest.data);
    }
    const m = JSON.parse(higress.manifest.data.toString());
    expect(m.mediaType).toBe(MT.OCI_MANIFEST);
    expect(m.config.mediaType).toBe(MT.OCI_IMAGE_CONFIG);
    expect(m.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([MT.HIGRESS_SPEC, MT.HIGRESS_README, MT.OCI_TAR_GZIP_LAYER]);
    const info = JSON.parse(await skopeo(["inspect", "--tls-verify=false", `docker://${registry.host}/plugins/probe:latest`]));
    expect(info.Digest).toBe(higress.manifest.digest);
    expect(info.Architecture).toBe("wasm");
  });

  it("skopeo reads the Wasm OCI image: module config and one raw wasm layer", async () => {
    const raw = await skopeo(["inspect", "--raw", "--tls-verify=false", `docker://${registry.host}/plugins/probe-wasm:${version}`]);
    expect(Buffer.from(raw)).toEqual(wasm.manifest.data);
    const m = JSON.parse(raw);
    expect(m.config.mediaType).toBe(MT.WASM_CONFIG);
    // Istio's fetcher takes this variant only with exactly two layers: runtime config, module.
    expect(m.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([MT.WASM_CONFIG, MT.WASM_CONTENT_LAYER]);
    expect(m.layers[0].digest).toBe(m.config.digest);
    const config = JSON.parse(await skopeo(["inspect", "--config", "--raw", "--tls-verify=false", `docker://${registry.host}/plugins/probe-wasm:latest`]));
    expect(config).toEqual({ type: "envoy_proxy", abiVersions: ["v0.2.1"], config: { root_ids: ["probe"] } });
  });

  it("skopeo copies both images back byte for byte", async () => {
    for (const [repo, image] of [["probe", higress], ["probe-wasm", wasm]] as const) {
      const dir = tempDir("copy-");
      try {
        await skopeo(["copy", "--src-tls-verify=false", "--preserve-digests", `docker://${registry.host}/plugins/${repo}:${version}`, `dir:${dir}`]);
        expect(readFileSync(join(dir, "manifest.json"))).toEqual(image.manifest.data);
        for (const b of [image.config, ...image.layers]) {
          expect(readFileSync(join(dir, b.digest.slice("sha256:".length))), `${repo} ${b.mediaType}`).toEqual(b.data);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it("a second publish finds every blob already there and re-tags", async () => {
    const again = await publish(`${registry.host}/plugins`);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/ uploaded$/m);
    expect(again.stdout.match(/ already there$/gm)).toHaveLength(uniqueBlobs(higress) + uniqueBlobs(wasm));
  });

  it("--dry-run prints the plan and pushes nothing", async () => {
    const dry = await publish(`${registry.host}/dry`, ["--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would push probe (wasm) -> ${registry.host}/dry/probe-wasm:${version},latest`);
    expect(dry.stdout).toContain(MT.WASM_CONTENT_LAYER);
    expect(await manifestStatus(registry, "dry/probe", version)).toBe(404);
  });

  it("refuses a layout whose blob does not match its digest, before pushing anything", async () => {
    const from = tempDir("tampered-");
    try {
      cpSync(probe.outDir, from, { recursive: true });
      const layer = join(from, "probe", "wasm", "blobs", "sha256", moduleLayer(wasm).digest.slice(7));
      const bytes = readFileSync(layer);
      bytes[bytes.length - 1] ^= 0xff;
      writeFileSync(layer, bytes);
      const res = await publish(`${registry.host}/tampered`, [], {}, from);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^publish failed: digest mismatch in layer 2 .*: descriptor says sha256:[0-9a-f]{64}, content hashes to sha256:[0-9a-f]{64}\n$/);
      expect(await manifestStatus(registry, "tampered/probe", version)).toBe(404);
    } finally {
      rmSync(from, { recursive: true, force: true });
    }
  });

  it("names the missing input when there is nothing to publish", async () => {
    const empty = tempDir("empty-");
    try {
      const res = await publish(`${registry.host}/x`, [], {}, empty);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^publish failed: nothing to publish in .*run npm run package first/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

/** Forwards to a registry; for manifest PUTs it reports a digest other than the one stored. */
async function lyingProxy(target: Registry): Promise<{ host: string; close: () => Promise<void> }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k))) as Record<string, string>;
    const upstream = await fetch(`${target.url}${req.url}`, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
      redirect: "manual",
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => (out[k] = k === "location" ? v.replace(target.url, "") : v));
    delete out["content-length"];
    delete out["content-encoding"];
    if (req.method === "PUT" && req.url?.includes("/manifests/")) out["docker-content-digest"] = `sha256:${"0".repeat(64)}`;
    res.writeHead(upstream.status, out).end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { host: `127.0.0.1:${(server.address() as { port: number }).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe("publish failures", () => {
  it("a registry that stores another digest than the one sent: digest mismatch, exit 1", async () => {
    const registry = await startRegistry();
    const proxy = await lyingProxy(registry);
    try {
      const res = await publish(`${proxy.host}/plugins`, ["--format", "wasm"]);
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(
        `publish failed: digest mismatch for manifest plugins/probe-wasm:${version}: we sent ${wasm.manifest.digest}, the registry stored sha256:${"0".repeat(64)}\n`,
      );
    } finally {
      await proxy.close();
      await registry.stop();
    }
  });

  it("registry down: connection refused, exit 1", async () => {
    const port = await freePort();
    const res = await publish(`127.0.0.1:${port}/plugins`);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`publish failed: cannot reach the registry http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  it("no registry given", async () => {
    const res = await runScript("publish.ts", ["--from", probe.outDir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("publish failed: no registry");
  });
});

describe("publish with Basic auth (htpasswd)", () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry({ kind: "basic", username: "ci", password: "s3cret" });
  });
  afterAll(() => registry?.stop());

  it("without credentials: says a login is needed, exit 1", async () => {
    const res = await publish(`${registry.host}/plugins`);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('publish failed: the registry requires a login (Basic realm "test-registry"): set REGISTRY_USERNAME and REGISTRY_PASSWORD');
  });

  it("with a wrong password: says the registry refused the user, exit 1", async () => {
    const res = await publish(`${registry.host}/plugins`, [], { REGISTRY_USERNAME: "ci", REGISTRY_PASSWORD: "wrong" });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^publish failed: the registry http:\/\/127\.0\.0\.1:\d+ refused user ci \(HTTP 401\)( \(wrong credentials|: UNAUTHORIZED)/);
  });

  it("with the right credentials: pushes, and skopeo pulls with them", async () => {
    const res = await publish(`${registry.host}/plugins`, [], { REGISTRY_USERNAME: "ci", REGISTRY_PASSWORD: "s3cret" });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const raw = await skopeo(["inspect", "--raw", "--tls-verify=false", "--creds", "ci:s3cret", `docker://${registry.host}/plugins/probe-wasm:latest`]);
    expect(Buffer.from(raw)).toEqual(wasm.manifest.data);
  });
});

describe("publish with Bearer token auth (registry token service)", () => {
  let registry: Registry;
  let tokens: TokenServer;
  let certDir: string;
  beforeAll(async () => {
    certDir = tempDir("token-");
    tokens = await startTokenServer(certDir, { username: "ci", password: "tok3n-pw" });
    registry = await startRegistry({ kind: "token", realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certPath: tokens.certPath });
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  it("exchanges the credentials for a push token and pushes", async () => {
    const res = await publish(`${registry.host}/plugins`, ["--only", "probe", "--format", "wasm"], { REGISTRY_USERNAME: "ci", REGISTRY_PASSWORD: "tok3n-pw" });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    expect(tokens.requests).toContain("repository:plugins/probe-wasm:pull,push");
    const raw = await skopeo(["inspect", "--raw", "--tls-verify=false", "--creds", "ci:tok3n-pw", `docker://${registry.host}/plugins/probe-wasm:${version}`]);
    expect(Buffer.from(raw)).toEqual(wasm.manifest.data);
  });

  it("a refused token request is reported with the token service's answer, exit 1", async () => {
    const res = await publish(`${registry.host}/plugins`, [], { REGISTRY_USERNAME: "ci", REGISTRY_PASSWORD: "nope" });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^publish failed: the token service http:\/\/127\.0\.0\.1:\d+ refused a token for user ci: HTTP 401/);
  });

  it("a token the registry does not accept is reported as refused, exit 1", async () => {
    const res = await publish(`${registry.host}/plugins`, [], { REGISTRY_TOKEN: "not-a-jwt" });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^publish failed: the registry http:\/\/127\.0\.0\.1:\d+ refused the token in REGISTRY_TOKEN \(HTTP 401\)/);
  });
});
