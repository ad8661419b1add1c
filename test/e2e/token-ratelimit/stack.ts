// Starts what the token-ratelimit e2e suites need: the filter built, the
// demo LLM upstream, and Envoy with envoy/token-ratelimit.yaml; and reads
// back what the filter counted (access log filter state, /stats).
import OpenAI from "openai";
import { build } from "../../../scripts/build.ts";
import { type Envoy, startEnvoy } from "../../harness/envoy.ts";
import { freePort } from "../../harness/ports.ts";
import { type LlmUpstream, startLlmUpstream } from "../../upstreams/llm.ts";

export interface Counted {
  reserved: number;
  prompt: number;
  completion: number;
  source: string;
}

export async function buildFilter(): Promise<void> {
  await build({ only: "token-ratelimit", quiet: true });
}

export async function startGateway(config: unknown, opts: { llm: LlmUpstream; concurrency?: number; ratelimitPort?: number; failurePolicy?: string; name?: string }): Promise<Envoy> {
  return startEnvoy({
    config: "envoy/token-ratelimit.yaml",
    name: opts.name ?? "token-ratelimit",
    concurrency: opts.concurrency ?? 1,
    // The access log is how tests read what was counted: flush it often.
    extraArgs: ["--file-flush-interval-msec", "100"],
    vars: {
      LLM_PORT: new URL(opts.llm.url).port,
      RATELIMIT_PORT: opts.ratelimitPort ?? (await freePort()),
      PLUGIN_CONFIG: JSON.stringify(config),
      FAILURE_POLICY: opts.failurePolicy ?? "FAIL_CLOSED",
    },
  });
}

export { startLlmUpstream };

/** The access-log entries of requests tagged x-test-id: id -> what the filter counted (or its outcome text). */
export function countedByTestId(envoy: Envoy): Map<string, Counted | string | null> {
  const out = new Map<string, Counted | string | null>();
  for (const line of envoy.logs().split("\n")) {
    if (!line.startsWith("{") || !line.includes('"test_id"')) continue;
    const entry = JSON.parse(line) as { test_id: string | null; token_ratelimit: string | null };
    if (!entry.test_id) continue;
    const s = entry.token_ratelimit;
    out.set(entry.test_id, s === null ? null : s.startsWith("{") ? (JSON.parse(s) as Counted) : s);
  }
  return out;
}

/** Waits until the access log has an entry for `id` (Envoy writes it when the stream ends). */
export async function waitCounted(envoy: Envoy, id: string, timeoutMs = 5000): Promise<Counted | string | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = countedByTestId(envoy);
    if (m.has(id)) return m.get(id)!;
    if (Date.now() > deadline) throw new Error(`no access log entry for ${id}:\n${envoy.tail(20)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function counter(envoy: Envoy, what: string, limit: string): Promise<number> {
  return (await envoy.stat(`wasmcustom.token_ratelimit_${what}.limit.${limit}`)) ?? 0;
}

/** The official openai client through the gateway, with the key header and the access log's x-test-id. */
export function openAiClient(envoy: Envoy, key: string, id: string, extra: Record<string, string> = {}): OpenAI {
  return new OpenAI({ baseURL: envoy.url("/v1"), apiKey: "unused", maxRetries: 0, defaultHeaders: { "x-api-key": key, "x-test-id": id, ...extra } });
}
