// Buffers: request/response bodies (the current chunk, or everything
// buffered so far while the filter buffers), the HTTP call response body, the
// VM and plugin configurations. Outside a body callback Envoy hands out an
// empty body that cannot be written; configuration and call bodies are
// read-only (set is BadArgument).
import { BUFFER_TYPE_MAX, BufferType, WasmResult } from "../abi.ts";
import type { BodyBuffer } from "../body.ts";
import type { ProxyVm } from "../vm.ts";

interface BufferView {
  bytes(): Uint8Array;
  copyFrom(start: number, length: number, data: Uint8Array): WasmResult;
}

const readOnly = (bytes: Uint8Array): BufferView => ({ bytes: () => bytes, copyFrom: () => WasmResult.BadArgument });
const EMPTY = readOnly(new Uint8Array(0));
const body = (b: BodyBuffer | null): BufferView =>
  b ? { bytes: () => b.bytes, copyFrom: (s, l, d) => b.copyFrom(s, l, d) } : EMPTY;

function bufferOf(vm: ProxyVm, type: BufferType): BufferView | null {
  const ctx = vm.activeContext();
  const stream = ctx?.kind === "stream" ? ctx : undefined;
  switch (type) {
    case BufferType.HttpRequestBody:
      if (!stream) return EMPTY;
      return body(stream.bufferingRequestBody ? stream.requestBuffered : stream.requestBody);
    case BufferType.HttpResponseBody:
      if (!stream) return EMPTY;
      return body(stream.bufferingResponseBody ? stream.responseBuffered : stream.responseBody);
    case BufferType.NetworkDownstreamData:
    case BufferType.NetworkUpstreamData:
    case BufferType.GrpcReceiveBuffer:
    case BufferType.CallData:
      return EMPTY;
    case BufferType.HttpCallResponseBody: {
      const response = vm.rootOf(ctx)?.httpCallResponse;
      return response ? readOnly(response.body) : null;
    }
    case BufferType.VmConfiguration:
      return readOnly(vm.plugin.vmConfiguration);
    case BufferType.PluginConfiguration:
      return vm.configuring ? readOnly(vm.configuring) : null;
    default:
      return null;
  }
}

export function bufferImports(vm: ProxyVm) {
  return {
    proxy_get_buffer_bytes(type: number, start: number, length: number, ptrPtr: number, sizePtr: number): number {
      if (type >>> 0 > BUFFER_TYPE_MAX) return WasmResult.BadArgument;
      const buffer = bufferOf(vm, type);
      if (!buffer) return WasmResult.NotFound;
      const bytes = buffer.bytes();
      start >>>= 0;
      length >>>= 0;
      if (start > bytes.length) length = 0;
      else if (start + length > bytes.length) length = bytes.length - start;
      const slice = length === 0 ? new Uint8Array(0) : bytes.slice(start, start + length);
      return vm.mem.copyOut(slice, ptrPtr, sizePtr) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_get_buffer_status(type: number, lengthPtr: number, flagsPtr: number): number {
      if (type >>> 0 > BUFFER_TYPE_MAX) return WasmResult.BadArgument;
      const buffer = bufferOf(vm, type);
      if (!buffer) return WasmResult.NotFound;
      if (!vm.mem.writeU32(lengthPtr, buffer.bytes().length)) return WasmResult.InvalidMemoryAccess;
      return vm.mem.writeU32(flagsPtr, 0) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_buffer_bytes(type: number, start: number, length: number, dataPtr: number, dataSize: number): number {
      if (type >>> 0 > BUFFER_TYPE_MAX) return WasmResult.BadArgument;
      const buffer = bufferOf(vm, type);
      if (!buffer) return WasmResult.NotFound;
      const data = vm.mem.read(dataPtr, dataSize);
      if (data === null) return WasmResult.InvalidMemoryAccess;
      return buffer.copyFrom(start >>> 0, length >>> 0, data);
    },
  };
}
