// What a module must export and may import to load in stock Envoy (v8) with
// ABI v0.2.1. Lists follow proxy-wasm-cpp-host's host function table.
import { readFileSync } from "node:fs";

export const REQUIRED_EXPORTS = [
  "proxy_abi_version_0_2_1",
  "proxy_on_context_create",
  "proxy_on_vm_start",
  "proxy_on_configure",
  "proxy_on_request_headers",
  "proxy_on_request_body",
  "proxy_on_response_headers",
  "proxy_on_response_body",
  "proxy_on_done",
  "proxy_on_log",
  "proxy_on_delete",
  "malloc",
  "memory",
];

/** proxy-wasm host functions Envoy provides under ABI 0.2.1 (module "env"). */
export const ALLOWED_PROXY_IMPORTS = new Set(
  [
    "log", "get_log_level", "get_status", "set_property", "get_property", "send_local_response",
    "get_shared_data", "set_shared_data", "register_shared_queue", "resolve_shared_queue",
    "dequeue_shared_queue", "enqueue_shared_queue", "get_header_map_value", "add_header_map_value",
    "replace_header_map_value", "remove_header_map_value", "get_header_map_pairs",
    "set_header_map_pairs", "get_header_map_size", "get_buffer_status", "get_buffer_bytes",
    "set_buffer_bytes", "http_call", "grpc_call", "grpc_stream", "grpc_close", "grpc_cancel",
    "grpc_send", "set_tick_period_milliseconds", "get_current_time_nanoseconds", "define_metric",
    "increment_metric", "record_metric", "get_metric", "set_effective_context", "done",
    "call_foreign_function", "continue_stream", "close_stream",
  ].map((n) => `proxy_${n}`),
);

/** WASI calls Envoy implements (wasi_snapshot_preview1). */
export const ALLOWED_WASI_IMPORTS = new Set([
  "fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get", "environ_get", "environ_sizes_get",
  "args_get", "args_sizes_get", "clock_time_get", "random_get", "proc_exit", "path_open",
  "fd_prestat_get", "fd_prestat_dir_name",
]);

/** Returns the reasons a module would not load in Envoy; empty when it is fine. */
export function checkModule(path: string): string[] {
  const problems: string[] = [];
  let mod: WebAssembly.Module;
  try {
    mod = new WebAssembly.Module(readFileSync(path));
  } catch (e) {
    return [`not a valid wasm module: ${(e as Error).message}`];
  }
  const exports = new Set(WebAssembly.Module.exports(mod).map((e) => e.name));
  for (const name of REQUIRED_EXPORTS) {
    if (!exports.has(name)) problems.push(`missing export ${name}`);
  }
  for (const imp of WebAssembly.Module.imports(mod)) {
    const ok =
      (imp.module === "env" && ALLOWED_PROXY_IMPORTS.has(imp.name)) ||
      (imp.module === "wasi_snapshot_preview1" && ALLOWED_WASI_IMPORTS.has(imp.name));
    if (!ok) problems.push(`imports ${imp.module}.${imp.name}, which Envoy does not provide under ABI 0.2.1`);
  }
  return problems;
}

export function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
