// proxy_get_property, proxy_set_property (see ../properties.ts).
import { WasmResult } from "../abi.ts";
import { getProperty, setProperty } from "../properties.ts";
import type { ProxyVm } from "../vm.ts";

export function propertyImports(vm: ProxyVm) {
  return {
    proxy_get_property(pathPtr: number, pathSize: number, valuePtrPtr: number, valueSizePtr: number): number {
      const path = vm.mem.readText(pathPtr, pathSize);
      if (path === null) return WasmResult.InvalidMemoryAccess;
      const found = getProperty(vm, vm.activeContext(), path);
      if (found.status !== WasmResult.Ok || !found.value) return found.status;
      return vm.mem.copyOut(found.value, valuePtrPtr, valueSizePtr) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_property(pathPtr: number, pathSize: number, valuePtr: number, valueSize: number): number {
      const path = vm.mem.readText(pathPtr, pathSize);
      const value = vm.mem.read(valuePtr, valueSize);
      if (path === null || value === null) return WasmResult.InvalidMemoryAccess;
      return setProperty(vm.activeContext(), path, value);
    },
  };
}
