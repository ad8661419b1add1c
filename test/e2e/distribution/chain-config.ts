// Each filter's configuration as envoy/recipes/chain.yaml gives it: a working
// example that `envoy --mode validate` checks, reused wherever a test needs
// one filter configured.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ENVOY_DIR } from "../../../scripts/lib/paths.ts";

const chain = readFileSync(join(ENVOY_DIR, "recipes", "chain.yaml"), "utf8");

/** The filter's JSON configuration on one line (a placeholder may also sit in a YAML comment). */
export function chainPluginConfig(filter: string): string | undefined {
  const at = chain.indexOf(`code: {local: {filename: "\${WASM_DIR}/${filter}.wasm"}}`);
  const m = at < 0 ? null : /value: \|\n((?: {20}.*\n)+)/.exec(chain.slice(at));
  return m ? JSON.stringify(JSON.parse(m[1])) : undefined;
}
