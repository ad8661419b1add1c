// Envoy loads a filter from the registry: `npm run publish` pushes the probe's
// Wasm OCI image, envoy/recipes/remote-oci.yaml points vm_config.code.remote
// at the layer's blob URL with its sha256, and a request through Envoy shows
// the module running with its configuration.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TMP } from "../../../scripts/lib/paths.ts";
import { readTemplate } from "../../harness/template.ts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { moduleLayer } from "../../../scripts/oci/images.ts";
import { Envoy } from "../../harness/envoy.ts";
import { packagedProbe, runScript } from "./fixture-image.ts";
import { startRegistry, type Registry } from "./registry.ts";

let registry: Registry;
let probe: Awaited<ReturnType<typeof packagedProbe>>;
let layerHex: string;
let envoy: Envoy | undefined;

beforeAll(async () => {
  probe = await packagedProbe();
  layerHex = moduleLayer(probe.images[1]).digest.slice("sha256:".length);
  registry = await startRegistry();
  const pushed = await runScript("publish.ts", ["--from", probe.outDir, "--registry", `${registry.host}/plugins`, "--plain-http", "--format", "wasm"]);
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
