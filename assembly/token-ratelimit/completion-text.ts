// The generated text of an LLM response, for estimating completion tokens
// when the response carries no usage: whole bodies (OpenAI Chat, Responses,
// Anthropic Messages) and stream events (chat chunks, Responses *.delta
// events, Anthropic content_block_delta).
import { bytesEqualAscii } from "../common/bytes";
import { JsonKind, JsonValue } from "../common/json";
import { estimateJsonString, estimateTokens, Tokenizer } from "../common/token-estimate";

/** Members whose string values are generated text, in any of the three APIs' events. */
const TEXT_KEYS = ["content", "text", "delta", "partial_json", "arguments", "thinking", "refusal", "reasoning_content"];

/**
 * Estimated tokens of the text a stream event adds, without parsing it: the
 * string values of TEXT_KEYS members wherever they are. Strings are skipped
 * whole (escapes included), so a key-like text inside a value never counts.
 * Never traps on malformed data.
 */
export function scanTextTokens(data: ArrayBuffer, tokenizer: Tokenizer): i64 {
  const base = changetype<usize>(data);
  const n = data.byteLength;
  let tokens: i64 = 0;
  let textKey = false;
  let i = 0;
  while (i < n) {
    const c = load<u8>(base + <usize>i);
    if (c != 0x22) {
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) textKey = false;
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n) {
      const d = load<u8>(base + <usize>j);
      if (d == 0x5c) j += 2;
      else if (d == 0x22) break;
      else j++;
    }
    if (j > n) j = n;
    let k = j + 1;
    while (k < n && isSpace(load<u8>(base + <usize>k))) k++;
    if (k < n && load<u8>(base + <usize>k) == 0x3a) {
      textKey = isTextKey(base + <usize>(i + 1), j - i - 1);
      i = k + 1;
      continue;
    }
    if (textKey) tokens += estimateJsonString(data, i + 1, j, tokenizer);
    textKey = false;
    i = j + 1;
  }
  return tokens;
}

function isSpace(c: u8): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

function isTextKey(ptr: usize, len: i32): bool {
  for (let i = 0; i < TEXT_KEYS.length; i++) if (bytesEqualAscii(ptr, len, TEXT_KEYS[i])) return true;
  return false;
}

/** Estimated tokens of the text a stream event adds (parsed). */
export function eventTextTokens(root: JsonValue, tokenizer: Tokenizer): i64 {
  let n: i64 = 0;
  const delta = root.get("delta");
  if (delta !== null) {
    const s = delta.text(); // Responses: {"type":"response.output_text.delta","delta":"..."}
    if (s !== null) n += estimateTokens(s, tokenizer);
    else n += textMembers(delta, tokenizer); // Anthropic: {"delta":{"type":"text_delta","text":"..."}}
  }
  const choices = JsonValue.items(root.get("choices"));
  for (let i = 0; i < choices.length; i++) {
    const d = choices[i].get("delta");
    if (d !== null) n += messageTokens(d, tokenizer);
  }
  return n;
}

/** Estimated tokens of the generated text of a whole (non-streamed) response body. */
export function bodyTextTokens(root: JsonValue, tokenizer: Tokenizer): i64 {
  let n: i64 = 0;
  const choices = JsonValue.items(root.get("choices"));
  for (let i = 0; i < choices.length; i++) {
    const m = choices[i].get("message");
    if (m !== null) n += messageTokens(m, tokenizer);
  }
  const content = JsonValue.items(root.get("content")); // Anthropic
  for (let i = 0; i < content.length; i++) n += blockTokens(content[i], tokenizer);
  const output = JsonValue.items(root.get("output")); // Responses
  for (let i = 0; i < output.length; i++) {
    const item = output[i];
    const parts = JsonValue.items(item.get("content"));
    for (let j = 0; j < parts.length; j++) n += blockTokens(parts[j], tokenizer);
    n += stringTokens(item.get("arguments"), tokenizer);
  }
  return n;
}

/** An OpenAI chat message or delta: content, refusal, reasoning and tool-call arguments. */
function messageTokens(m: JsonValue, tokenizer: Tokenizer): i64 {
  let n = stringTokens(m.get("content"), tokenizer) + stringTokens(m.get("refusal"), tokenizer) + stringTokens(m.get("reasoning_content"), tokenizer);
  const calls = JsonValue.items(m.get("tool_calls"));
  for (let i = 0; i < calls.length; i++) {
    const fn = calls[i].get("function");
    if (fn !== null) n += stringTokens(fn.get("name"), tokenizer) + stringTokens(fn.get("arguments"), tokenizer);
  }
  return n;
}

/** A content block: text, thinking, or tool input (raw JSON). */
function blockTokens(b: JsonValue, tokenizer: Tokenizer): i64 {
  let n = textMembers(b, tokenizer);
  const input = b.get("input");
  if (input !== null && input.kind == JsonKind.Object) n += estimateTokens(input.raw(), tokenizer);
  return n;
}

function textMembers(v: JsonValue, tokenizer: Tokenizer): i64 {
  return stringTokens(v.get("text"), tokenizer) + stringTokens(v.get("thinking"), tokenizer) + stringTokens(v.get("partial_json"), tokenizer);
}

function stringTokens(v: JsonValue | null, tokenizer: Tokenizer): i64 {
  if (v === null) return 0;
  const s = v.text();
  return s === null ? 0 : estimateTokens(s, tokenizer);
}
