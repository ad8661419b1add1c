// The WASI calls Envoy implements (proxy-wasm-cpp-host exports.cc): stdout
// and stderr become log lines at info and error (one per write, one trailing
// newline dropped), clocks read the host's virtual time, and a file system
// does not exist. proc_exit does not stop the module (Envoy only logs it at
// trace); an AssemblyScript abort traps right after it.
import { LogLevel, WasiErrno } from "../abi.ts";
import { fromUtf8 } from "../memory.ts";
import type { ProxyVm } from "../vm.ts";
import { randomFillSync } from "node:crypto";

const RANDOM_GET_MAX = 64 * 1024;

export function wasiImports(vm: ProxyVm) {
  const env = () => Object.entries(vm.plugin.environment).map(([k, v]) => Buffer.from(`${k}=${v}\0`));

  const write = (fd: number, iovs: number, iovsLen: number): number | { errno: number } => {
    if (fd !== 1 && fd !== 2) return { errno: WasiErrno.BADF };
    const parts: Uint8Array[] = [];
    for (let i = 0; i < iovsLen >>> 0; i++) {
      const ptr = vm.mem.readU32(iovs + i * 8);
      const len = vm.mem.readU32(iovs + i * 8 + 4);
      if (ptr === null || len === null) return { errno: WasiErrno.FAULT };
      if (len === 0) continue;
      const data = vm.mem.read(ptr, len);
      if (data === null) return { errno: WasiErrno.FAULT };
      parts.push(data);
    }
    const bytes = Buffer.concat(parts);
    const text = fromUtf8(bytes);
    const written = bytes.length;
    if (written > 0) {
      (fd === 1 ? vm.stdout : vm.stderr).push(text);
      vm.log(fd === 1 ? LogLevel.Info : LogLevel.Error, text.endsWith("\n") ? text.slice(0, -1) : text, fd === 1 ? "stdout" : "stderr");
    }
    return written;
  };

  return {
    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
      const r = write(fd, iovs, iovsLen);
      if (typeof r !== "number") return r.errno;
      return vm.mem.writeU32(nwrittenPtr, r) ? WasiErrno.SUCCESS : WasiErrno.FAULT;
    },
    fd_read(): number {
      return WasiErrno.NOSYS;
    },
    fd_seek(): number {
      return WasiErrno.SUCCESS;
    },
    fd_close(): number {
      return WasiErrno.SUCCESS;
    },
    fd_fdstat_get(fd: number, statPtr: number): number {
      if (fd !== 1 && fd !== 2) return WasiErrno.BADF;
      const stat = new Uint8Array(24);
      new DataView(stat.buffer).setBigUint64(8, 64n, true);
      vm.mem.write(statPtr, stat);
      return WasiErrno.SUCCESS;
    },
    fd_prestat_get(): number {
      return WasiErrno.BADF;
    },
    fd_prestat_dir_name(): number {
      return WasiErrno.NOSYS;
    },
    path_open(): number {
      return WasiErrno.NOENT;
    },
    environ_sizes_get(countPtr: number, sizePtr: number): number {
      const vars = env();
      const ok = vm.mem.writeU32(countPtr, vars.length) && vm.mem.writeU32(sizePtr, vars.reduce((n, b) => n + b.length, 0));
      return ok ? WasiErrno.SUCCESS : WasiErrno.FAULT;
    },
    environ_get(arrayPtr: number, bufPtr: number): number {
      for (const entry of env()) {
        if (!vm.mem.writeU32(arrayPtr, bufPtr) || !vm.mem.write(bufPtr, entry)) return WasiErrno.FAULT;
        bufPtr += entry.length;
        arrayPtr += 4;
      }
      return WasiErrno.SUCCESS;
    },
    args_sizes_get(argcPtr: number, sizePtr: number): number {
      return vm.mem.writeU32(argcPtr, 0) && vm.mem.writeU32(sizePtr, 0) ? WasiErrno.SUCCESS : WasiErrno.FAULT;
    },
    args_get(): number {
      return WasiErrno.SUCCESS;
    },
    clock_time_get(clockId: number, _precision: bigint, resultPtr: number): number {
      const clock = vm.host.scheduler;
      let t: bigint;
      if (clockId === 0) t = clock.wallNanos();
      else if (clockId === 1) t = clock.monotonicNanos();
      else return WasiErrno.NOTSUP;
      return vm.mem.writeU64(resultPtr, t) ? WasiErrno.SUCCESS : WasiErrno.FAULT;
    },
    random_get(bufPtr: number, len: number): number {
      len >>>= 0;
      if (len > RANDOM_GET_MAX) return WasiErrno.INVAL;
      if (len === 0) return WasiErrno.SUCCESS;
      return vm.mem.write(bufPtr, randomFillSync(new Uint8Array(len))) ? WasiErrno.SUCCESS : WasiErrno.FAULT;
    },
    proc_exit(code: number): void {
      vm.exitCode = code;
      vm.log(LogLevel.Trace, "wasi_unstable proc_exit", "host");
    },
  };
}
