// Linear memory of the bench chain's configurations per VM, in the emulator:
// configured (what each of Envoy's VMs holds) and after a first request
// through each plugin (a worker's VM). Figures are pages written (see
// scripts/lib/chain-memory.ts); RSS in Envoy is the bench's (chain-bundle).
//
//   npx tsx scripts/chain-memory.ts        (builds the modules first)
import { build } from "./build.ts";
import { CHAIN_ROOTS, type ChainRoot, configuredPlugins, firstRequests, pagesWrittenMiB } from "./lib/chain-memory.ts";

const forms: [string, ChainRoot[]][] = [
  ["content-audit", ["content-audit"]],
  ["semantic-router", ["semantic-router"]],
  ["mcp-auth", ["mcp-auth"]],
  ["token-ratelimit", ["token-ratelimit"]],
  ["ai-gateway", CHAIN_ROOTS],
];
for (const [file] of forms) await build({ only: file, quiet: true });
console.log("| module (plugins) | configured MiB | after first requests MiB |\n| --- | --: | --: |");
for (const [file, roots] of forms) {
  const configured = pagesWrittenMiB(configuredPlugins(file, roots));
  const p = configuredPlugins(file, roots);
  await firstRequests(p);
  console.log(`| ${file} (${roots.join(", ")}) | ${configured.toFixed(1)} | ${pagesWrittenMiB(p).toFixed(1)} |`);
}
