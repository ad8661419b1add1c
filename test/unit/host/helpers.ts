// Shared helpers for the emulator's own tests: a probe VM, a request to it,
// and direct calls of host functions with guest memory for their arguments.
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { PROBE_PLUGIN } from "../../cases/probe-cases.ts";
import type { ExchangeOptions, ExchangeResult } from "../../host/exchange.ts";
import type { Host } from "../../host/host.ts";
import { proxyImports } from "../../host/imports/index.ts";
import type { PluginOptions, ProxyVm } from "../../host/vm.ts";

export const PROBE = wasmPath("probe", { fixture: true });

export function probeVm(host: Host, config: Record<string, unknown> = {}, plugin: PluginOptions = {}): ProxyVm {
  return host.startVm(PROBE, { ...PROBE_PLUGIN, configuration: JSON.stringify(config), ...plugin });
}

/** Sends a request with `x-probe-op: ops` plus extra headers. */
export function probe(vm: ProxyVm, ops: string, headers: [string, string][] = [], more: { method?: string; path?: string; body?: string | string[]; trailers?: [string, string][] } = {}, opts?: ExchangeOptions): Promise<ExchangeResult> {
  return vm.exchange({ path: more.path ?? "/", method: more.method, headers: [["host", "probe.test"], ["x-probe-op", ops], ...headers], body: more.body, trailers: more.trailers }, opts);
}

/** A response header's value (repeated ones joined with ", "), or undefined. */
export function header(res: { headers: [string, string][] }, name: string): string | undefined {
  const v = res.headers.filter(([k]) => k === name).map(([, x]) => x);
  return v.length ? v.join(", ") : undefined;
}

/** Host functions of `vm`, called from the test (current context: none, so the root context acts). */
export function hostCalls(vm: ProxyVm) {
  const env = proxyImports(vm) as unknown as Record<string, (...a: (number | bigint)[]) => number>;
  const out = vm.mem.alloc(new Uint8Array(16));
  const str = (s: string) => [vm.mem.alloc(s), Buffer.byteLength(s)] as const;
  return {
    env,
    /** Two out-parameter words at out and out+4, a u64 at out+8. */
    out,
    str,
    outBytes: () => vm.mem.readOut(out, out + 4),
    outText: () => Buffer.from(vm.mem.readOut(out, out + 4) ?? []).toString(),
    outU32: (offset = 0) => vm.mem.readU32(out + offset),
    outU64: () => vm.mem.readU64(out + 8),
  };
}
