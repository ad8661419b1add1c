// The examples, each through the three paths a text can take (a
// prompt, a JSON completion, a streamed completion cut into words and into
// single bytes): the same text is masked the same way on every path.
import { beforeAll, describe, expect, it } from "vitest";
import { auditVm, buildFilter, chatBody, chatStream, post, streamText, upstreamBody } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const CONFIG = { rules: [{ id: "pii", type: "pii", action: "mask" }] };
const CARD_BLOCK = { rules: [{ id: "cards", type: "pii", detectors: ["credit_card"], action: "block" }] };

const CASES: Array<[string, string]> = [
  ["订单已发货，快递员电话13812345678", "订单已发货，快递员电话[PHONE]"],
  ["运单号查询请致电 +86 136 4232 9668", "运单号查询请致电 [PHONE]"],
  ["Order #2125551234 has shipped.", "Order #2125551234 has shipped."],
  ["Ruf an: +49(0)30 12345678 oder (02328) 60129", "Ruf an: [PHONE] oder [PHONE]"],
  ["携帯 080-9825-9791 まで", "携帯 [PHONE] まで"],
  ["звоните +7 (914) 123-45-67", "звоните [PHONE]"],
  ["call +44 (0)20 7946 0958 ext. 57406 today", "call [PHONE] today"],
  ["phone (212) 555-0123 x123", "phone [PHONE]"],
  ["card 4111 1111 1111 1111 12/25 thanks", "card [CREDIT_CARD] 12/25 thanks"],
  ["card 4111111111111111 123 thanks", "card [CREDIT_CARD] 123 thanks"],
  ["ID 350203199008137089", "ID [CN_ID]"],
  ["Taiwan permit 830000199001010012", "Taiwan permit [CN_ID]"],
  ["Firmware 4.2.2.6 and section 2.9.8.4, v1.2.3.4; host 10.0.0.8", "Firmware 4.2.2.6 and section 2.9.8.4, v1.2.3.4; host [IP]"],
];

const sse = (body: string[]) => () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body });
const json = (content: string) => () => ({
  status: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ id: "c1", object: "chat.completion", model: "m", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] }),
});

describe("one result on every path", () => {
  for (const [text, masked] of CASES) {
    it(JSON.stringify(text), async () => {
      const vm = auditVm(CONFIG);
      const prompt = await post(vm, chatBody(text));
      expect(JSON.parse(upstreamBody(prompt)).messages[0].content).toBe(masked);
      const completion = await post(vm, chatBody("hi"), { upstream: json(text) });
      expect(JSON.parse(completion.body).choices[0].message.content).toBe(masked);
      const words = text.split(/(?<= )/);
      const byWords = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream(words)) });
      expect(streamText(byWords.body).text).toBe(masked);
      const byBytes = await post(vm, chatBody("hi", { stream: true }), { upstream: sse(chatStream([...text], 1)) });
      expect(streamText(byBytes.body).text).toBe(masked);
      expect(vm.trapped).toBe(false);
    });
  }

  it("a policy that blocks cards lets a Chinese ID and a phone through", async () => {
    const vm = auditVm(CARD_BLOCK);
    for (const text of ["ID 350203199008137089", "call +43 678 33611196"]) {
      const res = await post(vm, chatBody(text));
      expect(res.status, text).toBe(200);
      expect(JSON.parse(upstreamBody(res)).messages[0].content).toBe(text);
    }
    expect((await post(vm, chatBody("card 4111 1111 1111 1111 12/25"))).status).toBe(400);
  });
});
