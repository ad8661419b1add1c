// proxy_log, proxy_get_log_level.
import { LogLevel, WasmResult } from "../abi.ts";
import type { ProxyVm } from "../vm.ts";

export function logImports(vm: ProxyVm) {
  return {
    proxy_log(level: number, ptr: number, size: number): number {
      if (level >>> 0 > LogLevel.Critical) return WasmResult.BadArgument;
      const message = vm.mem.readText(ptr, size);
      if (message === null) return WasmResult.InvalidMemoryAccess;
      vm.log(level as LogLevel, message, "proxy_log");
      return WasmResult.Ok;
    },
    proxy_get_log_level(levelPtr: number): number {
      return vm.mem.writeU32(levelPtr, vm.host.logLevel) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}
