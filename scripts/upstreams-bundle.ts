// Bundles the demo upstreams (test/upstreams/llm.ts and mcp.ts, with their
// npm dependencies) into build/upstreams/, the build context of
// envoy/upstreams.Dockerfile: the image then needs only Node.js, no npm
// install and no registry.
//   build/upstreams/bin/llm.mjs, bin/mcp.mjs   one ES module each
//   build/upstreams/docs/                      the files
//     @modelcontextprotocol/server-everything reads at run time: it looks
//     for them at ../docs from its own module, which is now bin/.
//   npx tsx scripts/upstreams-bundle.ts        (also run by `npm run build`)
import { cpSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { BUILD, ROOT } from "./lib/paths.ts";

export const UPSTREAMS_BUNDLE = join(BUILD, "upstreams");
/** Bundle name (bin/<name>.mjs) -> source. */
export const UPSTREAM_ENTRIES = { llm: "test/upstreams/llm.ts", mcp: "test/upstreams/mcp.ts" };
const EVERYTHING_DOCS = join(ROOT, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "docs");

// CommonJS dependencies call require() for Node built-ins, which an ES
// module bundle has only through createRequire.
const REQUIRE_SHIM = 'import { createRequire as createRequireForBundle } from "node:module"; const require = createRequireForBundle(import.meta.url);';

export async function bundleUpstreams(): Promise<string> {
  if (!existsSync(EVERYTHING_DOCS)) throw new Error(`${EVERYTHING_DOCS} is missing: run npm ci`);
  rmSync(UPSTREAMS_BUNDLE, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(UPSTREAM_ENTRIES).map(([name, file]) => [name, join(ROOT, file)])),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: join(UPSTREAMS_BUNDLE, "bin"),
    outExtension: { ".js": ".mjs" },
    banner: { js: REQUIRE_SHIM },
    logLevel: "warning",
  });
  cpSync(EVERYTHING_DOCS, join(UPSTREAMS_BUNDLE, "docs"), { recursive: true });
  return UPSTREAMS_BUNDLE;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  bundleUpstreams()
    .then((dir) => console.log(dir))
    .catch((e: Error) => {
      console.error(`upstreams-bundle failed: ${e.message}`);
      process.exit(1);
    });
}
