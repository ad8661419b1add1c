// Clusters an HTTP call can target, with scripted answers. Failure kinds
// reproduce what Envoy's async HTTP client reports (checked by the probe
// suite against a real Envoy): a timeout, a refused connection or a reset
// before response headers come back as a *response* (504/503 with Envoy's
// text), and only a reset after the response started is a failed call
// (callback with 0 headers, proxy_get_status = BrokenConnection "reset").
import { type HeaderInit, HeaderMap } from "./headers.ts";
import type { Pair } from "./pairs.ts";

export interface CalloutRequest {
  cluster: string;
  headers: Pair[];
  body: Uint8Array;
  trailers: Pair[];
  timeoutMs: number;
  token: number;
  /** Context that made the call (the stream, or the root). */
  fromContextId: number;
}

export interface CalloutResponse {
  status: number;
  headers?: HeaderInit;
  body?: string | Uint8Array;
  trailers?: HeaderInit;
  /** Virtual milliseconds until the response arrives. */
  delayMs?: number;
}

export type CalloutFailureKind =
  /** The connection is refused (nothing listens). */
  | "connect-failure"
  /** The upstream closes the connection before sending headers. */
  | "reset-before-headers"
  /** The upstream resets after the response started: the only kind delivered as a failure. */
  | "reset"
  /** The upstream never answers (the call's timeout decides). */
  | "no-response";

export interface CalloutFailure {
  fail: CalloutFailureKind;
  delayMs?: number;
}

export type CalloutAnswer = CalloutResponse | CalloutFailure;
export type ClusterBehavior = CalloutAnswer | ((req: CalloutRequest) => CalloutAnswer);

/** What the host delivers for a call, and when. */
export type CalloutOutcome =
  | { kind: "response"; atMs: number; headers: HeaderMap; body: Uint8Array; trailers: HeaderMap | null; received: boolean }
  | { kind: "failure"; atMs: number; received: boolean }
  | { kind: "none"; received: boolean };

const CONNECT_FAILURE = "upstream connect error or disconnect/reset before headers. reset reason: remote connection failure";
const RESET_BEFORE_HEADERS = "upstream connect error or disconnect/reset before headers. reset reason: connection termination";
const TIMEOUT = "upstream request timeout";

function localReply(status: number, text: string, atMs: number, received: boolean): CalloutOutcome {
  const body = new Uint8Array(Buffer.from(text));
  const headers = new HeaderMap([
    [":status", String(status)],
    ["content-length", String(body.length)],
    ["content-type", "text/plain"],
  ]);
  return { kind: "response", atMs, headers, body, trailers: null, received };
}

/** Turns a scripted answer into what Envoy would deliver, honouring the call's timeout (0 = none). */
export function planOutcome(answer: CalloutAnswer, timeoutMs: number): CalloutOutcome {
  const delay = Math.max(0, answer.delayMs ?? 0);
  const timedOut = timeoutMs > 0 && delay >= timeoutMs;
  if ("fail" in answer) {
    if (answer.fail === "connect-failure") {
      return timedOut ? localReply(504, TIMEOUT, timeoutMs, false) : localReply(503, CONNECT_FAILURE, delay, false);
    }
    if (answer.fail === "reset-before-headers") {
      return timedOut ? localReply(504, TIMEOUT, timeoutMs, true) : localReply(503, RESET_BEFORE_HEADERS, delay, true);
    }
    if (answer.fail === "reset") {
      return timedOut ? localReply(504, TIMEOUT, timeoutMs, true) : { kind: "failure", atMs: delay, received: true };
    }
    return timeoutMs > 0 ? localReply(504, TIMEOUT, timeoutMs, true) : { kind: "none", received: true };
  }
  if (timedOut) return localReply(504, TIMEOUT, timeoutMs, true);
  const body = typeof answer.body === "string" ? new Uint8Array(Buffer.from(answer.body)) : (answer.body ?? new Uint8Array(0));
  const headers = new HeaderMap([[":status", String(answer.status)]]);
  for (const [k, v] of new HeaderMap(answer.headers).pairs()) headers.add(k, v);
  if (body.length > 0 && !headers.has("content-length")) headers.add("content-length", String(body.length));
  const trailers = answer.trailers ? new HeaderMap(answer.trailers) : null;
  return { kind: "response", atMs: delay, headers, body, trailers, received: true };
}
