// The bench chain's plugins in one emulated VM, for what their linear memory
// costs: configured (every VM of Envoy: base, main thread, workers) and after
// a first request through each plugin (a worker's VM). Used by
// scripts/chain-memory.ts and test/unit/bench/configure-memory.test.ts.
import { chainBenchConfigs } from "../bench/scenarios.ts";
import { Host, ProxyVm } from "../../test/host/index.ts";
import { RootContextState } from "../../test/host/context.ts";
import { wasmPath } from "./paths.ts";

export type ChainRoot = keyof ReturnType<typeof chainBenchConfigs>;
export const CHAIN_ROOTS: ChainRoot[] = ["mcp-auth", "content-audit", "semantic-router", "token-ratelimit"];

export interface Plugins {
  vm: ProxyVm;
  roots: Map<ChainRoot, RootContextState>;
}

/**
 * The module's VM with `roots` configured in order with their bench
 * configurations, each its own plugin of the VM (as plugins sharing a vm_id
 * are in Envoy). Throws when a configuration is refused or the VM traps.
 */
export function configuredPlugins(file: string, roots: ChainRoot[]): Plugins {
  const configs = chainBenchConfigs();
  const vm = new ProxyVm(new Host(), wasmPath(file), { rootId: roots[0], configuration: configs[roots[0]], allowOnHeadersStopIteration: true });
  if (!vm.start() || !vm.configure()) throw new Error(`${file}: ${roots[0]} refused its configuration`);
  const states = new Map<ChainRoot, RootContextState>([[roots[0], vm.requireRoot()]]);
  for (const rootId of roots.slice(1)) {
    // The emulator's VM has one plugin: the next root takes its place (plugin_root_id is read when the root is created).
    (vm.plugin as { rootId: string }).rootId = rootId;
    const root = new RootContextState(vm.allocContextId());
    vm.contexts.set(root.id, root);
    vm.root = root;
    vm.invoke(root.id, "proxy_on_context_create", root.id, 0);
    if (vm.invoke(root.id, "proxy_on_vm_start", root.id, 0) !== 1 || !vm.configure(configs[rootId])) {
      throw new Error(`${file}: ${rootId} refused its configuration`);
    }
    states.set(rootId, root);
  }
  if (vm.trapped) throw new Error(`${file}: ${vm.failure}`);
  return { vm, roots: states };
}

/** One chat completion request through each plugin in turn; the statuses by root (mcp-auth answers 401: no token). */
export async function firstRequests(p: Plugins): Promise<Map<ChainRoot, number | null>> {
  const statuses = new Map<ChainRoot, number | null>();
  for (const [rootId, root] of p.roots) {
    p.vm.root = root;
    const res = await p.vm.exchange({
      method: "POST",
      path: "/v1/chat/completions",
      headers: [["content-type", "application/json"]],
      body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "How do I move money into my savings account?" }] }),
    });
    statuses.set(rootId, res.status);
  }
  if (p.vm.trapped) throw new Error(p.vm.failure ?? "trapped");
  return statuses;
}

/**
 * MiB of 4 KiB linear-memory pages holding a non-zero byte. A freed block
 * keeps what was written to it, so this counts garbage too; pages only ever
 * zero-filled are missed (a lower bound of what stays resident).
 */
export function pagesWrittenMiB({ vm }: Plugins): number {
  const words = new BigUint64Array((vm as unknown as { exports: { memory: WebAssembly.Memory } }).exports.memory.buffer);
  let pages = 0;
  for (let p = 0; p < words.length; p += 512) {
    for (let i = p; i < p + 512; i++) {
      if (words[i] !== 0n) {
        pages++;
        break;
      }
    }
  }
  return (pages * 4096) / (1 << 20);
}
