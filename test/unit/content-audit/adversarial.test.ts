// Hostile input: unicode tricks, 10 MB bodies, 100k keywords, patterns that
// backtracking engines take exponential time on, malformed JSON and event
// streams. The VM must survive all of it and keep answering correctly.
// Durations are printed, not asserted (speed is measured by the bench); the
// only time limit is the test timeout.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import type { ProxyVm } from "../../host/vm.ts";
import { auditEvent, auditVm, buildFilter, chatBody, chatStream, post, streamText, upstreamBody } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const PII = { id: "pii", type: "pii", action: "mask" };

/** The guest's linear memory size, found through the bounds check the emulator exposes. */
function linearMemoryBytes(vm: ProxyVm): number {
  let lo = 0;
  let hi = 2 ** 32;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (vm.mem.inBounds(0, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

describe("addresses written against words of scripts without spaces", () => {
  it("masks the address only, not the words it touches; internationalized addresses stay whole", async () => {
    const vm = auditVm({ rules: [PII] });
    const cases: [string, string][] = [
      ["请发邮件到zhang@example.com谢谢", "请发邮件到[EMAIL]谢谢"],
      ["메일은kim@example.com입니다", "메일은[EMAIL]입니다"],
      ["連絡はtaro.yamada@example.co.jpまで", "連絡は[EMAIL]まで"],
      ["ส่งไปที่somchai@example.comครับ", "ส่งไปที่[EMAIL]ครับ"],
      ["邮箱:张伟@北京.中国。", "邮箱:[EMAIL]。"],
      ["用户@例子.com 收", "[EMAIL] 收"],
      ["écrire à jürgen.müller@münchen.de merci", "écrire à [EMAIL] merci"],
    ];
    for (const [text, want] of cases) {
      const res = await post(vm, chatBody(text));
      expect(JSON.parse(upstreamBody(res)).messages[0].content, text).toBe(want);
    }
  });
});

describe("unicode tricks", () => {
  it("masks full-width digits, invisible separators and bidi overrides", async () => {
    const vm = auditVm({ rules: [PII, { id: "kw", type: "keywords", keywords: ["秘密项目"], action: "block" }] });
    const cases: [string, string][] = [
      ["card ４１１１ １１１１ １１１１ １１１１ ok", "card [CREDIT_CARD] ok"],
      ["mail b\u200bo\u200cb@exa\u2060mple.com ok", "mail [EMAIL] ok"],
      ["mail \u202ebob@example.com\u202c ok", "mail \u202e[EMAIL]\u202c ok"],
      ["ssn ２３４－５６－７８９０", "ssn [SSN]"],
    ];
    for (const [text, want] of cases) {
      const res = await post(vm, chatBody(text));
      expect(JSON.parse(upstreamBody(res)).messages[0].content, text).toBe(want);
    }
    expect((await post(vm, chatBody("关于秘\u200b密\ufeff项目"))).status).toBe(400);
    expect(vm.trapped).toBe(false);
  });

  it("survives lone surrogates, emoji and combining marks; rejects JSON it cannot inspect", async () => {
    const vm = auditVm({ rules: [PII] });
    const lone = '{"model":"m","messages":[{"role":"user","content":"\\ud800 bob@example.com \\udfff"}]}';
    expect(JSON.parse(upstreamBody(await post(vm, lone))).messages[0].content).toBe("\ud800 [EMAIL] \udfff");
    expect(JSON.parse(upstreamBody(await post(vm, chatBody("👩‍👩‍👧 e\u0301 bob@example.com ⚠️")))).messages[0].content).toBe("👩‍👩‍👧 e\u0301 [EMAIL] ⚠️");
    const hostile = [
      `{"model":"m","messages":[{"role":"user","content":${"[".repeat(5000)}"bob@example.com"${"]".repeat(5000)}}]}`,
      '{"model":"m","messages":[{"role":"user","content":"unterminated',
      "\xff\xfe not json at all",
    ];
    for (const b of hostile) {
      const res = await post(vm, b);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe("invalid_json");
    }
    const lenient = auditVm({ rules: [PII], on_invalid_json: "pass" });
    expect((await post(lenient, hostile[1])).status).toBe(200);
    expect(vm.trapped || lenient.trapped).toBe(false);
  });
});

describe("10 MB bodies", () => {
  const big = (tail: string) => chatBody("lorem ipsum dolor sit amet ".repeat(400_000) + tail);

  it("inspects a 10 MB prompt when the limit allows it", async () => {
    const vm = auditVm({ rules: [PII, { id: "s", type: "pii", detectors: ["secret"], action: "block" }], max_body_bytes: 16 << 20 });
    const t0 = performance.now();
    const res = await post(vm, big("key AKIA2E0A8F3B244C9986"), { bufferLimitBytes: 64 << 20 });
    console.log(`10.8 MB prompt inspected in ${(performance.now() - t0).toFixed(0)} ms (emulator)`);
    expect(res.status).toBe(400);
    const masked = await post(vm, big("mail bob@example.com"), { bufferLimitBytes: 64 << 20 });
    expect(upstreamBody(masked).endsWith('mail [EMAIL]"}]}')).toBe(true);
    expect(vm.trapped).toBe(false);
  });

  it("answers 413 past the limit, or passes uninspected with on_oversize: pass", async () => {
    const vm = auditVm({ rules: [PII] });
    const res = await post(vm, big(""), { bufferLimitBytes: 64 << 20 });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe("body_too_large");
    const pass = auditVm({ rules: [PII], on_oversize: "pass" });
    const body = big("bob@example.com");
    const res2 = await post(pass, body, { bufferLimitBytes: 64 << 20 });
    expect(res2.status).toBe(200);
    expect(upstreamBody(res2).length).toBe(body.length);
    expect((await post(vm, chatBody("bob@example.com"))).status).toBe(200);
    expect(vm.trapped || pass.trapped).toBe(false);
  });
});

describe("100k keywords", () => {
  it("builds the automaton at configure time and matches in one pass", async () => {
    const keywords = Array.from({ length: 100_000 }, (_, i) => (i % 3 === 0 ? `违禁词${i}号` : `term${i.toString(36)}x${i}`));
    const host = new Host();
    const t0 = performance.now();
    const vm = auditVm({ rules: [{ id: "kw", type: "keywords", keywords, action: "mask" }] }, host);
    const configureMs = performance.now() - t0;
    const memory = linearMemoryBytes(vm);
    console.log(`100k keywords: configure ${configureMs.toFixed(0)} ms, linear memory ${(memory / 1048576).toFixed(1)} MiB`);
    const prompt = "say TERM" + (99_998).toString(36).toUpperCase() + "X99998 and 违禁词99999号 and term5x5 but not termx";
    const t1 = performance.now();
    const res = await post(vm, chatBody(prompt));
    console.log(`100k keywords: one request (the automaton built) ${(performance.now() - t1).toFixed(1)} ms, linear memory ${(linearMemoryBytes(vm) / 1048576).toFixed(1)} MiB`);
    expect(JSON.parse(upstreamBody(res)).messages[0].content).toBe("say [REDACTED] and [REDACTED] and [REDACTED] but not termx");
    expect(vm.trapped).toBe(false);
  }, 120_000);
});

describe("custom patterns", () => {
  it("runs catastrophic-backtracking patterns in linear time on long inputs", async () => {
    const patterns = ["(a*)*b", "(a|aa)*c", "(x+x+)+y", "(\\w+\\s?)*$!", "(.*a){20}z"];
    const vm = auditVm({ rules: patterns.map((p, i) => ({ id: `p${i}`, type: "pattern", pattern: p, action: "block" })) });
    const t0 = performance.now();
    const res = await post(vm, chatBody("a".repeat(50_000) + " " + "x".repeat(50_000)));
    console.log(`5 pathological patterns over 100k characters: ${(performance.now() - t0).toFixed(0)} ms`);
    expect(res.status).toBe(200);
    expect((await post(vm, chatBody("aaab"))).status).toBe(400);
    expect(vm.trapped).toBe(false);
  }, 120_000);

  it("refuses a bad pattern naming the rule, the pattern and the position", () => {
    const bad: [string, RegExp][] = [
      ["ab(c", /rule "bad": invalid pattern "ab\(c" at position 2: unclosed '\('/],
      ["a**", /at position 2: quantifier after a quantifier/],
      ["(?=x)y", /at position 0: unsupported group syntax/],
      ["(a)\\1", /at position 3: backreferences are not supported/],
      ["[z-a]", /at position 1: range out of order/],
      ["(a{1000}){1000}", /more than 20000 instructions/],
    ];
    for (const [pattern, message] of bad) {
      expect(() => auditVm({ rules: [{ id: "bad", type: "pattern", pattern, action: "block" }] }), pattern).toThrow(message);
    }
  });
});

describe("hostile responses", () => {
  it("passes malformed events through and blocks an event too large to inspect", async () => {
    const vm = auditVm({ rules: [PII] });
    const sse = (body: string | string[]) => () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body });
    const garbage = await post(vm, chatBody("x", { stream: true }), { upstream: sse("data: {not json\n\ndata: [DONE]\n\n") });
    expect(garbage.body).toBe("data: {not json\n\ndata: [DONE]\n\n");
    const huge = `data: {"choices":[{"index":0,"delta":{"content":"${"a".repeat(2 << 20)}"}}]}\n\n`;
    const res = await post(vm, chatBody("x", { stream: true }), { upstream: sse(huge.match(/[^]{1,65536}/g)!) });
    expect(streamText(res.body).error).toMatchObject({ code: "content_blocked" });
    expect(auditEvent(res)).toMatchObject({ verdict: "block", blocked_by: "event_too_large" });
    const ok = await post(vm, chatBody("x", { stream: true }), { upstream: sse(chatStream(["bob@", "example.com"], 1)) });
    expect(streamText(ok.body).text).toBe("[EMAIL]");
    expect(vm.trapped).toBe(false);
  });
});
