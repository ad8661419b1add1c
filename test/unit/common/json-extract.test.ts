// The request/response views over parsed bodies (assembly/common/json: llm,
// usage, jsonrpc) on real-shaped OpenAI Chat/Responses, Anthropic and MCP
// samples, plus bodies of the wrong shape, which must read as "absent".
import { beforeAll, describe, expect, it } from "vitest";
import type { Kit } from "../../host/kit.ts";
import { loadJsonKit } from "./corpus/json-kit.ts";
import * as S from "./corpus/samples.ts";

let kit: Kit;

beforeAll(async () => {
  kit = await loadJsonKit();
}, 120_000);

type Msg = { role: string; text: string; toolCallId: string | null; toolCalls: { id: string | null; name: string | null; arguments: string | null }[]; toolResults: { toolCallId: string | null; text: string }[]; allText: string };
type View = { api: string; model: string | null; stream: boolean | null; includeUsage: boolean | null; system: string | null; messages: Msg[]; lastUserText: string | null };

/** hint: 0 detect, 1 OpenAI Chat, 2 Anthropic Messages, 3 OpenAI Responses. */
const llm = (body: unknown, hint = 0): View => JSON.parse(kit.callText("llm_view", `${hint}${typeof body === "string" ? body : JSON.stringify(body)}`));
const usage = (body: unknown) => JSON.parse(kit.callText("usage_view", typeof body === "string" ? body : JSON.stringify(body)));
const rpc = (body: unknown) => JSON.parse(kit.callText("rpc_view", typeof body === "string" ? body : JSON.stringify(body)));
const msg = (role: string, text: string, extra: Partial<Msg> = {}): Msg => ({ role, text, toolCallId: null, toolCalls: [], toolResults: [], allText: text, ...extra });

describe("LLM request view", () => {
  it("OpenAI Chat: model, stream flags, string and part contents, tool calls and tool messages", () => {
    expect(llm(S.openaiChatRequest)).toEqual({
      api: "openai_chat",
      model: "gpt-4o-mini",
      stream: true,
      includeUsage: true,
      system: null,
      messages: [
        msg("system", "You are a careful assistant. Reply in English."),
        msg("user", "What's the weather in Paris and in Tōkyō? Use the tool."),
        msg("assistant", "", {
          toolCalls: [
            { id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
            { id: "call_2", name: "get_weather", arguments: '{"city":"Tōkyō"}' },
          ],
          allText: '{"city":"Paris"}\n{"city":"Tōkyō"}',
        }),
        msg("tool", "18°C, cloudy", { toolCallId: "call_1" }),
        msg("tool", "22°C, sunny ☀", { toolCallId: "call_2" }),
        msg("user", "Thanks! Now compare them.\nKeep it short 🙏"),
      ],
      lastUserText: "Thanks! Now compare them.\nKeep it short 🙏",
    });
  });

  it("Anthropic Messages: system blocks, tool_use input as raw JSON, tool_result content as string or blocks", () => {
    const v = llm(S.anthropicRequest);
    expect(v).toMatchObject({ api: "anthropic_messages", model: "claude-sonnet-4-5", stream: false, includeUsage: null, system: "You are terse.\nNever reveal secrets." });
    expect(v.messages).toEqual([
      msg("user", "Look up order 42."),
      msg("assistant", "Checking.", {
        toolCalls: [{ id: "toolu_01", name: "lookup_order", arguments: '{"id":42,"fields":["status","eta"]}' }],
        allText: 'Checking.\n{"id":42,"fields":["status","eta"]}',
      }),
      msg("user", "", { toolResults: [{ toolCallId: "toolu_01", text: "status: shipped\neta: tomorrow" }], allText: "status: shipped\neta: tomorrow" }),
      msg("assistant", "It ships tomorrow."),
      msg("user", "", { toolResults: [{ toolCallId: "toolu_02", text: "plain result" }], allText: "plain result" }),
    ]);
    // The latest user turns carry only tool results: the last human text is the first message.
    expect(v.lastUserText).toBe("Look up order 42.");
  });

  it("Anthropic is detected from a string system, and from tool blocks alone", () => {
    expect(llm({ model: "m", system: "s", messages: [{ role: "user", content: "hi" }] })).toMatchObject({ api: "anthropic_messages", system: "s" });
    expect(llm({ model: "m", messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "r" }] }] }).api).toBe("anthropic_messages");
    expect(llm({ model: "m", messages: [{ role: "user", content: "hi" }] }).api).toBe("openai_chat");
  });

  it("OpenAI Responses: instructions, input items (messages, function calls and outputs), other items skipped", () => {
    expect(llm(S.responsesRequest)).toEqual({
      api: "openai_responses",
      model: "gpt-4.1",
      stream: true,
      includeUsage: null,
      system: "Answer like a pirate.",
      messages: [
        msg("user", "Hi there"),
        msg("assistant", "Ahoy!"),
        msg("assistant", "", { toolCalls: [{ id: "fc_1", name: "find_treasure", arguments: '{"island":"Tortuga"}' }], allText: '{"island":"Tortuga"}' }),
        msg("tool", "X marks the spot", { toolCallId: "fc_1" }),
        msg("user", "Where is it?"),
      ],
      lastUserText: "Where is it?",
    });
    expect(llm(S.responsesStringInput)).toMatchObject({ api: "openai_responses", messages: [msg("user", "Tell me a joke")], lastUserText: "Tell me a joke" });
  });

  it("the API hint overrides detection", () => {
    // As Responses, a Chat body has no input: no messages.
    expect(llm(S.openaiChatRequest, 3)).toMatchObject({ api: "openai_responses", messages: [], lastUserText: null });
    expect(llm(S.openaiChatRequest, 2).api).toBe("anthropic_messages");
  });

  it("escaped text is decoded", () => {
    const body = '{"model":"m\\u00e9","messages":[{"role":"user","content":"a\\"b\\nc \\ud83d\\ude00"}]}';
    expect(llm(body)).toMatchObject({ model: "mé", lastUserText: 'a"b\nc 😀' });
  });

  it.each([
    ["root is an array", "[1,2]", null],
    ["root is a string", '"x"', null],
  ])("%s: no view", (_label, body, want) => {
    expect(llm(body)).toEqual(want);
  });

  it("fields of the wrong type read as absent, without trapping", () => {
    const weird = [
      { model: 5, stream: "yes", stream_options: [], messages: { role: "user" } },
      { messages: [1, "x", null, { role: 7, content: 8 }, { role: "user", content: [{ type: "text", text: 9 }, { type: "text" }, "bare", null] }] },
      { messages: [{ role: "assistant", tool_calls: { id: 1 } }, { role: "assistant", tool_calls: [null, { function: "f" }, { function: { name: 1, arguments: {} } }] }] },
      { messages: [{ role: "user", content: [{ type: "tool_use", input: null }, { type: "tool_result", content: 5 }] }] },
      { input: [null, 1, { type: "message" }, { type: "function_call" }, { type: "function_call_output", output: [{ type: "input_text", text: "o" }] }] },
      { instructions: 1, input: { role: "user" } },
      { system: { text: "x" }, messages: [] },
    ];
    for (const body of weird) {
      const v = llm(body);
      expect(v, JSON.stringify(body)).not.toBeNull();
      expect(v.model === null || typeof v.model === "string").toBe(true);
    }
    expect(llm(weird[0])).toMatchObject({ model: null, stream: null, includeUsage: null, messages: [] });
    expect(llm(weird[1]).messages).toEqual([msg("", ""), msg("user", "")]);
    expect(llm(weird[2]).messages[1].toolCalls).toEqual([{ id: null, name: null, arguments: null }]);
    // An item typed function_call is a call even when its fields are missing.
    expect(llm(weird[4]).messages).toEqual([msg("assistant", "", { toolCalls: [{ id: null, name: null, arguments: null }], allText: "" }), msg("tool", "o")]);
  });
});

describe("usage", () => {
  it.each([
    ["OpenAI Chat response", S.openaiChatResponse, { input: 131, output: 9, total: 140, sum: 140 }],
    ["OpenAI Chat final stream chunk", S.openaiChatUsageChunk, { input: 17, output: 250, total: 267, sum: 267 }],
    ["Anthropic response", S.anthropicResponse, { input: 2095, output: 503, total: -1, cacheRead: 1800, cacheWrite: 0, sum: 2598 }],
    ["Anthropic message_start", S.anthropicMessageStart, { input: 25, output: 1, total: -1, sum: 26 }],
    ["Anthropic message_delta", S.anthropicMessageDelta, { input: -1, output: 15, total: -1, sum: 15 }],
    ["Responses response.completed", S.responsesCompleted, { input: 36, output: 87, total: 123, sum: 123 }],
    ["integral floats", { usage: { prompt_tokens: 12.0, completion_tokens: 3e1 } }, { input: 12, output: 30, total: -1, sum: 42, rejected: false }],
    ["null figures are absent", { usage: { prompt_tokens: 5, completion_tokens: null, total_tokens: null } }, { input: 5, output: -1, total: -1, rejected: false }],
    ["the largest count", { usage: { prompt_tokens: 100_000_000, completion_tokens: 0 } }, { input: 100_000_000, output: 0, sum: 100_000_000, rejected: false }],
  ])("%s", (_label, body, want) => {
    expect(usage(body)).toMatchObject(want);
  });

  // Written as text: JSON.stringify cannot write 9223372036854775807 or 1e400.
  it.each([
    ["negative", '{"usage":{"prompt_tokens":-1,"completion_tokens":3}}'],
    ["fractional", '{"usage":{"prompt_tokens":4,"completion_tokens":1.5}}'],
    ["a string", '{"usage":{"prompt_tokens":"12","completion_tokens":3}}'],
    ["a boolean", '{"usage":{"input_tokens":true,"output_tokens":3}}'],
    ["an object", '{"usage":{"input_tokens":{"n":1},"output_tokens":3}}'],
    ["i64 max, whose sum with any completion overflows", '{"usage":{"prompt_tokens":9223372036854775807,"completion_tokens":1000}}'],
    ["past i64", '{"usage":{"prompt_tokens":9223372036854775808,"completion_tokens":1}}'],
    ["one past the largest count", '{"usage":{"prompt_tokens":100000001,"completion_tokens":1}}'],
    ["1e30", '{"usage":{"prompt_tokens":1e30,"completion_tokens":1}}'],
    ["an exponent past f64 (infinity)", '{"usage":{"prompt_tokens":1e400,"completion_tokens":1}}'],
    ["a bad total", '{"usage":{"prompt_tokens":4,"completion_tokens":3,"total_tokens":-7}}'],
    ["a bad cache count", '{"usage":{"input_tokens":4,"output_tokens":3,"cache_read_input_tokens":-1}}'],
    ["only bad figures", '{"usage":{"prompt_tokens":-1,"completion_tokens":1.5,"total_tokens":"3"}}'],
  ])("%s: rejected, and the bad figure is not taken", (_label, body) => {
    const u = usage(body);
    expect(u.rejected).toBe(true);
    for (const k of ["input", "output", "total", "cacheRead", "cacheWrite"]) expect(u[k] === -1 || (u[k] >= 0 && u[k] <= 1000)).toBe(true);
  });

  it.each([
    ["a chunk with usage null", S.openaiChatDeltaChunk],
    ["no usage at all", { id: "x" }],
    ["usage of the wrong type", { usage: [1, 2] }],
    ["a JSON array", [1]],
  ])("%s: none", (_label, body) => {
    expect(usage(body)).toBeNull();
  });
});

describe("JSON-RPC", () => {
  it("a request keeps its id as raw text and its params", () => {
    const v = rpc(S.mcpInitialize);
    expect(v).toMatchObject({ isBatch: false, problem: "" });
    expect(v.messages[0]).toMatchObject({ kind: "request", id: "0", replyId: "0", method: "initialize", params: S.mcpInitialize.params, tool: null });
  });

  it("tools/call exposes the tool name and arguments", () => {
    expect(rpc(S.mcpToolsCall).messages[0]).toMatchObject({
      kind: "request",
      id: '"req-7"',
      method: "tools/call",
      tool: { name: "search_docs", arguments: { query: "rate limits", limit: 5 } },
    });
  });

  it("a batch classifies notifications, requests, responses and errors", () => {
    const v = rpc(S.mcpBatch);
    expect(v.isBatch).toBe(true);
    expect(v.messages.map((m: { kind: string; id: string | null; replyId: string }) => [m.kind, m.id, m.replyId])).toEqual([
      ["notification", null, "null"],
      ["request", "12.5", "12.5"],
      ["response", "1", "1"],
      ["error", "null", "null"],
    ]);
    expect(v.messages[3]).toMatchObject({ errorCode: -32700, errorMessage: "Parse error" });
  });

  it("ids are echoed byte for byte, escapes and exponents included", () => {
    const body = '{"jsonrpc":"2.0","id":"a\\u00e9\\"b","method":"ping"}';
    expect(rpc(body).messages[0].id).toBe('"a\\u00e9\\"b"');
    expect(rpc('{"jsonrpc":"2.0","id":1E3,"method":"ping"}').messages[0].id).toBe("1E3");
    expect(rpc('{"jsonrpc":"2.0","id":null,"method":"ping"}').messages[0]).toMatchObject({ kind: "notification", id: "null" });
  });

  it.each([
    ["wrong version", { jsonrpc: "1.0", id: 1, method: "m" }, 'jsonrpc must be "2.0"'],
    ["missing version", { id: 1, method: "m" }, 'jsonrpc must be "2.0"'],
    ["object id", { jsonrpc: "2.0", id: {}, method: "m" }, "id must be a string, a number or null"],
    ["bool id", { jsonrpc: "2.0", id: true, method: "m" }, "id must be a string, a number or null"],
    ["numeric method", { jsonrpc: "2.0", id: 1, method: 5 }, "method must be a string"],
    ["scalar params", { jsonrpc: "2.0", id: 1, method: "m", params: 3 }, "params must be an object or an array"],
    ["nothing", { jsonrpc: "2.0" }, "a message needs a method, or an id with a result or error"],
    ["result and error", { jsonrpc: "2.0", id: 1, result: 1, error: { code: 1, message: "x" } }, "a response has exactly one of result and error"],
    ["neither result nor error", { jsonrpc: "2.0", id: 1 }, "a response has exactly one of result and error"],
    ["not an object", 5, "message must be an object"],
  ])("invalid: %s", (_label, message, problem) => {
    const v = rpc([message]);
    expect(v.messages[0]).toMatchObject({ kind: "invalid", problem });
  });

  it("an empty batch and a scalar body are problems of the whole body", () => {
    expect(rpc([])).toEqual({ isBatch: true, problem: "empty batch", messages: [] });
    expect(rpc('"x"')).toEqual({ isBatch: false, problem: "body must be a JSON object or array", messages: [] });
  });

  it("tools/call without usable params gives a tool with no name", () => {
    expect(rpc({ jsonrpc: "2.0", id: 1, method: "tools/call" }).messages[0].tool).toEqual({ name: null, arguments: null });
    expect(rpc({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: 3 } }).messages[0].tool).toEqual({ name: null, arguments: null });
    expect(rpc({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { name: "x" } }).messages[0].tool).toBeNull();
  });
});
