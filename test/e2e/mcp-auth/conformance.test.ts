// MCP fidelity of the gateway, judged by the protocol's own conformance suite
// (@modelcontextprotocol/conformance): every server scenario runs against a
// reference server directly, then through a real Envoy with mcp-auth
// (allow-all policy), and no scenario may do worse through the gateway. Two
// reference servers: the conformance fixtures (test/upstreams/conformance-server.ts,
// which pass the whole suite) and @modelcontextprotocol/server-everything.
// The suite only takes a URL, so its credential is an API key in the query,
// which mcp-auth must strip before the request goes upstream. The fixtures
// also run through the demo gateway's chain, where content-audit inspects
// tools/call on /mcp.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { build } from "../../../scripts/build.ts";
import { ENVOY_DIR, TMP } from "../../../scripts/lib/paths.ts";
import { DEMO_MCP_KEY } from "../../../scripts/start.ts";
import { Envoy, type EnvoyOptions } from "../../harness/envoy.ts";
import { freePort } from "../../harness/ports.ts";
import { regressions, runServerScenarios, type ScenarioResult } from "../../conformance/suite.ts";
import { conformanceServer } from "../../upstreams/conformance-server.ts";
import { everythingServer, startMcpUpstream, type McpServerKind, type McpUpstream } from "../../upstreams/mcp.ts";

const KEY = "conformance-key-0123456789";
const CONSUMER = "conformance-suite";

interface Gateway {
  upstream: McpUpstream;
  envoy: Envoy;
  /** The MCP endpoint through Envoy, without credentials. */
  url: string;
  key: string;
  /** The subject mcp-auth forwards for that key. */
  consumer: string;
}

type Chain = "mcp-auth" | "demo";

/**
 * "mcp-auth": envoy/mcp-auth.yaml, mcp-auth alone allowing everything.
 * "demo": the demo gateway as shipped (envoy/gateway.yaml: on /mcp mcp-auth
 * and content-audit), its mcp-auth also taking the key in the query.
 */
function envoyOptions(chain: Chain, listenerPort: number, mcpPort: number): { options: EnvoyOptions; key: string; consumer: string } {
  const url = `http://127.0.0.1:${listenerPort}/mcp`;
  if (chain === "mcp-auth") {
    const config = {
      resource: url,
      apiKeys: { header: "x-api-key", query: "key", consumers: [{ name: CONSUMER, key: KEY }] },
      policies: [{ allow: { methods: ["*"], tools: ["*"], resources: ["*"], prompts: ["*"] } }],
    };
    const vars = { LISTENER_PORT: listenerPort, MCP_PORT: mcpPort, ACCESS_LOG: "/dev/null", PLUGIN_CONFIG: JSON.stringify(config) };
    return { options: { config: "envoy/mcp-auth.yaml", name: "mcp-auth-conformance", vars }, key: KEY, consumer: CONSUMER };
  }
  const shipped = readFileSync(join(ENVOY_DIR, "gateway.yaml"), "utf8");
  const headerOnly = '"apiKeys":{"header":"x-api-key",';
  if (!shipped.includes(headerOnly)) throw new Error(`envoy/gateway.yaml: no ${headerOnly} to add the query key to`);
  const config = join(TMP, "conformance", `gateway-${process.pid}.yaml`);
  mkdirSync(dirname(config), { recursive: true });
  writeFileSync(config, shipped.replace(headerOnly, '"apiKeys":{"header":"x-api-key","query":"key",'));
  // The LLM routes are not used: their clusters point at closed ports.
  const vars = { LISTENER_PORT: listenerPort, MCP_PORT: mcpPort, LLM_PORT: 1, LLM_ALT_PORT: 1 };
  return { options: { config, name: "demo-conformance", vars }, key: DEMO_MCP_KEY, consumer: "demo-user" };
}

async function startGateway(server: McpServerKind, chain: Chain): Promise<Gateway> {
  const upstream = await startMcpUpstream({ server });
  const listenerPort = await freePort();
  const { options, key, consumer } = envoyOptions(chain, listenerPort, upstream.port);
  const envoy = await Envoy.start(options).catch(async (e) => {
    await upstream.close();
    throw e;
  });
  return { upstream, envoy, url: `http://127.0.0.1:${listenerPort}/mcp`, key, consumer };
}

const gateways: Gateway[] = [];
const initializeMessage = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } } };

beforeAll(async () => {
  await build({ quiet: true });
});

afterAll(async () => {
  for (const g of gateways) {
    await g.envoy.stop();
    await g.upstream.close();
  }
});

afterEach(() => {
  for (const g of gateways) g.envoy.assertHealthy();
});

function passing(results: Map<string, ScenarioResult>): string[] {
  return [...results].filter(([, r]) => r.verdict !== "fail").map(([name]) => name);
}

/** Runs the suite directly and through the gateway, and checks what reached the upstream. */
async function compare(server: McpServerKind, chain: Chain = "mcp-auth"): Promise<{ direct: Map<string, ScenarioResult>; gateway: Map<string, ScenarioResult> }> {
  const g = await startGateway(server, chain);
  gateways.push(g);
  const direct = await runServerScenarios(g.upstream.url);
  g.upstream.clearRequests();
  const gateway = await runServerScenarios(`${g.url}?key=${g.key}`);

  const differences = regressions(direct, gateway);
  expect(differences, `scenarios that pass directly but not through mcp-auth:\n${differences.join("\n")}`).toEqual([]);

  // The key authenticated every request and none carried it upstream.
  const seen = g.upstream.requests();
  expect(seen.length).toBeGreaterThan(50);
  for (const r of seen) {
    expect(r.path, `${r.method} ${r.path}`).toBe("/mcp");
    expect(r.headers["x-mcp-subject"]).toBe(g.consumer);
    expect(JSON.stringify(r)).not.toContain(g.key);
  }
  return { direct, gateway };
}

describe("the MCP conformance suite, directly and through mcp-auth", () => {
  it("passes every scenario on the conformance fixtures, also through the gateway", async () => {
    const { direct, gateway } = await compare(conformanceServer);
    expect(direct.size).toBeGreaterThanOrEqual(30);
    // The fixtures fail nothing; SSE polling warns (the suite resumes as a
    // 2025-03-26 client, so the server sends it no priming event).
    expect(passing(direct)).toEqual([...direct.keys()]);
    expect([...direct].filter(([, r]) => r.verdict === "warn").map(([name]) => name)).toEqual(["server-sse-polling"]);
    expect(passing(gateway).sort()).toEqual([...direct.keys()].sort());
    for (const name of ["tools-call-sampling", "tools-call-elicitation", "tools-call-with-progress", "tools-call-with-logging", "server-sse-multiple-streams", "dns-rebinding-protection"]) {
      expect(gateway.get(name)?.verdict, name).toBe("pass");
    }
  }, 150_000);

  it("does no worse through the gateway on server-everything", async () => {
    const { direct } = await compare(everythingServer);
    // The others call fixtures server-everything does not have (test_simple_text, test://static-text ...).
    expect(passing(direct).sort()).toEqual([
      "logging-set-level",
      "ping",
      "prompts-list",
      "resources-list",
      "resources-subscribe",
      "resources-unsubscribe",
      "server-initialize",
      "server-sse-multiple-streams",
      "tools-call-error",
      "tools-call-simple-text",
      "tools-list",
    ]);
  }, 150_000);

  it("passes the same scenarios through the demo gateway's chain (mcp-auth, content-audit)", async () => {
    const { direct, gateway } = await compare(conformanceServer, "demo");
    expect(passing(gateway).sort()).toEqual([...direct.keys()].sort());
  }, 150_000);

  // Every configured credential is removed, whichever one authenticated the request.
  it("strips the query key also when a header key authenticated the request", async () => {
    const g = gateways[0];
    g.upstream.clearRequests();
    const res = await fetch(`${g.url}?key=${KEY}`, { method: "POST", headers: { "x-api-key": KEY, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify(initializeMessage) });
    expect(res.status).toBe(200);
    await res.text();
    expect(g.upstream.requests().map((r) => r.path)).toEqual(["/mcp"]);
  });

  it("strips the query key from a CORS preflight (the browser sends the same URL)", async () => {
    const g = gateways[0];
    g.upstream.clearRequests();
    // An origin the filter allows (a refused one never reaches the upstream).
    await (await fetch(`${g.url}?key=${KEY}`, { method: "OPTIONS", headers: { origin: new URL(g.url).origin, "access-control-request-method": "POST" } })).text();
    expect(g.upstream.requests().map((r) => r.path)).toEqual(["/mcp"]);
  });

  it("refuses the suite's requests without the key", async () => {
    const g = gateways[0];
    const res = await fetch(g.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(res.status).toBe(401);
    const wrong = await fetch(`${g.url}?key=not-the-key-0123456789`, { method: "GET", headers: { accept: "text/event-stream" } });
    expect(wrong.status).toBe(401);
  });
});
