import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Envoy, startEnvoy } from "../harness/envoy.ts";

describe("envoy harness", () => {
  let envoy: Envoy;
  beforeAll(async () => {
    envoy = await startEnvoy({ config: "envoy/smoke.yaml", name: "harness" });
  });
  afterAll(async () => envoy?.stop());

  it("serves the listener and the admin endpoint on allocated loopback ports", async () => {
    expect(envoy.port("LISTENER_PORT")).not.toBe(envoy.port("ADMIN_PORT"));
    const res = await fetch(envoy.url("/"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
    const stats = await envoy.stats("^http\\.smoke\\.downstream_rq_completed$");
    expect(stats["http.smoke.downstream_rq_completed"]).toBeGreaterThanOrEqual(1);
    envoy.assertHealthy();
  });

  it("reports a config Envoy refuses with its log", async () => {
    await expect(
      startEnvoy({ config: "envoy/smoke.yaml", vars: { LISTENER_PORT: "not-a-port" }, name: "harness-bad" }),
    ).rejects.toThrow(/exited with code/);
  });
});
