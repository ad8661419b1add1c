// One request: hold the headers, buffer the body, decide, then apply the
// decision (model in the body, x-semantic-route / x-semantic-score headers,
// route cache cleared so Envoy's route table sees the header) and echo it on
// the response.
import { BodyBuffer, BodyOverflow, BodyState, dropContentLength } from "../common/body";
import { MatchInput } from "../common/config";
import { JsonDocument, JsonError, LlmApi, llmApiOfPath, LlmRequest, ParseResult, ParseOptions, quoteJson, readLlmRequest, setTopLevelFieldText } from "../common/json";
import { parseShared } from "../common/json/shared-parse";
import { INVALID_REQUEST, sendError } from "../common/reply";
import { setFilterState, clusterName, requestAuthority, requestPath, routeName } from "../common/properties";
import { clearRouteCache } from "../common/route";
import { DataAction, HeadersAction, HttpCallHandler, StreamContext, TrailersAction } from "../common/runtime/context";
import { BufferType, continueStream, getBuffer, getHeader, MapType, nowNanos, removeHeader, replaceHeader, StreamType } from "../common/runtime/host";
import { LogLevel } from "../common/log";
import { complexityName } from "./complexity";
import { ModelPolicy, RouterConfig } from "./config";
import { decide, decideByEmbedding, Decision, Outcome } from "./decide";
import { EmbeddingCache, embeddingHeaders, embeddingRequest, EmbeddingsConfig, parseEmbeddings } from "./embeddings";
import { textToClassify } from "./input";
import { log, RouterRoot } from "./root";

export const ROUTE_HEADER = "x-semantic-route";
export const SCORE_HEADER = "x-semantic-score";
export const COMPLEXITY_HEADER = "x-semantic-complexity";
const STATE_NAME = "semantic_router";

/** A score in [0, 1] with three decimals ("0.734"). */
export function formatScore(s: f64): string {
  const milli = <i32>Math.round(s * 1000);
  const clamped = milli < 0 ? 0 : milli > 1000 ? 1000 : milli;
  const frac = (clamped % 1000).toString();
  return (clamped / 1000).toString() + "." + "000".substring(frac.length) + frac;
}

export class RouterStream extends StreamContext {
  private cfg: RouterConfig | null = null;
  private body: BodyBuffer | null = null;
  private api: LlmApi = LlmApi.Unknown;
  private decision: Decision | null = null;
  /** formatScore() of `scored`, made once for the headers both ways and the decision line. */
  private scoreText: string = "";
  private scored: Decision | null = null;
  private started: u64 = 0;

  constructor(id: u32, public router: RouterRoot) {
    super(id, router);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    // A client never chooses the route by sending the header itself.
    removeHeader(MapType.RequestHeaders, ROUTE_HEADER);
    removeHeader(MapType.RequestHeaders, SCORE_HEADER);
    removeHeader(MapType.RequestHeaders, COMPLEXITY_HEADER);
    const rules = this.router.rules;
    if (rules === null) return HeadersAction.Continue;
    const path = requestPath();
    // Properties cost a host lookup each: only `_rules_` match on route, domain and service.
    const input = new MatchInput("", "", "", orEmpty(path));
    if (rules.rules.length > 0) {
      input.route = orEmpty(routeName());
      input.domain = orEmpty(requestAuthority());
      input.service = orEmpty(clusterName());
    }
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
      parsed = parseShared(this.id, bytes, new ParseOptions(64, <i32>cfg.maxBodyBytes));
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
      setContentLength(body.size);
      return DataAction.Continue;
    }
    const model = req.model;
    if (cfg.policy == ModelPolicy.Sentinel && (model === null || !cfg.sentinels.includes(model))) {
      this.finish(new Decision(cfg.fallback, Outcome.ClientModel, 0));
      setContentLength(body.size);
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
    if (target.length > 0 && (model === null || model != target)) newBody = setTopLevelFieldText(doc, "model", quoteJson(target));
    this.apply(d);
    if (newBody !== null) body.replace(newBody);
    setContentLength(body.size);
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
    replaceHeader(MapType.RequestHeaders, ROUTE_HEADER, d.target.header);
    replaceHeader(MapType.RequestHeaders, SCORE_HEADER, this.scoreOf(d));
    if (d.complexity != 0) replaceHeader(MapType.RequestHeaders, COMPLEXITY_HEADER, complexityName(d.complexity));
    clearRouteCache();
    this.finish(d);
  }

  private scoreOf(d: Decision): string {
    if (this.scored !== d) {
      this.scoreText = formatScore(d.score);
      this.scored = d;
    }
    return this.scoreText;
  }

  private finish(d: Decision): void {
    this.decision = d;
    const micros = (nowNanos() - this.started) / 1000;
    const stats = this.router.stats;
    if (stats !== null) stats.record(d, micros);
    const line = ["route=", d.target.name, " outcome=", d.outcomeName, " score=", this.scoreOf(d), " complexity=", complexityName(d.complexity), " model=", d.target.model.length > 0 ? d.target.model : "-"].join("");
    setFilterState(STATE_NAME, line);
    if (log.isEnabled(LogLevel.Debug)) log.debug("decision " + line + " us=" + micros.toString());
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    const d = this.decision;
    if (d === null || d.outcome == Outcome.ClientModel || d.outcome == Outcome.Rejected) return HeadersAction.Continue;
    replaceHeader(MapType.ResponseHeaders, ROUTE_HEADER, d.target.header);
    replaceHeader(MapType.ResponseHeaders, SCORE_HEADER, this.scoreOf(d));
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

/** The headers callback dropped content-length so the body could change; the final length goes back before the headers leave. */
function setContentLength(size: u32): void {
  replaceHeader(MapType.RequestHeaders, "content-length", size.toString());
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
