// Test knobs: request headers that change how the mock answers. They are
// documented in test/upstreams/README.md; a malformed value is a 400 that
// names the header, so a typo in a test shows up at once.
import type { IncomingHttpHeaders } from "node:http";

export interface Knobs {
  /** x-mock-delay-ms: wait before the response starts. */
  delayMs: number;
  /** x-mock-chunk-delay-ms: wait between SSE events. */
  chunkDelayMs: number;
  /** x-mock-status: answer with this error status and a provider-format error body. */
  status?: number;
  /** x-mock-omit-usage: leave usage out of the response. */
  omitUsage: boolean;
  /** x-mock-cut-after-chunks: destroy the socket after N SSE events (N body bytes when not streaming). */
  cutAfter?: number;
  /** x-mock-chunk-bytes: write the body in pieces of at most N bytes, one write each. */
  chunkBytes?: number;
  /** x-mock-completion-tokens: the answer's length in tokens (before the request's max-tokens cap). */
  completionTokens?: number;
  /** x-mock-reply: the answer text itself (percent-encoded UTF-8). */
  reply?: string;
  /** x-mock-usage-prompt / x-mock-usage-completion: JSON text written as that usage figure, as is (`9223372036854775807`, `-5`, `"12"`). */
  usagePrompt?: string;
  usageCompletion?: string;
  /** x-mock-error-after-chunks: streams: after N SSE events, the provider's error event, then a clean end. */
  errorAfter?: number;
  /** x-mock-gzip: gzip the body when the request's accept-encoding allows it (as providers behind a CDN do). */
  gzip: boolean;
}

export type KnobsResult = { knobs: Knobs } | { error: string };

const MAX_DELAY_MS = 600_000;

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function int(h: IncomingHttpHeaders, name: string, min: number, max: number): number | undefined | string {
  const v = header(h, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) return `${name} must be an integer, got "${v}"`;
  const n = Number(v.trim());
  if (n < min || n > max) return `${name} must be between ${min} and ${max}, got ${n}`;
  return n;
}

function flag(h: IncomingHttpHeaders, name: string): boolean | string {
  const v = header(h, name);
  if (v === undefined) return false;
  const s = v.trim().toLowerCase();
  if (s === "1" || s === "true" || s === "yes") return true;
  if (s === "0" || s === "false" || s === "no") return false;
  return `${name} must be true or false, got "${v}"`;
}

export function parseKnobs(h: IncomingHttpHeaders): KnobsResult {
  const delayMs = int(h, "x-mock-delay-ms", 0, MAX_DELAY_MS);
  const chunkDelayMs = int(h, "x-mock-chunk-delay-ms", 0, MAX_DELAY_MS);
  const status = int(h, "x-mock-status", 400, 599);
  const omitUsage = flag(h, "x-mock-omit-usage");
  const cutAfter = int(h, "x-mock-cut-after-chunks", 0, Number.MAX_SAFE_INTEGER);
  const chunkBytes = int(h, "x-mock-chunk-bytes", 1, Number.MAX_SAFE_INTEGER);
  const completionTokens = int(h, "x-mock-completion-tokens", 0, 1_000_000);
  const errorAfter = int(h, "x-mock-error-after-chunks", 0, Number.MAX_SAFE_INTEGER);
  const gzip = flag(h, "x-mock-gzip");
  for (const v of [delayMs, chunkDelayMs, status, omitUsage, cutAfter, chunkBytes, completionTokens, errorAfter, gzip]) {
    if (typeof v === "string") return { error: v };
  }
  let reply: string | undefined;
  const rawReply = header(h, "x-mock-reply");
  if (rawReply !== undefined) {
    try {
      reply = decodeURIComponent(rawReply);
    } catch {
      return { error: `x-mock-reply must be percent-encoded UTF-8` };
    }
  }
  const usagePrompt = header(h, "x-mock-usage-prompt")?.trim();
  const usageCompletion = header(h, "x-mock-usage-completion")?.trim();
  for (const [name, v] of [["x-mock-usage-prompt", usagePrompt], ["x-mock-usage-completion", usageCompletion]] as const) {
    if (v !== undefined && v === "") return { error: `${name} must be the JSON text of a value` };
  }
  return {
    knobs: {
      delayMs: (delayMs as number | undefined) ?? 0,
      chunkDelayMs: (chunkDelayMs as number | undefined) ?? 0,
      status: status as number | undefined,
      omitUsage: omitUsage as boolean,
      cutAfter: cutAfter as number | undefined,
      chunkBytes: chunkBytes as number | undefined,
      completionTokens: completionTokens as number | undefined,
      reply,
      usagePrompt,
      usageCompletion,
      errorAfter: errorAfter as number | undefined,
      gzip: gzip === true && /\bgzip\b/.test(header(h, "accept-encoding") ?? ""),
    },
  };
}
