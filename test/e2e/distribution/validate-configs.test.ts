// Every Envoy bootstrap under envoy/ (new ones are picked up automatically)
// passes `envoy --mode validate` with the built modules. Validation runs each
// Wasm filter's configure step, so plugin configurations are checked too.
// A config whose module is not built is skipped with the reason in the test
// name; anything else that fails validation fails the test.
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BUILD, ENVOY_DIR, ROOT, TMP } from "../../../scripts/lib/paths.ts";
import { ensureEnvoy } from "../../../scripts/setup-envoy.ts";
import { placeholders, render, type Vars } from "../../harness/template.ts";
import { builtFixture } from "../../host/fixtures.ts";
import { chainPluginConfig } from "./chain-config.ts";
import { effectivePluginConfig } from "./crd-shapes.ts";

/** Kubernetes manifests and compose files live under envoy/ too; they are checked elsewhere. */
const NOT_ENVOY = new Set(["higress", "istio"]);
const BOOTSTRAP = /^(static_resources|admin|node|dynamic_resources):/m;

function envoyConfigs(dir = ENVOY_DIR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) {
      if (!NOT_ENVOY.has(name.name)) out.push(...envoyConfigs(path));
    } else if (/\.ya?ml$/.test(name.name) && BOOTSTRAP.test(readFileSync(path, "utf8"))) {
      out.push(path);
    }
  }
  return out.sort();
}

const probeWasm = await builtFixture("probe");
const envoyBin = await ensureEnvoy();
/** A working configuration for each filter: the probe takes any, the others the chain recipe's. */
function sampleConfig(filter: string): string | undefined {
  return filter === "probe" ? "{}" : chainPluginConfig(filter);
}

const GENERIC: Vars = {
  ROOT,
  WASM_DIR: BUILD,
  WASM_TEST_DIR: join(BUILD, "test"),
  FAILURE_POLICY: "FAIL_CLOSED",
  ACCESS_LOG: join(TMP, "validate-access.log"),
  WASM_FILE: probeWasm,
  FILTER_NAME: "probe",
  PLUGIN_NAME: "probe",
  WASM_REPOSITORY: "plugins/probe-wasm",
  WASM_SHA256: "0".repeat(64),
  ISSUER: "https://issuer.example.com",
  AUDIENCE: "gateway",
  JWKS: JSON.stringify({ keys: [{ ...generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" }] }),
};

interface Prepared {
  rendered?: string;
  skip?: string;
}

function prepare(path: string): Prepared {
  const text = readFileSync(path, "utf8");
  const vars: Vars = { ...GENERIC };
  let port = 20000;
  for (const name of placeholders(text)) if (name.endsWith("_PORT")) vars[name] = port++;
  // PLUGIN_CONFIG, ROUTER_CONFIG ...: the JSON configuration of the file's filter;
  // in a chain of filters, MCP_AUTH_CONFIG and the like: that filter's.
  const configVars = placeholders(text).filter((n) => n.endsWith("_CONFIG"));
  const module = /\$\{WASM_(?:TEST_)?DIR\}\/([a-z0-9-]+)\.wasm/.exec(text)?.[1] ?? (/\$\{(WASM_FILE|FILTER_NAME)\}/.test(text) ? "probe" : undefined);
  for (const n of configVars) {
    const named = n.slice(0, -"_CONFIG".length).toLowerCase().replaceAll("_", "-");
    const sample = sampleConfig(named) ?? (module ? sampleConfig(module) : undefined);
    if (sample === undefined) return { skip: `no sample ${n} for module ${module ?? "?"}` };
    vars[n] = sample;
  }
  const missing = placeholders(text).filter((n) => vars[n] === undefined);
  if (missing.length) return { skip: `no sample value for ${missing.map((n) => "${" + n + "}").join(", ")} (add one to GENERIC)` };
  // docker-compose.yaml mounts build/ at /etc/envoy/wasm for the rendered compose copy.
  const rendered = render(text, vars).replaceAll("/etc/envoy/wasm/", `${BUILD}/`);
  const active = rendered.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
  const absent = [...active.matchAll(/filename: "?([^"\s}]+\.wasm)"?/g)].map((m) => m[1]).filter((f) => !existsSync(f));
  if (absent.length) return { skip: `module not built: ${absent.map((f) => relative(ROOT, f)).join(", ")}` };
  return { rendered };
}

async function validateRendered(name: string, rendered: string): Promise<void> {
  const dir = join(TMP, "validate");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, name.replaceAll("/", "_"));
  writeFileSync(out, rendered);
  const res = await validate(out);
  expect(res.output, `${name} failed validation`).toMatch(/configuration '.*' OK/);
  expect(res.code).toBe(0);
}

function validate(configPath: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(envoyBin, ["--mode", "validate", "-c", configPath, "--log-level", "warn"], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, output: stdout + stderr });
    });
  });
}

describe("envoy --mode validate", () => {
  const configs = envoyConfigs();

  it("finds the recipes and the repository's configs", () => {
    const names = configs.map((c) => relative(ENVOY_DIR, c));
    expect(names).toEqual(expect.arrayContaining(["gateway.yaml", "probe.yaml", "recipes/chain.yaml", "recipes/per-route.yaml", "recipes/remote-oci.yaml"]));
  });

  for (const path of configs) {
    const name = relative(ROOT, path);
    const p = prepare(path);
    it.skipIf(p.skip !== undefined)(`${name}${p.skip ? ` (skipped: ${p.skip})` : ""}`, () => validateRendered(name, p.rendered!));
  }
});

// The configuration a Higress or Istio WasmPlugin hands its filter (Higress
// turns matchRules into `_rules_`), loaded by the filter in Envoy.
describe("WasmPlugin manifests: the filter accepts their plugin configuration", () => {
  const carrier = readFileSync(join(ENVOY_DIR, "recipes", "per-route.yaml"), "utf8");
  for (const kind of ["higress", "istio"]) {
    for (const file of readdirSync(join(ENVOY_DIR, kind)).filter((f) => f.endsWith(".yaml")).sort()) {
      const doc = parse(readFileSync(join(ENVOY_DIR, kind, file), "utf8"));
      const filter = doc.metadata.name as string;
      const wasm = join(BUILD, `${filter}.wasm`);
      const skip = existsSync(wasm) ? undefined : `module not built: ${relative(ROOT, wasm)}`;
      it.skipIf(skip !== undefined)(`envoy/${kind}/${file}${skip ? ` (skipped: ${skip})` : ""}`, () => {
        let port = 20000;
        const vars: Vars = { WASM_FILE: wasm, FILTER_NAME: filter, PLUGIN_CONFIG: JSON.stringify(effectivePluginConfig(doc)) };
        for (const n of placeholders(carrier)) if (n.endsWith("_PORT")) vars[n] = port++;
        return validateRendered(`${kind}-${file}`, render(carrier, vars));
      });
    }
  }
});
