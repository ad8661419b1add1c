// Decision rules (keywords, complexity tiers, client models), bad bodies that
// must never trap, metrics and the debug decision line, in the emulator.
import { beforeAll, describe, expect, it } from "vitest";
import { LogLevel } from "../../host/abi.ts";
import { Host } from "../../host/host.ts";
import { GATEWAY_CONFIG } from "./fixtures.ts";
import { buildRouter, chat, chatBody, decisionState, FINANCE_COOKING, responseHeader, routerVm, send, upstreamModel } from "./support.ts";

beforeAll(buildRouter, 120_000);

const HARD = "Prove step by step that the integral of x^2 from 0 to 1 equals 1/3, then compare it with the derivative approach and analyze why both agree.";

describe("semantic-router decisions", () => {
  it("keyword rules win over the classifier, the highest priority first", async () => {
    const vm = routerVm({
      routes: [
        { name: "low", model: "m-low", keywords: ["refund"], priority: 1 },
        { name: "high", model: "m-high", keywords: ["退款", "chargeback"], priority: 5 },
        { name: "recipes", model: "m-food", examples: ["give me a recipe for pancakes"] },
      ],
    });
    expect(upstreamModel(await chat(vm, "A recipe for pancakes, and how do I get a refund?"))).toBe("m-low");
    expect(upstreamModel(await chat(vm, "refund or chargeback?"))).toBe("m-high");
    expect(upstreamModel(await chat(vm, "我要申请退款"))).toBe("m-high");
    // Whole words for Latin script: "refunded" is not "refund".
    expect(decisionState(await chat(vm, "was it refunded"))).toContain("outcome=below_threshold");
  });

  it("sends hard asks to the complexity route and simple ones to the default", async () => {
    const vm = routerVm(GATEWAY_CONFIG);
    const hard = await chat(vm, HARD);
    expect(upstreamModel(hard)).toBe("demo-reasoning");
    expect(hard.upstream?.headers.get("x-semantic-complexity")).toBe("complex");
    const simple = await chat(vm, "Who painted the Mona Lisa?");
    expect(upstreamModel(simple)).toBe("demo-base");
    expect(simple.upstream?.headers.get("x-semantic-complexity")).toBe("simple");
    const code = await chat(vm, "Refactor this function: ```function f(a){ return a.map(x => x * 2); }``` and explain why it is faster");
    expect(upstreamModel(code)).toBe("demo-reasoning");
  });

  it("classifies only the first max_scan_bytes of UTF-8, never splitting a character", async () => {
    const vm = routerVm({ routes: [{ name: "r", model: "m-r", keywords: ["refund", "退款"] }], input: { max_scan_bytes: 16 } });
    const routed = async (text: string) => (decisionState(await chat(vm, text)) ?? "").includes("outcome=keyword");
    expect(await routed("012345678 refund")).toBe(true); // 16 bytes
    expect(await routed("0123456789 refund")).toBe(false); // "refund" ends at byte 17
    expect(await routed("一二三退款")).toBe(true); // 15 bytes
    expect(await routed("一二三四退款")).toBe(false); // cut after "退" (15 bytes)
    expect(await routed("😀😀退款")).toBe(true); // 14 bytes
    expect(await routed("😀😀😀退款")).toBe(false); // cut after "退" (15 bytes)
    expect(await routed("ab😀😀😀退款")).toBe(false); // a surrogate pair is 4 bytes, never half of one
  });

  it("reads only the first max_scan_bytes of a long message, escaped or not", async () => {
    const vm = routerVm({ routes: [{ name: "r", model: "m-r", keywords: ["refund"] }], input: { max_scan_bytes: 32 } });
    const routed = async (text: string) => (decisionState(await chat(vm, text)) ?? "").includes("outcome=keyword");
    const tail = " and then ".repeat(5000); // 50 KB after the part that counts
    expect(await routed("é".repeat(12) + " refund" + tail)).toBe(true); // 31 bytes
    expect(await routed("é".repeat(13) + " refund" + tail)).toBe(false); // 33
    expect(await routed("😀".repeat(6) + " refund" + tail)).toBe(true); // 31
    expect(await routed("😀".repeat(7) + " refund" + tail)).toBe(false); // 35
    expect(await routed("a".repeat(20) + " 😀 refund" + tail)).toBe(true); // 32 bytes, 30 units
    expect(await routed("a".repeat(21) + " 😀 refund" + tail)).toBe(false); // 33 bytes
    // Escapes in the JSON body (\" and \n) take the escaped decoder.
    expect(await routed('"q"\n'.repeat(6) + "refund" + tail)).toBe(true); // 30
    expect(await routed('"q"\n'.repeat(7) + "refund" + tail)).toBe(false); // 34
  });

  it("counts code and formula symbols and question marks in the raw text", async () => {
    const vm = routerVm(GATEWAY_CONFIG);
    // A math cue alone (0.35) stays simple; three symbols (0.3) tip it over 0.5.
    expect(decisionState(await chat(vm, "solve x squared equals four"))).toContain("complexity=simple");
    expect(decisionState(await chat(vm, "solve x^2 = 4; then y"))).toContain("complexity=complex");
    expect(decisionState(await chat(vm, "solve {x} and y"))).toContain("complexity=simple");
    expect(decisionState(await chat(vm, "solve {x} and `y`"))).toContain("complexity=complex");
    expect(decisionState(await chat(vm, "solve ∑ √ ∫ now"))).toContain("complexity=complex");
    // Two questions (0.1) next to the cue: still simple, 0.45.
    expect(decisionState(await chat(vm, "solve this? or that？"))).toContain("complexity=simple");
  });

  it("routes only sentinel models under model_policy sentinel", async () => {
    const vm = routerVm(GATEWAY_CONFIG);
    const explicit = await chat(vm, "transfer money to my savings account", "gpt-4o");
    expect(upstreamModel(explicit)).toBe("gpt-4o");
    expect(explicit.upstream?.headers.get("x-semantic-route")).toBeUndefined();
    expect(responseHeader(explicit, "x-semantic-route")).toBeUndefined();
    expect(upstreamModel(await chat(vm, "transfer money to my savings account", "auto"))).toBe("demo-finance");
  });

  it("sends bad bodies to the default route without trapping", async () => {
    const vm = routerVm({ ...FINANCE_COOKING, max_body_bytes: 4096 });
    const bodies: (string | Uint8Array)[] = [
      "{}",
      "not json",
      "[1,2,3]",
      '{"model":"auto"}',
      '{"model":"auto","messages":"hello"}',
      '{"model":"auto","messages":[{"role":"assistant","content":"only me"}]}',
      "[".repeat(100000),
      Buffer.concat([Buffer.from('{"model":"auto","messages":[{"role":"user","content":"pay '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}]}')]),
      chatBody("transfer money ".repeat(1000)),
      '{"model":"auto","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:,"}}]}]}',
    ];
    for (const body of bodies) {
      const res = await send(vm, body);
      expect(res.status, String(body).slice(0, 40)).toBe(200);
      expect(res.upstream?.headers.get("x-semantic-route")).toBeDefined();
    }
    expect(vm.trapped).toBe(false);
    const chunked = await send(vm, ['{"model":"auto","messages":[{"role":"user",', '"content":"pay my electricity bill"}]}']);
    expect(upstreamModel(chunked)).toBe("demo-finance");
  });

  it("answers bad bodies with 400 under on_invalid reject, and passes large ones through unchanged", async () => {
    const vm = routerVm({ ...FINANCE_COOKING, on_invalid: "reject", max_body_bytes: 4096 });
    const res = await send(vm, "not json");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe("invalid_request");
    expect(res.upstream).toBeNull();
    const big = chatBody("transfer money ".repeat(1000));
    const passed = await send(vm, big);
    expect(passed.upstream?.bodyText).toBe(big);
    expect(passed.upstream?.headers.get("x-semantic-route")).toBe("base");
    expect(decisionState(passed)).toContain("outcome=too_large");
    expect(vm.trapped).toBe(false);
  });

  it("counts decisions per route and outcome and logs each decision at debug", async () => {
    const host = new Host({ logLevel: LogLevel.Debug });
    const vm = routerVm(FINANCE_COOKING, host);
    await chat(vm, "transfer money to my savings account");
    await chat(vm, "transfer money to my savings account");
    await send(vm, "not json");
    expect(host.stats.counter("semantic_router_decisions.route.finance.outcome.semantic")).toBe(2);
    expect(host.stats.counter("semantic_router_decisions.route.base.outcome.invalid")).toBe(1);
    const lines = vm.logs.filter((l) => l.message.includes("decision route="));
    expect(lines).toHaveLength(3);
    expect(lines[0].message).toMatch(/^\[semantic-router\] decision route=finance outcome=semantic score=0\.\d{3} complexity=simple model=demo-finance us=\d+$/);
  });
});
