// Token usage from LLM responses and stream events, whichever API sent them:
//   OpenAI Chat     {"usage":{"prompt_tokens","completion_tokens","total_tokens"}}
//   Anthropic       {"usage":{"input_tokens","output_tokens"}}, and in streams
//                   message_start {"message":{"usage":{...}}}, message_delta {"usage":{...}}
//   OpenAI Responses {"usage":{"input_tokens","output_tokens","total_tokens"}}, and in
//                   streams {"type":"response.completed","response":{"usage":{...}}}
import { JsonKind, JsonValue } from "./value";

/** Counts are -1 when the message did not carry them. */
export class Usage {
  inputTokens: i64 = -1;
  outputTokens: i64 = -1;
  totalTokens: i64 = -1;
  /** Anthropic prompt-cache reads and writes (cache_read_input_tokens, cache_creation_input_tokens). */
  cacheReadTokens: i64 = -1;
  cacheWriteTokens: i64 = -1;

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
  out.inputTokens = count(u, "prompt_tokens", count(u, "input_tokens", -1));
  out.outputTokens = count(u, "completion_tokens", count(u, "output_tokens", -1));
  out.totalTokens = count(u, "total_tokens", -1);
  out.cacheReadTokens = count(u, "cache_read_input_tokens", -1);
  out.cacheWriteTokens = count(u, "cache_creation_input_tokens", -1);
  if (out.inputTokens < 0 && out.outputTokens < 0 && out.totalTokens < 0) return null;
  return out;
}

function usageObject(v: JsonValue | null): JsonValue | null {
  return v !== null && v.kind == JsonKind.Object ? v : null;
}

/** A non-negative integer member (integral floats like 12.0 count), else `fallback`. */
function count(obj: JsonValue, key: string, fallback: i64): i64 {
  const v = obj.get(key);
  if (v === null || v.kind != JsonKind.Number) return fallback;
  let r = v.toI64(-1);
  if (r < 0 && !v.isInteger) {
    const f = v.toF64();
    if (f >= 0 && f < 9007199254740992 && f == Math.floor(f)) r = <i64>f;
  }
  return r >= 0 ? r : fallback;
}
