// content-audit streams hold back a bounded amount and scan each unit of a
// stream a bounded number of times, whatever the stream carries: 1 MB and
// 10 MB completions in deltas of 1 byte to 64 KB, with and without an
// unterminated private key header, long tokens, invisible characters and
// many channels. Work is the filter's own count of units it scanned
// (content_audit_scanned_units), memory the VM's linear memory (it never
// shrinks, so its size at the end is the peak).
import { beforeAll, describe, expect, it } from "vitest";
import type { ProxyVm } from "../../host/vm.ts";
import { auditVm, buildFilter, chatBody, post, streamText } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const MASK_CONFIG = {
  rules: [
    { id: "secrets", type: "pii", detectors: ["secret"], action: "mask" },
    { id: "pii", type: "pii", action: "mask" },
    { id: "banned", type: "keywords", keywords: ["forbidden topic", "违禁词", "a".repeat(300)], action: "block" },
    { id: "tickets", type: "pattern", pattern: "TICKET-\\d{6}", action: "mask" },
  ],
};
const BLOCK_CONFIG = { ...MASK_CONFIG, rules: [{ id: "secrets", type: "pii", detectors: ["secret"], action: "block" }, ...MASK_CONFIG.rules.slice(1)] };

const HEADER = "Sure, here it is:\n-----BEGIN PRIVATE KEY-----\n";
const PROSE =
  "The quarterly report is ready. Revenue grew 12% to 4.2 million; see section 3 for details. " +
  "报告已经准备好了，请查看第三部分。Der Bericht ist fertig, danke! Call me tomorrow at ten. ";
const MB = 1 << 20;

/** One chat completion chunk event carrying `content`. */
function chunkEvent(content: string, index = 0): string {
  return `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":${index},"delta":{"content":${JSON.stringify(content)}}}]}\n\n`;
}

const END_EVENTS = `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;

/**
 * An SSE stream of about `bytes` bytes whose deltas cut `text` (repeated) every
 * `deltaUnits` characters, after `head`; sent in network chunks of `chunkBytes`.
 */
function stream(bytes: number, deltaUnits: number, text: string, head = "", chunkBytes = 64 * 1024): { chunks: Buffer[]; units: number } {
  const parts: string[] = [];
  let size = 0;
  let units = 0;
  if (head) {
    parts.push(chunkEvent(head));
    units += head.length;
  }
  let pos = 0;
  const source = text.repeat(Math.ceil((deltaUnits + text.length) / text.length) + 1);
  while (size < bytes) {
    const start = pos % text.length;
    const delta = source.slice(start, start + deltaUnits);
    pos += deltaUnits;
    const ev = chunkEvent(delta);
    parts.push(ev);
    size += Buffer.byteLength(ev);
    units += delta.length;
  }
  parts.push(END_EVENTS);
  const all = Buffer.from(parts.join(""));
  const chunks: Buffer[] = [];
  for (let i = 0; i < all.length; i += chunkBytes) chunks.push(all.subarray(i, i + chunkBytes));
  return { chunks, units };
}

type Run = { work: number; units: number; memory: number; body: string; vm: ProxyVm };

async function run(config: unknown, s: { chunks: Buffer[]; units: number }): Promise<Run> {
  const vm = auditVm(config);
  const before = vm.invoke(0, "content_audit_scanned_units") ?? NaN;
  const res = await post(vm, chatBody("hi", { stream: true }), {
    upstream: () => ({ status: 200, headers: { "content-type": "text/event-stream" }, body: s.chunks }),
  });
  const after = vm.invoke(0, "content_audit_scanned_units") ?? NaN;
  expect(vm.trapped).toBe(false);
  return { work: (after - before) >>> 0, units: s.units, memory: vm.mem.byteLength, body: res.body, vm };
}

/** Work per streamed unit and memory stay flat from a 1 MB to a 10 MB stream. */
async function expectFlat(config: unknown, make: (bytes: number) => { chunks: Buffer[]; units: number }): Promise<[Run, Run]> {
  const small = await run(config, make(MB));
  const large = await run(config, make(10 * MB));
  const perUnitSmall = small.work / small.units;
  const perUnitLarge = large.work / large.units;
  // Linear: each unit is scanned a bounded number of times, the same in both.
  expect(perUnitLarge / perUnitSmall).toBeLessThan(1.2);
  // Bounded: the linear memory (garbage between collections included) stays under a constant.
  expect(large.memory).toBeLessThanOrEqual(64 * MB);
  return [small, large];
}

describe("stream hold-back is bounded and scanning linear", () => {
  it("digits and separators without end (a list of numbers) hold back at most 64 units", async () => {
    // No phone, card, IBAN, ID or address has more than 64 of them in a row; a longer hold was scanned again with every delta.
    for (const text of ["1 ", "12-", "1.2.", "0 1 1 0 "]) {
      const res = await run(MASK_CONFIG, stream(64 * 1024, 5, text));
      expect(res.work / res.units, text).toBeLessThan(16);
    }
  });

  for (const delta of [1, 64, 64 * 1024]) {
    it(`prose in ${delta}-unit deltas`, async () => {
      const [, large] = await expectFlat(MASK_CONFIG, (b) => stream(b, delta, PROSE));
      expect(large.work / large.units).toBeLessThan(delta == 1 ? 64 : 4);
      const got = streamText(large.body);
      expect(got.error).toBeNull();
      expect(got.done).toBe(true);
      expect(got.text.length).toBe(large.units);
    }, 240_000);

    it(`an unterminated private key header, then prose in ${delta}-unit deltas`, async () => {
      const [, large] = await expectFlat(MASK_CONFIG, (b) => stream(b, delta, PROSE, HEADER));
      expect(large.work / large.units).toBeLessThan(delta == 1 ? 64 : 4);
      const got = streamText(large.body);
      expect(got.error).toBeNull();
      // The header is masked, the prose after it flows.
      // The header and the words up to the first character a key body cannot hold are masked; the prose after it flows.
      expect(got.text.startsWith("Sure, here it is:\n[SECRET]. Revenue grew 12%")).toBe(true);
      expect(got.text).not.toContain("BEGIN PRIVATE KEY");
      expect(got.text.length).toBeGreaterThan(large.units * 0.99);
    }, 240_000);
  }

  it("a 10 MB token without spaces (a base64 blob) in 64-unit deltas", async () => {
    const blob = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 251)).toString("base64");
    for (const delta of [64]) {
      const [, large] = await expectFlat(MASK_CONFIG, (b) => stream(b, delta, blob));
      // The PII hold keeps at most 1 KiB of a token run: per unit at most that many rescans.
      expect(large.work / large.units).toBeLessThan(1100);
    }
  }, 240_000);

  it("invisible characters that normalization drops do not grow the held text", async () => {
    const zw = "a" + "\u200b".repeat(4000);
    const [, large] = await expectFlat(MASK_CONFIG, (b) => stream(b, 64, zw));
    // At most 16384 units held: each unit is scanned at most that many times over.
    expect(large.work / large.units).toBeLessThan(16384 / 64 + 2);
  }, 240_000);

  it("a JWT that never ends is masked as it streams, its rest too", async () => {
    const head = "token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.";
    const [, large] = await expectFlat(MASK_CONFIG, (b) => stream(b, 64, "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV", head));
    const got = streamText(large.body);
    expect(got.text).toBe("token: [SECRET]");
  }, 240_000);

  it("thousands of channels (tool calls) stay within the memory bound", async () => {
    const make = (bytes: number) => {
      const parts: string[] = [];
      let size = 0;
      for (let i = 0; size < bytes; i++) {
        const ev = `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":${i},"function":{"arguments":"{\\"q\\": \\"call ${i} bob@"}}]}}]}\n\n`;
        parts.push(ev);
        size += ev.length;
      }
      parts.push(END_EVENTS);
      const all = Buffer.from(parts.join(""));
      const chunks: Buffer[] = [];
      for (let i = 0; i < all.length; i += 65536) chunks.push(all.subarray(i, i + 65536));
      return { chunks, units: parts.length };
    };
    await expectFlat(MASK_CONFIG, make);
  }, 240_000);
});

describe("an unterminated private key block in a stream", () => {
  const KEY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n";

  it("is blocked as soon as its header is complete, in 1-byte deltas", async () => {
    const text = HEADER + KEY.repeat(50) + "-----END PRIVATE KEY-----\nDone.";
    const res = await run(BLOCK_CONFIG, { chunks: [Buffer.from([...text].map((c) => chunkEvent(c)).join("") + END_EVENTS)], units: text.length });
    const got = streamText(res.body);
    expect((got.error as { code: string }).code).toBe("content_blocked");
    expect(got.text).toBe("Sure, here it is:\n");
    // Blocked at the header: the key's body was never scanned.
    expect(res.work).toBeLessThan(2000);
  });

  for (const delta of [1, 3, 64, 4096]) {
    it(`is masked whole, END line included, and what follows flows (${delta}-unit deltas)`, async () => {
      const text = HEADER + KEY.repeat(20) + "-----END PRIVATE KEY-----\nUse it with care. Mail bob@example.com.";
      const pieces = text.match(new RegExp(`[\\s\\S]{1,${delta}}`, "g"))!;
      const res = await run(MASK_CONFIG, { chunks: [Buffer.from(pieces.map((p) => chunkEvent(p)).join("") + END_EVENTS)], units: text.length });
      const got = streamText(res.body);
      expect(got.error).toBeNull();
      expect(got.text).toBe("Sure, here it is:\n[SECRET]\nUse it with care. Mail [EMAIL].");
    });
  }

  it("a key without END is masked up to the first character a key body cannot hold", async () => {
    const text = HEADER + KEY.repeat(3) + "That was the key. Thanks!";
    const pieces = text.match(/[\s\S]{1,5}/g)!;
    const res = await run(MASK_CONFIG, { chunks: [Buffer.from(pieces.map((p) => chunkEvent(p)).join("") + END_EVENTS)], units: text.length });
    expect(streamText(res.body).text).toBe("Sure, here it is:\n[SECRET]. Thanks!");
  });
});

describe("hold bounds in the configuration", () => {
  it("refuses a keyword or allow term longer than 4096 characters (a stream holds back at most that much of one)", () => {
    for (const rule of [
      { id: "k", type: "keywords", keywords: ["x".repeat(4097)] },
      { id: "k", type: "keywords", keywords: ["x"], allow: ["y".repeat(4097)] },
    ]) {
      expect(() => auditVm({ rules: [rule] })).toThrow(/longer than 4096/);
    }
    expect(() => auditVm({ rules: [{ id: "k", type: "keywords", keywords: ["x".repeat(4096)] }] })).not.toThrow();
  });
});
