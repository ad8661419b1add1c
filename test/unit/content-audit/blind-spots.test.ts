// Paths a text once took past the rules: internationalized addresses cut
// between two streamed deltas, prompts nested deeper than the walk went,
// completions compressed by the upstream or not inspected when prompts are
// not, streamed texts other than chat content (reasoning, refusals, legacy
// completions), tool call arguments written with escapes or numbers, and
// Anthropic documents whose source is text, numbers grouped with no-break
// spaces.
import { gunzipSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { generateCorpus } from "../../data/pii/corpus.ts";
import type { UpstreamRequest } from "../../host/exchange.ts";
import { auditVm, buildFilter, chatBody, chatStream, header, post, streamText, upstreamBody } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const PII = { id: "pii", type: "pii", action: "mask" };
const sse = (body: string[]) => () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body });
const completion = (content: string) => JSON.stringify({ id: "c1", object: "chat.completion", model: "m", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] });

describe("internationalized addresses in a stream", () => {
  // validator.js-checked addresses in the locales' own scripts (test/data/pii/corpus.ts).
  const texts = generateCorpus().filter((t) => t.kind === "internationalized email");

  it("are masked wherever the deltas cut them", async () => {
    expect(texts.length).toBeGreaterThan(30);
    const vm = auditVm({ rules: [PII] });
    for (const t of texts) {
      const want = t.text.slice(0, t.start) + "[EMAIL]" + t.text.slice(t.end);
      const chars = [...t.text];
      for (let cut = 1; cut < chars.length; cut++) {
        const pieces = [chars.slice(0, cut).join(""), chars.slice(cut).join("")];
        const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(pieces)) });
        expect(streamText(res.body).text, JSON.stringify(pieces)).toBe(want);
      }
    }
    expect(vm.trapped).toBe(false);
  });
});

describe("prompts nested deep", () => {
  it("are inspected down to the deepest level the parser accepts", async () => {
    const vm = auditVm({ rules: [PII, { id: "kw", type: "keywords", keywords: ["违禁词"], action: "block" }] });
    let masked: unknown = "mail bob@example.com";
    let blocked: unknown = { text: "关于违禁词" };
    for (let i = 0; i < 100; i++) {
      masked = [masked];
      blocked = { a: blocked };
    }
    const res = await post(vm, JSON.stringify({ model: "m", messages: [{ role: "user", content: masked }] }));
    expect(upstreamBody(res)).toContain('"mail [EMAIL]"');
    const anthropic = { model: "m", max_tokens: 5, messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: blocked }] }] };
    expect((await post(vm, JSON.stringify(anthropic), { path: "/v1/messages" })).status).toBe(400);
    expect(vm.trapped).toBe(false);
  });
});

describe("completions", () => {
  /** An upstream that compresses its answer when the request allows it, as api.openai.com does. */
  const compressing = (req: UpstreamRequest) => {
    const body = completion("write to bob@example.com");
    if (!/gzip/.test(req.headers.get("accept-encoding") ?? "")) return { status: 200, headers: [["content-type", "application/json"]] as [string, string][], body };
    return { status: 200, headers: [["content-type", "application/json"], ["content-encoding", "gzip"]] as [string, string][], body: gzipSync(body) };
  };

  it("are asked for uncompressed, so they can be inspected", async () => {
    const vm = auditVm({ rules: [PII] });
    const res = await post(vm, chatBody("hi"), { headers: [["accept-encoding", "gzip, deflate, br"]], upstream: compressing });
    const body = header(res, "content-encoding") === "gzip" ? gunzipSync(res.bodyBytes).toString() : res.body;
    expect(JSON.parse(body).choices[0].message.content).toBe("write to [EMAIL]");
    // Without response inspection the client's choice stands.
    const off = auditVm({ rules: [PII], inspect: { response: false } });
    const kept = await post(off, chatBody("hi"), { headers: [["accept-encoding", "gzip"]], upstream: compressing });
    expect(header(kept, "content-encoding")).toBe("gzip");
  });

  it("are inspected when prompts are not (inspect.request: false)", async () => {
    const vm = auditVm({ rules: [PII, { id: "kw", type: "keywords", keywords: ["违禁词"], action: "block" }], inspect: { request: false } });
    const json = () => ({ status: 200, headers: [["content-type", "application/json"]] as [string, string][], body: completion("write to bob@example.com") });
    const res = await post(vm, chatBody("违禁词"), { upstream: json });
    expect(JSON.parse(upstreamBody(res)).messages[0].content).toBe("违禁词");
    expect(JSON.parse(res.body).choices[0].message.content).toBe("write to [EMAIL]");
    const streamed = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(["write to bob@", "example.com"])) });
    expect(streamText(streamed.body).text).toBe("write to [EMAIL]");
    expect(vm.trapped).toBe(false);
  });
});

describe("other streamed texts: reasoning, refusals, legacy completions", () => {
  const data = (obj: unknown, event = "") => `${event ? `event: ${event}\n` : ""}data: ${JSON.stringify(obj)}\n\n`;

  it("DeepSeek/Qwen reasoning_content deltas are one text, also next to an empty content", async () => {
    const vm = auditVm({ rules: [PII] });
    const chunk = (reasoning: string) => data({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "", reasoning_content: reasoning } }] });
    const res = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(["user is bob@", "example.com", " ok"].map(chunk).concat("data: [DONE]\n\n")) });
    const reasoning = res.body.split("\n\n").filter((b) => b.startsWith("data: {")).map((b) => JSON.parse(b.slice(6)).choices[0].delta.reasoning_content ?? "").join("");
    expect(reasoning).toBe("user is [EMAIL] ok");
  });

  it("legacy completions' text and chat refusal deltas are one text each", async () => {
    const vm = auditVm({ rules: [PII] });
    const pieces = ["user is bob@", "example.com", " ok"];
    const legacy = pieces.map((text) => data({ id: "c", object: "text_completion", choices: [{ index: 0, text }] }));
    const res = await post(vm, JSON.stringify({ model: "m", prompt: "x", stream: true }), { path: "/v1/completions", upstream: sse([...legacy, "data: [DONE]\n\n"]) });
    const events = (body: string) => body.split("\n\n").filter((b) => b.startsWith("data: {")).map((b) => JSON.parse(b.slice(6)).choices[0]);
    expect(events(res.body).map((c) => c.text).join("")).toBe("user is [EMAIL] ok");
    const refusal = pieces.map((refusal) => data({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { refusal } }] }));
    const res2 = await post(vm, chatBody("hi", { stream: true }), { upstream: sse([...refusal, "data: [DONE]\n\n"]) });
    expect(events(res2.body).map((c) => c.delta.refusal).join("")).toBe("user is [EMAIL] ok");
  });

  it("Anthropic thinking deltas are one text", async () => {
    const vm = auditVm({ rules: [PII] });
    const delta = (thinking: string) => data({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking } }, "content_block_delta");
    const body = [
      data({ type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } }, "content_block_start"),
      ...["the user is bob@", "example.com", " so"].map(delta),
      data({ type: "content_block_stop", index: 0 }, "content_block_stop"),
    ];
    const req = JSON.stringify({ model: "m", max_tokens: 5, stream: true, messages: [{ role: "user", content: "x" }] });
    const res = await post(vm, req, { path: "/v1/messages", upstream: sse(body) });
    const thinking = res.body.split("\n\n").filter((b) => b.includes("thinking_delta")).map((b) => JSON.parse(b.split("data: ")[1]).delta.thinking).join("");
    expect(thinking).toBe("the user is [EMAIL] so");
  });
});

describe("tool call arguments (JSON in a string)", () => {
  const RULES = { rules: [PII, { id: "kw", type: "keywords", keywords: ["违禁词"], action: "block" }] };
  /** JSON text as Python's json.dumps writes it by default (ensure_ascii): every non-ASCII character escaped. */
  const pyDumps = (v: unknown) => JSON.stringify(v, null, 1).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  const withArgs = (args: string) => JSON.stringify({ model: "m", messages: [{ role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: args } }] }] });
  const argsOf = (body: string) => JSON.parse(JSON.parse(body).messages[0].tool_calls[0].function.arguments);

  it("are inspected through their escapes and stay valid JSON", async () => {
    const vm = auditVm(RULES);
    const args = { to: "иван@пример.рф", cc: "bob@example.com", note: "Hi,\nbob@example.com\tthanks", phone: 13812345678, card: 4111111111111111, qty: 3 };
    const escapedAt = JSON.stringify(args).replace('"bob@', '"bob\\u0040');
    for (const text of [pyDumps(args), JSON.stringify(args), escapedAt]) {
      const res = await post(vm, withArgs(text));
      expect(argsOf(upstreamBody(res)), text).toEqual({ to: "[EMAIL]", cc: "[EMAIL]", note: "Hi,\n[EMAIL]\tthanks", phone: "[PHONE]", card: "[CREDIT_CARD]", qty: 3 });
    }
    expect((await post(vm, withArgs(pyDumps({ q: "关于违禁词" })))).status).toBe(400);
    // Arguments that are no JSON (cut short) are a text.
    expect(JSON.parse(upstreamBody(await post(vm, withArgs('{"to": "bob@example.com')))).messages[0].tool_calls[0].function.arguments).toBe('{"to": "[EMAIL]');
    expect(vm.trapped).toBe(false);
  });

  it("in JSON completions and Responses items too", async () => {
    const vm = auditVm(RULES);
    const args = pyDumps({ to: "иван@пример.рф", phone: 13812345678 });
    const body = JSON.stringify({ id: "c", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: args } }] }, finish_reason: "tool_calls" }] });
    const res = await post(vm, chatBody("hi"), { upstream: () => ({ status: 200, headers: [["content-type", "application/json"]], body }) });
    expect(JSON.parse(JSON.parse(res.body).choices[0].message.tool_calls[0].function.arguments)).toEqual({ to: "[EMAIL]", phone: "[PHONE]" });
    const input = [{ type: "function_call", call_id: "c", name: "f", arguments: args }];
    const sent = await post(vm, JSON.stringify({ model: "m", input }), { path: "/v1/responses" });
    expect(JSON.parse(JSON.parse(upstreamBody(sent)).input[0].arguments)).toEqual({ to: "[EMAIL]", phone: "[PHONE]" });
  });
});

describe("Anthropic documents", () => {
  it("whose source is text are inspected; file bytes and addresses are not", async () => {
    const vm = auditVm({ rules: [PII, { id: "kw", type: "keywords", keywords: ["违禁词"], action: "block" }] });
    const doc = (source: unknown) => JSON.stringify({ model: "m", max_tokens: 5, messages: [{ role: "user", content: [{ type: "document", source }, { type: "text", text: "summarize" }] }] });
    const send = (source: unknown) => post(vm, doc(source), { path: "/v1/messages" });
    expect((await send({ type: "text", media_type: "text/plain", data: "关于违禁词" })).status).toBe(400);
    const masked = await send({ type: "content", content: [{ type: "text", text: "write to bob@example.com" }] });
    expect(JSON.parse(upstreamBody(masked)).messages[0].content[0].source.content[0].text).toBe("write to [EMAIL]");
    const pdf = { type: "base64", media_type: "application/pdf", data: Buffer.from("违禁词 bob@example.com").toString("base64") };
    expect(JSON.parse(upstreamBody(await send(pdf))).messages[0].content[0].source).toEqual(pdf);
    const url = { type: "url", url: "https://example.com/bob@example.com.pdf" };
    expect(JSON.parse(upstreamBody(await send(url))).messages[0].content[0].source).toEqual(url);
    expect(vm.trapped).toBe(false);
  });
});

describe("numbers grouped with no-break spaces", () => {
  // Word processors and French typography group digits with U+00A0 or U+202F.
  const grouped = generateCorpus().filter((t) => t.type !== null && t.type !== "email" && t.text.slice(t.start, t.end).includes(" "));

  it("are found as with spaces, on prompts and streams", async () => {
    expect(grouped.length).toBeGreaterThan(300);
    const vm = auditVm({ rules: [PII] });
    const label = { phone: "[PHONE]", credit_card: "[CREDIT_CARD]", iban: "[IBAN]", ip_address: "[IP]" } as Record<string, string>;
    for (const [k, t] of grouped.entries()) {
      const space = k % 2 ? "\u00a0" : "\u202f";
      const text = t.text.slice(0, t.start) + t.text.slice(t.start, t.end).replaceAll(" ", space) + t.text.slice(t.end);
      const want = t.text.slice(0, t.start) + label[t.type!] + t.text.slice(t.end);
      const res = await post(vm, chatBody(text));
      expect(JSON.parse(upstreamBody(res)).messages[0].content, JSON.stringify(text)).toBe(want);
      if (k % 10 == 0) {
        const streamed = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream([...text])) });
        expect(streamText(streamed.body).text, JSON.stringify(text)).toBe(want);
      }
    }
    expect(vm.trapped).toBe(false);
  });
});
