import { describe, expect, it } from "vitest";
import { countTokens, tokenize } from "../../upstreams/llm.ts";

describe("mock tokenizer", () => {
  it("counts the documented examples", () => {
    expect(countTokens("Hello, world!")).toBe(4);
    expect(countTokens("你好世界")).toBe(4);
    expect(countTokens("internationalization")).toBe(2);
    expect(countTokens("")).toBe(0);
    expect(countTokens("   \n\t ")).toBe(0);
  });

  it("counts CJK one per character, also next to Latin letters", () => {
    expect(tokenize("abc中文def")).toEqual(["abc", "中", "文", "def"]);
    expect(countTokens("こんにちは")).toBe(5);
    expect(countTokens("안녕하세요")).toBe(5);
  });

  it("counts symbols and emoji per code point, and splits long words every 10 characters", () => {
    expect(tokenize("a+b=🙂")).toEqual(["a", "+", "b", "=", "🙂"]);
    expect(tokenize("abcdefghijklmnopqrstu")).toEqual(["abcdefghij", "klmnopqrst", "u"]);
    expect(countTokens("Straße café naïve")).toBe(3);
  });

  it("keeps the whitespace with the next token so the pieces join back to the text", () => {
    const text = "  Hello,  wide\n world — 你好!";
    const pieces = tokenize(text);
    expect(pieces.join("")).toBe(text);
    expect(pieces.length).toBe(countTokens(text));
    expect(tokenize("end  ").join("")).toBe("end");
  });

  it("gives the same count when called repeatedly (no regex state leaks)", () => {
    const text = "one two three";
    expect([countTokens(text), countTokens(text), tokenize(text).length, countTokens(text)]).toEqual([3, 3, 3, 3]);
  });
});
