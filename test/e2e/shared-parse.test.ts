// The four-filter chain parses a body once per VM in its bundle form
// (assembly/common/json/shared-parse.ts). Sharing must never mix requests
// and must never hide a change: concurrent requests with different bodies
// through one Envoy worker each get their own route, and a prompt
// content-audit masked is what semantic-router routes on (its keyword route
// matches only the mask) and what the upstream gets. The same requests run
// through the filters' own modules, where nothing is shared, as the reference.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../scripts/build.ts";
import { BUILD } from "../../scripts/lib/paths.ts";
import { SCENARIOS } from "../../scripts/bench/scenarios.ts";
import { benchAuthorization } from "../../scripts/bench/jwt.ts";
import { type Envoy, startEnvoy } from "../harness/envoy.ts";

const FILTERS = ["mcp-auth", "content-audit", "semantic-router", "token-ratelimit", "ai-gateway"];

const AUDIT = { rules: [{ id: "pii", type: "pii", detectors: ["email"], action: "mask" }], hold_request_headers: true };
const ROUTER = {
  routes: [
    // The word only a masked prompt carries: "[EMAIL]".
    { name: "masked", model: "masked-model", keywords: ["email"] },
    { name: "code", model: "code-model", examples: ["write a python function that sorts a list", "fix this stack trace in my java code"] },
    { name: "chat", model: "small-model", examples: ["what is the capital of france", "tell me a short joke"] },
  ],
  default: { name: "general", model: "base-model" },
};
const LIMITS = { limits: [{ name: "all", by: "all", windows: { minute: 1_000_000_000 } }], hold_request_headers: true };

interface Kind {
  route: string;
  model: string;
  prompt: (ticket: string) => string;
  /** What the upstream must not see. */
  secret?: (ticket: string) => string;
}

const KINDS: Kind[] = [
  { route: "code", model: "code-model", prompt: (t) => `write a python function that sorts a list for ticket ${t}` },
  { route: "chat", model: "small-model", prompt: (t) => `tell me a short joke about ticket ${t}` },
  {
    route: "masked",
    model: "masked-model",
    prompt: (t) => `send ticket ${t} to owner-${t}@example.com please`,
    secret: (t) => `owner-${t}@example.com`,
  },
  { route: "general", model: "base-model", prompt: (t) => `zebra migration patterns across the serengeti, ticket ${t}` },
];

let upstream: Server;
let upstreamPort = 0;
/** Request bodies the upstream got, by ticket. */
const seen = new Map<string, { model: string; content: string }>();

beforeAll(async () => {
  for (const only of FILTERS) await build({ only, quiet: true });
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const content: string = body.messages[0].content;
      const ticket = /ticket (\S+)/.exec(content)?.[1] ?? "";
      seen.set(ticket, { model: body.model, content });
      // Answer after a moment, so the requests overlap in the filters.
      setTimeout(() => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: `done ${ticket}` } }], usage: { prompt_tokens: 20, completion_tokens: 2, total_tokens: 22 } }));
      }, 5 + Math.floor(Math.random() * 20));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamPort = (upstream.address() as AddressInfo).port;
}, 600_000);

afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

describe.each(["bundle", "modules"] as const)("the chain's %s form with concurrent requests", (wasmForm) => {
  let envoy: Envoy;
  beforeAll(async () => {
    const chain = SCENARIOS.find((s) => s.name === "chain-bundle")!;
    envoy = await startEnvoy({
      config: "envoy/bench-chain.yaml",
      vars: {
        WASM_DIR: BUILD,
        MCP_AUTH_CONFIG: String(chain.vars.MCP_AUTH_CONFIG),
        CONTENT_AUDIT_CONFIG: JSON.stringify(AUDIT),
        SEMANTIC_ROUTER_CONFIG: JSON.stringify(ROUTER),
        TOKEN_RATELIMIT_CONFIG: JSON.stringify(LIMITS),
        UPSTREAM_PORT: upstreamPort,
      },
      wasmForm,
      concurrency: 1,
      name: `shared-parse-${wasmForm}`,
    });
  }, 120_000);
  afterAll(() => envoy?.stop());

  it("routes, masks and counts each request on its own body", async () => {
    seen.clear();
    const auth = benchAuthorization();
    const requests: Promise<void>[] = [];
    for (let i = 0; i < 96; i++) {
      const kind = KINDS[i % KINDS.length];
      // Some bodies repeat byte for byte (same ticket), most differ.
      const ticket = `${wasmForm}-${i % 24 === 7 ? "same" : String(i)}`;
      const body = JSON.stringify({ model: "gpt-any", messages: [{ role: "user", content: kind.prompt(ticket) }] });
      requests.push(
        (async () => {
          const res = await fetch(envoy.url("/v1/chat/completions"), { method: "POST", headers: { ...auth, "content-type": "application/json" }, body });
          const answer = await res.json();
          expect(res.status, JSON.stringify(answer)).toBe(200);
          expect(res.headers.get("x-semantic-route"), kind.prompt(ticket)).toBe(kind.route);
          expect(res.headers.get("x-ratelimit-limit-tokens")).toBe("1000000000");
          expect(answer.choices[0].message.content).toBe(`done ${ticket}`);
          const got = seen.get(ticket)!;
          expect(got.model).toBe(kind.model);
          if (kind.secret) {
            expect(got.content).not.toContain(kind.secret(ticket));
            expect(got.content).toContain("[EMAIL]");
          } else {
            expect(got.content).toBe(kind.prompt(ticket));
          }
        })(),
      );
    }
    await Promise.all(requests);
    envoy.assertHealthy();
  });
});
