// The demo gateway's access log prints what a Wasm filter writes with
// proxy_set_property("<name>", ...) in the field reserved for it
// (%FILTER_STATE(wasm.<name>:PLAIN)%). The probe fixture stands in for the
// four filters, placed where gateway.yaml keeps their slot.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../scripts/build.ts";
import { ENVOY_DIR, TMP } from "../../scripts/lib/paths.ts";
import { type Envoy, startEnvoy } from "../harness/envoy.ts";
import { type LlmUpstream, startLlmUpstream } from "../upstreams/llm.ts";

const ROUTER = "          - name: envoy.filters.http.router\n";
const PROBE = `          - name: envoy.filters.http.wasm
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
              config:
                name: probe
                root_id: probe_root
                vm_config:
                  vm_id: probe_vm
                  runtime: envoy.wasm.runtime.v8
                  code: {local: {filename: "\${WASM_TEST_DIR}/probe.wasm"}}
                configuration:
                  "@type": type.googleapis.com/google.protobuf.StringValue
                  value: '{}'
`;

let envoy: Envoy;
let llm: LlmUpstream;

beforeAll(async () => {
  await build({ only: "probe", quiet: true });
  const gateway = readFileSync(join(ENVOY_DIR, "gateway.yaml"), "utf8");
  expect(gateway.split(ROUTER)).toHaveLength(2);
  const dir = join(TMP, "demo-access-log");
  mkdirSync(dir, { recursive: true });
  const config = join(dir, "gateway-with-probe.yaml");
  writeFileSync(config, gateway.replace(ROUTER, PROBE + ROUTER));
  llm = await startLlmUpstream({ name: "llm" });
  envoy = await startEnvoy({ config, vars: { LLM_PORT: llm.port }, name: "demo-access-log", extraArgs: ["--file-flush-interval-msec", "250"] });
});

afterAll(async () => {
  await envoy?.stop();
  await llm?.close();
});

async function accessLogLine(path: string): Promise<Record<string, unknown> | undefined> {
  for (let i = 0; i < 50; i++) {
    const found = envoy
      .logs()
      .split("\n")
      .find((l) => l.includes(`"path":"${path}"`));
    if (found) return JSON.parse(found);
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe("demo gateway access log", () => {
  for (const field of ["mcp_auth", "content_audit", "semantic_router", "token_ratelimit"]) {
    it(`prints filter state wasm.${field} in the "${field}" field`, async () => {
      const path = `/v1/models?field=${field}`;
      const value = `decision-of-${field}`;
      const res = await fetch(envoy.url(path), { headers: { "x-probe-op": "state", "x-probe-state": `${field}=${value}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-probe-state-get")).toBe(value);
      const line = await accessLogLine(path);
      expect(line).toMatchObject({ [field]: value, route: "llm", upstream: "llm" });
    });
  }

  it("prints null for filters that set nothing", async () => {
    const path = "/v1/models?field=none";
    await fetch(envoy.url(path));
    expect(await accessLogLine(path)).toMatchObject({ mcp_auth: null, content_audit: null, semantic_router: null, token_ratelimit: null });
    envoy.assertHealthy();
  });
});
