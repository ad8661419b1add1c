// Root and stream contexts, and the registry the ABI entry points dispatch
// through. Unknown context ids are ignored rather than trapping: the host may
// call proxy_on_done/proxy_on_delete for contexts this module never saw.
import { BufferType, getBuffer, HeaderPair, httpCall, setEffectiveContext } from "./host";

export enum HeadersAction {
  Continue = 0,
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

export enum DataAction {
  Continue = 0,
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  StopIterationNoBuffer = 3,
}

export enum TrailersAction {
  Continue = 0,
  StopIteration = 1,
}

/** Receives the outcome of an HTTP call. numHeaders == 0 means the call failed (timeout, reset, no cluster). */
export abstract class HttpCallHandler {
  /** Context that made the call; the host delivers the response there. */
  ownerId: u32 = 0;
  abstract onResponse(numHeaders: u32, bodySize: u32, numTrailers: u32): void;
}

export class StreamContext {
  constructor(public id: u32, public root: RootContext) {}
  onRequestHeaders(numHeaders: u32, endOfStream: bool): HeadersAction { return HeadersAction.Continue; }
  onRequestBody(size: u32, endOfStream: bool): DataAction { return DataAction.Continue; }
  onRequestTrailers(numTrailers: u32): TrailersAction { return TrailersAction.Continue; }
  onResponseHeaders(numHeaders: u32, endOfStream: bool): HeadersAction { return HeadersAction.Continue; }
  onResponseBody(size: u32, endOfStream: bool): DataAction { return DataAction.Continue; }
  onResponseTrailers(numTrailers: u32): TrailersAction { return TrailersAction.Continue; }
  /** The stream is complete; return false to delay the host's cleanup (rarely needed). */
  onDone(): bool { return true; }
  /** Access-log time: filter state written here is visible to Envoy's access log. */
  onLog(): void {}
  onDelete(): void {}

  /** Starts an HTTP call whose response comes back to this stream; 0 when refused. */
  httpCall(cluster: string, headers: Array<HeaderPair>, body: ArrayBuffer, timeoutMillis: u32, handler: HttpCallHandler): u32 {
    return startCall(this.id, cluster, headers, body, timeoutMillis, handler);
  }
}

export class RootContext {
  id: u32 = 0;
  onVmStart(vmConfigSize: u32): bool { return true; }
  /** Receives the plugin configuration as raw bytes; return false to reject it. */
  onConfigure(config: ArrayBuffer): bool { return true; }
  onTick(): void {}
  onQueueReady(token: u32): void {}
  onDone(): bool { return true; }
  newStream(id: u32): StreamContext { return new StreamContext(id, this); }

  httpCall(cluster: string, headers: Array<HeaderPair>, body: ArrayBuffer, timeoutMillis: u32, handler: HttpCallHandler): u32 {
    return startCall(this.id, cluster, headers, body, timeoutMillis, handler);
  }
}

// ---- registry ------------------------------------------------------------
// Envoy gives every plugin its own root context; plugins whose vm_config is
// identical share one VM, so one module instance can hold several roots (the
// same filter configured twice, or the bundle serving all filters). A stream
// belongs to the root it was created under.

let rootFactory: ((id: u32) => RootContext) | null = null;
const roots = new Map<u32, RootContext>();
/** The last root looked up: with one plugin per VM every lookup hits it. */
let lastRoot: RootContext | null = null;
const streams = new Map<u32, StreamContext>();
const calls = new Map<u32, HttpCallHandler>();
/** Told of every stream context the host deletes, after its onDelete (common/json/shared-parse sets it in the modules that use it). */
let streamDeleted: ((id: u32) => void) | null = null;

export function onStreamDeleted(hook: (id: u32) => void): void {
  streamDeleted = hook;
}

/** Each filter module calls this once at top level with its root context factory. */
export function registerFilter(factory: (id: u32) => RootContext): void {
  rootFactory = factory;
}

export function createContext(id: u32, rootId: u32): void {
  if (rootId == 0) {
    const f = rootFactory;
    if (f === null) return;
    const r = f(id);
    r.id = id;
    roots.set(id, r);
    lastRoot = r;
    return;
  }
  const r = rootFor(rootId);
  if (r === null) return;
  streams.set(id, r.newStream(id));
}

export function rootFor(id: u32): RootContext | null {
  const last = lastRoot;
  if (last !== null && last.id == id) return last;
  if (!roots.has(id)) return null;
  const r = roots.get(id);
  lastRoot = r;
  return r;
}

export function streamFor(id: u32): StreamContext | null {
  if (!streams.has(id)) return null;
  return streams.get(id);
}

export function deleteContext(id: u32): void {
  if (streams.has(id)) {
    streams.get(id).onDelete();
    streams.delete(id);
    dropCallsOf(id);
    const hook = streamDeleted;
    if (hook !== null) hook(id);
  } else if (roots.has(id)) {
    roots.delete(id);
    const last = lastRoot;
    if (last !== null && last.id == id) lastRoot = null;
    dropCallsOf(id);
  }
}

export function readPluginConfig(size: u32): ArrayBuffer {
  const buf = getBuffer(BufferType.PluginConfiguration, 0, size);
  return buf === null ? new ArrayBuffer(0) : buf;
}

function startCall(ownerId: u32, cluster: string, headers: Array<HeaderPair>, body: ArrayBuffer, timeoutMillis: u32, handler: HttpCallHandler): u32 {
  const token = httpCall(cluster, headers, body, new Array<HeaderPair>(), timeoutMillis);
  if (token == 0) return 0;
  handler.ownerId = ownerId;
  calls.set(token, handler);
  return token;
}

export function dispatchCallResponse(token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  if (!calls.has(token)) return;
  const handler = calls.get(token);
  calls.delete(token);
  // Envoy makes every HTTP call on the root context and delivers the response
  // there: point host calls (headers, continue_stream, local replies) at the
  // stream that made the call.
  if (!roots.has(handler.ownerId)) setEffectiveContext(handler.ownerId);
  handler.onResponse(numHeaders, bodySize, numTrailers);
}

/** The host cancels a stream's pending calls when the stream goes away. */
function dropCallsOf(ownerId: u32): void {
  if (calls.size == 0) return;
  const tokens = calls.keys();
  for (let i = 0; i < tokens.length; i++) {
    if (calls.get(tokens[i]).ownerId == ownerId) calls.delete(tokens[i]);
  }
}

export function pendingCallCount(): i32 {
  return calls.size;
}

export function liveStreamCount(): i32 {
  return streams.size;
}

export function rootCount(): i32 {
  return roots.size;
}
