// Shared data and shared queues, keyed by the VM's vm_id in the host's
// process-wide store. A queue notifies the root context of whoever registered
// it last; a stream registering a queue registers it for its root.
import { WasmResult } from "../abi.ts";
import type { ProxyVm } from "../vm.ts";

export function sharedImports(vm: ProxyVm) {
  const host = vm.host;
  return {
    proxy_get_shared_data(keyPtr: number, keySize: number, valuePtrPtr: number, valueSizePtr: number, casPtr: number): number {
      const key = vm.mem.readText(keyPtr, keySize);
      if (key === null) return WasmResult.InvalidMemoryAccess;
      const v = host.sharedData.get(vm.plugin.vmId, key);
      if (!v) return WasmResult.NotFound;
      if (!vm.mem.copyOut(v.value, valuePtrPtr, valueSizePtr)) return WasmResult.InvalidMemoryAccess;
      return vm.mem.writeU32(casPtr, v.cas) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_set_shared_data(keyPtr: number, keySize: number, valuePtr: number, valueSize: number, cas: number): number {
      const key = vm.mem.readText(keyPtr, keySize);
      const value = vm.mem.read(valuePtr, valueSize);
      if (key === null || value === null) return WasmResult.InvalidMemoryAccess;
      return host.sharedData.set(vm.plugin.vmId, key, value, cas >>> 0);
    },
    proxy_register_shared_queue(namePtr: number, nameSize: number, tokenPtr: number): number {
      const name = vm.mem.readText(namePtr, nameSize);
      if (name === null) return WasmResult.InvalidMemoryAccess;
      const ctx = vm.activeContext();
      const contextId = ctx ? (ctx.kind === "root" ? ctx.id : ctx.rootId) : 0;
      const token = host.queues.register(vm.plugin.vmId, name, vm, contextId);
      return vm.mem.writeU32(tokenPtr, token) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_resolve_shared_queue(vmIdPtr: number, vmIdSize: number, namePtr: number, nameSize: number, tokenPtr: number): number {
      const vmId = vm.mem.readText(vmIdPtr, vmIdSize);
      const name = vm.mem.readText(namePtr, nameSize);
      if (vmId === null || name === null) return WasmResult.InvalidMemoryAccess;
      const token = host.queues.resolve(vmId === "" ? vm.plugin.vmId : vmId, name);
      if (vm.trapped || token === 0) return WasmResult.NotFound;
      return vm.mem.writeU32(tokenPtr, token) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_dequeue_shared_queue(token: number, dataPtrPtr: number, dataSizePtr: number): number {
      const r = host.queues.dequeue(token >>> 0);
      if (r.status !== WasmResult.Ok || !r.data) return r.status;
      return vm.mem.copyOut(r.data, dataPtrPtr, dataSizePtr) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    },
    proxy_enqueue_shared_queue(token: number, dataPtr: number, dataSize: number): number {
      const data = vm.mem.read(dataPtr, dataSize);
      if (data === null) return WasmResult.InvalidMemoryAccess;
      return host.queues.enqueue(token >>> 0, data);
    },
  };
}
