// One request: hold the headers, buffer the body, decide, then apply the
// decision (model in the body, x-semantic-route / x-semantic-score headers,
// route cache cleared so Envoy's route table sees the header) and echo it on
// the response.
import { BodyBuffer, BodyOverflow, BodyState, dropContentLength } from "../common/body";
import { MatchInput } from "../common/config";
import { JsonDocument, JsonError, LlmApi, LlmRequest, parseJson, ParseResult, ParseOptions, quoteJson, readLlmRequest, setTopLevelFieldText } from "../common/json";
import { INVALID_REQUEST, sendError } from "../common/reply";
import { setFilterState, clusterName, requestAuthority, requestPath, routeName } from "../common/properties";
import { clearRouteCache } from "../common/route";
import { DataAction, HeadersAction, StreamContext, TrailersAction } from "../common/runtime/context";
import { BufferType, MapType, nowNanos, removeHeader, replaceHeader } from "../common/runtime/host";
import { LogLevel } from "../common/log";
import { complexityName } from "./complexity";
import { ModelPolicy, RouterConfig } from "./config";
import { decide, Decision, Outcome } from "./decide";
import { apiForPath, textToClassify } from "./input";
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
    const input = new MatchInput(orEmpty(routeName()), orEmpty(requestAuthority()), orEmpty(clusterName()), orEmpty(path));
    const cfg = rules.select(input);
    if (cfg === null || endOfStream) return HeadersAction.Continue;
    this.cfg = cfg;
    this.api = apiForPath(orEmpty(path));
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
    this.afterBody(body, body.onTrailers());
    return TrailersAction.Continue;
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
      parsed = parseJson(bytes, new ParseOptions(64, <i32>cfg.maxBodyBytes));
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
    const d = decide(cfg, textToClassify(req, cfg.input));
    let newBody: ArrayBuffer | null = null;
    const target = d.target.model;
    if (target.length > 0 && (model === null || model != target)) newBody = setTopLevelFieldText(doc, "model", quoteJson(target));
    this.apply(d);
    if (newBody !== null) body.replace(newBody);
    setContentLength(body.size);
    return DataAction.Continue;
  }

  /** Sets the route headers for `d` and re-resolves Envoy's route. */
  private apply(d: Decision): void {
    replaceHeader(MapType.RequestHeaders, ROUTE_HEADER, d.target.header);
    replaceHeader(MapType.RequestHeaders, SCORE_HEADER, formatScore(d.score));
    if (d.complexity != 0) replaceHeader(MapType.RequestHeaders, COMPLEXITY_HEADER, complexityName(d.complexity));
    clearRouteCache();
    this.finish(d);
  }

  private finish(d: Decision): void {
    this.decision = d;
    const micros = (nowNanos() - this.started) / 1000;
    const stats = this.router.stats;
    if (stats !== null) stats.record(d, micros);
    const line = "route=" + d.target.name + " outcome=" + d.outcomeName + " score=" + formatScore(d.score) + " complexity=" + complexityName(d.complexity) + " model=" + (d.target.model.length > 0 ? d.target.model : "-");
    setFilterState(STATE_NAME, line);
    if (log.isEnabled(LogLevel.Debug)) log.debug("decision " + line + " us=" + micros.toString());
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    const d = this.decision;
    if (d === null || d.outcome == Outcome.ClientModel || d.outcome == Outcome.Rejected) return HeadersAction.Continue;
    replaceHeader(MapType.ResponseHeaders, ROUTE_HEADER, d.target.header);
    replaceHeader(MapType.ResponseHeaders, SCORE_HEADER, formatScore(d.score));
    return HeadersAction.Continue;
  }
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
