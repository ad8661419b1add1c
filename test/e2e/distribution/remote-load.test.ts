// Envoy runs what the registry serves: `npm run publish` pushes the probe's
// images; envoy/recipes/remote-oci.yaml points vm_config.code.remote at the
// Wasm OCI image's module layer (blob URL + sha256), and the Higress image,
// pulled back with skopeo and unpacked as Higress does, runs from a file. A
// request through Envoy shows the module running with its configuration.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TMP } from "../../../scripts/lib/paths.ts";
import { moduleLayer } from "../../../scripts/oci/images.ts";
import { Envoy } from "../../harness/envoy.ts";
import { readTemplate } from "../../harness/template.ts";
import * as MT from "../../../scripts/oci/media-types.ts";
import { packagedProbe } from "./fixture-image.ts";
import { runScript, skopeo, tempDir } from "./tools.ts";
import { startRegistry, type Registry } from "./registry.ts";

let registry: Registry;
let probe: Awaited<ReturnType<typeof packagedProbe>>;
let layerHex: string;
let envoy: Envoy | undefined;

beforeAll(async () => {
  probe = await packagedProbe();
  layerHex = moduleLayer(probe.images[1]).digest.slice("sha256:".length);
  registry = await startRegistry();
  const pushed = await runScript("publish.ts", ["--from", probe.outDir, "--registry", `${registry.host}/plugins`, "--plain-http"]);
  if (pushed.code !== 0) throw new Error(`publish failed:\n${pushed.stdout}${pushed.stderr}`);
});

afterEach(async () => {
  await envoy?.stop();
  envoy = undefined;
});

afterAll(async () => {
  await registry?.stop();
  rmSync(probe.outDir, { recursive: true, force: true });
});

function start(sha256: string, name = "remote-oci", config = "envoy/recipes/remote-oci.yaml"): Promise<Envoy> {
  return Envoy.start({
    config,
    name,
    vars: {
      REGISTRY_PORT: registry.port,
      WASM_REPOSITORY: "plugins/probe-wasm",
      WASM_SHA256: sha256,
      FILTER_NAME: "probe",
      PLUGIN_CONFIG: '{"from":"oci"}',
    },
  });
}

describe("remote loading from the registry", () => {
  it("runs the module fetched from the blob URL", async () => {
    envoy = await start(layerHex);
    const res = await fetch(envoy.url("/"), { headers: { "x-probe-op": "config" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-probe-config")).toBe('{"from":"oci"}');
    expect(await res.text()).toBe("ok\n");
    envoy.assertHealthy();
  });

  it("refuses a blob whose bytes do not match the sha256: no request reaches the filter", async () => {
    // The blob URL names the real layer; the sha256 Envoy checks names other bytes.
    const template = readTemplate("envoy/recipes/remote-oci.yaml").replace('sha256: "${WASM_SHA256}"', `sha256: "${"ab".repeat(32)}"`);
    const path = join(TMP, `remote-oci-mismatch-${process.pid}.yaml`);
    writeFileSync(path, template);
    try {
      envoy = await start(layerHex, "remote-oci-mismatch", path);
    } finally {
      rmSync(path);
    }
    const res = await fetch(envoy.url("/"), { headers: { "x-probe-op": "config" } });
    expect(res.status).toBe(503);
    expect(res.headers.get("x-probe-config")).toBeNull();
    expect(envoy.logs()).toContain("Retry limit exceeded for fetching data from remote data source");
    expect(envoy.logs()).toContain("Plugin probe failed to load");
  });
});

describe("the Higress plugin image, pulled back", () => {
  it("holds the module in its last layer as plugin.wasm, and Envoy runs it", async () => {
    const dir = tempDir("higress-pull-");
    const upstream = createServer((_, res) => res.end("upstream\n"));
    try {
      await skopeo(["copy", "--src-tls-verify=false", "--preserve-digests", `docker://${registry.host}/plugins/probe:latest`, `dir:${dir}`]);
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
      const last = manifest.layers[manifest.layers.length - 1];
      expect(last.mediaType).toBe(MT.OCI_TAR_GZIP_LAYER);
      execFileSync("tar", ["-xzf", join(dir, last.digest.slice("sha256:".length)), "-C", dir, "plugin.wasm"]);
      expect(readFileSync(join(dir, "plugin.wasm"))).toEqual(moduleLayer(probe.images[1]).data);

      await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
      envoy = await Envoy.start({
        config: "envoy/recipes/per-route.yaml",
        name: "higress-image",
        vars: {
          WASM_FILE: join(dir, "plugin.wasm"),
          FILTER_NAME: "probe",
          PLUGIN_CONFIG: '{"from":"higress-image"}',
          UPSTREAM_PORT: (upstream.address() as { port: number }).port,
        },
      });
      const res = await fetch(envoy.url("/"), { headers: { "x-probe-op": "config" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-probe-config")).toBe('{"from":"higress-image"}');
      envoy.assertHealthy();
    } finally {
      await new Promise((r) => upstream.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
