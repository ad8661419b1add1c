// The clean check: most prompt and completion strings are checked in place
// (decoded into scratch memory, normalized, run through the keyword automata
// and the PII shape) and never scanned as strings. It may only skip a text
// when a scan would find nothing, so every test here hides a match behind
// something the check has to get exactly right: JSON escapes, surrogate
// pairs, full-width forms, invisible characters, case, and strings too long
// for its scratch memory.
import { beforeAll, describe, expect, it } from "vitest";
import { Prng } from "../common/corpus/prng.ts";
import { auditEvent, auditVm, buildFilter, post, upstreamBody } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const KEYWORDS = { id: "kw", type: "keywords", keywords: ["forbidden", "禁止词"], action: "block" };
const PII = { id: "pii", type: "pii", detectors: ["email", "phone", "credit_card"], action: "mask" };

/** A chat body whose one message's content is `raw`: JSON string contents written as given (escapes and all). */
function rawChat(raw: string): string {
  return `{"model":"m","messages":[{"role":"user","content":"${raw}"}]}`;
}

/** JSON string contents for `text` with every character at an index `escape` picks written as \uXXXX. */
function escaped(text: string, escape: (i: number) => boolean): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (escape(i) || c < 0x20 || c === 0x22 || c === 0x5c) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += text[i];
  }
  return out;
}

/** What the filter matches keywords against: invisible characters gone, full-width folded, ASCII lower-cased. */
function normalized(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0xad || c === 0x034f || c === 0x180e || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064) || c === 0xfeff) continue;
    let f = c >= 0xff01 && c <= 0xff5e ? c - 0xfee0 : c === 0x3000 ? 0x20 : c;
    if (f >= 0x41 && f <= 0x5a) f += 32;
    out += String.fromCodePoint(f);
  }
  return out;
}

function occurrences(terms: string[], text: string): number {
  let n = 0;
  for (const t of terms) for (let i = text.indexOf(t); i >= 0; i = text.indexOf(t, i + 1)) n++;
  return n;
}

describe("clean check", () => {
  it("still blocks a keyword written through escapes, surrogate pairs, full-width forms and invisible characters", async () => {
    const vm = auditVm({ rules: [KEYWORDS] });
    const hidden = [
      "f\\u006frbidden",
      "\\u0046ORBIDDEN",
      "🙂 forbidden",
      "\\ud83d\\ude42 FoRbIdDeN",
      "ｆｏｒｂｉｄｄｅｎ",
      "\\uff46\\uff4f\\uff52bidden",
      "for\\u200bbid\\u00adden",
      "for​bid﻿den",
      "请勿使用\\u7981止词",
      "line one\\nforbidden\\tafter a tab",
    ];
    for (const raw of hidden) {
      const res = await post(vm, rawChat(raw));
      expect(res.status, raw).toBe(400);
    }
    const clean = await post(vm, rawChat("f\\u006frbid den, \\u0046ORBID, ｆｏｒ bidden"));
    expect(clean.status).toBe(200);
    expect(vm.trapped).toBe(false);
  });

  it("still masks PII whose only sign is behind an escape or a full-width form", async () => {
    const vm = auditVm({ rules: [PII] });
    const cases: [string, string][] = [
      ["mail alice\\u0040example.com now", "mail [EMAIL] now"],
      ["call １３８００１３８０００ today", "call [PHONE] today"],
      ["card 4111\\u00201111\\u00201111\\u00201111 ok", "card [CREDIT_CARD] ok"],
    ];
    for (const [raw, expected] of cases) {
      const res = await post(vm, rawChat(raw));
      expect(res.status, raw).toBe(200);
      expect(JSON.parse(upstreamBody(res)).messages[0].content, raw).toBe(expected);
    }
    expect(vm.trapped).toBe(false);
  });

  it("scans strings longer than its scratch memory as strings", async () => {
    const vm = auditVm({ rules: [KEYWORDS] });
    for (const size of [5_000, 300_000]) {
      const res = await post(vm, rawChat("a".repeat(size) + " forbidden"));
      expect(res.status, String(size)).toBe(400);
      const after = await post(vm, rawChat("b".repeat(size)));
      expect(after.status, String(size)).toBe(200);
    }
    expect(vm.trapped).toBe(false);
  });

  it("checks the texts of a body together, yet counts only what each text holds", async () => {
    const prng = new Prng(23);
    const next = () => prng.next();
    const terms = ["ab", "bca", "禁止", "éa"];
    const vm = auditVm({ rules: [{ id: "k", type: "keywords", keywords: terms, action: "log" }, PII] });
    const alphabet = ["a", "b", "c", "B", "é", "禁", "止", " ", "\u200b", "ｃ", "\n", "7"];
    let total = 0;
    for (let round = 0; round < 40; round++) {
      const texts = Array.from({ length: 1 + Math.floor(next() * 12) }, () => {
        let text = "";
        for (let i = 0, n = Math.floor(next() * 12); i < n; i++) text += alphabet[Math.floor(next() * alphabet.length)];
        return text;
      });
      const body = `{"model":"m","messages":[${texts.map((t) => `{"role":"user","content":"${escaped(t, () => next() < 0.3)}"}`).join(",")}]}`;
      const res = await post(vm, body);
      expect(res.status).toBe(200);
      const rule = (auditEvent(res).rules as { id: string; request: number }[]).find((r) => r.id === "k");
      const expected = texts.reduce((n, t) => n + occurrences(terms, normalized(t)), 0);
      expect(rule?.request ?? 0, JSON.stringify(texts)).toBe(expected);
      total += expected;
    }
    expect(total).toBeGreaterThan(20);
    // A term split over two messages is in neither.
    const split = await post(vm, `{"model":"m","messages":[{"role":"user","content":"xxa"},{"role":"user","content":"bxx"}]}`);
    expect(auditEvent(split).rules).toEqual([]);
    expect(vm.trapped).toBe(false);
  });

  it("finds a match in one text among many, and in texts too long to check together", async () => {
    const vm = auditVm({ rules: [KEYWORDS, PII] });
    const many = (content: (i: number) => string, n: number) =>
      `{"model":"m","messages":[${Array.from({ length: n }, (_, i) => `{"role":"user","content":"${content(i)}"}`).join(",")}]}`;
    const blocked = await post(vm, many((i) => (i === 17 ? "so FORBIDDEN then" : `clean text number ${i}`), 30));
    expect(blocked.status).toBe(400);
    const masked = await post(vm, many((i) => (i === 9 ? "call +1 212 555 0100" : "nothing here"), 12));
    expect(masked.status).toBe(200);
    expect(upstreamBody(masked)).toContain("[PHONE]");
    // 3 x 100k characters do not fit the scratch memory together; each fits alone.
    const long = await post(vm, many((i) => "a".repeat(100_000) + (i === 2 ? " forbidden" : ""), 3));
    expect(long.status).toBe(400);
    const longClean = await post(vm, many(() => "b".repeat(100_000), 3));
    expect(longClean.status).toBe(200);
    expect(vm.trapped).toBe(false);
  });

  it("counts what a substring search of the normalized text counts, on randomly escaped texts", async () => {
    const prng = new Prng(11);
    const next = () => prng.next();
    const terms = ["ab", "bca", "禁止", "éa"];
    const vm = auditVm({ rules: [{ id: "k", type: "keywords", keywords: terms, action: "log" }] });
    const alphabet = ["a", "b", "c", "A", "B", "é", "禁", "止", " ", "\u200b", "ａ", "Ｂ", "🙂", "\u00ad", "\n", '"'];
    let total = 0;
    for (let round = 0; round < 60; round++) {
      let text = "";
      const length = 5 + Math.floor(next() * 40);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      const p = next();
      const res = await post(vm, rawChat(escaped(text, () => next() < p)));
      expect(res.status).toBe(200);
      const rule = (auditEvent(res).rules as { id: string; request: number }[]).find((r) => r.id === "k");
      const expected = occurrences(terms, normalized(text));
      expect(rule?.request ?? 0, JSON.stringify(text)).toBe(expected);
      total += expected;
    }
    expect(total).toBeGreaterThan(40);
    expect(vm.trapped).toBe(false);
  });
});
