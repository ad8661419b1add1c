// Local replies (assembly/common/reply*.ts): exact OpenAI-format and JSON-RPC
// bodies from the pure builders (kit exports), the stable catalog, and the
// send wrappers in the host emulator (status, content-type, extra headers,
// response code details).
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import { builtFixture } from "../../host/fixtures.ts";
import { loadKit, type Kit } from "../../host/kit.ts";

let WASM: string;
let kit: Kit;

beforeAll(async () => {
  WASM = await builtFixture("kit-config");
  kit = loadKit(WASM);
}, 120_000);

const openai = (args: Record<string, unknown>) => kit.callText("reply_openai", JSON.stringify(args));
const rpc = (args: Record<string, unknown>) => kit.callText("reply_rpc", JSON.stringify(args));

describe("catalog", () => {
  it("has stable codes, statuses and types", () => {
    expect(JSON.parse(kit.callText("reply_catalog", ""))).toEqual([
      ["invalid_request", 400, "invalid_request_error"],
      ["invalid_json", 400, "invalid_request_error"],
      ["content_blocked", 400, "invalid_request_error"],
      ["unauthorized", 401, "authentication_error"],
      ["forbidden", 403, "permission_error"],
      ["not_found", 404, "invalid_request_error"],
      ["body_too_large", 413, "invalid_request_error"],
      ["response_too_large", 502, "server_error"],
      ["rate_limited", 429, "rate_limit_error"],
      ["internal", 500, "server_error"],
      ["upstream_unavailable", 503, "server_error"],
      ["upstream_timeout", 504, "server_error"],
    ]);
  });
});

describe("OpenAI error bodies", () => {
  it("a catalog error, byte for byte", () => {
    expect(openai({ code: "rate_limited", message: "Token budget exhausted; retry in 7s" })).toBe(
      '{"error":{"message":"Token budget exhausted; retry in 7s","type":"rate_limit_error","param":null,"code":"rate_limited"}}',
    );
    expect(openai({ code: "invalid_json", message: "request body is not valid JSON (syntax at byte 12)", param: "messages" })).toBe(
      '{"error":{"message":"request body is not valid JSON (syntax at byte 12)","type":"invalid_request_error","param":"messages","code":"invalid_json"}}',
    );
  });

  it("escapes any message", () => {
    const message = 'bad "model" \\ \n\u0000 😀 é';
    const body = openai({ code: "forbidden", message });
    expect(JSON.parse(body).error.message).toBe(message);
    expect(body).toBe(`{"error":{"message":${JSON.stringify(message)},"type":"permission_error","param":null,"code":"forbidden"}}`);
  });

  it("a free-form error with its own type and code", () => {
    expect(openai({ code: "model_not_found", type: "invalid_request_error", message: "no such model", param: "model" })).toBe(
      '{"error":{"message":"no such model","type":"invalid_request_error","param":"model","code":"model_not_found"}}',
    );
  });
});

describe("JSON-RPC error bodies", () => {
  it("echoes string and number ids byte for byte", () => {
    expect(rpc({ id: '"req-7"', code: -32601, message: "Method not found" })).toBe('{"jsonrpc":"2.0","id":"req-7","error":{"code":-32601,"message":"Method not found"}}');
    expect(rpc({ id: "1E3", code: -32602, message: "Invalid params" })).toBe('{"jsonrpc":"2.0","id":1E3,"error":{"code":-32602,"message":"Invalid params"}}');
    expect(rpc({ id: '"a\\u00e9"', code: -32600, message: "x" })).toBe('{"jsonrpc":"2.0","id":"a\\u00e9","error":{"code":-32600,"message":"x"}}');
  });

  it("uses id null when the id is unknown or not a JSON string/number/null", () => {
    expect(rpc({ code: -32700, message: "Parse error" })).toBe('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
    for (const id of ["{}", "[1]", "true", '"unterminated', "1 2", ""]) {
      expect(JSON.parse(rpc({ id, code: -32600, message: "x" })).id, id).toBeNull();
    }
  });

  it("adds data when it is valid JSON, and drops it otherwise", () => {
    expect(rpc({ id: "3", code: -32001, message: "Unauthorized", data: '{"scope":"tools:call"}' })).toBe(
      '{"jsonrpc":"2.0","id":3,"error":{"code":-32001,"message":"Unauthorized","data":{"scope":"tools:call"}}}',
    );
    expect(rpc({ id: "3", code: -32001, message: "x", data: "{bad" })).toBe('{"jsonrpc":"2.0","id":3,"error":{"code":-32001,"message":"x"}}');
  });
});

describe("sending in the host emulator", () => {
  const PLUGIN = { name: "kit-config", rootId: "kit-config", vmId: "kit-config", configuration: '{"name":"g"}' };

  it("sendError: catalog status, JSON body, content-type, extra headers, code as details", async () => {
    const vm = new Host().startVm(WASM, PLUGIN);
    const r = await vm.exchange({ method: "POST", path: "/v1/chat/completions", headers: { "x-kit-reply": "error rate_limited" }, body: "{}" });
    expect(r.status).toBe(429);
    expect(r.upstream).toBeNull();
    expect(r.headers).toEqual(expect.arrayContaining([["content-type", "application/json"], ["retry-after", "7"]]));
    expect(r.headers.filter(([k]) => k === "content-type")).toHaveLength(1);
    expect(r.body).toBe('{"error":{"message":"kit says rate_limited","type":"rate_limit_error","param":null,"code":"rate_limited"}}');
    expect(r.details).toBe("rate_limited");
    expect(vm.trapped).toBe(false);
  });

  it("sendJsonRpcError: HTTP 200 with the id echoed", async () => {
    const vm = new Host().startVm(WASM, PLUGIN);
    const r = await vm.exchange({ method: "POST", path: "/mcp", headers: { "x-kit-reply": 'rpc "abc"' }, body: "{}" });
    expect(r.status).toBe(200);
    expect(r.headers).toEqual(expect.arrayContaining([["content-type", "application/json"]]));
    expect(r.body).toBe('{"jsonrpc":"2.0","id":"abc","error":{"code":-32601,"message":"Method not found","data":{"method":"x"}}}');
    expect(r.details).toBe("jsonrpc_error_-32601");
  });
});
