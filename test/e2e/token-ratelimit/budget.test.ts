// The budget's bound through a real Envoy (two workers, shared data CAS):
// 32 concurrent clients and 200 requests against one key with the default
// configuration overshoot by at most one request, by the limiter's own count
// and by the upstream's usage; and a stream that ends in the next fixed
// window is counted in that window.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Envoy } from "../../harness/envoy.ts";
import { settled } from "../../harness/eventually.ts";
import type { LlmUpstream } from "../../upstreams/llm.ts";
import { buildFilter, counter, type Counted, startGateway, startLlmUpstream, waitCounted } from "./stack.ts";

let llm: LlmUpstream;

beforeAll(async () => {
  await buildFilter();
  llm = await startLlmUpstream({ name: "llm" });
}, 120_000);

afterAll(async () => {
  await llm?.close();
});

const WORDS = "budget token window stream client worker reservation settle upstream usage prompt completion limit burst edge".split(" ");

/** A prompt of `n` words, different for every seed. */
function prompt(seed: number, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[(seed * 7 + i * 13 + ((seed * i) % 5)) % WORDS.length]);
  return out.join(" ");
}

describe("32 concurrent clients, 200 requests, default configuration, Envoy --concurrency 2", () => {
  it("admit at most the budget + the largest request's usage (limiter's count and upstream's usage agree)", async () => {
    const budget = 20_000;
    // A day window: the run does not cross its edge (the window test below is about edges).
    const gw = await startGateway({ limits: [{ name: "per-key", by: "header", key: "x-api-key", windows: { day: budget } }] }, { llm, concurrency: 2, name: "token-ratelimit-bound" });
    try {
      const key = `bound-${process.pid}`;
      const total = 200;
      let next = 0;
      const usages: number[] = [];
      let limited = 0;
      const client = async () => {
        while (next < total) {
          const i = next++;
          const ai = new OpenAI({
            baseURL: gw.url("/v1"),
            apiKey: "unused",
            maxRetries: 0,
            // Answers held 20-150 ms, of 16-195 tokens: dozens of requests are in flight when the budget runs out.
            defaultHeaders: { "x-api-key": key, "x-mock-delay-ms": String(20 + ((i * 37) % 130)), "x-mock-completion-tokens": String(16 + ((i * 29) % 180)) },
          });
          try {
            const c = await ai.chat.completions.create({ model: i % 3 === 0 ? "demo-reasoning" : "demo-base", messages: [{ role: "user", content: prompt(i, 40 + ((i * 11) % 120)) }] });
            usages.push(c.usage!.total_tokens);
          } catch (e) {
            if ((e as { status?: number }).status !== 429) throw e;
            limited++;
          }
        }
      };
      await Promise.all(Array.from({ length: 32 }, client));
      expect(usages.length + limited).toBe(total);
      expect(limited).toBeGreaterThan(0);
      const used = usages.reduce((a, b) => a + b, 0);
      const largest = Math.max(...usages);
      if (process.env.BOUND_FIGURES) console.log({ used, largest, limited, admitted: usages.length });
      expect(used).toBeLessThanOrEqual(budget + largest);
      // The budget was used, not starved by reservations.
      expect(used).toBeGreaterThan(budget / 2);
      // The limiter's own count: every admitted request, exactly as the upstream reported it.
      const counted = await settled(async () => (await counter(gw, "prompt_tokens", "per-key")) + (await counter(gw, "completion_tokens", "per-key")), used);
      expect(counted).toBe(used);
      expect(counted).toBeLessThanOrEqual(budget + largest);
      expect(await counter(gw, "limited_requests", "per-key")).toBe(limited);
      gw.assertHealthy();
    } finally {
      await gw.stop();
    }
  }, 120_000);
});

describe("fixed windows: a stream that ends in the next window is counted there", () => {
  it("a stream admitted in one second and settled in the next counts in the new second (Envoy --concurrency 2)", async () => {
    const budget = 1_000_000;
    const gw = await startGateway({ limits: [{ name: "per-second", by: "header", key: "x-api-key", windows: { second: budget } }] }, { llm, concurrency: 2, name: "token-ratelimit-edge" });
    try {
      let checked = false;
      for (let attempt = 0; attempt < 6 && !checked; attempt++) {
        const key = `edge-${process.pid}-${attempt}`;
        // Start early in a second; the stream takes about 1.3 s (26 events, 50 ms apart).
        while (Date.now() % 1000 > 150) await new Promise((r) => setTimeout(r, 5));
        const started = Date.now();
        const ai = new OpenAI({ baseURL: gw.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: { "x-api-key": key, "x-mock-chunk-delay-ms": "50", "x-mock-completion-tokens": "24" } });
        const stream = await ai.chat.completions.create({ model: "demo-base", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Stream across the edge of a second." }] });
        let usage: OpenAI.CompletionUsage | undefined;
        for await (const c of stream) if (c.usage) usage = c.usage;
        const ended = Date.now();
        // The probe right after: its admission must fall in the second the stream ended in.
        const probeId = `${key}-probe`;
        const probe = await fetch(gw.url("/v1/chat/completions"), {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": key, "x-test-id": probeId },
          body: JSON.stringify({ model: "demo-base", max_tokens: 1, messages: [{ role: "user", content: "probe" }] }),
        });
        const answered = Date.now();
        await probe.text();
        if (Math.floor(started / 1000) === Math.floor(ended / 1000) || Math.floor(ended / 1000) !== Math.floor(answered / 1000)) continue;
        const reserved = ((await waitCounted(gw, probeId)) as Counted).reserved;
        const countedBefore = budget - Number(probe.headers.get("x-ratelimit-remaining-tokens")) - reserved;
        expect(countedBefore).toBe(usage!.total_tokens);
        checked = true;
      }
      expect(checked).toBe(true);
      gw.assertHealthy();
    } finally {
      await gw.stop();
    }
  }, 60_000);
});
