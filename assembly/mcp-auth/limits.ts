// Per-tool call limits per caller: fixed windows counted in shared data, so
// all workers of one Envoy share the count. One key per (rule, caller, tool)
// holding "<window index>:<count>", overwritten when the window moves on.
import { McpAuthConfig } from "./config";
import { anyGlob } from "./glob";
import { readShared, writeShared } from "./shared";
import { decimal } from "../common/text/decimal";

export class LimitResult {
  constructor(public allowed: bool, public limit: i64, public windowSeconds: i64, public retryAfterSeconds: i64) {}
}

const ALLOWED = new LimitResult(true, 0, 0, 0);
const CAS_ATTEMPTS = 8;

/** Counts one call of `tool` by `subject`; the first rule that applies and is exhausted denies it. */
export function countToolCall(cfg: McpAuthConfig, subject: string, tool: string, nowMs: u64): LimitResult {
  for (let i = 0; i < cfg.rateLimits.length; i++) {
    const rule = cfg.rateLimits[i];
    if (!anyGlob(rule.tools, tool)) continue;
    if (rule.subjects.length > 0 && !anyGlob(rule.subjects, subject)) continue;
    const windowMs = <u64>rule.windowSeconds * 1000;
    const window = nowMs / windowMs;
    const key = "mcp-auth/limit/" + decimal(i) + "/" + bounded(subject) + "/" + bounded(tool);
    if (!take(key, window, rule.calls)) {
      const retry = <i64>(((window + 1) * windowMs - nowMs + 999) / 1000);
      return new LimitResult(false, rule.calls, rule.windowSeconds, retry);
    }
  }
  return ALLOWED;
}

/** Names in keys are cut (with their length kept) so a stranger's huge name cannot make a huge key. */
function bounded(name: string): string {
  return name.length <= 128 ? name : name.substring(0, 128) + "#" + decimal(name.length);
}

function take(key: string, window: u64, limit: i64): bool {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const cur = readShared(key);
    let count: i64 = 0;
    const text = cur.text;
    if (text !== null) {
      const colon = text.indexOf(":");
      if (colon > 0 && U64.parseInt(text.substring(0, colon)) == window) count = I64.parseInt(text.substring(colon + 1));
    }
    if (count >= limit) return false;
    if (writeShared(key, decimal(window) + ":" + decimal(count + 1), cur.cas)) return true;
  }
  // Heavy contention on one key: count the call as allowed rather than fail a request we cannot account.
  return true;
}
