// Packages every filter as OCI images in two formats (see scripts/oci/):
// build/oci/<filter>/higress/ (Higress plugin image) and
// build/oci/<filter>/wasm/ (Wasm OCI image for Istio and Envoy Gateway).
//
//   npm run package                       every filter that builds; others are skipped with the reason
//   npm run package -- --require-all      fail when a filter cannot be packaged
//   npm run package -- --only NAME        one filter
//   npm run package -- --no-build         use build/ as it is
//   npm run package -- --fixtures         also the test fixtures (the probe)
//   npm run package -- --out DIR          another output directory (default build/oci)
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BUILD } from "./lib/paths.ts";
import { packageFilters } from "./oci/package-filters.ts";

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: "string" },
      out: { type: "string" },
      "require-all": { type: "boolean" },
      "no-build": { type: "boolean" },
      fixtures: { type: "boolean" },
    },
  });
  try {
    await packageFilters({
      outDir: values.out ? resolve(values.out) : join(BUILD, "oci"),
      only: values.only,
      requireAll: values["require-all"],
      noBuild: values["no-build"],
      fixtures: values.fixtures,
    });
    return 0;
  } catch (e) {
    console.error(`package failed: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => (console.error(e), process.exit(1)));
}
