// Shared helpers for the content-audit unit tests: the filter in the host
// emulator, chat requests to it, and an upstream that streams a given text.
import { build } from "../../../scripts/build.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";
import type { ExchangeOptions, ExchangeResult } from "../../host/exchange.ts";
import { Host } from "../../host/index.ts";
import type { PluginOptions, ProxyVm } from "../../host/vm.ts";

export const WASM = wasmPath("content-audit");

export async function buildFilter(): Promise<void> {
  await build({ only: "content-audit", quiet: true });
}

export function auditVm(config: unknown, host = new Host(), plugin: PluginOptions = {}): ProxyVm {
  return host.startVm(WASM, { name: "content-audit", rootId: "content-audit", vmId: "content-audit", configuration: JSON.stringify(config), ...plugin });
}

export function chatBody(content: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: "m", messages: [{ role: "user", content }], ...extra });
}

/** POSTs a JSON body (to /v1/chat/completions unless `path` says otherwise). */
export function post(vm: ProxyVm, body: string | string[], opts: ExchangeOptions & { path?: string; headers?: [string, string][] } = {}): Promise<ExchangeResult> {
  return vm.exchange(
    { method: "POST", path: opts.path ?? "/v1/chat/completions", headers: [["host", "gw"], ["content-type", "application/json"], ...(opts.headers ?? [])], body },
    opts,
  );
}

/** The upstream's request body as it arrived. */
export function upstreamBody(res: ExchangeResult): string {
  return res.upstream?.bodyText ?? "";
}

/** SSE chat completion chunks carrying `text` split into `pieces`, as bytes cut every `chunkBytes`. */
export function chatStream(pieces: string[], chunkBytes = 0): string[] {
  let s = "";
  s += `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant", content: "" } }] })}\n\n`;
  for (const p of pieces) s += `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: p } }] })}\n\n`;
  s += `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`;
  s += "data: [DONE]\n\n";
  if (chunkBytes <= 0) return [s];
  const bytes = Buffer.from(s);
  const out: string[] = [];
  // Cut at byte positions; a multi-byte character may be split, which Buffer chunks allow.
  for (let i = 0; i < bytes.length; i += chunkBytes) out.push(bytes.subarray(i, i + chunkBytes) as unknown as string);
  return out;
}

/** The text a client assembles from an SSE chat completion body, plus any error event. */
export function streamText(body: string): { text: string; error: unknown; done: boolean } {
  let text = "";
  let error: unknown = null;
  let done = false;
  for (const block of body.split("\n\n")) {
    const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
    if (!data) continue;
    if (data === "[DONE]") {
      done = true;
      continue;
    }
    const ev = JSON.parse(data);
    if (ev.error) error = ev.error;
    for (const c of ev.choices ?? []) text += c.delta?.content ?? "";
  }
  return { text, error, done };
}

/** The audit event the filter left as filter state wasm.content_audit. */
export function auditEvent(res: ExchangeResult): Record<string, unknown> & { rules: unknown[] } {
  const raw = res.filterState.get("wasm.content_audit");
  if (!raw) throw new Error("no audit event in filter state");
  return JSON.parse(Buffer.from(raw).toString());
}

/** A response header's value, or undefined. */
export function header(res: { headers: [string, string][] }, name: string): string | undefined {
  return res.headers.find(([k]) => k === name)?.[1];
}
