// Large keyword lists through a real Envoy: 10k and 100k terms (Chinese and
// English) in the plugin configuration, matched case- and width-insensitively
// in prompts and completions; the VM stays healthy.
import OpenAI, { APIError } from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "./config.ts";
import { benchAuditConfig, syntheticKeywords } from "./keywords.ts";

const stacks: Stack[] = [];

afterAll(async () => {
  for (const s of stacks) {
    s.envoy.assertHealthy();
    await s.stop();
  }
});

describe("keyword lists", () => {
  for (const count of [10_000, 100_000]) {
    it(`${count} terms: blocks a prompt holding the last one, passes clean prompts`, async () => {
      const t0 = Date.now();
      const stack = await startStack(benchAuditConfig(count), `content-audit-kw${count}`);
      stacks.push(stack);
      console.log(`Envoy with ${count} keywords ready in ${Date.now() - t0} ms`);
      const openai = new OpenAI({ baseURL: stack.envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
      const terms = syntheticKeywords(count);
      // Every fourth term is Chinese (index % 4 == 3), the others English-like.
      const han = terms[count - 1];
      const english = terms[count - 2];
      const fullWidth = [...english].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
      for (const text of [`about ${english.toUpperCase()} today`, `关于${han}的问题`, `see ${fullWidth}`]) {
        const err = await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: text }] }).catch((e) => e);
        expect(err, text).toBeInstanceOf(APIError);
        expect(err.status).toBe(400);
      }
      const ok = await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "an ordinary question about gateways" }] });
      expect(ok.choices[0].message.content).toContain("You asked");
    }, 120_000);
  }
});
