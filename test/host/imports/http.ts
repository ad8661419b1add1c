// Calls out. proxy_http_call runs on the root context (proxy-wasm-cpp-host
// calls root_context()->httpCall), so the response is delivered to the root
// context id and nothing cancels it when the calling stream ends; modules
// route it back to the stream themselves (with proxy_set_effective_context).
// gRPC calls are answered with Envoy's status codes for unknown clusters and
// tokens, but not emulated beyond that (Unimplemented for known clusters).
import { WasmResult } from "../abi.ts";
import { type CalloutRequest, planOutcome } from "../clusters.ts";
import { HeaderMap } from "../headers.ts";
import { decodePairs } from "../pairs.ts";
import type { ProxyVm } from "../vm.ts";

const GRPC_CALL = 1;
const GRPC_STREAM = 2;

export function httpImports(vm: ProxyVm) {
  const host = vm.host;
  return {
    proxy_http_call(
      uriPtr: number, uriSize: number, headersPtr: number, headersSize: number, bodyPtr: number, bodySize: number,
      trailersPtr: number, trailersSize: number, timeoutMs: number, tokenPtr: number,
    ): number {
      const ctx = vm.activeContext();
      const root = vm.rootOf(ctx);
      const cluster = vm.mem.readText(uriPtr, uriSize);
      const body = vm.mem.read(bodyPtr, bodySize);
      const headerBytes = vm.mem.read(headersPtr, headersSize);
      const trailerBytes = vm.mem.read(trailersPtr, trailersSize);
      if (cluster === null || body === null || headerBytes === null || trailerBytes === null) return WasmResult.InvalidMemoryAccess;
      if (!vm.mem.writeU32(tokenPtr, 0)) return WasmResult.InvalidMemoryAccess;
      if (!root) return WasmResult.InternalFailure;
      const timeout = timeoutMs | 0;
      if (timeout < 0) return WasmResult.BadArgument;
      const behavior = host.clusters.get(cluster);
      if (behavior === undefined) return WasmResult.BadArgument;
      const headers = new HeaderMap(decodePairs(headerBytes));
      if (!headers.has(":path") || !headers.has(":method") || !headers.has(":authority")) return WasmResult.BadArgument;
      if (body.length > 0) headers.replace("content-length", String(body.length));
      const request: CalloutRequest = {
        cluster,
        headers: headers.pairs(),
        body,
        trailers: decodePairs(trailerBytes),
        timeoutMs: timeout,
        token: vm.nextCallToken(),
        fromContextId: ctx?.id ?? 0,
      };
      const outcome = planOutcome(typeof behavior === "function" ? behavior(request) : behavior, timeout);
      host.calls.push({ vm, rootId: root.id, request, outcome });
      if (outcome.kind !== "none") {
        host.scheduler.schedule(outcome.atMs, `http call ${request.token} to ${cluster}`, () =>
          vm.deliverCallOutcome(root.id, request, outcome),
        );
      }
      vm.mem.writeU32(tokenPtr, request.token);
      return WasmResult.Ok;
    },
    proxy_grpc_call(servicePtr: number, serviceSize: number): number {
      const service = vm.mem.readText(servicePtr, serviceSize);
      if (service === null) return WasmResult.InvalidMemoryAccess;
      return host.clusters.has(service) ? WasmResult.Unimplemented : WasmResult.ParseFailure;
    },
    proxy_grpc_stream(servicePtr: number, serviceSize: number): number {
      const service = vm.mem.readText(servicePtr, serviceSize);
      if (service === null) return WasmResult.InvalidMemoryAccess;
      return host.clusters.has(service) ? WasmResult.Unimplemented : WasmResult.ParseFailure;
    },
    proxy_grpc_send(token: number): number {
      return (token & 0x3) === GRPC_STREAM ? WasmResult.NotFound : WasmResult.BadArgument;
    },
    proxy_grpc_close(token: number): number {
      const t = token & 0x3;
      return t === GRPC_CALL || t === GRPC_STREAM ? WasmResult.NotFound : WasmResult.BadArgument;
    },
    proxy_grpc_cancel(token: number): number {
      const t = token & 0x3;
      return t === GRPC_CALL || t === GRPC_STREAM ? WasmResult.NotFound : WasmResult.BadArgument;
    },
  };
}
