// Timers and clocks from the host's virtual time. The tick period belongs to
// the root context of whichever context sets it.
import { WasmResult } from "../abi.ts";
import type { ProxyVm } from "../vm.ts";

export function timeImports(vm: ProxyVm) {
  return {
    proxy_set_tick_period_milliseconds(periodMs: number): number {
      const root = vm.rootOf(vm.activeContext());
      if (root) vm.setTickPeriod(root, periodMs >>> 0);
      return WasmResult.Ok;
    },
    proxy_get_current_time_nanoseconds(resultPtr: number): number {
      return vm.mem.writeU64(resultPtr, vm.host.scheduler.wallNanos()) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
  };
}
