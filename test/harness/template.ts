// Renders envoy/*.yaml templates. Placeholders are ${NAME}; a value placed
// inside single or double quotes is escaped for that YAML scalar style, so a
// JSON plugin configuration can be passed as `value: '${PLUGIN_CONFIG}'`.
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { BUILD, ROOT } from "../../scripts/lib/paths.ts";
import { freePort } from "./ports.ts";

export type Vars = Record<string, string | number>;

const PLACEHOLDER = /\$\{([A-Z][A-Z0-9_]*)\}/g;

export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** Fills defaults: build dirs, and a free loopback port for every *_PORT not given. */
export async function completeVars(text: string, given: Vars): Promise<Vars> {
  const vars: Vars = { ROOT, WASM_DIR: BUILD, WASM_TEST_DIR: join(BUILD, "test"), ...given };
  for (const name of placeholders(text)) {
    if (vars[name] === undefined && name.endsWith("_PORT")) vars[name] = await freePort();
  }
  const missing = placeholders(text).filter((n) => vars[n] === undefined);
  if (missing.length) throw new Error(`no value for ${missing.map((n) => "${" + n + "}").join(", ")}`);
  return vars;
}

export function render(text: string, vars: Vars): string {
  return text.replace(PLACEHOLDER, (whole, name: string, offset: number) => {
    const value = String(vars[name]);
    const before = text[offset - 1];
    const after = text[offset + whole.length];
    if (before === "'" && after === "'") return value.replaceAll("'", "''");
    if (before === '"' && after === '"') return JSON.stringify(value).slice(1, -1);
    return value;
  });
}

export function readTemplate(config: string): string {
  return readFileSync(isAbsolute(config) ? config : join(ROOT, config), "utf8");
}

/** The filters the bundle module (build/ai-gateway.wasm) serves, each by its root_id. */
export const BUNDLED_FILTERS = ["mcp-auth", "content-audit", "semantic-router", "token-ratelimit"];

export type WasmForm = "modules" | "bundle";

/** AI_GATEWAY_WASM=bundle runs every config with the bundle instead of the filters' own modules. */
export function wasmFormFromEnv(): WasmForm {
  return process.env.AI_GATEWAY_WASM === "bundle" ? "bundle" : "modules";
}

/**
 * A rendered config in its bundle form: each filter's module becomes
 * ai-gateway.wasm and its vm_id "ai-gateway", so all filter plugins share one
 * VM per worker (Envoy shares a VM between plugins with identical vm_config).
 * root_id still picks the filter. Test fixtures and other modules are left alone.
 */
export function asBundle(config: string): string {
  const names = BUNDLED_FILTERS.join("|");
  return config
    .replace(new RegExp(`(filename:\\s*"?[^"\\s}]*/)(${names})\\.wasm`, "g"), "$1ai-gateway.wasm")
    .replace(new RegExp(`(vm_id:\\s*)"?(${names})"?(?=\\s|,|})`, "g"), "$1ai-gateway");
}
