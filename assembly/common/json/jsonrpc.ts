// JSON-RPC 2.0 messages (MCP speaks it over Streamable HTTP): one message or a
// batch, each classified as request, notification or response, with its id
// kept as raw JSON text so a reply can echo it byte for byte.
import { JsonDocument, JsonKind, JsonValue } from "./value";

export enum RpcKind {
  /** Not a valid JSON-RPC 2.0 message; see `problem`. */
  Invalid = 0,
  Request = 1,
  Notification = 2,
  Response = 3,
  ErrorResponse = 4,
}

export function rpcKindName(k: RpcKind): string {
  if (k == RpcKind.Request) return "request";
  if (k == RpcKind.Notification) return "notification";
  if (k == RpcKind.Response) return "response";
  if (k == RpcKind.ErrorResponse) return "error";
  return "invalid";
}

export class RpcMessage {
  kind: RpcKind = RpcKind.Invalid;
  /** Why the message is Invalid; "" otherwise. */
  problem: string = "";
  jsonrpc: string | null = null;
  /** The id exactly as sent (`7`, `"abc"`, `null`); null when the member is absent. */
  idRaw: string | null = null;
  method: string | null = null;
  params: JsonValue | null = null;
  result: JsonValue | null = null;
  error: JsonValue | null = null;
  /** error.code when it is an integer, else 0. */
  errorCode: i64 = 0;
  errorMessage: string | null = null;

  constructor(public node: JsonValue) {}

  /** A request with no id, or with id null, gets no reply. */
  get isNotification(): bool {
    return this.kind == RpcKind.Notification;
  }

  /** The id to echo in a reply: the raw id, or `null`. */
  replyId(): string {
    const id = this.idRaw;
    return id === null ? "null" : id;
  }
}

export class RpcBatch {
  /** The body was a JSON array (even of one message). */
  isBatch: bool = false;
  messages: Array<RpcMessage> = new Array<RpcMessage>();
  /** Set when the body as a whole is not JSON-RPC (not an object or array, or an empty batch). */
  problem: string = "";
}

export function readJsonRpc(doc: JsonDocument): RpcBatch {
  const root = doc.root;
  const batch = new RpcBatch();
  if (root.kind == JsonKind.Object) {
    batch.messages.push(readMessage(doc, root));
  } else if (root.kind == JsonKind.Array) {
    batch.isBatch = true;
    const items = JsonValue.items(root);
    if (items.length == 0) batch.problem = "empty batch";
    for (let i = 0; i < items.length; i++) batch.messages.push(readMessage(doc, unchecked(items[i])));
  } else {
    batch.problem = "body must be a JSON object or array";
  }
  return batch;
}

function readMessage(doc: JsonDocument, node: JsonValue): RpcMessage {
  const m = new RpcMessage(node);
  if (node.kind != JsonKind.Object) {
    m.problem = "message must be an object";
    return m;
  }
  m.jsonrpc = node.getText("jsonrpc");
  const id = node.get("id");
  if (id !== null) m.idRaw = doc.raw(id);
  const method = node.get("method");
  if (method !== null && method.kind == JsonKind.String) m.method = method.text();
  m.params = node.get("params");
  m.result = node.get("result");
  m.error = node.get("error");
  const err = m.error;
  if (err !== null) {
    const code = err.get("code");
    if (code !== null && code.kind == JsonKind.Number) m.errorCode = code.toI64(0);
    m.errorMessage = err.getText("message");
  }

  const version = m.jsonrpc;
  if (version === null || version != "2.0") {
    m.problem = "jsonrpc must be \"2.0\"";
    return m;
  }
  if (id !== null && id.kind != JsonKind.String && id.kind != JsonKind.Number && id.kind != JsonKind.Null) {
    m.problem = "id must be a string, a number or null";
    return m;
  }
  if (method !== null) {
    if (method.kind != JsonKind.String) {
      m.problem = "method must be a string";
      return m;
    }
    const params = m.params;
    if (params !== null && params.kind != JsonKind.Object && params.kind != JsonKind.Array) {
      m.problem = "params must be an object or an array";
      return m;
    }
    m.kind = id === null || id.kind == JsonKind.Null ? RpcKind.Notification : RpcKind.Request;
    return m;
  }
  if (id === null) {
    m.problem = "a message needs a method, or an id with a result or error";
    return m;
  }
  if ((m.result !== null) == (err !== null)) {
    m.problem = "a response has exactly one of result and error";
    return m;
  }
  m.kind = err !== null ? RpcKind.ErrorResponse : RpcKind.Response;
  return m;
}

/** params of an MCP `tools/call` request. */
export class ToolCallParams {
  constructor(
    /** params.name; null when absent or not a string. */
    public name: string | null,
    /** params.arguments (usually an object); null when absent. */
    public arguments: JsonValue | null,
  ) {}
}

/** The tool call a `tools/call` request makes; null for any other message. */
export function readToolCall(m: RpcMessage): ToolCallParams | null {
  if (m.kind != RpcKind.Request && m.kind != RpcKind.Notification) return null;
  const method = m.method;
  if (method === null || method != "tools/call") return null;
  const params = m.params;
  if (params === null || params.kind != JsonKind.Object) return new ToolCallParams(null, null);
  return new ToolCallParams(params.getText("name"), params.get("arguments"));
}
