// Token usage from LLM responses and stream events, whichever API sent them:
//   OpenAI Chat     {"usage":{"prompt_tokens","completion_tokens","total_tokens"}}
//   Anthropic       {"usage":{"input_tokens","output_tokens"}}, and in streams
//                   message_start {"message":{"usage":{...}}}, message_delta {"usage":{...}}
//   OpenAI Responses {"usage":{"input_tokens","output_tokens","total_tokens"}}, and in
//                   streams {"type":"response.completed","response":{"usage":{...}}}
//
// Usage comes from the upstream and is not trusted: a figure counts only when
// it is a whole number from 0 to MAX_REPORTED_TOKENS (12 and 12.0 and 1.2e1
// are the same count). A figure that is there but is anything else (negative,
// fractional, a string, a boolean, an object, 1e30, past i64) makes the whole
// usage object `rejected`; null is the same as absent.
import { JsonKind, JsonValue } from "./value";

/** The largest count one response may report: no model reads or writes 100 million tokens in one answer. */
export const MAX_REPORTED_TOKENS: i64 = 100_000_000;

/** Counts are -1 when the message did not carry them. */
export class Usage {
  inputTokens: i64 = -1;
  outputTokens: i64 = -1;
  totalTokens: i64 = -1;
  /** Anthropic prompt-cache reads and writes (cache_read_input_tokens, cache_creation_input_tokens). */
  cacheReadTokens: i64 = -1;
  cacheWriteTokens: i64 = -1;
  /** A figure was there but was not a count in range: the object should not be believed. */
  rejected: bool = false;

  /** total_tokens when sent, else input + output of what was sent (0 when neither). */
  total(): i64 {
    if (this.totalTokens >= 0) return this.totalTokens;
    return max<i64>(this.inputTokens, 0) + max<i64>(this.outputTokens, 0);
  }
}

/** The usage a response body or stream event carries, or null when it has none. */
export function readUsage(root: JsonValue): Usage | null {
  let u = usageObject(root.get("usage"));
  if (u === null) {
    const message = root.get("message");
    if (message !== null) u = usageObject(message.get("usage"));
  }
  if (u === null) {
    const response = root.get("response");
    if (response !== null) u = usageObject(response.get("usage"));
  }
  if (u === null) return null;
  const out = new Usage();
  out.inputTokens = count(out, u, "prompt_tokens");
  if (out.inputTokens < 0) out.inputTokens = count(out, u, "input_tokens");
  out.outputTokens = count(out, u, "completion_tokens");
  if (out.outputTokens < 0) out.outputTokens = count(out, u, "output_tokens");
  out.totalTokens = count(out, u, "total_tokens");
  out.cacheReadTokens = count(out, u, "cache_read_input_tokens");
  out.cacheWriteTokens = count(out, u, "cache_creation_input_tokens");
  if (!out.rejected && out.inputTokens < 0 && out.outputTokens < 0 && out.totalTokens < 0) return null;
  return out;
}

function usageObject(v: JsonValue | null): JsonValue | null {
  return v !== null && v.kind == JsonKind.Object ? v : null;
}

/** The count under `key`: -1 when absent or null; -1 and `u.rejected` when it is not a count in range. */
function count(u: Usage, obj: JsonValue, key: string): i64 {
  const v = obj.get(key);
  if (v === null || v.kind == JsonKind.Null) return -1;
  const n = countOf(v);
  if (n < 0) u.rejected = true;
  return n;
}

/** A whole number from 0 to MAX_REPORTED_TOKENS, else -1. */
function countOf(v: JsonValue): i64 {
  if (v.kind != JsonKind.Number) return -1;
  if (v.isInteger) {
    const n = v.toI64(-1);
    return n >= 0 && n <= MAX_REPORTED_TOKENS ? n : -1;
  }
  const f = v.toF64();
  // NaN and the infinities fail every comparison here.
  if (!(f >= 0 && f <= <f64>MAX_REPORTED_TOKENS) || f != Math.floor(f)) return -1;
  return <i64>f;
}
