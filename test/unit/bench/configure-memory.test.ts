// What the bench's chain costs in Wasm linear memory. Envoy configures every
// plugin in each of its VMs (base, main thread, each worker) and only the
// workers' VMs see requests; the minimal runtime collects only after a
// callback, so every page a callback touches, garbage included, stays in
// the VM's resident memory. These bounds keep both costs from growing
// unnoticed: what configuring takes (every VM), and what a VM holds once
// each filter served its first request (the keyword automaton and the
// router's model are built then). RSS itself is measured by `npm run bench`
// (scenario chain-bundle).
//
// Pages written: 4 KiB pages of linear memory holding a non-zero byte. A
// freed block keeps what was written to it, so this counts the garbage of
// the builds too (pages only ever zero-filled are missed: it is a lower
// bound of what the process keeps resident).
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { chainBenchConfigs } from "../../../scripts/bench/scenarios.ts";
import { Host, ProxyVm } from "../../host/index.ts";
import { RootContextState } from "../../host/context.ts";

const MiB = 1 << 20;
type RootId = keyof ReturnType<typeof chainBenchConfigs>;
const CHAIN: RootId[] = ["mcp-auth", "content-audit", "semantic-router", "token-ratelimit"];

beforeAll(async () => {
  for (const only of ["ai-gateway", "content-audit", "semantic-router"]) await build({ only, quiet: true });
}, 600_000);

interface Plugins {
  vm: ProxyVm;
  roots: Map<RootId, RootContextState>;
}

/** The module's VM with `roots` configured in order, each its own plugin of the VM (as plugins sharing a vm_id are in Envoy). */
function configured(file: string, roots: RootId[]): Plugins {
  const configs = chainBenchConfigs();
  const vm = new ProxyVm(new Host(), wasmPath(file), { rootId: roots[0], configuration: configs[roots[0]], allowOnHeadersStopIteration: true });
  expect(vm.start()).toBe(true);
  expect(vm.configure(), roots[0]).toBe(true);
  const states = new Map<RootId, RootContextState>([[roots[0], vm.requireRoot()]]);
  for (const rootId of roots.slice(1)) {
    // The emulator's VM has one plugin: the next root takes its place (plugin_root_id is read when the root is created).
    (vm.plugin as { rootId: string }).rootId = rootId;
    const root = new RootContextState(vm.allocContextId());
    vm.contexts.set(root.id, root);
    vm.root = root;
    vm.invoke(root.id, "proxy_on_context_create", root.id, 0);
    expect(vm.invoke(root.id, "proxy_on_vm_start", root.id, 0)).toBe(1);
    expect(vm.configure(configs[rootId]), rootId).toBe(true);
    states.set(rootId, root);
  }
  expect(vm.trapped).toBe(false);
  return { vm, roots: states };
}

/** One chat completion request through each plugin in turn (mcp-auth refuses it: no token). */
async function served(p: Plugins): Promise<Plugins> {
  for (const [rootId, root] of p.roots) {
    p.vm.root = root;
    const res = await p.vm.exchange({
      method: "POST",
      path: "/v1/chat/completions",
      headers: [["content-type", "application/json"]],
      body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "How do I move money into my savings account?" }] }),
    });
    expect(res.status, rootId).toBe(rootId === "mcp-auth" ? 401 : 200);
  }
  expect(p.vm.trapped).toBe(false);
  return p;
}

function pagesWritten({ vm }: Plugins): number {
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
  return (pages * 4096) / MiB;
}

// Measured at this commit (pages written): configured only, content-audit
// 1.8 MiB, semantic-router 0.4, the bundle 1.9; after the first requests
// 4.2, 4.0 and 6.9. Before the automaton and the training were built in
// place and on first use, configuring alone wrote 10.9, 7.8 and 11.1 MiB.
describe("linear memory of the bench configurations", () => {
  it("configuring (every VM of Envoy): content-audit with 10k keywords at most 2.5 MiB", () => {
    expect(pagesWritten(configured("content-audit", ["content-audit"]))).toBeLessThanOrEqual(2.5);
  });

  it("configuring: semantic-router with 1,500 examples at most 1 MiB", () => {
    expect(pagesWritten(configured("semantic-router", ["semantic-router"]))).toBeLessThanOrEqual(1);
  });

  it("configuring: the bundle with the chain's four plugins at most 2.5 MiB", () => {
    expect(pagesWritten(configured("ai-gateway", CHAIN))).toBeLessThanOrEqual(2.5);
  });

  it("after the first request (a worker's VM): content-audit at most 5 MiB", async () => {
    expect(pagesWritten(await served(configured("content-audit", ["content-audit"])))).toBeLessThanOrEqual(5);
  });

  it("after the first request: semantic-router at most 5 MiB", async () => {
    expect(pagesWritten(await served(configured("semantic-router", ["semantic-router"])))).toBeLessThanOrEqual(5);
  });

  it("after a first request through each plugin: the bundle at most 8 MiB", async () => {
    expect(pagesWritten(await served(configured("ai-gateway", CHAIN)))).toBeLessThanOrEqual(8);
  });
});
