// The shared helpers that need a host (assembly/common/{body,properties,
// metrics,log,route}.ts), run by the common-host fixture in the host emulator.
import { builtFixture } from "../../host/fixtures.ts";
import { beforeAll, describe, expect, it } from "vitest";
import { Host, LogLevel, WasmResult, type ExchangeRequest, type ExchangeResult, type HostOptions, type PluginOptions, type ProxyVm, type Route } from "../../host/index.ts";

let WASM: string;
const PLUGIN: PluginOptions = { name: "helpers-plugin", rootId: "helpers-root", vmId: "helpers-vm" };

beforeAll(async () => {
  WASM = await builtFixture("common-host");
}, 120_000);

function start(config: string, hostOpts: HostOptions = {}, plugin: PluginOptions = {}): { host: Host; vm: ProxyVm } {
  const host = new Host(hostOpts);
  const vm = host.startVm(WASM, { ...PLUGIN, ...plugin, configuration: config });
  return { host, vm };
}

/** The last value of a response header (a report may repeat a name, e.g. one body-state per body callback). */
const header = (r: ExchangeResult, name: string) => r.headers.filter(([k]) => k === name).pop()?.[1];
const report = (r: ExchangeResult, name: string) => header(r, `x-r-${name}`);

describe("body buffering (body.ts)", () => {
  const post = (body: ExchangeRequest["body"], extra: Partial<ExchangeRequest> = {}): ExchangeRequest => ({
    method: "POST",
    path: "/v1/chat/completions",
    headers: { "x-op": "body", "content-length": String(Buffer.byteLength(Array.isArray(body) ? body.join("") : (body as string))) },
    body,
    ...extra,
  });

  it("buffers a chunked request body, reads it whole and replaces it", async () => {
    const { vm } = start("limit=64;overflow=reject");
    const r = await vm.exchange(post(["hello ", "wasm ", "world"]));
    expect(r.status).toBe(200);
    expect(r.upstream?.bodyText).toBe("[16]hello wasm world");
    expect(r.upstream?.headers.get("content-length")).toBeUndefined();
    expect(report(r, "drop-content-length")).toBe("0");
    expect(report(r, "replace")).toBe("0");
    expect(r.headers.filter(([k]) => k === "x-r-body-state").map(([, v]) => v)).toEqual(["0", "0", "1"]);
    expect(vm.trapped).toBe(false);
  });

  it("accepts a body of exactly the limit", async () => {
    const { vm } = start("limit=10;overflow=reject");
    const r = await vm.exchange(post(["12345", "67890"]));
    expect(r.upstream?.bodyText).toBe("[10]1234567890");
  });

  it("rejects a body past the limit with a JSON 413", async () => {
    const { vm } = start("limit=10;overflow=reject");
    const r = await vm.exchange(post(["12345", "678901"]));
    expect(r.status).toBe(413);
    expect(r.upstream).toBeNull();
    expect(header(r, "content-type")).toBe("application/json");
    expect(JSON.parse(r.body)).toEqual({
      error: { message: "request body exceeds the limit of 10 bytes", type: "invalid_request_error", param: null, code: "body_too_large" },
    });
    expect(r.headers).toEqual(expect.arrayContaining([["content-type", "application/json"]]));
    expect(r.localReply?.details).toBe("body_too_large");
    const next = await vm.exchange(post("small"));
    expect(next.upstream?.bodyText).toBe("[5]small");
  });

  it("lets an oversized body through unmodified with overflow=pass", async () => {
    const { vm } = start("limit=10;overflow=pass");
    const r = await vm.exchange(post(["12345", "678901", "more"]));
    expect(r.status).toBe(200);
    expect(r.upstream?.bodyText).toBe("12345678901more");
    expect(report(r, "body-state")).toBe("3");
  });

  it("completes the body in the trailers callback (HTTP/2 with trailers)", async () => {
    const { vm } = start("limit=64");
    const r = await vm.exchange(post(["abc", "def"], { trailers: { "x-checksum": "1" } }));
    expect(report(r, "trailers-state")).toBe("1");
    expect(r.upstream?.bodyText).toBe("[6]abcdef");
    expect(r.upstream?.trailers?.get("x-checksum")).toBe("1");
  });

  it("rejects an oversized body that ends in trailers", async () => {
    const { vm } = start("limit=4");
    const r = await vm.exchange(post(["abc"], { trailers: { "x-checksum": "1" } }));
    expect(r.upstream?.bodyText).toBe("[3]abc");
    const big = await vm.exchange(post(["abc", "de"], { trailers: { "x-checksum": "1" } }));
    expect(big.status).toBe(413);
  });

  it("treats a request without body as complete and empty", async () => {
    const { vm } = start("limit=64");
    const r = await vm.exchange({ method: "GET", path: "/", headers: { "x-op": "body" } });
    expect(r.status).toBe(200);
    expect(report(r, "body-state")).toBe("1");
    expect(report(r, "body-read")).toBeUndefined();
  });

  describe("response bodies", () => {
    const upstream = (chunks: string[], extra: Record<string, string> = {}) => () => ({
      status: 200,
      headers: { "content-type": "text/plain", "content-length": String(chunks.join("").length), ...extra },
      body: chunks,
    });

    it("buffers and replaces a response body", async () => {
      const { vm } = start("limit=64;direction=response");
      const r = await vm.exchange({ path: "/", headers: { "x-op": "body" } }, { upstream: upstream(["part1-", "part2"]) });
      expect(r.status).toBe(200);
      expect(r.body).toBe("[11]part1-part2");
      expect(header(r, "content-length")).toBeUndefined();
    });

    it("answers 502 JSON for an oversized response whose headers were held", async () => {
      const { vm } = start("limit=8;direction=response", {}, { allowOnHeadersStopIteration: true });
      const r = await vm.exchange({ path: "/", headers: { "x-op": "body" } }, { upstream: upstream(["0123456", "789"], { "x-hold": "1" }) });
      expect(r.status).toBe(502);
      expect(JSON.parse(r.body).error.code).toBe("response_too_large");
    });

    it("passes an oversized response through with overflow=pass", async () => {
      const { vm } = start("limit=8;direction=response;overflow=pass");
      const r = await vm.exchange({ path: "/", headers: { "x-op": "body" } }, { upstream: upstream(["0123456", "789", "ab"]) });
      expect(r.status).toBe(200);
      expect(r.body).toBe("0123456789ab");
    });
  });
});

describe("properties and filter state (properties.ts)", () => {
  it("reads stream, route and plugin properties and round-trips filter state", async () => {
    const { vm } = start("");
    const route: Route = { name: "chat-route", virtualHost: "llm-vhost", cluster: "openai" };
    const r = await vm.exchange(
      { method: "POST", path: "/v1/chat?x=1", authority: "api.example.test", headers: { "x-op": "props", "x-request-id": "req-123" }, body: "{}" },
      { routes: () => route, sourceAddress: "10.1.2.3:45678" },
    );
    expect({
      path: report(r, "path"),
      method: report(r, "method"),
      authority: report(r, "authority"),
      requestId: report(r, "request-id"),
      source: report(r, "source"),
      sourcePort: report(r, "source-port"),
      route: report(r, "route"),
      cluster: report(r, "cluster"),
      vhost: report(r, "vhost"),
      plugin: report(r, "plugin"),
      missingInt: report(r, "missing-int"),
      stringAsInt: report(r, "string-as-int"),
      setState: report(r, "set-state"),
      getState: report(r, "get-state"),
    }).toEqual({
      path: "/v1/chat?x=1",
      method: "POST",
      authority: "api.example.test",
      requestId: "req-123",
      source: "10.1.2.3:45678",
      sourcePort: "45678",
      route: "chat-route",
      cluster: "openai",
      vhost: "llm-vhost",
      plugin: "helpers-plugin|helpers-root|helpers-vm",
      missingInt: "-7",
      stringAsInt: "-8",
      setState: "1",
      getState: "hello state",
    });
    expect(Buffer.from(r.filterState.get("wasm.helpers.note")!).toString()).toBe("hello state");
  });
});

describe("reading a header map whole (runtime/header-block.ts)", () => {
  it("finds what a single header read finds: pseudo-headers, any case, the first of repeated headers, empty and missing", async () => {
    const { vm } = start("");
    const names = [":path", ":authority", ":method", "X-Request-ID", "x-dup", "x-empty", "missing", "x-request-i", "content-type"];
    const r = await vm.exchange({
      method: "POST",
      path: "/v1/chat?x=1",
      authority: "api.example.test",
      headers: { "x-op": "headers", "x-names": names.join(","), "x-request-id": "req-9", "x-dup": ["first", "second"], "x-empty": "", "content-type": "application/json" },
      body: "{}",
    });
    const block = names.map((_, i) => report(r, `block-${i}`));
    const single = names.map((_, i) => report(r, `single-${i}`));
    expect(block).toEqual(["/v1/chat?x=1", "api.example.test", "POST", "req-9", "first", "", "-", "-", "application/json"]);
    expect(block).toEqual(single);
  });
});

describe("metrics (metrics.ts)", () => {
  const request = (model: string | undefined, route = "chat"): ExchangeRequest => ({
    path: "/",
    headers: { "x-op": "metrics", "x-route": route, ...(model === undefined ? {} : { "x-model": model }) },
  });

  /** Records what the module asks of the metric host functions. */
  function spy(vm: ProxyVm) {
    const seen = { defined: [] as string[], refused: 0 };
    const define = vm.metrics.define.bind(vm.metrics);
    const increment = vm.metrics.increment.bind(vm.metrics);
    vm.metrics.define = (type, name) => (seen.defined.push(name), define(type, name));
    vm.metrics.increment = (id, offset) => {
      const st = increment(id, offset);
      if (st !== WasmResult.Ok) seen.refused++;
      return st;
    };
    return seen;
  }

  it("defines each metric once, counts, tracks a gauge and never sends a refused increment", async () => {
    const { host, vm } = start("series=10");
    const seen = spy(vm);
    const a = await vm.exchange(request("gpt-4o"));
    const b = await vm.exchange(request("gpt-4o"));
    expect(seen.defined).toEqual(["helpers_model_requests_total.route.chat.model.gpt-4o"]);
    expect(seen.refused).toBe(0);
    expect([report(a, "requests"), report(b, "requests")]).toEqual(["1", "2"]);
    expect(host.stats.counter("helpers_requests_total")).toBe(2);
    expect(host.stats.counter("helpers_model_requests_total.route.chat.model.gpt-4o")).toBe(4);
    expect(report(a, "inflight")).toBe("1");
    expect(host.stats.gauge("helpers_inflight")).toBe(0);
    expect(vm.trapped).toBe(false);
  });

  it("sanitizes tag values into the name/value naming scheme", async () => {
    const { host, vm } = start("series=10");
    const cases: [string | undefined, string][] = [
      ["claude-3.5-sonnet", "helpers_model_requests_total.route.chat.model.claude-3_5-sonnet"],
      ["qwen/qwen2 72b", "helpers_model_requests_total.route.chat.model.qwen_qwen2_72b"],
      ["", "helpers_model_requests_total.route.chat.model.unknown"],
      [undefined, "helpers_model_requests_total.route.chat.model.unknown"],
      ["m".repeat(100), `helpers_model_requests_total.route.chat.model.${"m".repeat(64)}`],
      ["é.x", "helpers_model_requests_total.route.chat.model.__x"],
    ];
    for (const [model, name] of cases) {
      const r = await vm.exchange(request(model));
      expect(report(r, "series")).toBe(name);
      expect(host.stats.counter(name)).toBeGreaterThan(0);
    }
  });

  it("bounds the number of series and counts the rest in the overflow series", async () => {
    const { host, vm } = start("series=2");
    const names: string[] = [];
    for (const model of ["a", "b", "c", "d", "a"]) names.push(report(await vm.exchange(request(model)), "series")!);
    const overflow = "helpers_model_requests_total.route.other.model.other";
    expect(names).toEqual([
      "helpers_model_requests_total.route.chat.model.a",
      "helpers_model_requests_total.route.chat.model.b",
      overflow,
      overflow,
      "helpers_model_requests_total.route.chat.model.a",
    ]);
    expect(host.stats.counter(overflow)).toBe(4);
  });

  it("records histogram samples", async () => {
    const { host, vm } = start("limit=100");
    await vm.exchange({ method: "POST", path: "/", headers: { "x-op": "body" }, body: "12345" });
    await vm.exchange({ method: "POST", path: "/", headers: { "x-op": "body" }, body: "12" });
    expect(host.stats.histogram("helpers_body_bytes")).toEqual([5, 2]);
  });
});

describe("logging (log.ts)", () => {
  const ours = (vm: ProxyVm) => vm.logs.filter((l) => l.source === "proxy_log").map((l) => [LogLevel[l.level], l.message]);

  it("does not send messages below the host's level, and prefixes the filter name", async () => {
    const { vm } = start("name=my-filter", { logLevel: LogLevel.Warn });
    const r = await vm.exchange({ path: "/", headers: { "x-op": "log" } });
    expect(report(r, "debug-enabled")).toBe("0");
    expect(ours(vm)).toEqual([
      ["Warn", "[my-filter] warn message"],
      ["Error", "[my-filter] error message"],
      ["Critical", "[my-filter] critical message"],
    ]);
  });

  it("sends every level when the host logs at trace", async () => {
    const { vm } = start("", { logLevel: LogLevel.Trace });
    const r = await vm.exchange({ path: "/", headers: { "x-op": "log" } });
    expect(report(r, "debug-enabled")).toBe("1");
    expect(ours(vm).map(([level]) => level)).toEqual(["Trace", "Debug", "Info", "Warn", "Error", "Critical"]);
  });

  it("picks up a level change within 64 checks", async () => {
    const { host, vm } = start("", { logLevel: LogLevel.Error });
    await vm.exchange({ path: "/", headers: { "x-op": "log" } });
    host.logLevel = LogLevel.Debug;
    const enabled: string[] = [];
    for (let i = 0; i < 10; i++) enabled.push(report(await vm.exchange({ path: "/", headers: { "x-op": "log" } }), "debug-enabled")!);
    // 7 checks per request: the cached level from the first request lasts 64 checks.
    expect(enabled.indexOf("1")).toBeGreaterThan(0);
    expect(enabled.indexOf("1")).toBeLessThanOrEqual(9);
    expect(enabled.slice(enabled.indexOf("1")).every((e) => e === "1")).toBe(true);
  });
});

describe("route cache (route.ts)", () => {
  it("clears the route cache through the foreign function so the new header picks the route", async () => {
    const { vm } = start("");
    const routes = (h: { get(name: string): string | undefined }): Route =>
      h.get("x-route") === "b" ? { name: "route-b", cluster: "cluster-b" } : { name: "route-a", cluster: "cluster-a" };
    const r = await vm.exchange({ path: "/", headers: { "x-op": "route", "x-reroute": "b" } }, { routes });
    expect(report(r, "clear-route-cache")).toBe("1");
    expect(r.clearRouteCacheCalls).toBe(1);
    expect(r.route?.name).toBe("route-b");
  });

  it("reports false when the host has no clear_route_cache", async () => {
    const { host, vm } = start("");
    host.foreignFunctions.delete("clear_route_cache");
    const r = await vm.exchange({ path: "/", headers: { "x-op": "route" } });
    expect(report(r, "clear-route-cache")).toBe("0");
    expect(vm.trapped).toBe(false);
  });
});
