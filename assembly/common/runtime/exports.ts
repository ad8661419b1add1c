// The proxy-wasm ABI v0.2.1 entry points. A filter's index.ts re-exports
// this module and registers its root context; nothing else touches the ABI.
// Each entry point starts with beginCallback() and ends in afterCallback():
// the only place a garbage collection may run (see collect.ts).
import "./abort";
import { afterCallback, beginCallback } from "./collect";
import {
  createContext,
  deleteContext,
  dispatchCallResponse,
  readPluginConfig,
  rootFor,
  streamFor,
} from "./context";

export { malloc, free } from "./malloc";

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_context_create(contextId: u32, rootContextId: u32): void {
  beginCallback();
  createContext(contextId, rootContextId);
  afterCallback();
}

export function proxy_on_vm_start(rootId: u32, vmConfigSize: u32): u32 {
  beginCallback();
  const r = rootFor(rootId);
  const result: u32 = r === null ? 1 : <u32>r.onVmStart(vmConfigSize);
  afterCallback();
  return result;
}

export function proxy_on_configure(rootId: u32, configSize: u32): u32 {
  beginCallback();
  const r = rootFor(rootId);
  const result: u32 = r === null ? 0 : <u32>r.onConfigure(readPluginConfig(configSize));
  // Parsing and building the configuration leaves the most garbage of all.
  afterCallback(true);
  return result;
}

export function proxy_on_tick(rootId: u32): void {
  beginCallback();
  const r = rootFor(rootId);
  if (r !== null) r.onTick();
  afterCallback();
}

export function proxy_on_queue_ready(rootId: u32, token: u32): void {
  beginCallback();
  const r = rootFor(rootId);
  if (r !== null) r.onQueueReady(token);
  afterCallback();
}

export function proxy_on_request_headers(id: u32, numHeaders: u32, endOfStream: u32): u32 {
  beginCallback();
  const s = streamFor(id);
  const result: u32 = s === null ? 0 : <u32>s.onRequestHeaders(numHeaders, endOfStream != 0);
  afterCallback();
  return result;
}

export function proxy_on_request_body(id: u32, size: u32, endOfStream: u32): u32 {
  beginCallback();
  const s = streamFor(id);
  const result: u32 = s === null ? 0 : <u32>s.onRequestBody(size, endOfStream != 0);
  afterCallback();
  return result;
}

export function proxy_on_request_trailers(id: u32, numTrailers: u32): u32 {
  beginCallback();
  const s = streamFor(id);
  const result: u32 = s === null ? 0 : <u32>s.onRequestTrailers(numTrailers);
  afterCallback();
  return result;
}

export function proxy_on_response_headers(id: u32, numHeaders: u32, endOfStream: u32): u32 {
  beginCallback();
  const s = streamFor(id);
  const result: u32 = s === null ? 0 : <u32>s.onResponseHeaders(numHeaders, endOfStream != 0);
  afterCallback();
  return result;
}

export function proxy_on_response_body(id: u32, size: u32, endOfStream: u32): u32 {
  beginCallback();
  const s = streamFor(id);
  const result: u32 = s === null ? 0 : <u32>s.onResponseBody(size, endOfStream != 0);
  afterCallback();
  return result;
}

export function proxy_on_response_trailers(id: u32, numTrailers: u32): u32 {
  beginCallback();
  const s = streamFor(id);
  const result: u32 = s === null ? 0 : <u32>s.onResponseTrailers(numTrailers);
  afterCallback();
  return result;
}

export function proxy_on_http_call_response(id: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  beginCallback();
  dispatchCallResponse(token, numHeaders, bodySize, numTrailers);
  afterCallback();
}

export function proxy_on_done(id: u32): u32 {
  beginCallback();
  const s = streamFor(id);
  let result: u32 = 1;
  if (s !== null) result = <u32>s.onDone();
  else {
    const r = rootFor(id);
    if (r !== null) result = <u32>r.onDone();
  }
  afterCallback();
  return result;
}

export function proxy_on_log(id: u32): void {
  beginCallback();
  const s = streamFor(id);
  if (s !== null) s.onLog();
  afterCallback();
}

export function proxy_on_delete(id: u32): void {
  beginCallback();
  deleteContext(id);
  afterCallback();
}
