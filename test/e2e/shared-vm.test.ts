// Plugins that share a VM. Envoy runs plugins whose vm_config is identical
// in one VM per worker; each plugin still has its own root context and
// configuration. Two probe plugins in one chain must each answer with their
// own configuration, and the demo gateway in its bundle form must run its
// four filters in one VM per worker.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Envoy, startEnvoy } from "../harness/envoy.ts";

let upstream: Server;
let upstreamPort = 0;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end("ok\n"));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamPort = (upstream.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

/** Active V8 VMs: Envoy's own gauge (base VMs and per-worker clones). */
async function activeVms(envoy: Envoy): Promise<number> {
  return (await envoy.stat("wasm.envoy.wasm.runtime.v8.active")) ?? 0;
}

describe("two plugins of one module in one VM", () => {
  let envoy: Envoy;
  beforeAll(async () => {
    envoy = await startEnvoy({ config: "envoy/shared-vm.yaml", vars: { UPSTREAM_PORT: upstreamPort, FAILURE_POLICY: "FAIL_CLOSED" }, concurrency: 2 });
  }, 60_000);
  afterAll(() => envoy?.stop());

  it("gives each stream its own plugin's root context and configuration", async () => {
    for (let i = 0; i < 6; i++) {
      const res = await fetch(envoy.url("/"), { headers: { "x-probe-op": "config,root-info" } });
      expect(res.status).toBe(200);
      const configs = (res.headers.get("x-probe-config") ?? "").split(/,\s*/).sort();
      expect(configs).toEqual(['{"tag":"first"}', '{"tag":"second"}']);
      const roots = (res.headers.get("x-probe-root-id") ?? "").split(/,\s*/);
      expect(new Set(roots).size).toBe(2);
    }
    envoy.assertHealthy();
  });
});

describe("the demo gateway's bundle form", () => {
  const started: Envoy[] = [];
  afterAll(async () => {
    for (const e of started) await e.stop();
  });

  it("runs the four filters in one VM per worker, where the modules take four", async () => {
    const counts: Record<string, number> = {};
    for (const wasmForm of ["modules", "bundle"] as const) {
      const envoy = await startEnvoy({ config: "envoy/gateway.yaml", vars: gatewayVars(), wasmForm, name: `gateway-${wasmForm}` });
      started.push(envoy);
      counts[wasmForm] = await activeVms(envoy);
      envoy.assertHealthy();
      await envoy.stop();
    }
    // One worker: a base VM plus the worker's clone per distinct vm_config.
    expect(counts.modules).toBe(4 * counts.bundle);
    expect(counts.bundle).toBeGreaterThan(0);
  }, 120_000);
});

function gatewayVars(): Record<string, number> {
  return { LLM_PORT: upstreamPort, LLM_ALT_PORT: upstreamPort, MCP_PORT: upstreamPort };
}
