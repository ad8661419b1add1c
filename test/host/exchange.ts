// Runs one HTTP exchange through a VM's filter the way Envoy's filter chain
// does with one wasm filter in front of the router: request headers, body
// chunks, trailers (each stop, buffering and continue honoured), the route
// (re-resolved when the filter changed the request headers or cleared the
// route cache), the upstream, then the response the same way, and finally
// on_log, on_done, on_delete. Local replies follow Envoy: before the response
// started they go through the filter's response callbacks; once the response
// headers arrived they replace the response directly; once headers went to the
// client the stream is reset. HTTP call responses, queue notifications and
// ticks are delivered in virtual time while the stream waits.
import { randomUUID } from "node:crypto";
import { type LocalReply, type Route, type StreamInfo } from "./context.ts";
import { BodyBuffer, toBytes } from "./body.ts";
import { FAIL_STREAM_DETAILS, type DataResult, type HeadersResult, WasmFilter } from "./filter.ts";
import { type HeaderInit, HeaderMap } from "./headers.ts";
import type { Pair } from "./pairs.ts";
import { encodeProperty, type PropertyValue, propertyKey } from "./properties.ts";
import type { LogEntry, ProxyVm } from "./vm.ts";

export interface ExchangeRequest {
  method?: string;
  path?: string;
  /** :authority; a `host` header sets it too (as Envoy's HTTP/1 codec does). Default "localhost". */
  authority?: string;
  scheme?: string;
  headers?: HeaderInit;
  /** One body, or chunks delivered one callback each. */
  body?: string | Uint8Array | readonly (string | Uint8Array)[];
  trailers?: HeaderInit;
}

export interface UpstreamRequest {
  method: string;
  path: string;
  authority: string;
  /** The request header map as it left the filter (pseudo-headers included). */
  headers: HeaderMap;
  body: Uint8Array;
  bodyText: string;
  trailers: HeaderMap | null;
  route: Route;
}

export interface UpstreamResponse {
  status: number;
  headers?: HeaderInit;
  /** One body, or chunks delivered one callback each. */
  body?: string | Uint8Array | readonly (string | Uint8Array)[];
  trailers?: HeaderInit;
  /** The upstream resets the stream after the body (no end of stream, no trailers), as a cut connection does. */
  resetAfterBody?: boolean;
}

export type Upstream = (req: UpstreamRequest) => UpstreamResponse | Promise<UpstreamResponse>;
export type RouteTable = (headers: HeaderMap) => Route | null;

export interface ExchangeOptions {
  /** Answers requests that reach a cluster; default: echo (200, text/plain, the request body). */
  upstream?: Upstream;
  /** Picks the route from the request headers; default: every request to cluster "upstream". */
  routes?: RouteTable;
  sourceAddress?: string;
  destinationAddress?: string;
  protocol?: string;
  /** Properties for this stream only, by dotted path (or NUL-joined). */
  properties?: Record<string, PropertyValue>;
  /** Envoy's per-connection buffer limit; buffering past it answers 413. Default 1 MiB. */
  bufferLimitBytes?: number;
  /** How much virtual time a paused stream may wait for callbacks before it counts as stalled. Default 60 s. */
  maxWaitMs?: number;
}

export interface ExchangeResult {
  /** Status the client received, or null when the stream was reset before response headers. */
  status: number | null;
  /** Response headers the client received (no :status). */
  headers: Pair[];
  body: string;
  bodyBytes: Uint8Array;
  trailers: Pair[];
  /** The stream was reset (close_stream, a local reply after the response started, a failure mid-response). */
  reset: boolean;
  /** The filter paused and nothing it waited for arrived within maxWaitMs of virtual time. */
  stalled: boolean;
  /** The local reply the client got (from the filter, or Envoy's own 503/413/404). */
  localReply: LocalReply | null;
  /** Response code details (Envoy's %RESPONSE_CODE_DETAILS%). */
  details: string | undefined;
  /** What the upstream received, when the request reached it complete. */
  upstream: UpstreamRequest | null;
  route: Route | null;
  streamId: number | null;
  filterState: Map<string, Uint8Array>;
  clearRouteCacheCalls: number;
  /** Log entries the VM produced during this exchange. */
  logs: LogEntry[];
}

export const DEFAULT_ROUTE: Route = { name: "route", virtualHost: "vhost", cluster: "upstream" };
const DEFAULT_BUFFER_LIMIT = 1024 * 1024;

export const echoUpstream: Upstream = (req) => ({
  status: 200,
  headers: [["content-type", "text/plain"]],
  body: req.body,
});

function chunksOf(body: ExchangeRequest["body"]): Uint8Array[] {
  if (body === undefined) return [];
  const list = typeof body === "string" || body instanceof Uint8Array ? [body] : body;
  return list.map((c) => toBytes(c)).filter((c) => c.length > 0);
}

/** Builds the request header map the way Envoy presents it to filters. */
export function requestHeaderMap(req: ExchangeRequest, requestId?: string): HeaderMap {
  const given = new HeaderMap(req.headers);
  const host = given.get("host");
  const map = new HeaderMap([
    [":authority", req.authority ?? host ?? "localhost"],
    [":path", req.path ?? "/"],
    [":method", req.method ?? "GET"],
    [":scheme", req.scheme ?? "http"],
  ]);
  for (const [k, v] of given.pairs()) {
    if (k === "host" || k === "connection" || k === "keep-alive" || k === "transfer-encoding" || k.startsWith(":")) continue;
    map.add(k, v);
  }
  map.replace("x-forwarded-proto", req.scheme ?? "http");
  if (!map.has("x-request-id")) map.add("x-request-id", requestId ?? randomUUID());
  return map;
}

type Side = "request" | "response";

/** One direction of the filter chain: headers, data and trailers through the filter to a sink. */
class Direction {
  state: "idle" | "stopped-all" | "stopped-headers" | "streaming" = "idle";
  /** Headers stopped with StopAllIterationAndBuffer: buffering past the limit fails the stream. */
  bufferAll = false;
  dataStopped = false;
  lastDataEos = false;
  /** Data ended (end of stream seen) while the headers were stopped. */
  heldEos = false;
  pendingTrailers: HeaderMap | null = null;
  trailersStopped: HeaderMap | null = null;
  private local = new BodyBuffer();

  constructor(
    readonly side: Side,
    private readonly ex: Exchange,
  ) {}

  /** The filter chain's buffer for this filter (shared with the wasm context). */
  get buffered(): BodyBuffer {
    const s = this.ex.filter?.stream;
    if (!s) return this.local;
    return this.side === "request" ? s.requestBuffered : s.responseBuffered;
  }

  private get done(): boolean {
    return this.side === "request" ? this.ex.decodeDone : this.ex.encodeDone;
  }

  async headers(map: HeaderMap, eos: boolean): Promise<void> {
    const f = this.ex.filter;
    const r: HeadersResult = f ? (this.side === "request" ? f.decodeHeaders(map, eos) : f.encodeHeaders(map, eos)) : "Continue";
    if (r === "Continue") {
      this.state = "streaming";
      this.ex.sinkHeaders(this.side, eos);
    } else {
      this.state = r === "StopIteration" ? "stopped-headers" : "stopped-all";
      this.bufferAll = r === "StopAllIterationAndBuffer";
      if (eos) this.heldEos = true;
    }
    await this.ex.applyActions();
  }

  async data(chunk: Uint8Array, eos: boolean): Promise<void> {
    if (this.done) return;
    if (this.state === "stopped-all") {
      this.buffered.append(chunk);
      if (eos) this.heldEos = true;
      if (this.bufferAll) await this.ex.checkLimit(this.side, this.buffered.length);
      return;
    }
    await this.callData(chunk, eos);
  }

  private async callData(chunk: Uint8Array, eos: boolean): Promise<void> {
    const f = this.ex.filter;
    const s = f?.stream;
    const buffering = s ? (this.side === "request" ? s.bufferingRequestBody : s.bufferingResponseBody) : false;
    if (buffering && (await this.ex.checkLimit(this.side, this.buffered.length + chunk.length))) return;
    let result: DataResult = "Continue";
    let current = new BodyBuffer(chunk);
    if (f) ({ result, current } = this.side === "request" ? f.decodeData(chunk, eos) : f.encodeData(chunk, eos));
    this.lastDataEos = eos;
    if (result === "Continue" && this.state === "stopped-headers") {
      // Continue from a body callback resumes headers stopped with StopIteration.
      this.state = "streaming";
      this.ex.sinkHeaders(this.side, false);
    }
    if (result === "Continue") {
      this.dataStopped = false;
      this.buffered.take(current);
      this.forwardBuffered(eos);
    } else {
      this.dataStopped = true;
      if (result !== "StopIterationNoBuffer") this.buffered.take(current);
      if (result === "StopIterationAndBuffer") await this.ex.checkLimit(this.side, this.buffered.length);
    }
    if (eos) await this.addedTrailers();
    await this.ex.applyActions();
  }

  /** Trailers the filter created from its last body callback end the stream after the data. */
  private async addedTrailers(): Promise<void> {
    const s = this.ex.filter?.stream;
    if (!s) return;
    const added = this.side === "request" ? s.addedRequestTrailers : s.addedResponseTrailers;
    if (!added) return;
    if (this.side === "request") s.addedRequestTrailers = null;
    else s.addedResponseTrailers = null;
    this.ex.sinkTrailers(this.side, added);
  }

  private forwardBuffered(eos: boolean): void {
    const bytes = this.buffered.bytes;
    this.buffered.clear();
    this.ex.sinkData(this.side, bytes, eos);
  }

  async trailers(map: HeaderMap): Promise<void> {
    if (this.done) return;
    if (this.state === "stopped-all") {
      this.pendingTrailers = map;
      return;
    }
    await this.callTrailers(map);
  }

  private async callTrailers(map: HeaderMap): Promise<void> {
    const f = this.ex.filter;
    const r = f ? (this.side === "request" ? f.decodeTrailers(map) : f.encodeTrailers(map)) : "Continue";
    if (r === "Continue" && this.state === "streaming") {
      this.dataStopped = false;
      if (this.buffered.length > 0) this.forwardBuffered(false);
      this.ex.sinkTrailers(this.side, map);
    } else {
      this.trailersStopped = map;
    }
    await this.ex.applyActions();
  }

  /** continue_stream: what Envoy's continueDecoding / continueEncoding does for this filter. */
  async resume(): Promise<void> {
    if (this.done) return;
    if (this.state === "stopped-all" || this.state === "stopped-headers") {
      const wasAll = this.state === "stopped-all";
      this.state = "streaming";
      this.ex.sinkHeaders(this.side, this.heldEos && this.buffered.length === 0 && !this.pendingTrailers);
      if (wasAll && (this.buffered.length > 0 || (this.heldEos && !this.ex.sinkEnded(this.side)))) {
        // Data that arrived while everything was stopped goes through this filter now, in one callback.
        const bytes = this.buffered.bytes;
        this.buffered.clear();
        await this.callData(bytes, this.heldEos && !this.pendingTrailers);
      } else if (this.buffered.length > 0) {
        this.forwardBuffered(this.lastDataEos && !this.pendingTrailers && !this.trailersStopped);
      }
      // Trailers that reached the filter while its headers waited go on after the data.
      const held = this.trailersStopped;
      if (held && !this.done) {
        this.trailersStopped = null;
        this.dataStopped = false;
        this.ex.sinkTrailers(this.side, held);
      }
    } else if (this.dataStopped || this.trailersStopped) {
      this.dataStopped = false;
      const trailers = this.trailersStopped;
      this.trailersStopped = null;
      this.forwardBuffered(this.lastDataEos && !trailers && !this.pendingTrailers);
      if (trailers) this.ex.sinkTrailers(this.side, trailers);
    }
    const pending = this.pendingTrailers;
    if (pending && !this.done) {
      this.pendingTrailers = null;
      await this.callTrailers(pending);
    }
  }
}

class Exchange {
  readonly filter: WasmFilter | null;
  readonly info: StreamInfo;
  readonly requestHeaders: HeaderMap;
  readonly decoder: Direction;
  readonly encoder: Direction;
  decodeDone = false;
  encodeDone = false;
  private readonly routes: RouteTable;
  private readonly upstream: Upstream;
  private readonly limit: number;
  private readonly maxWaitMs: number;
  private readonly logStart: number;
  // what went to the router
  private upstreamHeaders: HeaderMap | null = null;
  private upstreamBody = new BodyBuffer();
  private upstreamTrailers: HeaderMap | null = null;
  private requestEnded = false;
  private upstreamStarted = false;
  private routerAnswerPending = false;
  // what the client got
  private responseStarted = false;
  private responseHeaders: HeaderMap | null = null;
  private clientStatus: number | null = null;
  private clientHeaders: Pair[] = [];
  private clientBody = new BodyBuffer();
  private clientTrailers: Pair[] = [];
  private responseEnded = false;
  private reset = false;
  private stalled = false;
  private localReply: LocalReply | null = null;
  private received: UpstreamRequest | null = null;
  private readonly chunks: Uint8Array[];
  private readonly trailers: HeaderMap | null;

  constructor(
    readonly vm: ProxyVm,
    request: ExchangeRequest,
    opts: ExchangeOptions,
  ) {
    this.routes = opts.routes ?? (() => DEFAULT_ROUTE);
    this.upstream = opts.upstream ?? echoUpstream;
    this.limit = opts.bufferLimitBytes ?? DEFAULT_BUFFER_LIMIT;
    this.maxWaitMs = opts.maxWaitMs ?? 60_000;
    this.logStart = vm.logs.length;
    this.requestHeaders = requestHeaderMap(request);
    this.chunks = chunksOf(request.body);
    this.trailers = request.trailers ? new HeaderMap(request.trailers) : null;
    const properties = new Map<string, Uint8Array>();
    for (const [k, v] of Object.entries(opts.properties ?? {})) properties.set(propertyKey(k), encodeProperty(v));
    this.info = {
      route: this.routes(this.requestHeaders),
      routeCacheCleared: false,
      clearRouteCacheCalls: 0,
      filterState: new Map(),
      sourceAddress: opts.sourceAddress ?? "127.0.0.1:40000",
      destinationAddress: opts.destinationAddress ?? "127.0.0.1:10000",
      protocol: opts.protocol ?? "HTTP/1.1",
      properties,
    };
    const skip = vm.trapped && vm.plugin.failurePolicy === "fail-open";
    this.filter = skip ? null : new WasmFilter(vm, this.info);
    this.decoder = new Direction("request", this);
    this.encoder = new Direction("response", this);
  }

  async run(): Promise<ExchangeResult> {
    const eos = this.chunks.length === 0 && !this.trailers;
    await this.decoder.headers(this.requestHeaders, eos);
    for (let i = 0; i < this.chunks.length && !this.decodeDone; i++) {
      await this.decoder.data(this.chunks[i], i === this.chunks.length - 1 && !this.trailers);
    }
    if (this.trailers && !this.decodeDone) await this.decoder.trailers(this.trailers);
    await this.settle(() => this.requestEnded || this.decodeDone);
    if (this.routerAnswerPending) await this.routerAnswer(this.info.route);
    else if (this.requestEnded && !this.decodeDone && !this.responseStarted) await this.callUpstream();
    await this.settle(() => this.responseEnded || this.reset);
    this.finish();
    return this.result();
  }

  /** Runs callbacks (HTTP call responses, queue notifications, ticks) until `done` or nothing more can come. */
  private async settle(done: () => boolean): Promise<void> {
    const deadline = this.vm.host.nowMs + this.maxWaitMs;
    // Work posted for "now" (queue notifications, immediate call responses) runs
    // before the next I/O, as on Envoy's event loop.
    this.vm.host.scheduler.runDue();
    await this.applyActions();
    while (!done() && !this.reset) {
      const stepped = this.vm.host.scheduler.step((e) => e.at <= deadline);
      if (!stepped) {
        this.stalled = true;
        return;
      }
      await this.applyActions();
    }
  }

  /** Acts on what the filter asked for during its last callbacks. */
  async applyActions(): Promise<void> {
    if (!this.filter) return;
    const a = this.filter.takeActions();
    if (a.localReply) return this.sendLocalReply(a.localReply);
    if (a.resetRequested) return this.resetStream();
    if (a.continueRequest) await this.decoder.resume();
    if (a.continueResponse) await this.encoder.resume();
  }

  /** True (and the stream answered) when buffered data went past the limit. */
  async checkLimit(side: Side, size: number): Promise<boolean> {
    if (size <= this.limit) return false;
    if (side === "request") {
      await this.sendLocalReply({ status: 413, body: toBytes("Payload Too Large"), headers: [], details: "request_payload_too_large" });
    } else {
      this.resetStream();
    }
    return true;
  }

  sinkEnded(side: Side): boolean {
    return side === "request" ? this.requestEnded : this.responseEnded;
  }

  sinkHeaders(side: Side, eos: boolean): void {
    if (side === "request") {
      if (this.upstreamHeaders) return;
      if (this.info.routeCacheCleared) {
        this.info.route = this.routes(this.requestHeaders);
        this.info.routeCacheCleared = false;
      }
      this.upstreamHeaders = this.requestHeaders.clone();
      if (eos) this.requestEnded = true;
      const route = this.info.route;
      if (!route || route.directResponse) {
        // The router answers a direct-response or unknown route as soon as it sees the headers.
        this.routerAnswerPending = true;
        this.decodeDone = true;
      }
      return;
    }
    if (this.clientStatus !== null || !this.responseHeaders) return;
    this.clientStatus = Number(this.responseHeaders.get(":status") ?? 0);
    this.clientHeaders = this.responseHeaders.regular();
    if (eos) this.responseEnded = true;
  }

  sinkData(side: Side, bytes: Uint8Array, eos: boolean): void {
    if (side === "request") {
      this.upstreamBody.append(bytes);
      if (eos) this.requestEnded = true;
    } else {
      this.clientBody.append(bytes);
      if (eos) this.responseEnded = true;
    }
  }

  sinkTrailers(side: Side, trailers: HeaderMap): void {
    if (side === "request") {
      this.upstreamTrailers = trailers.clone();
      this.requestEnded = true;
    } else {
      this.clientTrailers = trailers.pairs();
      this.responseEnded = true;
    }
  }

  private async routerAnswer(route: Route | null): Promise<void> {
    this.routerAnswerPending = false;
    if (this.responseStarted || this.reset) return;
    if (!route) {
      this.info.responseCodeDetails = "route_not_found";
      await this.respond(new HeaderMap([[":status", "404"]]), [], null);
      return;
    }
    const d = route.directResponse ?? { status: 200 };
    const body = toBytes(d.body);
    const headers = new HeaderMap([[":status", String(d.status)]]);
    if (body.length > 0) {
      headers.add("content-length", String(body.length));
      headers.add("content-type", "text/plain");
    }
    this.info.responseCodeDetails = "direct_response";
    await this.respond(headers, body.length ? [body] : [], null);
  }

  private async callUpstream(): Promise<void> {
    const route = this.info.route;
    if (this.upstreamStarted || !route || route.directResponse || !this.upstreamHeaders) return;
    this.upstreamStarted = true;
    const h = this.upstreamHeaders;
    const body = this.upstreamBody.bytes;
    this.received = {
      method: h.get(":method") ?? "",
      path: h.get(":path") ?? "",
      authority: h.get(":authority") ?? "",
      headers: h,
      body,
      bodyText: Buffer.from(body).toString("utf8"),
      trailers: this.upstreamTrailers,
      route,
    };
    const res = await this.upstream(this.received);
    if (this.reset || this.responseStarted) return;
    const headers = new HeaderMap([[":status", String(res.status)]]);
    for (const [k, v] of new HeaderMap(res.headers).pairs()) headers.add(k, v);
    headers.add("x-envoy-upstream-service-time", "0");
    this.info.responseCodeDetails = "via_upstream";
    await this.respond(headers, chunksOf(res.body), res.trailers ? new HeaderMap(res.trailers) : null, res.resetAfterBody ?? false);
  }

  /** The response path: headers, data and trailers through the filter to the client. */
  private async respond(headers: HeaderMap, chunks: Uint8Array[], trailers: HeaderMap | null, cut = false): Promise<void> {
    if (this.responseStarted || this.reset) return;
    this.responseStarted = true;
    this.decodeDone = true;
    this.responseHeaders = headers;
    this.info.responseCode = Number(headers.get(":status"));
    const last = cut ? -1 : chunks.length - 1;
    await this.encoder.headers(headers, !cut && chunks.length === 0 && !trailers);
    for (let i = 0; i < chunks.length && !this.encodeDone; i++) {
      await this.encoder.data(chunks[i], i === last && !trailers);
    }
    if (cut) {
      // An upstream reset after the response started: Envoy resets the client's stream.
      this.resetStream();
      return;
    }
    if (trailers && !this.encodeDone) await this.encoder.trailers(trailers);
  }

  private async sendLocalReply(reply: LocalReply): Promise<void> {
    if (this.reset || this.responseEnded) return;
    if (this.clientStatus !== null) {
      // Response headers already went to the client: all Envoy can do is reset.
      this.resetStream();
      return;
    }
    const headers = new HeaderMap([[":status", String(reply.status)]]);
    for (const [k, v] of reply.headers) headers.add(k, v);
    if (reply.body.length > 0) {
      headers.add("content-length", String(reply.body.length));
      if (!headers.has("content-type")) headers.add("content-type", "text/plain");
    }
    this.localReply = reply;
    this.info.responseCodeDetails = reply.details;
    this.info.responseCode = reply.status;
    this.decodeDone = true;
    if (!this.responseStarted) {
      // Nothing of the response yet: the reply goes through the filter chain's response path.
      await this.respond(headers, reply.body.length ? [reply.body] : [], null);
      return;
    }
    // Response headers arrived but were not sent: a direct reply replaces the response.
    this.encodeDone = true;
    this.responseHeaders = headers;
    this.clientStatus = reply.status;
    this.clientHeaders = headers.regular();
    this.clientBody = new BodyBuffer(reply.body.slice());
    this.clientTrailers = [];
    this.responseEnded = true;
  }

  private resetStream(): void {
    if (this.reset) return;
    this.reset = true;
    this.decodeDone = true;
    this.encodeDone = true;
  }

  private finish(): void {
    if (!this.responseEnded) this.resetStream();
    if (!this.filter) return;
    const trailers = this.clientTrailers.length ? new HeaderMap(this.clientTrailers) : null;
    this.filter.log(this.requestHeaders, this.responseHeaders, trailers);
    this.filter.destroy();
  }

  private result(): ExchangeResult {
    const bodyBytes = this.clientBody.bytes;
    return {
      status: this.reset && this.clientStatus === null ? null : this.clientStatus,
      headers: this.clientHeaders,
      body: Buffer.from(bodyBytes).toString("utf8"),
      bodyBytes,
      trailers: this.clientTrailers,
      reset: this.reset,
      stalled: this.stalled,
      localReply: this.localReply,
      details: this.info.responseCodeDetails,
      upstream: this.received,
      route: this.info.route,
      streamId: this.filter?.stream?.id ?? null,
      filterState: this.info.filterState,
      clearRouteCacheCalls: this.info.clearRouteCacheCalls,
      logs: this.vm.logs.slice(this.logStart),
    };
  }
}

/** Runs one request through `vm`'s filter; see ExchangeResult for what it reports. */
export function exchange(vm: ProxyVm, request: ExchangeRequest, options: ExchangeOptions = {}): Promise<ExchangeResult> {
  return new Exchange(vm, request, options).run();
}

export { FAIL_STREAM_DETAILS };
