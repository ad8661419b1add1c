// Stream control and context plumbing: local replies, continue/close,
// effective context, proxy_done, proxy_get_status, foreign functions. Like
// Envoy, the effects (continue, reply, reset) are deferred: they are recorded
// on the stream and the filter chain applies them once the VM call returns.
import { STREAM_TYPE_MAX, StreamType, WasmResult } from "../abi.ts";
import type { ContextState } from "../context.ts";
import { utf8 } from "../memory.ts";
import { decodePairs } from "../pairs.ts";
import type { ProxyVm } from "../vm.ts";

export interface ForeignCall {
  vm: ProxyVm;
  context: ContextState | undefined;
  argument: Uint8Array;
}
export type ForeignFunction = (call: ForeignCall) => { status?: WasmResult; result?: Uint8Array } | void;

/** Envoy's clear_route_cache: the next route lookup re-resolves (no-op outside a stream). */
export const clearRouteCache: ForeignFunction = ({ context }) => {
  if (context?.kind !== "stream") return;
  context.info.routeCacheCleared = true;
  context.info.clearRouteCacheCalls++;
};

export function streamImports(vm: ProxyVm) {
  return {
    proxy_send_local_response(
      code: number, detailsPtr: number, detailsSize: number, bodyPtr: number, bodySize: number,
      headersPtr: number, headersSize: number, grpcStatus: number,
    ): number {
      const details = vm.mem.readText(detailsPtr, detailsSize);
      const body = vm.mem.read(bodyPtr, bodySize);
      const headers = vm.mem.read(headersPtr, headersSize);
      if (details === null || body === null || headers === null) return WasmResult.InvalidMemoryAccess;
      const ctx = vm.activeContext();
      if (ctx?.kind === "stream" && !ctx.actions.localReply) {
        const grpc = grpcStatus >>> 0;
        ctx.actions.localReply = {
          status: code >>> 0,
          body,
          headers: decodePairs(headers).map(([k, v]) => [k.toLowerCase(), v]),
          details: details.replace(/\s/g, "_"),
          grpcStatus: grpc <= 16 ? grpc : undefined,
        };
      }
      vm.stopNextIteration = true;
      return WasmResult.Ok;
    },
    proxy_continue_stream(type: number): number {
      if (type >>> 0 > STREAM_TYPE_MAX) return WasmResult.BadArgument;
      const ctx = vm.activeContext();
      if (type === StreamType.Downstream) return WasmResult.Ok;
      if (type === StreamType.Upstream) return WasmResult.Unimplemented;
      if (ctx?.kind === "stream") {
        if (type === StreamType.Request) ctx.actions.continueRequest = true;
        else ctx.actions.continueResponse = true;
        // Envoy drops its request-side pointers on either kind of continue.
        ctx.requestHeaders = null;
        ctx.requestBody = null;
        ctx.requestTrailers = null;
      }
      return WasmResult.Ok;
    },
    proxy_close_stream(type: number): number {
      if (type >>> 0 > STREAM_TYPE_MAX) return WasmResult.BadArgument;
      const ctx = vm.activeContext();
      if ((type === StreamType.Request || type === StreamType.Response) && ctx?.kind === "stream") {
        ctx.info.responseCodeDetails ??= "wasm_close_stream";
        ctx.actions.resetRequested = true;
      }
      return WasmResult.Ok;
    },
    proxy_set_effective_context(contextId: number): number {
      if (!vm.contexts.has(contextId >>> 0)) return WasmResult.BadArgument;
      vm.effectiveId = contextId >>> 0;
      return WasmResult.Ok;
    },
    proxy_done(): number {
      const ctx = vm.activeContext();
      if (ctx?.kind !== "root" || !vm.shutdownPending) return WasmResult.NotFound;
      vm.host.scheduler.post("root shutdown", () => vm.finishShutdown());
      return WasmResult.Ok;
    },
    proxy_get_status(codePtr: number, messagePtrPtr: number, messageSizePtr: number): number {
      const root = vm.rootOf(vm.activeContext());
      if (!vm.mem.writeU32(codePtr, root?.statusCode ?? 0)) return WasmResult.InvalidMemoryAccess;
      return vm.mem.copyOut(utf8(root?.statusMessage ?? ""), messagePtrPtr, messageSizePtr) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_call_foreign_function(
      namePtr: number, nameSize: number, argsPtr: number, argsSize: number, resultsPtr: number, resultsSizePtr: number,
    ): number {
      const name = vm.mem.readText(namePtr, nameSize);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      const argument = vm.mem.read(argsPtr, argsSize);
      if (argument === null) return WasmResult.InvalidMemoryAccess;
      const fn = vm.host.foreignFunctions.get(name);
      if (!fn) return WasmResult.NotFound;
      const r = fn({ vm, context: vm.activeContext(), argument }) ?? {};
      const result = r.result ?? new Uint8Array(0);
      if (resultsPtr >>> 0 !== 0) {
        if (!vm.mem.copyOut(result, resultsPtr, resultsSizePtr)) return WasmResult.InvalidMemoryAccess;
      } else if (resultsSizePtr >>> 0 !== 0 && !vm.mem.writeU32(resultsSizePtr, result.length)) {
        return WasmResult.InvalidMemoryAccess;
      }
      return r.status ?? WasmResult.Ok;
    },
  };
}
