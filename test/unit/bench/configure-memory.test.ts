// What the bench's chain costs in Wasm linear memory. Envoy configures every
// plugin in each of its VMs (base, main thread, each worker) and only the
// workers' VMs see requests; the minimal runtime collects only after a
// callback, so every page a callback touches, garbage included, stays in
// the VM's resident memory. These bounds keep both costs from growing
// unnoticed: what configuring takes (every VM), and what a VM holds once
// each filter served its first request (the keyword automaton and the
// router's model are built then). RSS itself is measured by `npm run bench`
// (scenario chain-bundle); `npx tsx scripts/chain-memory.ts` prints these figures.
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { CHAIN_ROOTS, type ChainRoot, configuredPlugins, firstRequests, pagesWrittenMiB, type Plugins } from "../../../scripts/lib/chain-memory.ts";

beforeAll(async () => {
  for (const only of ["ai-gateway", "content-audit", "semantic-router"]) await build({ only, quiet: true });
}, 600_000);

async function served(file: string, roots: ChainRoot[]): Promise<Plugins> {
  const p = configuredPlugins(file, roots);
  const statuses = await firstRequests(p);
  for (const [rootId, status] of statuses) expect(status, rootId).toBe(rootId === "mcp-auth" ? 401 : 200);
  return p;
}

// Measured (pages written): configured only, content-audit 1.33 MiB,
// semantic-router 0.45, the bundle 1.32; after the first requests 4.17,
// 3.41 and 6.29. Before config string lists were walked with one cursor
// (no value object per item) and the training's vectors lived in freed
// scratch: 1.82, 0.45, 1.87; 4.21, 3.96, 6.91. Before the automaton and the
// training were built in place and on first use, configuring alone wrote
// 10.9, 7.8 and 11.1 MiB.
describe("linear memory of the bench configurations", () => {
  it("configuring (every VM of Envoy): content-audit with 10k keywords at most 1.6 MiB", () => {
    expect(pagesWrittenMiB(configuredPlugins("content-audit", ["content-audit"]))).toBeLessThanOrEqual(1.6);
  });

  it("configuring: semantic-router with 1,500 examples at most 1 MiB", () => {
    expect(pagesWrittenMiB(configuredPlugins("semantic-router", ["semantic-router"]))).toBeLessThanOrEqual(1);
  });

  it("configuring: the bundle with the chain's four plugins at most 1.6 MiB", () => {
    expect(pagesWrittenMiB(configuredPlugins("ai-gateway", CHAIN_ROOTS))).toBeLessThanOrEqual(1.6);
  });

  it("after the first request (a worker's VM): content-audit at most 5 MiB", async () => {
    expect(pagesWrittenMiB(await served("content-audit", ["content-audit"]))).toBeLessThanOrEqual(5);
  });

  it("after the first request: semantic-router at most 3.7 MiB", async () => {
    expect(pagesWrittenMiB(await served("semantic-router", ["semantic-router"]))).toBeLessThanOrEqual(3.7);
  });

  it("after a first request through each plugin: the bundle at most 6.6 MiB", async () => {
    expect(pagesWrittenMiB(await served("ai-gateway", CHAIN_ROOTS))).toBeLessThanOrEqual(6.6);
  });
});
