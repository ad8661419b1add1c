// envoy/docker-compose.yaml runs in the container suite
// (test/e2e/container/compose.test.ts); these checks keep it and its
// rendered Envoy config consistent with the demo, without an engine.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ENVOY_DIR } from "../../../scripts/lib/paths.ts";
import { COMPOSE_CONFIG, COMPOSE_VARS, CONTAINER_WASM_DIR, renderComposeConfig } from "../../../scripts/render-compose.ts";
import { OFFICIAL_IMAGE, OFFICIAL_NODE_IMAGE } from "../../../scripts/container-image.ts";
import { DEFAULT_PORTS, PORT_ENV } from "../../../scripts/start.ts";
import { UPSTREAM_ENTRIES } from "../../../scripts/upstreams-bundle.ts";

interface Service {
  image?: string;
  command?: string[];
  volumes?: string[];
  ports?: string[];
  network_mode?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
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

  it("uses the official Envoy image at the pinned version unless ENVOY_IMAGE names another, the rendered config and the built filters", () => {
    const envoy = compose.services.envoy;
    expect(envoy.image).toBe(`\${ENVOY_IMAGE:-${OFFICIAL_IMAGE}}`);
    expect(envoy.volumes).toContain("./gateway.compose.yaml:/etc/envoy/gateway.yaml:ro");
    expect(envoy.volumes).toContain(`../build:${CONTAINER_WASM_DIR}:ro`);
    expect(envoy.command!.slice(0, 2)).toEqual(["-c", "/etc/envoy/gateway.yaml"]);
    // published on the host's loopback only; host ports as `npm start` names them
    expect(envoy.ports).toEqual([
      `127.0.0.1:\${${PORT_ENV.gateway}:-${DEFAULT_PORTS.gateway}}:${COMPOSE_VARS.LISTENER_PORT}`,
      `127.0.0.1:\${${PORT_ENV.admin}:-${DEFAULT_PORTS.admin}}:${COMPOSE_VARS.ADMIN_PORT}`,
    ]);
  });

  it("runs each upstream from the one bundle image, in Envoy's network namespace, on the port its cluster uses", () => {
    const expected: Record<string, [keyof typeof UPSTREAM_ENTRIES, number, string]> = {
      llm: ["llm", DEFAULT_PORTS.llm, "llm"],
      "llm-alt": ["llm", DEFAULT_PORTS.llmAlt, "llm-alt"],
      mcp: ["mcp", DEFAULT_PORTS.mcp, "mcp"],
    };
    for (const [name, [bundle, port, upstreamName]] of Object.entries(expected)) {
      const s = compose.services[name];
      expect(s.network_mode, name).toBe("service:envoy");
      expect(s.image, name).toBe("ai-gateway-demo-upstreams");
      expect(s.command, name).toEqual(["node", `bin/${bundle}.mjs`, "--port", String(port), "--name", upstreamName]);
    }
    expect(compose.services.llm.build).toEqual({
      context: "../build/upstreams",
      dockerfile: "../../envoy/upstreams.Dockerfile",
      args: { NODE_IMAGE: `\${NODE_IMAGE:-${OFFICIAL_NODE_IMAGE}}` },
    });
    expect(compose.services["llm-alt"].build).toBeUndefined();
    expect(compose.services.mcp.build).toBeUndefined();
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

  it("the upstreams image defaults to the same Node.js image and needs nothing but the bundle", () => {
    const dockerfile = readFileSync(join(ENVOY_DIR, "upstreams.Dockerfile"), "utf8");
    expect(dockerfile).toContain(`ARG NODE_IMAGE=${OFFICIAL_NODE_IMAGE}\nFROM \${NODE_IMAGE}\n`);
    expect(dockerfile).not.toMatch(/^RUN /m);
  });
});
