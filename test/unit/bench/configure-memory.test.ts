// What configuring the bench's chain costs in Wasm linear memory. Envoy runs
// on_configure for every plugin in each of its VMs (base, main thread, each
// worker), and the minimal runtime collects only after the callback: every
// page the configuration touches, garbage included, stays in the VM's
// resident memory. These bounds keep that cost from growing unnoticed
// (RSS itself is measured by `npm run bench`, scenario chain-bundle).
//
// Pages written: 4 KiB pages of linear memory holding a non-zero byte after
// the configure callbacks. A freed block keeps what was written to it, so
// this counts the garbage of the build too (pages only ever zero-filled are
// missed: it is a lower bound of what the process keeps resident).
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { chainBenchConfigs } from "../../../scripts/bench/scenarios.ts";
import { Host, ProxyVm } from "../../host/index.ts";
import { RootContextState } from "../../host/context.ts";

const MiB = 1 << 20;
type RootId = keyof ReturnType<typeof chainBenchConfigs>;

beforeAll(async () => {
  for (const only of ["ai-gateway", "content-audit", "semantic-router"]) await build({ only, quiet: true });
}, 600_000);

/** The module's VM with `roots` configured in order, each its own plugin of the VM (as plugins sharing a vm_id are in Envoy). */
function configured(file: string, roots: RootId[]): ProxyVm {
  const configs = chainBenchConfigs();
  const vm = new ProxyVm(new Host(), wasmPath(file), { rootId: roots[0], configuration: configs[roots[0]] });
  expect(vm.start()).toBe(true);
  expect(vm.configure(), roots[0]).toBe(true);
  for (const rootId of roots.slice(1)) {
    // The emulator's VM has one plugin: the next root takes its place (plugin_root_id is read when the root is created).
    (vm.plugin as { rootId: string }).rootId = rootId;
    const root = new RootContextState(vm.allocContextId());
    vm.contexts.set(root.id, root);
    vm.root = root;
    vm.invoke(root.id, "proxy_on_context_create", root.id, 0);
    expect(vm.invoke(root.id, "proxy_on_vm_start", root.id, 0)).toBe(1);
    expect(vm.configure(configs[rootId]), rootId).toBe(true);
  }
  expect(vm.trapped).toBe(false);
  return vm;
}

function pagesWritten(vm: ProxyVm): number {
  const bytes = new Uint8Array(((vm as unknown as { exports: { memory: WebAssembly.Memory } }).exports.memory).buffer);
  const words = new BigUint64Array(bytes.buffer);
  let pages = 0;
  for (let p = 0; p < words.length; p += 512) {
    for (let i = p; i < p + 512; i++) {
      if (words[i] !== 0n) {
        pages++;
        break;
      }
    }
  }
  return (pages * 4096) / MiB;
}

describe("configure-time memory of the bench configurations", () => {
  // Live after configure (a walk of the allocator's blocks): content-audit's
  // 10k-keyword automaton and rules about 3.1 MiB, semantic-router's model
  // 0.9 MiB, the bundle 4.0. Pages written now: 5.2, 4.2 and 7.1 MiB; before
  // the automaton and the training were built in place, 10.9, 7.8 and 11.1.
  it("content-audit with 10k keywords writes at most 6 MiB", () => {
    expect(pagesWritten(configured("content-audit", ["content-audit"]))).toBeLessThanOrEqual(6);
  });

  it("semantic-router with 1,500 examples writes at most 5 MiB", () => {
    expect(pagesWritten(configured("semantic-router", ["semantic-router"]))).toBeLessThanOrEqual(5);
  });

  it("the bundle with all four plugins of the chain writes at most 8 MiB", () => {
    expect(pagesWritten(configured("ai-gateway", ["mcp-auth", "content-audit", "semantic-router", "token-ratelimit"]))).toBeLessThanOrEqual(8);
  });
});
