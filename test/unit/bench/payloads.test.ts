import { describe, expect, it } from "vitest";
import { chatBody, payload, PAYLOAD_SIZES } from "../../../scripts/bench/payloads.ts";

describe("bench chat payloads", () => {
  for (const [label, bytes] of Object.entries(PAYLOAD_SIZES)) {
    for (const mode of ["json", "sse"] as const) {
      it(`${label} ${mode} is a valid OpenAI chat request of exactly ${bytes} bytes`, () => {
        const p = payload(label, mode);
        expect(Buffer.byteLength(p.body, "utf8")).toBe(bytes);
        expect(p.bytes).toBe(bytes);
        const req = JSON.parse(p.body);
        expect(req.model).toBeTypeOf("string");
        expect(req.messages[0].role).toBe("system");
        expect(req.messages.at(-1).role).toBe("user");
        for (const m of req.messages) expect(["system", "user", "assistant"]).toContain(m.role);
        if (mode === "sse") {
          expect(req.stream).toBe(true);
          expect(req.stream_options).toEqual({ include_usage: true });
        } else {
          expect(req.stream).toBeUndefined();
        }
      });
    }
  }

  it("is deterministic", () => {
    expect(chatBody(32 * 1024, "sse")).toBe(chatBody(32 * 1024, "sse"));
  });

  it("the large body is a long conversation with escapes and multi-byte text", () => {
    const body = payload("32K", "json").body;
    const req = JSON.parse(body);
    expect(req.messages.length).toBeGreaterThan(50);
    expect(body).toContain("\\n");
    expect(body).toContain('\\"');
    expect(Buffer.byteLength(body)).toBeGreaterThan(body.length); // some UTF-8 is multi-byte
  });

  it("hits odd sizes exactly and refuses sizes below the smallest request", () => {
    for (const n of [700, 1000, 1025, 4099]) expect(Buffer.byteLength(chatBody(n, "json"))).toBe(n);
    expect(() => chatBody(100, "json")).toThrow(/bytes/);
  });

  it("rejects an unknown size label", () => {
    expect(() => payload("3K", "json")).toThrow(/unknown payload size 3K/);
  });
});
