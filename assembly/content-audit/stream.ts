// One request through content-audit: inspect the request body, then the
// response (a whole JSON body, or an event stream as it passes), and write
// the audit event at access-log time.
import { BodyBuffer, BodyOverflow, BodyState, dropContentLength } from "../common/body";
import { MatchInput } from "../common/config";
import { JsonDocument, JsonKind, JsonValue, JsonWriter, LlmApi, llmApiName, llmApiOfPath, parseJson, ParseOptions, reparseJson } from "../common/json";
import { isEventStream, isJsonMediaType } from "../common/text/media-type";
import { clusterName, routeName } from "../common/properties";
import { INVALID_JSON, jsonRpcErrorBody, openAiErrorBody, RPC_CONTENT_BLOCKED, sendError, sendJsonRpcError, sendOpenAiError } from "../common/reply";
import { DataAction, HeadersAction, StreamContext, TrailersAction } from "../common/runtime/context";
import { HeaderBlock } from "../common/runtime/header-block";
import { addHeaderBytes, BufferType, removeHeaderBytes, continueStream, getBuffer, getHeaderBytes, HeaderPair, MapType, sendLocalResponse, setBufferFrom, setPropertyFrom, StreamType } from "../common/runtime/host";
import { RequestFacts, writeAuditEvent } from "./audit-event";
import { AuditConfig } from "./config";
import { jsonInspector, members } from "./inspect-json";
import { ModerationCall, ModerationConfig, moderationHeaders, moderationRequest, ModerationResult, ModerationVerdict } from "./moderation";
import { AuditRecord, VERDICT_NAMES } from "./record";
import { AuditRoot } from "./root";
import { SseAudit } from "./sse-audit";
import { StreamModeration } from "./stream-moderation";

/** untilComplete(): the body is complete, inspect it. */
const INSPECT: i32 = -1;

const NO_BYTES = new ArrayBuffer(0);
const EVENT_CAPACITY: i32 = 512;
const MAX_KEPT_EVENT_BYTES: i32 = 16384;
/** The audit events of a worker are written one at a time, into one writer. */
let eventWriter = new JsonWriter(EVENT_CAPACITY);
/** The filter state key (Envoy prefixes it: wasm.content_audit), encoded once. */
const AUDIT_STATE_NAME = String.UTF8.encode("content_audit");
/** Every JSON body's document: a body is inspected within one callback, so one document serves them all in turn (reparseJson). */
const bodyDoc = JsonDocument.reusable();

// Header names and values set or read on every response, encoded once.
const VERDICT_HEADER = String.UTF8.encode("x-content-audit");
const ACCEPT_ENCODING = String.UTF8.encode("accept-encoding");
const CONTENT_TYPE = String.UTF8.encode("content-type");
const VERDICT_VALUES = encodeAll(VERDICT_NAMES);

function encodeAll(names: StaticArray<string>): StaticArray<ArrayBuffer> {
  const out = new StaticArray<ArrayBuffer>(names.length);
  for (let i = 0; i < names.length; i++) out[i] = String.UTF8.encode(names[i]);
  return out;
}

/** Request members that carry what the client says (OpenAI Chat/Responses, Anthropic, legacy completions). */
const PROMPT_MEMBERS: Array<string> = ["messages", "input", "instructions", "system", "prompt"];

export class AuditStream extends StreamContext {
  private audit: AuditRoot;
  private cfg: AuditConfig | null = null;
  private facts: RequestFacts = new RequestFacts();
  private record: AuditRecord = new AuditRecord();
  private api: LlmApi = LlmApi.Unknown;
  private requestBody: BodyBuffer | null = null;
  private responseBody: BodyBuffer | null = null;
  /** A JSON completion waiting for its moderation verdict (buffered by Envoy). */
  private moderatedBody: BodyBuffer | null = null;
  private sse: SseAudit | null = null;
  /** Windows of a streamed completion sent to external moderation. */
  private streamModeration: StreamModeration | null = null;
  /** The end of the stream waits for moderation verdicts: bytes of the last chunk held (buffered by Envoy). */
  private heldEnd: i32 = -1;
  private mcp: bool = false;
  private rpcId: string | null = null;
  /** Set once this filter sent a local reply: its own reply passes the response callbacks untouched. */
  private replied: bool = false;
  /** A body was inspected (or rejected): only then is there an audit event to write. */
  private inspected: bool = false;

  constructor(id: u32, root: AuditRoot) {
    super(id, root);
    this.audit = root;
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    const rules = this.audit.rules;
    if (rules === null) return HeadersAction.Continue;
    // One host call for every request header this filter reads.
    const headers = HeaderBlock.read(MapType.RequestHeaders);
    const path = headers.get(":path");
    const route = routeName();
    this.facts.path = path === null ? "" : path;
    this.facts.route = route === null ? "" : route;
    const input = new MatchInput(this.facts.route, "", "", this.facts.path);
    if (rules.rules.length > 0) {
      // Only `_rules_` match on domain and service: skip the lookups otherwise.
      const authority = headers.get(":authority");
      const cluster = clusterName();
      input.domain = authority === null ? "" : authority;
      input.service = cluster === null ? "" : cluster;
    }
    const cfg = rules.select(input);
    if (cfg === null) return HeadersAction.Continue;
    this.cfg = cfg;
    const consumer = headers.get(cfg.consumerHeader);
    this.facts.consumer = consumer === null ? "" : consumer;
    const rid = headers.get("x-request-id");
    this.facts.requestId = rid === null ? "" : rid;
    this.api = llmApiOfPath(this.facts.path);
    // A body without a content-type is inspected too: leaving the header out must not skip the audit.
    const type = headers.get("content-type");
    if (endOfStream || (type !== null && !isJson(type))) return HeadersAction.Continue;
    // A compressed completion could not be inspected: the upstream is asked for none.
    if (cfg.inspectResponse) removeHeaderBytes(MapType.RequestHeaders, ACCEPT_ENCODING);
    if (!cfg.inspectRequest) {
      // Its completion is still inspected.
      this.inspected = true;
      return HeadersAction.Continue;
    }
    const body = new BodyBuffer(BufferType.RequestBody, cfg.maxBodyBytes, cfg.rejectOversize ? BodyOverflow.Reject : BodyOverflow.Pass);
    this.requestBody = body;
    if (cfg.holdRequestHeaders) {
      // Held until the prompt is inspected (allow_on_headers_stop_iteration):
      // a blocked request never reaches the upstream, and content-length
      // only changes when something is masked.
      body.headersHeld = true;
      return HeadersAction.StopIteration;
    }
    dropContentLength(BufferType.RequestBody);
    return HeadersAction.Continue;
  }

  onRequestBody(size: u32, endOfStream: bool): DataAction {
    const body = this.requestBody;
    if (body === null) return DataAction.Continue;
    const state = body.onBody(size, endOfStream);
    return this.requestBodyState(body, state);
  }

  onRequestTrailers(numTrailers: u32): TrailersAction {
    const body = this.requestBody;
    if (body === null) return TrailersAction.Continue;
    this.requestBodyState(body, body.onTrailers());
    return body.trailersAction();
  }

  private requestBodyState(body: BodyBuffer, state: BodyState): DataAction {
    if (state != BodyState.Buffering) this.requestBody = null;
    const next = this.untilComplete(body, state);
    if (next != INSPECT) return <DataAction>next;
    return this.inspectRequest(body);
  }

  /** What a body callback returns while the body is not complete (INSPECT once it is); answers an oversized body. */
  private untilComplete(body: BodyBuffer, state: BodyState): i32 {
    if (state != BodyState.Buffering) this.inspected = true;
    if (state == BodyState.TooLarge) {
      this.replied = true;
      body.sendReject();
      return DataAction.StopIterationNoBuffer;
    }
    if (state != BodyState.Complete) return body.action();
    return INSPECT;
  }

  /** Continue, StopIterationNoBuffer after a block reply, or StopIterationAndBuffer while moderation decides. */
  private inspectRequest(body: BodyBuffer): DataAction {
    const cfg = this.cfg!;
    const bytes = body.read();
    if (bytes === null) return DataAction.Continue;
    const doc = bodyDoc;
    if (!reparseJson(doc, bytes, this.parseOptions())) {
      // Content that cannot be inspected must not slip through as malformed or deeply nested JSON.
      if (!cfg.rejectInvalidJson) return DataAction.Continue;
      this.replied = true;
      // Parsed again for the reason: only a body that is refused pays for it.
      const e = parseJson(bytes, this.parseOptions()).error;
      this.record.block("invalid_json", false);
      sendError(INVALID_JSON, "the request body is not valid JSON" + (e === null ? "" : " (" + e.toString() + ")"));
      return DataAction.StopIterationNoBuffer;
    }
    const action = this.inspectRequestDocument(body, doc);
    doc.release();
    return action;
  }

  private inspectRequestDocument(body: BodyBuffer, doc: JsonDocument): DataAction {
    const cfg = this.cfg!;
    const root = doc.root;
    let roots: Array<JsonValue>;
    if (root.kind == JsonKind.Object && root.has("jsonrpc")) {
      this.mcp = true;
      const id = root.get("id");
      if (id !== null) this.rpcId = doc.raw(id);
      roots = new Array<JsonValue>();
      const params = root.get("params");
      if (cfg.mcp && isToolCall(root) && params !== null) {
        const args = params.get("arguments");
        if (args !== null) roots.push(args);
      }
    } else {
      const model = root.kind == JsonKind.Object ? root.getText("model") : null;
      if (model !== null) this.facts.model = model;
      roots = members(root, PROMPT_MEMBERS);
    }
    if (roots.length == 0) return DataAction.Continue;
    const inspector = jsonInspector(cfg.scanner, this.record, false);
    const moderation = cfg.moderation !== null && cfg.moderation!.requests ? cfg.moderation : null;
    if (moderation !== null) inspector.texts = new Array<string>();
    const r = inspector.inspect(doc, roots);
    const blockedBy = r.blockedBy;
    if (blockedBy !== null) {
      this.sendBlock(blockedBy.id);
      return DataAction.StopIterationNoBuffer;
    }
    const masked = r.body;
    if (masked !== null) body.replace(masked);
    const texts = inspector.texts;
    if (moderation === null || texts === null || texts.length == 0) return DataAction.Continue;
    return this.moderate(moderation, texts.join("\n"));
  }

  /**
   * Asks the moderation endpoint about a prompt (or, with `response`, a
   * completion, whose headers are held); the request (response) waits,
   * buffered, for moderated().
   */
  private moderate(cfg: ModerationConfig, input: string, response: bool = false): DataAction {
    const call = new BodyModeration(this, response);
    const token = this.httpCall(cfg.cluster, moderationHeaders(cfg), moderationRequest(cfg, input), cfg.timeoutMs, call);
    if (token != 0) return DataAction.StopIterationAndBuffer;
    const failed = new ModerationResult();
    failed.detail = "call refused (unknown cluster?)";
    return this.applyModeration(cfg, failed, response) ? DataAction.Continue : DataAction.StopIterationNoBuffer;
  }

  /** The moderation answer arrived: resume the request (or response) or block it. */
  moderated(result: ModerationResult, response: bool): void {
    const cfg = this.cfg!.moderation!;
    if (this.applyModeration(cfg, result, response)) continueStream(response ? StreamType.Response : StreamType.Request);
  }

  /** Records the verdict; false after answering with a block. */
  private applyModeration(cfg: ModerationConfig, result: ModerationResult, response: bool = false): bool {
    let verdict: string;
    let pass = false;
    if (result.verdict == ModerationVerdict.Allowed) {
      verdict = "allowed";
      pass = true;
    } else if (result.verdict == ModerationVerdict.Flagged) {
      verdict = "flagged: " + result.detail;
    } else {
      verdict = "failed: " + result.detail;
      pass = cfg.failOpen;
    }
    if (response) this.record.completionModeration = verdict;
    else this.record.moderation = verdict;
    if (pass) return true;
    if (response) this.record.block("moderation", true);
    const body = this.moderatedBody;
    if (response && body !== null && !body.headersHeld) {
      // The headers went on already: the buffered body becomes the error.
      body.replace(this.blockBody());
      return true;
    }
    this.sendBlock("moderation");
    return false;
  }


  onResponseHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    const cfg = this.cfg;
    // Responses are inspected for the exchanges whose request was: LLM and MCP calls, not GETs of model lists.
    if (cfg === null || this.replied || !this.inspected) return HeadersAction.Continue;
    addHeaderBytes(MapType.ResponseHeaders, VERDICT_HEADER, unchecked(VERDICT_VALUES[this.record.verdict + 1]));
    if (!cfg.inspectResponse || endOfStream || (this.mcp && !cfg.mcp)) return HeadersAction.Continue;
    const type = getHeaderBytes(MapType.ResponseHeaders, CONTENT_TYPE);
    if (type !== null && isEventStream(type)) {
      dropContentLength(BufferType.ResponseBody);
      const sse = new SseAudit(cfg.scanner, this.record, this.api, cfg.block.message);
      sse.mcp = this.mcp;
      sse.rpcId = this.rpcId;
      this.sse = sse;
      const moderation = cfg.moderation;
      if (moderation !== null && moderation.responses) {
        const m = new StreamModeration(moderation);
        sse.moderation = m;
        this.streamModeration = m;
      }
      this.inspected = true;
      return HeadersAction.Continue;
    }
    if (!isJson(type)) return HeadersAction.Continue;
    const body = new BodyBuffer(BufferType.ResponseBody, cfg.maxBodyBytes, cfg.rejectOversize ? BodyOverflow.Reject : BodyOverflow.Pass);
    this.responseBody = body;
    if (cfg.holdResponseHeaders) {
      // Held until the body is inspected, so a block can still answer with a
      // reply of its own; content-length only changes when the body does.
      body.headersHeld = true;
      return HeadersAction.StopIteration;
    }
    dropContentLength(BufferType.ResponseBody);
    return HeadersAction.Continue;
  }

  onResponseBody(size: u32, endOfStream: bool): DataAction {
    const sse = this.sse;
    if (sse !== null) {
      const wasBlocked = sse.blocked;
      const chunk: ArrayBuffer | null = size == 0 ? null : getBuffer(BufferType.ResponseBody, 0, size);
      const moderation = this.streamModeration;
      // A window was flagged since the last chunk: the stream ends here.
      const out = moderation !== null && moderation.stop ? sse.stop("moderation") : sse.feed(chunk === null ? NO_BYTES : chunk, endOfStream);
      if (!wasBlocked || out.length > 0 || size > 0) setBufferFrom(BufferType.ResponseBody, 0, size, out.start, out.length);
      const outBytes = out.length;
      out.taken();
      if (moderation === null || sse.blocked) return DataAction.Continue;
      this.sendWindows(moderation, endOfStream);
      if (!endOfStream || moderation.inFlight == 0) return DataAction.Continue;
      // The last chunk (the end events) waits for the verdicts: buffered by Envoy until windowModerated() continues it.
      this.heldEnd = outBytes;
      return DataAction.StopIterationAndBuffer;
    }
    const body = this.responseBody;
    if (body === null) return DataAction.Continue;
    return this.responseBodyState(body, body.onBody(size, endOfStream));
  }

  onResponseTrailers(numTrailers: u32): TrailersAction {
    const body = this.responseBody;
    if (body === null) return TrailersAction.Continue;
    this.responseBodyState(body, body.onTrailers());
    return body.trailersAction();
  }

  private responseBodyState(body: BodyBuffer, state: BodyState): DataAction {
    if (state != BodyState.Buffering) this.responseBody = null;
    const next = this.untilComplete(body, state);
    if (next != INSPECT) return <DataAction>next;
    const bytes = body.read();
    if (bytes === null) return DataAction.Continue;
    const doc = bodyDoc;
    if (!reparseJson(doc, bytes, this.parseOptions())) return DataAction.Continue;
    const action = this.inspectResponseDocument(body, doc);
    doc.release();
    return action;
  }

  private inspectResponseDocument(body: BodyBuffer, doc: JsonDocument): DataAction {
    const cfg = this.cfg!;
    const inspector = jsonInspector(cfg.scanner, this.record, true);
    const moderation = cfg.moderation !== null && cfg.moderation!.responses ? cfg.moderation : null;
    if (moderation !== null) inspector.texts = new Array<string>();
    const r = inspector.inspectDocument(doc);
    const blockedBy = r.blockedBy;
    if (blockedBy !== null) {
      if (this.cfg!.holdResponseHeaders) {
        this.sendBlock(blockedBy.id);
        return DataAction.StopIterationNoBuffer;
      }
      // The headers went on already: the body becomes the error.
      body.replace(this.blockBody());
      return DataAction.Continue;
    }
    const masked = r.body;
    if (masked !== null) body.replace(masked);
    const texts = inspector.texts;
    if (moderation === null || texts === null || texts.length == 0) return DataAction.Continue;
    this.moderatedBody = body;
    return this.moderate(moderation, texts.join("\n"), true);
  }

  /** Sends the windows that are due (all that is left at the end of the stream). */
  private sendWindows(m: StreamModeration, end: bool): void {
    let text = m.take(end);
    while (text !== null) {
      const call = new WindowModeration(this);
      const token = this.httpCall(m.cfg.cluster, moderationHeaders(m.cfg), moderationRequest(m.cfg, text), m.cfg.timeoutMs, call);
      if (token == 0) {
        const failed = new ModerationResult();
        failed.detail = "call refused (unknown cluster?)";
        this.windowModerated(failed);
      }
      text = m.take(end);
    }
  }

  /** A window's verdict arrived: record it; a flagged one ends the stream (now, if its end waits). */
  windowModerated(result: ModerationResult): void {
    const m = this.streamModeration!;
    const stop = m.result(result);
    this.record.completionModeration = m.verdict;
    const held = this.heldEnd;
    if (held < 0) return;
    if (stop) {
      // The held last chunk becomes the error event.
      const out = this.sse!.stop("moderation");
      setBufferFrom(BufferType.ResponseBody, 0, held, out.start, out.length);
      out.taken();
    } else if (m.inFlight > 0) {
      return;
    }
    this.heldEnd = -1;
    continueStream(StreamType.Response);
  }

  private parseOptions(): ParseOptions {
    return this.cfg!.parseOptions;
  }

  /** Answers with the block reply; `by` is the rule id (or "moderation"). */
  private sendBlock(by: string): void {
    const block = this.cfg!.block;
    this.replied = true;
    if (!this.record.blocked) this.record.block(by, false);
    const headers: Array<HeaderPair> = [new HeaderPair("x-content-audit", "block; rule=" + by)];
    const custom = block.body;
    if (custom !== null) {
      headers.push(new HeaderPair("content-type", block.contentType));
      sendLocalResponse(block.status, "content_blocked", String.UTF8.encode(custom), headers);
    } else if (this.mcp) {
      sendJsonRpcError(this.rpcId, RPC_CONTENT_BLOCKED, block.message, null, 200, headers);
    } else {
      sendOpenAiError(block.status, block.message, "invalid_request_error", "content_blocked", null, headers);
    }
  }

  /** The block reply's body, for a response whose headers already went out. */
  private blockBody(): ArrayBuffer {
    const block = this.cfg!.block;
    const custom = block.body;
    if (custom !== null) return String.UTF8.encode(custom);
    if (this.mcp) return jsonRpcErrorBody(this.rpcId, RPC_CONTENT_BLOCKED, block.message);
    return openAiErrorBody(block.message, "invalid_request_error", null, "content_blocked");
  }

  onLog(): void {
    const cfg = this.cfg;
    if (cfg === null || !this.inspected) return;
    const sse = this.sse;
    if (sse !== null && !sse.blocked) sse.feed(NO_BYTES, true).taken();
    this.facts.api = llmApiName(this.api);
    const w = eventWriter;
    w.reset();
    writeAuditEvent(w, this.facts, this.record, cfg.includeMatches);
    const event = w.sink.dataStart;
    const eventBytes = w.sink.length;
    setPropertyFrom(AUDIT_STATE_NAME, event, eventBytes);
    const metrics = this.audit.metrics;
    if (metrics !== null) {
      metrics.verdict(this.record.verdict).inc();
      for (let i = 0; i < this.record.counts.length; i++) {
        const c = unchecked(this.record.counts[i]);
        const counter = c.rule.matches;
        if (counter !== null) counter.inc(c.request + c.response);
      }
    }
    const collector = this.audit.collector;
    if (collector !== null) collector.push(String.UTF8.decodeUnsafe(event, eventBytes));
    // One event with many match samples must not keep a large buffer for good.
    if (eventBytes > MAX_KEPT_EVENT_BYTES) eventWriter = new JsonWriter(EVENT_CAPACITY);
  }
}

function isJson(contentType: string | null): bool {
  return contentType !== null && isJsonMediaType(contentType);
}

function isToolCall(root: JsonValue): bool {
  const method = root.get("method");
  return method !== null && method.textEquals("tools/call");
}

class WindowModeration extends ModerationCall {
  constructor(private stream: AuditStream) {
    super();
  }

  onResult(result: ModerationResult): void {
    this.stream.windowModerated(result);
  }
}

class BodyModeration extends ModerationCall {
  constructor(
    private stream: AuditStream,
    private response: bool,
  ) {
    super();
  }

  onResult(result: ModerationResult): void {
    this.stream.moderated(result, this.response);
  }
}
