// The response headers that explain a decision, named as OpenAI names them:
// x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens,
// x-ratelimit-reset-tokens ("12s", "6m0s"), and retry-after (whole seconds)
// on a denial.
import { addHeaderBytes, HeaderPair, MapType } from "../common/runtime/host";
import { formatDuration } from "./windows";
import { decimal } from "../common/text/decimal";

/** The window that the response headers describe: the one with least budget left (or the one that denied). */
export class Quota {
  limit: i64 = -1;
  remaining: i64 = -1;
  /** Until the window resets (a fixed window's end, a bucket's time to empty): x-ratelimit-reset-tokens. */
  resetMs: i64 = -1;
  /** Until every window without budget left has room again: a denial's retry-after. */
  retryMs: i64 = -1;

  /** Keeps the tighter of the current quota and (limit, used, resetMs); `retryMs` is when the window has room. */
  consider(limit: i64, used: i64, resetMs: i64, retryMs: i64): void {
    const remaining = used >= limit ? 0 : limit - used;
    if (remaining == 0 && retryMs > this.retryMs) this.retryMs = retryMs;
    if (this.limit < 0 || remaining < this.remaining || (remaining == this.remaining && resetMs > this.resetMs)) {
      this.limit = limit;
      this.remaining = remaining;
      this.resetMs = resetMs;
    }
  }
}

export function quotaHeaders(limit: i64, remaining: i64, resetMs: i64): Array<HeaderPair> {
  const out = new Array<HeaderPair>();
  if (limit < 0) return out;
  out.push(new HeaderPair("x-ratelimit-limit-tokens", decimal(limit)));
  out.push(new HeaderPair("x-ratelimit-remaining-tokens", decimal(remaining < 0 ? 0 : remaining)));
  if (resetMs >= 0) out.push(new HeaderPair("x-ratelimit-reset-tokens", formatDuration(resetMs)));
  return out;
}

const LIMIT_NAME = String.UTF8.encode("x-ratelimit-limit-tokens");
const REMAINING_NAME = String.UTF8.encode("x-ratelimit-remaining-tokens");
const RESET_NAME = String.UTF8.encode("x-ratelimit-reset-tokens");

/** Adds the quota headers to an admitted response (names encoded once). */
export function addQuotaHeaders(limit: i64, remaining: i64, resetMs: i64): void {
  if (limit < 0) return;
  addHeaderBytes(MapType.ResponseHeaders, LIMIT_NAME, String.UTF8.encode(decimal(limit)));
  addHeaderBytes(MapType.ResponseHeaders, REMAINING_NAME, String.UTF8.encode(decimal(remaining < 0 ? 0 : remaining)));
  if (resetMs >= 0) addHeaderBytes(MapType.ResponseHeaders, RESET_NAME, String.UTF8.encode(formatDuration(resetMs)));
}

export function retryAfterSeconds(resetMs: i64): i64 {
  if (resetMs <= 0) return 1;
  return (resetMs + 999) / 1000;
}
