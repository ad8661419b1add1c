// The project's filters as `npm run package` and `npm run publish` ship them:
// each one's Wasm OCI image pushed to the registry, then loaded by Envoy from
// the blob URL (envoy/recipes/remote-oci.yaml) with the configuration from
// envoy/recipes/chain.yaml. The bundle's image (ai-gateway) is loaded once
// per filter it serves, picked by root_id. A filter that is not built is
// skipped, named.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverTargets } from "../../../scripts/build.ts";
import { moduleLayer } from "../../../scripts/oci/images.ts";
import { packageFilters, type Packaged } from "../../../scripts/oci/package-filters.ts";
import { Envoy } from "../../harness/envoy.ts";
import { BUNDLED_FILTERS } from "../../harness/template.ts";
import { chainPluginConfig } from "./chain-config.ts";
import { startRegistry, type Registry } from "./registry.ts";
import { runScript, tempDir } from "./tools.ts";

const filters = discoverTargets().filter((t) => !t.fixture);
const BUNDLE = "ai-gateway";
/** Modules that are another build of a filter: the filter they run, and what its configuration gains. */
const VARIANTS: Record<string, { filter: string; extra: Record<string, unknown> }> = {
  "semantic-router-embed": { filter: "semantic-router", extra: { classifier: "embeddings" } },
};
/** Each module's image with the filter (root_id) it runs: its own, or each of the bundle's. */
const loads = filters.flatMap((t) =>
  (t.name === BUNDLE ? BUNDLED_FILTERS : [VARIANTS[t.name]?.filter ?? t.name]).map((filter) => ({ target: t, filter, extra: VARIANTS[t.name]?.extra })),
);

function configFor(filter: string, extra?: Record<string, unknown>): string | undefined {
  const config = chainPluginConfig(filter);
  return config === undefined || extra === undefined ? config : JSON.stringify({ ...JSON.parse(config), ...extra });
}
let registry: Registry;
let outDir: string;
let packaged: Packaged[] = [];

beforeAll(async () => {
  outDir = tempDir("oci-filters-");
  if (!filters.some((f) => existsSync(join(f.outDir, `${f.name}.wasm`)))) return;
  packaged = await packageFilters({ outDir, noBuild: true, log: () => {} });
  registry = await startRegistry();
  const pushed = await runScript("publish.ts", ["--from", outDir, "--registry", `${registry.host}/ai-gateway`, "--plain-http", "--format", "wasm"]);
  if (pushed.code !== 0) throw new Error(`publish failed:\n${pushed.stdout}${pushed.stderr}`);
});

afterAll(async () => {
  await registry?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

describe("each filter loads from the registry in Envoy", () => {
  for (const { target: f, filter, extra } of loads) {
    const built = existsSync(join(f.outDir, `${f.name}.wasm`));
    const config = configFor(filter, extra);
    const skip = !built ? `not built: build/${f.name}.wasm` : config === undefined ? "no configuration in envoy/recipes/chain.yaml" : undefined;
    const title = f.name === filter ? filter : `${filter} from the ${f.name} image`;
    it.skipIf(skip !== undefined)(`${title}${skip ? ` (skipped: ${skip})` : ""}`, async () => {
      const image = packaged.find((p) => p.name === f.name)!.images.find((i) => i.format === "wasm")!;
      const envoy = await Envoy.start({
        config: "envoy/recipes/remote-oci.yaml",
        name: `remote-${f.name}-${filter}`,
        // The recipe names the file to load itself (a registry blob).
        wasmForm: "modules",
        vars: {
          REGISTRY_PORT: registry.port,
          WASM_REPOSITORY: `ai-gateway/${f.name}-wasm`,
          WASM_SHA256: moduleLayer(image).digest.slice("sha256:".length),
          FILTER_NAME: filter,
          PLUGIN_CONFIG: config!,
        },
      });
      try {
        // A plugin that failed to load answers every request with 503 (FAIL_CLOSED).
        const res = await fetch(envoy.url("/healthz"));
        await res.arrayBuffer();
        expect(res.status, envoy.tail()).not.toBe(503);
        expect(envoy.logs()).not.toMatch(/Plugin \S+ failed to load/);
        envoy.assertHealthy();
      } finally {
        await envoy.stop();
      }
    });
  }
});
