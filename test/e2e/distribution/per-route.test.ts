// envoy/recipes/per-route.yaml with the ABI probe as the filter: a response
// carries x-probe-config (the probe echoing its configuration) only when the
// filter ran for that route.
import { createServer, request, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Envoy } from "../../harness/envoy.ts";
import { builtFixture } from "../../host/fixtures.ts";

let envoy: Envoy;
let upstream: Server;

beforeAll(async () => {
  upstream = createServer((_, res) => res.end("upstream\n"));
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  envoy = await Envoy.start({
    config: "envoy/recipes/per-route.yaml",
    vars: {
      WASM_FILE: await builtFixture("probe"),
      FILTER_NAME: "probe",
      PLUGIN_CONFIG: '{"recipe":"per-route"}',
      UPSTREAM_PORT: (upstream.address() as { port: number }).port,
    },
  });
});

afterAll(async () => {
  await envoy?.stop();
  await new Promise((r) => upstream?.close(r));
});

/** node:http rather than fetch, which does not let a caller set Host. */
function get(path: string, host: string): Promise<{ status: number; body: string; echoed?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(envoy.url(path), { headers: { host, "x-probe-op": "config" } }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, echoed: res.headers["x-probe-config"] as string | undefined }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function filterRan(path: string, host = "gateway.local"): Promise<boolean> {
  const res = await get(path, host);
  expect(res.status).toBe(200);
  expect(res.body).toBe("upstream\n");
  if (res.echoed !== undefined) expect(res.echoed).toBe('{"recipe":"per-route"}');
  return res.echoed !== undefined;
}

describe("per-route recipe", () => {
  it("a route without per-route config runs the filter", async () => {
    expect(await filterRan("/anything")).toBe(true);
  });

  it("FilterConfig disabled: true on a route skips the filter for that route only", async () => {
    expect(await filterRan("/public")).toBe(false);
    expect(await filterRan("/publicity")).toBe(false);
    expect(await filterRan("/pub")).toBe(true);
  });

  it("FilterConfig disabled: true on a virtual host skips the filter for that domain", async () => {
    expect(await filterRan("/anything", "status.local")).toBe(false);
    expect(await filterRan("/anything", "other.local")).toBe(true);
  });

  it("no Wasm crash", () => envoy.assertHealthy());
});
