// Renders envoy/gateway.yaml into envoy/gateway.compose.yaml, the copy that
// envoy/docker-compose.yaml mounts into the Envoy container: the demo's
// fixed ports, the wasm directory of the container, and the listener and
// admin bound to 0.0.0.0 (published ports reach the container's interface,
// not its loopback). The upstreams share Envoy's network namespace there, so
// the clusters' 127.0.0.1 addresses stay as they are.
//
//   npx tsx scripts/render-compose.ts          rewrite the copy
//   npx tsx scripts/render-compose.ts --check  exit 1 when it is stale
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ENVOY_DIR } from "./lib/paths.ts";
import { placeholders, readTemplate, render } from "../test/harness/template.ts";

export const COMPOSE_CONFIG = join(ENVOY_DIR, "gateway.compose.yaml");
export const CONTAINER_WASM_DIR = "/etc/envoy/wasm";

/** The values the compose copy is rendered with (ports match scripts/start.ts's defaults). */
export const COMPOSE_VARS: Record<string, string | number> = {
  LISTENER_PORT: 10000,
  ADMIN_PORT: 9901,
  LLM_PORT: 10001,
  LLM_ALT_PORT: 10002,
  MCP_PORT: 10003,
  WASM_DIR: CONTAINER_WASM_DIR,
};

const HEADER =
  "# GENERATED from envoy/gateway.yaml by scripts/render-compose.ts for envoy/docker-compose.yaml.\n" +
  "# Do not edit: change gateway.yaml and run `npx tsx scripts/render-compose.ts`.\n";

function bindAll(text: string, portVar: string): string {
  const local = `{address: 127.0.0.1, port_value: \${${portVar}}}`;
  if (!text.includes(local)) throw new Error(`envoy/gateway.yaml has no "${local}" to bind to 0.0.0.0 in the compose copy`);
  return text.replace(local, `{address: 0.0.0.0, port_value: \${${portVar}}}`);
}

export function renderComposeConfig(): string {
  const template = bindAll(bindAll(readTemplate("envoy/gateway.yaml"), "LISTENER_PORT"), "ADMIN_PORT");
  const unknown = placeholders(template).filter((n) => COMPOSE_VARS[n] === undefined);
  if (unknown.length) {
    throw new Error(
      `envoy/gateway.yaml uses ${unknown.map((n) => "${" + n + "}").join(", ")}, which the compose copy has no value for: ` +
        "inline it in gateway.yaml or add it to COMPOSE_VARS in scripts/render-compose.ts",
    );
  }
  return HEADER + render(template, COMPOSE_VARS);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const fresh = renderComposeConfig();
    if (process.argv.includes("--check")) {
      let current = "";
      try {
        current = readFileSync(COMPOSE_CONFIG, "utf8");
      } catch {
        // missing: stale
      }
      if (current !== fresh) {
        console.error("envoy/gateway.compose.yaml is stale: run `npx tsx scripts/render-compose.ts`");
        process.exit(1);
      }
    } else {
      writeFileSync(COMPOSE_CONFIG, fresh);
      console.log("wrote envoy/gateway.compose.yaml");
    }
  } catch (e) {
    console.error(`render-compose failed: ${(e as Error).message}`);
    process.exit(1);
  }
}
