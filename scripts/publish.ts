// Pushes the images from `npm run package` (build/oci/) to an OCI registry
// through the distribution API. Higress plugin images go to <ns>/<filter>,
// Wasm OCI images (Istio, Envoy Gateway) to <ns>/<filter>-wasm; tags are
// package.json's version and latest.
//
//   npm run publish -- --registry ghcr.io/acme/ai-gateway
//   npm run publish -- --registry 127.0.0.1:5000/plugins --plain-http
//   npm run publish -- --registry ... --dry-run          print the plan, send nothing
//   npm run publish -- --registry ... --only mcp-auth --format higress
//   --from DIR   layouts to push (default build/oci)
//
// Credentials come from the environment: REGISTRY_USERNAME + REGISTRY_PASSWORD
// (Basic, or exchanged for a Bearer token when the registry asks for one), or
// REGISTRY_TOKEN (sent as a Bearer token). None: anonymous. REGISTRY can stand
// in for --registry. Exit status 1 with one readable line on any failure.
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { BUILD } from "./lib/paths.ts";
import { FORMATS, type Format } from "./oci/images.ts";
import { projectVersion } from "./oci/package-filters.ts";
import { publishLayouts } from "./oci/publish-layouts.ts";
import { parseRegistry } from "./oci/registry.ts";

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        registry: { type: "string" },
        from: { type: "string" },
        only: { type: "string" },
        format: { type: "string" },
        "plain-http": { type: "boolean" },
        "dry-run": { type: "boolean" },
      },
    });
    const spec = values.registry ?? env.REGISTRY;
    if (!spec) throw new Error("no registry: pass --registry host[:port]/namespace (or set REGISTRY)");
    if (values.format && !FORMATS.includes(values.format as Format)) {
      throw new Error(`--format must be one of ${FORMATS.join(", ")}, not ${values.format}`);
    }
    if (env.REGISTRY_USERNAME && !env.REGISTRY_PASSWORD) throw new Error("REGISTRY_USERNAME is set but REGISTRY_PASSWORD is not");
    const published = await publishLayouts({
      from: values.from ? resolve(values.from) : join(BUILD, "oci"),
      registry: parseRegistry(spec, values["plain-http"]),
      creds: { username: env.REGISTRY_USERNAME, password: env.REGISTRY_PASSWORD, token: env.REGISTRY_TOKEN },
      only: values.only,
      format: values.format as Format | undefined,
      version: projectVersion().version,
      dryRun: values["dry-run"],
    });
    const verb = values["dry-run"] ? "would publish" : "published";
    console.log(`${verb} ${published.length} reference(s):`);
    for (const p of published) console.log(`  ${p.reference}@${p.digest}`);
    return 0;
  } catch (e) {
    console.error(`publish failed: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => (console.error(e), process.exit(1)));
}
