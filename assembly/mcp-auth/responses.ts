// The way back of an exchange that may carry list results (a POST with list
// requests, or any GET stream: standalone, resumed, legacy HTTP+SSE): a JSON
// body is buffered and filtered whole, an event stream event by event with
// everything else passed byte for byte (filterPayload in rpc-filter.ts). The
// legacy transport's `endpoint` event binds the session it names to the
// caller. Whatever cannot be inspected ends the response instead of passing:
// a body or event over maxResponseBytes, a session bound to someone else.
import { DataAction } from "../common/runtime/context";
import { BufferType, getBuffer, setBuffer } from "../common/runtime/host";
import { BodyBuffer, BodyOverflow, BodyState, dropContentLength } from "../common/body";
import { sendError, RESPONSE_TOO_LARGE } from "../common/reply";
import { SseEvent, SseParser, SseWriter } from "../common/sse";
import { isEventStream } from "../common/text/media-type";
import { Logger } from "../common/log";
import { Caller } from "./caller";
import { McpAuthConfig } from "./config";
import { filterPayload, PayloadAction, PayloadResult } from "./rpc-filter";
import { claimSession, legacySessionIds } from "./sessions";
import { decimal } from "../common/text/decimal";

const log = new Logger("mcp-auth");

export class ListingResponse {
  private json: BodyBuffer | null = null;
  private sse: SseParser | null = null;
  private cut: bool = false;
  private result: PayloadResult = new PayloadResult();

  /**
   * @param filter filter listings (filterLists)
   * @param bindLegacy bind the sessions named by legacy `endpoint` events to the caller
   */
  constructor(private cfg: McpAuthConfig, private caller: Caller, private filter: bool, private bindLegacy: bool) {}

  /** From the response headers callback (not at end of stream): picks JSON or SSE by content type. */
  onHeaders(contentType: string): void {
    if (isEventStream(contentType)) {
      dropContentLength(BufferType.ResponseBody);
      this.sse = new SseParser(<i32>this.cfg.maxResponseBytes, true);
    } else if (this.filter) {
      // JSON, or a type a lenient client might still read as JSON: all of it is inspected.
      dropContentLength(BufferType.ResponseBody);
      // Headers go on (a stopped headers callback would hold the body from us too);
      // a body too large to inspect then ends in a reset rather than passing unfiltered.
      this.json = new BodyBuffer(BufferType.ResponseBody, this.cfg.maxResponseBytes, BodyOverflow.Reject);
    }
  }

  onBody(size: u32, endOfStream: bool): DataAction {
    if (this.cut) {
      if (size > 0) setBuffer(BufferType.ResponseBody, 0, size, new ArrayBuffer(0));
      return DataAction.Continue;
    }
    const json = this.json;
    if (json !== null) return this.onJson(json, size, endOfStream);
    const sse = this.sse;
    if (sse !== null) this.onSse(sse, size, endOfStream);
    return DataAction.Continue;
  }

  private onJson(json: BodyBuffer, size: u32, endOfStream: bool): DataAction {
    const state = json.onBody(size, endOfStream);
    if (state == BodyState.Buffering) return DataAction.StopIterationAndBuffer;
    if (state == BodyState.TooLarge) {
      this.cut = true;
      json.sendReject();
      return DataAction.StopIterationNoBuffer;
    }
    const bytes = json.read();
    if (bytes === null) return DataAction.Continue;
    const r = filterPayload(this.cfg, this.caller, bytes, this.result);
    const body = r.body;
    if (r.action != PayloadAction.Keep && body !== null) json.replace(body);
    return DataAction.Continue;
  }

  /** Rewrites the events of this chunk that carry listings; other events pass byte for byte. */
  private onSse(sse: SseParser, size: u32, endOfStream: bool): void {
    const chunk = size == 0 ? new ArrayBuffer(0) : getBuffer(BufferType.ResponseBody, 0, size);
    if (chunk === null) return;
    sse.feed(chunk);
    const w = new SseWriter(<i32>size + 64);
    let ok = this.writeEvents(sse, w);
    if (ok && endOfStream) {
      sse.finish();
      ok = this.writeEvents(sse, w);
    }
    if (!ok || sse.status != 0) {
      if (ok) log.warn("response event exceeds " + decimal(this.cfg.maxResponseBytes) + " bytes; stream cut");
      this.endStream(size);
      return;
    }
    setBuffer(BufferType.ResponseBody, 0, size, w.take());
  }

  /** False when the stream must end here. */
  private writeEvents(sse: SseParser, w: SseWriter): bool {
    for (let i = 0; i < sse.events.length; i++) {
      const ev = sse.events[i];
      if (this.bindLegacy && ev.event == "endpoint" && ev.hasData && !this.bindEndpoint(ev)) return false;
      const r = this.filter && ev.hasData ? filterPayload(this.cfg, this.caller, ev.data, this.result) : null;
      if (r === null || r.action == PayloadAction.Keep) {
        const raw = ev.raw;
        if (raw !== null) w.raw(raw);
        continue;
      }
      if (r.action == PayloadAction.Drop) {
        // The event goes, its id stays (a client resuming later starts after it).
        const id = ev.id;
        if (id !== null) w.id(id).end();
        continue;
      }
      ev.data = r.body!;
      w.write(ev);
    }
    return true;
  }

  private bindEndpoint(ev: SseEvent): bool {
    const ids = legacySessionIds(String.UTF8.decode(ev.data));
    for (let i = 0; i < ids.length; i++) {
      if (!claimSession(ids[i], this.caller.subject)) {
        log.warn("legacy session " + ids[i] + " is bound to another subject; stream cut");
        return false;
      }
    }
    return true;
  }

  /** Nothing more of this response reaches the client: this chunk is emptied and the stream reset. */
  private endStream(size: u32): void {
    this.cut = true;
    setBuffer(BufferType.ResponseBody, 0, size, new ArrayBuffer(0));
    // Headers went out already: a local reply now makes Envoy reset the stream.
    sendError(RESPONSE_TOO_LARGE, "response cut by mcp-auth");
  }
}
