// The wasm HTTP filter of one stream, as Envoy's wasm Context runs it:
// creates the VM context on the first callback, exposes header maps only
// while Envoy does (a map that went on is gone), feeds body callbacks the
// current chunk or, while buffering, everything buffered, and converts the
// module's return values like proxy-wasm-cpp-host (a local reply turns any
// answer into a stop; StopIteration from a headers callback becomes
// StopAllIterationAndWatermark unless allowed). Once the VM is dead the
// stream gets Envoy's 503 local reply (once). Envoy 1.40 does this even with
// FAIL_OPEN for the stream in which the VM dies (checked by the probe suite);
// fail-open only skips the filter on streams that start afterwards (see
// exchange.ts).
import { DataStatus, HeadersStatus, TrailersStatus } from "./abi.ts";
import { BodyBuffer } from "./body.ts";
import type { LocalReply, StreamActions, StreamContextState, StreamInfo } from "./context.ts";
import type { HeaderMap } from "./headers.ts";
import type { ProxyVm } from "./vm.ts";

export type HeadersResult = "Continue" | "StopIteration" | "StopAllIterationAndBuffer" | "StopAllIterationAndWatermark";
export type DataResult = "Continue" | "StopIterationAndBuffer" | "StopIterationAndWatermark" | "StopIterationNoBuffer";
export type TrailersResult = "Continue" | "StopIteration";

export const FAIL_STREAM_DETAILS = "wasm_fail_stream";

export class WasmFilter {
  /** Null when the VM was already dead when the stream began (Envoy's empty fail-closed context). */
  readonly stream: StreamContextState | null;
  private streamFailed = false;
  private failReply: LocalReply | null = null;

  constructor(
    readonly vm: ProxyVm,
    info: StreamInfo,
  ) {
    this.stream = vm.trapped ? null : vm.newStream(info);
  }

  /** CHECK_FAIL: on a dead VM the stream fails with a 503, once. */
  private failed<T>(closed: T): T | undefined {
    if (this.stream && !this.vm.trapped) return undefined;
    if (!this.streamFailed) {
      this.streamFailed = true;
      if (!this.stream || !this.stream.failureLocalReplySent) {
        this.failReply = { status: 503, body: new Uint8Array(0), headers: [], details: FAIL_STREAM_DETAILS, grpcStatus: 14 };
        if (this.stream) this.stream.failureLocalReplySent = true;
      }
    }
    return closed;
  }

  /** What the last callbacks asked for (continue, local reply, reset), including a fail-closed reply. */
  takeActions(): StreamActions {
    const a = this.stream ? this.stream.takeActions() : { continueRequest: false, continueResponse: false, resetRequested: false };
    if (this.failReply) {
      a.localReply = this.failReply;
      this.failReply = null;
    }
    return a;
  }

  private onCreate(): void {
    const s = this.stream;
    if (!s || s.created) return;
    if (!this.vm.trapped) this.vm.invoke(s.id, "proxy_on_context_create", s.id, s.rootId);
    s.created = true;
  }

  private headersResult(r: number | undefined): HeadersResult {
    const v = r ?? HeadersStatus.Continue;
    if (this.vm.lastCallStopped || v > HeadersStatus.StopAllIterationAndWatermark) return "StopAllIterationAndWatermark";
    if (v === HeadersStatus.StopIteration) return this.vm.plugin.allowOnHeadersStopIteration ? "StopIteration" : "StopAllIterationAndWatermark";
    if (v === HeadersStatus.StopAllIterationAndBuffer) return "StopAllIterationAndBuffer";
    if (v === HeadersStatus.StopAllIterationAndWatermark) return "StopAllIterationAndWatermark";
    return "Continue";
  }

  private dataResult(r: number | undefined): DataResult {
    const v = r ?? DataStatus.Continue;
    if (this.vm.lastCallStopped || v > DataStatus.StopIterationNoBuffer) return "StopIterationNoBuffer";
    return (["Continue", "StopIterationAndBuffer", "StopIterationAndWatermark", "StopIterationNoBuffer"] as const)[v];
  }

  private trailersResult(r: number | undefined): TrailersResult {
    const v = r ?? TrailersStatus.Continue;
    return this.vm.lastCallStopped || v > TrailersStatus.Continue ? "StopIteration" : "Continue";
  }

  decodeHeaders(headers: HeaderMap, endOfStream: boolean): HeadersResult {
    this.onCreate();
    const s = this.stream;
    if (s) {
      s.requestHeaders = headers;
      s.endOfStream = endOfStream;
    }
    const pre = this.failed<HeadersResult>("StopAllIterationAndWatermark");
    if (pre || !s) return pre ?? "Continue";
    const r = this.vm.invoke(s.id, "proxy_on_request_headers", s.id, headers.size, endOfStream ? 1 : 0);
    const post = this.failed<HeadersResult>("StopAllIterationAndWatermark");
    if (post) return post;
    const result = this.headersResult(r);
    if (result === "Continue") s.requestHeaders = null;
    return result;
  }

  /**
   * One chunk of request body. While the filter buffers, the chunk joins the
   * filter chain's buffer and the callback sees all of it. Returns the
   * result and the chunk as the filter left it (empty when it was buffered).
   */
  decodeData(chunk: Uint8Array, endOfStream: boolean): { result: DataResult; current: BodyBuffer } {
    const s = this.stream;
    const current = new BodyBuffer(chunk);
    if (!s || !s.created) return { result: this.failed<DataResult>("StopIterationNoBuffer") ?? "Continue", current };
    if (s.bufferingRequestBody) s.requestBuffered.take(current);
    s.requestBody = current;
    s.endOfStream = endOfStream;
    const size = (s.bufferingRequestBody ? s.requestBuffered : current).length;
    const pre = this.failed<DataResult>("StopIterationNoBuffer");
    if (pre) return { result: pre, current };
    const r = this.vm.invoke(s.id, "proxy_on_request_body", s.id, size, endOfStream ? 1 : 0);
    const result = this.failed<DataResult>("StopIterationNoBuffer") ?? this.dataResult(r);
    s.bufferingRequestBody = result === "StopIterationAndBuffer";
    if (result === "Continue") s.requestBody = null;
    return { result, current };
  }

  decodeTrailers(trailers: HeaderMap): TrailersResult {
    const s = this.stream;
    if (!s || !s.created) return this.failed<TrailersResult>("StopIteration") ?? "Continue";
    s.requestTrailers = trailers;
    const pre = this.failed<TrailersResult>("StopIteration");
    if (pre) return pre;
    const r = this.vm.invoke(s.id, "proxy_on_request_trailers", s.id, trailers.size);
    const result = this.failed<TrailersResult>("StopIteration") ?? this.trailersResult(r);
    if (result === "Continue") s.requestTrailers = null;
    return result;
  }

  /** Whether response callbacks reach the module (not once the stream failed with a 503 of its own). */
  private encodes(): StreamContextState | null {
    const s = this.stream;
    return s && s.created && !s.failureLocalReplySent ? s : null;
  }

  encodeHeaders(headers: HeaderMap, endOfStream: boolean): HeadersResult {
    const s = this.encodes();
    if (!s) return "Continue";
    s.responseHeaders = headers;
    s.endOfStream = endOfStream;
    const pre = this.failed<HeadersResult>("StopAllIterationAndWatermark");
    if (pre) return pre;
    const r = this.vm.invoke(s.id, "proxy_on_response_headers", s.id, headers.size, endOfStream ? 1 : 0);
    const result = this.failed<HeadersResult>("StopAllIterationAndWatermark") ?? this.headersResult(r);
    if (result === "Continue") s.responseHeaders = null;
    return result;
  }

  encodeData(chunk: Uint8Array, endOfStream: boolean): { result: DataResult; current: BodyBuffer } {
    const current = new BodyBuffer(chunk);
    const s = this.encodes();
    if (!s) return { result: "Continue", current };
    if (s.bufferingResponseBody) s.responseBuffered.take(current);
    s.responseBody = current;
    s.endOfStream = endOfStream;
    const size = (s.bufferingResponseBody ? s.responseBuffered : current).length;
    const pre = this.failed<DataResult>("StopIterationNoBuffer");
    if (pre) return { result: pre, current };
    const r = this.vm.invoke(s.id, "proxy_on_response_body", s.id, size, endOfStream ? 1 : 0);
    const result = this.failed<DataResult>("StopIterationNoBuffer") ?? this.dataResult(r);
    s.bufferingResponseBody = result === "StopIterationAndBuffer";
    if (result === "Continue") s.responseBody = null;
    return { result, current };
  }

  encodeTrailers(trailers: HeaderMap): TrailersResult {
    const s = this.encodes();
    if (!s) return "Continue";
    s.responseTrailers = trailers;
    const pre = this.failed<TrailersResult>("StopIteration");
    if (pre) return pre;
    const r = this.vm.invoke(s.id, "proxy_on_response_trailers", s.id, trailers.size);
    const result = this.failed<TrailersResult>("StopIteration") ?? this.trailersResult(r);
    if (result === "Continue") s.responseTrailers = null;
    return result;
  }

  /** Access-log time: proxy_on_log with the finished stream's headers readable. */
  log(requestHeaders: HeaderMap | null, responseHeaders: HeaderMap | null, responseTrailers: HeaderMap | null): void {
    const s = this.stream;
    if (!s) return;
    this.onCreate();
    if (this.vm.trapped) return;
    s.accessLogPhase = true;
    s.accessLogRequestHeaders = requestHeaders;
    s.accessLogResponseHeaders = responseHeaders;
    s.accessLogResponseTrailers = responseTrailers;
    try {
      this.vm.invoke(s.id, "proxy_on_log", s.id);
    } finally {
      s.accessLogPhase = false;
      s.accessLogRequestHeaders = s.accessLogResponseHeaders = s.accessLogResponseTrailers = null;
    }
  }

  /** Stream teardown: proxy_on_done, proxy_on_delete, then the context is gone. */
  destroy(): void {
    const s = this.stream;
    if (!s || s.destroyed) return;
    s.destroyed = true;
    if (s.created && !this.vm.trapped) {
      this.vm.invoke(s.id, "proxy_on_done", s.id);
      this.vm.invoke(s.id, "proxy_on_delete", s.id);
    }
    this.vm.dropContext(s.id);
  }
}
