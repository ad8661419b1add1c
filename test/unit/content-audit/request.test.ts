// content-audit on requests, in the host emulator: blocking with the
// configured reply, masking in place (valid JSON, right length), every
// prompt shape (OpenAI Chat string and parts, tool call arguments,
// Responses, Anthropic), MCP tools/call, and the audit event.
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvent, auditVm, buildFilter, chatBody, header, post, upstreamBody } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const CONFIG = {
  rules: [
    { id: "secrets", type: "pii", detectors: ["secret"], action: "block" },
    { id: "pii", type: "pii", detectors: ["email", "phone", "credit_card", "cn_resident_id", "iban", "us_ssn", "ip_address"], action: "mask" },
    { id: "banned", type: "keywords", keywords: ["forbidden topic", "违禁词"], allow: ["not a forbidden topic"], action: "block" },
    { id: "watch", type: "keywords", keywords: ["project falcon"], action: "log" },
    { id: "ticket", type: "pattern", pattern: "TICKET-\\d{6}", action: "mask", mask: { placeholder: "[TICKET]" } },
  ],
};

describe("request blocking", () => {
  it("answers a blocked prompt with an OpenAI-format error and never reaches the upstream", async () => {
    const vm = auditVm(CONFIG);
    const res = await post(vm, chatBody("my key is sk-proj-abc123DEF456ghi789JKL012"));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ code: "content_blocked", type: "invalid_request_error" });
    expect(header(res, "x-content-audit")).toBe("block; rule=secrets");
    expect(res.upstream).toBeNull();
    expect(auditEvent(res)).toMatchObject({ verdict: "block", blocked_by: "secrets", blocked_in: "request" });
    expect(vm.trapped).toBe(false);
  });

  it("inspects JSON bodies whatever the content-type's case or +json suffix, and leaves other types alone", async () => {
    const vm = auditVm(CONFIG);
    const send = (type: string) =>
      vm.exchange({ method: "POST", path: "/v1/chat/completions", headers: [["host", "gw"], ["content-type", type]], body: chatBody("a forbidden topic") });
    for (const type of ["application/json", "Application/JSON; charset=utf-8", "APPLICATION/VND.API+JSON", "application/problem+json"]) {
      expect((await send(type)).status, type).toBe(400);
    }
    for (const type of ["text/plain", "application/xml", "text/json"]) expect((await send(type)).status, type).toBe(200);
    expect(vm.trapped).toBe(false);
  });

  it("uses the configured status, message and body", async () => {
    const vm = auditVm({ ...CONFIG, block: { status: 451, message: "nope" } });
    const res = await post(vm, chatBody("a forbidden topic here"));
    expect(res.status).toBe(451);
    expect(JSON.parse(res.body).error.message).toBe("nope");
    const custom = auditVm({ ...CONFIG, block: { status: 403, body: "blocked!", content_type: "text/plain" } });
    const res2 = await post(custom, chatBody("违禁词"));
    expect(res2.status).toBe(403);
    expect(res2.body).toBe("blocked!");
    expect(header(res2, "content-type")).toBe("text/plain");
  });

  it("sees through full-width letters, zero-width characters and mixed case", async () => {
    const vm = auditVm(CONFIG);
    for (const text of ["ＦＯＲＢＩＤＤＥＮ topic", "for\u200bbid\u200dden TOPIC", "违\u200b禁词", "FoRbIdDeN ToPiC"]) {
      const res = await post(vm, chatBody(text));
      expect(res.status, text).toBe(400);
    }
  });

  it("lets allow-listed phrases through", async () => {
    const vm = auditVm(CONFIG);
    const res = await post(vm, chatBody("this is not a forbidden topic at all"));
    expect(res.status).toBe(200);
  });
});

describe("request masking", () => {
  it("masks PII in place and keeps the body valid JSON", async () => {
    const vm = auditVm(CONFIG);
    const res = await post(vm, chatBody("mail bob@example.com, call +86 138 0013 8000, card 4111 1111 1111 1111, TICKET-123456"));
    expect(res.status).toBe(200);
    const sent = JSON.parse(upstreamBody(res));
    expect(sent.messages[0].content).toBe("mail [EMAIL], call [PHONE], card [CREDIT_CARD], [TICKET]");
    expect(res.upstream!.headers.get("content-length") ?? null).toBeNull();
    expect(auditEvent(res)).toMatchObject({ verdict: "mask", masked: 4 });
  });

  it("masks the original characters even when they were written full-width or split by invisible ones", async () => {
    const vm = auditVm(CONFIG);
    const res = await post(vm, chatBody("write to ｂｏｂ＠ｅｘａｍｐｌｅ．ｃｏｍ or al\u200bice@example.org today"));
    expect(JSON.parse(upstreamBody(res)).messages[0].content).toBe("write to [EMAIL] or [EMAIL] today");
  });

  it("partial masks keep the last characters", async () => {
    const vm = auditVm({ rules: [{ id: "cards", type: "pii", detectors: ["credit_card"], action: "mask", mask: { style: "partial", keep_last: 4 } }] });
    const res = await post(vm, chatBody("card 4111-1111-1111-1111 ok"));
    expect(JSON.parse(upstreamBody(res)).messages[0].content).toBe("card ****-****-****-1111 ok");
  });

  it("inspects content parts, tool call arguments, Responses input and Anthropic messages", async () => {
    const vm = auditVm(CONFIG);
    const parts = await post(vm, chatBody([{ type: "text", text: "a@example.com" }, { type: "image_url", image_url: { url: "https://x/a@example.com" } }]));
    const sentParts = JSON.parse(upstreamBody(parts)).messages[0].content;
    expect(sentParts[0].text).toBe("[EMAIL]");
    expect(sentParts[1].image_url.url).toBe("https://x/a@example.com");

    const tool = await post(vm, JSON.stringify({ model: "m", messages: [{ role: "assistant", tool_calls: [{ id: "1", type: "function", function: { name: "send", arguments: '{"to":"bob@example.com"}' } }] }] }));
    const args = JSON.parse(upstreamBody(tool)).messages[0].tool_calls[0].function.arguments;
    expect(JSON.parse(args)).toEqual({ to: "[EMAIL]" });

    const responses = await post(vm, JSON.stringify({ model: "m", instructions: "x", input: "reach me at 212-555-0199 please" }), { path: "/v1/responses" });
    expect(JSON.parse(upstreamBody(responses)).input).toBe("reach me at [PHONE] please");

    const anthropic = await post(vm, JSON.stringify({ model: "m", max_tokens: 10, system: "ops ip 10.1.2.3", messages: [{ role: "user", content: [{ type: "text", text: "ssn 234-56-7890" }] }] }), { path: "/v1/messages" });
    const a = JSON.parse(upstreamBody(anthropic));
    expect(a.system).toBe("ops ip [IP]");
    expect(a.messages[0].content[0].text).toBe("ssn [SSN]");
    expect(vm.trapped).toBe(false);
  });

  it("logs without changing anything for log rules, and counts per rule", async () => {
    const vm = auditVm(CONFIG);
    const body = chatBody("about project falcon and PROJECT FALCON");
    const res = await post(vm, body);
    expect(upstreamBody(res)).toBe(body);
    const ev = auditEvent(res);
    expect(ev.verdict).toBe("log");
    expect(ev.rules).toEqual([{ id: "watch", action: "log", request: 2, response: 0 }]);
    expect(ev.matches).toBeUndefined();
  });

  it("puts matched text in the event only when configured", async () => {
    const vm = auditVm({ ...CONFIG, audit: { include_matches: true, consumer_header: "x-consumer" } });
    const res = await post(vm, chatBody("project falcon"), { headers: [["x-consumer", "team-a"]] });
    const ev = auditEvent(res);
    expect(ev.matches).toEqual(["project falcon"]);
    expect(ev.consumer).toBe("team-a");
    expect(ev.model).toBe("m");
  });
});

describe("MCP tools/call", () => {
  const call = (args: unknown) => JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "echo", arguments: args } });

  it("masks arguments and blocks with a JSON-RPC error echoing the id", async () => {
    const vm = auditVm(CONFIG);
    const masked = await post(vm, call({ message: "mail bob@example.com" }), { path: "/mcp" });
    expect(JSON.parse(upstreamBody(masked)).params.arguments.message).toBe("mail [EMAIL]");
    const blocked = await post(vm, call({ message: "违禁词" }), { path: "/mcp" });
    expect(blocked.status).toBe(200);
    expect(JSON.parse(blocked.body)).toMatchObject({ jsonrpc: "2.0", id: 7, error: { code: -32004 } });
  });

  it("leaves other JSON-RPC methods alone and skips MCP when switched off", async () => {
    const vm = auditVm(CONFIG);
    const list = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { cursor: "bob@example.com" } });
    expect(upstreamBody(await post(vm, list, { path: "/mcp" }))).toBe(list);
    const off = auditVm({ ...CONFIG, inspect: { mcp: false } });
    const body = call({ message: "违禁词" });
    expect((await post(off, body, { path: "/mcp" })).status).toBe(200);
  });
});

describe("MCP results", () => {
  it("masks a tools/call result and ends a Streamable HTTP stream with a JSON-RPC error on a block", async () => {
    const vm = auditVm(CONFIG);
    const call = JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "lookup", arguments: { q: "x" } } });
    const result = (text: string) => `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: 9, result: { content: [{ type: "text", text }] } })}\n\n`;
    const sse = (body: string) => () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body });
    const masked = await post(vm, call, { path: "/mcp", upstream: sse(result("owner: carol@example.com")) });
    expect(JSON.parse(masked.body.split("data: ")[1]).result.content[0].text).toBe("owner: [EMAIL]");
    const blocked = await post(vm, call, { path: "/mcp", upstream: sse(result("token sk-proj-abc123DEF456ghi789JKL012")) });
    expect(blocked.body.startsWith("event: message\n")).toBe(true);
    expect(JSON.parse(blocked.body.split("data: ")[1])).toMatchObject({ jsonrpc: "2.0", id: 9, error: { code: -32004 } });
    expect(blocked.body).not.toContain("sk-proj");
    expect(vm.trapped).toBe(false);
  });
});
