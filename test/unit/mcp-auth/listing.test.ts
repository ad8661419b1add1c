// The listing filter in the host emulator: list request ids tagged upstream
// and given back as sent, every listing kind filtered on every path (JSON,
// SSE, batch, a GET that replays earlier results), what is dropped when it
// cannot be filtered, hostile ids and response shapes, origin checks, and
// session binding (first bind under a race, the legacy transport's query).
import { beforeAll, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { Host, type ProxyVm, type Upstream, type UpstreamRequest } from "../../host/index.ts";
import { Prng } from "../common/corpus/prng.ts";
import { buildMcpAuth, RESOURCE, rpc, startVm } from "./support.ts";
import { FakeServer, received, type Catalog, type Json } from "./fake-server.ts";

let WASM: string;
const BOB = "bob-key-0123456789ab";
const EVE = "eve-key-0123456789ab";
const CONFIG = {
  resource: RESOURCE,
  apiKeys: { consumers: [{ name: "bob", key: BOB }, { name: "eve", key: EVE }] },
  policies: [
    { allow: { methods: ["*"], tools: ["echo", "get-*"], prompts: ["simple-*"], resources: ["demo://static/", "demo://dyn/text/"] }, deny: { tools: ["get-env"] } },
  ],
  maxResponseBytes: 4096,
};
const CATALOG: Catalog = {
  tools: ["echo", "get-sum", "get-env", "delete-all", "long-op"],
  prompts: ["simple-prompt", "args-prompt", "secret-prompt"],
  resources: ["demo://static/a.md", "demo://static/b.md", "demo://private/keys.txt", "file:///etc/passwd"],
  templates: ["demo://dyn/text/{id}", "demo://dyn/blob/{id}", "file:///{path}"],
};
const ALLOWED = { tools: ["echo", "get-sum"], prompts: ["simple-prompt"], resources: ["demo://static/a.md", "demo://static/b.md"], templates: ["demo://dyn/text/{id}"] };
const DENIED = ["get-env", "delete-all", "long-op", "args-prompt", "secret-prompt", "demo://private/keys.txt", "file:///etc/passwd", "demo://dyn/blob/{id}", "file:///{path}"];

let vm: ProxyVm;
beforeAll(async () => {
  WASM = await buildMcpAuth();
  vm = startVm(WASM, CONFIG);
}, 120_000);

const as = (key: string, extra: Record<string, string> = {}) => ({ "x-api-key": key, ...extra });
const list = (id: unknown, method: string, params?: Json) => ({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });
const itemNames = (r: Json) => (r.tools ?? r.prompts ?? r.resources ?? r.resourceTemplates).map((i: Json) => i.name !== undefined && !i.uri && !i.uriTemplate ? i.name : i.uri ?? i.uriTemplate);

function expectNoDenied(body: string): void {
  for (const d of DENIED) expect(body, d).not.toContain(JSON.stringify(d));
}

async function post(server: FakeServer, body: unknown, key = BOB, headers: Record<string, string> = {}, v = vm, upstream: Upstream = server.handle) {
  return rpc(v, body, { headers: as(key, headers), options: { upstream } });
}

async function get(server: FakeServer, key = BOB, path = "/mcp", v = vm) {
  return v.exchange({ method: "GET", path, headers: { host: "mcp.test", accept: "text/event-stream", ...as(key) } }, { upstream: server.handle });
}

describe("list requests: ids tagged upstream, given back as sent", () => {
  it("tags every list request of a batch, leaves other ids alone, and restores ids of every JSON type byte for byte", async () => {
    const server = new FakeServer(CATALOG);
    const body = '[{"jsonrpc":"2.0","id":1.0,"method":"tools/list"},{"jsonrpc":"2.0","id":"\\u0041b","method":"prompts/list"},{"jsonrpc":"2.0","id":"ü","method":"resources/list"},{"jsonrpc":"2.0","id":-0,"method":"resources/templates/list"},{"jsonrpc":"2.0","id":1,"method":"ping"}]';
    const res = await post(server, body);
    const upstreamIds = JSON.parse(server.received[0]).map((m: Json) => m.id);
    expect(upstreamIds.slice(0, 4).every((id: unknown) => typeof id === "string" && id.startsWith("mcp-auth:"))).toBe(true);
    expect(upstreamIds[4]).toBe(1);
    // The client gets its own ids back exactly as it wrote them.
    expect(res.body).toContain('"id":1.0,');
    expect(res.body).toContain('"id":"\\u0041b"');
    expect(res.body).toContain('"id":"ü"');
    expect(res.body).toContain('"id":-0,');
    expect(res.body).not.toContain("mcp-auth:");
    const msgs = received(res.body, false);
    expect(itemNames(msgs[0].result)).toEqual(ALLOWED.tools);
    expect(itemNames(msgs[1].result)).toEqual(ALLOWED.prompts);
    expect(itemNames(msgs[2].result)).toEqual(ALLOWED.resources);
    expect(itemNames(msgs[3].result)).toEqual(ALLOWED.templates);
    expectNoDenied(res.body);
    expect(vm.trapped).toBe(false);
  });

  it("refuses ids that start with the gateway's tag prefix, escaped or not", async () => {
    const server = new FakeServer(CATALOG);
    for (const id of ['"mcp-auth:tools/list:MQ"', '"mcp\\u002dauth:x"']) {
      const res = await post(server, `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo"}}`);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error).toMatchObject({ code: -32600, message: expect.stringContaining("reserved") });
    }
    expect(server.received).toEqual([]);
  });

  it("refuses messages that repeat a member authorization reads", async () => {
    const server = new FakeServer(CATALOG);
    for (const body of [
      '{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"get-env"}}',
      '{"jsonrpc":"2.0","id":1,"id":2,"method":"tools/list"}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get-env","name":"echo"}}',
    ]) {
      const res = await post(server, body);
      expect(JSON.parse(res.body).error.code, body).toBe(-32600);
    }
    expect(server.received).toEqual([]);
  });
});

describe("results on every path", () => {
  it("filters all four listings in JSON and in SSE, keeping pagination cursors", async () => {
    const kinds = [["tools/list", ALLOWED.tools], ["prompts/list", ALLOWED.prompts], ["resources/list", ALLOWED.resources], ["resources/templates/list", ALLOWED.templates]] as const;
    for (const mode of ["json", "sse"] as const) {
      for (const [method, allowed] of kinds) {
        const server = new FakeServer(CATALOG);
        server.mode = mode;
        server.pageSize = 2;
        let cursor: string | undefined;
        const items: string[] = [];
        do {
          const res = await post(server, list(9, method, cursor ? { cursor } : undefined));
          expectNoDenied(res.body);
          const [msg] = received(res.body, mode === "sse");
          expect(msg.id).toBe(9);
          items.push(...itemNames(msg.result));
          cursor = msg.result.nextCursor;
        } while (cursor !== undefined);
        expect(items, `${mode} ${method}`).toEqual(allowed);
      }
    }
  });

  it("filters list results replayed on a GET stream, whose request the GET never saw", async () => {
    const server = new FakeServer(CATALOG);
    for (const [i, m] of ["tools/list", "prompts/list", "resources/list", "resources/templates/list"].entries()) await post(server, list(i, m));
    const res = await get(server);
    expectNoDenied(res.body);
    const msgs = received(res.body, true);
    expect(msgs.map((m) => m.id)).toEqual([0, 1, 2, 3]);
    expect(msgs.map((m) => itemNames(m.result))).toEqual([ALLOWED.tools, ALLOWED.prompts, ALLOWED.resources, ALLOWED.templates]);
    expect(res.body).toContain("id: 3\n"); // SSE event ids kept
  });

  it("filters a GET stream whatever body the GET carries, and the answer of any method but POST", async () => {
    const server = new FakeServer(CATALOG);
    await post(server, list(1, "tools/list"));
    server.sent.push({ jsonrpc: "2.0", id: 99, result: { tools: CATALOG.tools.map((name) => ({ name })) } });
    // A body without list requests must not decide that the GET stream's results pass unread.
    for (const body of [{ jsonrpc: "2.0", method: "notifications/initialized" }, { jsonrpc: "2.0", id: 5, method: "ping" }]) {
      const res = await vm.exchange({ method: "GET", path: "/mcp", headers: { host: "mcp.test", accept: "text/event-stream", "content-type": "application/json", ...as(BOB) }, body: JSON.stringify(body) }, { upstream: server.handle });
      expect(res.status).toBe(200);
      expectNoDenied(res.body);
      expect(res.body).not.toContain("mcp-auth:");
      expect(received(res.body, true).map((m) => itemNames(m.result))).toEqual([ALLOWED.tools, ALLOWED.tools]);
    }
    const replay = (req: { method: string }) => (req.method === "POST" ? { status: 202 } : server.handle({ ...req, method: "GET" } as never));
    for (const method of ["DELETE", "PUT", "get"]) {
      const res = await vm.exchange({ method, path: "/mcp", headers: { host: "mcp.test", ...as(BOB) } }, { upstream: replay });
      expectNoDenied(res.body);
    }
  });

  it("asks the server for uncompressed bytes, and refuses a compressed response it cannot filter", async () => {
    const server = new FakeServer(CATALOG);
    let acceptEncoding: string | undefined = "unset";
    const gzipped = (req: UpstreamRequest) => {
      acceptEncoding = req.headers.get("accept-encoding");
      const plain = server.handle(req);
      return { ...plain, headers: { ...(plain.headers as Record<string, string>), "content-encoding": "gzip" }, body: gzipSync(typeof plain.body === "string" ? plain.body : String(plain.body ?? "")) };
    };
    const res = await post(server, list(1, "tools/list"), BOB, { "accept-encoding": "gzip, deflate, br" }, vm, gzipped);
    expect(acceptEncoding).toBeUndefined();
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32603 } });
    for (const [mode, type] of [["json", "application/json"], ["sse", "text/event-stream"]] as const) {
      server.mode = mode;
      const stream = await get({ handle: gzipped } as unknown as FakeServer);
      expect(stream.status, type).toBe(502);
      expect(JSON.parse(stream.body)).toMatchObject({ error: { code: -32603 } });
    }
    // Plain answers still pass, filtered.
    server.mode = "json";
    expect(received((await post(server, list(2, "tools/list"), BOB, { "accept-encoding": "identity" })).body, false)[0].result.tools.map((t: Json) => t.name)).toEqual(ALLOWED.tools);
  });

  it("filters a result that looks like a listing even when its id matches no request", async () => {
    const server = new FakeServer(CATALOG);
    server.sent.push({ jsonrpc: "2.0", id: 99, result: { tools: CATALOG.tools.map((name) => ({ name })), prompts: CATALOG.prompts.map((name) => ({ name })) } });
    server.sent.push({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
    const res = await get(server);
    expectNoDenied(res.body);
    const [msg, note] = received(res.body, true);
    expect(itemNames({ tools: msg.result.tools })).toEqual(ALLOWED.tools);
    expect(note).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
  });

  it("never passes what it cannot filter: wrong shapes become errors, items without names go, unreadable tags are dropped", async () => {
    const server = new FakeServer(CATALOG);
    server.shape = (m) => ({ ...m, result: { tools: { a: { name: "get-env" } } } });
    const bad = received((await post(server, list(1, "tools/list"))).body, false)[0];
    expect(bad).toMatchObject({ id: 1, error: { code: -32603 } });
    server.shape = (m) => ({ ...m, result: "get-env" });
    expect(received((await post(server, list(2, "tools/list"))).body, false)[0]).toMatchObject({ id: 2, error: { code: -32603 } });
    server.shape = (m) => ({ ...m, result: { tools: [{ name: "echo" }, { title: "get-env" }, "get-env", { name: 5 }] } });
    expect(received((await post(server, list(3, "tools/list"))).body, false)[0].result.tools).toEqual([{ name: "echo" }]);
    server.shape = (m) => ({ jsonrpc: "2.0", id: m.id, error: { code: -1, message: "no" } });
    expect(received((await post(server, list(4, "tools/list"))).body, false)[0]).toEqual({ jsonrpc: "2.0", id: 4, error: { code: -1, message: "no" } });
    // A tag the gateway did not write (broken base64, unknown method): the message is dropped.
    const replay = new FakeServer(CATALOG);
    replay.sent.push({ jsonrpc: "2.0", id: "mcp-auth:tools/list:!!", result: { tools: [{ name: "get-env" }] } });
    replay.sent.push({ jsonrpc: "2.0", id: "mcp-auth:tools/call:MQ", result: { tools: [{ name: "get-env" }] } });
    const res = await get(replay);
    expect(res.body).not.toContain("get-env");
    expect(received(res.body, true)).toEqual([]);
    expect(vm.trapped).toBe(false);
  });

  it("ends a stream at an event too large to inspect, and nothing after it passes", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, result: { tools: [{ name: "echo", description: "x".repeat(5000) }, { name: "get-env" }] } });
    const upstream = () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body: ["data: " + big.slice(0, 3000), big.slice(3000) + "\n\n", 'data: {"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"get-env"}]}}\n\n'] });
    const res = await vm.exchange({ method: "GET", path: "/mcp", headers: { host: "mcp.test", ...as(BOB) } }, { upstream });
    expect(res.body).not.toContain("get-env");
    expect(res.reset).toBe(true);
  });

  it("survives hostile list responses: mutated bytes never trap, and no denied name gets through", async () => {
    const r = new Prng(16);
    const base = JSON.stringify({ jsonrpc: "2.0", id: "ID", result: { tools: CATALOG.tools.map((name) => ({ name, description: "d" })), nextCursor: "c" } });
    for (let i = 0; i < 300; i++) {
      const chars = [...base];
      for (let k = 0, n = 1 + r.int(4); k < n; k++) {
        const at = r.int(chars.length);
        const op = r.next();
        if (op < 0.4) chars[at] = '{}[]",:0ax\\'.charAt(r.int(11));
        else if (op < 0.7) chars.splice(at, 1);
        else chars.splice(at, 0, '{}[]",:'.charAt(r.int(7)));
      }
      const mutated = chars.join("");
      const sse = i % 2 === 0;
      // The server answers with the (tagged) id it received in place of ID.
      const upstream = (req: { bodyText: string }) => {
        const text = mutated.replace('"ID"', JSON.stringify(JSON.parse(req.bodyText).id));
        return sse ? { status: 200, headers: { "content-type": "text/event-stream" }, body: `data: ${text}\n\n` } : { status: 200, headers: { "content-type": "application/json" }, body: text };
      };
      const res = await rpc(vm, list(i, "tools/list"), { headers: as(BOB), options: { upstream } });
      expect(vm.trapped).toBe(false);
      // With the id intact the response is known to answer tools/list: nothing denied may pass, whatever its shape.
      if (mutated.includes('"ID"')) for (const d of ["get-env", "delete-all", "long-op"]) expect(res.body, mutated).not.toContain(`"${d}"`);
    }
  });
});

describe("completions", () => {
  it("completes arguments only of prompts and resource templates the caller may use", async () => {
    const complete = (ref: Json) => ({ jsonrpc: "2.0", id: 6, method: "completion/complete", params: { ref, argument: { name: "a", value: "" } } });
    const server = new FakeServer(CATALOG);
    const cases: [Json, boolean][] = [
      [{ type: "ref/prompt", name: "simple-prompt" }, true],
      [{ type: "ref/resource", uri: "demo://dyn/text/{id}" }, true],
      [{ type: "ref/prompt", name: "secret-prompt" }, false],
      [{ type: "ref/resource", uri: "demo://dyn/blob/{id}" }, false],
      [{ type: "ref/resource", uri: "demo://dyn/text/../blob/{id}" }, false],
      [{ type: "ref/tool", name: "simple-prompt" }, false],
      [{ name: "simple-prompt" }, false],
    ];
    for (const [ref, allowed] of cases) {
      const before = server.received.length;
      const res = await post(server, complete(ref));
      expect(server.received.length - before, JSON.stringify(ref)).toBe(allowed ? 1 : 0);
      if (!allowed) expect(JSON.parse(res.body).error.code, JSON.stringify(ref)).toBe(-32003);
    }
    // The ref's members count like params.name: repeated or in another case, refused.
    const twice = await post(server, '{"jsonrpc":"2.0","id":7,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"simple-prompt","Name":"secret-prompt"},"argument":{"name":"a","value":""}}}');
    expect(JSON.parse(twice.body).error.code).toBe(-32600);
  });
});

describe("origin validation", () => {
  const withOrigin = (v: ProxyVm, origin: string) => rpc(v, { jsonrpc: "2.0", id: 1, method: "ping" }, { headers: as(BOB, { origin }) });

  it("by default accepts the resource's own origin and requests without Origin, refuses others with 403", async () => {
    expect((await withOrigin(vm, "https://mcp.test")).status).toBe(200);
    expect((await rpc(vm, { jsonrpc: "2.0", id: 1, method: "ping" }, { headers: as(BOB) })).status).toBe(200);
    for (const o of ["https://evil.example", "http://mcp.test", "null", "https://mcp.test.evil.example"]) {
      const res = await withOrigin(vm, o);
      expect(res.status, o).toBe(403);
      expect(res.upstream).toBeNull();
      expect(JSON.parse(res.body).error.message).toBe("origin not allowed: " + o);
    }
  });

  it("takes a list of origins and globs, or * for any", async () => {
    const own = startVm(WASM, { ...CONFIG, allowedOrigins: ["https://app.example.com", "http://localhost:*"] });
    expect((await withOrigin(own, "https://app.example.com")).status).toBe(200);
    expect((await withOrigin(own, "http://localhost:6274")).status).toBe(200);
    expect((await withOrigin(own, "https://mcp.test")).status).toBe(403);
    const any = startVm(WASM, { ...CONFIG, allowedOrigins: ["*"] });
    expect((await withOrigin(any, "https://anything.example")).status).toBe(200);
  });
});

describe("session binding", () => {
  const init = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } };

  it("lets only one of two workers bind a new session when both race for it", async () => {
    const host = new Host();
    const a = startVm(WASM, CONFIG, host);
    // Another worker creates the binding between this worker's read and its write.
    const get = host.sharedData.get.bind(host.sharedData);
    let raced = false;
    host.sharedData.get = (vmId: string, key: string) => {
      const v = get(vmId, key);
      if (!v && !raced && key === "mcp-auth/session/s-race") {
        raced = true;
        host.sharedData.set(vmId, key, new TextEncoder().encode("eve"), 0);
      }
      return v;
    };
    const upstream = () => ({ status: 200, headers: { "content-type": "application/json", "mcp-session-id": "s-race" }, body: '{"jsonrpc":"2.0","id":0,"result":{}}' });
    const res = await rpc(a, init, { headers: as(BOB), options: { upstream } });
    expect(raced).toBe(true);
    expect(res.status).toBe(403);
    expect(res.body).not.toContain("result");
    expect(Buffer.from(get("mcp-auth", "mcp-auth/session/s-race")!.value).toString()).toBe("eve");
  });

  it("refuses a session another caller bound while this request was upstream", async () => {
    const host = new Host();
    const a = startVm(WASM, CONFIG, host);
    const b = startVm(WASM, CONFIG, host);
    const ok = () => ({ status: 200, headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","id":1,"result":{}}' });
    // Both present a session neither has bound (e.g. from before a restart).
    const upstream = async () => {
      expect((await rpc(b, { jsonrpc: "2.0", id: 1, method: "ping" }, { headers: as(EVE, { "mcp-session-id": "s-old" }), options: { upstream: ok } })).status).toBe(200);
      return ok();
    };
    const res = await rpc(a, { jsonrpc: "2.0", id: 1, method: "ping" }, { headers: as(BOB, { "mcp-session-id": "s-old" }), options: { upstream } });
    expect(res.status).toBe(403);
    expect((await rpc(a, { jsonrpc: "2.0", id: 2, method: "ping" }, { headers: as(BOB, { "mcp-session-id": "s-old" }), options: { upstream: ok } })).status).toBe(403);
  });

  it("binds a legacy session from its endpoint event and refuses it to others in any spelling of the query", async () => {
    const host = new Host();
    const own = startVm(WASM, CONFIG, host);
    const sse = () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body: ["event: endpoint\ndata: /messages?session", "Id=abc-123\n\n"] });
    const stream = await own.exchange({ method: "GET", path: "/sse", headers: { host: "mcp.test", ...as(BOB) } }, { upstream: sse });
    expect(stream.body).toContain("data: /messages?sessionId=abc-123");
    const accepted = () => ({ status: 202 });
    const postAs = (key: string, path: string) => rpc(own, { jsonrpc: "2.0", id: 1, method: "ping" }, { path, headers: as(key), options: { upstream: accepted } });
    expect((await postAs(BOB, "/messages?sessionId=abc-123")).status).toBe(202);
    for (const path of ["/messages?sessionId=abc-123", "/messages?sessionId=%61bc-123", "/messages?session%49d=abc-123", "/messages?x=1&session_id=abc-123", "/messages?sessionId=zzz&sessionId=abc-123"]) {
      const res = await postAs(EVE, path);
      expect(res.status, path).toBe(403);
      expect(res.upstream).toBeNull();
    }
    // An endpoint naming a session bound to someone else ends that stream.
    const hijack = await own.exchange({ method: "GET", path: "/sse", headers: { host: "mcp.test", ...as(EVE) } }, { upstream: sse });
    expect(hijack.body).not.toContain("abc-123");
    expect(hijack.reset).toBe(true);
    expect(own.trapped).toBe(false);
  });

  it("with filterLists off, listings pass as the server sent them and legacy sessions are still bound", async () => {
    const host = new Host();
    const own = startVm(WASM, { ...CONFIG, filterLists: false }, host);
    const server = new FakeServer(CATALOG);
    const res = await post(server, list(1, "tools/list"), BOB, {}, own);
    expect(JSON.parse(server.received[0]).id).toBe(1);
    expect(itemNames(received(res.body, false)[0].result)).toEqual(CATALOG.tools);
    const sse = () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body: "event: endpoint\ndata: /messages?sessionId=off-1\n\n" });
    await own.exchange({ method: "GET", path: "/sse", headers: { host: "mcp.test", ...as(BOB) } }, { upstream: sse });
    expect((await rpc(own, { jsonrpc: "2.0", id: 1, method: "ping" }, { path: "/messages?sessionId=off-1", headers: as(EVE), options: { upstream: () => ({ status: 202 }) } })).status).toBe(403);
  });
});
