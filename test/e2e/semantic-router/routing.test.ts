// semantic-router through a real Envoy with two real LLM upstreams: each
// cluster gets exactly the requests meant for it, with the model rewritten;
// the official openai client, Anthropic Messages, streaming; spoofed headers,
// bad bodies, metrics, the access log and the debug decision line.
import { request } from "node:http";
import { connect } from "node:http2";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { Envoy } from "../../harness/envoy.ts";
import { embed, type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";
import { GATEWAY_CONFIG } from "../../unit/semantic-router/fixtures.ts";

let envoy: Envoy;
let llm: LlmUpstream;
let alt: LlmUpstream;
let openai: OpenAI;

/** Requests to authority strict.test answer bad bodies with 400 (a Higress-style rule). */
const MAX_BODY = 65536;
const NEIGHBOR_QUERY = "my router keeps dropping the wifi connection tonight";
const STEADY_EXAMPLES = ["my router keeps dropping the wifi connection", "the router keeps dropping my wifi connection at night"];
const CONFIG = {
  ...GATEWAY_CONFIG,
  max_body_bytes: MAX_BODY,
  _rules_: [
    { _match_domain_: ["strict.test"], ...GATEWAY_CONFIG, max_body_bytes: MAX_BODY, on_invalid: "reject" },
    // Scored through the LLM mock's /v1/embeddings on cluster llm (deterministic n-gram embeddings).
    {
      _match_domain_: ["embed.test"],
      threshold: 0.9,
      default: { name: "base", model: "demo-base" },
      embeddings: { cluster: "llm", model: "text-embedding-3-small", timeout_ms: 5000, threshold: 0.8 },
      routes: [{ name: "support", model: "demo-support", header: "alt", embeddings: true, examples: ["my router keeps dropping the wifi connection"] }],
    },
    // The same service, a route scored by the mean of its 2 nearest examples.
    {
      _match_domain_: ["embed-neighbors.test"],
      threshold: 0.9,
      default: { name: "base", model: "demo-base" },
      embeddings: { cluster: "llm", model: "text-embedding-3-small", timeout_ms: 5000, threshold: 0.3, neighbors: 2 },
      routes: [
        { name: "lucky", model: "demo-base", embeddings: true, examples: [NEIGHBOR_QUERY, "bake a chocolate cake for the party"] },
        { name: "steady", model: "demo-support", header: "alt", embeddings: true, examples: STEADY_EXAMPLES },
      ],
    },
  ],
};

beforeAll(async () => {
  await build({ only: "semantic-router", quiet: true });
  llm = await startLlmUpstream({ name: "llm" });
  alt = await startLlmUpstream({ name: "llm-alt" });
  envoy = await Envoy.start({
    config: "envoy/semantic-router.yaml",
    vars: { LLM_PORT: new URL(llm.url).port, LLM_ALT_PORT: new URL(alt.url).port, ROUTER_CONFIG: JSON.stringify(CONFIG) },
    componentLogLevel: "wasm:debug",
  });
  openai = new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "k", maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await envoy?.stop();
  await llm?.close();
  await alt?.close();
});

function userTexts(up: LlmUpstream): string[] {
  return up.requests().map((r) => {
    const b = JSON.parse(r.body);
    const m = b.messages ?? [{ content: b.input }];
    const c = m[m.length - 1].content;
    return typeof c === "string" ? c : c.map((p: { text: string }) => p.text).join("\n");
  });
}

interface Answer {
  status: number;
  headers: { get(name: string): string | null };
  text: string;
  json(): Promise<any>;
}

/** POST through Envoy with node:http (fetch cannot set Host, which the strict.test rule matches on). */
function post(path: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(envoy.url(path), { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({
          status: res.statusCode ?? 0,
          headers: { get: (n) => (res.headers[n] as string | undefined) ?? null },
          text,
          json: async () => JSON.parse(text),
        });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("semantic-router e2e", () => {
  it("each cluster receives exactly the requests meant for it, with the routed model", async () => {
    llm.clearRequests();
    alt.clearRequests();
    const cases: { text: string; cluster: "llm" | "llm-alt"; model: string; route: string }[] = [
      { text: "How do I transfer money into my savings account?", cluster: "llm-alt", model: "demo-finance", route: "alt" },
      { text: "Give me a recipe for pancakes", cluster: "llm", model: "demo-chef", route: "cooking" },
      { text: "请问我的银行卡余额是多少？", cluster: "llm-alt", model: "demo-finance", route: "alt" },
      { text: "What is the SWIFT code of my bank?", cluster: "llm-alt", model: "demo-finance", route: "alt" },
      { text: "Who painted the Mona Lisa?", cluster: "llm", model: "demo-base", route: "base" },
      {
        text: "Prove step by step that the integral of x^2 from 0 to 1 equals 1/3, then compare it with the derivative approach and analyze why both agree.",
        cluster: "llm",
        model: "demo-reasoning",
        route: "reasoning",
      },
      { text: "pay my electricty bil please", cluster: "llm-alt", model: "demo-finance", route: "alt" },
    ];
    for (const c of cases) {
      const { data, response } = await openai.chat.completions.create({ model: "auto", messages: [{ role: "user", content: c.text }] }).withResponse();
      expect(response.headers.get("x-upstream-name"), c.text).toBe(c.cluster);
      expect(response.headers.get("x-semantic-route"), c.text).toBe(c.route);
      expect(Number(response.headers.get("x-semantic-score"))).toBeGreaterThanOrEqual(0);
      expect(data.model, c.text).toBe(c.model);
    }
    expect(userTexts(alt)).toEqual(cases.filter((c) => c.cluster === "llm-alt").map((c) => c.text));
    expect(userTexts(llm)).toEqual(cases.filter((c) => c.cluster === "llm").map((c) => c.text));
    for (const r of [...alt.requests(), ...llm.requests()]) {
      expect(r.headers["x-semantic-route"]).toBeDefined();
      expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(r.body));
      expect(() => JSON.parse(r.body)).not.toThrow();
    }
    envoy.assertHealthy();
  });

  it("respects an explicit client model (sentinel policy) and overwrites a spoofed route header", async () => {
    alt.clearRequests();
    const res = await post("/v1/chat/completions", JSON.stringify({ model: "demo-base", messages: [{ role: "user", content: "transfer money to my savings account" }] }), { "x-semantic-route": "alt" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-upstream-name")).toBe("llm");
    expect((await res.json()).model).toBe("demo-base");
    const spoofed = await post("/v1/chat/completions", JSON.stringify({ model: "auto", messages: [{ role: "user", content: "give me a recipe for pancakes" }] }), { "x-semantic-route": "alt" });
    expect(spoofed.headers.get("x-upstream-name")).toBe("llm");
    expect(spoofed.headers.get("x-semantic-route")).toBe("cooking");
    expect(alt.requests()).toHaveLength(0);
  });

  it("routes Anthropic Messages, OpenAI Responses and a streamed chat", async () => {
    const anthropic = await post("/v1/messages", JSON.stringify({ model: "auto", max_tokens: 32, messages: [{ role: "user", content: [{ type: "text", text: "what is my account balance" }] }] }));
    expect(anthropic.headers.get("x-upstream-name")).toBe("llm-alt");
    expect((await anthropic.json()).model).toBe("demo-finance");
    const responses = await openai.responses.create({ model: "auto", input: "how do I make tomato soup" });
    expect(responses.model).toBe("demo-chef");
    const stream = await openai.chat.completions.create({ model: "auto", stream: true, messages: [{ role: "user", content: "report a fraudulent transaction on my card" }] });
    let text = "";
    let model = "";
    for await (const chunk of stream) {
      model = chunk.model;
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    expect(model).toBe("demo-finance");
    expect(text).toContain("fraudulent");
  });

  it("sends bad bodies to the default route (or 400 where configured), never trapping", async () => {
    const bad: (string | Uint8Array)[] = [
      "not json at all",
      "{}",
      JSON.stringify({ model: "auto", messages: [] }),
      Buffer.concat([Buffer.from('{"model":"auto","messages":[{"role":"user","content":"pay my bill \xff'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')]),
      JSON.stringify({ model: "auto", messages: [{ role: "user", content: "transfer money ".repeat(10000) }] }),
    ];
    for (const body of bad) {
      const res = await post("/v1/chat/completions", body);
      expect(res.headers.get("x-semantic-route")).toBe("base");
      expect(res.headers.get("x-upstream-name")).toBe("llm");
      const strict = await post("/v1/chat/completions", body, { host: "strict.test" });
      if (Buffer.byteLength(body) > MAX_BODY) {
        // Too large to inspect: passed through unchanged to the default route, in either mode.
        expect(strict.headers.get("x-upstream-name")).toBe("llm");
      } else {
        expect(strict.status).toBe(400);
        expect((await strict.json()).error.code).toBe("invalid_request");
      }
    }
    const ok = await openai.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "give me a recipe for pancakes" }] });
    expect(ok.model).toBe("demo-chef");
    envoy.assertHealthy();
  });

  it("routes through the embedding service on cluster llm (texts embedded once, then cached)", async () => {
    llm.clearRequests();
    alt.clearRequests();
    const body = JSON.stringify({ model: "auto", messages: [{ role: "user", content: "My router keeps dropping the WiFi connection!" }] });
    const res = await post("/v1/chat/completions", body, { host: "embed.test" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-upstream-name")).toBe("llm-alt");
    expect((await res.json()).model).toBe("demo-support");
    const calls = llm.requests().filter((r) => r.path === "/v1/embeddings");
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0].body).input).toEqual(["My router keeps dropping the WiFi connection!", "my router keeps dropping the wifi connection"]);
    const unrelated = await post("/v1/chat/completions", JSON.stringify({ model: "auto", messages: [{ role: "user", content: "Who painted the Mona Lisa?" }] }), { host: "embed.test" });
    expect(unrelated.headers.get("x-upstream-name")).toBe("llm");
    expect((await unrelated.json()).model).toBe("demo-base");
    await post("/v1/chat/completions", body, { host: "embed.test" });
    expect(llm.requests().filter((r) => r.path === "/v1/embeddings")).toHaveLength(2);
    const stats = await envoy.stats("semantic_router_embeddings");
    expect(stats["wasmcustom.semantic_router_embeddings.result.ok"]).toBe(2);
    expect(stats["wasmcustom.semantic_router_embeddings.result.cached"]).toBe(1);
    envoy.assertHealthy();
  });

  it("scores a route by the mean of its `neighbors` nearest examples", async () => {
    // The mock service's vectors, computed here: "lucky" holds the query
    // itself (cosine 1) next to an unrelated example; "steady" two close
    // paraphrases. With neighbors 2 the means decide, not the best match.
    const cos = (a: string, b: string) => {
      const x = embed(a);
      const y = embed(b);
      let dot = 0;
      for (let i = 0; i < x.length; i++) dot += x[i] * y[i];
      return dot;
    };
    const lucky = (1 + cos(NEIGHBOR_QUERY, "bake a chocolate cake for the party")) / 2;
    const steady = (cos(NEIGHBOR_QUERY, STEADY_EXAMPLES[0]) + cos(NEIGHBOR_QUERY, STEADY_EXAMPLES[1])) / 2;
    expect(steady).toBeGreaterThan(lucky);
    const res = await post("/v1/chat/completions", JSON.stringify({ model: "auto", messages: [{ role: "user", content: NEIGHBOR_QUERY }] }), { host: "embed-neighbors.test" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-upstream-name")).toBe("llm-alt");
    expect(res.headers.get("x-semantic-route")).toBe("alt");
    expect((await res.json()).model).toBe("demo-support");
    expect(Number(res.headers.get("x-semantic-score"))).toBeCloseTo(steady, 3);
    envoy.assertHealthy();
  });

  it("holds a request whose body ends with trailers (HTTP/2) until the embedding service answered", async () => {
    const session = connect(envoy.url("/"));
    try {
      const text = "Since Monday my router keeps dropping the wifi connection";
      const body = JSON.stringify({ model: "auto", messages: [{ role: "user", content: text }] });
      llm.clearRequests();
      const req = session.request({ ":method": "POST", ":path": "/v1/chat/completions", ":authority": "embed.test", "content-type": "application/json" }, { waitForTrailers: true });
      req.on("wantTrailers", () => req.sendTrailers({ "x-client-trailer": "1" }));
      req.end(body);
      const answer = await new Promise<{ headers: Record<string, unknown>; text: string }>((resolve, reject) => {
        let headers: Record<string, unknown> = {};
        let text = "";
        req.on("response", (h) => (headers = h));
        req.on("data", (c: Buffer) => (text += c.toString()));
        req.on("end", () => resolve({ headers, text }));
        req.on("error", reject);
      });
      expect(answer.headers[":status"]).toBe(200);
      expect(answer.headers["x-upstream-name"]).toBe("llm-alt");
      expect(JSON.parse(answer.text).model).toBe("demo-support");
      expect(llm.requests().filter((r) => r.path === "/v1/embeddings").map((r) => JSON.parse(r.body).input)).toEqual([[text]]);
    } finally {
      session.close();
    }
    envoy.assertHealthy();
  });

  it("counts decisions per route and outcome, logs them and writes the access-log filter state", async () => {
    const stats = await envoy.stats("semantic_router");
    expect(stats["wasmcustom.semantic_router_decisions.route.finance.outcome.semantic"]).toBeGreaterThanOrEqual(3);
    expect(stats["wasmcustom.semantic_router_decisions.route.finance.outcome.keyword"]).toBeGreaterThanOrEqual(1);
    expect(stats["wasmcustom.semantic_router_decisions.route.base.outcome.invalid"]).toBeGreaterThanOrEqual(3);
    expect(stats["wasmcustom.semantic_router_decisions.route.base.outcome.client_model"]).toBe(1);
    const prom = await envoy.prometheus();
    expect(prom).toMatch(/semantic_router_decisions\{route="finance",outcome="semantic"\} \d+/);
    const logs = envoy.logs();
    expect(logs).toMatch(/\[semantic-router\] decision route=finance outcome=semantic score=0\.\d{3}/);
    expect(logs).toMatch(/ACCESS route=llm_alt cluster=llm-alt decision=route=finance outcome=(semantic|keyword)/);
    envoy.assertHealthy();
  });
});
