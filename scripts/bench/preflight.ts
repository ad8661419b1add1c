// Before anything is measured: one request of each kind through each Envoy
// must succeed with a real chat completion (JSON or SSE ending in [DONE]),
// and a scenario's own check request must show its filter at work, so a
// bench never times a chain that answers errors or skips its filter.
import type { Envoy } from "../../test/harness/envoy.ts";
import type { PayloadMode } from "./payloads.ts";
import { CHAT_PATH } from "./runner.ts";
import type { ChainCheck } from "./scenarios.ts";

/** Why a response is not a good chat completion of this mode; null when it is. */
export function completionProblem(mode: PayloadMode, status: number, contentType: string, body: string): string | null {
  if (status !== 200) return `status ${status}: ${body.slice(0, 300)}`;
  if (mode === "sse") {
    if (!contentType.includes("text/event-stream")) return `content-type ${contentType || "(none)"}, expected text/event-stream`;
    if (!body.includes("data: [DONE]")) return "the event stream has no data: [DONE]";
    return null;
  }
  try {
    const doc = JSON.parse(body) as { choices?: unknown[] };
    if (!Array.isArray(doc.choices) || doc.choices.length === 0) return "the JSON body has no choices";
  } catch {
    return `the body is not JSON: ${body.slice(0, 200)}`;
  }
  return null;
}

async function post(envoy: Envoy, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(envoy.url(CHAT_PATH), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
}

/** One measured-kind request: must be a good completion of `mode`. */
export async function checkCompletion(name: string, envoy: Envoy, mode: PayloadMode, body: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await post(envoy, body, headers);
  const text = await res.text();
  const problem = completionProblem(mode, res.status, res.headers.get("content-type") ?? "", text);
  if (problem) throw new Error(`${name}: a ${mode} request failed the preflight check: ${problem}`);
}

/** The scenario's own check request: the filter must answer it. */
export async function checkChain(name: string, envoy: Envoy, body: string, check: ChainCheck, headers: Record<string, string> = {}): Promise<void> {
  const res = await post(envoy, body, { ...headers, ...check.requestHeaders });
  await res.arrayBuffer();
  const got = res.headers.get(check.header);
  if (got !== check.value) {
    throw new Error(`${name}: response header ${check.header} is ${got ?? "missing"}, expected ${check.value}: is the filter in the chain?`);
  }
}
