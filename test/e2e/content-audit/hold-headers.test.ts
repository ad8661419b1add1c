// content-audit with hold_request_headers and hold_response_headers (Envoy's
// allow_on_headers_stop_iteration in envoy/content-audit.yaml): bodies that
// pass unchanged keep their content-length in both directions, masked ones
// get the new length, and a blocked prompt never reaches the upstream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedRequest } from "../../upstreams/llm.ts";
import { AUDIT_CONFIG, type Stack, startStack } from "./config.ts";

let stack: Stack;
let seq = 0;
const nextId = () => `hold${process.pid}-${++seq}`;

beforeAll(async () => {
  stack = await startStack({ ...AUDIT_CONFIG, hold_request_headers: true }, "content-audit-hold");
}, 120_000);

afterAll(async () => {
  stack?.envoy.assertHealthy();
  await stack?.stop();
});

function ask(id: string, content: string): Promise<Response> {
  return fetch(stack.envoy.url("/v1/chat/completions"), {
    method: "POST",
    headers: { "content-type": "application/json", "x-test-id": id },
    body: JSON.stringify({ model: "demo-base", messages: [{ role: "user", content }] }),
  });
}

function received(id: string): RecordedRequest[] {
  return stack.llm.requests().filter((r) => r.headers["x-test-id"] === id);
}

describe("hold_request_headers", () => {
  it("keeps content-length both ways when nothing is masked", async () => {
    const id = nextId();
    const res = await ask(id, "What is a token bucket?");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(res.headers.get("x-content-audit")).toBe("pass");
    expect(Number(res.headers.get("content-length"))).toBe(Buffer.byteLength(text));
    const [upstream] = received(id);
    expect(upstream.headers["transfer-encoding"]).toBeUndefined();
    expect(Number(upstream.headers["content-length"])).toBe(Buffer.byteLength(upstream.body));
  });

  it("sets content-length to the masked prompt's length", async () => {
    const id = nextId();
    const res = await ask(id, "Mail me at jane.doe@example.com about bluebird.");
    expect(res.status).toBe(200);
    await res.text();
    const [upstream] = received(id);
    const content = JSON.parse(upstream.body).messages[0].content;
    expect(content).toBe("Mail me at [EMAIL] about [CODENAME].");
    expect(Number(upstream.headers["content-length"])).toBe(Buffer.byteLength(upstream.body));
  });

  it("blocks a prompt before the upstream sees it", async () => {
    const id = nextId();
    const res = await ask(id, "Let us talk about the forbidden topic.");
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain("blocked by content policy");
    expect(received(id)).toHaveLength(0);
  });
});
