// An MCP server with the fixtures the official conformance suite
// (@modelcontextprotocol/conformance) asks of a server: the tools, resources,
// prompts and completions its server scenarios name (test_simple_text,
// test://static-text, test_simple_prompt ...), written here from the
// requirements each scenario states. The suite judges it; the gateway tests
// compare the suite's verdicts with and without Envoy in between, so what
// counts is that these features are real MCP traffic: content of every type,
// log and progress notifications, sampling and elicitation requests from the
// server to the client, resumable SSE streams closed mid-call (SEP-1699).
// Served by test/upstreams/mcp.ts (startMcpUpstream({server: conformanceServer})).
import { setTimeout as sleep } from "node:timers/promises";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { InMemoryEventStore } from "@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js";
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type ElicitRequest,
  type GetPromptResult,
  type ReadResourceResult,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { McpServerKind } from "./mcp.ts";

/** A 1x1 red PNG. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

/** 10 ms of 8-bit mono silence at 8 kHz, as a WAV file. */
function silenceWav(): string {
  const samples = Buffer.alloc(80, 128);
  const h = Buffer.alloc(44);
  h.write("RIFF", 0);
  h.writeUInt32LE(36 + samples.length, 4);
  h.write("WAVEfmt ", 8);
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // channels
  h.writeUInt32LE(8000, 24); // sample rate
  h.writeUInt32LE(8000, 28); // byte rate
  h.writeUInt16LE(1, 32); // block align
  h.writeUInt16LE(8, 34); // bits per sample
  h.write("data", 36);
  h.writeUInt32LE(samples.length, 40);
  return Buffer.concat([h, samples]).toString("base64");
}
const WAV = silenceWav();

const noArgs = { type: "object" as const, properties: {} };
const stringArg = (name: string, description: string) => ({ type: "object" as const, properties: { [name]: { type: "string", description } }, required: [name] });

const TOOLS: Tool[] = [
  { name: "test_simple_text", description: "Returns a text block", inputSchema: noArgs },
  { name: "test_image_content", description: "Returns a PNG image", inputSchema: noArgs },
  { name: "test_audio_content", description: "Returns a WAV clip", inputSchema: noArgs },
  { name: "test_embedded_resource", description: "Returns an embedded text resource", inputSchema: noArgs },
  { name: "test_multiple_content_types", description: "Returns text, an image and a resource", inputSchema: noArgs },
  { name: "test_tool_with_logging", description: "Sends three log messages while it runs", inputSchema: noArgs },
  { name: "test_tool_with_progress", description: "Reports progress 0, 50, 100 of 100", inputSchema: noArgs },
  { name: "test_error_handling", description: "Always fails with isError", inputSchema: noArgs },
  { name: "test_sampling", description: "Asks the client's LLM", inputSchema: stringArg("prompt", "The prompt to send to the LLM") },
  { name: "test_elicitation", description: "Asks the user for a name and an email", inputSchema: stringArg("message", "The message to show the user") },
  { name: "test_elicitation_sep1034_defaults", description: "Elicitation with a default for every primitive type", inputSchema: noArgs },
  { name: "test_elicitation_sep1330_enums", description: "Elicitation with the five enum forms", inputSchema: noArgs },
  { name: "test_reconnection", description: "Closes its SSE stream mid-call; the result arrives on the resumed stream", inputSchema: noArgs },
  {
    name: "json_schema_2020_12_tool",
    description: "Tool with JSON Schema 2020-12 features",
    inputSchema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      $defs: { address: { type: "object", properties: { street: { type: "string" }, city: { type: "string" } } } },
      properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" } },
      additionalProperties: false,
    },
  },
];

const text = (t: string) => ({ type: "text" as const, text: t });
const image = { type: "image" as const, data: PNG, mimeType: "image/png" };

const ELICIT_DEFAULTS: ElicitRequest["params"] = {
  message: "Accept these defaults or change them",
  requestedSchema: {
    type: "object",
    properties: {
      name: { type: "string", description: "User name", default: "John Doe" },
      age: { type: "integer", description: "User age", default: 30 },
      score: { type: "number", description: "User score", default: 95.5 },
      status: { type: "string", description: "User status", enum: ["active", "inactive", "pending"], default: "active" },
      verified: { type: "boolean", description: "Verification status", default: true },
    },
  },
};

const ELICIT_ENUMS = {
  message: "Pick from each list",
  requestedSchema: {
    type: "object",
    properties: {
      untitledSingle: { type: "string", enum: ["option1", "option2", "option3"] },
      titledSingle: { type: "string", oneOf: [{ const: "value1", title: "First Option" }, { const: "value2", title: "Second Option" }, { const: "value3", title: "Third Option" }] },
      legacyEnum: { type: "string", enum: ["opt1", "opt2", "opt3"], enumNames: ["Option One", "Option Two", "Option Three"] },
      untitledMulti: { type: "array", items: { type: "string", enum: ["option1", "option2", "option3"] } },
      titledMulti: { type: "array", items: { anyOf: [{ const: "value1", title: "First Choice" }, { const: "value2", title: "Second Choice" }, { const: "value3", title: "Third Choice" }] } },
    },
  },
} as ElicitRequest["params"];

type Extra = Parameters<Parameters<Server["setRequestHandler"]>[1]>[1];

async function callTool(name: string, args: Record<string, unknown>, meta: { progressToken?: string | number } | undefined, extra: Extra): Promise<CallToolResult> {
  switch (name) {
    case "test_simple_text":
      return { content: [text("This is a simple text response for testing.")] };
    case "test_image_content":
      return { content: [image] };
    case "test_audio_content":
      return { content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }] };
    case "test_embedded_resource":
      return { content: [{ type: "resource", resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." } }] };
    case "test_multiple_content_types":
      return {
        content: [
          text("Multiple content types test:"),
          image,
          { type: "resource", resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: JSON.stringify({ test: "data", value: 123 }) } },
        ],
      };
    case "test_tool_with_logging":
      for (const [i, message] of ["Tool execution started", "Tool processing data", "Tool execution completed"].entries()) {
        if (i > 0) await sleep(50);
        await extra.sendNotification({ method: "notifications/message", params: { level: "info", data: message } });
      }
      return { content: [text("Logged three messages")] };
    case "test_tool_with_progress":
      for (const progress of [0, 50, 100]) {
        if (progress > 0) await sleep(50);
        if (meta?.progressToken !== undefined) await extra.sendNotification({ method: "notifications/progress", params: { progressToken: meta.progressToken, progress, total: 100 } });
      }
      return { content: [text("Progress reported")] };
    case "test_error_handling":
      return { isError: true, content: [text("This tool intentionally returns an error for testing")] };
    case "test_sampling": {
      const r = await extra.sendRequest(
        { method: "sampling/createMessage", params: { messages: [{ role: "user", content: text(String(args.prompt ?? "")) }], maxTokens: 100 } },
        CreateMessageResultSchema,
      );
      const answer = r.content.type === "text" ? r.content.text : `[${r.content.type}]`;
      return { content: [text(`LLM response: ${answer}`)] };
    }
    case "test_elicitation": {
      const r = await extra.sendRequest(
        {
          method: "elicitation/create",
          params: {
            message: String(args.message ?? ""),
            requestedSchema: {
              type: "object",
              properties: { username: { type: "string", description: "User's response" }, email: { type: "string", description: "User's email address" } },
              required: ["username", "email"],
            },
          },
        },
        ElicitResultSchema,
      );
      return { content: [text(`User response: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`)] };
    }
    case "test_elicitation_sep1034_defaults":
    case "test_elicitation_sep1330_enums": {
      const params = name === "test_elicitation_sep1034_defaults" ? ELICIT_DEFAULTS : ELICIT_ENUMS;
      const r = await extra.sendRequest({ method: "elicitation/create", params }, ElicitResultSchema);
      return { content: [text(`Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content ?? {})}`)] };
    }
    case "test_reconnection":
      // The client has the priming event's id; it reconnects with GET + Last-Event-ID
      // after the retry interval and the event store replays this result there.
      extra.closeSSEStream?.();
      await sleep(100);
      return { content: [text("Reconnection test completed successfully")] };
    case "json_schema_2020_12_tool":
      return { content: [text(`Hello ${String(args.name ?? "")}`)] };
  }
  return { isError: true, content: [text(`Unknown tool: ${name}`)] };
}

const RESOURCES = [
  { uri: "test://static-text", name: "static-text", description: "A static text resource", mimeType: "text/plain" },
  { uri: "test://static-binary", name: "static-binary", description: "A static PNG", mimeType: "image/png" },
  { uri: "test://watched-resource", name: "watched-resource", description: "A resource to subscribe to", mimeType: "text/plain" },
];
const TEMPLATE = /^test:\/\/template\/([^/]+)\/data$/;

function readResource(uri: string): ReadResourceResult {
  if (uri === "test://static-text") return { contents: [{ uri, mimeType: "text/plain", text: "This is the content of the static text resource." }] };
  if (uri === "test://static-binary") return { contents: [{ uri, mimeType: "image/png", blob: PNG }] };
  if (uri === "test://watched-resource") return { contents: [{ uri, mimeType: "text/plain", text: "Watched content" }] };
  const m = TEMPLATE.exec(uri);
  if (m) return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify({ id: m[1], templateTest: true, data: `Data for ID: ${m[1]}` }) }] };
  throw new Error(`Resource ${uri} not found`);
}

const PROMPTS = [
  { name: "test_simple_prompt", description: "A prompt without arguments" },
  {
    name: "test_prompt_with_arguments",
    description: "A prompt with two arguments",
    arguments: [
      { name: "arg1", description: "First test argument", required: true },
      { name: "arg2", description: "Second test argument", required: true },
    ],
  },
  { name: "test_prompt_with_embedded_resource", description: "A prompt embedding a resource", arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }] },
  { name: "test_prompt_with_image", description: "A prompt with an image" },
];

function getPrompt(name: string, args: Record<string, string>): GetPromptResult {
  switch (name) {
    case "test_simple_prompt":
      return { messages: [{ role: "user", content: text("This is a simple prompt for testing.") }] };
    case "test_prompt_with_arguments":
      return { messages: [{ role: "user", content: text(`Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'`) }] };
    case "test_prompt_with_embedded_resource":
      return {
        messages: [
          { role: "user", content: { type: "resource", resource: { uri: args.resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." } } },
          { role: "user", content: text("Please process the embedded resource above.") },
        ],
      };
    case "test_prompt_with_image":
      return { messages: [{ role: "user", content: image }, { role: "user", content: text("Please analyze the image above.") }] };
  }
  throw new Error(`Prompt ${name} not found`);
}

const COMPLETIONS = ["paris", "park", "party", "test", "testing", "tested"];

function createConformanceServer(): { server: Server; cleanup: () => void } {
  const server = new Server(
    { name: "conformance-fixtures", version: "1.0.0" },
    { capabilities: { tools: {}, resources: { subscribe: true }, prompts: {}, logging: {}, completions: {} } },
  );
  const subscriptions = new Set<string>();
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, (req, extra) => callTool(req.params.name, req.params.arguments ?? {}, req.params._meta, extra));
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: RESOURCES }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [{ uriTemplate: "test://template/{id}/data", name: "template", description: "Data for an id", mimeType: "application/json" }],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (req) => readResource(req.params.uri));
  server.setRequestHandler(SubscribeRequestSchema, (req) => {
    subscriptions.add(req.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, (req) => {
    subscriptions.delete(req.params.uri);
    return {};
  });
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: PROMPTS }));
  server.setRequestHandler(GetPromptRequestSchema, (req) => getPrompt(req.params.name, req.params.arguments ?? {}));
  server.setRequestHandler(CompleteRequestSchema, (req) => {
    const values = COMPLETIONS.filter((v) => v.startsWith(req.params.argument.value));
    return { completion: { values, total: values.length, hasMore: false } };
  });
  server.setRequestHandler(SetLevelRequestSchema, () => ({}));
  return { server, cleanup: () => subscriptions.clear() };
}

/** The conformance fixtures, served with resumable streams (an event store, retry 500 ms) and localhost-only Host/Origin. */
export const conformanceServer: McpServerKind = {
  create: createConformanceServer,
  transportOptions: () => ({ eventStore: new InMemoryEventStore(), retryInterval: 500 }),
  localhostOnly: true,
};
