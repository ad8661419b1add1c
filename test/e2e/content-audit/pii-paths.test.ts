// The same text masked the same way on every path through a real Envoy with
// the official openai client: as a prompt (what the upstream receives), as a
// JSON completion and as a streamed one (token events, and one byte per
// chunk). The label rule, the phone tables and the overlap resolution are
// shared by the three.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mockReply as reply, type Stack, startStack } from "./config.ts";

let stack: Stack;
let openai: OpenAI;

beforeAll(async () => {
  stack = await startStack({ rules: [{ id: "pii", type: "pii", action: "mask" }], hold_response_headers: true }, "content-audit-pii-paths");
  openai = new OpenAI({ baseURL: stack.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
});

afterAll(async () => {
  stack?.envoy.assertHealthy();
  await stack?.stop();
});


const CASES: Array<[string, string]> = [
  ["订单已发货，快递员电话13812345678", "订单已发货，快递员电话[PHONE]"],
  ["运单号查询请致电 +86 136 4232 9668", "运单号查询请致电 [PHONE]"],
  ["Order #2125551234 has shipped.", "Order #2125551234 has shipped."],
  ["call +44 (0)20 7946 0958 ext. 57406 or 080-9825-9791", "call [PHONE] or [PHONE]"],
  ["card 4111 1111 1111 1111 12/25, ID 350203199008137089", "card [CREDIT_CARD] 12/25, ID [CN_ID]"],
  ["Firmware 4.2.2.6 on host 10.0.0.8", "Firmware 4.2.2.6 on host [IP]"],
];

async function streamed(text: string, chunkBytes?: number): Promise<string> {
  const stream = await openai.chat.completions.create({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }, reply(text, chunkBytes));
  let got = "";
  for await (const chunk of stream) got += chunk.choices[0]?.delta?.content ?? "";
  return got;
}

describe("one result on every path", () => {
  for (const [text, masked] of CASES) {
    it(JSON.stringify(text), async () => {
      await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: text }] });
      expect(JSON.parse(stack.llm.requests().at(-1)!.body).messages[0].content).toBe(masked);
      const json = await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] }, reply(text));
      expect(json.choices[0].message.content).toBe(masked);
      expect(await streamed(text)).toBe(masked);
      expect(await streamed(text, 1)).toBe(masked);
    });
  }
});
