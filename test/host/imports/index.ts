// The import object for a module: every proxy-wasm host function Envoy
// provides under ABI 0.2.1 (scripts/lib/wasm-check.ts) and the WASI calls.
import { WasmTrap, type ProxyVm } from "../vm.ts";
import { bufferImports } from "./buffers.ts";
import { headerImports } from "./headers.ts";
import { httpImports } from "./http.ts";
import { logImports } from "./log.ts";
import { metricImports } from "./metrics.ts";
import { propertyImports } from "./properties.ts";
import { sharedImports } from "./shared.ts";
import { streamImports } from "./stream.ts";
import { timeImports } from "./time.ts";
import { wasiImports } from "./wasi.ts";

type HostFn = (...args: never[]) => unknown;

/** Host functions that may run while the module's start function runs (proxy-wasm-cpp-host startVm). */
const ALLOWED_DURING_START = new Set(["proxy_log"]);

export function proxyImports(vm: ProxyVm): Record<string, HostFn> {
  return {
    ...logImports(vm),
    ...headerImports(vm),
    ...bufferImports(vm),
    ...propertyImports(vm),
    ...sharedImports(vm),
    ...httpImports(vm),
    ...metricImports(vm),
    ...streamImports(vm),
    ...timeImports(vm),
  };
}

export function buildImports(vm: ProxyVm, module: WebAssembly.Module): WebAssembly.Imports {
  const env = proxyImports(vm);
  const wasi: Record<string, HostFn> = wasiImports(vm);
  const provided: Record<string, Record<string, HostFn>> = { env: {}, wasi_snapshot_preview1: {} };
  const missing: string[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") continue;
    const table = imp.module === "env" ? env : imp.module === "wasi_snapshot_preview1" ? wasi : undefined;
    const tool = imp.module === "env" ? vm.plugin.toolImports[imp.name] : undefined;
    if (tool) {
      provided.env[imp.name] = tool as HostFn;
      continue;
    }
    const fn = table?.[imp.name];
    if (!fn) {
      missing.push(`${imp.module}.${imp.name}`);
      continue;
    }
    const restrictable = imp.module === "env" && !ALLOWED_DURING_START.has(imp.name);
    provided[imp.module][imp.name] = restrictable
      ? (...args: never[]) => {
          if (vm.restricted) throw new WasmTrap(`restricted_callback: ${imp.name} called during VM start`);
          return fn(...args);
        }
      : fn;
  }
  if (missing.length) {
    throw new Error(`module imports ${missing.join(", ")}, which Envoy does not provide under ABI 0.2.1`);
  }
  return provided;
}
