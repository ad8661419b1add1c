// Custom metrics (rules in ../stats.ts).
import { WasmResult } from "../abi.ts";
import type { ProxyVm } from "../vm.ts";

export function metricImports(vm: ProxyVm) {
  return {
    proxy_define_metric(type: number, namePtr: number, nameSize: number, idPtr: number): number {
      const name = vm.mem.readText(namePtr, nameSize);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      const r = vm.metrics.define(type >>> 0, name);
      if (r.status !== WasmResult.Ok || r.id === undefined) return r.status;
      return vm.mem.writeU32(idPtr, r.id) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_increment_metric(id: number, offset: bigint): number {
      return vm.metrics.increment(id >>> 0, BigInt.asIntN(64, BigInt(offset)));
    },
    proxy_record_metric(id: number, value: bigint): number {
      return vm.metrics.record(id >>> 0, BigInt.asUintN(64, BigInt(value)));
    },
    proxy_get_metric(id: number, resultPtr: number): number {
      const r = vm.metrics.get(id >>> 0);
      if (r.status !== WasmResult.Ok || r.value === undefined) return r.status;
      return vm.mem.writeU64(resultPtr, r.value) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}
