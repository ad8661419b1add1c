import { describe, expect, it } from "vitest";
import { answer, defaultLength } from "../../upstreams/llm/answer.ts";
import { countTokens, tokenize } from "../../upstreams/llm/tokenizer.ts";

const QUESTIONS = [
  "Hello there, how is the gateway?",
  "你好，网关怎么样？",
  "",
  "internationalization of supercalifragilistic words!",
  "Mixed 中文 and English, with emoji 🙂 and \"quotes\".",
  "  leading and trailing spaces  ",
];

describe("mock answers", () => {
  it("are exactly the requested number of tokens, and their pieces are the tokenizer's", () => {
    for (const question of QUESTIONS) {
      for (const n of [0, 1, 2, 3, 4, 7, 13, 14, 15, 40, 200]) {
        const a = answer({ model: "demo-base", question, tokens: n });
        expect(a.pieces.length, `${question} / ${n}`).toBe(n);
        expect(countTokens(a.text), `${question} / ${n}`).toBe(n);
        expect(tokenize(a.text), `${question} / ${n}`).toEqual(a.pieces);
        expect(a.finish).toBe("stop");
      }
    }
  });

  it("are a pure function of model and question", () => {
    const a = answer({ model: "demo-base", question: "What is a token?" });
    expect(answer({ model: "demo-base", question: "What is a token?" })).toEqual(a);
    expect(answer({ model: "demo-reasoning", question: "What is a token?" }).text).not.toBe(a.text);
    expect(answer({ model: "demo-base", question: "What is a tokem?" }).text).not.toBe(a.text);
  });

  it("quote the question and end with a full stop", () => {
    const a = answer({ model: "demo-base", question: "Where do I start?", tokens: 20 });
    expect(a.text.startsWith('You asked: "Where do I start?".')).toBe(true);
    expect(a.text.endsWith(".")).toBe(true);
    const zh = answer({ model: "demo-base", question: "从哪里开始？", tokens: 20 });
    expect(zh.text.startsWith("关于「从哪里开始？」：")).toBe(true);
    expect(zh.text.endsWith("。")).toBe(true);
  });

  it("default to a model-dependent length", () => {
    for (const q of QUESTIONS) {
      const base = defaultLength("demo-base", q);
      const reasoning = defaultLength("demo-reasoning", q);
      expect(base).toBeGreaterThanOrEqual(16);
      expect(base).toBeLessThan(32);
      expect(reasoning).toBeGreaterThanOrEqual(48);
      expect(answer({ model: "demo-base", question: q }).pieces.length).toBe(base);
    }
  });

  it("stop at the max-tokens cap with finish 'length'", () => {
    const a = answer({ model: "demo-base", question: "q", tokens: 30, maxTokens: 10 });
    expect(a.pieces.length).toBe(10);
    expect(a.finish).toBe("length");
    expect(answer({ model: "demo-base", question: "q", tokens: 10, maxTokens: 10 }).finish).toBe("stop");
  });

  it("use a given reply verbatim", () => {
    const a = answer({ model: "m", question: "q", reply: "Card 4111 1111 1111 1111, 电话 138" });
    expect(a.text).toBe("Card 4111 1111 1111 1111, 电话 138");
    expect(a.pieces.length).toBe(countTokens(a.text));
  });
});
