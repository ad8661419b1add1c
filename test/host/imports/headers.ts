// Header and trailer maps. A map Envoy does not expose in the current phase
// is BadArgument for reads of one value and for every write, and an empty
// list for get_header_map_pairs (Envoy's getMap / getConstMap).
import { HEADER_MAP_TYPE_MAX, HeaderMapType, WasmResult } from "../abi.ts";
import { HeaderMap } from "../headers.ts";
import { encodePairs, decodePairs } from "../pairs.ts";
import type { ProxyVm } from "../vm.ts";

/** The map as read-only calls see it. */
function constMap(vm: ProxyVm, type: HeaderMapType): HeaderMap | null {
  const ctx = vm.activeContext();
  const stream = ctx?.kind === "stream" ? ctx : undefined;
  const log = stream?.accessLogPhase === true;
  switch (type) {
    case HeaderMapType.RequestHeaders:
      return (log ? stream?.accessLogRequestHeaders : stream?.requestHeaders) ?? null;
    case HeaderMapType.RequestTrailers:
      return log ? null : (stream?.requestTrailers ?? null);
    case HeaderMapType.ResponseHeaders:
      return (log ? stream?.accessLogResponseHeaders : stream?.responseHeaders) ?? null;
    case HeaderMapType.ResponseTrailers:
      return (log ? stream?.accessLogResponseTrailers : stream?.responseTrailers) ?? null;
    case HeaderMapType.HttpCallResponseHeaders:
      return vm.rootOf(ctx)?.httpCallResponse?.headers ?? null;
    case HeaderMapType.HttpCallResponseTrailers:
      return vm.rootOf(ctx)?.httpCallResponse?.trailers ?? null;
    default:
      return null;
  }
}

/** The map as writes see it; trailers can be added from the last body callback. */
function mutableMap(vm: ProxyVm, type: HeaderMapType): HeaderMap | null {
  const ctx = vm.activeContext();
  if (ctx?.kind !== "stream") return null;
  switch (type) {
    case HeaderMapType.RequestHeaders:
      return ctx.requestHeaders;
    case HeaderMapType.RequestTrailers:
      // Envoy's addDecodedTrailers(): trailers can be added from the last body callback.
      if (!ctx.requestTrailers && ctx.requestBody && ctx.endOfStream) ctx.requestTrailers = ctx.addedRequestTrailers = new HeaderMap();
      return ctx.requestTrailers;
    case HeaderMapType.ResponseHeaders:
      return ctx.responseHeaders;
    case HeaderMapType.ResponseTrailers:
      if (!ctx.responseTrailers && ctx.responseBody && ctx.endOfStream) ctx.responseTrailers = ctx.addedResponseTrailers = new HeaderMap();
      return ctx.responseTrailers;
    default:
      return null;
  }
}

/** Envoy re-resolves the route after a filter changes the request headers (observed with Envoy 1.40). */
function modified(vm: ProxyVm, type: HeaderMapType): void {
  const ctx = vm.activeContext();
  if (type === HeaderMapType.RequestHeaders && ctx?.kind === "stream") ctx.info.routeCacheCleared = true;
}

export function headerImports(vm: ProxyVm) {
  const key = (ptr: number, size: number) => vm.mem.readText(ptr, size);
  return {
    proxy_get_header_map_value(type: number, keyPtr: number, keySize: number, valuePtrPtr: number, valueSizePtr: number): number {
      if (type >>> 0 > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const name = key(keyPtr, keySize);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      const map = constMap(vm, type);
      if (!map) {
        const ctx = vm.activeContext();
        return ctx?.kind === "stream" && ctx.accessLogPhase ? WasmResult.NotFound : WasmResult.BadArgument;
      }
      const value = map.get(name);
      if (value === undefined) return WasmResult.NotFound;
      return vm.mem.copyOut(Buffer.from(value), valuePtrPtr, valueSizePtr) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_get_header_map_pairs(type: number, ptrPtr: number, sizePtr: number): number {
      if (type >>> 0 > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const pairs = constMap(vm, type)?.pairs() ?? [];
      const data = pairs.length === 0 ? new Uint8Array(0) : encodePairs(pairs);
      return vm.mem.copyOut(data, ptrPtr, sizePtr) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_header_map_pairs(type: number, ptr: number, size: number): number {
      if (type >>> 0 > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const data = vm.mem.read(ptr, size);
      if (data === null) return WasmResult.InvalidMemoryAccess;
      const map = mutableMap(vm, type);
      if (!map) return WasmResult.BadArgument;
      map.setAll(decodePairs(data));
      modified(vm, type);
      return WasmResult.Ok;
    },
    proxy_add_header_map_value(type: number, keyPtr: number, keySize: number, valuePtr: number, valueSize: number): number {
      if (type >>> 0 > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const name = key(keyPtr, keySize);
      const value = vm.mem.readText(valuePtr, valueSize);
      if (name === null || value === null) return WasmResult.InvalidMemoryAccess;
      const map = mutableMap(vm, type);
      if (!map) return WasmResult.BadArgument;
      map.add(name, value);
      modified(vm, type);
      return WasmResult.Ok;
    },
    proxy_replace_header_map_value(type: number, keyPtr: number, keySize: number, valuePtr: number, valueSize: number): number {
      if (type >>> 0 > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const name = key(keyPtr, keySize);
      const value = vm.mem.readText(valuePtr, valueSize);
      if (name === null || value === null) return WasmResult.InvalidMemoryAccess;
      const map = mutableMap(vm, type);
      if (!map) return WasmResult.BadArgument;
      map.replace(name, value);
      modified(vm, type);
      return WasmResult.Ok;
    },
    proxy_remove_header_map_value(type: number, keyPtr: number, keySize: number): number {
      if (type >>> 0 > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const name = key(keyPtr, keySize);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      const map = mutableMap(vm, type);
      if (!map) return WasmResult.BadArgument;
      map.remove(name);
      modified(vm, type);
      return WasmResult.Ok;
    },
    proxy_get_header_map_size(type: number, sizePtr: number): number {
      if (type >>> 0 > HEADER_MAP_TYPE_MAX) return WasmResult.BadArgument;
      const map = mutableMap(vm, type);
      if (!map) return WasmResult.BadArgument;
      return vm.mem.writeU32(sizePtr, map.byteSize()) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}
