// Decisions applied through the emulator: model rewrite, route headers on
// the upstream request and the response, route cache cleared, the three
// LLM APIs, Chinese and typos.
import { beforeAll, describe, expect, it } from "vitest";
import { buildRouter, chat, chatBody, decisionState, FINANCE_COOKING, responseHeader, routerVm, send, upstreamModel } from "./support.ts";

beforeAll(buildRouter, 120_000);

describe("semantic-router: routing", () => {
  it("sends a finance question to the finance route: model, headers, cluster, route cache", async () => {
    const vm = routerVm(FINANCE_COOKING);
    const res = await chat(vm, "How do I transfer money into my savings account?");
    expect(res.status).toBe(200);
    expect(upstreamModel(res)).toBe("demo-finance");
    expect(res.upstream?.headers.get("x-semantic-route")).toBe("alt");
    expect(res.upstream?.route.cluster).toBe("llm-alt");
    expect(Number(res.upstream?.headers.get("x-semantic-score"))).toBeGreaterThanOrEqual(0.2);
    expect(res.clearRouteCacheCalls).toBeGreaterThan(0);
    expect(responseHeader(res, "x-semantic-route")).toBe("alt");
    expect(responseHeader(res, "x-semantic-score")).toBe(res.upstream?.headers.get("x-semantic-score"));
    expect(decisionState(res)).toMatch(/^route=finance outcome=semantic score=0\.\d{3} complexity=simple model=demo-finance$/);
    expect(vm.trapped).toBe(false);
  });

  it("keeps the body valid JSON with the right length and every other byte", async () => {
    const vm = routerVm(FINANCE_COOKING);
    const body = '{ "messages" : [{"role":"user","content":"give me a recipe for pancakes"}], "model" : "auto", "temperature": 0.5 }';
    const res = await send(vm, body);
    const out = res.upstream!.bodyText;
    expect(out).toBe(body.replace('"auto"', '"demo-chef"'));
    expect(res.upstream!.headers.get("content-length")).toBe(String(Buffer.byteLength(out)));
    expect(res.upstream?.route.cluster).toBe("llm");
    expect(res.upstream?.headers.get("x-semantic-route")).toBe("cooking");
  });

  it("writes the model into every `model` member, or as the first member when there is none", async () => {
    const vm = routerVm(FINANCE_COOKING);
    // A repeated name: whichever one the upstream's parser keeps, it is the route's model.
    const twice = '{"model":"a","messages":[{"role":"user","content":"give me a recipe for pancakes"}],"model":"b"}';
    const repeated = await send(vm, twice);
    expect(repeated.upstream!.bodyText).toBe('{"model":"demo-chef","messages":[{"role":"user","content":"give me a recipe for pancakes"}],"model":"demo-chef"}');
    const none = await send(vm, '{"messages":[{"role":"user","content":"give me a recipe for pancakes"}]}');
    expect(none.upstream!.bodyText).toBe('{"model":"demo-chef","messages":[{"role":"user","content":"give me a recipe for pancakes"}]}');
    expect(none.upstream!.headers.get("content-length")).toBe(String(Buffer.byteLength(none.upstream!.bodyText)));
    // A model with characters JSON escapes is written escaped.
    const odd = routerVm({ ...FINANCE_COOKING, routes: [{ ...FINANCE_COOKING.routes[1], model: 'chef "v2"\\n' }] });
    const escaped = await send(odd, chatBody("give me a recipe for pancakes", "auto"));
    expect(JSON.parse(escaped.upstream!.bodyText).model).toBe('chef "v2"\\n');
    expect(vm.trapped || odd.trapped).toBe(false);
  });

  it("sends unrelated questions to the default route, with the best score seen", async () => {
    const vm = routerVm(FINANCE_COOKING);
    const res = await chat(vm, "Who won the football world cup in 1998?");
    expect(upstreamModel(res)).toBe("demo-base");
    expect(res.upstream?.headers.get("x-semantic-route")).toBe("base");
    expect(Number(res.upstream?.headers.get("x-semantic-score"))).toBeLessThan(0.2);
    expect(decisionState(res)).toContain("outcome=below_threshold");
  });

  it("routes Chinese without word segmentation", async () => {
    const vm = routerVm(FINANCE_COOKING);
    expect(upstreamModel(await chat(vm, "请问我的银行卡余额还有多少？"))).toBe("demo-finance");
    expect(upstreamModel(await chat(vm, "红烧肉怎么做才好吃"))).toBe("demo-chef");
  });

  it("tolerates typos", async () => {
    const vm = routerVm(FINANCE_COOKING);
    expect(upstreamModel(await chat(vm, "trasnfer mony to my savngs acount"))).toBe("demo-finance");
    expect(upstreamModel(await chat(vm, "recipe for pancaeks please"))).toBe("demo-chef");
  });

  it("reads OpenAI Responses and Anthropic Messages, and array content parts", async () => {
    const vm = routerVm(FINANCE_COOKING);
    const responses = await send(vm, JSON.stringify({ model: "auto", input: "what is my account balance today" }), "/v1/responses");
    expect(upstreamModel(responses)).toBe("demo-finance");
    const anthropic = await send(
      vm,
      JSON.stringify({ model: "auto", max_tokens: 64, system: "You are helpful.", messages: [{ role: "user", content: [{ type: "text", text: "how do I make tomato soup" }] }] }),
      "/v1/messages",
    );
    expect(upstreamModel(anthropic)).toBe("demo-chef");
    const parts = await send(vm, JSON.stringify({ model: "auto", messages: [{ role: "user", content: [{ type: "text", text: "pay my" }, { type: "image_url", image_url: { url: "data:," } }, { type: "text", text: "electricity bill" }] }] }));
    expect(upstreamModel(parts)).toBe("demo-finance");
  });

  it("classifies the last user message by default, history and system prompt when configured", async () => {
    const messages = [
      { role: "system", content: "You are a banking assistant for account balance and transfer questions." },
      { role: "user", content: "how do I make tomato soup" },
      { role: "assistant", content: "..." },
      { role: "user", content: "and then?" },
    ];
    const body = JSON.stringify({ model: "auto", messages });
    expect(upstreamModel(await send(routerVm(FINANCE_COOKING), body))).toBe("demo-base");
    expect(upstreamModel(await send(routerVm({ ...FINANCE_COOKING, input: { history: 1 } }), body))).toBe("demo-chef");
    expect(upstreamModel(await send(routerVm({ ...FINANCE_COOKING, input: { system: true } }), body))).toBe("demo-finance");
  });

  it("overwrites a route header the client sent", async () => {
    const vm = routerVm(FINANCE_COOKING);
    const res = await send(vm, chatBody("give me a recipe for pancakes"), "/v1/chat/completions", [["x-semantic-route", "alt"], ["x-semantic-score", "1.000"]]);
    expect(res.upstream?.headers.get("x-semantic-route")).toBe("cooking");
    expect(res.upstream?.route.cluster).toBe("llm");
  });

  it("strips a client route header on requests without a body", async () => {
    const vm = routerVm(FINANCE_COOKING);
    const res = await vm.exchange({ method: "GET", path: "/v1/models", headers: [["x-semantic-route", "alt"]] }, { routes: (h) => (h.get("x-semantic-route") === "alt" ? { name: "a", cluster: "llm-alt" } : { name: "b", cluster: "llm" }) });
    expect(res.upstream?.route.cluster).toBe("llm");
  });
});
