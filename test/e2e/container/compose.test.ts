// The demo as containers: envoy/docker-compose.yaml brought up with
// `docker compose ... up --build` through testcontainers (Docker, or podman
// with the compose plugin and local images from scripts/setup-compose.ts),
// then every curl line the demo prints run against it: all four filters at
// work. Nothing here skips: when compose cannot run, every test fails with
// the reason.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../../scripts/lib/paths.ts";
import { ENVOY_VERSION } from "../../../scripts/setup-envoy.ts";
import { DEMO_MCP_KEY, demoCommands } from "../../../scripts/start.ts";
import { COMPOSE_FILE, type ComposeDemo, type ComposeRun, prepareCompose, projectContainers, startComposeDemo } from "../../harness/compose.ts";
import { CRASH_PATTERNS } from "../../harness/envoy.ts";
import { freePort, isListening } from "../../harness/ports.ts";
import { DEMO_CHECKS, runDemoCommand, sseData } from "../demo-checks.ts";

// Building the compose plugin on first use takes minutes on a small machine.
const SETUP_TIMEOUT_MS = 30 * 60_000;

let prepared: Omit<ComposeRun, "project">;
let demo: ComposeDemo;
// A failing beforeAll would report the tests as skipped; each test rethrows instead.
let setupError: unknown;

beforeAll(async () => {
  try {
    prepared = await prepareCompose();
    demo = await startComposeDemo(prepared);
  } catch (e) {
    setupError = e;
  }
}, SETUP_TIMEOUT_MS);

afterAll(async () => demo?.down());

function ready(): void {
  if (setupError) throw setupError;
}

describe("docker compose -f envoy/docker-compose.yaml up", () => {
  it("runs Envoy from ENVOY_IMAGE and the three upstreams from the image it built, all in the project", async () => {
    ready();
    const containers = projectContainers(demo).sort((a, b) => a.service.localeCompare(b.service));
    expect(containers.map((c) => [c.service, c.state])).toEqual([
      ["envoy", "running"],
      ["llm", "running"],
      ["llm-alt", "running"],
      ["mcp", "running"],
    ]);
    expect(containers[0].image).toMatch(new RegExp(`(^|/)${demo.env.ENVOY_IMAGE.replace(/^localhost\//, "").replace(/[.:]/g, "\\$&")}$`));
    for (const c of containers.slice(1)) expect(c.image).toMatch(/(^|\/)ai-gateway-demo-upstreams(:latest)?$/);
    const info = await (await fetch(demo.adminUrl("/server_info"))).json();
    expect(info.version).toContain(`/${ENVOY_VERSION}/`);
  });

  it("publishes only Envoy's two ports, on the host's 127.0.0.1", () => {
    ready();
    const published = Object.fromEntries(projectContainers(demo).map((c) => [c.service, c.ports.sort()]));
    expect(published).toEqual({
      envoy: [`127.0.0.1:${demo.ports.admin}->9901/tcp`, `127.0.0.1:${demo.ports.gateway}->10000/tcp`].sort(),
      llm: [],
      "llm-alt": [],
      mcp: [],
    });
  });

  it("every curl line the demo prints answers as described (mcp-auth, content-audit, semantic-router, token-ratelimit)", async () => {
    ready();
    const commands = demoCommands(demo.ports);
    expect(commands.map((c) => c.title).sort()).toEqual(Object.keys(DEMO_CHECKS).sort());
    for (const c of commands) await runDemoCommand(c);
  });

  it("the bundled MCP upstream serves server-everything's instructions (its docs travel with the bundle)", async () => {
    ready();
    const res = await fetch(demo.url("/mcp"), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "x-api-key": DEMO_MCP_KEY },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "compose-e2e", version: "1.0" } },
      }),
    });
    expect(res.status).toBe(200);
    const { result } = JSON.parse(sseData(await res.text())[0]);
    const instructions = readFileSync(join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/docs/instructions.md"), "utf8");
    expect(result.instructions).toBe(instructions);
  });

  it("Envoy logged no Wasm VM crash or filter trap", () => {
    ready();
    const crashes = demo.logs("envoy").split("\n").filter((l) => CRASH_PATTERNS.some((p) => p.test(l)));
    expect(crashes).toEqual([]);
  });

  it("an up that fails (gateway port taken) takes its containers down again", async () => {
    ready();
    const taken = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(taken, "127.0.0.1", resolve));
    const project = `${demo.project}-failed`;
    try {
      await expect(startComposeDemo(prepared, { project, ports: { gateway: taken } })).rejects.toThrow(/address already in use|port is already allocated|bind/i);
      expect(projectContainers({ ...prepared, project })).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it("the next start takes down a project whose process died", async () => {
    ready();
    const dead = spawnSync("true").pid!;
    const stale: ComposeRun = { ...prepared, project: `aigw-compose-${dead}-1` };
    const env = { ...process.env, ...prepared.env, GATEWAY_PORT: String(await freePort()), ADMIN_PORT: String(await freePort()) };
    const up = spawnSync(prepared.docker, ["compose", "-p", stale.project, "-f", COMPOSE_FILE, "up", "-d"], { encoding: "utf8", env });
    expect(up.status, up.stderr).toBe(0);
    expect(projectContainers(stale)).toHaveLength(4);
    await prepareCompose();
    expect(projectContainers(stale)).toEqual([]);
    expect(projectContainers(demo)).toHaveLength(4);
  });

  it("down removes every container of the project and frees the ports", async () => {
    ready();
    await demo.down();
    expect(projectContainers(demo)).toEqual([]);
    expect(await isListening(demo.ports.gateway)).toBe(false);
    expect(await isListening(demo.ports.admin)).toBe(false);
  });
});
