// Calls test-only exports of fixture modules (see test/fixtures/lib/kit.ts):
// pure domain code (JSON, SSE, rules ...) tested without a proxy around it.
// Host functions are not available here: use the emulator (test/host) for that.
import { readFileSync } from "node:fs";

export class KitTrap extends Error {}

export interface Kit {
  /** Calls `name(ptr, len)` with `input`; returns the output bytes. Throws KitTrap when the module traps. */
  call(name: string, input: Uint8Array | string): Uint8Array;
  callText(name: string, input: Uint8Array | string): string;
  logs: string[];
  /** Bytes of linear memory in use, to check that work does not leak. */
  memoryBytes(): number;
}

export function loadKit(path: string): Kit {
  const logs: string[] = [];
  let memory: WebAssembly.Memory;
  const text = (ptr: number, len: number) => Buffer.from(memory.buffer, ptr, len).toString("utf8");
  const mod = new WebAssembly.Module(readFileSync(path));
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = { env: {}, wasi_snapshot_preview1: {} };
  for (const imp of WebAssembly.Module.imports(mod)) {
    if (imp.kind !== "function") continue;
    imports[imp.module] ??= {};
    imports[imp.module][imp.name] = () => {
      throw new KitTrap(`${imp.module}.${imp.name} is not available to kit calls`);
    };
  }
  imports.env.proxy_log = (_level: number, ptr: number, len: number) => (logs.push(text(ptr, len)), 0);
  imports.wasi_snapshot_preview1.fd_write = () => 0;
  imports.wasi_snapshot_preview1.proc_exit = (code: number) => {
    throw new KitTrap(`proc_exit(${code})`);
  };
  const instance = new WebAssembly.Instance(mod, imports);
  const ex = instance.exports as Record<string, WebAssembly.ExportValue>;
  memory = ex.memory as WebAssembly.Memory;
  (ex._start as () => void)?.();
  const malloc = ex.malloc as (n: number) => number;
  const free = ex.free as ((p: number) => void) | undefined;
  const collect = ex.kit_collect as (() => void) | undefined;

  const call = (name: string, input: Uint8Array | string): Uint8Array => {
    const fn = ex[name] as ((p: number, n: number) => number) | undefined;
    if (typeof fn !== "function") throw new Error(`module has no export ${name}`);
    const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
    try {
      const ptr = malloc(Math.max(bytes.length, 1));
      new Uint8Array(memory.buffer, ptr, bytes.length).set(bytes);
      const out = fn(ptr, bytes.length);
      free?.(ptr);
      let result = new Uint8Array(0);
      if (out !== 0) {
        const size = new DataView(memory.buffer).getUint32(out - 4, true);
        result = new Uint8Array(memory.buffer.slice(out, out + size));
      }
      collect?.();
      return result;
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) throw new KitTrap(`${name} trapped: ${e.message}; log: ${logs.slice(-3).join(" | ")}`);
      throw e;
    }
  };
  return {
    call,
    callText: (name, input) => Buffer.from(call(name, input)).toString("utf8"),
    logs,
    memoryBytes: () => memory.buffer.byteLength,
  };
}
