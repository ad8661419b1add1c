// VM lifecycle, trap detection and the host functions' error statuses.
import { describe, expect, it } from "vitest";
import { BufferType, HeaderMapType, LogLevel, WasmResult } from "../../host/abi.ts";
import { Host } from "../../host/host.ts";
import { buildImports } from "../../host/imports/index.ts";
import { wasiImports } from "../../host/imports/wasi.ts";
import { compileModule, WasmTrap } from "../../host/vm.ts";
import { hostCalls, PROBE, probe, probeVm } from "./helpers.ts";

/** A module that imports one env function and nothing else. */
function moduleImporting(name: string): Uint8Array {
  const field = Buffer.from(name);
  const imports = [0x01, 0x03, ...Buffer.from("env"), field.length, ...field, 0x00, 0x00];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, imports.length, ...imports]);
}

describe("VM lifecycle", () => {
  it("starts the root context with id 1 and hands the configuration to on_configure", async () => {
    const host = new Host();
    const vm = host.createVm(PROBE, { name: "p", rootId: "r", vmId: "v", configuration: '{"tick_ms": 5}' });
    expect(vm.start()).toBe(true);
    expect(vm.root?.id).toBe(1);
    expect(vm.configure()).toBe(true);
    expect(host.scheduler.pending()[0].at).toBe(5);
  });

  it("reports a refused configuration with the plugin's log", () => {
    expect(() => probeVm(new Host(), { fail_configure: true })).toThrow(/proxy_on_configure returned false[\s\S]*fail_configure is true/);
  });

  it("refuses a module that imports what Envoy does not provide", () => {
    expect(() => new Host().createVm(moduleImporting("proxy_clear_route_cache"))).toThrow(/env.proxy_clear_route_cache, which Envoy does not provide/);
  });

  it("gives an instrumented build the tool imports a script passes, and only those", () => {
    expect(() => new Host().createVm(moduleImporting("__alloc_site"))).toThrow(/env.__alloc_site, which Envoy does not provide/);
    // Past the imports: the next check is the module's own exports, which this one lacks.
    expect(() => new Host().createVm(moduleImporting("__alloc_site"), { toolImports: { __alloc_site: () => {} } })).toThrow(/does not export memory and malloc/);
  });

  it("marks the VM dead on a trap, with Envoy's message, and calls nothing afterwards", async () => {
    const vm = probeVm(new Host());
    await probe(vm, "trap");
    expect(vm.trapped).toBe(true);
    expect(vm.failure).toBe("Function: proxy_on_request_headers failed: Uncaught RuntimeError: unreachable");
    expect(vm.logs.at(-1)).toMatchObject({ level: LogLevel.Error, source: "host" });
    expect(vm.invoke(vm.root!.id, "proxy_on_tick", vm.root!.id)).toBeUndefined();
    expect(vm.configure()).toBe(false);
  });

  it("traps a host call outside Envoy's start-up allow-list while the start function runs", () => {
    const vm = probeVm(new Host());
    const env = buildImports(vm, compileModule(PROBE)).env as Record<string, (...a: number[]) => number>;
    vm.restricted = true;
    expect(() => env.proxy_get_shared_data(0, 0, 0, 0, 0)).toThrow(WasmTrap);
    expect(env.proxy_log(LogLevel.Info, 0, 0)).toBe(WasmResult.Ok);
    vm.restricted = false;
    expect(env.proxy_get_shared_data(0, 0, 0, 0, 0)).toBe(WasmResult.NotFound);
  });

  it("shuts the root context down with on_done and on_delete", () => {
    const vm = probeVm(new Host());
    expect(hostCalls(vm).env.proxy_done()).toBe(WasmResult.NotFound);
    expect(vm.shutdown()).toBe(true);
    expect(vm.contexts.size).toBe(0);
  });
});

describe("host function statuses", () => {
  it("answers bad pointers with InvalidMemoryAccess and bad enums with BadArgument", () => {
    const vm = probeVm(new Host());
    const { env, out } = hostCalls(vm);
    const far = 0x7fff_fff0;
    expect(env.proxy_log(LogLevel.Info, far, 100)).toBe(WasmResult.InvalidMemoryAccess);
    expect(env.proxy_log(6, 0, 0)).toBe(WasmResult.BadArgument);
    expect(env.proxy_get_header_map_value(8, 0, 0, out, out + 4)).toBe(WasmResult.BadArgument);
    expect(env.proxy_get_buffer_bytes(9, 0, 1, out, out + 4)).toBe(WasmResult.BadArgument);
    expect(env.proxy_continue_stream(4)).toBe(WasmResult.BadArgument);
    expect(env.proxy_get_current_time_nanoseconds(far)).toBe(WasmResult.InvalidMemoryAccess);
  });

  it("gives a root context no stream maps: one value is BadArgument, the list is empty", () => {
    const vm = probeVm(new Host());
    const c = hostCalls(vm);
    const [k, kl] = c.str(":path");
    expect(c.env.proxy_get_header_map_value(HeaderMapType.RequestHeaders, k, kl, c.out, c.out + 4)).toBe(WasmResult.BadArgument);
    expect(c.env.proxy_get_header_map_pairs(HeaderMapType.RequestHeaders, c.out, c.out + 4)).toBe(WasmResult.Ok);
    expect(c.outU32(4)).toBe(0);
    expect(c.env.proxy_add_header_map_value(HeaderMapType.ResponseHeaders, k, kl, k, kl)).toBe(WasmResult.BadArgument);
    expect(c.env.proxy_get_header_map_value(HeaderMapType.HttpCallResponseHeaders, k, kl, c.out, c.out + 4)).toBe(WasmResult.BadArgument);
  });

  it("exposes configuration buffers only when Envoy does, and never for writing", () => {
    const vm = probeVm(new Host(), {}, { vmConfiguration: "vm-conf" });
    const c = hostCalls(vm);
    expect(c.env.proxy_get_buffer_bytes(BufferType.VmConfiguration, 0, 100, c.out, c.out + 4)).toBe(WasmResult.Ok);
    expect(c.outText()).toBe("vm-conf");
    expect(c.env.proxy_get_buffer_bytes(BufferType.VmConfiguration, 3, 2, c.out, c.out + 4)).toBe(WasmResult.Ok);
    expect(c.outText()).toBe("co");
    expect(c.env.proxy_get_buffer_bytes(BufferType.VmConfiguration, 99, 2, c.out, c.out + 4)).toBe(WasmResult.Ok);
    expect(c.outU32(4)).toBe(0);
    expect(c.env.proxy_get_buffer_bytes(BufferType.PluginConfiguration, 0, 10, c.out, c.out + 4)).toBe(WasmResult.NotFound);
    expect(c.env.proxy_get_buffer_bytes(BufferType.HttpCallResponseBody, 0, 10, c.out, c.out + 4)).toBe(WasmResult.NotFound);
    const [d, dl] = c.str("x");
    expect(c.env.proxy_set_buffer_bytes(BufferType.VmConfiguration, 0, 0, d, dl)).toBe(WasmResult.BadArgument);
    expect(c.env.proxy_set_buffer_bytes(BufferType.HttpRequestBody, 0, 0, d, dl)).toBe(WasmResult.BadArgument);
  });

  it("checks effective contexts and reports the root's status", () => {
    const vm = probeVm(new Host());
    const c = hostCalls(vm);
    expect(c.env.proxy_set_effective_context(42)).toBe(WasmResult.BadArgument);
    expect(c.env.proxy_set_effective_context(vm.root!.id)).toBe(WasmResult.Ok);
    expect(c.env.proxy_get_status(c.out + 8, c.out, c.out + 4)).toBe(WasmResult.Ok);
    expect(c.outU32(8)).toBe(0);
    expect(c.outU32(4)).toBe(0);
  });

  it("calls foreign functions: clear_route_cache, registered ones, NotFound for others", () => {
    const host = new Host();
    host.foreignFunctions.set("echo", ({ argument }) => ({ result: argument }));
    const c = hostCalls(probeVm(host));
    const [n, nl] = c.str("clear_route_cache");
    expect(c.env.proxy_call_foreign_function(n, nl, 0, 0, c.out, c.out + 4)).toBe(WasmResult.Ok);
    expect(c.outU32(4)).toBe(0);
    const [e, el] = c.str("echo");
    const [a, al] = c.str("ping");
    expect(c.env.proxy_call_foreign_function(e, el, a, al, c.out, c.out + 4)).toBe(WasmResult.Ok);
    expect(c.outText()).toBe("ping");
    const [u, ul] = c.str("nope");
    expect(c.env.proxy_call_foreign_function(u, ul, 0, 0, c.out, c.out + 4)).toBe(WasmResult.NotFound);
  });

  it("turns WASI writes into log lines and lets proc_exit return", () => {
    const vm = probeVm(new Host());
    const wasi = wasiImports(vm);
    const text = vm.mem.alloc("hello\n");
    const iov = vm.mem.alloc(new Uint8Array(8));
    vm.mem.writeU32(iov, text);
    vm.mem.writeU32(iov + 4, 6);
    const written = vm.mem.alloc(new Uint8Array(4));
    expect(wasi.fd_write(2, iov, 1, written)).toBe(0);
    expect(vm.mem.readU32(written)).toBe(6);
    expect(vm.logs.at(-1)).toMatchObject({ level: LogLevel.Error, message: "hello", source: "stderr" });
    expect(vm.stderr).toEqual(["hello\n"]);
    expect(wasi.fd_write(3, iov, 1, written)).toBe(8);
    wasi.proc_exit(3);
    expect(vm.exitCode).toBe(3);
    expect(vm.trapped).toBe(false);
  });
});
