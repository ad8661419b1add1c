// Shared by the token-ratelimit unit suites: the filter in the host emulator,
// an upstream that answers like an LLM with exact usage (the demo upstream's
// tokenizer), and readers for what the filter reports.
import { build } from "../../../scripts/build.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { Host } from "../../host/index.ts";
import type { ExchangeResult, UpstreamRequest, UpstreamResponse } from "../../host/exchange.ts";
import { countTokens } from "../../upstreams/llm.ts";

export const WASM = wasmPath("token-ratelimit");

export async function buildFilter(): Promise<void> {
  await build({ only: "token-ratelimit", quiet: true });
}

export function startFilter(host: Host, config: unknown) {
  return host.startVm(WASM, { name: "token-ratelimit", rootId: "token-ratelimit", vmId: "token-ratelimit", configuration: JSON.stringify(config) });
}

export function chatBody(text: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: "demo-base", messages: [{ role: "user", content: text }], ...extra });
}

export function chatRequest(text: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return { method: "POST", path: "/v1/chat/completions", headers: { host: "gw", "content-type": "application/json", ...headers }, body: chatBody(text, extra) };
}

/** Prompt tokens as the demo upstream counts them: every text part of the messages. */
export function promptOf(body: string): number {
  const b = JSON.parse(body);
  let n = 0;
  for (const m of b.messages ?? []) n += typeof m.content === "string" ? countTokens(m.content) : 0;
  if (typeof b.input === "string") n += countTokens(b.input);
  if (typeof b.system === "string") n += countTokens(b.system);
  return n;
}

const ANSWER = "Tokens are counted exactly, here and there.";

/** An OpenAI/Anthropic/Responses upstream with exact usage; `completion` fixes the answer's tokens. */
export function llmUpstream(opts: { completion?: number; omitUsage?: boolean; status?: number; chunkSplit?: number } = {}) {
  return (req: UpstreamRequest): UpstreamResponse => {
    if (opts.status && opts.status >= 400) {
      return { status: opts.status, headers: [["content-type", "application/json"]], body: JSON.stringify({ error: { message: "boom", type: "server_error", param: null, code: null } }) };
    }
    const body = JSON.parse(req.bodyText);
    const words = Array.from({ length: opts.completion ?? 5 }, (_, i) => ANSWER.split(" ")[i % 7]);
    const text = words.join(" ");
    const out = countTokens(text);
    const input = promptOf(req.bodyText);
    const path = req.path;
    const usageChat = { prompt_tokens: input, completion_tokens: out, total_tokens: input + out };
    const usageIO = { input_tokens: input, output_tokens: out };
    if (!body.stream) {
      const json = path.endsWith("/messages")
        ? { type: "message", content: [{ type: "text", text }], ...(opts.omitUsage ? {} : { usage: usageIO }) }
        : path.endsWith("/responses")
          ? { object: "response", output: [{ type: "message", content: [{ type: "output_text", text }] }], usage: opts.omitUsage ? null : { ...usageIO, total_tokens: input + out } }
          : { object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: text } }], ...(opts.omitUsage ? {} : { usage: usageChat }) };
      return { status: 200, headers: [["content-type", "application/json"]], body: JSON.stringify(json) };
    }
    const ev = (d: unknown, e?: string) => (e ? `event: ${e}\n` : "") + `data: ${JSON.stringify(d)}\n\n`;
    const events: string[] = [];
    if (path.endsWith("/messages")) {
      events.push(ev({ type: "message_start", message: { usage: opts.omitUsage ? undefined : { input_tokens: input, output_tokens: 0 } } }, "message_start"));
      for (const w of words) events.push(ev({ type: "content_block_delta", delta: { type: "text_delta", text: w + " " } }, "content_block_delta"));
      events.push(ev({ type: "message_delta", ...(opts.omitUsage ? {} : { usage: { output_tokens: out } }) }, "message_delta"));
      events.push(ev({ type: "message_stop" }, "message_stop"));
    } else if (path.endsWith("/responses")) {
      for (const w of words) events.push(ev({ type: "response.output_text.delta", delta: w + " " }, "response.output_text.delta"));
      events.push(ev({ type: "response.completed", response: { usage: opts.omitUsage ? null : { ...usageIO, total_tokens: input + out } } }, "response.completed"));
    } else {
      for (const w of words) events.push(ev({ choices: [{ index: 0, delta: { content: w + " " } }] }));
      if (body.stream_options?.include_usage && !opts.omitUsage) events.push(ev({ choices: [], usage: usageChat }));
      events.push("data: [DONE]\n\n");
    }
    let chunks = events;
    if (opts.chunkSplit) {
      const all = events.join("");
      chunks = [];
      for (let i = 0; i < all.length; i += opts.chunkSplit) chunks.push(all.slice(i, i + opts.chunkSplit));
    }
    return { status: 200, headers: [["content-type", "text/event-stream"]], body: chunks };
  };
}

/** An upstream whose answers wait until release() (requests pile up in flight). */
export function heldUpstream(upstream: (req: UpstreamRequest) => UpstreamResponse): { upstream: (req: UpstreamRequest) => Promise<UpstreamResponse>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  return {
    upstream: async (req: UpstreamRequest) => {
      await gate;
      return upstream(req);
    },
    release,
  };
}

export interface State {
  reserved: number;
  prompt: number;
  completion: number;
  source: string;
}

export function stateOf(res: ExchangeResult): State | string | null {
  const raw = res.filterState.get("wasm.token_ratelimit") ?? res.filterState.get("token_ratelimit");
  if (!raw) return null;
  const text = Buffer.from(raw).toString("utf8");
  return text.startsWith("{") ? (JSON.parse(text) as State) : text;
}

export function header(res: ExchangeResult, name: string): string | undefined {
  return res.headers.find(([k]) => k === name)?.[1];
}

export const total = (s: State) => s.prompt + s.completion;

/** Tokens counted in the key's current window before `res`'s own reservation, read from its headers. */
export function countedBefore(res: ExchangeResult, budget: number): number {
  return budget - Number(header(res, "x-ratelimit-remaining-tokens")) - (stateOf(res) as State).reserved;
}
