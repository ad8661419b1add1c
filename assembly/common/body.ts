// Buffering a whole request or response body, up to a limit, through Envoy.
//
// How Envoy does it: while on_*_body returns StopIterationAndBuffer, Envoy
// keeps the chunks and each callback reports the total buffered size; at
// end_of_stream the whole body is readable with getBuffer(type, 0, size).
// With HTTP/2 and trailers, end_of_stream never comes in a body callback: the
// body is complete when on_*_trailers runs, and still readable there.
//
// Past our limit the outcome is the configured BodyOverflow:
//   Reject: state TooLarge; the caller answers with sendReject() (413
//           body_too_large for requests, 502 response_too_large for
//           responses, OpenAI error format) and returns action().
//   Pass:   state Passing; we stop inspecting and everything goes through
//           unmodified.
// Keep the limit below Envoy's own buffer limit (per_connection_buffer_limit_bytes,
// 1 MiB by default) or Envoy answers 413 itself before we see the body.
//
// Changing a body: remove content-length in the headers callback, before the
// headers go out (dropContentLength), then replace() once the body is complete.
// A response that is rejected must have had its headers held (the headers
// callback returned StopIteration), or no local reply can be sent any more.
import { DataAction, TrailersAction } from "./runtime/context";
import { BODY_TOO_LARGE, ErrorSpec, RESPONSE_TOO_LARGE } from "./reply-catalog";
import { sendError } from "./reply";
import { BufferType, bufferSize, getBuffer, MapType, removeHeaderBytes, replaceHeaderBytes, setBuffer, Status } from "./runtime/host";
import { decimal } from "./text/decimal";

/** The header every body change touches, encoded once. */
const CONTENT_LENGTH = String.UTF8.encode("content-length");

export enum BodyOverflow {
  Reject = 0,
  Pass = 1,
}

export enum BodyState {
  /** Still collecting chunks. */
  Buffering = 0,
  /** The whole body is buffered: read() it, maybe replace() it. */
  Complete = 1,
  /** Larger than the limit and the policy is Reject. */
  TooLarge = 2,
  /** Larger than the limit and the policy is Pass: no longer inspected. */
  Passing = 3,
}

export class BodyBuffer {
  state: BodyState = BodyState.Buffering;
  /** Bytes buffered, as last reported by the host. */
  size: u32 = 0;
  /** The headers of this direction are held until the body is done: replace() sets content-length. */
  headersHeld: bool = false;

  /** @param type BufferType.RequestBody or BufferType.ResponseBody */
  constructor(public type: BufferType, public limit: u32, public overflow: BodyOverflow) {}

  /** For a stream whose headers had end_of_stream: there is no body, and it is complete. */
  noBody(): BodyState {
    if (this.state == BodyState.Buffering) {
      this.size = 0;
      this.state = BodyState.Complete;
    }
    return this.state;
  }

  /** Call from on_request_body / on_response_body with the host's arguments. */
  onBody(size: u32, endOfStream: bool): BodyState {
    if (this.state != BodyState.Buffering) return this.state;
    this.size = size;
    if (size > this.limit) {
      this.state = this.overflow == BodyOverflow.Reject ? BodyState.TooLarge : BodyState.Passing;
    } else if (endOfStream) {
      this.state = BodyState.Complete;
    }
    return this.state;
  }

  /** Call from on_request_trailers / on_response_trailers: the body (if any) is complete now. */
  onTrailers(): BodyState {
    if (this.state != BodyState.Buffering) return this.state;
    const n = bufferSize(this.type);
    if (n > <i64>this.size) this.size = n > <i64>u32.MAX_VALUE ? u32.MAX_VALUE : <u32>n;
    return this.onBody(this.size, true);
  }

  /** What the body callback should return for the current state. */
  action(): DataAction {
    switch (this.state) {
      case BodyState.Buffering:
        return DataAction.StopIterationAndBuffer;
      case BodyState.TooLarge:
        return DataAction.StopIterationNoBuffer;
      default:
        return DataAction.Continue;
    }
  }

  /** What the trailers callback should return for the current state. */
  trailersAction(): TrailersAction {
    return this.state == BodyState.TooLarge ? TrailersAction.StopIteration : TrailersAction.Continue;
  }

  /**
   * The whole body once Complete; null before, or when the host has none.
   * The size is the one the host reported with end_of_stream (or read at the
   * trailers): asking again would cost a host call per body.
   */
  read(): ArrayBuffer | null {
    if (this.state != BodyState.Complete) return null;
    const n = this.size;
    if (n == 0) return new ArrayBuffer(0);
    return getBuffer(this.type, 0, n);
  }

  /** Replaces the whole body: content-length was removed in the headers callback, or the headers are held and it is set here. */
  replace(body: ArrayBuffer): Status {
    if (this.state != BodyState.Complete) return Status.BadArgument;
    const st = setBuffer(this.type, 0, this.size, body);
    if (st != Status.Ok) return st;
    this.size = <u32>body.byteLength;
    if (this.headersHeld) return setContentLength(this.type, this.size);
    return st;
  }

  /** The catalog error for a rejected body: 413 for a request, 502 for an upstream response. */
  rejectSpec(): ErrorSpec {
    return this.type == BufferType.RequestBody ? BODY_TOO_LARGE : RESPONSE_TOO_LARGE;
  }

  rejectMessage(): string {
    const what = this.type == BufferType.RequestBody ? "request" : "response";
    return what + " body exceeds the limit of " + decimal(this.limit) + " bytes";
  }

  /** Answers a TooLarge body with the catalog error as a local reply. */
  sendReject(): Status {
    return sendError(this.rejectSpec(), this.rejectMessage());
  }

}

/**
 * Removes content-length so a body can change size. Call it from the headers
 * callback of the same direction (request headers for RequestBody).
 */
export function dropContentLength(type: BufferType): Status {
  return removeHeaderBytes(headerMapOf(type), CONTENT_LENGTH);
}

/**
 * Sets content-length to `size`: the headers of that direction are held (or
 * not yet sent), and the body it counts is final.
 */
export function setContentLength(type: BufferType, size: u32): Status {
  return replaceHeaderBytes(headerMapOf(type), CONTENT_LENGTH, String.UTF8.encode(decimal(size)));
}

function headerMapOf(type: BufferType): MapType {
  return type == BufferType.RequestBody ? MapType.RequestHeaders : MapType.ResponseHeaders;
}
