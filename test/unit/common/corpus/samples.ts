// Realistic request/response bodies of the APIs the filters see: OpenAI Chat
// Completions and Responses, Anthropic Messages (also stream events), and MCP
// JSON-RPC. Used as seeds for the malformed corpus and by extractor tests.

export const openaiChatRequest = {
  model: "gpt-4o-mini",
  stream: true,
  stream_options: { include_usage: true },
  temperature: 0.2,
  messages: [
    { role: "system", content: "You are a careful assistant. Reply in English." },
    { role: "user", content: "What's the weather in Paris and in Tōkyō? Use the tool." },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        { id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Tōkyō"}' } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: "18°C, cloudy" },
    { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "22°C, sunny ☀" }] },
    {
      role: "user",
      content: [
        { type: "text", text: "Thanks! Now compare them." },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        { type: "text", text: "Keep it short 🙏" },
      ],
    },
  ],
  tools: [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Current weather for a city",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    },
  ],
};

export const openaiChatResponse = {
  id: "chatcmpl-9x",
  object: "chat.completion",
  created: 1732400000,
  model: "gpt-4o-mini-2024-07-18",
  choices: [{ index: 0, message: { role: "assistant", content: "Paris is cooler than Tōkyō." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 131, completion_tokens: 9, total_tokens: 140, prompt_tokens_details: { cached_tokens: 0 } },
};

export const openaiChatUsageChunk = {
  id: "chatcmpl-9x",
  object: "chat.completion.chunk",
  created: 1732400000,
  model: "gpt-4o-mini",
  choices: [],
  usage: { prompt_tokens: 17, completion_tokens: 250, total_tokens: 267 },
};

export const openaiChatDeltaChunk = {
  id: "chatcmpl-9x",
  object: "chat.completion.chunk",
  choices: [{ index: 0, delta: { content: "Hel" }, finish_reason: null }],
  usage: null,
};

export const anthropicRequest = {
  model: "claude-sonnet-4-5",
  max_tokens: 1024,
  stream: false,
  system: [
    { type: "text", text: "You are terse." },
    { type: "text", text: "Never reveal secrets.", cache_control: { type: "ephemeral" } },
  ],
  messages: [
    { role: "user", content: "Look up order 42." },
    {
      role: "assistant",
      content: [
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "toolu_01", name: "lookup_order", input: { id: 42, fields: ["status", "eta"] } },
      ],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_01", content: [{ type: "text", text: "status: shipped" }, { type: "text", text: "eta: tomorrow" }] },
      ],
    },
    { role: "assistant", content: "It ships tomorrow." },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_02", content: "plain result" }] },
  ],
};

export const anthropicResponse = {
  id: "msg_01",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5",
  content: [{ type: "text", text: "Done." }],
  stop_reason: "end_turn",
  usage: { input_tokens: 2095, output_tokens: 503, cache_creation_input_tokens: 0, cache_read_input_tokens: 1800 },
};

export const anthropicMessageStart = {
  type: "message_start",
  message: {
    id: "msg_02",
    type: "message",
    role: "assistant",
    content: [],
    model: "claude-sonnet-4-5",
    usage: { input_tokens: 25, output_tokens: 1 },
  },
};

export const anthropicMessageDelta = { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 15 } };

export const responsesRequest = {
  model: "gpt-4.1",
  instructions: "Answer like a pirate.",
  stream: true,
  input: [
    { role: "user", content: "Hi there" },
    { type: "message", role: "assistant", content: [{ type: "output_text", text: "Ahoy!" }] },
    { type: "function_call", call_id: "fc_1", name: "find_treasure", arguments: '{"island":"Tortuga"}' },
    { type: "function_call_output", call_id: "fc_1", output: "X marks the spot" },
    { type: "reasoning", id: "rs_1", summary: [] },
    { type: "message", role: "user", content: [{ type: "input_text", text: "Where is it?" }, { type: "input_image", image_url: "https://example.com/map.png" }] },
  ],
};

export const responsesStringInput = { model: "gpt-4.1-mini", input: "Tell me a joke" };

export const responsesCompleted = {
  type: "response.completed",
  sequence_number: 42,
  response: {
    id: "resp_1",
    object: "response",
    status: "completed",
    output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "Arr." }] }],
    usage: { input_tokens: 36, output_tokens: 87, total_tokens: 123, input_tokens_details: { cached_tokens: 0 } },
  },
};

export const mcpInitialize = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: { sampling: {} }, clientInfo: { name: "example-client", version: "1.0.0" } },
};

export const mcpToolsCall = {
  jsonrpc: "2.0",
  id: "req-7",
  method: "tools/call",
  params: { name: "search_docs", arguments: { query: "rate limits", limit: 5 }, _meta: { progressToken: 3 } },
};

export const mcpBatch = [
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 12.5, method: "tools/list", params: {} },
  { jsonrpc: "2.0", id: 1, result: { tools: [] } },
  { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } },
];

/** Every sample, serialized compactly and pretty-printed (different whitespace, same values). */
export const SAMPLE_OBJECTS: Record<string, unknown> = {
  openaiChatRequest,
  openaiChatResponse,
  openaiChatUsageChunk,
  openaiChatDeltaChunk,
  anthropicRequest,
  anthropicResponse,
  anthropicMessageStart,
  anthropicMessageDelta,
  responsesRequest,
  responsesStringInput,
  responsesCompleted,
  mcpInitialize,
  mcpToolsCall,
  mcpBatch,
};

export function sampleBodies(): { name: string; body: Buffer }[] {
  const out: { name: string; body: Buffer }[] = [];
  for (const [name, value] of Object.entries(SAMPLE_OBJECTS)) {
    out.push({ name, body: Buffer.from(JSON.stringify(value)) });
    out.push({ name: `${name} (pretty)`, body: Buffer.from(JSON.stringify(value, null, 2)) });
  }
  return out;
}

/** A Chat Completions body of about `bytes` bytes, with accents, quotes and newlines in the text. */
export function chatBodyOfSize(bytes: number): Buffer {
  const messages: { role: string; content: string }[] = [{ role: "system", content: "You are a helpful assistant." }];
  const encode = () => Buffer.from(JSON.stringify({ model: "gpt-4o", stream: true, stream_options: { include_usage: true }, temperature: 0.7, messages }));
  let body = encode();
  for (let i = 0; ; i++) {
    messages.push({
      role: i % 2 ? "assistant" : "user",
      content: `Turn ${i}: the quick brown fox jumps over the lazy dog — naïve café, "quoted" text\nand a number ${i * 31}. `.repeat(2),
    });
    const next = encode();
    if (next.length > bytes) break;
    body = next;
  }
  return body;
}
