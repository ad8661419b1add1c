// The proxy-wasm ABI v0.2.1 entry points. A filter's index.ts re-exports
// this module and registers its root context; nothing else touches the ABI.
import "./abort";
import {
  createContext,
  deleteContext,
  dispatchCallResponse,
  readPluginConfig,
  rootFor,
  streamFor,
} from "./context";

export { malloc, free } from "@gcoredev/proxy-wasm-sdk-as/assembly/malloc";

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_context_create(contextId: u32, rootContextId: u32): void {
  createContext(contextId, rootContextId);
}

export function proxy_on_vm_start(rootId: u32, vmConfigSize: u32): u32 {
  const r = rootFor(rootId);
  return r === null ? 1 : <u32>r.onVmStart(vmConfigSize);
}

export function proxy_on_configure(rootId: u32, configSize: u32): u32 {
  const r = rootFor(rootId);
  if (r === null) return 0;
  return <u32>r.onConfigure(readPluginConfig(configSize));
}

export function proxy_on_tick(rootId: u32): void {
  const r = rootFor(rootId);
  if (r !== null) r.onTick();
}

export function proxy_on_queue_ready(rootId: u32, token: u32): void {
  const r = rootFor(rootId);
  if (r !== null) r.onQueueReady(token);
}

export function proxy_on_request_headers(id: u32, numHeaders: u32, endOfStream: u32): u32 {
  const s = streamFor(id);
  return s === null ? 0 : <u32>s.onRequestHeaders(numHeaders, endOfStream != 0);
}

export function proxy_on_request_body(id: u32, size: u32, endOfStream: u32): u32 {
  const s = streamFor(id);
  return s === null ? 0 : <u32>s.onRequestBody(size, endOfStream != 0);
}

export function proxy_on_request_trailers(id: u32, numTrailers: u32): u32 {
  const s = streamFor(id);
  return s === null ? 0 : <u32>s.onRequestTrailers(numTrailers);
}

export function proxy_on_response_headers(id: u32, numHeaders: u32, endOfStream: u32): u32 {
  const s = streamFor(id);
  return s === null ? 0 : <u32>s.onResponseHeaders(numHeaders, endOfStream != 0);
}

export function proxy_on_response_body(id: u32, size: u32, endOfStream: u32): u32 {
  const s = streamFor(id);
  return s === null ? 0 : <u32>s.onResponseBody(size, endOfStream != 0);
}

export function proxy_on_response_trailers(id: u32, numTrailers: u32): u32 {
  const s = streamFor(id);
  return s === null ? 0 : <u32>s.onResponseTrailers(numTrailers);
}

export function proxy_on_http_call_response(id: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  dispatchCallResponse(token, numHeaders, bodySize, numTrailers);
}

export function proxy_on_done(id: u32): u32 {
  const s = streamFor(id);
  if (s !== null) return <u32>s.onDone();
  const r = rootFor(id);
  return r === null ? 1 : <u32>r.onDone();
}

export function proxy_on_log(id: u32): void {
  const s = streamFor(id);
  if (s !== null) s.onLog();
}

export function proxy_on_delete(id: u32): void {
  deleteContext(id);
}
