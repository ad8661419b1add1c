// What the filter needs from an LLM request body: the API, model, stream
// flag, the prompt's estimated tokens, the client's completion cap, and
// (optionally) the body rewritten to ask OpenAI for a usage chunk.
//
// The estimate reads the strings of the prompt where they lie in the body
// (no decoding, no copies): OpenAI `messages`, Anthropic `system` +
// `messages`, Responses `instructions` + `input`, and the definitions the
// provider adds to the prompt (`tools`, `functions`, `response_format`, `text`). Every string
// in a message counts (content, text parts, tool-call arguments, tool
// results) except roles, types, ids and binary payloads (images, audio,
// files), which a text estimate cannot price.
import { JsonDocument, JsonKind, JsonValue, LlmApi, ParseOptions, setField, setTopLevelField } from "../common/json";
import { parseShared } from "../common/json/shared-parse";
import { estimateJsonString, estimateTokensUtf8, Tokenizer, tokenizerForModel } from "../common/token-estimate";

/** Tokens chat APIs add per message (role and separators) and to prime the reply. */
const PER_MESSAGE: i64 = 3;
const REPLY_PRIMING: i64 = 3;
/** Each text of the prompt adds one for its edges: its first word has no space before it, merges across its ends differ. */
const PER_TEXT: i64 = 1;
/** OpenAI accepts n up to 128. */
const MAX_CHOICES: i64 = 128;
const LARGEST_CAP: i64 = 1 << 50;
const DEFAULT_PARSE = new ParseOptions();
/** Chat `tools`/`functions`/`response_format`, Responses and Anthropic `tools`, Responses `text` (its `format` schema). */
const DEFINITIONS = ["tools", "functions", "response_format", "text"];
const SKIPPED_MEMBERS = ["role", "type", "id", "tool_call_id", "call_id", "tool_use_id", "image_url", "image", "source", "file", "input_audio", "data", "cache_control"];

export class RequestView {
  api: LlmApi = LlmApi.Unknown;
  model: string | null = null;
  stream: bool = false;
  /** The body was not JSON: the estimate is over its raw text. */
  notJson: bool = false;
  promptEstimate: i64 = 0;
  /** The tokenizer the estimates are for: the model's, else the larger of o200k and cl100k. */
  tokenizer: Tokenizer = Tokenizer.Either;
  /** max_tokens / max_completion_tokens / max_output_tokens; -1 when absent. */
  maxTokens: i64 = -1;
  /** Completions asked for (OpenAI chat `n`): the cap and the reserve are per completion. */
  choices: i64 = 1;
  /** The rewritten body when stream_options.include_usage was added, else null. */
  rewritten: ArrayBuffer | null = null;
}

/** `holder`: the stream context, whose parse is shared with the other filters of the VM (common/json/shared-parse). */
export function readRequest(holder: u32, body: ArrayBuffer, pathApi: LlmApi, addIncludeUsage: bool): RequestView {
  const view = new RequestView();
  view.api = pathApi;
  const doc = parseShared(holder, body, DEFAULT_PARSE).doc;
  if (doc === null || doc.root.kind != JsonKind.Object) {
    view.notJson = true;
    view.promptEstimate = estimateTokensUtf8(body, Tokenizer.Either) + PER_TEXT;
    return view;
  }
  const root = doc.root;
  if (view.api == LlmApi.Unknown) view.api = detectApi(root);
  view.model = root.getText("model");
  // Anthropic has no tokenizer that runs offline: whatever the model, the larger of the two.
  const tokenizer = view.api == LlmApi.AnthropicMessages ? Tokenizer.Either : tokenizerForModel(view.model);
  view.tokenizer = tokenizer;
  const stream = root.get("stream");
  view.stream = stream !== null && stream.isTrue;
  let estimate = REPLY_PRIMING + itemTokens(doc, root.get("messages"), tokenizer);
  estimate += promptPart(doc, root.get("system"), tokenizer) + promptPart(doc, root.get("instructions"), tokenizer) + promptPart(doc, root.get("input"), tokenizer);
  // Definitions the provider writes into the prompt: tools, legacy functions, and the output schema.
  for (let i = 0; i < DEFINITIONS.length; i++) {
    const part = root.get(DEFINITIONS[i]);
    if (part !== null && part.kind != JsonKind.Null) estimate += estimateJsonString(doc.src, part.start, part.end, tokenizer) + PER_TEXT;
  }
  view.promptEstimate = estimate;
  view.maxTokens = maxTokensOf(root);
  // Anthropic Messages and Responses have no `n`: one completion whatever the body says.
  if (view.api != LlmApi.AnthropicMessages && view.api != LlmApi.OpenAIResponses) view.choices = choicesOf(root);
  if (addIncludeUsage && view.api == LlmApi.OpenAIChat && view.stream && !includesUsage(root)) view.rewritten = withIncludeUsage(doc);
  return view;
}

function detectApi(root: JsonValue): LlmApi {
  if (root.get("messages") !== null) return root.get("system") !== null ? LlmApi.AnthropicMessages : LlmApi.OpenAIChat;
  if (root.get("input") !== null) return LlmApi.OpenAIResponses;
  return LlmApi.Unknown;
}

/** A system prompt, instructions or Responses input: a string, or items counted like messages. */
function promptPart(doc: JsonDocument, v: JsonValue | null, tokenizer: Tokenizer): i64 {
  if (v === null || v.kind == JsonKind.Null) return 0;
  if (v.kind != JsonKind.Array) return textTokens(doc, v, tokenizer) + PER_MESSAGE;
  return itemTokens(doc, v, tokenizer);
}

/** The items of an array counted like messages; 0 when `v` is not an array. */
function itemTokens(doc: JsonDocument, v: JsonValue | null, tokenizer: Tokenizer): i64 {
  if (v === null || v.kind != JsonKind.Array) return 0;
  // One cursor walks the items (no handle per item).
  const item = v.clone();
  if (!item.moveToFirst()) return 0;
  let n: i64 = 0;
  do n += textTokens(doc, item, tokenizer) + PER_MESSAGE;
  while (item.moveToNext());
  return n;
}

/** Every string inside `v`, skipping SKIPPED_MEMBERS. */
function textTokens(doc: JsonDocument, v: JsonValue, tokenizer: Tokenizer): i64 {
  if (v.kind == JsonKind.String) return v.end - v.start > 2 ? estimateJsonString(doc.src, v.start + 1, v.end - 1, tokenizer) + PER_TEXT : 0;
  if (v.kind != JsonKind.Object && v.kind != JsonKind.Array) return 0;
  // One cursor per level walks the children (no handle per child).
  const child = v.clone();
  if (!child.moveToFirst()) return 0;
  let n: i64 = 0;
  do {
    if (v.kind == JsonKind.Array || !isSkipped(child)) n += textTokens(doc, child, tokenizer);
  } while (child.moveToNext());
  return n;
}

function isSkipped(member: JsonValue): bool {
  for (let i = 0; i < SKIPPED_MEMBERS.length; i++) if (member.keyEquals(SKIPPED_MEMBERS[i])) return true;
  return false;
}

function includesUsage(root: JsonValue): bool {
  const opts = root.get("stream_options");
  if (opts === null || opts.kind != JsonKind.Object) return false;
  const v = opts.get("include_usage");
  return v !== null && v.isTrue;
}

/** The largest cap the request gives (a provider reads one of them, which one differs). */
function maxTokensOf(root: JsonValue): i64 {
  const names = ["max_completion_tokens", "max_tokens", "max_output_tokens"];
  let cap: i64 = -1;
  for (let i = 0; i < names.length; i++) cap = max<i64>(cap, wholeNumber(root.get(names[i])));
  return cap;
}

/**
 * A whole number >= 0 as a provider that accepts it reads it (4096, 4096.0
 * and 4.096e3 alike; past 2^50 as 2^50); -1 for anything else.
 */
function wholeNumber(v: JsonValue | null): i64 {
  if (v === null || v.kind != JsonKind.Number) return -1;
  const n = v.toI64(-1);
  if (n >= 0) return n;
  const f = v.toF64();
  if (!(f >= 0) || f != Math.floor(f)) return -1;
  return f >= <f64>LARGEST_CAP ? LARGEST_CAP : <i64>f;
}

/** OpenAI's `n` (1 to 128); 1 when absent or not a count the provider would take. */
function choicesOf(root: JsonValue): i64 {
  const n = wholeNumber(root.get("n"));
  return n > 1 ? min<i64>(n, MAX_CHOICES) : 1;
}

function withIncludeUsage(doc: JsonDocument): ArrayBuffer | null {
  const opts = doc.root.get("stream_options");
  if (opts !== null && opts.kind == JsonKind.Object) return setField(doc, opts, "include_usage", String.UTF8.encode("true"));
  return setTopLevelField(doc, "stream_options", String.UTF8.encode('{"include_usage":true}'));
}
