// Property: for random policies over a server with many tools, prompts,
// resources and templates, no byte a client receives names an item its policy
// denies, and every item it allows arrives, on every path a listing can take:
// SSE on the POST (the SDK client), JSON responses and batches, results the
// server delivers on the resumed GET stream after closing the POST one early
// (the SDK client following it), and the legacy HTTP+SSE transport. The
// expected sets come from the policy written here, not from the filter's code.
// Seeded and bounded: a failure replays.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { build } from "../../../scripts/build.ts";
import { Envoy } from "../../harness/envoy.ts";
import { freePort } from "../../harness/ports.ts";
import { Prng } from "../../unit/common/corpus/prng.ts";
import { startMcpUpstream, type McpUpstream } from "../../upstreams/mcp.ts";
import { catalogServer, type Catalog } from "../../upstreams/mcp/catalog.ts";
import { messagesOf, openStream, type SseStream } from "./wire.ts";

const SEED = 1616;
const CONSUMERS = 4;
const KINDS = ["tools", "prompts", "resources", "templates"] as const;
type Kind = (typeof KINDS)[number];

const rng = new Prng(SEED);
const catalog: Catalog = {
  tools: Array.from({ length: 40 }, (_, i) => `${rng.pick(["search", "get", "delete", "admin"])}-tool-${i}`),
  prompts: Array.from({ length: 20 }, (_, i) => `${rng.pick(["p", "q"])}-prompt-${i}`),
  resources: Array.from({ length: 24 }, (_, i) => `demo://${rng.pick(["pub", "priv", "team"])}/doc-${i}.txt`),
  templates: Array.from({ length: 9 }, (_, i) => `demo://${rng.pick(["pub", "priv", "team"])}/t${i}/{id}`),
};

interface Rules {
  exact: Set<string>;
  prefixes: string[];
  deny: Set<string>;
}
interface Consumer {
  name: string;
  key: string;
  rules: Record<Kind, Rules>;
}

function sample(items: string[], p: number): string[] {
  return items.filter(() => rng.next() < p);
}

/** A random policy: exact names, prefix globs (tools, prompts) or URI prefixes (resources), and exact denials. */
function randomConsumer(i: number): Consumer {
  const rules = {} as Record<Kind, Rules>;
  for (const kind of KINDS) {
    const items = catalog[kind];
    const prefixes =
      kind === "tools" ? sample(["search-", "get-", "delete-", "admin-"], 0.4) : kind === "prompts" ? sample(["p-", "q-"], 0.4) : sample(["demo://pub/", "demo://team/"], 0.5);
    rules[kind] = { exact: new Set(kind === "templates" ? [] : sample(items, 0.3)), prefixes, deny: new Set(sample(items, 0.2)) };
  }
  return { name: `consumer-${i}`, key: `property-key-${i}-0123456789`, rules };
}

function allows(r: Rules, item: string): boolean {
  return (r.exact.has(item) || r.prefixes.some((p) => item.startsWith(p))) && !r.deny.has(item);
}

function policyOf(c: Consumer): unknown {
  const { tools, prompts, resources, templates } = c.rules;
  const globs = (r: Rules) => [...r.exact, ...r.prefixes.map((p) => p + "*")];
  return {
    match: { subjects: [c.name] },
    // touch (not in the catalog) makes the server announce a list change.
    allow: { methods: ["*"], tools: [...globs(tools), "touch"], prompts: globs(prompts), resources: [...resources.exact, ...resources.prefixes, ...templates.prefixes] },
    deny: { tools: [...tools.deny], prompts: [...prompts.deny], resources: [...resources.deny, ...templates.deny] },
  };
}

const consumers = Array.from({ length: CONSUMERS }, (_, i) => randomConsumer(i));
// Resource and template rules share the policy's resource list: a consumer's prefixes apply to both.
for (const c of consumers) {
  const both = [...new Set([...c.rules.resources.prefixes, ...c.rules.templates.prefixes])];
  c.rules.resources.prefixes = both;
  c.rules.templates.prefixes = both;
  for (const d of [...c.rules.resources.deny, ...c.rules.templates.deny]) {
    c.rules.resources.deny.add(d);
    c.rules.templates.deny.add(d);
  }
}

let upstream: McpUpstream;
let envoy: Envoy;
let base: string;
const streams: SseStream[] = [];

beforeAll(async () => {
  await build({ only: "mcp-auth", quiet: true });
  upstream = await startMcpUpstream({
    server: { create: (url) => catalogServer(catalog, { pageSize: 7, closeEarly: url.includes("mode=poll") })() },
    jsonResponse: (url) => url.includes("mode=json"),
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = {
    resource: `${base}/mcp`,
    apiKeys: { header: "x-api-key", consumers: consumers.map((c) => ({ name: c.name, key: c.key })) },
    policies: consumers.map(policyOf),
  };
  envoy = await Envoy.start({
    config: "envoy/mcp-auth.yaml",
    vars: { LISTENER_PORT: port, MCP_PORT: upstream.port, IDP_PORT: upstream.port, ACCESS_LOG: join(process.env.TMPDIR ?? "/tmp", `mcp-auth-property-${process.pid}.log`), PLUGIN_CONFIG: JSON.stringify(config) },
  });
}, 120_000);

afterAll(async () => {
  for (const s of streams) s.close();
  await envoy?.stop();
  await upstream?.close();
});

afterEach(() => envoy.assertHealthy());

/** fetch that keeps a copy of every byte the client receives. */
function recording(sink: string[]): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (!res.body || [101, 204, 205, 304].includes(res.status)) return res;
    const [mine, theirs] = res.body.tee();
    void (async () => {
      const reader = mine.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          sink.push(decoder.decode(value, { stream: true }));
        }
      } catch {
        // the client closed it
      }
    })();
    return new Response(theirs, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

type Listed = Record<Kind, string[]>;
const RESULT_KEYS: Record<Kind, [string, string, string]> = {
  tools: ["tools/list", "tools", "name"],
  prompts: ["prompts/list", "prompts", "name"],
  resources: ["resources/list", "resources", "uri"],
  templates: ["resources/templates/list", "resourceTemplates", "uriTemplate"],
};

/** Every page of every listing through `call`. */
async function listAll(call: (method: string, params: Record<string, unknown>) => Promise<any>): Promise<Listed> {
  const out = { tools: [], prompts: [], resources: [], templates: [] } as Listed;
  for (const kind of KINDS) {
    const [method, key, field] = RESULT_KEYS[kind];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const result = await call(method, cursor === undefined ? {} : { cursor });
      out[kind].push(...result[key].map((i: any) => i[field]));
      cursor = result.nextCursor;
    } while (cursor !== undefined && ++pages < 20);
  }
  return out;
}

function check(c: Consumer, listed: Listed, bytes: string, path: string): void {
  for (const kind of KINDS) {
    const expected = catalog[kind].filter((i) => allows(c.rules[kind], i));
    expect(listed[kind].sort(), `${path} ${c.name} ${kind}`).toEqual(expected.sort());
    for (const item of catalog[kind].filter((i) => !allows(c.rules[kind], i))) expect(bytes, `${path} ${c.name}: denied ${item}`).not.toContain(JSON.stringify(item));
  }
}

async function sdkClient(c: Consumer, path: string, sink: string[]): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(path, base), { requestInit: { headers: { "x-api-key": c.key } }, fetch: recording(sink) });
  const client = new Client({ name: "property", version: "1" });
  await client.connect(transport);
  return client;
}

async function sdkList(client: Client): Promise<Listed> {
  return listAll(async (method, params) => {
    if (method === "tools/list") return client.listTools(params);
    if (method === "prompts/list") return client.listPrompts(params);
    if (method === "resources/list") return client.listResources(params);
    return client.listResourceTemplates(params);
  });
}

function post(path: string, body: unknown, headers: Record<string, string>, sink: string[]) {
  return recording(sink)(new URL(path, base), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
}

describe(`listings under random policies (seed ${SEED}, ${CONSUMERS} policies)`, () => {
  it("the policies deny and allow something of every kind", () => {
    for (const kind of KINDS) {
      expect(consumers.some((c) => catalog[kind].some((i) => allows(c.rules[kind], i))), kind).toBe(true);
      expect(consumers.every((c) => catalog[kind].some((i) => !allows(c.rules[kind], i))), kind).toBe(true);
    }
  });

  it("SSE on the POST (SDK client), and list_changed still reaches the standalone GET stream", async () => {
    for (const c of consumers) {
      const sink: string[] = [];
      const client = await sdkClient(c, "/mcp", sink);
      const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
      const listed = await sdkList(client);
      await client.callTool({ name: "touch", arguments: {} });
      await changed;
      await client.close();
      check(c, listed, sink.join(""), "sse");
    }
  });

  it("JSON responses, and a batch of all four listings", async () => {
    for (const c of consumers) {
      const sink: string[] = [];
      const auth = { "x-api-key": c.key };
      const init = await post("/mcp?mode=json", { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "p", version: "1" } } }, auth, sink);
      await init.text();
      const headers = { ...auth, "mcp-session-id": init.headers.get("mcp-session-id")!, "mcp-protocol-version": "2025-06-18" };
      await (await post("/mcp?mode=json", { jsonrpc: "2.0", method: "notifications/initialized" }, headers, sink)).text();
      let id = 1;
      const listed = await listAll(async (method, params) => {
        const res = await post("/mcp?mode=json", { jsonrpc: "2.0", id: id++, method, params }, headers, sink);
        expect(res.headers.get("content-type")).toContain("application/json");
        return (await res.json()).result;
      });
      const batch = KINDS.map((k, i) => ({ jsonrpc: "2.0", id: `b${i}`, method: RESULT_KEYS[k][0] }));
      const res = await post("/mcp?mode=json", batch, headers, sink);
      const msgs = messagesOf(res.headers.get("content-type"), await res.text());
      expect(msgs.map((m) => m.id).sort()).toEqual(["b0", "b1", "b2", "b3"]);
      check(c, listed, sink.join(""), "json+batch");
    }
  });

  it("results the server sends on the resumed GET after closing the POST stream early (SDK client)", async () => {
    for (const c of consumers) {
      const sink: string[] = [];
      upstream.clearRequests();
      const client = await sdkClient(c, "/mcp?mode=poll", sink);
      const listed = await sdkList(client);
      await client.close();
      const resumed = upstream.requests().filter((r) => r.method === "GET" && r.headers["last-event-id"] !== undefined);
      expect(resumed.length, "the results came on resumed GET streams").toBeGreaterThanOrEqual(KINDS.length);
      check(c, listed, sink.join(""), "poll");
    }
  });

  it("the legacy HTTP+SSE transport", async () => {
    for (const c of consumers) {
      const sink: string[] = [];
      const auth = { "x-api-key": c.key };
      const stream = await openStream(`${base}/sse`, auth);
      streams.push(stream);
      const endpoint = (await stream.waitFor((e) => e.event === "endpoint")).data;
      let id = 0;
      const call = async (method: string, params: Record<string, unknown>) => {
        const my = ++id;
        expect((await post(endpoint, { jsonrpc: "2.0", id: my, method, params }, auth, sink)).status).toBe(202);
        return JSON.parse((await stream.waitFor((e) => e.event === "message" && JSON.parse(e.data).id === my)).data).result;
      };
      await call("initialize", { protocolVersion: "2024-11-05", capabilities: {}, clientInfo: { name: "p", version: "1" } });
      const listed = await listAll(call);
      stream.close();
      check(c, listed, stream.text + sink.join(""), "legacy");
    }
  });
});
