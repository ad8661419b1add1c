// The plugin configuration the content-audit e2e suites run with, and the
// Envoy + upstreams they start.
import { build } from "../../../scripts/build.ts";
import { type Envoy, startEnvoy } from "../../harness/envoy.ts";
import { type Collector, startCollector } from "../../upstreams/collector.ts";
import { type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";

export const AUDIT_CONFIG = {
  rules: [
    { id: "secrets", type: "pii", detectors: ["secret"], action: "block" },
    { id: "pii", type: "pii", detectors: ["email", "phone", "credit_card", "cn_resident_id", "iban", "us_ssn"], action: "mask" },
    { id: "banned", type: "keywords", keywords: ["forbidden topic", "违禁词"], action: "block" },
    { id: "codename", type: "keywords", keywords: ["bluebird"], action: "mask", mask: { placeholder: "[CODENAME]" } },
    { id: "ticket", type: "pattern", pattern: "TICKET-\\d{6}", action: "log" },
    // Anchored: only a completion's last character (streamed too: not a delta's).
    { id: "trailing-question", type: "pattern", pattern: "\\?$", action: "mask", scope: "response", mask: { placeholder: "[Q]" } },
  ],
  hold_response_headers: true,
  block: { status: 400, message: "blocked by content policy" },
  audit: { consumer_header: "x-consumer", collector: { cluster: "audit-collector", path: "/audit", batch_size: 10, flush_interval_ms: 100 } },
};

export interface Stack {
  envoy: Envoy;
  llm: LlmUpstream;
  collector: Collector;
  stop(): Promise<void>;
}

export async function startStack(config: unknown = AUDIT_CONFIG, name = "content-audit", vars: Record<string, number> = {}): Promise<Stack> {
  await build({ only: "content-audit", quiet: true });
  const llm = await startLlmUpstream({ name: "llm" });
  const collector = await startCollector();
  const envoy = await startEnvoy({
    config: "envoy/content-audit.yaml",
    vars: { LLM_PORT: llm.port, COLLECTOR_PORT: collector.port, PLUGIN_CONFIG: JSON.stringify(config), ...vars },
    name,
    extraArgs: ["--file-flush-interval-msec", "100"],
  });
  return {
    envoy,
    llm,
    collector,
    stop: async () => {
      await envoy.stop();
      await llm.close();
      await collector.close();
    },
  };
}
export { eventually } from "../../harness/eventually.ts";

/** Request options for the openai client that make the mock LLM answer `text` (streamed in chunks of `chunkBytes`). */
export const mockReply = (text: string, chunkBytes?: number) => ({
  headers: { "x-mock-reply": encodeURIComponent(text), ...(chunkBytes ? { "x-mock-chunk-bytes": String(chunkBytes) } : {}) },
});
