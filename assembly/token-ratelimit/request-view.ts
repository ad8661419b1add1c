// What the filter needs from an LLM request body: the API, model, stream
// flag, the prompt's estimated tokens, the client's completion cap, and
// (optionally) the body rewritten to ask OpenAI for a usage chunk.
import { JsonDocument, JsonKind, LlmApi, parseJson, readLlmRequest, setField, setTopLevelField } from "../common/json";
import { estimateTokens, estimateTokensUtf8 } from "../common/token-estimate";

/** Tokens chat APIs add per message (role and separators) and to prime the reply. */
const PER_MESSAGE: i64 = 3;
const REPLY_PRIMING: i64 = 3;

export class RequestView {
  api: LlmApi = LlmApi.Unknown;
  model: string | null = null;
  stream: bool = false;
  /** The body was not JSON: the estimate is over its raw text. */
  notJson: bool = false;
  promptEstimate: i64 = 0;
  /** max_tokens / max_completion_tokens / max_output_tokens; -1 when absent. */
  maxTokens: i64 = -1;
  /** The rewritten body when stream_options.include_usage was added, else null. */
  rewritten: ArrayBuffer | null = null;
}

/** The API a path names, or Unknown (then the body decides). */
export function apiOfPath(path: string): LlmApi {
  const q = path.indexOf("?");
  const p = q < 0 ? path : path.substring(0, q);
  if (p.endsWith("/chat/completions")) return LlmApi.OpenAIChat;
  if (p.endsWith("/messages")) return LlmApi.AnthropicMessages;
  if (p.endsWith("/responses")) return LlmApi.OpenAIResponses;
  return LlmApi.Unknown;
}

export function readRequest(body: ArrayBuffer, pathApi: LlmApi, addIncludeUsage: bool): RequestView {
  const view = new RequestView();
  view.api = pathApi;
  const parsed = parseJson(body);
  const doc = parsed.doc;
  if (doc === null || doc.root.kind != JsonKind.Object) {
    view.notJson = true;
    view.promptEstimate = estimateTokensUtf8(body);
    return view;
  }
  const req = readLlmRequest(doc, pathApi);
  if (req === null) return view;
  view.api = req.api;
  view.model = req.model;
  view.stream = req.stream;
  let estimate: i64 = REPLY_PRIMING;
  const system = req.system;
  if (system !== null) estimate += estimateTokens(system) + PER_MESSAGE;
  for (let i = 0; i < req.messages.length; i++) estimate += estimateTokens(req.messages[i].allText()) + PER_MESSAGE;
  const tools = doc.root.get("tools");
  if (tools !== null) estimate += estimateTokens(doc.raw(tools));
  view.promptEstimate = estimate;
  view.maxTokens = maxTokensOf(doc);
  if (addIncludeUsage && req.api == LlmApi.OpenAIChat && req.stream && !req.includeUsage) {
    view.rewritten = withIncludeUsage(doc);
  }
  return view;
}

function maxTokensOf(doc: JsonDocument): i64 {
  const names = ["max_completion_tokens", "max_tokens", "max_output_tokens"];
  for (let i = 0; i < names.length; i++) {
    const v = doc.root.get(names[i]);
    if (v !== null && v.kind == JsonKind.Number) {
      const n = v.toI64(-1);
      if (n >= 0) return n;
    }
  }
  return -1;
}

function withIncludeUsage(doc: JsonDocument): ArrayBuffer | null {
  const opts = doc.root.get("stream_options");
  if (opts !== null && opts.kind == JsonKind.Object) return setField(doc, opts, "include_usage", String.UTF8.encode("true"));
  return setTopLevelField(doc, "stream_options", String.UTF8.encode('{"include_usage":true}'));
}
