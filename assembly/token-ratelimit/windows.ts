// Fixed time windows aligned to the Unix epoch, as envoyproxy/ratelimit counts
// them: a minute window runs from :00 to :59, a day window from 00:00 UTC.
// A window is identified by its number since the epoch, so every worker and
// every Envoy that shares a clock agrees on which window "now" is.

export const WINDOW_NAMES: Array<string> = ["second", "minute", "hour", "day"];
import { decimal } from "../common/text/decimal";

/** Length of a named window in seconds; 0 for an unknown name. */
export function windowSeconds(name: string): i64 {
  if (name == "second") return 1;
  if (name == "minute") return 60;
  if (name == "hour") return 3600;
  if (name == "day") return 86400;
  return 0;
}

/** Number of the window of `seconds` that contains `nowMs`. */
export function windowId(nowMs: i64, seconds: i64): i64 {
  return nowMs / (seconds * 1000);
}

/** Milliseconds until the window containing `nowMs` ends (at least 1). */
export function resetMillis(nowMs: i64, seconds: i64): i64 {
  const span = seconds * 1000;
  return span - (nowMs % span);
}

/** Whole seconds until the window ends, rounded up (for retry-after). */
export function resetSeconds(nowMs: i64, seconds: i64): i64 {
  return (resetMillis(nowMs, seconds) + 999) / 1000;
}

/** A duration the way OpenAI's x-ratelimit-reset-* headers write it: "850ms", "12s", "6m0s", "1h2m3s". */
export function formatDuration(ms: i64): string {
  if (ms < 1000) return decimal(ms) + "ms";
  const total = (ms + 999) / 1000;
  const h = total / 3600;
  const m = (total % 3600) / 60;
  const s = total % 60;
  if (h > 0) return decimal(h) + "h" + decimal(m) + "m" + decimal(s) + "s";
  if (m > 0) return decimal(m) + "m" + decimal(s) + "s";
  return decimal(s) + "s";
}
