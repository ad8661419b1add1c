// One request: hold the headers, buffer the body, decide, then apply the
// decision (model in the body, x-semantic-route / x-semantic-score headers,
// route cache cleared so Envoy's route table sees the header) and echo it on
// the response.
import { BodyBuffer, BodyOverflow, BodyState, dropContentLength, setContentLength } from "../common/body";
import { MatchInput } from "../common/config";
import { JsonDocument, JsonError, LlmApi, llmApiOfPath, LlmRequest, ParseResult, readLlmRequest, setFieldValue } from "../common/json";
import { parseShared } from "../common/json/shared-parse";
import { INVALID_REQUEST, sendError } from "../common/reply";
import { ByteBuf } from "../common/bytes";
import { clusterName, requestAuthority, requestPath, routeName } from "../common/properties";
import { clearRouteCache } from "../common/route";
import { DataAction, HeadersAction, HttpCallHandler, StreamContext, TrailersAction } from "../common/runtime/context";
import { BufferType, continueStream, getBuffer, getHeader, MapType, nowNanos, removeHeaderBytes, replaceHeaderBytes, setPropertyFrom, StreamType } from "../common/runtime/host";
import { LogLevel } from "../common/log";
import { Complexity } from "./complexity";
import { ModelPolicy, RouterConfig } from "./config";
import { decide, decideByEmbedding, Decision, Outcome, OUTCOME_NAMES } from "./decide";
import { EmbeddingCache, embeddingHeaders, embeddingRequest, EmbeddingsConfig, parseEmbeddings } from "./embeddings";
import { textToClassify } from "./input";
import { log, RouterRoot } from "./root";
import { decimal } from "../common/text/decimal";

export const ROUTE_HEADER = "x-semantic-route";
export const SCORE_HEADER = "x-semantic-score";
export const COMPLEXITY_HEADER = "x-semantic-complexity";

// What every request sends, encoded once.
const ROUTE_NAME = String.UTF8.encode(ROUTE_HEADER);
const SCORE_NAME = String.UTF8.encode(SCORE_HEADER);
const COMPLEXITY_NAME = String.UTF8.encode(COMPLEXITY_HEADER);
/** What `_rules_` match on, refilled by every request (select() keeps none of it). */
const MATCH = new MatchInput();
const STATE_NAME = String.UTF8.encode("semantic_router");
/** By Complexity value: any, simple, complex. */
const COMPLEXITY_VALUES: StaticArray<ArrayBuffer> = [String.UTF8.encode("any"), String.UTF8.encode("simple"), String.UTF8.encode("complex")];
const OUTCOME_VALUES = encodeAll(OUTCOME_NAMES);
const LINE_ROUTE = String.UTF8.encode("route=");
const LINE_OUTCOME = String.UTF8.encode(" outcome=");
const LINE_SCORE = String.UTF8.encode(" score=");
const LINE_COMPLEXITY = String.UTF8.encode(" complexity=");
const LINE_MODEL = String.UTF8.encode(" model=");
/** The decision line is written here (one stream decides at a time). */
const line = new ByteBuf(128);

function encodeAll(names: Array<string>): StaticArray<ArrayBuffer> {
  const out = new StaticArray<ArrayBuffer>(names.length);
  for (let i = 0; i < names.length; i++) out[i] = String.UTF8.encode(names[i]);
  return out;
}

/** A score in [0, 1] with three decimals ("0.734"), as UTF-8. */
export function scoreBytes(s: f64): ArrayBuffer {
  const milli = <i32>Math.round(s * 1000);
  const clamped = milli < 0 ? 0 : milli > 1000 ? 1000 : milli;
  const out = new ArrayBuffer(5);
  const at = changetype<usize>(out);
  store<u8>(at, <u8>(0x30 + clamped / 1000));
  store<u8>(at, 0x2e, 1);
  store<u8>(at, <u8>(0x30 + (clamped / 100) % 10), 2);
  store<u8>(at, <u8>(0x30 + (clamped / 10) % 10), 3);
  store<u8>(at, <u8>(0x30 + clamped % 10), 4);
  return out;
}

function complexityValue(c: Complexity): ArrayBuffer {
  return COMPLEXITY_VALUES[<i32>c];
}

export class RouterStream extends StreamContext {
  private cfg: RouterConfig | null = null;
  private body: BodyBuffer | null = null;
  private api: LlmApi = LlmApi.Unknown;
  private decision: Decision | null = null;
  /** scoreBytes() of `scored`, made once for the headers both ways and the decision line. */
  private scoreText: ArrayBuffer = new ArrayBuffer(0);
  private scored: Decision | null = null;
  private started: u64 = 0;

  constructor(id: u32, public router: RouterRoot) {
    super(id, router);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    // A client never chooses the route by sending the header itself.
    removeHeaderBytes(MapType.RequestHeaders, ROUTE_NAME);
    removeHeaderBytes(MapType.RequestHeaders, SCORE_NAME);
    removeHeaderBytes(MapType.RequestHeaders, COMPLEXITY_NAME);
    const rules = this.router.rules;
    if (rules === null) return HeadersAction.Continue;
    const path = requestPath();
    // Properties cost a host lookup each: only `_rules_` match on route, domain and service.
    const input = MATCH;
    input.path = orEmpty(path);
    const ruled = rules.rules.length > 0;
    input.route = ruled ? orEmpty(routeName()) : "";
    input.domain = ruled ? orEmpty(requestAuthority()) : "";
    input.service = ruled ? orEmpty(clusterName()) : "";
    const cfg = rules.select(input);
    if (cfg === null || endOfStream) return HeadersAction.Continue;
    this.cfg = cfg;
    this.api = llmApiOfPath(orEmpty(path));
    const limit = <u32>cfg.maxBodyBytes;
    this.body = new BodyBuffer(BufferType.RequestBody, limit, BodyOverflow.Pass);
    dropContentLength(BufferType.RequestBody);
    return HeadersAction.StopIteration;
  }

  onRequestBody(size: u32, endOfStream: bool): DataAction {
    const body = this.body;
    if (body === null || this.decision !== null) return DataAction.Continue;
    this.started = nowNanos();
    const state = body.onBody(size, endOfStream);
    return this.afterBody(body, state);
  }

  onRequestTrailers(numTrailers: u32): TrailersAction {
    const body = this.body;
    if (body === null || this.decision !== null) return TrailersAction.Continue;
    this.started = nowNanos();
    // Waiting for the embedding service, or answered locally: hold the trailers too.
    return this.afterBody(body, body.onTrailers()) == DataAction.Continue ? TrailersAction.Continue : TrailersAction.StopIteration;
  }

  private afterBody(body: BodyBuffer, state: BodyState): DataAction {
    const cfg = this.cfg;
    if (cfg === null) return DataAction.Continue;
    if (state == BodyState.Buffering) return DataAction.StopIterationAndBuffer;
    if (state == BodyState.Passing) {
      this.apply(new Decision(cfg.fallback, Outcome.TooLarge, 0));
      return DataAction.Continue;
    }
    const bytes = body.read();
    let parsed: ParseResult | null = null;
    let doc: JsonDocument | null = null;
    let req: LlmRequest | null = null;
    if (bytes !== null) {
      parsed = parseShared(this.id, bytes, cfg.parseOptions);
      doc = parsed.doc;
      if (doc !== null) req = readLlmRequest(doc, this.api);
    }
    if (doc === null || req === null || req.messages.length == 0) {
      const why = invalidReason(parsed === null ? null : parsed.error, doc !== null);
      if (cfg.rejectInvalid) {
        this.finish(new Decision(cfg.fallback, Outcome.Rejected, 0));
        sendError(INVALID_REQUEST, "semantic-router: " + why);
        return DataAction.StopIterationNoBuffer;
      }
      this.apply(new Decision(cfg.fallback, Outcome.Invalid, 0));
      setContentLength(BufferType.RequestBody, body.size);
      return DataAction.Continue;
    }
    const model = req.model;
    if (cfg.policy == ModelPolicy.Sentinel && (model === null || !cfg.sentinels.includes(model))) {
      this.finish(new Decision(cfg.fallback, Outcome.ClientModel, 0));
      setContentLength(BufferType.RequestBody, body.size);
      return DataAction.Continue;
    }
    const text = textToClassify(req, cfg.input);
    let d = decide(cfg, text);
    const emb = cfg.embeddings;
    if (emb !== null && text.length > 0 && d.outcome != Outcome.Keyword) {
      const settled = this.askEmbeddings(cfg, emb, text, d, doc, model);
      if (settled === null) return DataAction.StopIterationAndBuffer;
      d = settled;
    }
    this.route(cfg, d, doc, model);
    return DataAction.Continue;
  }

  /** Rewrites the body's model for `d`, sets the headers and the final content-length. */
  private route(cfg: RouterConfig, d: Decision, doc: JsonDocument, model: string | null): void {
    const body = this.body;
    if (body === null) return;
    let newBody: ArrayBuffer | null = null;
    const target = d.target.model;
    if (target.length > 0 && (model === null || model != target)) newBody = setFieldValue(doc, doc.root, "model", d.target.modelJson);
    this.apply(d);
    if (newBody !== null) body.replace(newBody);
    setContentLength(BufferType.RequestBody, body.size);
  }

  /**
   * Scores the routes using embeddings: the decision when every vector is
   * cached or the call could not be made (the caller applies it), null when
   * the request waits for the service (onEmbeddings applies the decision).
   */
  private askEmbeddings(cfg: RouterConfig, emb: EmbeddingsConfig, text: string, local: Decision, doc: JsonDocument, model: string | null): Decision | null {
    const cache = this.router.embeddingCache;
    const inputs = new Array<string>();
    if (cache.get(text) === null) inputs.push(text);
    for (let i = 0; i < cfg.routes.length; i++) {
      const r = cfg.routes[i];
      if (!r.embeddings) continue;
      for (let j = 0; j < r.examples.length; j++) if (cache.get(r.examples[j]) === null && !inputs.includes(r.examples[j])) inputs.push(r.examples[j]);
    }
    const stats = this.router.stats;
    if (inputs.length == 0) {
      if (stats !== null) stats.embeddingCalls.with(["cached"]).inc();
      return embeddingDecision(cfg, cache, text, local);
    }
    const call = new EmbeddingCall(this, cfg, text, inputs, local, doc, model);
    const token = this.httpCall(emb.cluster, embeddingHeaders(emb), embeddingRequest(emb, inputs), emb.timeoutMs, call);
    if (token != 0) return null;
    if (stats !== null) stats.embeddingCalls.with(["failed"]).inc();
    return local;
  }

  /** The embedding service answered (numHeaders 0: the call failed): decide, apply, let the request go. */
  onEmbeddings(call: EmbeddingCall, numHeaders: u32, bodySize: u32): void {
    const cache = this.router.embeddingCache;
    let vectors: Array<Float64Array> | null = null;
    if (numHeaders > 0) {
      const status = getHeader(MapType.HttpCallResponseHeaders, ":status");
      const answer = status !== null && status == "200" ? getBuffer(BufferType.HttpCallResponseBody, 0, bodySize) : null;
      if (answer !== null) vectors = parseEmbeddings(answer, call.inputs.length);
    }
    let d = call.local;
    const stats = this.router.stats;
    if (vectors !== null) {
      for (let i = 0; i < vectors.length; i++) cache.put(call.inputs[i], vectors[i], call.inputs[i] != call.text);
      d = embeddingDecision(call.cfg, cache, call.text, call.local);
      if (stats !== null) stats.embeddingCalls.with(["ok"]).inc();
    } else if (stats !== null) {
      stats.embeddingCalls.with(["failed"]).inc();
    }
    this.route(call.cfg, d, call.doc, call.model);
    continueStream(StreamType.Request);
  }

  /** Sets the route headers for `d` and re-resolves Envoy's route. */
  private apply(d: Decision): void {
    replaceHeaderBytes(MapType.RequestHeaders, ROUTE_NAME, d.target.headerBytes);
    replaceHeaderBytes(MapType.RequestHeaders, SCORE_NAME, this.scoreOf(d));
    if (d.complexity != 0) replaceHeaderBytes(MapType.RequestHeaders, COMPLEXITY_NAME, complexityValue(d.complexity));
    clearRouteCache();
    this.finish(d);
  }

  private scoreOf(d: Decision): ArrayBuffer {
    if (this.scored !== d) {
      this.scoreText = scoreBytes(d.score);
      this.scored = d;
    }
    return this.scoreText;
  }

  private finish(d: Decision): void {
    this.decision = d;
    const micros = (nowNanos() - this.started) / 1000;
    const stats = this.router.stats;
    if (stats !== null) stats.record(d, micros);
    // e.g. "route=finance outcome=semantic score=0.412 complexity=simple model=demo-finance"
    line.clear();
    line.pushBuffer(LINE_ROUTE);
    line.pushBuffer(d.target.nameBytes);
    line.pushBuffer(LINE_OUTCOME);
    line.pushBuffer(OUTCOME_VALUES[<i32>d.outcome]);
    line.pushBuffer(LINE_SCORE);
    line.pushBuffer(this.scoreOf(d));
    line.pushBuffer(LINE_COMPLEXITY);
    line.pushBuffer(complexityValue(d.complexity));
    line.pushBuffer(LINE_MODEL);
    line.pushBuffer(d.target.modelBytes);
    setPropertyFrom(STATE_NAME, line.dataStart, line.length);
    if (log.isEnabled(LogLevel.Debug)) log.debug("decision " + line.toText() + " us=" + decimal(micros));
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    const d = this.decision;
    if (d === null || d.outcome == Outcome.ClientModel || d.outcome == Outcome.Rejected) return HeadersAction.Continue;
    replaceHeaderBytes(MapType.ResponseHeaders, ROUTE_NAME, d.target.headerBytes);
    replaceHeaderBytes(MapType.ResponseHeaders, SCORE_NAME, this.scoreOf(d));
    return HeadersAction.Continue;
  }
}

/** The embedding decision for `text` when there is one, else `local`. */
function embeddingDecision(cfg: RouterConfig, cache: EmbeddingCache, text: string, local: Decision): Decision {
  const q = cache.get(text);
  if (q === null) return local;
  const d = decideByEmbedding(cfg, q, local, cache);
  return d === null ? local : d;
}

function invalidReason(error: JsonError | null, parsed: bool): string {
  if (parsed) return "the body has no messages";
  return error === null ? "the body could not be read" : "the body is not valid JSON (" + error.toString() + ")";
}

function orEmpty(s: string | null): string {
  return s === null ? "" : s;
}

/** A pending call to the embedding service for one request. */
class EmbeddingCall extends HttpCallHandler {
  constructor(
    public stream: RouterStream,
    public cfg: RouterConfig,
    public text: string,
    public inputs: Array<string>,
    public local: Decision,
    public doc: JsonDocument,
    public model: string | null,
  ) {
    super();
  }

  onResponse(numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    this.stream.onEmbeddings(this, numHeaders, bodySize);
  }
}
