// envoy/docker-compose.yaml cannot run here (no Docker engine); these checks
// keep it and its rendered Envoy config consistent with the demo.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ENVOY_DIR } from "../../../scripts/lib/paths.ts";
import { COMPOSE_CONFIG, COMPOSE_VARS, CONTAINER_WASM_DIR, renderComposeConfig } from "../../../scripts/render-compose.ts";
import { ENVOY_VERSION } from "../../../scripts/setup-envoy.ts";
import { DEFAULT_PORTS } from "../../../scripts/start.ts";

interface Service {
  image?: string;
  command?: string[];
  volumes?: string[];
  ports?: string[];
  network_mode?: string;
  build?: { context: string; dockerfile: string };
}

const compose = parse(readFileSync(join(ENVOY_DIR, "docker-compose.yaml"), "utf8")) as { services: Record<string, Service> };

describe("docker-compose demo", () => {
  it("gateway.compose.yaml is the current rendering of gateway.yaml (else run: npx tsx scripts/render-compose.ts)", () => {
    expect(readFileSync(COMPOSE_CONFIG, "utf8")).toBe(renderComposeConfig());
  });

  it("the rendered config binds the listener and admin on all interfaces, with no placeholder left", () => {
    const text = renderComposeConfig();
    expect(text).not.toMatch(/\$\{[A-Z]/);
    const cfg = parse(text);
    expect(cfg.admin.address.socket_address).toEqual({ address: "0.0.0.0", port_value: DEFAULT_PORTS.admin });
    expect(cfg.static_resources.listeners[0].address.socket_address).toEqual({ address: "0.0.0.0", port_value: DEFAULT_PORTS.gateway });
    const clusters = Object.fromEntries(
      cfg.static_resources.clusters.map((c: { name: string; load_assignment: { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: unknown } } }[] }[] } }) => [
        c.name,
        c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address,
      ]),
    );
    expect(clusters).toEqual({
      llm: { address: "127.0.0.1", port_value: DEFAULT_PORTS.llm },
      "llm-alt": { address: "127.0.0.1", port_value: DEFAULT_PORTS.llmAlt },
      mcp: { address: "127.0.0.1", port_value: DEFAULT_PORTS.mcp },
    });
  });

  it("uses the pinned Envoy version, the rendered config and the built filters", () => {
    const envoy = compose.services.envoy;
    expect(envoy.image).toBe(`envoyproxy/envoy:v${ENVOY_VERSION}`);
    expect(envoy.volumes).toContain("./gateway.compose.yaml:/etc/envoy/gateway.yaml:ro");
    expect(envoy.volumes).toContain(`../build:${CONTAINER_WASM_DIR}:ro`);
    expect(envoy.command!.slice(0, 2)).toEqual(["-c", "/etc/envoy/gateway.yaml"]);
    expect(envoy.ports).toEqual([
      `127.0.0.1:${COMPOSE_VARS.LISTENER_PORT}:${COMPOSE_VARS.LISTENER_PORT}`,
      `127.0.0.1:${COMPOSE_VARS.ADMIN_PORT}:${COMPOSE_VARS.ADMIN_PORT}`,
    ]);
  });

  it("runs each upstream in Envoy's network namespace on the port its cluster uses", () => {
    const expected: Record<string, [string, number, string]> = {
      llm: ["test/upstreams/llm.ts", DEFAULT_PORTS.llm, "llm"],
      "llm-alt": ["test/upstreams/llm.ts", DEFAULT_PORTS.llmAlt, "llm-alt"],
      mcp: ["test/upstreams/mcp.ts", DEFAULT_PORTS.mcp, "mcp"],
    };
    for (const [name, [file, port, upstreamName]] of Object.entries(expected)) {
      const s = compose.services[name];
      expect(s.network_mode, name).toBe("service:envoy");
      expect(s.build, name).toEqual({ context: "..", dockerfile: "envoy/upstreams.Dockerfile" });
      expect(s.command, name).toEqual(["node", "--import", "tsx", file, "--port", String(port), "--name", upstreamName]);
    }
  });

  it("the compose ports match the demo's defaults", () => {
    expect(COMPOSE_VARS).toMatchObject({
      LISTENER_PORT: DEFAULT_PORTS.gateway,
      ADMIN_PORT: DEFAULT_PORTS.admin,
      LLM_PORT: DEFAULT_PORTS.llm,
      LLM_ALT_PORT: DEFAULT_PORTS.llmAlt,
      MCP_PORT: DEFAULT_PORTS.mcp,
    });
  });

  it("the upstreams image copies what the upstreams import", () => {
    const dockerfile = readFileSync(join(ENVOY_DIR, "upstreams.Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toContain("COPY test/upstreams test/upstreams");
    for (const f of ["llm.ts", "mcp.ts"]) {
      const src = readFileSync(join(ENVOY_DIR, "..", "test", "upstreams", f), "utf8");
      for (const m of src.matchAll(/from "(\.[^"]+)"/g)) expect(m[1], `${f} imports ${m[1]} from outside test/upstreams`).toMatch(/^\.\/[^.]/);
    }
  });
});
