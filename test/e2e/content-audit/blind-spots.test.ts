// Paths a text once took past the filter, through a real Envoy with the
// official openai client: a completion the upstream compresses (as
// api.openai.com does when the client accepts gzip, which Node's fetch
// does), internationalized addresses streamed in tokens, and tool call
// arguments written with escapes.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { type Envoy, startEnvoy } from "../../harness/envoy.ts";
import { type Collector, startCollector } from "../../upstreams/collector.ts";
import { mockReply as reply, type Stack, startStack } from "./config.ts";

const CONFIG = { rules: [{ id: "pii", type: "pii", action: "mask" }, { id: "kw", type: "keywords", keywords: ["违禁词"], action: "block" }], hold_response_headers: true };

describe("a completion the upstream would compress", () => {
  let upstream: Server;
  let collector: Collector;
  let envoy: Envoy;
  const acceptEncodings: Array<string | undefined> = [];

  beforeAll(async () => {
    await build({ only: "content-audit", quiet: true });
    upstream = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const accept = req.headers["accept-encoding"];
        acceptEncodings.push(accept);
        const body = JSON.stringify({ id: "c1", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "write to bob@example.com" }, finish_reason: "stop" }] });
        if (/gzip/.test(accept ?? "")) res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(gzipSync(body));
        else res.writeHead(200, { "content-type": "application/json" }).end(body);
      });
    });
    await new Promise<void>((ok) => upstream.listen(0, "127.0.0.1", ok));
    collector = await startCollector();
    const port = (upstream.address() as AddressInfo).port;
    envoy = await startEnvoy({ config: "envoy/content-audit.yaml", vars: { LLM_PORT: port, COLLECTOR_PORT: collector.port, PLUGIN_CONFIG: JSON.stringify(CONFIG) }, name: "content-audit-compressed" });
  });

  afterAll(async () => {
    envoy?.assertHealthy();
    await envoy?.stop();
    await collector?.close();
    await new Promise((ok) => upstream?.close(ok));
  });

  it("is asked for uncompressed and masked", async () => {
    const openai = new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
    const done = await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] }, { headers: { "accept-encoding": "gzip, deflate" } });
    expect(done.choices[0].message.content).toBe("write to [EMAIL]");
    expect(acceptEncodings.at(-1)).toBeUndefined();
  });
});

describe("streams and tool calls", () => {
  let stack: Stack;
  let openai: OpenAI;

  beforeAll(async () => {
    stack = await startStack(CONFIG, "content-audit-blind-spots");
    openai = new OpenAI({ baseURL: stack.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
  });

  afterAll(async () => {
    stack?.envoy.assertHealthy();
    await stack?.stop();
  });

  it("masks internationalized addresses streamed in tokens", async () => {
    for (const text of ["пишите на иван.петров@пример.рф сегодня", "schreiben Sie an jürgen.müller@münchen.de bitte", "请发邮件到 张伟@北京.中国 谢谢"]) {
      const want = text.replace(/\S+@\S+/, "[EMAIL]");
      const stream = await openai.chat.completions.create({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }, reply(text));
      let got = "";
      for await (const chunk of stream) got += chunk.choices[0]?.delta?.content ?? "";
      expect(got, text).toBe(want);
    }
  });

  it("masks tool call arguments written with escapes and keeps them JSON", async () => {
    const args = '{"to": "\\u0438\\u0432\\u0430\\u043d@\\u043f\\u0440\\u0438\\u043c\\u0435\\u0440.\\u0440\\u0444", "phone": 13812345678, "note": "Hi,\\nbob@example.com"}';
    await openai.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "hi" }, { role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "send", arguments: args } }] }, { role: "tool", tool_call_id: "t", content: "sent" }],
    });
    const sent = JSON.parse(stack.llm.requests().at(-1)!.body).messages[1].tool_calls[0].function.arguments;
    expect(JSON.parse(sent)).toEqual({ to: "[EMAIL]", phone: "[PHONE]", note: "Hi,\n[EMAIL]" });
    const blocked = openai.chat.completions.create({ model: "m", messages: [{ role: "assistant", content: null, tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: '{"q": "\\u8fdd\\u7981\\u8bcd"}' } }] }] });
    await expect(blocked).rejects.toMatchObject({ status: 400, code: "content_blocked" });
  });
});
