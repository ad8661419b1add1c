// One request through the filter: read the keys when the headers arrive,
// estimate and reserve when the body is complete (locally or with the rate
// limit service), follow the response to its usage, settle at its end (or
// when the stream ends early: client gone, upstream reset).
import { BodyBuffer, BodyOverflow, BodyState, dropContentLength } from "../common/body";
import { MatchInput } from "../common/config";
import { LlmApi, llmApiOfPath } from "../common/json";
import { clusterName, routeName, setFilterState, setFilterStateBytes, sourceAddress } from "../common/properties";
import { RATE_LIMITED, sendError, sendOpenAiError } from "../common/reply";
import { isEventStream } from "../common/text/media-type";
import { Tokenizer } from "../common/token-estimate";
import { DataAction, HeadersAction, HttpCallHandler, StreamContext, TrailersAction } from "../common/runtime/context";
import {
  BufferType,
  continueStream,
  getBuffer,
  getHeader,
  getHeaderBytes,
  getHeaders,
  HeaderPair,
  MapType,
  nowMillis,
  removeHeaderBytes,
  setBuffer,
  StreamType,
} from "../common/runtime/host";
import { admitLocal, Charge, Decision } from "./admission";
import { FilterConfig, LimitConfig } from "./config";
import { Descriptor, readServiceAnswer, serviceRequestBody } from "./fleet";
import { identityFor, RequestFacts } from "./identity";
import { settle } from "./local-store";
import { addQuotaHeaders, Quota, quotaHeaders, retryAfterSeconds } from "./rate-headers";
import { readRequest } from "./request-view";
import { FILTER_NAME, serviceHeaders, TokenLimitRoot } from "./root";
import { Settlement, settlementOf, stateJson } from "./settlement";
import { UsageMeter } from "./usage-meter";
import { decimal } from "../common/text/decimal";

/** Without _rules_ the configuration does not depend on the request. */
const NO_MATCH_INPUT = new MatchInput();
const NO_CHARGES = new Array<Charge>(0);
const NO_QUOTA = new Quota();
// Header names read on every request, encoded once.
const PATH = String.UTF8.encode(":path");
const STATUS = String.UTF8.encode(":status");
const CONTENT_TYPE = String.UTF8.encode("content-type");
const ACCEPT_ENCODING = String.UTF8.encode("accept-encoding");

enum Phase {
  /** No configuration applies, or nothing to count: the filter stays out of the way. */
  Off = 0,
  ReadingBody = 1,
  AskingService = 2,
  Admitted = 3,
  Replied = 4,
  Settled = 5,
}

export class TokenLimitStream extends StreamContext {
  owner: TokenLimitRoot;
  cfg: FilterConfig | null = null;
  phase: Phase = Phase.Off;
  facts: RequestFacts = new RequestFacts();
  pathApi: LlmApi = LlmApi.Unknown;
  body: BodyBuffer | null = null;
  /** Limits that apply to this request and their budget identities. */
  limits: Array<LimitConfig> = new Array<LimitConfig>();
  identities: Array<string> = new Array<string>();
  promptEstimate: i64 = 0;
  tokenizer: Tokenizer = Tokenizer.Either;
  reserved: i64 = 0;
  injectedUsage: bool = false;
  charges: Array<Charge> = NO_CHARGES;
  /** Set at admission. */
  quota: Quota = NO_QUOTA;
  meter: UsageMeter | null = null;
  status: i32 = 0;
  /** What the access log sees as filter state wasm.token_ratelimit. */
  outcome: string = "";
  settlement: Settlement | null = null;

  constructor(id: u32, root: TokenLimitRoot) {
    super(id, root);
    this.owner = root;
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    // Properties cost a host lookup each: read only what the configuration uses.
    const owner = this.owner;
    let route: string | null = null;
    let cfg: FilterConfig | null;
    if (owner.hasRules) {
      route = routeName();
      const authority = getHeader(MapType.RequestHeaders, ":authority");
      const cluster = clusterName();
      cfg = owner.select(new MatchInput(orEmpty(route), orEmpty(authority), orEmpty(cluster)));
    } else {
      cfg = owner.select(NO_MATCH_INPUT);
    }
    if (cfg === null || endOfStream) return HeadersAction.Continue;
    this.cfg = cfg;
    const f = this.facts;
    f.path = orEmpty(getHeaderBytes(MapType.RequestHeaders, PATH));
    if (cfg.needsRoute) f.route = orEmpty(route === null ? routeName() : route);
    if (cfg.needsPeer) f.peerAddress = orEmpty(sourceAddress());
    for (let i = 0; i < cfg.neededHeaders.length; i++) {
      const name = cfg.neededHeaders[i];
      f.headerNames.push(name);
      f.headerValues.push(name == cfg.clientIpHeader ? everyLine(name) : getHeader(MapType.RequestHeaders, name));
    }
    if (!mayApply(cfg, f)) return HeadersAction.Continue;
    // The usage is read from the response: ask the upstream for it uncompressed.
    removeHeaderBytes(MapType.RequestHeaders, ACCEPT_ENCODING);
    this.pathApi = llmApiOfPath(f.path);
    const body = new BodyBuffer(BufferType.RequestBody, cfg.maxRequestBytes, BodyOverflow.Reject);
    this.body = body;
    this.phase = Phase.ReadingBody;
    if (cfg.holdRequestHeaders) {
      // Held until admission (allow_on_headers_stop_iteration): a denied
      // request never reaches the upstream, and content-length only changes
      // when stream_options is added.
      body.headersHeld = true;
      return HeadersAction.StopIteration;
    }
    // Headers go on now (without allow_on_headers_stop_iteration Envoy would
    // not call the body callbacks while they are held); the body is held
    // until admission, and a denial resets the upstream request before it
    // has a body. A body that may get stream_options must lose content-length.
    if (cfg.includeUsage && (this.pathApi == LlmApi.OpenAIChat || this.pathApi == LlmApi.Unknown)) dropContentLength(BufferType.RequestBody);
    return HeadersAction.Continue;
  }

  onRequestBody(size: u32, endOfStream: bool): DataAction {
    const body = this.body;
    if (body === null || this.phase != Phase.ReadingBody) return this.phase == Phase.AskingService ? DataAction.StopIterationAndBuffer : DataAction.Continue;
    const state = body.onBody(size, endOfStream);
    if (state == BodyState.TooLarge) {
      this.phase = Phase.Replied;
      this.outcome = "rejected:body_too_large";
      body.sendReject();
      return body.action();
    }
    if (state != BodyState.Complete) return body.action();
    return this.admit(body);
  }

  onRequestTrailers(numTrailers: u32): TrailersAction {
    const body = this.body;
    if (body === null || this.phase != Phase.ReadingBody) return this.phase == Phase.AskingService ? TrailersAction.StopIteration : TrailersAction.Continue;
    const state = body.onTrailers();
    if (state == BodyState.TooLarge) {
      this.phase = Phase.Replied;
      body.sendReject();
      return TrailersAction.StopIteration;
    }
    return this.admit(body) == DataAction.Continue ? TrailersAction.Continue : TrailersAction.StopIteration;
  }

  /** The body is complete: estimate, pick the limits, reserve. */
  private admit(body: BodyBuffer): DataAction {
    const cfg = this.cfg!;
    const bytes = body.read();
    const view = readRequest(this.id, bytes === null ? new ArrayBuffer(0) : bytes, this.pathApi, cfg.includeUsage);
    const metrics = this.owner.metrics!;
    if (view.notJson) metrics.unreadableRequests.inc();
    const rewritten = view.rewritten;
    if (rewritten !== null && body.replace(rewritten) == 0) this.injectedUsage = true;
    this.facts.model = view.model;
    for (let i = 0; i < cfg.limits.length; i++) {
      const id = identityFor(cfg.limits[i], cfg, this.facts);
      if (id === null) continue;
      this.limits.push(cfg.limits[i]);
      this.identities.push(id);
    }
    if (this.limits.length == 0) {
      this.phase = Phase.Off;
      return DataAction.Continue;
    }
    this.promptEstimate = view.promptEstimate;
    this.tokenizer = view.tokenizer;
    const service = cfg.service;
    if (service !== null) {
      // The service cannot give tokens back (hits_addend is unsigned): admission
      // takes the prompt estimate only, settlement adds what the request used beyond it.
      this.reserved = view.promptEstimate;
      const call = new AdmissionCall(this);
      const sent = this.httpCall(service.cluster, serviceHeaders(service), serviceRequestBody(service.domain, this.descriptors(), this.reserved), service.timeoutMs, call);
      if (sent == 0) return this.onServiceFailure("the rate limit service cluster is unknown");
      this.phase = Phase.AskingService;
      return DataAction.StopIterationAndBuffer;
    }
    // With n > 1 each completion may use the cap (or the reserve).
    const cap = view.maxTokens >= 0 ? view.maxTokens * view.choices : -1;
    const d = admitLocal(this.limits, this.identities, view.promptEstimate, cap, cfg.completionReserve * view.choices, <i64>nowMillis());
    return this.decided(d);
  }

  private decided(d: Decision): DataAction {
    const metrics = this.owner.metrics!;
    const untracked = d.untracked;
    if (untracked !== null) for (let i = 0; i < untracked.length; i++) untracked[i].counters!.untracked.inc();
    const denied = d.denied;
    if (!d.admitted && denied !== null) {
      this.deny(denied.name, d.quota);
      return DataAction.StopIterationNoBuffer;
    }
    this.charges = d.charges;
    for (let i = 0; i < d.charges.length; i++) if (d.charges[i].amount > this.reserved) this.reserved = d.charges[i].amount;
    this.quota = d.quota;
    this.phase = Phase.Admitted;
    for (let i = 0; i < this.limits.length; i++) this.limits[i].counters!.admitted.inc();
    return DataAction.Continue;
  }

  private deny(limitName: string, quota: Quota): void {
    const limited = this.limitNamed(limitName);
    if (limited !== null) limited.counters!.limited.inc();
    this.phase = Phase.Replied;
    this.outcome = "limited:" + limitName;
    const headers = quotaHeaders(quota.limit, 0, quota.resetMs);
    const retry = retryAfterSeconds(quota.retryMs);
    headers.push(new HeaderPair("retry-after", decimal(retry)));
    const msg = "token rate limit exceeded for \"" + limitName + "\"" + (quota.limit >= 0 ? " (" + decimal(quota.limit) + " tokens per window)" : "") + "; retry after " + decimal(retry) + "s";
    sendError(RATE_LIMITED, msg, headers);
  }

  descriptors(): Array<Descriptor> {
    const out = new Array<Descriptor>();
    for (let i = 0; i < this.limits.length; i++) {
      const l = this.limits[i];
      for (let w = 0; w < l.windows.length; w++) out.push(new Descriptor(l.name + "_" + l.windows[w].name, this.identities[i]));
    }
    return out;
  }

  /** The rate limit service answered (or failed): admit, deny, or apply the failure mode. */
  onServiceAnswer(numHeaders: u32, bodySize: u32): void {
    if (this.phase != Phase.AskingService) return;
    let status: i32 = 0;
    if (numHeaders > 0) {
      const s = getHeader(MapType.HttpCallResponseHeaders, ":status");
      status = s === null ? 0 : I32.parseInt(s);
    }
    const answer = readServiceAnswer(status, getBuffer(BufferType.HttpCallResponseBody, 0, bodySize));
    if (!answer.ok) {
      this.onServiceFailure(numHeaders == 0 ? "the call failed" : answer.problem);
      if (this.phase == Phase.Admitted || this.phase == Phase.Off) continueStream(StreamType.Request);
      return;
    }
    const q = new Quota();
    q.limit = answer.limit;
    q.remaining = answer.remaining;
    q.resetMs = answer.resetMs;
    q.retryMs = answer.resetMs;
    if (answer.overLimit) {
      this.deny(this.overLimitName(), q);
      return;
    }
    this.quota = q;
    this.phase = Phase.Admitted;
    const metrics = this.owner.metrics!;
    for (let i = 0; i < this.limits.length; i++) this.limits[i].counters!.admitted.inc();
    continueStream(StreamType.Request);
  }

  private limitNamed(name: string): LimitConfig | null {
    for (let i = 0; i < this.limits.length; i++) if (this.limits[i].name == name) return this.limits[i];
    return null;
  }

  private overLimitName(): string {
    return this.limits.length == 1 ? this.limits[0].name : "ratelimit_service";
  }

  private onServiceFailure(why: string): DataAction {
    const cfg = this.cfg!;
    this.owner.metrics!.serviceErrors.inc();
    const service = cfg.service!;
    if (service.failureMode == "deny") {
      this.phase = Phase.Replied;
      this.outcome = "service_unavailable";
      sendOpenAiError(503, "the token rate limit service is unavailable (" + why + ")", "server_error", "rate_limit_service_unavailable");
      return DataAction.StopIterationNoBuffer;
    }
    // Fail open: forward and count nothing (there is nowhere to count it).
    this.phase = Phase.Off;
    this.outcome = "service_unavailable:allowed";
    return DataAction.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    if (this.phase != Phase.Admitted) return HeadersAction.Continue;
    const status = getHeaderBytes(MapType.ResponseHeaders, STATUS);
    this.status = status === null ? 0 : I32.parseInt(status);
    const type = getHeaderBytes(MapType.ResponseHeaders, CONTENT_TYPE);
    const streaming = type !== null && isEventStream(type);
    const cfg = this.cfg!;
    this.meter = new UsageMeter(streaming, <i32>cfg.maxResponseBytes, this.injectedUsage && streaming, this.tokenizer);
    if (cfg.responseHeaders) {
      const q = this.quota;
      addQuotaHeaders(q.limit, q.remaining, q.resetMs);
    }
    if (endOfStream) this.settle(true);
    return HeadersAction.Continue;
  }

  onResponseBody(size: u32, endOfStream: bool): DataAction {
    const meter = this.meter;
    if (this.phase != Phase.Admitted || meter === null) return DataAction.Continue;
    if (size > 0 || endOfStream) {
      const chunk = size > 0 ? getBuffer(BufferType.ResponseBody, 0, size) : new ArrayBuffer(0);
      if (chunk !== null) {
        const replacement = meter.feed(chunk, endOfStream);
        if (replacement !== null) setBuffer(BufferType.ResponseBody, 0, size, replacement);
      }
    }
    if (endOfStream) this.settle(true);
    return DataAction.Continue;
  }

  onResponseTrailers(numTrailers: u32): TrailersAction {
    if (this.phase == Phase.Admitted) this.settle(true);
    return TrailersAction.Continue;
  }

  onLog(): void {
    // The stream ended without the response's end: client gone or upstream reset.
    if (this.phase == Phase.Admitted) this.settle(false);
    // Written as bytes: the JSON is built as UTF-8 and goes to the host as is.
    const s = this.settlement;
    if (s !== null) setFilterStateBytes("token_ratelimit", stateJson(s, this.reserved));
    else if (this.outcome.length > 0) setFilterState("token_ratelimit", this.outcome);
  }

  /** Counts the actual (or estimated) usage against every limit the request drew from. */
  private settle(complete: bool): void {
    this.phase = Phase.Settled;
    const meter = this.meter;
    if (meter !== null) meter.finish();
    const s = settlementOf(meter, this.status, this.promptEstimate, complete);
    this.settlement = s;
    const cfg = this.cfg!;
    const metrics = this.owner.metrics!;
    if (meter !== null && meter.rejectedUsage) metrics.rejectedUsage.inc();
    for (let i = 0; i < this.limits.length; i++) {
      const c = this.limits[i].counters!;
      c.promptTokens.inc(s.input);
      c.completionTokens.inc(s.output);
      if (s.estimated) {
        c.estimatedRequests.inc();
        c.estimatedTokens.inc(s.estimatedTokens);
      }
    }
    const service = cfg.service;
    if (service !== null) {
      // Only the prompt estimate was taken at admission: add the rest.
      const rest = s.total() - this.reserved;
      if (rest > 0) this.owner.settleWithService(service, this.descriptors(), rest);
      return;
    }
    // The budget's peak learns from completions that were produced (not from failed or unanswered requests).
    const completion: i64 = s.source == "usage" || s.source == "estimate" ? s.output : -1;
    const now = <i64>nowMillis();
    for (let i = 0; i < this.charges.length; i++) {
      const c = this.charges[i];
      settle(c.limit, c.identity, c.slot, c.amount, s.total(), completion, c.admittedMs, now);
    }
  }
}

class AdmissionCall extends HttpCallHandler {
  constructor(public stream: TokenLimitStream) {
    super();
  }

  onResponse(numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    this.stream.onServiceAnswer(numHeaders, bodySize);
  }
}

export { FILTER_NAME };

function orEmpty(s: string | null): string {
  return s === null ? "" : s;
}

/**
 * Every line of request header `name` joined with "," as one field (RFC 9110
 * 5.3), or null. A host's single-value lookup gives only the first line: a
 * client could put its own line before the one the trusted proxy appended.
 */
function everyLine(name: string): string | null {
  const pairs = getHeaders(MapType.RequestHeaders);
  let out: string | null = null;
  for (let i = 0; i < pairs.length; i++) {
    if (pairs[i].name != name) continue;
    out = out === null ? pairs[i].value : out + "," + pairs[i].value;
  }
  return out;
}

/** False when no limit can apply whatever the body says: the request then passes unbuffered. */
function mayApply(cfg: FilterConfig, facts: RequestFacts): bool {
  for (let i = 0; i < cfg.limits.length; i++) {
    const l = cfg.limits[i];
    if (l.by == "model" || identityFor(l, cfg, facts) !== null) return true;
  }
  return false;
}
