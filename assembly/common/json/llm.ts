// A read-only view of an LLM API request body: OpenAI Chat Completions,
// Anthropic Messages and OpenAI Responses share one shape here (model,
// stream flags, system text, messages with role, text, tool calls and tool
// results), so filters can route, meter and inspect without caring which API
// the client speaks. Missing or mistyped fields are left unset, never errors.
import { JsonDocument, JsonKind, JsonValue } from "./value";

export enum LlmApi {
  Unknown = 0,
  OpenAIChat = 1,
  AnthropicMessages = 2,
  OpenAIResponses = 3,
}

export function llmApiName(api: LlmApi): string {
  if (api == LlmApi.OpenAIChat) return "openai_chat";
  if (api == LlmApi.AnthropicMessages) return "anthropic_messages";
  if (api == LlmApi.OpenAIResponses) return "openai_responses";
  return "unknown";
}

/** The API a request path names (".../chat/completions", ".../messages", ".../responses", query ignored); Unknown otherwise. */
export function llmApiOfPath(path: string): LlmApi {
  const q = path.indexOf("?");
  const p = q < 0 ? path : path.substring(0, q);
  if (p.endsWith("/chat/completions")) return LlmApi.OpenAIChat;
  if (p.endsWith("/messages")) return LlmApi.AnthropicMessages;
  if (p.endsWith("/responses")) return LlmApi.OpenAIResponses;
  return LlmApi.Unknown;
}

export class LlmToolCall {
  id: string | null = null;
  name: string | null = null;
  /** Arguments as JSON text: OpenAI's `arguments` string as sent, or the raw text of Anthropic's `input` object. */
  arguments: string | null = null;
}

export class LlmToolResult {
  constructor(public toolCallId: string | null, public text: string) {}
}

export class LlmMessage {
  /** "user", "assistant", "system", "developer", "tool" ...; "" when absent. */
  role: string = "";
  /** The content node (string or parts) `text` is decoded from on first use. */
  private content: JsonValue | null = null;
  private decoded: string | null = null;
  /** Made on the first call added (most messages have none). */
  private calls: Array<LlmToolCall> | null = null;
  /** The call this message answers (OpenAI role "tool", Responses function_call_output). */
  toolCallId: string | null = null;
  private results: Array<LlmToolResult> | null = null;

  constructor(public node: JsonValue) {}

  /** The tool calls this message makes, to read (an empty new list when none); add with addToolCall(). */
  get toolCalls(): Array<LlmToolCall> {
    const calls = this.calls;
    return calls !== null ? calls : new Array<LlmToolCall>();
  }

  /** Anthropic tool_result blocks carried by this message, to read (an empty new list when none); add with addToolResult(). */
  get toolResults(): Array<LlmToolResult> {
    const results = this.results;
    return results !== null ? results : new Array<LlmToolResult>();
  }

  addToolCall(call: LlmToolCall): void {
    let calls = this.calls;
    if (calls === null) {
      calls = new Array<LlmToolCall>();
      this.calls = calls;
    }
    calls.push(call);
  }

  addToolResult(result: LlmToolResult): void {
    let results = this.results;
    if (results === null) {
      results = new Array<LlmToolResult>();
      this.results = results;
    }
    results.push(result);
  }

  /**
   * The text parts of the content, joined with "\n". Decoded on first use:
   * a filter that reads one message of a long conversation does not pay
   * for the others.
   */
  get text(): string {
    const known = this.decoded;
    if (known !== null) return known;
    const content = this.content;
    const t = content === null ? "" : joinedText(content);
    this.decoded = t;
    return t;
  }

  /**
   * At least the first `maxUnits` UTF-16 units of `text` (all of it when
   * shorter), decoding no more of a long string content than that.
   */
  textPrefix(maxUnits: i32): string {
    const known = this.decoded;
    if (known !== null) return known;
    const content = this.content;
    if (content === null) return "";
    if (content.kind == JsonKind.String) {
      const s = content.text(maxUnits);
      return s === null ? "" : s;
    }
    return this.text;
  }

  set text(value: string) {
    this.decoded = value;
    this.content = null;
  }

  /** Takes the text from `content` (a string or content parts) when first read. */
  textFrom(content: JsonValue): void {
    this.content = content;
    this.decoded = null;
  }

  /** Text, tool-call arguments and tool results, newline-separated: everything a content inspector should see. */
  allText(): string {
    const parts = new Array<string>();
    if (this.text.length > 0) parts.push(this.text);
    const calls = this.toolCalls;
    for (let i = 0; i < calls.length; i++) {
      const a = unchecked(calls[i]).arguments;
      if (a !== null && a.length > 0) parts.push(a);
    }
    const results = this.toolResults;
    for (let i = 0; i < results.length; i++) {
      const t = unchecked(results[i]).text;
      if (t.length > 0) parts.push(t);
    }
    return parts.join("\n");
  }
}

export class LlmRequest {
  api: LlmApi = LlmApi.Unknown;
  model: string | null = null;
  hasStream: bool = false;
  stream: bool = false;
  hasIncludeUsage: bool = false;
  /** stream_options.include_usage */
  includeUsage: bool = false;
  /** Anthropic `system` or Responses `instructions` (OpenAI Chat keeps system prompts in `messages`). */
  system: string | null = null;
  messages: Array<LlmMessage> = new Array<LlmMessage>();

  /** Text of the last user message that has text (a turn carrying only tool results is skipped); null when none. */
  lastUserText(): string | null {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = unchecked(this.messages[i]);
      if (m.role == "user" && m.text.length > 0) return m.text;
    }
    return null;
  }
}

/** Reads the request view; null when the root is not an object. `hint` fixes the API (e.g. from the path); Unknown detects it. */
export function readLlmRequest(doc: JsonDocument, hint: LlmApi = LlmApi.Unknown): LlmRequest | null {
  const root = doc.root;
  if (root.kind != JsonKind.Object) return null;
  const req = new LlmRequest();
  req.model = root.getText("model");
  const stream = root.get("stream");
  if (stream !== null && stream.kind == JsonKind.Bool) {
    req.hasStream = true;
    req.stream = stream.isTrue;
  }
  const opts = root.get("stream_options");
  let includeUsage: JsonValue | null = null;
  if (opts !== null) includeUsage = opts.get("include_usage");
  if (includeUsage !== null && includeUsage.kind == JsonKind.Bool) {
    req.hasIncludeUsage = true;
    req.includeUsage = includeUsage.isTrue;
  }
  req.api = hint == LlmApi.Unknown ? detectApi(root) : hint;
  if (req.api == LlmApi.OpenAIResponses) {
    req.system = root.getText("instructions");
    readResponsesInput(doc, root.get("input"), req.messages);
  } else {
    const system = root.get("system");
    if (system !== null) req.system = joinedText(system);
    readMessages(doc, root.get("messages"), req.messages);
  }
  return req;
}

function detectApi(root: JsonValue): LlmApi {
  const messages = root.get("messages");
  if (messages === null) {
    if (root.get("input") !== null || root.get("instructions") !== null) return LlmApi.OpenAIResponses;
    return LlmApi.Unknown;
  }
  if (root.get("system") !== null || root.get("anthropic_version") !== null) return LlmApi.AnthropicMessages;
  const list = JsonValue.items(messages);
  for (let i = 0; i < list.length; i++) {
    const parts = JsonValue.items(unchecked(list[i]).get("content"));
    for (let j = 0; j < parts.length; j++) {
      const t = unchecked(parts[j]).getText("type");
      if (t !== null && (t == "tool_use" || t == "tool_result")) return LlmApi.AnthropicMessages;
    }
  }
  return LlmApi.OpenAIChat;
}

/** Text of a string, or of the text parts of an array of content parts, joined with "\n". */
function joinedText(content: JsonValue): string {
  const s = content.text();
  if (s !== null) return s;
  const parts = new Array<string>();
  const items = JsonValue.items(content);
  for (let i = 0; i < items.length; i++) {
    const t = partText(unchecked(items[i]));
    if (t !== null) parts.push(t);
  }
  return parts.join("\n");
}

/** The text of a content part of type text / input_text / output_text / refusal; null for other parts. */
function partText(part: JsonValue): string | null {
  const type = part.getText("type");
  if (type === null) return null;
  if (type == "text" || type == "input_text" || type == "output_text") return part.getText("text");
  if (type == "refusal") return part.getText("refusal");
  return null;
}

function readMessages(doc: JsonDocument, list: JsonValue | null, out: Array<LlmMessage>): void {
  if (list === null || list.kind != JsonKind.Array) return;
  // Each message keeps its node: one handle each, no list of them first.
  let next = list.first();
  while (next !== null) {
    const node = next;
    next = node.next();
    if (node.kind != JsonKind.Object) continue;
    const m = new LlmMessage(node);
    const role = node.getText("role");
    if (role !== null) m.role = role;
    m.toolCallId = node.getText("tool_call_id");
    readContent(doc, node.get("content"), m);
    readOpenAIToolCalls(node, m);
    out.push(m);
  }
}

/** Fills text, tool_use calls and tool_result results from a message's content (string or parts). */
function readContent(doc: JsonDocument, content: JsonValue | null, m: LlmMessage): void {
  if (content === null) return;
  m.textFrom(content);
  if (content.kind != JsonKind.Array) return;
  const parts = JsonValue.items(content);
  for (let i = 0; i < parts.length; i++) {
    const part = unchecked(parts[i]);
    const type = part.getText("type");
    if (type === null) continue;
    if (type == "tool_use") {
      const call = new LlmToolCall();
      call.id = part.getText("id");
      call.name = part.getText("name");
      const input = part.get("input");
      if (input !== null) call.arguments = doc.raw(input);
      m.addToolCall(call);
    } else if (type == "tool_result") {
      const result = part.get("content");
      m.addToolResult(new LlmToolResult(part.getText("tool_use_id"), result === null ? "" : joinedText(result)));
    }
  }
}

function readOpenAIToolCalls(node: JsonValue, m: LlmMessage): void {
  const list = node.get("tool_calls");
  if (list !== null) readToolCallList(list, m);
  // The deprecated single function_call of older Chat Completions clients.
  const legacy = node.get("function_call");
  if (legacy !== null && legacy.kind == JsonKind.Object) {
    const call = new LlmToolCall();
    call.name = legacy.getText("name");
    call.arguments = legacy.getText("arguments");
    m.addToolCall(call);
  }
}

function readToolCallList(list: JsonValue, m: LlmMessage): void {
  const calls = JsonValue.items(list);
  for (let i = 0; i < calls.length; i++) {
    const c = unchecked(calls[i]);
    const fn = c.get("function");
    if (fn === null || fn.kind != JsonKind.Object) continue;
    const call = new LlmToolCall();
    call.id = c.getText("id");
    call.name = fn.getText("name");
    call.arguments = fn.getText("arguments");
    m.addToolCall(call);
  }
}

function readResponsesInput(doc: JsonDocument, input: JsonValue | null, out: Array<LlmMessage>): void {
  if (input === null) return;
  const s = input.text();
  if (s !== null) {
    const m = new LlmMessage(input);
    m.role = "user";
    m.text = s;
    out.push(m);
    return;
  }
  const items = JsonValue.items(input);
  for (let i = 0; i < items.length; i++) {
    const item = unchecked(items[i]);
    if (item.kind != JsonKind.Object) continue;
    const type = item.getText("type");
    const m = new LlmMessage(item);
    if (type === null || type == "message") {
      const role = item.getText("role");
      if (role === null) continue;
      m.role = role;
      readContent(doc, item.get("content"), m);
    } else if (type == "function_call") {
      m.role = "assistant";
      const call = new LlmToolCall();
      call.id = item.getText("call_id");
      call.name = item.getText("name");
      call.arguments = item.getText("arguments");
      m.addToolCall(call);
    } else if (type == "function_call_output") {
      m.role = "tool";
      m.toolCallId = item.getText("call_id");
      const output = item.get("output");
      if (output !== null) m.textFrom(output);
    } else {
      continue;
    }
    out.push(m);
  }
}
