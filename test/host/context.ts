// Host-side state of the contexts a VM knows: its root context and the HTTP
// stream contexts (what Envoy's wasm Context keeps per stream).
import type { ScheduledEvent } from "./clock.ts";
import { type BodyBuffer, BodyBuffer as BodyBufferImpl } from "./body.ts";
import type { HeaderMap } from "./headers.ts";

/** Where a request goes: mirrors one route of Envoy's route table. */
export interface Route {
  name: string;
  virtualHost?: string;
  /** Target cluster; absent for a direct response. */
  cluster?: string;
  directResponse?: { status: number; body?: string };
}

/** The response of an HTTP call while its callback runs. */
export interface CallResponse {
  headers: HeaderMap;
  body: Uint8Array;
  trailers: HeaderMap | null;
}

export class RootContextState {
  readonly kind = "root" as const;
  /** proxy_get_status: set while an HTTP call failure is delivered. */
  statusCode = 0;
  statusMessage = "";
  httpCallResponse: CallResponse | null = null;
  tickPeriodMs = 0;
  tick?: ScheduledEvent;
  constructor(readonly id: number) {}
}

/** What a stream asked the host to do; the filter chain acts on it after the VM call returns. */
export interface StreamActions {
  continueRequest: boolean;
  continueResponse: boolean;
  resetRequested: boolean;
  localReply?: LocalReply;
}

export interface LocalReply {
  status: number;
  body: Uint8Array;
  headers: [string, string][];
  /** Envoy replaces whitespace in details with '_'. */
  details: string;
  grpcStatus?: number;
}

export interface StreamInfo {
  /** The route Envoy resolved for this stream (what xds.* properties read). */
  route: Route | null;
  /** Route cache cleared (clear_route_cache, or request headers changed) since the route was resolved. */
  routeCacheCleared: boolean;
  clearRouteCacheCalls: number;
  /** Filter state written by set_property, keyed `wasm.<name>`. */
  filterState: Map<string, Uint8Array>;
  responseCode?: number;
  responseCodeDetails?: string;
  sourceAddress: string;
  destinationAddress: string;
  protocol: string;
  /** Properties set by the test for this stream, keyed by NUL-joined path. */
  properties: Map<string, Uint8Array>;
}

export class StreamContextState {
  readonly kind = "stream" as const;
  /** proxy_on_context_create was called (Envoy's in_vm_context_created_). */
  created = false;
  destroyed = false;
  failureLocalReplySent = false;
  endOfStream = false;
  // Maps as Envoy exposes them: null when not available in the current phase.
  requestHeaders: HeaderMap | null = null;
  requestTrailers: HeaderMap | null = null;
  responseHeaders: HeaderMap | null = null;
  responseTrailers: HeaderMap | null = null;
  /** Trailers the filter created from its last body callback (the chain then sends them). */
  addedRequestTrailers: HeaderMap | null = null;
  addedResponseTrailers: HeaderMap | null = null;
  /** The chunk of the body callback in progress (Envoy's request_body_buffer_; null once it went on). */
  requestBody: BodyBuffer | null = null;
  responseBody: BodyBuffer | null = null;
  /** Data the filter chain holds for this filter (Envoy's decoding / encoding buffer). */
  readonly requestBuffered = new BodyBufferImpl();
  readonly responseBuffered = new BodyBufferImpl();
  /** The filter returned StopIterationAndBuffer: its next body callback sees everything buffered. */
  bufferingRequestBody = false;
  bufferingResponseBody = false;
  /** proxy_on_log runs in Envoy's access-log phase: maps come from the finished stream. */
  accessLogPhase = false;
  accessLogRequestHeaders: HeaderMap | null = null;
  accessLogResponseHeaders: HeaderMap | null = null;
  accessLogResponseTrailers: HeaderMap | null = null;
  actions: StreamActions = { continueRequest: false, continueResponse: false, resetRequested: false };

  constructor(
    readonly id: number,
    readonly rootId: number,
    readonly info: StreamInfo,
  ) {}

  takeActions(): StreamActions {
    const a = this.actions;
    this.actions = { continueRequest: false, continueResponse: false, resetRequested: false };
    return a;
  }
}

export type ContextState = RootContextState | StreamContextState;
